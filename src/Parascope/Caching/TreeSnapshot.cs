using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Parascope.Discovery;
using Parascope.Files;

namespace Parascope.Caching;

/// <summary>
/// The tree as discovery sees it (its <see cref="FileInventory"/>), with each file's size
/// and modification time, taken before any file is read. Its digest is what a whole-scan entry is checked against: a
/// file added, removed, resized or written since changes it. Like make and git's index, it trusts that content does
/// not change without the modification time (nanoseconds on Linux) changing.
/// </summary>
public sealed class TreeSnapshot
{
    /// <summary>
    /// A file written this close before the snapshot may be written again within the same timestamp tick without its
    /// time changing (git's "racily clean" entries): a snapshot with such a file is not settled, and no whole-scan entry
    /// is kept for it.
    /// </summary>
    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private TreeSnapshot(ImmutableArray<string> relativePaths, string digest, TreeStamps stamps)
    {
        RelativePaths = relativePaths;
        Digest = digest;
        Stamps = stamps;
    }

    public string Root => Stamps.Root;

    /// <summary>Root-relative paths with '/' separators, in the order discovery enumerates them.</summary>
    public ImmutableArray<string> RelativePaths { get; }

    /// <summary>SHA-256 over every file's path, size and modification time (hex).</summary>
    public string Digest { get; }

    /// <summary>Each file's size and time as the snapshot saw them, and whether the tree was settled then.</summary>
    public TreeStamps Stamps { get; }

    /// <summary>False when some file was modified within <see cref="RacyWindow"/> of the snapshot, or after it.</summary>
    public bool Settled => Stamps.Settled;

    /// <summary>Whether PATH (absolute) is one of the files listed.</summary>
    public bool Lists(string path) => Stamps.Lists(path);

    /// <summary>
    /// SHA-256 over the listing (<see cref="TreeStamps.ListingDigest"/>) and every listed file's content, in the listing's
    /// order (hex): what a whole-scan entry is checked against when the tree's times changed but not, perhaps, its
    /// contents — a fresh clone on every CI push, a checkout back and forth, a touch. Each file's digest comes from
    /// DIGESTS, taken back under the stamp the snapshot saw when it was kept under it, read otherwise. Null when a file
    /// cannot be read or was gone when the snapshot was taken.
    /// </summary>
    /// <param name="digests">Where each file's digest comes from.</param>
    /// <param name="asScanned">
    /// True: the contents the snapshot's scan read, for keeping with its result — null unless every file still has the
    /// size and time the snapshot saw, looked at after its digest (a file written during the scan would otherwise vouch,
    /// by its new text, for a result made from its old one). False: the contents now, to compare with a kept digest.
    /// </param>
    public string? ContentDigest(FileDigests digests, bool asScanned) => Combined(FileContents(digests, asScanned));

    /// <summary>
    /// Each listed file's content digest, in the listing's order, from DIGESTS (see <see cref="ContentDigest"/>; null for a
    /// file that cannot be read, or with ASSCANNED one written since the snapshot).
    /// </summary>
    public string?[] FileContents(FileDigests digests, bool asScanned)
    {
        // Digested on every core (after a touch every file is read: ~100 ms of xnu-792's 2,849 files on one).
        var each = new string?[RelativePaths.Length];
        Parallel.For(0, each.Length, i =>
        {
            var relative = RelativePaths[i];
            var path = Path.Combine(Root, relative);
            each[i] = Stamps.StampOf(relative) is { } stamp && digests.OfFile(path, stamp) is { } digest && (!asScanned || FileStamp.Of(path) == stamp)
                ? digest
                : null;
        });
        return each;
    }

    /// <summary>The tree's content digest (<see cref="ContentDigest"/>) from EACH file's, in the listing's order; null when one is missing.</summary>
    public string? Combined(string?[] each)
    {
        var lines = new StringBuilder(Stamps.ListingDigest.Length + 1 + each.Length * 65);
        lines.Append(Stamps.ListingDigest).Append('\n');
        foreach (var digest in each)
        {
            if (digest is null)
            {
                return null;
            }
            lines.Append(digest).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(lines.ToString()))).ToLowerInvariant();
    }

    /// <summary>The snapshot of the tree FILES lists: its regular files, and the entries it skipped (FIFOs, devices…) by kind.</summary>
    public static TreeSnapshot Take(FileInventory files)
    {
        var taken = DateTime.UtcNow;
        return Of(files, relative => FileStamp.Of(files.AbsolutePath(relative)), taken);
    }

    /// <summary>
    /// The snapshot of the tree FILES lists whose files had the stamps STAMPOF gives (null: gone) at TAKEN: what
    /// <see cref="Take"/> makes of the files it looks at, and a scan of the stamps its supervisor took (<see cref="HandedTree"/>).
    /// </summary>
    public static TreeSnapshot Of(FileInventory files, Func<string, FileStamp?> stampOf, DateTime taken)
    {
        var settledBefore = (taken - RacyWindow).Ticks;
        var settled = true;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var listing = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var stamps = new Dictionary<string, FileStamp>(files.RelativePaths.Length, StringComparer.Ordinal);
        var line = new StringBuilder();
        foreach (var relative in files.RelativePaths)
        {
            line.Clear().Append(relative).Append('\t');
            listing.AppendData(Encoding.UTF8.GetBytes(line.ToString()));
            if (stampOf(relative) is { } stamp)
            {
                line.Append(stamp.Size).Append('\t').Append(stamp.Ticks);
                settled &= stamp.Ticks < settledBefore;
                stamps[relative] = stamp;
            }
            else
            {
                // Vanished between the listing and the look: the listing is already stale.
                line.Append("gone");
                settled = false;
            }
            hash.AppendData(Encoding.UTF8.GetBytes(line.Append('\n').ToString()));
        }
        foreach (var (relative, kind) in files.Skipped)
        {
            var skipped = Encoding.UTF8.GetBytes($"{relative}\tskipped {kind}\n");
            hash.AppendData(skipped);
            listing.AppendData(skipped);
        }
        return new TreeSnapshot(files.RelativePaths, Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(),
            new TreeStamps(files.Root, files.RelativePaths, stamps, Convert.ToHexString(listing.GetHashAndReset()).ToLowerInvariant(), settled, taken));
    }
}
