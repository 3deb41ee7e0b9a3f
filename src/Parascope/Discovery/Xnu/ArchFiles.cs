using System.Collections.Immutable;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// Which arch compiles a file: XNU's per-arch file lists (SUBSYSTEM/conf/files.ARCH) where the tree has them, the
/// folder names otherwise (osfmk/arm64 is not compiled for x86_64, osfmk/i386 not for arm64). Parsing an arm64
/// file as x86_64 only produces errors and false findings. The lists also say which options a file needs
/// (`osfmk/ddb/db_break.c optional mach_kdb`), so a file can be parsed in a configuration that builds it.
/// </summary>
public sealed class ArchFiles
{
    private readonly ImmutableHashSet<string> common;
    private readonly ImmutableHashSet<string> mine;
    private readonly ImmutableHashSet<string> otherArches;
    private readonly ImmutableDictionary<string, ImmutableArray<FileCondition>> conditions;
    private readonly ImmutableDictionary<string, string> listedBy;

    private ArchFiles(ImmutableHashSet<string> common, ImmutableHashSet<string> mine, ImmutableHashSet<string> otherArches,
        ImmutableDictionary<string, ImmutableArray<FileCondition>> conditions, ImmutableDictionary<string, string> listedBy)
    {
        this.common = common;
        this.mine = mine;
        this.otherArches = otherArches;
        this.conditions = conditions;
        this.listedBy = listedBy;
    }

    /// <summary>Folder names only: for trees without conf/files lists (and the generic profile).</summary>
    public static readonly ArchFiles ByFolder = new([], [], [], ImmutableDictionary<string, ImmutableArray<FileCondition>>.Empty,
        ImmutableDictionary<string, string>.Empty);

    /// <summary>
    /// One line of a conf/files list: `standard` (no requirement) or `optional a not b …` — every listed option must
    /// be selected and every `not` one unselected (SETUP/config/mkmakefile.c); build flags such as bound-checks,
    /// xnu-library and what follows device-driver are not requirements. A file on several lines is built when any
    /// line holds.
    /// </summary>
    public sealed record FileCondition(ImmutableArray<string> Required, ImmutableArray<string> Excluded)
    {
        public bool HoldsFor(IReadOnlySet<string> selected) =>
            Required.All(selected.Contains) && !Excluded.Any(selected.Contains);

        public static FileCondition Parse(string[] words)
        {
            var required = ImmutableArray.CreateBuilder<string>();
            var excluded = ImmutableArray.CreateBuilder<string>();
            if (words.Length < 2 || words[1] != "optional")
            {
                return new FileCondition([], []);
            }
            var negate = false;
            for (var i = 2; i < words.Length; i++)
            {
                var word = words[i];
                if (word == "not")
                {
                    negate = !negate;
                    continue;
                }
                if (word is "device-driver" or "profiling-routine")
                {
                    break;
                }
                if (word == "xnu-library" || word.StartsWith("bound-checks", StringComparison.Ordinal))
                {
                    continue;
                }
                (negate ? excluded : required).Add(word.ToLowerInvariant());
            }
            return new FileCondition(required.ToImmutable(), excluded.ToImmutable());
        }
    }

    public static ArchFiles Read(string root, IEnumerable<string> subsystems, string arch)
    {
        var common = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var mine = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var others = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var conditions = new Dictionary<string, ImmutableArray<FileCondition>.Builder>(StringComparer.Ordinal);
        var listedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var subsystem in subsystems)
        {
            var conf = Path.Combine(root, subsystem, "conf");
            if (!Probe.Folder(conf))
            {
                continue;
            }
            foreach (var list in FolderListing.Files(conf, "files*"))
            {
                var name = Path.GetFileName(list);
                var target = name == "files" ? common : name == "files." + arch ? mine : name.StartsWith("files.", StringComparison.Ordinal) ? others : null;
                if (target is null)
                {
                    continue;
                }
                try
                {
                    foreach (var line in RegularFiles.ReadLines(list))
                    {
                        if (line.Length == 0 || line[0] == '#' || char.IsWhiteSpace(line[0]))
                        {
                            continue;
                        }
                        var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                        var path = words[0];
                        if (path.StartsWith("OPTIONS/", StringComparison.Ordinal))
                        {
                            continue;
                        }
                        target.Add(path);
                        if (target != others)
                        {
                            listedBy.TryAdd(path, subsystem);
                            if (!conditions.TryGetValue(path, out var lines))
                            {
                                conditions[path] = lines = ImmutableArray.CreateBuilder<FileCondition>();
                            }
                            lines.Add(FileCondition.Parse(words));
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // An unreadable list: the folder rule decides for its files.
                }
            }
        }
        return new ArchFiles(common.ToImmutable(), mine.ToImmutable(), others.ToImmutable(),
            conditions.ToImmutableDictionary(c => c.Key, c => c.Value.ToImmutable(), StringComparer.Ordinal),
            listedBy.ToImmutableDictionary(StringComparer.Ordinal));
    }

    /// <summary>True when the tree has conf/files lists at all (the XNU layout; samples and other trees may not).</summary>
    public bool HasLists => !conditions.IsEmpty || !otherArches.IsEmpty;

    /// <summary>
    /// The subsystem that compiles a file: the one whose conf/files lists it, which is not always the folder's
    /// (bsd/conf/files builds osfmk/kperf/kperfbsd.c with bsd's flags); the folder's when no list names it.
    /// </summary>
    public string CompiledBy(string relativePath) =>
        listedBy.TryGetValue(relativePath, out var subsystem) ? subsystem : Subsystems.Of(relativePath);

    /// <summary>True when this arch's lists name the file at all (as opposed to the folder rule deciding).</summary>
    public bool Lists(string relativePath) => conditions.ContainsKey(relativePath);

    /// <summary>
    /// True when a configuration with these options (lower case) builds the file; a file the lists do not name is
    /// built by none (host programs, tests, stale copies).
    /// </summary>
    public bool BuiltWith(string relativePath, IReadOnlySet<string> selected) =>
        conditions.TryGetValue(relativePath, out var lines) && lines.Any(l => l.HoldsFor(selected));

    /// <summary>
    /// What a configuration lacks to build a listed file: the options of its closest line (fewest differences) that
    /// are not selected, and the `not` ones that are. Empty for a file the lists do not name.
    /// </summary>
    public (ImmutableArray<string> Missing, ImmutableArray<string> Unwanted) Unmet(string relativePath, IReadOnlySet<string> selected)
    {
        if (!conditions.TryGetValue(relativePath, out var lines) || lines.IsEmpty)
        {
            return ([], []);
        }
        return lines
            .Select(l => (Missing: l.Required.Where(r => !selected.Contains(r)).ToImmutableArray(), Unwanted: l.Excluded.Where(selected.Contains).ToImmutableArray()))
            .MinBy(u => u.Missing.Length + u.Unwanted.Length);
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
            if (Architecture.IsArchFolder(parts[i]))
            {
                return Architecture.Named(arch).Folders.Contains(parts[i]);
            }
        }
        return true;
    }
}
