namespace Parascope.Files;

/// <summary>Folders listed for a pattern, the listing noted in the active <see cref="ReadLog"/> (its files' digest, in order).</summary>
public static class FolderListing
{
    private const string TreePrefix = "tree:";

    /// <summary>Directory.EnumerateFiles(FOLDER, PATTERN) in its order, noted.</summary>
    public static string[] Files(string folder, string pattern) => Listed(folder, pattern);

    /// <summary>
    /// The regular files under FOLDER matching PATTERN, sorted; like the inventory, neither linked folders (a link to `/`
    /// would walk the machine) nor links, FIFOs or devices (<see cref="RegularFiles"/>), nor hidden folders; noted.
    /// </summary>
    public static string[] Tree(string folder, string pattern) => Listed(folder, TreePrefix + pattern);

    /// <summary>FOLDER listed as KEY (a pattern, or a tree walk's) now, as <see cref="Files"/> or <see cref="Tree"/> listed it; null when it cannot be listed.</summary>
    public static string? DigestNow(string folder, string key)
    {
        try
        {
            return DigestOf(ListNow(folder, key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] Listed(string folder, string key)
    {
        var files = ListNow(folder, key);
        ReadLog.NoteListing(folder, key, DigestOf(files));
        return files;
    }

    private static string[] ListNow(string folder, string key) =>
        !key.StartsWith(TreePrefix, StringComparison.Ordinal) ? [.. Directory.EnumerateFiles(folder, key)]
        : Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, key[TreePrefix.Length..], TreeWalk).Where(RegularFiles.IsPlain).Order(StringComparer.Ordinal)]
        : [];

    /// <summary>The digest of a listing (each path and a newline, SHA-256, hex).</summary>
    private static string DigestOf(IEnumerable<string> files) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Concat(files.Select(f => f + "\n")))));

    /// <summary>A walk of a folder of the tree: recursive, neither into linked folders nor hidden ones.</summary>
    private static readonly EnumerationOptions TreeWalk = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
    };
}
