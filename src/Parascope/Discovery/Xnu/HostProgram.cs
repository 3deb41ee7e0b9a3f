using System.Text.RegularExpressions;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// A program for the build host or for user space that lives among kernel sources (libkern/kxld/tests,
/// osfmk/console/panic_ui's image converters, san/tools/ksancov, osfmk/ddb/makedis): it defines main and includes a
/// hosted libc and Apple frameworks, so kernel flags cannot parse it, and no code of it runs in the kernel.
/// Only files that no conf/files list names are tested, so a kernel file is never dropped.
/// </summary>
public static partial class HostProgram
{
    [GeneratedRegex(@"^(?:(?:static\s+)?(?:int|void)\s+)?main\s*\(\s*(?:void|int\b|\))", RegexOptions.Multiline)]
    private static partial Regex MainDefinition();

    public static bool Is(string path)
    {
        // genassym.c defines main but is compiled with the kernel's own flags (its output is assym.s).
        if (Path.GetFileName(path) == "genassym.c")
        {
            return false;
        }
        try
        {
            return MainDefinition().IsMatch(RegularFiles.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
