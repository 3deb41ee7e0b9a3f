namespace Parascope.Files;

/// <summary>How a path's existence was asked: File.Exists, Directory.Exists, or what <see cref="RegularFiles.KindOf"/> says.</summary>
public enum ProbeKind
{
    File,
    Folder,
    Kind,
}

/// <summary>
/// Existence checks whose answers a kept result depends on (discovery's: Discovery/Xnu/DiscoveryMemo), noted in the active
/// <see cref="ReadLog"/>: a folder or a link created where the tree's listing does not look changes what they answer.
/// </summary>
public static class Probe
{
    /// <summary>The answer noted for a path that exists (File or Folder).</summary>
    public const string Yes = "yes";

    /// <summary>File.Exists(PATH), noted.</summary>
    public static bool File(string path) => Asked(ProbeKind.File, path) == Yes;

    /// <summary>Directory.Exists(PATH), noted.</summary>
    public static bool Folder(string path) => Asked(ProbeKind.Folder, path) == Yes;

    /// <summary>
    /// The answer to KIND's question about PATH now, as it is noted (what a kept result compares with what was noted;
    /// <see cref="RegularFiles.KindOf"/> notes its own answer).
    /// </summary>
    public static string Now(ProbeKind kind, string path) => kind switch
    {
        ProbeKind.File => System.IO.File.Exists(path) ? Yes : "no",
        ProbeKind.Folder => Directory.Exists(path) ? Yes : "no",
        _ => RegularFiles.KindOf(path).ToString(),
    };

    private static string Asked(ProbeKind kind, string path)
    {
        var answer = Now(kind, path);
        ReadLog.NoteProbe(kind, path, answer);
        return answer;
    }
}
