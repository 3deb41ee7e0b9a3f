using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Caching;

/// <summary>
/// What the detection of each configuration or board group gave (the variant units of one configuration, parsed and
/// detected apart: ScanPipeline.VariantSites), kept beside the whole-scan entry for the next scan of the same
/// tree with the same request. A `.c` edit's re-scan of xnu-11417 x86_64 decoded the 756 variant units' facts and ran
/// every detector over each of its three groups again (3.5 of its 10.5 s) though most edits touch no file a variant
/// reads. A group is taken back while it has the same units with the same flags (their cache keys, in order), the tree
/// lists the same files, and every file its detection read has the content it had: the files its units read (their
/// dependencies, as each unit entry's check takes them) and the headers and assembly files the instruction detector
/// reads of the whole tree (<see cref="Detectors.Instructions.AssemblerHeaders.FilesRead"/>). Detection is a function
/// of these, so a group taken back is the group detected again. A group with a unit that failed or stopped at a missing
/// file is not kept (its parse may come out otherwise next time): a unit entry of such a unit checks where the header
/// would be found (<see cref="MissingHeaders"/>), the group does not, and is detected again (its units taken from their
/// entries). The store is a
/// <see cref="Frame"/> (magic "PSVG"): a damaged or foreign one is no store.
/// </summary>
public sealed class ConfigurationGroupStore
{
    /// <summary>Raise whenever the entry or any type of <see cref="Finding"/> changes shape.</summary>
    public const uint Version = 4;
    public const string Extension = ".groups";
    private static ReadOnlySpan<byte> Magic => "PSVG"u8;

    private readonly string _path;
    private readonly FileDigests _digests;
    private readonly Task<Dictionary<string, ConfigurationGroupEntry>> _kept;
    private readonly ConcurrentDictionary<string, ConfigurationGroupEntry> _used = new(StringComparer.Ordinal);
    private int _reused;

    /// <summary>
    /// The store at PATH, read on a pool thread meanwhile the scan starts (taken back from DECODED, a watch's stores, while
    /// the file is unchanged); DIGESTS tell which files changed.
    /// </summary>
    public ConfigurationGroupStore(string path, FileDigests digests, DecodedStores? decoded = null)
    {
        _path = path;
        _digests = digests;
        _kept = Task.Run(() => Read(path, decoded));
    }

    /// <summary>
    /// Where GROUP's units' facts are packed beside the store (<see cref="UnitFactsPack"/>): a group detected again (an
    /// edit of a file it reads) reads back hundreds of unchanged units, each from an entry of its own before (about half
    /// a second of decoding on xnu-11417 x86_64 for three groups).
    /// </summary>
    public string PackPathOf(string group) =>
        Path.ChangeExtension(_path, null) + "." + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(group)))[..16] + UnitFactsPack.Extension;

    /// <summary>Done when the store is read.</summary>
    internal Task Loaded => _kept;

    /// <summary>Groups taken back so far.</summary>
    public int Reused => Volatile.Read(ref _reused);

    /// <summary>Groups detected and kept so far (not in the store, or something they read changed).</summary>
    public int Made => _used.Count - Reused;

    /// <summary>One digest of the tree's file list (a file added or removed changes what an include resolves to).</summary>
    public static string ListDigest(IEnumerable<string> relativePaths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var relative in relativePaths)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(relative));
            hash.AppendData("\n"u8);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The result kept for GROUP when it was detected from UNITS (their cache keys, in the group's order) in a tree
    /// listing the files of LISTING (<see cref="ListDigest"/>) and every file it read still has its content; null otherwise.
    /// </summary>
    public ConfigurationGroupResult? TryGet(string group, IReadOnlyList<string> units, string listing)
    {
        if (!_kept.Result.TryGetValue(group, out var entry) || entry.Listing != listing || !entry.Units.SequenceEqual(units, StringComparer.Ordinal)
            || _digests.Combined(entry.Files) != entry.FilesDigest)
        {
            return null;
        }
        if (_used.TryAdd(group, entry))
        {
            Interlocked.Increment(ref _reused);
        }
        return entry.Result;
    }

    /// <summary>Keeps RESULT of GROUP, detected from UNITS in a tree of LISTING after reading FILES (absolute paths).</summary>
    public void Add(string group, IReadOnlyList<string> units, string listing, IEnumerable<string> files, ConfigurationGroupResult result)
    {
        ImmutableArray<string> read = [.. files.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        // A file that cannot be read now has no digest: the group is not kept (detected again next time).
        if (_digests.Combined(read) is { } digest)
        {
            _used[group] = new ConfigurationGroupEntry(group, [.. units], listing, read, digest, result);
        }
    }

    /// <summary>
    /// Writes the groups this scan used (atomically: a concurrent scan reads the old store or this one); nothing when
    /// they are the store's groups, all taken back (the store read is the store this scan would write).
    /// </summary>
    public void Save()
    {
        if (Made == 0 && _used.Count == _kept.Result.Count)
        {
            return;
        }
        var entries = _used.Values.OrderBy(e => e.Group, StringComparer.Ordinal).ToList();
        KeptFile.Write(_path, Magic, Version, entries, ConfigurationGroupJson.Default.ListConfigurationGroupEntry);
    }

    private static Dictionary<string, ConfigurationGroupEntry> Read(string path, DecodedStores? decoded) =>
        KeptFile.Read(path, Magic, Version, ConfigurationGroupJson.Default.ListConfigurationGroupEntry, Take, new Parsing.SharedStrings(), decoded) ?? [];

    /// <summary>ENTRIES by group; null when some part is missing (intact bytes of another writer: the file is no store).</summary>
    private static Dictionary<string, ConfigurationGroupEntry>? Take(List<ConfigurationGroupEntry> entries) =>
        entries.All(Whole) ? entries.ToDictionary(e => e.Group, StringComparer.Ordinal) : null;

    private static bool Whole(ConfigurationGroupEntry? entry) =>
        entry is { Group: not null, Listing: not null, FilesDigest: not null, Result: { Counts: not null } result }
        && !entry.Units.IsDefault && entry.Units.All(u => u is not null) && !entry.Files.IsDefault && entry.Files.All(f => f is not null)
        && !result.Findings.IsDefault && result.Findings.All(f => f is { RuleId: not null, File: not null, Arch: not null, Detail: not null, Action: not null })
        && !result.WrapperCalls.IsDefault && result.WrapperCalls.All(c => c is { Callee: not null, File: not null });
}

/// <summary>
/// One configuration or board group's detection: its findings in the order its detectors gave them (before they are
/// folded into the scan's), the calls of store wrappers its units make, and the health of its parses.
/// </summary>
public sealed record ConfigurationGroupResult(ImmutableArray<Finding> Findings, ImmutableArray<WrapperCall> WrapperCalls, UnitCounts Counts);

/// <summary>A kept group: its name, its units' cache keys, the tree's file-list digest, the files its detection read and their digest, its result.</summary>
internal sealed record ConfigurationGroupEntry(string Group, ImmutableArray<string> Units, string Listing, ImmutableArray<string> Files, string FilesDigest,
    ConfigurationGroupResult Result);

// Nulls are left out and read back as their defaults, which are null; strings are written once each in the file's table
// (KeptFile) and shared on reading (a group's ~17,000 findings of xnu-11417 repeat a few hundred rule ids, actions and
// file names); the findings packed as integers (PackedFindings).
[JsonSourceGenerationOptions(IncludeFields = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(LeanReading.StringConverter), typeof(PackedFindings), typeof(Facts.WrapperCallRow)])]
[JsonSerializable(typeof(List<ConfigurationGroupEntry>))]
[JsonSerializable(typeof(Finding[]))]
internal sealed partial class ConfigurationGroupJson : JsonSerializerContext;
