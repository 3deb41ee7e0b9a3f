using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Detectors;
using Parascope.Detectors.DriverApi;
using Parascope.Detectors.Instructions;
using Parascope.Detectors.PageTables;
using Parascope.Files;

namespace Parascope.Caching;

/// <summary>
/// The lexical scans of a scan's files (the page-table candidates and declarations, the C files' asm and builtin
/// scans, the driver classes each C/C++ file declares), kept beside its whole-scan entry for the next scan of the same tree with the same request. A re-scan whose
/// whole-scan entry misses (a file was edited) reads every file its cached units read again for these scans: on
/// xnu-11417 x86_64, ~4,000 files and a third of a `.c` edit's re-scan. Here each scan is kept with the digest of its
/// file's content (<see cref="FileDigests"/>, the digests the unit entries' checks take anyway) and taken back while
/// the file still has it; a file edited, or not in the store, is scanned as before and the store written anew with
/// exactly the scans this scan used. A scan of many files (the headers' assembler parts, which read every header and
/// assembly file of the tree) is kept the same way with one digest of all its files (<see cref="TryGetWhole"/>). The
/// store is a <see cref="Frame"/> (magic "PSLX"): a damaged or foreign one is no store. Scans are values: taken back
/// or made, detection reads the same.
/// </summary>
public sealed class LexicalScanStore : ILexicalScanStore
{
    /// <summary>Raise whenever the entry or a scan type changes shape.</summary>
    public const uint Version = 8;
    public const string Extension = ".lexical";
    private static ReadOnlySpan<byte> Magic => "PSLX"u8;

    /// <summary>The path of a scan of many files (<see cref="TryGetWhole"/>): no file's (a tree path is never empty); its digest is of them all.</summary>
    private const string WholePath = "";

    private readonly string _path;
    private readonly string _root;
    private readonly FileDigests _digests;
    private readonly Task<Dictionary<(string Rules, string Path), StoredScan>> _kept;
    private readonly ConcurrentDictionary<(string Rules, string Path), StoredScan> _used = new();
    private int _reused;
    private volatile bool _madeWhole;

    /// <summary>The store READ (<see cref="ReadAhead"/>) for the tree at ROOT; DIGESTS tell which files changed.</summary>
    public LexicalScanStore(Reading read, string root, FileDigests digests)
    {
        _path = read.Path;
        _root = root;
        _digests = digests;
        _kept = read.Kept;
    }

    /// <summary>
    /// The store at PATH, read and decoded on a pool thread from now on: a scan starts it before discovery, which the store
    /// waits for (the files' digests), so that it is read by the time the first cached unit's scans are taken back (a
    /// `.c` edit's re-scan of xnu-11417 waited ~0.13 s for it there). DECODED: a watch's stores, taken back from there
    /// while the file is unchanged.
    /// </summary>
    public static Reading ReadAhead(string path, DecodedStores? decoded = null) => new(path, Task.Run(() => Read(path, decoded)));

    /// <summary>A store's file being read (<see cref="ReadAhead"/>).</summary>
    public sealed class Reading
    {
        internal Reading(string path, Task<Dictionary<(string Rules, string Path), StoredScan>> kept) => (Path, Kept) = (path, kept);

        internal string Path { get; }

        internal Task<Dictionary<(string Rules, string Path), StoredScan>> Kept { get; }
    }

    /// <summary>Scans taken back so far.</summary>
    public int Reused => Volatile.Read(ref _reused);

    /// <summary>Scans made so far (not in the store, or their file changed).</summary>
    public int Made => _used.Count - Reused;

    public object? TryGet(string rules, string path)
    {
        return _kept.Result.TryGetValue((rules, path), out var stored) && _digests.Of(Path.Combine(_root, path)) == stored.Digest
            ? Taken((rules, path), stored)
            : null;
    }

    public object? TryGetWhole(string name, IReadOnlyList<string> files)
    {
        return _kept.Result.TryGetValue((name, WholePath), out var stored) && _digests.Combined(files) == stored.Digest
            ? Taken((name, WholePath), stored)
            : null;
    }

    /// <summary>STORED's scan, counted as taken back the first time this scan asks (a scan of a file is asked once per rules).</summary>
    private object Taken((string Rules, string Path) key, StoredScan stored)
    {
        if (_used.TryAdd(key, stored))
        {
            Interlocked.Increment(ref _reused);
        }
        return stored.Scan;
    }

    public void AddWhole(string name, IReadOnlyList<string> files, object scan)
    {
        // As for one file: a file that cannot be read now gives no digest, and the scan is made again next time.
        if (scan is AssemblerHeaders.Scan && _digests.Combined(files) is { } digest && _used.TryAdd((name, WholePath), new StoredScan(digest, scan)))
        {
            _madeWhole = true;
        }
    }

    public void Add(string rules, string path, object scan)
    {
        // A file that cannot be read now has no digest, and a scan of a type the store's JSON does not know cannot be
        // written: neither is kept (made again next time).
        if (scan is LexicalPageTableScan or CSourceScanner.Result or LexicalClassScan && _digests.Of(Path.Combine(_root, path)) is { } digest)
        {
            _used.TryAdd((rules, path), new StoredScan(digest, scan));
        }
    }

    /// <summary>
    /// Writes the scans this scan used (atomically: a concurrent scan reads the old store or this one), unless it is the
    /// store read with only a few scans made again (<see cref="Staleness"/>: those few are made again next time) and none
    /// of them a scan of many files: that one reads every header and assembly file of the tree (~0.2 s of each later
    /// `.c` edit's re-scan of xnu-11417 x86_64 after a header edit, until the store was written for other reasons).
    /// </summary>
    public void Save()
    {
        if (_kept.Result.Count > 0 && !_madeWhole && !Staleness.IsStale(Made, _used.Count))
        {
            return;
        }
        var rules = _used.Keys.Select(k => k.Rules).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = rules.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i, StringComparer.Ordinal);
        var entries = _used.OrderBy(e => e.Key.Rules, StringComparer.Ordinal).ThenBy(e => e.Key.Path, StringComparer.Ordinal)
            .Select(e => new LexicalScanEntry(index[e.Key.Rules], e.Key.Path, e.Value.Digest)
            {
                PageTables = e.Value.Scan as LexicalPageTableScan,
                CSource = e.Value.Scan as CSourceScanner.Result,
                Classes = e.Value.Scan as LexicalClassScan,
                AssemblerHeaders = e.Value.Scan as AssemblerHeaders.Scan,
            })
            .ToList();
        KeptFile.Write(_path, Magic, Version, new LexicalScanFile(rules, entries), LexicalScanJson.Default.LexicalScanFile);
    }

    private static Dictionary<(string Rules, string Path), StoredScan> Read(string path, DecodedStores? decoded) =>
        KeptFile.Read(path, Magic, Version, LexicalScanJson.Default.LexicalScanFile, Take, decoded: decoded) ?? [];

    /// <summary>The scans of FILE by rules' names and path; null when some part is missing (the file is no store).</summary>
    private static Dictionary<(string Rules, string Path), StoredScan>? Take(LexicalScanFile file)
    {
        if (file is not { Rules: { } rules, Entries: { } entries })
        {
            return null;
        }
        var kept = new Dictionary<(string Rules, string Path), StoredScan>();
        foreach (var entry in entries)
        {
            // Intact bytes of another writer can still lack a field (null, or an array never set): no part is trusted.
            object? scan = entry?.PageTables is { } pageTables && Whole(pageTables) ? pageTables
                : entry?.CSource is { } cSource && Whole(cSource) ? cSource
                : entry?.Classes is { } classes && Whole(classes) ? classes
                : entry?.AssemblerHeaders is { } headers && Whole(headers) ? headers
                : null;
            if (scan is null || entry!.Path is null || entry.Digest is null || entry.Rules < 0 || entry.Rules >= rules.Count || rules[entry.Rules] is null)
            {
                return null;
            }
            kept[(rules[entry.Rules], entry.Path)] = new StoredScan(entry.Digest, scan);
        }
        return kept;
    }

    private static bool Whole(LexicalPageTableScan scan) =>
        !scan.Candidates.IsDefault && !scan.Declarations.IsDefault && !scan.Typedefs.IsDefault
        && scan.Candidates.All(c => c is { Form: not null, Name: not null })
        && scan.Declarations.All(d => d is { Type: not null, Name: not null })
        && scan.Typedefs.All(t => t is { Name: not null, Target: not null });

    private static bool Whole(AssemblerHeaders.Scan scan) =>
        scan.Headers is not null && scan.Headers.All(h => h is { Relative: not null, Includers.IsDefault: false, Statements: not null }
            && h.Includers.All(i => i is not null) && h.Statements.All(s => s is not null && Whole(s.Statement)));

    private static bool Whole(AsmStatement? statement) =>
        statement is { Text: not null, MacroParameters.IsDefault: false, Conditions.IsDefault: false };

    private static bool Whole(CSourceScanner.Result scan) =>
        !scan.Statements.IsDefault && scan.AsmMacros is not null && !scan.Calls.IsDefault && scan.StringMacros is not null
        && scan.Statements.All(Whole)
        && scan.Calls.All(c => c is { Name: not null, Arguments.IsDefault: false, Conditions.IsDefault: false });

    private static bool Whole(LexicalClassScan scan) =>
        !scan.Classes.IsDefault && scan.Classes.All(c => c is { Name: not null, Superclass: not null, File: not null });

    internal sealed record StoredScan(string Digest, object Scan);
}

/// <summary>The store's JSON: the rules' names once, then each file's scan under the index of the names it was made with.</summary>
internal sealed record LexicalScanFile(List<string> Rules, List<LexicalScanEntry> Entries);

internal sealed record LexicalScanEntry(int Rules, string Path, string Digest)
{
    public LexicalPageTableScan? PageTables { get; init; }
    public CSourceScanner.Result? CSource { get; init; }
    public LexicalClassScan? Classes { get; init; }
    /// <summary>A scan of many files (its path empty): the headers' assembler parts (<see cref="Detectors.Instructions.AssemblerHeaders"/>).</summary>
    public AssemblerHeaders.Scan? AssemblerHeaders { get; init; }
}

/// <summary>A file's declarations packed: [type, name, pointers, array, function id] each.</summary>
internal sealed class LexicalDeclarationsPacked : LeanReading.PackedRowsConverter<LexicalDeclaration>
{
    protected override int Width => 5;

    protected override void Pack(ref LeanReading.RowPacker row, LexicalDeclaration value)
    {
        row.String(value.Type);
        row.String(value.Name);
        row.Int(value.Pointers);
        row.Bool(value.Array);
        row.Int(value.FunctionId);
    }

    protected override LexicalDeclaration Unpack(ref LeanReading.RowUnpacker row) =>
        new(row.String(), row.String(), row.Byte(), row.Bool(), row.Int());
}

/// <summary>A file's store candidates packed, their members in the record's order.</summary>
internal sealed class LexicalStoreCandidatesPacked : LeanReading.PackedRowsConverter<LexicalStoreCandidate>
{
    protected override int Width => 11;

    protected override void Pack(ref LeanReading.RowPacker row, LexicalStoreCandidate value)
    {
        row.Int(value.Line);
        row.Int(value.Column);
        row.Int(value.EndColumn);
        row.Int((int)value.Kind);
        row.String(value.Form);
        row.Int((int)value.Shape);
        row.String(value.Name);
        row.String(value.Callee);
        row.Int(value.FunctionId);
        row.String(value.Function);
        row.String(value.Condition);
    }

    protected override LexicalStoreCandidate Unpack(ref LeanReading.RowUnpacker row) =>
        new(row.Int(), row.Int(), row.Int(), (PageTableKind)row.Int(), row.String(), (LexicalShape)row.Int(), row.String(), row.NullableString(),
            row.Int(), row.NullableString(), row.NullableString());
}

// Strings through LeanReading's converter: the store's file writes them in a table (KeptFile), each once. Declarations
// and store candidates packed (the store of xnu-11417 x86_64 holds 190,934 declarations and 65,891 candidates: as
// objects the declarations alone were 0.48 s of CPU per re-scan), typedef pairs as rows.
[JsonSourceGenerationOptions(IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(LeanReading.StringConverter), typeof(LexicalDeclarationsPacked), typeof(LexicalStoreCandidatesPacked),
        typeof(LeanReading.StringPairConverter)])]
[JsonSerializable(typeof(LexicalScanFile))]
// Packed arrays written without a table (a test's plain JSON) are their records' arrays.
[JsonSerializable(typeof(LexicalDeclaration[]))]
[JsonSerializable(typeof(LexicalStoreCandidate[]))]
internal sealed partial class LexicalScanJson : JsonSerializerContext;
