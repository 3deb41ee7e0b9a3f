using System.Collections.Immutable;

namespace Parascope.Discovery;

/// <summary>
/// Which arch compiles a file: XNU's per-arch file lists (SUBSYSTEM/conf/files.ARCH) where the tree has them, the
/// folder names otherwise (osfmk/arm64 is not compiled for x86_64, osfmk/i386 not for arm64). Parsing an arm64
/// file as x86_64 only produces errors and false findings.
/// </summary>
public sealed class ArchFiles
{
    private readonly ImmutableHashSet<string> common;
    private readonly ImmutableHashSet<string> mine;
    private readonly ImmutableHashSet<string> otherArches;

    private ArchFiles(ImmutableHashSet<string> common, ImmutableHashSet<string> mine, ImmutableHashSet<string> otherArches)
    {
        this.common = common;
        this.mine = mine;
        this.otherArches = otherArches;
    }

    /// <summary>Folder names only: for trees without conf/files lists (and the generic profile).</summary>
    public static readonly ArchFiles ByFolder = new([], [], []);

    public static ArchFiles Read(string root, IEnumerable<string> subsystems, string arch)
    {
        var common = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var mine = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var others = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var subsystem in subsystems)
        {
            var conf = Path.Combine(root, subsystem, "conf");
            if (!Directory.Exists(conf))
            {
                continue;
            }
            foreach (var list in Directory.EnumerateFiles(conf, "files*"))
            {
                var name = Path.GetFileName(list);
                var target = name == "files" ? common : name == "files." + arch ? mine : name.StartsWith("files.", StringComparison.Ordinal) ? others : null;
                if (target is null)
                {
                    continue;
                }
                try
                {
                    foreach (var line in File.ReadLines(list))
                    {
                        if (line.Length == 0 || line[0] == '#' || char.IsWhiteSpace(line[0]))
                        {
                            continue;
                        }
                        var path = line.Split([' ', '\t'], 2)[0];
                        if (!path.StartsWith("OPTIONS/", StringComparison.Ordinal))
                        {
                            target.Add(path);
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // An unreadable list: the folder rule decides for its files.
                }
            }
        }
        return new ArchFiles(common.ToImmutable(), mine.ToImmutable(), others.ToImmutable());
    }

    public bool Compiles(string relativePath, string arch)
    {
        if (mine.Contains(relativePath) || common.Contains(relativePath))
        {
            return true;
        }
        if (otherArches.Contains(relativePath))
        {
            return false;
        }
        return FolderAllows(relativePath, arch);
    }

    /// <summary>
    /// A path through a folder named after an arch is compiled only for that arch family: i386 folders serve x86_64
    /// too (XNU's x86_64 kernel is built from osfmk/i386 and osfmk/x86_64), arm folders serve arm64, PowerPC none.
    /// </summary>
    public static bool FolderAllows(string relativePath, string arch)
    {
        var parts = relativePath.Split('/');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            switch (parts[i])
            {
                case "x86_64":
                    return arch == "x86_64";
                case "i386" or "i486" or "x86":
                    return arch is "i386" or "x86_64";
                case "arm" or "arm64" or "aarch64":
                    return arch == "arm64";
                case "ppc" or "powerpc":
                    return false;
            }
        }
        return true;
    }
}
