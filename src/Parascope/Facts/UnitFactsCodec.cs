using System.Collections.Immutable;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Clang;
using Parascope.Detectors;
using Parascope.Detectors.DriverApi;
using Parascope.Detectors.Instructions;
using Parascope.Detectors.PageTables;
using Parascope.Detectors.Platform;
using Parascope.Files;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Facts;

/// <summary>
/// One unit's extracted facts (everything detection and the call graph read of a parsed unit, not the AST) as bytes
/// and back. Independent of where the bytes go: the result cache stores them; parse worker processes can send them.
/// The bytes are a <see cref="Frame"/> (magic "PSCF") of the UTF-8 JSON of <see cref="UnitFactsWire"/>: the record
/// with every path written once.
/// </summary>
public static class UnitFactsCodec
{
    /// <summary>Raise whenever the record or any facts type changes shape.</summary>
    public const uint Version = 14;

    private static ReadOnlySpan<byte> Magic => "PSCF"u8;

    /// <summary>
    /// The frame of UNIT's facts stored under KEY with the digest of what it read (<see cref="UnitFactsRecord.ManifestDigest"/>;
    /// none for a frame sent over a pipe), or null when a facts type is not known to the codec. LEVEL: see
    /// <see cref="Frame.Wrap"/> (a frame sent over a pipe is not compressed).
    /// </summary>
    public static byte[]? Encode(ParsedUnit unit, string key, string? manifestDigest, CompressionLevel level = CompressionLevel.Fastest) =>
        UnitFactsRecord.From(unit, key, manifestDigest) is { } record
            ? Frame.Wrap(Magic, Version, JsonSerializer.SerializeToUtf8Bytes(UnitFactsWire.From(record), UnitFactsJson.Default.UnitFactsWire), level)
            : null;

    /// <summary>
    /// UNIT's facts stored under KEY with MANIFESTDIGEST as JSON whose strings are indexes in TABLE, for a store of many
    /// units' facts (<see cref="Caching.UnitFactsPack"/>; <see cref="DecodeWith"/> reads it); null when a facts type is
    /// not known to the codec.
    /// </summary>
    internal static byte[]? EncodeWith(LeanReading.TableWriter table, ParsedUnit unit, string key, string manifestDigest) =>
        UnitFactsRecord.From(unit, key, manifestDigest) is { } record ? table.Write(UnitFactsWire.From(record), UnitFactsJson.Default.UnitFactsWire) : null;

    /// <summary>The record in JSON written by <see cref="EncodeWith"/> against TABLE, or null when the bytes are not such a record.</summary>
    internal static UnitFactsRecord? DecodeWith(ReadOnlySpan<byte> json, string[] table)
    {
        try
        {
            return LeanReading.ReadWith(json, table, UnitFactsJson.Default.UnitFactsWire)?.ToRecord();
        }
        catch (Exception e) when (Unreadable(e))
        {
            return null;
        }
    }

    /// <summary>What reading damaged or foreign bytes throws (a bug throws anything else).</summary>
    private static bool Unreadable(Exception e) => e is JsonException or InvalidDataException or NotSupportedException or IndexOutOfRangeException;

    /// <summary>Whether FRAME is an intact frame of this version (checked, not decoded).</summary>
    public static bool IsIntact(byte[] frame) => Frame.IsIntact(frame, Magic, Version);

    /// <summary>
    /// The record in FRAME, or null when the frame is not an intact frame of this version. Its strings are STRINGS'
    /// when given (see <see cref="LeanReading"/>).
    /// </summary>
    internal static UnitFactsRecord? Decode(byte[] frame, SharedStrings? strings = null)
    {
        try
        {
            // Inflated whole and read from one span: System.Text.Json's stream reading resumes per buffer, which cost
            // a third of the decoding when every unit of xnu-11417 is read back.
            using var content = Frame.Inflate(frame, Magic, Version);
            using var sharing = LeanReading.Share(strings);
            return content is null ? null : JsonSerializer.Deserialize(content.Span, UnitFactsJson.Default.UnitFactsWire)?.ToRecord();
        }
        catch (Exception e) when (Unreadable(e))
        {
            return null;
        }
    }
}

/// <summary>A parsed unit without its <see cref="SourceUnit"/> (the reader knows it) and with its facts as typed fields.</summary>
internal sealed record UnitFactsRecord
{
    /// <summary>What the bytes were stored for (the cache's lookup key): a frame found under another key is foreign.</summary>
    public required string Key { get; init; }
    /// <summary>
    /// The digest of every file the unit read (<see cref="Dependencies"/>) when it was parsed, in one:
    /// <see cref="Caching.FileDigests.Combined"/>. One digest, not one per file: the per-file digests were a quarter of
    /// an entry (27 of an average 106 KB of JSON on xnu-11417 x86_64) and the check needs only whether all still match.
    /// </summary>
    public string? ManifestDigest { get; init; }
    public UnitStatus Status { get; init; }
    public ImmutableArray<ParseDiagnostic> Errors { get; init; } = [];
    public ImmutableArray<string> IncludedFiles { get; init; } = [];
    public ImmutableArray<FunctionSpan> Functions { get; init; } = [];
    public ImmutableArray<ReachedFunction> Reached { get; init; } = [];
    public ImmutableArray<string> Dependencies { get; init; } = [];
    public long DurationMs { get; init; }
    public PageTableFacts? PageTables { get; init; }
    public DriverApiFacts? DriverApi { get; init; }
    public CallFacts? Calls { get; init; }
    // Typed, not kept as JSON elements read again into the facts: that read every unit's instruction facts twice.
    public InstructionFacts? Instructions { get; init; }
    public PlatformFacts? Platform { get; init; }
    /// <summary>The order of the facts in <see cref="ParsedUnit.Facts"/>, by name.</summary>
    public ImmutableArray<string> Order { get; init; } = [];

    internal static UnitFactsRecord? From(ParsedUnit unit, string key, string? manifestDigest)
    {
        PageTableFacts? pageTables = null;
        DriverApiFacts? driverApi = null;
        CallFacts? calls = null;
        InstructionFacts? instructions = null;
        PlatformFacts? platform = null;
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
                    instructions = f;
                    order.Add("instructions");
                    break;
                case PlatformFacts f:
                    platform = f;
                    order.Add("platform");
                    break;
                default:
                    return null;
            }
        }
        return new UnitFactsRecord
        {
            Key = key,
            ManifestDigest = manifestDigest,
            Status = unit.Status,
            Errors = unit.Errors,
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
                "instructions" => Instructions,
                "platform" => Platform,
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
            IncludedFiles = IncludedFiles,
            Functions = Functions,
            Reached = Reached,
            Dependencies = Dependencies,
            DurationMs = DurationMs,
            Facts = facts.ToImmutable(),
        };
    }
}

/// <summary>
/// <see cref="UnitFactsRecord"/> as the codec writes it. A unit's paths repeat: xnu-11417's units read ~150 files
/// each, skip ~1,000 ranges in them and reach ~500 header functions, and as objects ({"File": "...", ...}) these were
/// three quarters of an entry's ~230 KB of JSON and most of the time a re-scan spends decoding. Here each path is
/// written once (<see cref="Paths"/>) and everything that names one refers to it by index, in flat integer arrays.
/// The skipped ranges are not kept (since version 8): the collectors read them at the unit's end, and what they
/// decided from them is in the facts; nothing read them back, and they were 14 of an average 106 KB.
/// </summary>
internal sealed class UnitFactsWire
{
    // Settable, not init: the source-generated reader gives init properties absent from the JSON their type's default
    // (null arrays), not these initializers.
    /// <summary>The record without the path-bearing arrays below (written empty), which it gets back on reading.</summary>
    public UnitFactsRecord? Rest { get; set; }
    /// <summary>Every distinct path the arrays below refer to, in first-use order.</summary>
    public string[] Paths { get; set; } = [];
    public int[] Included { get; set; } = [];
    /// <summary>Function spans as (path, first line, last line) triples, their names alongside.</summary>
    public int[] Functions { get; set; } = [];
    public string[] FunctionNames { get; set; } = [];
    /// <summary>The spans whose call-graph node is not their name (statics: "name@file"): (span index, node) pairs.</summary>
    public int[] NodeSpans { get; set; } = [];
    public string[] Nodes { get; set; } = [];
    /// <summary>Reached header functions as path × 2 + walked, their names alongside.</summary>
    public int[] Reached { get; set; } = [];
    public string[] ReachedNames { get; set; } = [];
    public int[] Dependencies { get; set; } = [];

    public static UnitFactsWire From(UnitFactsRecord record)
    {
        var paths = new List<string>();
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        int Index(string path)
        {
            if (!indexes.TryGetValue(path, out var index))
            {
                index = paths.Count;
                indexes.Add(path, index);
                paths.Add(path);
            }
            return index;
        }
        var functions = new int[record.Functions.Length * 3];
        var nodeSpans = new List<int>();
        var nodes = new List<string>();
        for (var i = 0; i < record.Functions.Length; i++)
        {
            var span = record.Functions[i];
            (functions[3 * i], functions[3 * i + 1], functions[3 * i + 2]) = (Index(span.File), span.StartLine, span.EndLine);
            if (!string.Equals(span.Node, span.Name, StringComparison.Ordinal))
            {
                nodeSpans.Add(i);
                nodes.Add(span.Node);
            }
        }
        // Every index is taken before the path table is read off (an initializer's order would be the only guard).
        int[] included = [.. record.IncludedFiles.Select(Index)];
        int[] reached = [.. record.Reached.Select(r => Index(r.File) * 2 + (r.Walked ? 1 : 0))];
        int[] dependencies = [.. record.Dependencies.Select(Index)];
        return new UnitFactsWire
        {
            Rest = record with { IncludedFiles = [], Functions = [], Reached = [], Dependencies = [] },
            Paths = [.. paths],
            Included = included,
            Functions = functions,
            FunctionNames = [.. record.Functions.Select(f => f.Name)],
            NodeSpans = [.. nodeSpans],
            Nodes = [.. nodes],
            Reached = reached,
            ReachedNames = [.. record.Reached.Select(r => r.Function)],
            Dependencies = dependencies,
        };
    }

    /// <summary>The record; a missing part, an index out of range or arrays of unequal length (damaged or foreign bytes) throw.</summary>
    public UnitFactsRecord ToRecord()
    {
        object?[] parts = [Paths, Included, Functions, FunctionNames, NodeSpans, Nodes, Reached, ReachedNames, Dependencies];
        if (Rest is not { } rest || parts.Any(part => part is null))
        {
            throw new InvalidDataException("unit facts: a part is missing");
        }
        if (Functions.Length % 3 != 0
            || Functions.Length / 3 != FunctionNames.Length || NodeSpans.Length != Nodes.Length || Reached.Length != ReachedNames.Length)
        {
            throw new InvalidDataException("unit facts: arrays of unequal length");
        }
        var paths = Paths;
        var functions = new FunctionSpan[FunctionNames.Length];
        for (var i = 0; i < functions.Length; i++)
        {
            functions[i] = new FunctionSpan(paths[Functions[3 * i]], Functions[3 * i + 1], Functions[3 * i + 2], FunctionNames[i]);
        }
        for (var k = 0; k < NodeSpans.Length; k++)
        {
            functions[NodeSpans[k]] = functions[NodeSpans[k]] with { Node = Nodes[k] };
        }
        var reached = new ReachedFunction[Reached.Length];
        for (var i = 0; i < reached.Length; i++)
        {
            reached[i] = new ReachedFunction(paths[Reached[i] >> 1], ReachedNames[i], (Reached[i] & 1) != 0);
        }
        return rest with
        {
            IncludedFiles = [.. Included.Select(i => paths[i])],
            Functions = ImmutableCollectionsMarshal.AsImmutableArray(functions),
            Reached = ImmutableCollectionsMarshal.AsImmutableArray(reached),
            Dependencies = [.. Dependencies.Select(i => paths[i])],
        };
    }
}

/// <summary>A call edge as a row: [caller, callee, kind].</summary>
internal sealed class CallEdgeRow : LeanReading.RowConverter<CallEdge>
{
    protected override CallEdge ReadRow(ref Utf8JsonReader reader) =>
        new(LeanReading.Row.String(ref reader), LeanReading.Row.String(ref reader), (CallKind)LeanReading.Row.Int32(ref reader));

    protected override void WriteRow(Utf8JsonWriter writer, CallEdge value)
    {
        LeanReading.WriteString(writer, value.Caller);
        LeanReading.WriteString(writer, value.Callee);
        writer.WriteNumberValue((int)value.Kind);
    }
}

/// <summary>
/// A parse diagnostic as a row: [level, message, file, line, column]. Rows, not objects, for this and the two below: the
/// runtime's reader of a record struct with a constructor is generic code compiled at first call for each such struct
/// (ParseDiagnostic's alone ~29 ms in a re-scan's trace), where a row converter is compiled ahead of time with the tool.
/// </summary>
internal sealed class ParseDiagnosticRow : LeanReading.RowConverter<ParseDiagnostic>
{
    protected override ParseDiagnostic ReadRow(ref Utf8JsonReader reader) =>
        new((DiagnosticLevel)LeanReading.Row.Int32(ref reader), LeanReading.Row.String(ref reader), LeanReading.Row.NullableString(ref reader)!,
            LeanReading.Row.Int32(ref reader), LeanReading.Row.Int32(ref reader));

    protected override void WriteRow(Utf8JsonWriter writer, ParseDiagnostic value)
    {
        writer.WriteNumberValue((int)value.Level);
        LeanReading.WriteString(writer, value.Message);
        LeanReading.WriteNullable(writer, value.File);
        writer.WriteNumberValue(value.Line);
        writer.WriteNumberValue(value.Column);
    }
}

/// <summary>Where a macro put a site, as a row: [file, line, column, end column, macro].</summary>
internal sealed class MacroOriginRow : LeanReading.RowConverter<MacroOrigin>
{
    protected override MacroOrigin ReadRow(ref Utf8JsonReader reader) =>
        new(LeanReading.Row.String(ref reader), LeanReading.Row.Int32(ref reader), LeanReading.Row.Int32(ref reader), LeanReading.Row.Int32(ref reader),
            LeanReading.Row.String(ref reader));

    protected override void WriteRow(Utf8JsonWriter writer, MacroOrigin value)
    {
        LeanReading.WriteString(writer, value.File);
        writer.WriteNumberValue(value.Line);
        writer.WriteNumberValue(value.Column);
        writer.WriteNumberValue(value.EndColumn);
        LeanReading.WriteString(writer, value.Macro);
    }
}

/// <summary>A call of a page-table store wrapper as a row: [callee, file, line, function].</summary>
internal sealed class WrapperCallRow : LeanReading.RowConverter<WrapperCall>
{
    protected override WrapperCall ReadRow(ref Utf8JsonReader reader) =>
        new(LeanReading.Row.String(ref reader), LeanReading.Row.String(ref reader), LeanReading.Row.Int32(ref reader), LeanReading.Row.NullableString(ref reader));

    protected override void WriteRow(Utf8JsonWriter writer, WrapperCall value)
    {
        LeanReading.WriteString(writer, value.Callee);
        LeanReading.WriteString(writer, value.File);
        writer.WriteNumberValue(value.Line);
        LeanReading.WriteNullable(writer, value.Function);
    }
}

// Call edges and string pairs (slot stores and calls) as rows: an entry of xnu-11417 holds ~50 edges on average. Flags
// (the statements a unit compiled of each file) as strings of bits. In the pack (with a table), the facts of PackedFacts.cs packed.
[JsonSourceGenerationOptions(IncludeFields = true,
    Converters = [typeof(LeanReading.StringConverter), typeof(LeanReading.StringArrayConverter), typeof(LeanReading.Int32ArrayConverter),
        typeof(CallEdgeRow), typeof(ParseDiagnosticRow), typeof(MacroOriginRow), typeof(WrapperCallRow),
        typeof(LeanReading.StringPairConverter), typeof(LeanReading.BitsConverter),
        typeof(PackedClassFacts), typeof(PackedFileUses), typeof(PackedMacroUses), typeof(PackedLexicalUses), typeof(PackedDriverCalls),
        typeof(PackedCallEdges), typeof(PackedStringPairs)])]
[JsonSerializable(typeof(UnitFactsRecord))]
[JsonSerializable(typeof(UnitFactsWire))]
[JsonSerializable(typeof(InstructionFacts))]
[JsonSerializable(typeof(PlatformFacts))]
[JsonSerializable(typeof(ClassFact[]))]
[JsonSerializable(typeof(FileUse[]))]
[JsonSerializable(typeof(MacroUse[]))]
[JsonSerializable(typeof(LexicalUse[]))]
[JsonSerializable(typeof(DriverCall[]))]
[JsonSerializable(typeof(CallEdge[]))]
[JsonSerializable(typeof((string, string)[]))]
internal sealed partial class UnitFactsJson : JsonSerializerContext;
