using System.Collections.Immutable;
using System.Text;
using Parascope.Files;
using static Parascope.Discovery.Xnu.StandInFiles;

namespace Parascope.Discovery.Xnu;

/// <summary>Headers reachable under the names the makefiles export them as (EXPORT_MI_DIR / EXPORT_MD_DIR).</summary>
internal static class ExportAliases
{
    /// <summary>
    /// A folder's Makefile says under which name its headers are exported (EXPORT_MI_DIR = san puts
    /// san/memory/kasan.h at &lt;san/kasan.h&gt;; an empty one puts osfmk/libsa/string.h at &lt;string.h&gt;).
    /// The alias forwards to the real header by absolute path.
    /// </summary>
    public static void Write(FileInventory files, string root, IReadOnlyList<string> subsystems, string standIns)
    {
        foreach (var subsystem in subsystems)
        {
            var folder = Path.Combine(root, subsystem);
            foreach (var makefile in Enumerate(files, folder, "Makefile"))
            {
                var directory = Path.GetDirectoryName(makefile)!;
                var own = Path.GetRelativePath(folder, directory).Replace('\\', '/');
                var variables = MakefileVariables.Read(makefile);
                foreach (var key in new[] { "EXPORT_MI_DIR", "EXPORT_MD_DIR" })
                {
                    var words = variables.Words(key);
                    if (!HasAssignment(makefile, key))
                    {
                        continue;
                    }
                    var exported = Resolve(words.Count == 0 ? string.Empty : words[^1], variables);
                    if (exported is null || exported == own || exported.Contains("..", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    foreach (var header in FolderListing.Files(directory, "*.h").Order(StringComparer.Ordinal))
                    {
                        var alias = (exported.Length == 0 ? string.Empty : exported + "/") + Path.GetFileName(header);
                        if (TreeHas(root, subsystems, alias))
                        {
                            continue;
                        }
                        WriteIfChanged(Path.Combine(standIns, alias), $"{Banner}#include \"{header}\"\n");
                    }
                }
            }
        }
    }

    /// <summary>
    /// The profile puts every subsystem's source folder on the include path where the build has only what each
    /// subsystem exports (INCFLAGS: the unit's own component, then EXPORT_HDRS of the others, then EXTERNAL_HEADERS).
    /// A header that EXTERNAL_HEADERS carries and other subsystems hold only in folders without a Makefile (so never
    /// exported) is found in EXTERNAL_HEADERS by the build: xnu-792's and xnu-1228's bsd units include
    /// &lt;mach-o/loader.h&gt;, and the build found EXTERNAL_HEADERS/mach-o/loader.h (MH_MAGIC_64, struct
    /// mach_header_64), not osfmk/mach-o/loader.h, which lacks them. For each subsystem that does not hold the
    /// header itself, a forwarding header in FOLDER-SUBSYSTEM (on its units' path before the tree) says so.
    /// </summary>
    public static void WriteExternalOverUnexported(FileInventory files, string root, IReadOnlyList<string> subsystems, string folder)
    {
        var external = Path.Combine(root, "EXTERNAL_HEADERS");
        foreach (var header in Enumerate(files, external, "*.h"))
        {
            var name = Path.GetRelativePath(external, header).Replace('\\', '/');
            var holders = subsystems.Where(s => RegularFiles.Exists(Path.Combine(root, s, name))).ToList();
            if (holders.Count == 0 || holders.Any(s => RegularFiles.Exists(Path.Combine(Path.GetDirectoryName(Path.Combine(root, s, name))!, "Makefile"))))
            {
                continue;
            }
            foreach (var subsystem in subsystems.Except(holders))
            {
                WriteIfChanged(Path.Combine(folder + "-" + subsystem, name), $"{Banner}#include \"{Path.GetFullPath(header)}\"\n");
            }
        }
    }

    private static bool HasAssignment(string makefile, string key)
    {
        try
        {
            return RegularFiles.ReadLines(makefile).Any(l => l.TrimStart().StartsWith(key, StringComparison.Ordinal) && l.Contains('='));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string? Resolve(string value, MakefileVariables variables)
    {
        for (var depth = 0; depth < 4 && (value.StartsWith("${", StringComparison.Ordinal) || value.StartsWith("$(", StringComparison.Ordinal)); depth++)
        {
            var name = value[2..^1];
            var words = variables.Words(name);
            if (words.Count != 1)
            {
                return null;
            }
            value = words[0];
        }
        return value.Contains('$') ? null : value.Trim('/');
    }
}
