using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// What discovery learns from one source file's text alone: its unclosed #if blocks (<see cref="UnclosedConditionals"/>),
/// its include spellings (<see cref="CaseInsensitiveIncludes"/>), the known stripped names it uses and defines
/// (<see cref="StrippedDefinitions"/>), the private SDK constants and FreeBSD option headers it names, the identifiers its
/// conditionals test (<see cref="XnuProfile.ConditionalNames"/>) and, for a header, the macros it derives from others
/// (<see cref="DerivedMacros"/>, as pairs: source, derived, source, derived…).
/// </summary>
public sealed record SourceScan(int Unclosed, string[] Includes, string[] StrippedUsed, string[] StrippedDefined, string[] TrustCacheConstants,
    string[] Entitlements, string[] BsdOptions, string[] Tested, string[] Derived)
{
    public static SourceScan Of(string path, string text)
    {
        var (used, defined) = StrippedDefinitions.Usage.Of(text);
        return new SourceScan(UnclosedConditionals.Count(text), CaseInsensitiveIncludes.Spellings(text), used, defined,
            [.. TrustCacheStandIn.Collect(text).Distinct(StringComparer.Ordinal)], [.. EntitlementsStandIn.Collect(text).Distinct(StringComparer.Ordinal)],
            XnuStandIns.BsdOptionHeaders(text), [.. XnuProfile.ConditionalNames(text)],
            path.EndsWith(".h", StringComparison.Ordinal) ? DerivedMacros.Edges(text) : []);
    }
}

/// <summary>
/// Each source file's <see cref="SourceScan"/>, made once per scan however many parts of discovery (the repairs and
/// stand-ins, the derived macros, the configurations' tested names) and arches ask, and kept in the cache folder for
/// the next scan of the tree (<see cref="MemoFile"/>). The repairs, the derived macros and the tested names read every
/// source of xnu-11417 three times, about a second of CPU of each re-scan; a file whose content has the SHA-256 it had is
/// not scanned again.
/// Written atomically (<see cref="Save"/>) when many files were scanned anew (<see cref="Staleness"/>).
/// </summary>
public sealed class SourceScans
{
    /// <summary>The memo's file name in the tree's discovery cache folder (its first arch's).</summary>
    public const string FileName = "sources.kept";
    /// <summary>Raise whenever the entry or a scan changes shape.</summary>
    public const uint Version = 1;
    private static ReadOnlySpan<byte> Magic => "PSSS"u8;

    private readonly string? _path;
    private readonly Dictionary<string, SourceScanEntry> _kept;
    private readonly ConcurrentDictionary<string, Lazy<SourceScanEntry?>> _scans = new(StringComparer.Ordinal);
    private int _made;
    private int _reused;

    /// <summary>Scans kept at PATH, taken back while their file is unchanged (null: nothing kept, nothing read).</summary>
    public SourceScans(string? path)
    {
        _path = path;
        _kept = path is null ? [] : Load(path);
    }

    /// <summary>
    /// The memo of the tree at ROOT in CACHEDIRECTORY: in the folder of the scan's first ARCH (<see cref="XnuProfile.CacheFolder"/>,
    /// which `cache info` counts and `cache clear` deletes), though it serves every arch of the scan.
    /// </summary>
    public static string PathFor(string cacheDirectory, string root, string arch) =>
        Path.Combine(XnuProfile.CacheFolder(cacheDirectory, root, arch), FileName);

    /// <summary>Files taken back from the memo so far.</summary>
    public int Reused => Volatile.Read(ref _reused);

    /// <summary>Files scanned anew so far.</summary>
    public int Made => Volatile.Read(ref _made);

    /// <summary>PATH's scan (its content now, read once), or null when it cannot be read; safe from several threads.</summary>
    public SourceScan? Of(string path)
    {
        // Noted as scanned, not read: what discovery keeps checks the scan, so an edit that scans the same keeps it.
        using var scanning = ReadLog.Scanning(path);
        return _scans.GetOrAdd(path, p => new Lazy<SourceScanEntry?>(() => Scan(p))).Value?.Scan;
    }

    private SourceScanEntry? Scan(string path)
    {
        try
        {
            // One read: the digest tells whether the kept scan holds, and the same bytes are scanned when it does not.
            var entry = RegularFiles.ReadBytes(path, bytes =>
            {
                var digest = RegularFiles.DigestOf(bytes);
                if (_kept.TryGetValue(path, out var kept) && kept.Digest == digest)
                {
                    Interlocked.Increment(ref _reused);
                    return kept;
                }
                Interlocked.Increment(ref _made);
                return new SourceScanEntry(path, digest, SourceScan.Of(path, RegularFiles.Decoded(bytes)));
            }, FileShare.Read);
            // A file too large to read whole (never a source) is scanned as File.ReadAllText reads it, and not kept.
            return entry ?? new SourceScanEntry(path, null, SourceScan.Of(path, RegularFiles.ReadAllText(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The content digest of every file scanned so far (as read for its scan), by path.</summary>
    public IReadOnlyDictionary<string, string> Digests() =>
        _scans.Where(s => s.Value.IsValueCreated && s.Value.Value?.Digest is not null)
            .ToDictionary(s => s.Key, s => s.Value.Value!.Digest!, StringComparer.Ordinal);

    /// <summary>
    /// Writes the scans this scan asked for, with the kept ones of files it did not ask for that still exist (a scan that
    /// stopped reading ahead early asks for fewer: their scans stay for the next), unless the memo read needs only a few
    /// files scanned again (<see cref="Staleness"/>; a memo costs speed, never the scan).
    /// </summary>
    public void Save()
    {
        if (_path is null)
        {
            return;
        }
        var used = _scans.Values.Where(s => s.IsValueCreated).Select(s => s.Value).OfType<SourceScanEntry>().Where(e => e.Digest is not null).ToList();
        var carried = _kept.Values.Where(e => !_scans.ContainsKey(e.Path) && RegularFiles.Exists(e.Path)).ToList();
        if (_kept.Count > 0 && !Staleness.IsStale(Made, used.Count + carried.Count))
        {
            return;
        }
        var entries = used.Concat(carried).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        MemoFile.Write(_path, Magic, Version, new SourceScanFile(MemoFile.Build, entries), SourceScanJson.Default.SourceScanFile);
    }

    private static Dictionary<string, SourceScanEntry> Load(string path) =>
        MemoFile.Read(path, Magic, Version, SourceScanJson.Default.SourceScanFile, file => (file.Build, file.Entries), Whole)
            .ToDictionary(e => e.Path, StringComparer.Ordinal);

    private static bool Whole(SourceScanEntry? entry) =>
        entry is { Path: not null, Digest: not null, Scan: { } scan }
        && new[] { scan.Includes, scan.StrippedUsed, scan.StrippedDefined, scan.TrustCacheConstants, scan.Entitlements, scan.BsdOptions, scan.Tested, scan.Derived }
            .All(names => names is not null && names.All(n => n is not null))
        && scan.Derived.Length % 2 == 0 && scan.Unclosed >= 0;
}

/// <summary>One file's scan, under the SHA-256 of the content it was made from (null: not kept).</summary>
internal sealed record SourceScanEntry(string Path, string? Digest, SourceScan Scan);

internal sealed record SourceScanFile(string Build, List<SourceScanEntry> Entries);

// Strings written once each in the file's table; string arrays as packed table indexes.
[JsonSourceGenerationOptions(IncludeFields = true, Converters = [typeof(LeanReading.StringConverter), typeof(LeanReading.StringArrayConverter)])]
[JsonSerializable(typeof(SourceScanFile))]
internal sealed partial class SourceScanJson : JsonSerializerContext;
