using System.Collections.Immutable;

namespace Parascope.Discovery;

/// <summary>
/// Every file under the root, enumerated once by Discovery (hidden folders and symlinked folders left out, sorted by
/// ordinal path) and handed to the later stages, which never walk the tree again.
/// </summary>
public sealed class FileInventory
{
    private FileInventory(string root, ImmutableArray<string> relativePaths)
    {
        Root = root;
        RelativePaths = relativePaths;
    }

    public static FileInventory Empty(string root) => new(root, []);

    /// <summary>The root, absolute, without a trailing separator.</summary>
    public string Root { get; }

    /// <summary>Root-relative paths with '/' separators, in ordinal order of their absolute paths.</summary>
    public ImmutableArray<string> RelativePaths { get; }

    public static FileInventory Of(string root) =>
        new(root, [.. SourceFiles.Enumerate(root).Select(path => SourceFiles.Relative(root, path))]);

    /// <summary>The inventory of a listing already taken by <see cref="SourceFiles.Enumerate"/> (the result cache's snapshot).</summary>
    public static FileInventory Of(string root, ImmutableArray<string> relativePaths) => new(root, relativePaths);

    public string AbsolutePath(string relative) => Path.Combine(Root, relative);

    /// <summary>(absolute, relative) of every file whose extension is one of <paramref name="extensions"/> (case-sensitive).</summary>
    public IEnumerable<(string Path, string Relative)> WithExtensions(params string[] extensions) =>
        RelativePaths.Where(relative => extensions.Contains(Path.GetExtension(relative), StringComparer.Ordinal))
            .Select(relative => (AbsolutePath(relative), relative));
}
