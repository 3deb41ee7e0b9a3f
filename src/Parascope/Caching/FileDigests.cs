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

    public FileDigests(ImmutableSortedDictionary<string, string>? overlays = null) =>
        _overlays = overlays ?? ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The hex digest of PATH's content now, or null when it cannot be read.</summary>
    public string? Of(string path) => _digests.GetOrAdd(path, Compute);

    /// <summary>
    /// One digest of the content of every file of PATHS now, in their order (a unit's dependencies): equal to the one
    /// taken when the unit was parsed exactly when each file still has its digest. Null when a file cannot be read.
    /// </summary>
    public string? Combined(IReadOnlyList<string> paths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> line = stackalloc byte[128];
        foreach (var path in paths)
        {
            if (Of(path) is not { } digest)
            {
                return null;
            }
            // Hex digits (and "overlay:"): ASCII; a newline after each keeps one file's digest from running into the next.
            var length = Encoding.ASCII.GetBytes(digest, line);
            line[length] = (byte)'\n';
            hash.AppendData(line[..(length + 1)]);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private string? Compute(string path)
    {
        if (_overlays.TryGetValue(path, out var overlay))
        {
            return "overlay:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(overlay)));
        }
        try
        {
            using var stream = RegularFiles.OpenRead(path, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            return Convert.ToHexString(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
