using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// The XNU profile's discovery of a tree (its units and their flags, the configurations' and boards' variants, the
/// in-memory repairs), kept in the tree's cache folder for the next scan with what it was made from, and taken back while
/// all of that holds: the same request and build, the same file listing, every file discovery read (<see cref="ReadLog"/>)
/// with the size and time it had or, under a new time, its content (a fresh clone, a touch), every source it only scanned
/// either unchanged (in time or content) or scanning to the same
/// <see cref="SourceScan"/> (so that an edit of a function's body, which changes no include, no conditional and no name
/// the scans collect, keeps it), every existence check and folder listing discovery made answering as it did (a link or an
/// empty folder the tree's listing does not show: <see cref="Probe"/>, <see cref="FolderListing"/>), and the stand-in
/// folders as discovery left them. A re-scan after a `.c` edit of
/// xnu-11417 spent most of a second on a discovery that came out the same.
/// Like the whole-scan entry (Caching/TreeSnapshot) it trusts that a file does not change without its size or time
/// changing; it is kept only from a settled snapshot. A missing, damaged or foreign memo is none.
/// </summary>
internal sealed class DiscoveryMemo
{
    /// <summary>The memo's file name in the tree's cache folder (its first arch's).</summary>
    public const string FileName = "discovery.kept";
    /// <summary>Raise whenever the memo or what it keeps changes shape.</summary>
    public const uint Version = 4;
    private static ReadOnlySpan<byte> Magic => "PSDM"u8;

    // The memos discovery keeps in the same folders: each is checked by its own rules and may change without a stand-in changing.
    private static readonly HashSet<string> Memos = new(StringComparer.Ordinal) { FileName, SourceScans.FileName, MigMemo.FileName };

    private readonly string _path;
    private readonly string _root;
    private readonly string _identity;
    private readonly ImmutableArray<string> _folders;

    /// <param name="path">The memo's file.</param>
    /// <param name="root">The tree's root (absolute, no trailing '/').</param>
    /// <param name="identity">Everything besides the tree that discovery's result depends on (<see cref="IdentityOf"/>).</param>
    /// <param name="folders">The stand-in folders discovery writes (one per arch).</param>
    /// <param name="keptDigest">A file's digest kept by an earlier scan under a stamp (<see cref="DiscoveryRequest.KeptDigest"/>), or none.</param>
    public DiscoveryMemo(string path, string root, string identity, ImmutableArray<string> folders, Func<string, FileStamp, string?>? keptDigest = null)
    {
        _path = path;
        _root = root;
        _identity = identity;
        _folders = folders;
        _keptDigest = keptDigest;
    }

    private readonly Func<string, FileStamp, string?>? _keptDigest;

    /// <summary>The request's fields that change what discovery finds (not the tree's files, which the memo checks one by one).</summary>
    public static string IdentityOf(DiscoveryRequest request, string root) => string.Join('\n',
        root, string.Join(',', request.Arches), request.Profile ?? "-", request.CacheDirectory, request.ResourceDirectory ?? "-",
        request.ClangMajorVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
        request.Configurations is { } configurations ? "[" + string.Join(',', configurations) + "]" : "-", request.MachineConfig ?? "-",
        request.Boards is { } boards ? "[" + string.Join(',', boards) + "]" : "-");

    /// <summary>
    /// The kept discovery when it holds for the tree SNAPSHOT shows, else null. A kept memo whose sources were written
    /// since (scanning the same) is written again with their new times when many were (<see cref="Staleness"/>).
    /// </summary>
    public DiscoveryResult? TryTake(TreeStamps snapshot)
    {
        var kept = MemoFile.ReadFile(_path, Magic, Version, DiscoveryMemoJson.Default.KeptDiscovery, Whole);
        if (kept is null || kept.Identity != _identity || kept.Listing != snapshot.ListingDigest)
        {
            return null;
        }
        // A file with a new time but its content (a fresh clone, a checkout back and forth, a touch) reads the same.
        var reread = new List<KeptRead>();
        foreach (var read in kept.Reads)
        {
            if (snapshot.StampOf(read.Relative) is not { } stamp)
            {
                return null;
            }
            if (stamp == new FileStamp(read.Size, read.Ticks))
            {
                continue;
            }
            if (read.Digest is null || DigestNow(Path.Combine(_root, read.Relative), stamp) != read.Digest)
            {
                return null;
            }
            reread.Add(read with { Size = stamp.Size, Ticks = stamp.Ticks });
        }
        var rescanned = new List<KeptScan>();
        foreach (var scan in kept.Scans)
        {
            if (snapshot.StampOf(scan.Relative) is not { } stamp)
            {
                return null;
            }
            if (stamp == new FileStamp(scan.Size, scan.Ticks))
            {
                continue;
            }
            // The same content reads the same; other content (an edit) holds while it scans to what discovery learned.
            var path = Path.Combine(_root, scan.Relative);
            var digest = DigestNow(path, stamp);
            if ((digest is null || digest != scan.Digest) && Learned(path) != scan.Learned)
            {
                return null;
            }
            rescanned.Add(scan with { Size = stamp.Size, Ticks = stamp.Ticks, Digest = digest });
        }
        if (!StandIns().SequenceEqual(kept.StandIns)
            || kept.Probes.Any(probe => Probe.Now(probe.Kind, probe.Path) != probe.What)
            || kept.Listings.Any(listing => FolderListing.DigestNow(listing.Folder, listing.Pattern) != listing.Digest))
        {
            return null;
        }
        if (snapshot.Settled && Staleness.IsStale(rescanned.Count + reread.Count, kept.Scans.Count + kept.Reads.Count))
        {
            var scansNow = rescanned.ToDictionary(s => s.Relative, StringComparer.Ordinal);
            var readsNow = reread.ToDictionary(r => r.Relative, StringComparer.Ordinal);
            Write(kept with
            {
                Reads = [.. kept.Reads.Select(r => readsNow.GetValueOrDefault(r.Relative, r))],
                Scans = [.. kept.Scans.Select(s => scansNow.GetValueOrDefault(s.Relative, s))],
            });
        }
        return kept.Result.ToResult();
    }

    /// <summary>
    /// Keeps RESULT, made from what LOG noted while it was made (the sources in it scanned by SCANS), unless something it
    /// read cannot be checked next time: a file outside the tree and the stand-in folders, a file the snapshot does not
    /// list, or a snapshot taken while files were being written.
    /// </summary>
    public void Keep(DiscoveryResult result, ReadLog log, SourceScans scans, TreeStamps snapshot)
    {
        if (!snapshot.Settled || result.Error is not null)
        {
            return;
        }
        var reads = new List<KeptRead>();
        foreach (var path in log.Read.Order(StringComparer.Ordinal))
        {
            if (InStandIns(path))
            {
                // A stand-in (or a memo) read back: the folders' listing below checks them.
                continue;
            }
            if (snapshot.RelativeOf(path) is not { } relative || snapshot.StampOf(relative) is not { } stamp)
            {
                return;
            }
            reads.Add(new KeptRead(relative, stamp.Size, stamp.Ticks) { Digest = DigestNow(path, stamp) });
        }
        var kept = new List<KeptScan>();
        var scanned = scans.Digests();
        foreach (var path in log.Scanned.Order(StringComparer.Ordinal))
        {
            if (snapshot.RelativeOf(path) is not { } relative || snapshot.StampOf(relative) is not { } stamp)
            {
                return;
            }
            // The digest of the bytes scanned, as long as the file still has the snapshot's stamp (so those bytes were its content then).
            var digest = scanned.GetValueOrDefault(path) is { } bytes && FileStamp.Of(path) == stamp ? bytes : null;
            kept.Add(new KeptScan(relative, stamp.Size, stamp.Ticks, LearnedFrom(scans.Of(path))) { Digest = digest });
        }
        // The stand-in folders' own probes and listings are checked by the folders' listing; a file the snapshot lists (a
        // regular file, not a link) found there is found there while the listing holds, which the memo checks first.
        var probes = log.Probed.Where(p => !InStandIns(p.Key.Path) && !(snapshot.Lists(p.Key.Path) && p.Value is Probe.Yes or nameof(FileKind.Regular)))
            .Select(p => new KeptProbe(p.Key.Kind, p.Key.Path, p.Value))
            .OrderBy(p => p.Path, StringComparer.Ordinal).ThenBy(p => p.Kind).ToList();
        var listings = log.Listed.Where(l => !InStandIns(l.Key.Folder)).Select(l => new KeptListing(l.Key.Folder, l.Key.Pattern, l.Value))
            .OrderBy(l => l.Folder, StringComparer.Ordinal).ThenBy(l => l.Pattern, StringComparer.Ordinal).ToList();
        Write(new KeptDiscovery(MemoFile.Build, _identity, snapshot.ListingDigest, reads, kept, StandIns(), KeptResult.Of(result))
        {
            Probes = probes,
            Listings = listings,
        });
    }

    private void Write(KeptDiscovery kept) =>
        MemoFile.Write(_path, Magic, Version, kept, DiscoveryMemoJson.Default.KeptDiscovery);

    private bool InStandIns(string path) => _folders.Any(folder => path == folder || Under(path, folder));

    private static bool Under(string path, string folder) =>
        path.Length > folder.Length + 1 && path.StartsWith(folder, StringComparison.Ordinal) && path[folder.Length] == '/';

    /// <summary>Every file of the stand-in folders but the memos, with its size and time, in order.</summary>
    private List<KeptStandIn> StandIns() =>
        [.. _folders.Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            .Where(path => !Memos.Contains(Path.GetFileName(path)))
            .Order(StringComparer.Ordinal)
            .Select(path => FileStamp.Of(path) is { } stamp ? new KeptStandIn(path, stamp.Size, stamp.Ticks) : new KeptStandIn(path, -1, 0))];

    /// <summary>
    /// The digest of PATH's content (<see cref="RegularFiles.DigestOf(string)"/>, as <see cref="SourceScans"/> digests),
    /// when it still has STAMP after its read (the snapshot's: then the content was the snapshot's throughout, and content
    /// read while the file is written vouches for nothing). Null otherwise, or when it cannot be read. A digest an earlier
    /// scan kept under STAMP is taken back unread (the same trust in a stamp as a memo's unchanged file).
    /// </summary>
    private string? DigestNow(string path, FileStamp stamp)
    {
        if (_keptDigest?.Invoke(path, stamp) is { } kept)
        {
            return kept;
        }
        try
        {
            return RegularFiles.DigestOf(path) is var digest && FileStamp.Of(path) == stamp ? digest : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What discovery learns of the file at PATH now (a digest of its <see cref="SourceScan"/>).</summary>
    private static string Learned(string path)
    {
        try
        {
            return LearnedFrom(SourceScan.Of(path, RegularFiles.ReadAllText(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return LearnedFrom(null);
        }
    }

    private static string LearnedFrom(SourceScan? scan) =>
        scan is null ? "unreadable" : Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(scan, DiscoveryMemoJson.Default.SourceScan)));

    private static bool Whole(KeptDiscovery kept) =>
        kept is
        {
            Build: { } build, Identity: not null, Listing: not null, Reads: not null, Scans: not null, StandIns: not null, Result: { } result,
            Probes: not null, Listings: not null
        }
        && build == MemoFile.Build
        && kept.Probes.All(p => p is { Path: not null, What: not null } && Enum.IsDefined(p.Kind))
        && kept.Listings.All(l => l is { Folder: not null, Pattern: not null, Digest: not null })
        && kept.Reads.All(r => r?.Relative is not null) && kept.Scans.All(s => s is { Relative: not null, Learned: not null })
        && kept.StandIns.All(s => s?.Path is not null) && result.IsWhole();
}

internal sealed record KeptDiscovery(string Build, string Identity, string Listing, List<KeptRead> Reads, List<KeptScan> Scans,
    List<KeptStandIn> StandIns, KeptResult Result)
{
    /// <summary>Every existence check discovery made outside the stand-in folders, with its answer (a folder or link the listing does not show).</summary>
    public List<KeptProbe> Probes { get; init; } = [];
    /// <summary>Every folder discovery listed outside the stand-in folders, with its listing's digest.</summary>
    public List<KeptListing> Listings { get; init; } = [];
}

/// <summary>An existence check and its answer (<see cref="Probe"/>).</summary>
internal sealed record KeptProbe(ProbeKind Kind, string Path, string What);

/// <summary>A folder listed for a pattern, and the digest of what it listed (<see cref="FolderListing"/>).</summary>
internal sealed record KeptListing(string Folder, string Pattern, string Digest);

/// <summary>A file discovery read, root-relative, with the size and time it had.</summary>
internal sealed record KeptRead(string Relative, long Size, long Ticks)
{
    /// <summary>Its content's digest (null: not known, so only its size and time vouch for it).</summary>
    public string? Digest { get; init; }
}

/// <summary>A source discovery only scanned, root-relative, with the size and time it had and the digest of its scan.</summary>
internal sealed record KeptScan(string Relative, long Size, long Ticks, string Learned)
{
    /// <summary>Its content's digest (null: not known; a new time is then checked by scanning it again).</summary>
    public string? Digest { get; init; }
}

/// <summary>A stand-in discovery left (absolute path), with its size and time.</summary>
internal sealed record KeptStandIn(string Path, long Size, long Ticks);

/// <summary>
/// The XNU profile's <see cref="DiscoveryResult"/> as kept (the inventory and the content digests are the scan's own).
/// The units' flags are kept once per distinct list (ARGUMENTLISTS), each unit naming its list by index: a tree's units
/// share a few dozen (23 among xnu-11417's 1,079), and each taken back shares its list with the others, so that reading the
/// memo makes a few dozen lists, not one per unit (~370,000 strings placed for xnu-11417's 1,856 units and variants), and
/// the result cache digests each list once (<see cref="Caching.ResultCache.KeyOf"/>).
/// </summary>
internal sealed record KeptResult(string Profile, List<string[]> ArgumentLists, List<KeptUnit> Units, List<KeptUnit> Variants, List<string> Warnings,
    List<MachineConfig> MachineConfigs, Dictionary<string, string> Overlays, Dictionary<string, string> OverlayRepairs, List<string> Configurations,
    List<string> Platforms)
{
    public static KeptResult Of(DiscoveryResult result)
    {
        var lists = new List<string[]>();
        var indexes = new Dictionary<ImmutableArray<string>, int>(SameArguments.Instance);
        List<KeptUnit> Kept(ImmutableArray<SourceUnit> units) => [.. units.Select(unit =>
        {
            if (!indexes.TryGetValue(unit.Arguments, out var index))
            {
                index = lists.Count;
                indexes.Add(unit.Arguments, index);
                lists.Add([.. unit.Arguments]);
            }
            return new KeptUnit(unit with { Arguments = [] }, index);
        })];
        var units = Kept(result.Units);
        var variants = Kept(result.Variants);
        return new(result.Profile, lists, units, variants, [.. result.Warnings],
            [.. result.MachineConfigs], new(result.Overlays, StringComparer.Ordinal), new(result.OverlayRepairs, StringComparer.Ordinal),
            [.. result.Configurations], [.. result.Platforms]);
    }

    public DiscoveryResult ToResult()
    {
        ImmutableArray<string>[] lists = [.. ArgumentLists.Select(ImmutableCollectionsMarshal.AsImmutableArray)];
        ImmutableArray<SourceUnit> Taken(List<KeptUnit> units) => [.. units.Select(kept => kept.Unit with { Arguments = lists[kept.Arguments] })];
        return new(Profile, Taken(Units), [.. Warnings])
        {
            MachineConfigs = [.. MachineConfigs],
            Overlays = Overlays.ToImmutableSortedDictionary(StringComparer.Ordinal),
            OverlayRepairs = OverlayRepairs.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Variants = Taken(Variants),
            Configurations = [.. Configurations],
            Platforms = [.. Platforms],
        };
    }

    public bool IsWhole() =>
        Profile is not null && ArgumentLists is not null && Units is not null && Variants is not null && Warnings is not null && MachineConfigs is not null
        && Overlays is not null && OverlayRepairs is not null && Configurations is not null && Platforms is not null
        && ArgumentLists.All(list => list is not null && list.All(a => a is not null))
        && Units.Concat(Variants).All(kept => kept is { Unit: { Path: not null, RelativePath: not null, Arch: not null, Subsystem: not null, Origin: not null } u }
            && kept.Arguments >= 0 && kept.Arguments < ArgumentLists.Count && !u.OwnOptions.IsDefault && !u.SameConfigurations.IsDefault
            && !u.Platforms.IsDefault)
        && MachineConfigs.All(m => m is { Arch: not null, Name: not null, Source: not null } && !m.Defines.IsDefault && !m.Known.IsDefault)
        && Warnings.All(w => w is not null) && Configurations.All(c => c is not null) && Platforms.All(p => p is not null);

    /// <summary>Lists of flags equal string for string.</summary>
    private sealed class SameArguments : IEqualityComparer<ImmutableArray<string>>
    {
        public static readonly SameArguments Instance = new();

        public bool Equals(ImmutableArray<string> x, ImmutableArray<string> y) => x.AsSpan().SequenceEqual(y.AsSpan());

        public int GetHashCode(ImmutableArray<string> list)
        {
            var hash = new HashCode();
            foreach (var argument in list)
            {
                hash.Add(argument);
            }
            return hash.ToHashCode();
        }
    }
}

/// <summary>A kept unit: its fields but its flags, and the index of its flags in <see cref="KeptResult.ArgumentLists"/>.</summary>
internal sealed record KeptUnit(SourceUnit Unit, int Arguments);

// Strings written once each in the file's table.
[JsonSourceGenerationOptions(Converters = [typeof(LeanReading.StringConverter), typeof(LeanReading.StringArrayConverter)])]
[JsonSerializable(typeof(KeptDiscovery))]
[JsonSerializable(typeof(SourceScan))]
internal sealed partial class DiscoveryMemoJson : JsonSerializerContext;
