using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Serialization;
using Parascope.Files;

namespace Parascope.Caching;

/// <summary>
/// The content digests of the files a scan's units read, kept beside the whole-scan entry with each file's size and
/// modification time, and taken back by the next scan of the tree while a file still has them (git's index does the same
/// for its work tree): a re-scan checks every unit entry against the digests of the files it read, and reading and hashing
/// those ~7,000 files of xnu-11417 was ~0.3 s of CPU of each `.c` edit's re-scan, for files that had not changed. Like
/// the whole-scan entry (<see cref="TreeSnapshot"/>), it trusts that a file does not change without its size or time
/// changing; a file written within <see cref="TreeSnapshot.RacyWindow"/> of the scan's start is not kept (it could be
/// written again within the same time stamp). The stamp is taken before the file is read: a file written meanwhile is
/// kept under its old stamp, which the next scan does not find again. Written again only when many digests were made anew
/// (<see cref="Staleness"/>); a missing, damaged or foreign store is none.
/// </summary>
public sealed class KeptDigests
{
    public const string Extension = ".digests";
    /// <summary>Raise whenever the store changes shape.</summary>
    public const uint Version = 1;
    private static ReadOnlySpan<byte> Magic => "PSKD"u8;
    private const int DigestLength = 64;

    private readonly string _path;
    private readonly long _settledBefore;
    private readonly Task<Dictionary<string, KeptDigest>> _kept;
    private readonly ConcurrentDictionary<string, KeptDigest> _used = new(StringComparer.Ordinal);
    private int _taken;

    /// <summary>
    /// The store at PATH (read on a pool thread meanwhile the scan goes on, or taken back from DECODED, a watch's stores,
    /// while the file is unchanged), for a scan that started at STARTED (UTC).
    /// </summary>
    public KeptDigests(string path, DateTime started, DecodedStores? decoded = null)
    {
        _path = path;
        _settledBefore = (started - TreeSnapshot.RacyWindow).Ticks;
        _kept = Task.Run(() => Read(path, decoded));
    }

    /// <summary>Done when the store is read.</summary>
    internal Task Loaded => _kept;

    /// <summary>Digests taken back so far.</summary>
    public int Taken => Volatile.Read(ref _taken);

    /// <summary>Digests made anew and kept so far.</summary>
    public int Made => _used.Count - Taken;

    /// <summary>The digest kept for PATH when it had STAMP (its size and time now, before any read of it); null otherwise.</summary>
    public string? TryTake(string path, FileStamp stamp)
    {
        if (!_kept.Result.TryGetValue(path, out var kept) || kept.Stamp != stamp)
        {
            return null;
        }
        if (_used.TryAdd(path, kept))
        {
            Interlocked.Increment(ref _taken);
        }
        return kept.Digest;
    }

    /// <summary>
    /// Whether DIGEST, PATH's content now, is not the one the store last kept for it (under whatever stamp), or it kept
    /// none: after a touch of every file, the files whose content changed too.
    /// </summary>
    public bool Changed(string path, string digest) => !_kept.Result.TryGetValue(path, out var kept) || kept.Digest != digest;

    /// <summary>Keeps DIGEST of PATH, read after STAMP was taken, unless the file was written too recently to trust its stamp.</summary>
    public void Keep(string path, FileStamp stamp, string digest)
    {
        if (stamp.Ticks < _settledBefore && digest.Length == DigestLength)
        {
            _used.TryAdd(path, new KeptDigest(stamp, digest));
        }
    }

    /// <summary>
    /// Writes the digests this scan used, with the kept ones of files it did not ask for that are still there (a scan whose
    /// discovery digested the sources itself asks for fewer), unless few were made anew; a store costs speed, never the scan.
    /// </summary>
    public void Save()
    {
        var kept = _kept.Result;
        if (kept.Count > 0 && !Staleness.IsStale(Made, _used.Count))
        {
            return;
        }
        var carried = kept.Where(e => !_used.ContainsKey(e.Key) && RegularFiles.Exists(e.Key));
        var entries = _used.Concat(carried).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        var digests = new StringBuilder(entries.Count * DigestLength);
        foreach (var (_, entry) in entries)
        {
            digests.Append(entry.Digest);
        }
        KeptFile.Write(_path, Magic, Version, new KeptDigestFile([.. entries.Select(e => e.Key)], [.. entries.Select(e => e.Value.Stamp.Size)],
            [.. entries.Select(e => e.Value.Stamp.Ticks)], digests.ToString()), KeptDigestJson.Default.KeptDigestFile);
    }

    private static Dictionary<string, KeptDigest> Read(string path, DecodedStores? decoded) =>
        KeptFile.Read(path, Magic, Version, KeptDigestJson.Default.KeptDigestFile, Take, decoded: decoded)
        ?? new Dictionary<string, KeptDigest>(StringComparer.Ordinal);

    private static Dictionary<string, KeptDigest>? Take(KeptDigestFile file)
    {
        if (file is not { Paths: { } paths, Sizes: { } sizes, Ticks: { } ticks, Digests: { } digests }
            || sizes.Length != paths.Length || ticks.Length != paths.Length || digests.Length != paths.Length * DigestLength)
        {
            return null;
        }
        var kept = new Dictionary<string, KeptDigest>(paths.Length, StringComparer.Ordinal);
        for (var i = 0; i < paths.Length; i++)
        {
            if (paths[i] is null)
            {
                return null;
            }
            kept[paths[i]] = new KeptDigest(new FileStamp(sizes[i], ticks[i]), digests.Substring(i * DigestLength, DigestLength));
        }
        return kept;
    }
}

internal readonly record struct KeptDigest(FileStamp Stamp, string Digest);

/// <summary>The store as written: paths, sizes and times in order, the digests (64 hex digits each) in one string.</summary>
internal sealed record KeptDigestFile(string[] Paths, long[] Sizes, long[] Ticks, string Digests);

// Paths written once each in the file's table.
[JsonSourceGenerationOptions(Converters = [typeof(LeanReading.StringConverter), typeof(LeanReading.StringArrayConverter)])]
[JsonSerializable(typeof(KeptDigestFile))]
internal sealed partial class KeptDigestJson : JsonSerializerContext;
