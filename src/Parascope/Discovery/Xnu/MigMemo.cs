using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// The MIG interfaces read for the stand-ins, kept in the tree's discovery cache folder for the next scan. Reading one
/// is preprocessing its .defs and every .defs and header it includes, once per side, and the shared includes again for
/// every .defs: half a second of each re-scan of xnu-11417, on the scan's main thread. An interface is taken back while
/// every file its reading read still has the content it had (SHA-256), every include candidate it tried still exists or
/// not as it did then (a file added earlier on the search path would be read instead), and the engine is the same build
/// (the reading is the code's as much as the files'). Anything else about the file, damaged, foreign or of another
/// build, and the interface is read again. Written atomically, only when some interface was read anew.
/// </summary>
internal sealed class MigMemo
{
    /// <summary>The memo's file name in the discovery cache folder.</summary>
    public const string FileName = "mig.kept";
    /// <summary>Raise whenever the entry or the definitions change shape.</summary>
    internal const uint Version = 3;
    private static ReadOnlySpan<byte> Magic => "PSMG"u8;

    private readonly string? _path;
    private readonly Dictionary<string, MigMemoEntry> _kept;
    private readonly Dictionary<string, MigMemoEntry> _used = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _digests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _exists = new(StringComparer.Ordinal);
    private bool _made;

    /// <summary>A memo that keeps nothing (the scan keeps nothing for the next one: `--no-cache`).</summary>
    public static MigMemo Off => new(null);

    /// <summary>The memo kept at PATH (none there, or unreadable: empty).</summary>
    public MigMemo(string? path)
    {
        _path = path;
        _kept = path is null ? [] : Load(path);
    }

    /// <summary>Interfaces taken back so far.</summary>
    public int Reused { get; private set; }

    /// <summary>FILE's definitions for SIDE (<see cref="MigInterfaces.Read"/>), taken back when nothing it read changed.</summary>
    public MigInterfaces.Definitions Read(string file, IReadOnlyList<string> roots, string arch, MigInterfaces.Side side)
    {
        var key = string.Join('\n', [file, arch, side.ToString(), .. roots]);
        if (_kept.TryGetValue(key, out var kept) && Holds(kept))
        {
            _used[key] = kept;
            Reused++;
            return kept.Definitions;
        }
        var reads = new MigInterfaces.Reads();
        var definitions = MigInterfaces.Read(file, roots, arch, side, reads);
        if (_path is not null)
        {
            _used[key] = new MigMemoEntry(key, [.. reads.Files], [.. reads.Files.Select(Digest)],
                [.. reads.Probes.Select(p => p.Path)], [.. reads.Probes.Select(p => p.Exists)], definitions);
            _made = true;
        }
        return definitions;
    }

    /// <summary>Writes the interfaces this scan used, when it read some anew (a memo costs speed, never the scan).</summary>
    public void Save()
    {
        if (_path is null || !_made)
        {
            return;
        }
        // Each string once: the interfaces of one tree share most of their types (the standard .defs every one includes).
        MemoFile.Write(_path, Magic, Version, new MigMemoFile(MemoFile.Build, [.. _used.Values.OrderBy(e => e.Key, StringComparer.Ordinal)]),
            MigMemoJson.Default.MigMemoFile);
    }

    private bool Holds(MigMemoEntry entry)
    {
        for (var i = 0; i < entry.Files.Count; i++)
        {
            if (Digest(entry.Files[i]) != entry.Digests[i])
            {
                return false;
            }
        }
        for (var i = 0; i < entry.Probes.Count; i++)
        {
            if (!_exists.TryGetValue(entry.Probes[i], out var exists))
            {
                _exists[entry.Probes[i]] = exists = Probe.File(entry.Probes[i]);
            }
            if (exists != entry.Exists[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>PATH's content digest, once per memo (the shared includes are read by most interfaces); null when unreadable.</summary>
    private string? Digest(string path)
    {
        if (!_digests.TryGetValue(path, out var digest))
        {
            try
            {
                digest = Convert.ToHexString(SHA256.HashData(RegularFiles.ReadAllBytes(path)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                digest = null;
            }
            _digests[path] = digest;
        }
        return digest;
    }

    private static Dictionary<string, MigMemoEntry> Load(string path) =>
        MemoFile.Read(path, Magic, Version, MigMemoJson.Default.MigMemoFile, file => (file.Build, file.Entries), Whole)
            .ToDictionary(e => e.Key, StringComparer.Ordinal);

    private static bool Whole(MigMemoEntry? entry) =>
        entry is { Key: not null, Files: not null, Digests: not null, Probes: not null, Exists: not null, Definitions: { } definitions }
        && entry.Files.Count == entry.Digests.Count && entry.Probes.Count == entry.Exists.Count
        && entry.Files.All(f => f is not null) && entry.Probes.All(p => p is not null)
        && definitions is { Subsystem: not null, Types: not null, SubsystemTable: not null, ServerDemux: not null }
        && !definitions.Routines.IsDefault && !definitions.Imports.IsDefault && !definitions.UserImports.IsDefault && !definitions.ServerImports.IsDefault
        && definitions.Routines.All(r => r is { Name: not null, UserPrefix: not null, ServerPrefix: not null, Arguments.IsDefault: false }
            && r.Arguments.All(a => a is { Direction: not null, Name: not null, Type: not null, Flags: not null }))
        && definitions.Types.Values.All(t => t is { Name: not null, Spec: not null });
}

/// <summary>One interface kept: its key (file, arch, side, roots), what its reading read, and what it gave.</summary>
internal sealed record MigMemoEntry(string Key, List<string> Files, List<string?> Digests, List<string> Probes, List<bool> Exists,
    MigInterfaces.Definitions Definitions);

internal sealed record MigMemoFile(string Build, List<MigMemoEntry> Entries);

/// <summary>A MIG type as a row: [name, spec, C type, user C type, server C type, intran].</summary>
internal sealed class MigTypeRow : LeanReading.RowConverter<MigInterfaces.MigType>
{
    protected override MigInterfaces.MigType ReadRow(ref Utf8JsonReader reader) =>
        new(LeanReading.Row.String(ref reader), LeanReading.Row.String(ref reader), LeanReading.Row.NullableString(ref reader),
            LeanReading.Row.NullableString(ref reader), LeanReading.Row.NullableString(ref reader), LeanReading.Row.NullableString(ref reader));

    protected override void WriteRow(Utf8JsonWriter writer, MigInterfaces.MigType value)
    {
        LeanReading.WriteString(writer, value.Name);
        LeanReading.WriteString(writer, value.Spec);
        LeanReading.WriteNullable(writer, value.CType);
        LeanReading.WriteNullable(writer, value.CUserType);
        LeanReading.WriteNullable(writer, value.CServerType);
        LeanReading.WriteNullable(writer, value.Intran);
    }
}

/// <summary>A routine's argument as a row: [direction, name, type, inline spec, flags].</summary>
internal sealed class MigArgumentRow : LeanReading.RowConverter<MigInterfaces.Argument>
{
    protected override MigInterfaces.Argument ReadRow(ref Utf8JsonReader reader) =>
        new(LeanReading.Row.String(ref reader), LeanReading.Row.String(ref reader), LeanReading.Row.String(ref reader),
            LeanReading.Row.NullableString(ref reader), LeanReading.Row.String(ref reader));

    protected override void WriteRow(Utf8JsonWriter writer, MigInterfaces.Argument value)
    {
        LeanReading.WriteString(writer, value.Direction);
        LeanReading.WriteString(writer, value.Name);
        LeanReading.WriteString(writer, value.Type);
        LeanReading.WriteNullable(writer, value.InlineSpec);
        LeanReading.WriteString(writer, value.Flags);
    }
}

// Types and arguments as rows: the memo of xnu-11417 holds 33,373 types (each interface's whole table) and 4,559 arguments.
[JsonSourceGenerationOptions(IncludeFields = true, Converters = [typeof(LeanReading.StringConverter), typeof(MigTypeRow), typeof(MigArgumentRow)])]
[JsonSerializable(typeof(MigMemoFile))]
internal sealed partial class MigMemoJson : JsonSerializerContext;
