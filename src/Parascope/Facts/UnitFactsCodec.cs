using System.Collections.Immutable;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Clang;
using Parascope.Detectors;
using Parascope.Detectors.DriverApi;
using Parascope.Detectors.Instructions;
using Parascope.Detectors.PageTables;
using Parascope.Detectors.Platform;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Facts;

/// <summary>
/// One unit's extracted facts (everything detection and the call graph read of a parsed unit, not the AST) as bytes
/// and back. Independent of where the bytes go: the result cache stores them; parse worker processes can send them.
/// The bytes are a <see cref="Frame"/> (magic "PSCF") of the UTF-8 JSON of <see cref="UnitFactsRecord"/>.
/// </summary>
public static class UnitFactsCodec
{
    /// <summary>Raise whenever the record or any facts type changes shape.</summary>
    public const uint Version = 6;

    private static ReadOnlySpan<byte> Magic => "PSCF"u8;

    /// <summary>Source-generated metadata (no reflection at run time): decoding entries is most of a re-scan of cached units.</summary>
    private static readonly JsonSerializerOptions Options = UnitFactsJson.Default.Options;

    /// <summary>
    /// The frame of UNIT's facts stored under KEY with the MANIFEST of what it read, or null when a facts type is not known
    /// to the codec. LEVEL: see <see cref="Frame.Wrap"/> (a frame sent over a pipe is not compressed).
    /// </summary>
    public static byte[]? Encode(ParsedUnit unit, string key, ImmutableArray<FileDigest> manifest, CompressionLevel level = CompressionLevel.Fastest) =>
        UnitFactsRecord.From(unit, key, manifest) is { } record
            ? Frame.Wrap(Magic, Version, JsonSerializer.SerializeToUtf8Bytes(record, Options), level)
            : null;

    /// <summary>Whether FRAME is an intact frame of this version (checked, not decoded).</summary>
    public static bool IsIntact(byte[] frame) => Frame.IsIntact(frame, Magic, Version);

    /// <summary>The record in FRAME, or null when the frame is not an intact frame of this version.</summary>
    public static UnitFactsRecord? Decode(byte[] frame)
    {
        try
        {
            using var content = Frame.Open(frame, Magic, Version);
            return content is null ? null : JsonSerializer.Deserialize<UnitFactsRecord>(content, Options);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            return null;
        }
    }
}

/// <summary>A file a unit read and the SHA-256 of its content (hex).</summary>
public sealed record FileDigest(string Path, string Digest);

/// <summary>A parsed unit without its <see cref="SourceUnit"/> (the reader knows it) and with its facts as typed fields.</summary>
public sealed record UnitFactsRecord
{
    /// <summary>What the bytes were stored for (the cache's lookup key): a frame found under another key is foreign.</summary>
    public required string Key { get; init; }
    /// <summary>Every file the unit read, with the digest it had when the unit was parsed.</summary>
    public ImmutableArray<FileDigest> Manifest { get; init; } = [];
    public UnitStatus Status { get; init; }
    public ImmutableArray<ParseDiagnostic> Errors { get; init; } = [];
    public ImmutableArray<LineRange> InactiveRanges { get; init; } = [];
    public ImmutableArray<string> IncludedFiles { get; init; } = [];
    public ImmutableArray<FunctionSpan> Functions { get; init; } = [];
    public ImmutableArray<ReachedFunction> Reached { get; init; } = [];
    public ImmutableArray<string> Dependencies { get; init; } = [];
    public long DurationMs { get; init; }
    public PageTableFacts? PageTables { get; init; }
    public DriverApiFacts? DriverApi { get; init; }
    public CallFacts? Calls { get; init; }
    /// <summary>JSON of the instruction detector's facts (its types are internal to the engine).</summary>
    public JsonElement? Instructions { get; init; }
    /// <summary>JSON of the platform detector's facts (internal to the engine, as the instruction facts are).</summary>
    public JsonElement? Platform { get; init; }
    /// <summary>The order of the facts in <see cref="ParsedUnit.Facts"/>, by name.</summary>
    public ImmutableArray<string> Order { get; init; } = [];

    private static readonly JsonSerializerOptions Options = UnitFactsJson.Default.Options;

    internal static UnitFactsRecord? From(ParsedUnit unit, string key, ImmutableArray<FileDigest> manifest)
    {
        PageTableFacts? pageTables = null;
        DriverApiFacts? driverApi = null;
        CallFacts? calls = null;
        JsonElement? instructions = null;
        JsonElement? platform = null;
        var order = ImmutableArray.CreateBuilder<string>();
        foreach (var facts in unit.Facts)
        {
            switch (facts)
            {
                case PageTableFacts f:
                    pageTables = f;
                    order.Add("pageTables");
                    break;
                case DriverApiFacts f:
                    driverApi = f;
                    order.Add("driverApi");
                    break;
                case CallFacts f:
                    calls = f;
                    order.Add("calls");
                    break;
                case InstructionFacts f:
                    instructions = JsonSerializer.SerializeToElement(f, Options);
                    order.Add("instructions");
                    break;
                case PlatformFacts f:
                    platform = JsonSerializer.SerializeToElement(f, Options);
                    order.Add("platform");
                    break;
                default:
                    return null;
            }
        }
        return new UnitFactsRecord
        {
            Key = key,
            Manifest = manifest,
            Status = unit.Status,
            Errors = unit.Errors,
            InactiveRanges = unit.InactiveRanges,
            IncludedFiles = unit.IncludedFiles,
            Functions = unit.Functions,
            Reached = unit.Reached,
            Dependencies = unit.Dependencies,
            DurationMs = unit.DurationMs,
            PageTables = pageTables,
            DriverApi = driverApi,
            Calls = calls,
            Instructions = instructions,
            Platform = platform,
            Order = order.ToImmutable(),
        };
    }

    /// <summary>The parsed unit these facts were taken from, for UNIT; null when the record is incomplete.</summary>
    public ParsedUnit? ToParsedUnit(SourceUnit unit)
    {
        var facts = ImmutableArray.CreateBuilder<IUnitFacts>();
        foreach (var name in Order)
        {
            IUnitFacts? one = name switch
            {
                "pageTables" => PageTables,
                "driverApi" => DriverApi,
                "calls" => Calls,
                "instructions" => Instructions?.Deserialize<InstructionFacts>(Options),
                "platform" => Platform?.Deserialize<PlatformFacts>(Options),
                _ => null,
            };
            if (one is null)
            {
                return null;
            }
            facts.Add(one);
        }
        return new ParsedUnit
        {
            Unit = unit,
            Status = Status,
            Errors = Errors,
            InactiveRanges = InactiveRanges,
            IncludedFiles = IncludedFiles,
            Functions = Functions,
            Reached = Reached,
            Dependencies = Dependencies,
            DurationMs = DurationMs,
            Facts = facts.ToImmutable(),
        };
    }
}

[JsonSourceGenerationOptions(IncludeFields = true)]
[JsonSerializable(typeof(UnitFactsRecord))]
[JsonSerializable(typeof(InstructionFacts))]
[JsonSerializable(typeof(PlatformFacts))]
internal sealed partial class UnitFactsJson : JsonSerializerContext;
