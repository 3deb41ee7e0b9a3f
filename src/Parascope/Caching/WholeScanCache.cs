using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Caching;

/// <summary>
/// What a scan did with the whole-scan entry: none asked for, used, used after its contents were checked (the tree's times
/// had changed), kept after the scan, or not kept (unsettled tree, a failed unit…).
/// </summary>
public enum WholeScanUse
{
    Off,
    Hit,
    HitByContent,
    Stored,
    NotStored,
}

/// <summary>
/// A whole scan's result, kept beside the per-unit entries and reused while the scan would read exactly what it read
/// then: an unchanged re-scan is a file listing, a look-up and the reports. The entry is found by the scan's identity
/// (every request field that can change a report, the rules, the suppressions, the libclang, Parascope's build) and
/// is used only when the tree is unchanged — its snapshot digest (every file's path, size and modification time) is the
/// same, or, when only times changed (a fresh clone, a touch), the same files have the same contents — and every file the
/// units read outside the tree still has its content digest. It holds the result before any baseline is
/// applied (a baseline is a separate input, applied again on every scan) and the call graph as data, rebuilt only if a
/// report asks for it.
/// </summary>
public sealed class WholeScanCache
{
    /// <summary>Where whole-scan entries live, under the result cache's folder (trimmed and cleared with the unit entries).</summary>
    public const string ScansFolder = "scans";
    public const string Extension = ".scan";
    /// <summary>Raise whenever the entry or any type of <see cref="ScanResult"/> changes shape.</summary>
    public const uint Version = 7;
    public const string GraphExtension = ".graph";
    private static ReadOnlySpan<byte> Magic => "PSCS"u8;
    private static ReadOnlySpan<byte> GraphMagic => "PSCG"u8;

    /// <summary>
    /// Source-generated metadata (no reflection at run time): decoding the entry is most of an unchanged re-scan.
    /// </summary>
    private static readonly JsonSerializerOptions Options = WholeScanJson.Default.Options;

    private readonly string _path;
    private readonly DecodedStores? _decoded;

    /// <summary>
    /// Sets up the entry's JSON metadata (every type an entry holds) on a pool thread, to be ready when an entry is read:
    /// on a small tree that set-up (mostly compiling its code) is a fifth of an unchanged re-scan, and it runs meanwhile
    /// the tree is listed and the scan's identity taken on the other core.
    /// </summary>
    public static void PrepareInBackground() =>
        ThreadPool.UnsafeQueueUserWorkItem(_ => Configure(typeof(WholeScanEntry), []), null);

    private static void Configure(Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type) || !Options.TryGetTypeInfo(type, out var info))
        {
            return;
        }
        foreach (var property in info.Properties)
        {
            Configure(property.PropertyType, seen);
        }
        if (info.ElementType is { } element)
        {
            Configure(element, seen);
        }
        if (info.KeyType is { } key)
        {
            Configure(key, seen);
        }
    }

    /// <param name="folder">The result cache's folder.</param>
    /// <param name="identity">Everything besides the tree that the scan's result depends on (ScanPipeline.ScanIdentity).</param>
    /// <param name="decoded">The stores a watch keeps between its scans (the kept digests' here), or none.</param>
    public WholeScanCache(string folder, string identity, DecodedStores? decoded = null)
    {
        _decoded = decoded;
        Key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity + "\n" + ResultCache.BuildIdentity))).ToLowerInvariant();
        _path = Path.Combine(folder, ResultCache.EntriesFolder, ScansFolder, "v" + Version, Key + Extension);
    }

    public string Key { get; }

    /// <summary>Where the lexical scans of this scan's files are kept (<see cref="LexicalScanStore"/>), beside the entry.</summary>
    public string LexicalStorePath => Path.ChangeExtension(_path, LexicalScanStore.Extension);

    /// <summary>Where the configuration groups' detection is kept (<see cref="ConfigurationGroupStore"/>), beside the entry.</summary>
    public string ConfigurationGroupStorePath => Path.ChangeExtension(_path, ConfigurationGroupStore.Extension);

    /// <summary>Where the digests of the files the scan's units read are kept by size and time (<see cref="KeptDigests"/>).</summary>
    public string DigestStorePath => Path.ChangeExtension(_path, KeptDigests.Extension);

    /// <summary>Where the own units' facts of the scan are packed (<see cref="UnitFactsPack"/>).</summary>
    public string UnitFactsPackPath => Path.ChangeExtension(_path, UnitFactsPack.Extension);

    /// <summary>
    /// The result kept for this identity when the tree and every outside file it read are unchanged; null otherwise. The
    /// tree is unchanged when its snapshot digest is the one kept (no file's size or time changed), or else when it lists
    /// the same files and their contents are the ones kept (<see cref="TreeSnapshot.ContentDigest"/>): then the entry is
    /// written again under the new snapshot digest (when the tree is settled), so that the next scan finds it by the times
    /// alone, and the digests read are kept under the new times for the scan that follows, whatever it finds.
    /// </summary>
    public CachedScan? TryLoad(TreeSnapshot tree, FileDigests digests)
    {
        if (Read(_path) is not { } frame)
        {
            return null;
        }
        WholeScanEntry? entry;
        ReadOnlyMemory<byte> content = default;
        var byContent = false;
        try
        {
            // An entry of another state of the tree (an edited file) is not decoded: its header is read first.
            if (Frame.Read(frame, Magic, Version) is { } read && HeaderOf(read.Span) is { } header
                && (header.Tree == tree.Digest || (byContent = SameContent(header, tree))))
            {
                content = read;
                entry = JsonSerializer.Deserialize<WholeScanEntry>(content.Span, Options);
            }
            else
            {
                entry = null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            entry = null;
        }
        if (entry is null || entry.Key != Key || (entry.Tree != tree.Digest && !byContent) || entry.Result is null || entry.Excerpt is null
            || entry.Outside.Any(file => !Unchanged(file, digests)))
        {
            return null;
        }
        // The graph's bytes are read and checked now, so that a damaged or evicted graph is a miss, not a failure later;
        // only its decoding waits until a report asks for the graph.
        byte[]? graphFrame = null;
        if (entry.GraphFile is { } graphFile)
        {
            graphFrame = Read(Path.Combine(Path.GetDirectoryName(_path)!, graphFile));
            using var check = graphFrame is null ? null : Frame.Open(graphFrame, GraphMagic, Version);
            if (check is null || graphFile != GraphFileName(graphFrame!))
            {
                return null;
            }
        }
        if (byContent && tree.Settled)
        {
            Retimed(content, entry.Tree, tree.Digest);
        }
        else
        {
            Touch(_path);
        }
        if (entry.GraphFile is not null)
        {
            Touch(Path.Combine(Path.GetDirectoryName(_path)!, entry.GraphFile));
        }
        var graph = new Lazy<CallGraphData?>(() =>
        {
            using var graphContent = Frame.Open(graphFrame!, GraphMagic, Version)!;
            return JsonSerializer.Deserialize<CallGraphData>(graphContent, Options);
        });
        return new CachedScan(entry.Result, entry.Units, graph) { HasGraph = graphFrame is not null, Excerpt = entry.Excerpt, ByContent = byContent };
    }

    /// <summary>
    /// Whether TREE, whose snapshot digest is not the entry's, lists the entry's files with the entry's contents. The
    /// digests are taken back from the ones kept beside the entry under the sizes and times the snapshot saw (after a
    /// one-file edit, all but that file), read otherwise (after a touch, all of them, once) and kept under the new times
    /// whatever the answer: the scan that follows in this process or the next (a supervised scan's worker) reads none again.
    /// </summary>
    private bool SameContent(EntryHeader header, TreeSnapshot tree)
    {
        if (header.Content is null || header.Listing != tree.Stamps.ListingDigest)
        {
            return false;
        }
        var kept = new KeptDigests(DigestStorePath, tree.Stamps.Taken, _decoded);
        var each = tree.FileContents(new FileDigests(kept: kept), asScanned: false);
        var content = tree.Combined(each);
        kept.Save();
        if (content == header.Content)
        {
            return true;
        }
        ChangedFiles = content is null ? null
            : [.. tree.RelativePaths.Where((relative, i) => kept.Changed(Path.Combine(tree.Root, relative), each[i]!))];
        return false;
    }

    /// <summary>
    /// After a look-up (<see cref="TryLoad"/>) that missed because contents changed, the tree's files (root-relative, in
    /// the listing's order) whose content is not the one the digests kept beside the entry say the last scan saw: after
    /// a `.c` edit, that file; after a fresh clone with an edit, that file too. Null when it is not known (no entry, another
    /// listing, a file that cannot be read, or no miss).
    /// </summary>
    public ImmutableArray<string>? ChangedFiles { get; private set; }

    /// <summary>
    /// The entry's CONTENT written again with the tree digest WAS replaced by NOW (both 64 hex digits, so only those bytes
    /// change), unless it could not be found where the header said.
    /// </summary>
    private void Retimed(ReadOnlyMemory<byte> content, string was, string now)
    {
        var json = content.ToArray();
        if (ReadHeader(json, out var at) is null || at < 0 || !json.AsSpan(at, was.Length).SequenceEqual(Encoding.ASCII.GetBytes(was))
            || now.Length != was.Length)
        {
            return;
        }
        Encoding.ASCII.GetBytes(now, json.AsSpan(at));
        Frame.WriteFile(_path, Frame.Wrap(Magic, Version, json));
    }

    /// <summary>The tree digest, the listing digest and the content digest an entry's JSON starts with, read without decoding the rest.</summary>
    internal readonly record struct EntryHeader(string? Tree, string? Listing, string? Content);

    /// <summary>The entry's header (<see cref="EntryHeader"/>); null when JSON is not an entry's object.</summary>
    internal static EntryHeader? HeaderOf(ReadOnlySpan<byte> json) => ReadHeader(json, out _);

    /// <summary>
    /// <see cref="HeaderOf"/>, and TREEAT: the offset of the tree digest's first character in JSON (-1 when it is not a
    /// plain string), where <see cref="Retimed"/> writes the new one.
    /// </summary>
    private static EntryHeader? ReadHeader(ReadOnlySpan<byte> json, out int treeAt)
    {
        treeAt = -1;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        string? tree = null, listing = null, content = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals(nameof(WholeScanEntry.Tree)) ? 1
                : reader.ValueTextEquals(nameof(WholeScanEntry.Listing)) ? 2
                : reader.ValueTextEquals(nameof(WholeScanEntry.Content)) ? 3
                : 0;
            if (!reader.Read())
            {
                return null;
            }
            if (name == 0)
            {
                // Skip needs the whole value in the buffer, which it is (the content is inflated whole).
                reader.Skip();
                continue;
            }
            var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            if (name == 1)
            {
                // A string token starts at its opening quote; an escaped value is not a digest.
                treeAt = value is not null && !reader.ValueIsEscaped ? (int)reader.TokenStartIndex + 1 : -1;
            }
            (tree, listing, content) = name switch
            {
                1 => (value, listing, content),
                2 => (tree, value, content),
                _ => (tree, listing, value),
            };
            // The entry writes them before its large members: nothing after the content digest is read.
            if (name == 3)
            {
                break;
            }
        }
        return new EntryHeader(tree, listing, content);
    }

    private static byte[]? Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Evicted by another scan meanwhile: what was read is whole.
        }
    }

    private static bool Unchanged(OutsideFile file, FileDigests digests)
    {
        var info = new FileInfo(file.Path);
        if (info.Exists && info.Length == file.Length && info.LastWriteTimeUtc.Ticks == file.Modified)
        {
            return true;
        }
        return digests.Of(file.Path) == file.Digest;
    }

    /// <summary>A graph file is named by its frame's digest: an entry names the graph it was written with, whatever another scan wrote since.</summary>
    private static string GraphFileName(byte[] frame) => Convert.ToHexStringLower(SHA256.HashData(frame)) + GraphExtension;

    /// <summary>
    /// Keeps SCAN (its result before any baseline) for the tree as SNAPSHOT saw it. OUTSIDE: the files the units read
    /// that the snapshot does not list (XNU stand-ins, clang's headers, a compile_commands.json elsewhere); their content
    /// is digested, as the tree's is not.
    /// </summary>
    /// <remarks>CONTENT: the tree's <see cref="TreeSnapshot.ContentDigest"/> (null: the entry is reused only while no time changes).</remarks>
    public WholeScanUse Store(CachedScan scan, TreeSnapshot snapshot, string? content, IEnumerable<string> outside, FileDigests digests)
    {
        var files = ImmutableArray.CreateBuilder<OutsideFile>();
        foreach (var path in outside.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (!info.Exists || digests.Of(path) is not { } digest)
            {
                return WholeScanUse.NotStored;
            }
            files.Add(new OutsideFile(path, info.Length, info.LastWriteTimeUtc.Ticks, digest));
        }
        string? graphFile = null;
        if (scan.Graph.Value is { } graph)
        {
            var graphFrame = Frame.Wrap(GraphMagic, Version, JsonSerializer.SerializeToUtf8Bytes(graph, Options));
            graphFile = GraphFileName(graphFrame);
            if (!Frame.WriteFile(Path.Combine(Path.GetDirectoryName(_path)!, graphFile), graphFrame))
            {
                return WholeScanUse.NotStored;
            }
        }
        var entry = new WholeScanEntry(Key, snapshot.Digest, snapshot.Stamps.ListingDigest, content, files.ToImmutable(), scan.Units, scan.Result with { DurationMs = 0, CallGraph = null }, graphFile,
            scan.Excerpt);
        return Frame.WriteFile(_path, Frame.Wrap(Magic, Version, JsonSerializer.SerializeToUtf8Bytes(entry, Options))) ? WholeScanUse.Stored : WholeScanUse.NotStored;
    }

}

/// <summary>A file outside the tree that a kept scan read: its size and time as last seen, and its content's digest.</summary>
internal sealed record OutsideFile(string Path, long Length, long Modified, string Digest);

/// <summary>
/// A kept whole scan: its key, the tree's snapshot digest, its listing's and contents' digests, the outside files, the
/// unit count, the result and the name of its graph file.
/// </summary>
/// <remarks>
/// Tree, Listing and Content come first, in this order: <see cref="WholeScanCache.HeaderOf"/> reads them without decoding
/// what follows. Excerpt: what the plan reads of the graph, so that a reused scan is planned without decoding the graph.
/// </remarks>
internal sealed record WholeScanEntry(string Key, string Tree, string Listing, string? Content, ImmutableArray<OutsideFile> Outside, int Units, ScanResult? Result, string? GraphFile,
    GraphExcerpt? Excerpt);

[JsonSourceGenerationOptions(IncludeFields = true)]
[JsonSerializable(typeof(WholeScanEntry))]
[JsonSerializable(typeof(CallGraphData))]
internal sealed partial class WholeScanJson : JsonSerializerContext;

/// <summary>
/// A whole scan's result as kept: the result without its call graph, the number of units scanned, and the graph as
/// data, decoded on first use.
/// </summary>
public sealed record CachedScan(ScanResult Result, int Units, Lazy<CallGraphData?> Graph)
{
    /// <summary>Whether the scan had a call graph (without decoding it).</summary>
    public bool HasGraph { get; init; } = true;
    /// <summary>What the plan reads of the graph (<see cref="Planning.Planner.Excerpt"/>).</summary>
    public GraphExcerpt Excerpt { get; init; } = GraphExcerpt.Empty;
    /// <summary>Whether the scan was found by the tree's contents, its times having changed (<see cref="WholeScanCache.TryLoad"/>).</summary>
    public bool ByContent { get; init; }
}
