using System.Collections.Immutable;
using Parascope.Files;

namespace Parascope.Discovery;

/// <summary>
/// Every file under the root, enumerated once by Discovery (hidden folders and symlinked folders left out, sorted by
/// ordinal path) and handed to the later stages, which never walk the tree again.
/// </summary>
public sealed class FileInventory
{
    private FileInventory(string root, ImmutableArray<string> relativePaths, ImmutableArray<(string Relative, FileKind Kind)> skipped)
    {
        Root = root;
        RelativePaths = relativePaths;
        Skipped = skipped;
    }

    public static FileInventory Empty(string root) => new(root, [], []);

    /// <summary>The listing another process made of ROOT (<see cref="Caching.HandedTree"/>): its files and skipped entries, in its order.</summary>
    internal static FileInventory Listed(string root, ImmutableArray<string> relativePaths, ImmutableArray<(string Relative, FileKind Kind)> skipped) =>
        new(root, relativePaths, skipped);

    /// <summary>The root, absolute, without a trailing separator.</summary>
    public string Root { get; }

    /// <summary>Root-relative paths with '/' separators, in ordinal order of their absolute paths.</summary>
    public ImmutableArray<string> RelativePaths { get; }

    /// <summary>
    /// Entries that are not regular files — FIFOs, sockets, devices, and links to them — by root-relative path: left
    /// out of <see cref="RelativePaths"/> and never opened (<see cref="RegularFiles"/>). Links to regular files are
    /// left out as before, without a word.
    /// </summary>
    public ImmutableArray<(string Relative, FileKind Kind)> Skipped { get; }

    /// <summary>One warning line per skipped entry (the first 20, then a count of the rest).</summary>
    public ImmutableArray<string> SkippedWarnings()
    {
        const int Shown = 20;
        var lines = Skipped.Take(Shown).Select(s => $"{s.Relative}: {RegularFiles.Describe(s.Kind)}, not a regular file; skipped, never opened");
        return [.. lines, .. Skipped.Length > Shown ? [$"{Skipped.Length - Shown} more entries that are not regular files skipped"] : Array.Empty<string>()];
    }

    public static FileInventory Of(string root)
    {
        var files = ImmutableArray.CreateBuilder<string>();
        var skipped = ImmutableArray.CreateBuilder<(string, FileKind)>();
        foreach (var (path, isLink) in SourceFiles.EnumerateEntries(root))
        {
            var kind = RegularFiles.KindOf(path);
            if (!isLink && kind == FileKind.Regular)
            {
                files.Add(SourceFiles.Relative(root, path));
            }
            else if (kind is not FileKind.Regular and not FileKind.Missing and not FileKind.Directory)
            {
                skipped.Add((SourceFiles.Relative(root, path), kind));
            }
        }
        return new(root, files.ToImmutable(), skipped.ToImmutable());
    }

    public string AbsolutePath(string relative) => Path.Combine(Root, relative);

    /// <summary>
    /// The files listed under FOLDER (absolute, any depth), as absolute paths in order; null when FOLDER is not inside the
    /// root or the listing holds no file under it (then whether it is a folder the listing walked is not known: a link
    /// to a folder, which the listing does not enter, lists nothing too). The paths are sorted, so the folder's files are
    /// one run of them, found by binary search.
    /// </summary>
    public IEnumerable<string>? FilesUnder(string folder)
    {
        var relative = SourceFiles.Relative(Root, folder);
        if (relative == "." || relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return null;
        }
        var prefix = relative.TrimEnd('/') + "/";
        int low = 0, high = RelativePaths.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (string.CompareOrdinal(RelativePaths[middle], prefix) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        if (low == RelativePaths.Length || !RelativePaths[low].StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        return Run(low);

        IEnumerable<string> Run(int first)
        {
            for (var i = first; i < RelativePaths.Length && RelativePaths[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                yield return AbsolutePath(RelativePaths[i]);
            }
        }
    }

    /// <summary>(absolute, relative) of every file whose extension is one of <paramref name="extensions"/> (case-sensitive).</summary>
    public IEnumerable<(string Path, string Relative)> WithExtensions(params string[] extensions) =>
        RelativePaths.Where(relative => extensions.Contains(Path.GetExtension(relative), StringComparer.Ordinal))
            .Select(relative => (AbsolutePath(relative), relative));
}
