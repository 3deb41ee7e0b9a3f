namespace Parascope.Files;

/// <summary>
/// A tree's files as listed before any of them was read: each one's size and modification time, a digest of the listing
/// alone, and whether the tree was settled then (no file written within the racy window: see Caching/TreeSnapshot).
/// What keeps a stage's result by the files it read (Discovery/Xnu/DiscoveryMemo) checks those files against it, as
/// make and git's index do: a file does not change without its size or time changing.
/// </summary>
public sealed class TreeStamps
{
    private readonly Dictionary<string, FileStamp> _stamps;
    private readonly HashSet<string> _absolutePaths;

    /// <param name="root">The tree's root, absolute.</param>
    /// <param name="listed">Every listed file, root-relative ('/' separators), a file gone since the listing too.</param>
    /// <param name="stamps">Each listed file's stamp, by root-relative path.</param>
    /// <param name="listingDigest">A digest of the paths alone (<see cref="ListingDigest"/>).</param>
    /// <param name="settled">Whether no file was written within the racy window before <paramref name="taken"/>.</param>
    /// <param name="taken">When the stamps were taken (UTC).</param>
    public TreeStamps(string root, IEnumerable<string> listed, Dictionary<string, FileStamp> stamps, string listingDigest, bool settled, DateTime taken)
    {
        Root = root;
        _stamps = stamps;
        ListingDigest = listingDigest;
        Settled = settled;
        Taken = taken;
        _absolutePaths = new HashSet<string>(listed.Select(relative => Path.Combine(root, relative)), StringComparer.Ordinal);
    }

    public string Root { get; }

    /// <summary>
    /// SHA-256 over the paths alone (and the skipped entries' kinds): what changes when a file is added, removed or
    /// renamed, not when one is written (hex).
    /// </summary>
    public string ListingDigest { get; }

    /// <summary>False when some file was modified within the racy window of <see cref="Taken"/>, or after it.</summary>
    public bool Settled { get; }

    /// <summary>When the stamps were taken (UTC).</summary>
    public DateTime Taken { get; }

    /// <summary>Whether PATH (absolute) is one of the files listed.</summary>
    public bool Lists(string path) => _absolutePaths.Contains(path);

    /// <summary>The size and modification time RELATIVE had when the stamps were taken; null when it is not listed or was gone.</summary>
    public FileStamp? StampOf(string relative) => _stamps.TryGetValue(relative, out var stamp) ? stamp : null;

    /// <summary>The root-relative path of PATH (absolute) when it is one of the files listed; null otherwise.</summary>
    public string? RelativeOf(string path) =>
        Lists(path) && path.Length > Root.Length + 1 && path.StartsWith(Root, StringComparison.Ordinal) && path[Root.Length] == '/'
            ? path[(Root.Length + 1)..]
            : null;

    /// <summary>The stamp the file at PATH (absolute) had when the stamps were taken; null when it is not listed or was gone.</summary>
    public FileStamp? StampAt(string path) => RelativeOf(path) is { } relative ? StampOf(relative) : null;
}

/// <summary>A file's size and modification time (UTC ticks).</summary>
public readonly record struct FileStamp(long Size, long Ticks)
{
    /// <summary>PATH's stamp now; null when it is not there.</summary>
    public static FileStamp? Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks) : null;
    }
}
