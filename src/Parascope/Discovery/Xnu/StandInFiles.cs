using Parascope.Files;
namespace Parascope.Discovery.Xnu;

/// <summary>How every stand-in is written: a banner saying it is not the tree's, and only when its text changed.</summary>
internal static class StandInFiles
{
    public const string Banner = "/* Parascope stand-in for a header XNU's build generates; not from the tree. */\n";
    public const string PrivateBanner = "/* Parascope stand-in for a header of Apple's internal SDK: declarations the tree uses, placeholder values. */\n";

    public static void WriteIfChanged(string path, string content)
    {
        if (RegularFiles.Exists(path) && RegularFiles.ReadAllText(path) == content)
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    public static void CopyIfChanged(string source, string destination) => WriteIfChanged(destination, RegularFiles.ReadAllText(source));

    /// <summary>True when some subsystem folder of the tree holds NAME: the tree's own header wins over a stand-in.</summary>
    public static bool TreeHas(string root, IReadOnlyList<string> subsystems, string name) =>
        subsystems.Any(s => RegularFiles.Exists(Path.Combine(root, s, name)));

    /// <summary>
    /// The regular files under FOLDER matching PATTERN, sorted (<see cref="FolderListing.Tree"/>): from the tree's listing
    /// FILES when FOLDER is a folder of it that the listing walked, as it is for the tree's subsystems, where a walk would
    /// only repeat it (the same rules: no links, neither linked nor hidden folders). A walk of a folder of the tree cost
    /// ~80 ms of a re-scan of xnu-792, where the discovery memo checks its listings. Other folders (the stand-ins', and
    /// a folder of the tree the listing has no file under: missing, empty, or a link) are walked, and the walk noted.
    /// </summary>
    public static IEnumerable<string> Enumerate(FileInventory files, string folder, string pattern) =>
        files.FilesUnder(folder) is { } listed
            ? listed.Where(path => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, Path.GetFileName(path.AsSpan()), ignoreCase: false))
            : FolderListing.Tree(folder, pattern);
}
