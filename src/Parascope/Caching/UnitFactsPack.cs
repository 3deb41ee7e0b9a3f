using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Facts;
using Parascope.Files;
using Parascope.Parsing;

namespace Parascope.Caching;

/// <summary>
/// The own units' facts of the last scan of a tree with a request, in one file beside its whole-scan entry, each
/// distinct string of all of them written once. A re-scan after a `.c` edit reads back the facts of every unchanged unit,
/// and from one entry per unit that meant ~700 paths and ~460 reached functions' names per unit of xnu-11417 parsed from
/// JSON and looked up one by one, the same ~63,000 strings over and over (half of the look-ups' time). Here a unit's facts refer to the
/// pack's one table by index, and each unit is still decoded alone, on whichever thread looks it up.
/// <para>
/// A unit is taken from the pack as from its entry (<see cref="ResultCache.TryLoad"/>): found by its lookup key and
/// used only while every file it read has the content it had. A unit the pack holds stale falls back to its own entry
/// (the scan that parsed it again stored it there). The pack is written again only when many units were not taken from
/// it (<see cref="IsStale"/>), not for every edit: an edit of one file costs one entry's look-up per later scan until then.
/// </para>
/// <para>
/// File: a <see cref="Frame"/> (magic "PSUP") of a 4-byte length, the index (JSON: the strings, then each unit's key and
/// the span of its facts), then the units' facts (<see cref="UnitFactsCodec.EncodeWith"/>). Damaged or foreign bytes are
/// no pack; a unit whose facts do not decode is not taken.
/// </para>
/// </summary>
public sealed class UnitFactsPack
{
    /// <summary>Raise whenever the index changes shape (the facts' shape is <see cref="UnitFactsCodec.Version"/>, part of the frame's version).</summary>
    public const uint Version = 1;
    public const string Extension = ".units";
    private static ReadOnlySpan<byte> Magic => "PSUP"u8;
    private static uint FrameVersion => Version << 16 | UnitFactsCodec.Version;

    private readonly string _path;
    private readonly Task<Packed?> _packed;
    /// <summary>Units decoded, or being decoded, ahead of their look-up; a unit looked up holds <see cref="LookedUp"/> instead.</summary>
    private readonly ConcurrentDictionary<string, Lazy<UnitFactsRecord?>> _decoded = new(StringComparer.Ordinal);
    /// <summary>What a looked-up unit leaves behind: its record is the look-up's now, and it is not decoded ahead again.</summary>
    private static readonly Lazy<UnitFactsRecord?> LookedUp = new(() => null);
    private int _taken;
    private volatile bool _released;

    /// <summary>
    /// The pack at PATH, read and then decoded unit by unit on a pool thread meanwhile the scan starts: created before
    /// discovery, which leaves the other core mostly idle, the look-ups then find most units decoded (on xnu-11417 a
    /// `.c` edit's look-ups decoded ~0.45 s of CPU on the threads that parse). Its table's strings are the units'
    /// strings (one per distinct string already), not shared with the units parsed or read from entries. DECODED: a
    /// watch's stores, where the pack and each unit decoded from it are kept while the file is unchanged, so that its
    /// next scan decodes only what it did not (~0.4 s of CPU a `.c` edit's re-scan of xnu-11417 x86_64 spent again).
    /// </summary>
    public UnitFactsPack(string path, DecodedStores? decoded = null)
    {
        _path = path;
        _packed = Task.Run(() => ReadOrTakeBack(path, decoded));
        DecodedAhead = _packed.ContinueWith(read => DecodeAhead(read.Result), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    /// <summary>Done when the pack is read and every unit decoded ahead (or decoding ahead stopped: <see cref="Release"/>).</summary>
    internal Task DecodedAhead { get; }

    private void DecodeAhead(Packed? packed)
    {
        if (packed is null)
        {
            return;
        }
        foreach (var key in packed.Units.Keys)
        {
            if (_released)
            {
                return;
            }
            _ = Decoded(packed, key).Value;
        }
    }

    private Lazy<UnitFactsRecord?> Decoded(Packed packed, string key) =>
        _decoded.GetOrAdd(key, k => new Lazy<UnitFactsRecord?>(() => Decode(packed, k)));

    private static UnitFactsRecord? Decode(Packed packed, string key)
    {
        if (packed.Records is { } records && records.TryGetValue(key, out var kept))
        {
            return kept;
        }
        var record = packed.Units.TryGetValue(key, out var span)
            && UnitFactsCodec.DecodeWith(packed.Content.Span.Slice(span.Start, span.Length), packed.Strings) is { } decoded && decoded.Key == key
                ? decoded
                : null;
        // Records are values (immutable facts), and a unit's look-up turns its record into a unit of its own.
        if (record is not null)
        {
            packed.Records?.TryAdd(key, record);
        }
        return record;
    }

    /// <summary>Lets go of every unit decoded ahead and not looked up (the look-ups are over), and stops decoding ahead.</summary>
    public void Release()
    {
        _released = true;
        _decoded.Clear();
    }

    /// <summary>Units whose facts were taken from the pack so far.</summary>
    public int Taken => Volatile.Read(ref _taken);

    /// <summary>The record the pack holds under KEY (its facts not yet checked against the files), or null.</summary>
    internal UnitFactsRecord? TryGet(string key)
    {
        if (_packed.Result is not { } packed || !packed.Units.ContainsKey(key))
        {
            return null;
        }
        var decoded = Decoded(packed, key);
        _decoded[key] = LookedUp;
        // A unit looked up again is decoded again.
        return decoded == LookedUp ? Decode(packed, key) : decoded.Value;
    }

    /// <summary>
    /// Lets go of KEY's record kept for a watch's next scan, found stale (a file it read changed): after a header edit
    /// most of them are, and a watch that kept them held the facts of every unit through the parse of hundreds.
    /// </summary>
    internal void Forget(string key) => _packed.Result?.Records?.TryRemove(key, out _);

    /// <summary>Counts a unit taken from the pack (its facts held).</summary>
    internal void Took() => Interlocked.Increment(ref _taken);

    /// <summary>
    /// Whether the pack should be written again for a scan of UNITS own units: there is none, or more than one in twenty
    /// of them (at least 16) were not taken from it. Below that the look-ups of their own entries cost less than
    /// writing every unit's facts again.
    /// </summary>
    public bool IsStale(int units) => _packed.Result is null || Staleness.IsStale(units - Taken, units);

    /// <summary>Writes UNITS (each with its lookup key and manifest digest) as the pack (atomically); false when it could not be.</summary>
    public bool Write(IEnumerable<(ParsedUnit Unit, string Key, string ManifestDigest)> units)
    {
        var table = new LeanReading.TableWriter();
        var facts = new List<byte[]>();
        var index = new List<PackedUnit>();
        var at = 0;
        foreach (var (unit, key, digest) in units)
        {
            if (UnitFactsCodec.EncodeWith(table, unit, key, digest) is { } json)
            {
                index.Add(new PackedUnit(key, at, json.Length));
                facts.Add(json);
                at += json.Length;
            }
        }
        var output = new System.Buffers.ArrayBufferWriter<byte>(at + table.Bytes + 64 * index.Count + 64);
        output.Advance(4);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Strings"u8);
            table.WriteStrings(writer);
            writer.WritePropertyName("Units"u8);
            JsonSerializer.Serialize(writer, index, UnitFactsPackJson.Default.ListPackedUnit);
            writer.WriteEndObject();
        }
        var content = new byte[output.WrittenCount + at];
        output.WrittenSpan.CopyTo(content);
        BinaryPrimitives.WriteInt32LittleEndian(content, output.WrittenCount - 4);
        var offset = output.WrittenCount;
        foreach (var json in facts)
        {
            json.CopyTo(content, offset);
            offset += json.Length;
        }
        return Frame.WriteFile(_path, Frame.Wrap(Magic, FrameVersion, content));
    }

    /// <summary>
    /// The units' facts (from the index's end), their spans by key and the table; null for no pack, or damaged or foreign
    /// bytes. RECORDS: the units decoded so far, when a watch keeps the pack for its next scan (else none).
    /// </summary>
    internal sealed record Packed(ReadOnlyMemory<byte> Content, string[] Strings, Dictionary<string, (int Start, int Length)> Units)
    {
        public ConcurrentDictionary<string, UnitFactsRecord>? Records { get; init; }
    }

    /// <summary>The pack at PATH, taken back from DECODED while the file is unchanged, or read (and kept there).</summary>
    private static Packed? ReadOrTakeBack(string path, DecodedStores? decoded)
    {
        if (decoded?.TryTake<Packed>(path) is { } kept)
        {
            return kept;
        }
        if (Read(path) is not { } packed)
        {
            return null;
        }
        if (decoded is not null)
        {
            packed = packed with { Records = new ConcurrentDictionary<string, UnitFactsRecord>(StringComparer.Ordinal) };
            decoded.Keep(path, packed);
        }
        return packed;
    }

    private static Packed? Read(string path)
    {
        try
        {
            var frame = File.ReadAllBytes(path);
            if (Frame.Read(frame, Magic, FrameVersion) is not { } content || content.Length < 4)
            {
                return null;
            }
            var indexLength = BinaryPrimitives.ReadInt32LittleEndian(content.Span);
            if (indexLength < 0 || (long)indexLength + 4 > content.Length)
            {
                return null;
            }
            var reader = new Utf8JsonReader(content.Span.Slice(4, indexLength));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.Read() || !reader.ValueTextEquals("Strings"u8) || !reader.Read())
            {
                return null;
            }
            var table = LeanReading.ReadStrings(ref reader);
            if (!reader.Read() || !reader.ValueTextEquals("Units"u8) || !reader.Read())
            {
                return null;
            }
            var index = JsonSerializer.Deserialize(ref reader, UnitFactsPackJson.Default.ListPackedUnit);
            var body = 4 + indexLength;
            var units = new Dictionary<string, (int Start, int Length)>(StringComparer.Ordinal);
            foreach (var unit in index ?? [])
            {
                if (unit.Key is null || unit.Start < 0 || unit.Length < 0 || (long)body + unit.Start + unit.Length > content.Length)
                {
                    return null;
                }
                units[unit.Key] = (body + unit.Start, unit.Length);
            }
            WholeScanCache.Touch(path);
            return new Packed(content, table, units);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>A unit in the pack's index: its lookup key and where its facts are, from the end of the index.</summary>
internal sealed record PackedUnit(string Key, int Start, int Length);

[JsonSerializable(typeof(List<PackedUnit>))]
internal sealed partial class UnitFactsPackJson : JsonSerializerContext;
