using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Parascope.Discovery;
using Parascope.Files;

namespace Parascope.Caching;

/// <summary>
/// The SHA-256 of each file's content, computed once per scan however many units read it. A file discovery
/// repaired in memory (an overlay) is digested as libclang reads it, from the overlay's text.
/// </summary>
public sealed class FileDigests
{
    private readonly ConcurrentDictionary<string, string?> _digests = new(StringComparer.Ordinal);
    private readonly ImmutableSortedDictionary<string, string> _overlays;
    private readonly KeptDigests? _kept;
    // One delegate for the scan: a method group passed to GetOrAdd is a new one each call (25 MB in a re-scan of xnu-11417).
    private readonly Func<string, string?> _compute;

    /// <param name="overlays">Files repaired in memory, by path: digested from these texts.</param>
    /// <param name="known">Digests taken already this scan (discovery's, <see cref="DiscoveryResult.ContentDigests"/>), by path.</param>
    /// <param name="kept">The last scan's digests, taken back for a file with the same size and time (and this scan's kept there).</param>
    /// <param name="stamps">
    /// The tree's stamps, taken before discovery read anything: KNOWN digests are kept under them too, so that the scan
    /// after a cold scan (whose discovery digested every source) takes them back instead of reading the files again.
    /// </param>
    public FileDigests(ImmutableSortedDictionary<string, string>? overlays = null, IReadOnlyDictionary<string, string>? known = null,
        KeptDigests? kept = null, TreeStamps? stamps = null)
    {
        _overlays = overlays ?? ImmutableSortedDictionary<string, string>.Empty;
        _kept = kept;
        _compute = Compute;
        foreach (var (path, digest) in known ?? ImmutableDictionary<string, string>.Empty)
        {
            if (_overlays.ContainsKey(path))
            {
                continue;
            }
            _digests[path] = digest;
            // A file kept under the same stamp is counted as taken, not made anew (which would write the store again).
            if (kept is not null && stamps?.StampAt(path) is { } stamp && kept.TryTake(path, stamp) is null)
            {
                kept.Keep(path, stamp, digest);
            }
        }
    }

    /// <summary>The hex digest of PATH's content now, or null when it cannot be read.</summary>
    public string? Of(string path) => _digests.TryGetValue(path, out var digest) ? digest : _digests.GetOrAdd(path, _compute);

    /// <summary>
    /// One digest of the content of every file of PATHS now, in their order (a unit's dependencies): equal to the one
    /// taken when the unit was parsed exactly when each file still has its digest. Null when a file cannot be read.
    /// </summary>
    public string? Combined(IReadOnlyList<string> paths)
    {
        // Each file's digest and a newline (a newline after each keeps one file's digest from running into the next),
        // hashed as one buffer: a hash call per file cost a native call each, ~150 per unit for every unit a re-scan
        // looks up (a third of a second of xnu-11417's). Hex digits and "overlay:" are ASCII.
        var lines = new List<string>(paths.Count);
        var length = 0;
        foreach (var path in paths)
        {
            if (Of(path) is not { } digest)
            {
                return null;
            }
            lines.Add(digest);
            length += digest.Length + 1;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var at = 0;
            foreach (var digest in lines)
            {
                at += Encoding.ASCII.GetBytes(digest, buffer.AsSpan(at));
                buffer[at++] = (byte)'\n';
            }
            return Convert.ToHexString(SHA256.HashData(buffer.AsSpan(0, at)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The hex digest of the content of the file at PATH as it is on disk (an overlay's file too: its own bytes, not the
    /// repair), whose size and time were STAMP before anything read it (a tree's snapshot): a digest kept under STAMP is
    /// taken back without looking at the file again. Null when it cannot be read.
    /// </summary>
    public string? OfFile(string path, FileStamp stamp)
    {
        if (_overlays.ContainsKey(path))
        {
            return FromDisk(path, stamp);
        }
        return _digests.TryGetValue(path, out var digest) ? digest : _digests.GetOrAdd(path, p => FromDisk(p, stamp));
    }

    private string? Compute(string path)
    {
        if (_overlays.TryGetValue(path, out var overlay))
        {
            return "overlay:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(overlay)));
        }
        return FromDisk(path, null);
    }

    /// <summary>PATH's digest, taken back from the kept ones under STAMP (null: its size and time now) or read.</summary>
    private string? FromDisk(string path, FileStamp? stamp)
    {
        try
        {
            // Stamped before the read: a file written meanwhile is kept under the stamp it had, which it no longer has.
            stamp ??= _kept is null ? null : FileStamp.Of(path);
            if (stamp is { } taken && _kept?.TryTake(path, taken) is { } kept)
            {
                return kept;
            }
            var made = RegularFiles.DigestOf(path);
            if (stamp is { } before)
            {
                _kept?.Keep(path, before, made);
            }
            return made;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

}
