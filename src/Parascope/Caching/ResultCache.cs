using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Facts;
using Parascope.Files;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Caching;

/// <summary>What a scan did with the result cache.</summary>
public sealed record ResultCacheStatistics(int Hits, int Misses, int Stored, int Rejected, int Evicted)
{
    /// <summary>Of the hits, the units taken from the pack of the tree's last scan (<see cref="UnitFactsPack"/>).</summary>
    public int Packed { get; init; }
    /// <summary>Of the hits, the variant units taken from their configuration group's pack (<see cref="ConfigurationGroupStore.PackPathOf"/>).</summary>
    public int GroupPacked { get; init; }
}

/// <summary>
/// Each unit's extracted facts on disk, outside the scanned tree, in the manner of ccache's direct mode: an entry
/// is found by the unit's lookup key (its path, arch, exact flags and everything discovery set on it, the rules, the
/// libclang and Parascope's build) and holds the list of every file the unit read with one digest of their contents.
/// It is used only when those files, digested now, give the same digest: editing a header invalidates the units that
/// read it and only those. An entry that is truncated, corrupt, of another codec version or stored under another key
/// counts as absent and is rebuilt. Entries are written to a temporary file and renamed into place, so scans that
/// share the folder never see half an entry; the folder is kept under a size bound by evicting the entries used
/// least recently (a hit refreshes an entry's time).
/// </summary>
public sealed class ResultCache
{
    /// <summary>Where entries live under the cache folder (other things there, such as XNU stand-ins, are not entries).</summary>
    public const string EntriesFolder = "results";
    /// <summary>Default bound of the entries' total size.</summary>
    public const long DefaultMaxBytes = 2L * 1024 * 1024 * 1024;
    private const string Extension = ".facts";

    private readonly string _entries;
    private readonly byte[] _saltLine;
    /// <summary>Each unit's key, taken once however many times it is asked (looked up, then kept).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SourceUnit, string> _keys = new();
    private readonly FileDigests _digests;
    private int _hits, _misses, _stored, _rejected, _groupPacked;

    /// <param name="folder">The cache folder (the user's cache folder by default, never inside a scanned tree).</param>
    /// <param name="scanIdentity">What every unit's facts depend on besides the unit: rules digest, libclang version.</param>
    /// <param name="pack">The own units' facts of the last scan of this tree with this request, looked in before the entries.</param>
    public ResultCache(string folder, string scanIdentity, FileDigests digests, long maxBytes = DefaultMaxBytes, UnitFactsPack? pack = null)
    {
        Folder = folder;
        _entries = Path.Combine(folder, EntriesFolder, "v" + UnitFactsCodec.Version);
        _saltLine = Encoding.UTF8.GetBytes(scanIdentity + "\n" + BuildIdentity + "\n");
        _digests = digests;
        MaxBytes = maxBytes;
        Pack = pack;
    }

    public string Folder { get; }
    public long MaxBytes { get; }
    public UnitFactsPack? Pack { get; }

    /// <summary>Parascope's version and the identity of this build of the engine and binding (a rebuilt collector makes other facts).</summary>
    public static string BuildIdentity { get; } =
        $"{typeof(ResultCache).Assembly.GetName().Version} {typeof(ResultCache).Assembly.ManifestModule.ModuleVersionId} " +
        $"{typeof(Clang.TranslationUnit).Assembly.ManifestModule.ModuleVersionId}";

    public ResultCacheStatistics Statistics(int evicted = 0) =>
        new(Volatile.Read(ref _hits), Volatile.Read(ref _misses), Volatile.Read(ref _stored), Volatile.Read(ref _rejected), evicted)
        {
            Packed = Pack?.Taken ?? 0,
            GroupPacked = Volatile.Read(ref _groupPacked),
        };

    /// <summary>The lookup key of UNIT: its path, arch, language, flags and every other field discovery set, with the scan's identity.</summary>
    public string KeyOf(SourceUnit unit) => _keys.GetValue(unit, u =>
    {
        // The SHA-256 of the salt, a newline and the unit's JSON, in UTF-8: hashed as written, not joined into one string
        // first (a unit's flags run to kilobytes; every unit's key is taken on each re-scan, and again to keep it).
        // The flags, the bulk of it, by their own digest: a tree's units share a few dozen lists of flags (23 among
        // xnu-11417's 1,079 units; a kept discovery hands them out shared), each digested once.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(_saltLine);
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(u with { Arguments = [] }, SourceUnitJson.Default.SourceUnit));
        hash.AppendData(ArgumentsDigest(u.Arguments));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    });

    /// <summary>The digest of a unit's flags, as their JSON; kept with the list itself, which units share.</summary>
    private static byte[] ArgumentsDigest(ImmutableArray<string> arguments) =>
        ArgumentDigests.GetValue(ImmutableCollectionsMarshal.AsArray(arguments) ?? [],
            list => SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(ImmutableCollectionsMarshal.AsImmutableArray(list), SourceUnitJson.Default.ImmutableArrayString)));

    private static readonly ConditionalWeakTable<string[], byte[]> ArgumentDigests = new();

    private string PathOf(string key) => Path.Combine(_entries, key[..2], key + Extension);

    /// <summary>
    /// UNIT's facts from its entry when every file its manifest names is unchanged; null otherwise. Their paths and names
    /// are STRINGS' (units read back name the same headers and functions as hundreds of others). Looked for first in
    /// PACK (a configuration group's), else in the own units' <see cref="Pack"/>.
    /// </summary>
    public ParsedUnit? TryLoad(SourceUnit unit, SharedStrings? strings = null, UnitFactsPack? pack = null)
    {
        var key = KeyOf(unit);
        pack ??= Pack;
        // A unit the pack holds stale (parsed again since it was written) has its newer facts in its entry.
        if (pack?.TryGet(key) is { } packed)
        {
            if (Current(packed, unit) is { } fromPack)
            {
                pack.Took();
                if (pack != Pack)
                {
                    Interlocked.Increment(ref _groupPacked);
                }
                Interlocked.Increment(ref _hits);
                return fromPack;
            }
            pack.Forget(key);
        }
        var path = PathOf(key);
        byte[] frame;
        try
        {
            // Asked first: a miss is a unit parsed now, and the first exception a process throws costs ~30 ms (its
            // machinery is set up then), more than a re-scan's edited unit takes to parse on a small tree.
            if (!File.Exists(path))
            {
                Interlocked.Increment(ref _misses);
                return null;
            }
            frame = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _misses);
            return null;
        }
        var record = UnitFactsCodec.Decode(frame, strings);
        if (record is null || record.Key != key || record.ManifestDigest is null)
        {
            return Rejected();
        }
        if (Current(record, unit) is not { } parsed)
        {
            Interlocked.Increment(ref _misses);
            return null;
        }
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Evicted by another scan meanwhile: the facts read are still whole.
        }
        Interlocked.Increment(ref _hits);
        return parsed;

        ParsedUnit? Rejected()
        {
            Interlocked.Increment(ref _rejected);
            Interlocked.Increment(ref _misses);
            return null;
        }
    }

    /// <summary>
    /// UNIT's facts in RECORD when every file its manifest names still has its content and no header it missed is there
    /// now (<see cref="MissingHeaders"/>); null otherwise.
    /// </summary>
    private ParsedUnit? Current(UnitFactsRecord record, SourceUnit unit) =>
        // Checked before the facts are taken out: after a header edit most entries a scan reads are stale.
        record.ManifestDigest is { } digest && _digests.Combined(record.Dependencies) == digest
        && (!record.Errors.Any(ParsedUnit.IsFatal) || MissingHeaders.Candidates(unit, record.Errors) is { } missing && MissingHeaders.NoneThere(missing))
            ? record.ToParsedUnit(unit)
            : null;

    /// <summary>
    /// Keeps UNIT's facts. Not kept: failed units (a crash or a timeout may not recur) and units with a fatal error other
    /// than a missing header, or a missing header whose lookup this cannot check (<see cref="MissingHeaders"/>): a
    /// unit that stopped at a missing header is taken back only while no file is where the header would be found (the
    /// paths are checked on each look-up; a missing file is in no manifest). Assembly units are
    /// kept: libclang preprocesses them (their skipped lines decide which statements are active), and their manifest
    /// holds every header that preprocessing read.
    /// </summary>
    public void Store(ParsedUnit unit)
    {
        if (Keeping(unit) is not var (key, manifestDigest) || UnitFactsCodec.Encode(unit, key, manifestDigest) is not { } frame)
        {
            return;
        }
        if (Frame.WriteFile(PathOf(key), frame))
        {
            Interlocked.Increment(ref _stored);
        }
    }

    /// <summary>
    /// Writes PACK (the own units' <see cref="Pack"/> unless another is named) again from UNITS (its stage's units,
    /// parsed or taken back) when it is stale (<see cref="UnitFactsPack.IsStale"/>), with the units an entry would keep
    /// (<see cref="Store"/>); false when it was not written.
    /// </summary>
    public bool WritePack(IReadOnlyList<ParsedUnit> units, UnitFactsPack? pack = null) =>
        (pack ?? Pack) is { } written && written.IsStale(units.Count)
        && written.Write(units.Select(unit => (Unit: unit, Kept: Keeping(unit))).Where(u => u.Kept is not null)
            .Select(u => (u.Unit, u.Kept!.Value.Key, u.Kept.Value.ManifestDigest)));

    /// <summary>UNIT's lookup key and manifest digest when its facts may be kept (see <see cref="Store"/>); null otherwise.</summary>
    private (string Key, string ManifestDigest)? Keeping(ParsedUnit unit) =>
        unit.Status == UnitStatus.Failed || unit.HasFatal && MissingHeaders.Candidates(unit.Unit, unit.Errors) is null
        || _digests.Combined(unit.Dependencies) is not { } manifestDigest
            ? null
            : (KeyOf(unit.Unit), manifestDigest);

    /// <summary>Deletes the least recently used entries until the rest fit in <see cref="MaxBytes"/>; the number deleted.</summary>
    public int Trim() => Trim(Folder, MaxBytes);

    public static int Trim(string folder, long maxBytes)
    {
        // Sizes and times are read once: another scan may delete or replace an entry meanwhile.
        var entries = new List<(FileInfo File, long Length, DateTime Used)>();
        foreach (var entry in Entries(folder))
        {
            try
            {
                entries.Add((entry, entry.Length, entry.LastWriteTimeUtc));
            }
            catch (IOException)
            {
                // Gone already.
            }
        }
        var total = entries.Sum(e => e.Length);
        var evicted = 0;
        foreach (var (file, length, _) in entries.OrderBy(e => e.Used))
        {
            if (total <= maxBytes)
            {
                break;
            }
            try
            {
                file.Delete();
                evicted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another scan's to delete.
            }
            total -= length;
        }
        return evicted;
    }

    /// <summary>Every entry file under FOLDER (all codec versions), stale temporary files too.</summary>
    private static IEnumerable<FileInfo> Entries(string folder)
    {
        var root = new DirectoryInfo(Path.Combine(folder, EntriesFolder));
        if (!root.Exists)
        {
            return [];
        }
        try
        {
            return root.EnumerateFiles("*", SearchOption.AllDirectories).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>What FOLDER holds: entries, their total size, the oldest and newest use.</summary>
    public static ResultCacheInfo Info(string folder)
    {
        var all = Entries(folder).Where(e => e.Exists).ToList();
        var entries = all.Where(e => e.Name.EndsWith(Extension, StringComparison.Ordinal)).ToList();
        var scans = all.Where(e => e.Name.EndsWith(WholeScanCache.Extension, StringComparison.Ordinal)).ToList();
        // What is kept beside each whole-scan entry counts with it: its graph, its lexical scans, its configuration groups, its units' pack.
        string[] beside = [WholeScanCache.GraphExtension, LexicalScanStore.Extension, ConfigurationGroupStore.Extension, UnitFactsPack.Extension,
            KeptDigests.Extension];
        var graphs = all.Where(e => beside.Any(extension => e.Name.EndsWith(extension, StringComparison.Ordinal))).ToList();
        var standIns = Directory.Exists(folder)
            ? Directory.EnumerateDirectories(folder, "xnu-*").Count()
            : 0;
        return new ResultCacheInfo(folder, entries.Count, entries.Sum(e => e.Length),
            entries.Count == 0 ? null : entries.Min(e => e.LastWriteTimeUtc),
            entries.Count == 0 ? null : entries.Max(e => e.LastWriteTimeUtc),
            standIns)
        {
            Scans = scans.Count,
            ScanBytes = scans.Sum(e => e.Length) + graphs.Sum(e => e.Length),
        };
    }

    /// <summary>Deletes every result entry and the XNU stand-in folders under FOLDER (and nothing else); what it deleted.</summary>
    public static ResultCacheInfo Clear(string folder)
    {
        var info = Info(folder);
        var entries = Path.Combine(folder, EntriesFolder);
        if (Directory.Exists(entries))
        {
            Directory.Delete(entries, recursive: true);
        }
        if (Directory.Exists(folder))
        {
            foreach (var standIns in Directory.EnumerateDirectories(folder, "xnu-*"))
            {
                Directory.Delete(standIns, recursive: true);
            }
        }
        return info;
    }
}

/// <summary>The contents of a cache folder: result entries and XNU stand-in folders.</summary>
public sealed record ResultCacheInfo(string Folder, int Entries, long Bytes, DateTime? OldestUse, DateTime? NewestUse, int StandInFolders)
{
    /// <summary>Whole-scan results (<see cref="WholeScanCache"/>) and their size with their call graphs'.</summary>
    public int Scans { get; init; }
    public long ScanBytes { get; init; }
}

/// <summary>A unit's fields in its cache key, from source-generated metadata (reflection cost ~0.3 s of a re-scan of xnu-11417).</summary>
[JsonSerializable(typeof(SourceUnit))]
internal sealed partial class SourceUnitJson : JsonSerializerContext;
