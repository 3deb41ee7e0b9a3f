namespace Parascope.Model;

/// <summary>XNU's subsystems are its top-level folders (osfmk, bsd, iokit…): every count by subsystem uses this one rule.</summary>
public static class Subsystems
{
    /// <summary>The first folder of a root-relative path, or "." for a file at the root.</summary>
    public static string Of(string relativePath)
    {
        var slash = relativePath.IndexOf('/');
        return slash < 0 ? "." : relativePath[..slash];
    }
}
