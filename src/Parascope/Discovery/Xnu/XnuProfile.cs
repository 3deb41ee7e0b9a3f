using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// Flags for an XNU tree that cannot be built here (its build needs Apple's tools, MIG and genassym): the defines
/// and include paths XNU's own makefiles give each subsystem, read from makedefs/MakeInc.def and each
/// subsystem's conf/Makefile.template where the tree has them, the config step emulated (<see cref="XnuConfig"/>),
/// and stand-ins for generated headers written to a cache folder outside the tree (<see cref="XnuStandIns"/>).
/// Every source of information is optional: a tree with only osfmk/, bsd/, iokit/ still gets sensible flags.
/// </summary>
public static partial class XnuProfile
{
    public const string Name = "xnu";

    /// <summary>The top-level folders that are kernel code, in include order: bsd before osfmk, as the export folders hold bsd's sys/types.h, not osfmk's.</summary>
    public static readonly ImmutableArray<string> Subsystems = ["bsd", "osfmk", "iokit", "libkern", "libsa", "pexpert", "security", "san"];

    /// <summary>XNU's layout, old (xnu-792) and new (xnu-11417) alike: the Mach and BSD halves side by side plus IOKit or libkern.</summary>
    public static bool Recognizes(string root) =>
        Directory.Exists(Path.Combine(root, "osfmk")) && Directory.Exists(Path.Combine(root, "bsd"))
        && (Directory.Exists(Path.Combine(root, "iokit")) || Directory.Exists(Path.Combine(root, "libkern")));

    /// <summary>The nearest ancestor of PATH (or PATH itself) that looks like an XNU tree.</summary>
    public static string? FindRoot(string path)
    {
        var directory = Directory.Exists(path) ? Path.GetFullPath(path) : Path.GetDirectoryName(Path.GetFullPath(path));
        for (; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (Recognizes(directory))
            {
                return directory;
            }
        }
        return null;
    }

    /// <summary>Per-subsystem defines XNU's makefiles give, for trees whose Makefile.template cannot be read.</summary>
    private static readonly ImmutableDictionary<string, ImmutableArray<string>> FallbackSubsystemDefines = new Dictionary<string, ImmutableArray<string>>
    {
        ["osfmk"] = ["-DMACH_KERNEL_PRIVATE", "-DMACH_KERNEL"],
        ["bsd"] = ["-DBSD_KERNEL_PRIVATE", "-DBSD_BUILD", "-DDRIVER_PRIVATE", "-D_KERNEL_BUILD", "-DKERNEL_BUILD", "-DMACH_KERNEL"],
        ["iokit"] = ["-DIOKIT_KERNEL_PRIVATE", "-DDRIVER_PRIVATE"],
        ["libkern"] = ["-DLIBKERN_KERNEL_PRIVATE", "-DOSALLOCDEBUG=1"],
        ["libsa"] = ["-DLIBSA_KERNEL_PRIVATE"],
        ["pexpert"] = ["-DPEXPERT_KERNEL_PRIVATE"],
        ["security"] = ["-DBSD_KERNEL_PRIVATE"],
    }.ToImmutableDictionary();

    /// <summary>The subsystem's own private define, which the brief of every XNU build needs even when a template says otherwise.</summary>
    private static readonly ImmutableDictionary<string, string> PrivateDefine = new Dictionary<string, string>
    {
        ["osfmk"] = "-DMACH_KERNEL_PRIVATE",
        ["bsd"] = "-DBSD_KERNEL_PRIVATE",
        ["iokit"] = "-DIOKIT_KERNEL_PRIVATE",
        ["libkern"] = "-DLIBKERN_KERNEL_PRIVATE",
        ["security"] = "-DBSD_KERNEL_PRIVATE",
    }.ToImmutableDictionary();

    private static readonly ImmutableArray<string> BaseDefines =
        ["-DAPPLE", "-DNeXT", "-DKERNEL", "-DKERNEL_PRIVATE", "-DXNU_KERNEL_PRIVATE", "-DPRIVATE", "-D__MACHO__=1", "-Dvolatile=__volatile"];

    public static DiscoveryResult Discover(DiscoveryRequest request, FileInventory files)
    {
        var root = Path.GetFullPath(request.Root).TrimEnd('/');
        // Each source file read and scanned once for every part of discovery below and every arch; kept for the next scan.
        var scans = new Lazy<SourceScans>(() => new SourceScans(request.KeepsReadings ? SourceScans.PathFor(request.CacheDirectory, root, request.Arches[0]) : null));
        if (!request.KeepsReadings || request.Stamps is not { } snapshot)
        {
            return Discover(request, files, root, scans.Value);
        }
        var memo = new DiscoveryMemo(Path.Combine(CacheFolder(request.CacheDirectory, root, request.Arches[0]), DiscoveryMemo.FileName), root,
            DiscoveryMemo.IdentityOf(request, root), [.. request.Arches.Select(arch => CacheFolder(request.CacheDirectory, root, arch))], request.KeptDigest);
        if (memo.TryTake(snapshot) is { } kept)
        {
            return kept with { Kept = true };
        }
        var log = new ReadLog();
        DiscoveryResult result;
        using (ReadLog.Record(log))
        {
            result = Discover(request, files, root, scans.Value);
        }
        memo.Keep(result, log, scans.Value, snapshot);
        return result;
    }

    private static DiscoveryResult Discover(DiscoveryRequest request, FileInventory files, string root, SourceScans scans)
    {
        var warnings = ImmutableArray.CreateBuilder<string>();
        var present = Subsystems.Where(s => Probe.Folder(Path.Combine(root, s))).ToImmutableArray();
        var makeDefs = MakefileVariables.Read(Path.Combine(root, "makedefs", "MakeInc.def"));
        var templates = present.ToDictionary(s => s, s => MakefileVariables.Read(Path.Combine(root, s, "conf", "Makefile.template")));
        var gccBuilt = BuiltByGcc(root);
        var hostPrograms = new List<string>();
        var perArch = new Dictionary<string, ArchSetup>(StringComparer.Ordinal);
        // Needed only when some unit has another configuration or board to compare with; unless the request rules both
        // out, read on another core meanwhile the stand-ins are written below (half a second of an xnu-11417 discovery).
        var deriving = request.Configurations is { IsEmpty: true } && request.Boards is { IsEmpty: true }
            ? null
            : Task.Run(() => DerivedMacros.Read(files, present, scans));
        var derived = new Lazy<DerivedMacros>(() => deriving?.GetAwaiter().GetResult() ?? DerivedMacros.Read(files, present, scans));
        var machines = ImmutableArray.CreateBuilder<MachineConfig>();
        foreach (var arch in request.Arches)
        {
            // --machine-config names a board; arches with none (x86: NONE only) ignore it, unless no scanned arch has one.
            var asked = request.MachineConfig is { } wanted
                && (!MachineConfigs.Known(root, arch).IsEmpty || (arch == request.Arches[0] && request.Arches.All(a => MachineConfigs.Known(root, a).IsEmpty)))
                ? wanted : null;
            var machine = MachineConfigs.Choose(root, arch, asked);
            if (machine.Error is { } machineError)
            {
                return new DiscoveryResult(Name, [], [], machineError);
            }
            machines.Add(machine.Value!);
            var sptm = PlatformBoards.IsSptm(machine.Value!.Name, makeDefs);
            var release = XnuConfig.Read(root, arch, present, sptm: sptm);
            if (release.Sources.IsEmpty)
            {
                // Not the root's path: a report is the same wherever the tree is checked out (it records the root once).
                warnings.Add($"no MASTER config files found in the tree (config/MASTER, <subsystem>/conf/MASTER); the XNU profile uses built-in defaults for {arch}");
            }
            // The other configurations only where the tree defines them differently (xnu-792 has no KASAN).
            var configs = XnuConfig.Configurations.Skip(1)
                .Select(name => XnuConfig.Read(root, arch, present, name, sptm))
                .Where(c => !c.Requirements.SetEquals(release.Requirements))
                .Prepend(release)
                .ToImmutableArray();
            var cache = CacheFolder(request.CacheDirectory, root, arch);
            XnuStandIns.StandInFolders folders;
            var configFolders = new Dictionary<string, ConfigHeaders.ConfigFolder>(StringComparer.Ordinal);
            try
            {
                folders = XnuStandIns.Write(files, root, present, arch, cache, request.KeepsReadings, scans);
                foreach (var config in configs)
                {
                    configFolders[config.Name] = ConfigHeaders.Write(config, cache);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new DiscoveryResult(Name, [], [], new InputError($"{cache}: cannot write stand-in headers ({e.Message.Split('\n')[0]})"));
            }
            var own = Board(root, arch, present, machine.Value!, makeDefs, cache, configs, configFolders, sptm);
            if (own.Error is { } boardError)
            {
                return new DiscoveryResult(Name, [], [], boardError);
            }
            var boards = PlatformBoards.Choose(root, arch, own.Value!, makeDefs, request.Boards,
                other => Board(root, arch, present, other, makeDefs, cache, configs, configFolders, sptm));
            if (boards.Error is { } chooseError)
            {
                return new DiscoveryResult(Name, [], [], chooseError);
            }
            perArch[arch] = new ArchSetup(arch, configs, configFolders, folders, ArchFiles.Read(root, present, arch), machine.Value!, makeDefs, gccBuilt)
            {
                OwnBoard = own.Value!,
                Boards = boards.Value,
                Varied = new VariedMacroSets(derived, arch, makeDefs),
                Present = present,
                HasExternalHeaders = Probe.Folder(Path.Combine(root, "EXTERNAL_HEADERS")),
            };
        }

        // Only read when a file is built by no configuration of a scanned arch; only arches the tree configures.
        var otherArches = new Lazy<List<ArchBuild>>(() => Architecture.Names
            .Where(a => RegularFiles.Exists(Path.Combine(root, "config", "MASTER." + a)) || present.Any(s => RegularFiles.Exists(Path.Combine(root, s, "conf", "MASTER." + a))))
            .Select(a => new ArchBuild(a, ArchFiles.Read(root, present, a),
                [.. XnuConfig.Configurations.Select(name => XnuConfig.Read(root, a, present, name))]))
            .ToList());
        var units = ImmutableArray.CreateBuilder<SourceUnit>();
        var variants = ImmutableArray.CreateBuilder<SourceUnit>();
        // The macros each file's own conditionals test decide which configurations parse it again: one read of the file,
        // made on the other cores while the loop below runs (on xnu-11417 x86_64 a second and a half of a sequential
        // discovery otherwise) and shared by the arches. A file the loop reaches first it reads itself (Lazy).
        // tests/, tools/, libsyscall/ and the like are user-space code built with other flags: not the kernel.
        var kernelSources = files.RelativePaths
            .Select(relative => (Relative: relative, Path: files.AbsolutePath(relative)))
            .Select(file => (file.Relative, file.Path, Language: SourceFiles.LanguageOf(file.Path)))
            .Where(file => file.Language is not null && present.Contains(Model.Subsystems.Of(file.Relative)))
            .Select(file => (file.Relative, file.Path, Language: file.Language!.Value))
            .ToList();
        var testedNames = kernelSources
            .Where(file => request.Arches.Any(arch => perArch[arch].Files.Compiles(file.Relative, arch)))
            .ToDictionary(file => file.Relative, file => new Lazy<HashSet<string>>(() => TestedNames(scans, file.Path)), StringComparer.Ordinal);
        using var stopReading = new CancellationTokenSource();
        var reading = Task.Run(() => ReadAhead(testedNames.Values, stopReading.Token));
        try
        {
            foreach (var (relative, path, language) in kernelSources)
            {
                foreach (var arch in request.Arches)
                {
                    var setup = perArch[arch];
                    if (!setup.Files.Compiles(relative, arch))
                    {
                        continue;
                    }
                    // A file RELEASE does not build is parsed in the first configuration that does (osfmk/ddb in DEBUG,
                    // san/memory in KASAN, osfmk/tests in DEVELOPMENT): its code only ever compiles with those options.
                    var subsystem = setup.Files.CompiledBy(relative);
                    var config = setup.Configs.FirstOrDefault(c => setup.Files.BuiltWith(relative, c.For(subsystem).Requirements));
                    var inBuild = config is not null;
                    if (!inBuild && setup.Files.HasLists && !setup.Files.Lists(relative) && language != SourceLanguage.Assembly && HostProgram.Is(path))
                    {
                        hostPrograms.Add(relative);
                        continue;
                    }
                    // A common file whose options only another arch selects (osfmk/kern/copyout_shim.c: x86_64) is not
                    // compiled for this one, like a file of another arch's list.
                    if (!inBuild && setup.Files.Lists(relative) && otherArches.Value.Any(other => other.Arch != arch && other.Builds(relative, subsystem)))
                    {
                        continue;
                    }
                    var unit = Unit(request, root, path, relative, language, arch, setup, config ?? setup.Configs[0], inBuild, makeDefs, templates);
                    var tested = testedNames[relative];
                    var (platforms, boardGroups) = OtherBoards(setup, relative, subsystem, config ?? setup.Configs[0], inBuild, tested);
                    foreach (var (board, boardConfig, same) in boardGroups)
                    {
                        // The board in each of its configurations whose text differs there too (T6000 × DEVELOPMENT where the
                        // file tests XNU_MONITOR and DEVELOPMENT), and the configurations sharing each text.
                        var boardBuilds = setup.Files.BuiltWith(relative, boardConfig.For(subsystem).Requirements);
                        var boardSetup = setup with { Machine = board.Machine, ConfigFolders = board.ConfigFolders };
                        var byConfiguration = boardBuilds
                            ? OtherConfigurations(request, setup, board.Configs, relative, subsystem, boardConfig, tested)
                            : [(boardConfig, [])];
                        foreach (var (variantConfig, sameConfigs) in byConfiguration)
                        {
                            variants.Add(Unit(request, root, path, relative, language, arch, boardSetup,
                                variantConfig, boardBuilds, makeDefs, templates) with
                            {
                                Variant = true,
                                Platform = board.Name,
                                Platforms = same,
                                SameConfigurations = sameConfigs,
                            });
                        }
                    }
                    if (config is null)
                    {
                        units.Add(unit with { Platforms = platforms });
                        continue;
                    }
                    var groups = OtherConfigurations(request, setup, setup.Configs, relative, subsystem, config, tested);
                    units.Add(unit with { SameConfigurations = groups[0].Same, Platforms = platforms });
                    foreach (var (other, same) in groups.Skip(1))
                    {
                        variants.Add(Unit(request, root, path, relative, language, arch, setup, other, true, makeDefs, templates) with
                        {
                            Variant = true,
                            SameConfigurations = same,
                            Platforms = platforms,
                        });
                    }
                }
            }
        }
        finally
        {
            stopReading.Cancel();
            reading.Wait();
        }
        // The derived macros' reading, when no unit needed them, may still be under way: what it scans is kept too.
        deriving?.Wait();
        scans.Save();
        if (hostPrograms.Count > 0)
        {
            var distinct = hostPrograms.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            warnings.Add($"{distinct.Count} host program(s) not parsed as kernel code (no conf/files list builds them and they define main): "
                + string.Join(", ", distinct.Take(8)) + (distinct.Count > 8 ? ", …" : string.Empty));
        }
        return new DiscoveryResult(Name, units.ToImmutable(), warnings.ToImmutable())
        {
            MachineConfigs = machines.ToImmutable(),
            Overlays = perArch.Values.FirstOrDefault()?.Folders.Overlays ?? ImmutableSortedDictionary<string, string>.Empty,
            OverlayRepairs = perArch.Values.FirstOrDefault()?.Folders.Repairs ?? ImmutableSortedDictionary<string, string>.Empty,
            Variants = variants.ToImmutable(),
            ContentDigests = scans.Digests(),
            Configurations = [.. units.Concat(variants).SelectMany(u => u.Configuration is null ? u.SameConfigurations : u.SameConfigurations.Prepend(u.Configuration))
                .Distinct(StringComparer.Ordinal)
                .OrderBy(KernelConfigurations.Rank)],
            Platforms = [.. perArch.Values.Where(a => !a.Boards.IsEmpty).SelectMany(a => a.Boards.Select(b => b.Name).Prepend(a.Machine.Name))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>
    /// The board MACHINE stands for: its macros (board_config.h evaluated with its -D flags and its RELEASE options),
    /// and its configurations — the scanned ones (CONFIGS), or for a board whose SPTM-ness differs from theirs, the
    /// same configurations read again as its doconf selects them (<paramref name="configsSptm"/>: whether CONFIGS are an
    /// SPTM board's), with option headers of their own.
    /// </summary>
    private static Checked<PlatformBoard> Board(string root, string arch, IReadOnlyList<string> present, MachineConfig machine, MakefileVariables makeDefs,
        string cache, ImmutableArray<XnuConfig> configs, Dictionary<string, ConfigHeaders.ConfigFolder> folders, bool configsSptm)
    {
        var sptm = PlatformBoards.IsSptm(machine.Name, makeDefs);
        IReadOnlyDictionary<string, ConfigHeaders.ConfigFolder> ownFolders = folders;
        if (sptm != configsSptm)
        {
            configs = [.. configs.Select(c => XnuConfig.Read(root, arch, present, c.Name, sptm))];
            try
            {
                ownFolders = configs.ToDictionary(c => c.Name, c => ConfigHeaders.Write(c, Path.Combine(cache, sptm ? "sptm" : "ppl")), StringComparer.Ordinal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new InputError($"{cache}: cannot write stand-in headers ({e.Message.Split('\n')[0]})");
            }
        }
        var predefined = machine.Defines.Select(d => d[2..]).Concat(configs.FirstOrDefault()?.Defines ?? [])
            .Concat(["KERNEL", "KERNEL_PRIVATE", "XNU_KERNEL_PRIVATE", "__arm64__", "__LP64__"]);
        return Checked<PlatformBoard>.Of(new PlatformBoard(machine, sptm, PlatformBoards.Macros(root, predefined), configs, ownFolders));
    }

    /// <summary>
    /// The boards that compile the file with the text of the scan's own parse (first: the scanned board), and the
    /// groups of other boards to parse it again for: a board whose macros (board_config.h, MakeInc.def's flags, its
    /// doconf's options) differ from the scanned one's in a name the file's own conditionals test. A board that builds
    /// the file in none of its configurations (arm_vm_init.c on an SPTM board) is in neither. No boards: both empty.
    /// </summary>
    private static (ImmutableArray<string> Same, List<(PlatformBoard Board, XnuConfig Config, ImmutableArray<string> Same)> Groups) OtherBoards(
        ArchSetup setup, string relative, string subsystem, XnuConfig own, bool ownInBuild, Lazy<HashSet<string>> tested)
    {
        var groups = new List<(PlatformBoard Board, XnuConfig Config, List<string> Same)>();
        if (setup.Boards.IsEmpty)
        {
            return ([], []);
        }
        var same = new List<string> { setup.OwnBoard!.Name };
        foreach (var board in setup.Boards)
        {
            // The board's configuration of the unit's name, or else the first of its that builds the file (CONFIG_SPTM's
            // pmap); a file no configuration of the scanned board builds either (the PPL pmap: nos_arm_pmap) is parsed
            // for the board as for the scanned one, with its own conf/files options.
            var config = board.Configs.Where(c => setup.Files.BuiltWith(relative, c.For(subsystem).Requirements))
                .OrderBy(c => c.Name == own.Name ? 0 : 1).FirstOrDefault()
                ?? (ownInBuild ? null : board.Configs.FirstOrDefault(c => c.Name == own.Name));
            if (config is null)
            {
                continue;
            }
            bool Differs(PlatformBoard other, XnuConfig otherConfig) =>
                setup.Varied.Boards(other, board).Overlaps(tested.Value) || setup.Varied.Configurations(otherConfig, config, subsystem).Overlaps(tested.Value);
            if (!Differs(setup.OwnBoard, own))
            {
                same.Add(board.Name);
                continue;
            }
            var group = groups.FindIndex(g => g.Config.Name == config.Name && !Differs(g.Board, g.Config));
            if (group >= 0)
            {
                groups[group].Same.Add(board.Name);
            }
            else
            {
                groups.Add((board, config, [board.Name]));
            }
        }
        return ([.. same], [.. groups.Select(g => (g.Board, g.Config, g.Same.ToImmutableArray()))]);
    }

    /// <summary>
    /// Reads every file's tested names ahead of the loop that needs them, until STOP. A read that fails is left to the
    /// loop, which meets the same exception through the file's Lazy.
    /// </summary>
    private static void ReadAhead(IEnumerable<Lazy<HashSet<string>>> names, CancellationToken stop)
    {
        try
        {
            Parallel.ForEach(names, new ParallelOptions { CancellationToken = stop }, name =>
            {
                if (!name.IsValueCreated)
                {
                    try
                    {
                        _ = name.Value;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // The loop's to report.
                    }
                }
            });
        }
        catch (OperationCanceledException)
        {
            // The loop is done: what is left unread is not needed.
        }
    }

    /// <summary>Every identifier the file's own conditional lines name (none when it cannot be read).</summary>
    private static HashSet<string> TestedNames(SourceScans scans, string path) =>
        scans.Of(path) is { } scan ? new HashSet<string>(scan.Tested, StringComparer.Ordinal) : [];

    /// <summary>
    /// The configurations that build the file, grouped by the text its own #if/#ifdef/#elif lines give: the first
    /// group is <paramref name="own"/>'s (with every configuration that changes no macro those lines test), each
    /// other one a configuration to parse the file again in (DEVELOPMENT, MACH_ASSERT, KASAN… changed) with those
    /// that share its text. Conditionals of the headers it includes are not looked at (the cost stays one read of
    /// the file per unit).
    /// </summary>
    private static List<(XnuConfig Config, ImmutableArray<string> Same)> OtherConfigurations(DiscoveryRequest request, ArchSetup setup,
        ImmutableArray<XnuConfig> configs, string relative, string subsystem, XnuConfig own, Lazy<HashSet<string>> tested)
    {
        var groups = new List<(XnuConfig Config, List<string> Same)> { (own, []) };
        var candidates = configs
            .Where(c => c.Name != own.Name && setup.Files.BuiltWith(relative, c.For(subsystem).Requirements))
            .ToList();
        if (candidates.Count > 0)
        {
            // A configuration that changes nothing the file tests shares the text of the first group that matches it;
            // one that does is parsed again (when asked for), and later ones may share its text.
            foreach (var candidate in candidates)
            {
                var group = groups.FindIndex(g => !setup.Varied.Configurations(g.Config, candidate, subsystem).Overlaps(tested.Value));
                if (group >= 0)
                {
                    groups[group].Same.Add(candidate.Name);
                }
                else if (request.Configurations is not { } chosen || chosen.Contains(candidate.Name))
                {
                    groups.Add((candidate, []));
                }
            }
        }
        return groups.Select(g => (g.Config, g.Same.ToImmutableArray())).ToList();
    }

    // Source-generated: every kernel source file is searched with these on each scan that discovers (the interpreter
    // took most of a discovery's reading).
    [System.Text.RegularExpressions.GeneratedRegex(@"^[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif|elifdef|elifndef)\b(.*)$",
        System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex ConditionalLine();

    [System.Text.RegularExpressions.GeneratedRegex(@"[A-Za-z_]\w*", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Identifier();

    /// <summary>Every identifier a conditional directive of the file names.</summary>
    internal static HashSet<string> ConditionalNames(string text)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (System.Text.RegularExpressions.Match line in ConditionalLine().Matches(text))
        {
            foreach (System.Text.RegularExpressions.Match name in Identifier().Matches(line.Groups[1].Value))
            {
                names.Add(name.Value);
            }
        }
        return names;
    }

    /// <summary>The macros whose definition differs between two configurations of a unit of SUBSYSTEM: -D options, option headers, KASAN's flags.</summary>
    internal static HashSet<string> VariedMacros(XnuConfig a, XnuConfig b, string subsystem, string arch, MakefileVariables makeDefs)
    {
        IEnumerable<string> Defines(XnuConfig config, string subsystem, string arch) =>
            config.For(subsystem).DefinesFor(subsystem).Concat(ConfigurationFlags(config.Name, arch, makeDefs)
                .Where(f => f.StartsWith("-D", StringComparison.Ordinal)).Select(f => f[2..]));
        var left = Defines(a, subsystem, arch).ToHashSet(StringComparer.Ordinal);
        var right = Defines(b, subsystem, arch).ToHashSet(StringComparer.Ordinal);
        var varied = new HashSet<string>(left.Except(right).Concat(right.Except(left)).Select(d => d.Split('=')[0]), StringComparer.Ordinal);
        var headersA = a.For(subsystem).OptionHeaders;
        var headersB = b.For(subsystem).OptionHeaders;
        foreach (var name in headersA.Keys.Union(headersB.Keys))
        {
            var inA = headersA.TryGetValue(name, out var ha);
            var inB = headersB.TryGetValue(name, out var hb);
            if (inA != inB || ha != hb)
            {
                varied.Add(inA ? ha.Macro : hb.Macro);
            }
        }
        return varied;
    }

    /// <summary>Which files some configuration of an arch builds.</summary>
    private sealed record ArchBuild(string Arch, ArchFiles Files, ImmutableArray<XnuConfig> Configs)
    {
        public bool Builds(string relative, string subsystem) => Configs.Any(c => Files.BuiltWith(relative, c.For(subsystem).Requirements));
    }

    private sealed record ArchSetup(string Arch, ImmutableArray<XnuConfig> Configs, IReadOnlyDictionary<string, ConfigHeaders.ConfigFolder> ConfigFolders,
        XnuStandIns.StandInFolders Folders, ArchFiles Files, MachineConfig Machine, MakefileVariables MakeDefs, bool GccBuilt)
    {
        /// <summary>The scanned board (arm64), with its macros; null only before setup completes.</summary>
        public PlatformBoard? OwnBoard { get; init; }
        /// <summary>The other boards units are parsed again for (--boards); empty for x86 and trees without boards.</summary>
        public ImmutableArray<PlatformBoard> Boards { get; init; } = [];
        /// <summary>What two configurations or boards vary, once a pair.</summary>
        public required VariedMacroSets Varied { get; init; }
        /// <summary>
        /// The subsystem folders the tree has, in <see cref="Subsystems"/> order, and whether it has EXTERNAL_HEADERS:
        /// asked once, not for every unit's include path (~20,000 folder checks on xnu-11417).
        /// </summary>
        public required ImmutableArray<string> Present { get; init; }
        public required bool HasExternalHeaders { get; init; }
    }

    /// <summary>
    /// The macros two configurations (for a subsystem's units) or two boards give other values, with every macro the
    /// tree's headers derive from them (<see cref="DerivedMacros"/>): what a file's own #if lines must test for the
    /// file to be parsed again. Computed once a pair, not once a unit and pair (xnu-11417 asks ~20,000 times).
    /// </summary>
    private sealed class VariedMacroSets(Lazy<DerivedMacros> derived, string arch, MakefileVariables makeDefs)
    {
        private readonly Dictionary<(object, object, string), HashSet<string>> _sets = new(PairByReference.Instance);

        public HashSet<string> Configurations(XnuConfig a, XnuConfig b, string subsystem) =>
            Memo((a, b, subsystem), () => VariedMacros(a, b, subsystem, arch, makeDefs));

        public HashSet<string> Boards(PlatformBoard a, PlatformBoard b) =>
            Memo((a, b, string.Empty), () => PlatformBoards.Varied(a, b));

        private HashSet<string> Memo((object, object, string) key, Func<HashSet<string>> varied)
        {
            if (!_sets.TryGetValue(key, out var set))
            {
                var own = varied();
                _sets[key] = set = own.Count == 0 ? own : derived.Value.Closure(own);
            }
            return set;
        }
    }

    /// <summary>Pairs compared by the identity of their objects (configurations and boards are records: comparing their values costs).</summary>
    private sealed class PairByReference : IEqualityComparer<(object, object, string)>
    {
        public static readonly PairByReference Instance = new();

        public bool Equals((object, object, string) x, (object, object, string) y) =>
            ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2) && x.Item3 == y.Item3;

        public int GetHashCode((object, object, string) pair) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(pair.Item1),
                System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(pair.Item2), pair.Item3);
    }

    /// <summary>
    /// Whether the tree's makefiles compile with GCC: until xnu-1699 makedefs/MakeInc.cmd and MakeInc.def name no
    /// clang (cc, gcc-4.2); xnu-2050 and later pick clang with xcrun. GCC predefines no TARGET_OS_* macros, which
    /// upstream clang predefines for every Darwin target; xnu-792's bsd/net/zlib.h typedefs Byte only
    /// `#if !defined(MACOS) &amp;&amp; !defined(TARGET_OS_MAC)`, so with clang's macros five units lose the type.
    /// </summary>
    private static bool BuiltByGcc(string root)
    {
        var makefiles = new[] { "MakeInc.cmd", "MakeInc.def" }.Select(f => Path.Combine(root, "makedefs", f)).Where(Probe.File).ToList();
        try
        {
            return makefiles.Count > 0 && !makefiles.Any(f => RegularFiles.ReadAllText(f).Contains("clang", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// What MakeInc.def adds for a configuration inside make conditionals this profile does not evaluate
    /// (`ifeq ($(KASAN),1)`: CFLAGS_GEN += -DKASAN=1 …; the classic instrumentation on x86_64, TBI on arm64). The
    /// sanitizer flag matters to parsing: san/memory checks __has_feature(address_sanitizer / hwaddress_sanitizer).
    /// </summary>
    private static IEnumerable<string> ConfigurationFlags(string configuration, string arch, MakefileVariables makeDefs) => configuration switch
    {
        // Before KASAN_TBI (xnu-8019's MakeInc.def names -fsanitize=kernel-hwaddress), KASAN was one classic
        // instrumentation for every arch: `CFLAGS_GEN += -DKASAN=1 -DKASAN_SHIFT=$(KASAN_SHIFT) -fsanitize=address`,
        // the shift read per arch (xnu-6153: KASAN_SHIFT_ARM64, KASAN_SHIFT_X86_64). san/kasan.h #errors "KASAN
        // selected, but not enabled in compiler" without address_sanitizer, kasan_internal.h "KASAN_SHIFT undefined".
        "KASAN" when makeDefs.AllWords().Contains("-fsanitize=address")
            && !makeDefs.AllWords().Any(w => w.Contains("kernel-hwaddress", StringComparison.Ordinal))
            => ClassicKasan(makeDefs, arch),
        "KASAN" => Architecture.Named(arch).KasanFlags,
        _ => [],
    };

    /// <summary>
    /// CFLAGS_GEN's -DKASAN… words with their $(VAR) read as the arch's `VAR_&lt;ARCH&gt;` or `VAR` (xnu-6153:
    /// -DKASAN_SHIFT=$(KASAN_SHIFT) → KASAN_SHIFT_ARM64; xnu-7195: -DKASAN_OFFSET, -DKASAN_SCALE), and the sanitizer.
    /// </summary>
    private static IEnumerable<string> ClassicKasan(MakefileVariables makeDefs, string arch)
    {
        var flags = new List<string> { "-DKASAN=1" };
        foreach (var word in makeDefs.Words("CFLAGS_GEN").Where(w => w.StartsWith("-DKASAN", StringComparison.Ordinal)))
        {
            var resolved = KasanReference().Replace(word, m =>
                new[] { m.Groups["name"].Value + "_" + arch.ToUpperInvariant(), m.Groups["name"].Value }
                    .Select(n => makeDefs.Words(n).LastOrDefault()).FirstOrDefault(v => v is not null && !v.Contains('$')) ?? m.Value);
            if (!resolved.Contains('$'))
            {
                flags.Add(resolved);
            }
        }
        flags.Add("-fsanitize=address");
        return flags;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\$\((?<name>[A-Za-z0-9_]+)\)")]
    private static partial System.Text.RegularExpressions.Regex KasanReference();

    /// <summary>
    /// A file no configuration builds is written for the options its own conf/files line names (the SPTM pmap:
    /// `optional nos_arm_asm config_sptm`, while a public arm64 config selects config_pmap_ppl): parsed without them
    /// it shows the wrong #if branches and struct layouts. Options that are -D flags are turned on (+, a -D) or off
    /// (-, a -U, for `not`); an option header (mach_kdb.h: MACH_KDB) is shared by every unit of the configuration
    /// and stays as it is.
    /// </summary>
    private static IEnumerable<string> UnbuiltFileOptions(ArchFiles files, string relative, XnuConfig config)
    {
        var (missing, unwanted) = files.Unmet(relative, config.Requirements);
        return missing.Where(o => !IsOptionHeader(o)).Select(o => "+" + o.ToUpperInvariant())
            .Concat(unwanted.Where(o => !IsOptionHeader(o)).Select(o => "-" + o.ToUpperInvariant()));

        // OPTIONS/mach_kdb's mach_kdb.h defines MACH_KDB itself; config_sptm.h (a first word's count header) only NCONFIG_SPTM.
        bool IsOptionHeader(string option) =>
            config.OptionHeaders.TryGetValue(option + ".h", out var header) && header.Macro == option.ToUpperInvariant();
    }

    /// <summary>
    /// clang's target for the arch as the tree's own build compiles it. From xnu-7195 on, MakeInc.def builds every
    /// arm64 kernel for the arm64e sub-architecture when no device map names another one
    /// (`export ARCH_STRING_FOR_CURRENT_MACHINE_CONFIG := arm64e`): that is what defines `__arm64e__`, hence
    /// HAS_APPLE_PAC (apple_arm64_common.h: CPU_HAS_APPLE_PAC and __arm64e__) and pointer authentication. Parsed as
    /// plain arm64, xnu-8792's pmap.h declares `reserved10` twice (its !HAS_APPLE_PAC and !CONFIG_ROSETTA
    /// branches), a layout no build of the tree ever had. Trees that name no sub-architecture (before xnu-7195)
    /// and the x86 arches keep the arch's own triple.
    /// </summary>
    internal static string TargetTriple(string arch, MakefileVariables makeDefs)
    {
        var triple = GenericProfile.TargetTriple(arch);
        var subArch = makeDefs.Words("ARCH_STRING_FOR_CURRENT_MACHINE_CONFIG")
            .FirstOrDefault(w => w.Length > arch.Length && w.StartsWith(arch, StringComparison.Ordinal)
                && w[arch.Length..].All(char.IsAsciiLetterLower));
        return subArch is not null && triple.StartsWith(arch + "-", StringComparison.Ordinal) ? subArch + triple[arch.Length..] : triple;
    }

    /// <summary>One folder per tree and arch (hash of both), so two trees or arches never share option headers.</summary>
    public static string CacheFolder(string cacheDirectory, string root, string arch)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root + "\n" + arch)))[..16];
        return Path.Combine(cacheDirectory, "xnu-" + hash);
    }

    private static SourceUnit Unit(DiscoveryRequest request, string root, string path, string relative, SourceLanguage language,
        string arch, ArchSetup setup, XnuConfig config, bool inBuild, MakefileVariables makeDefs, Dictionary<string, MakefileVariables> templates)
    {
        // Flags are the compiling subsystem's; reports group the unit by the folder it lives in.
        var subsystem = setup.Files.CompiledBy(relative);
        var substitutions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SOURCE"] = Path.Combine(root, subsystem) + "/",
            ["SRCROOT"] = root,
        };
        foreach (var (name, value) in MakefileVariables.Known)
        {
            substitutions[name] = value;
        }
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.Add($"--target={TargetTriple(arch, makeDefs)}");
        if (request.ResourceDirectory is not null)
        {
            arguments.Add("-resource-dir");
            arguments.Add(request.ResourceDirectory);
        }
        if (language == SourceLanguage.Cxx)
        {
            arguments.Add("-xc++");
            // The tree's own standard (xnu-11417: gnu++2b); trees that name none were built by GCC 4, whose
            // default gnu++98 accepts their access declarations, which C++11 rejects.
            arguments.Add(makeDefs.Words("CXXFLAGS_GEN").FirstOrDefault(w => w.StartsWith("-std=", StringComparison.Ordinal)) ?? "-std=gnu++98");
            arguments.Add("-fno-exceptions");
            arguments.Add("-fno-rtti");
            // clang rejects -fapple-kext for C++ on i386 (the old GCC accepted it).
            if (Architecture.Named(arch).AppleKext)
            {
                arguments.Add("-fapple-kext");
            }
        }
        else if (language == SourceLanguage.C)
        {
            arguments.Add("-xc");
            arguments.Add(makeDefs.Words("CFLAGS_GEN").FirstOrDefault(w => w.StartsWith("-std=", StringComparison.Ordinal)) ?? "-std=gnu11");
        }
        // The kernel has no hosted libc: the tree's EXTERNAL_HEADERS and clang's builtin headers stand in.
        arguments.Add("-nostdinc");
        arguments.Add("-ffreestanding");
        arguments.Add("-fblocks");
        arguments.Add("-fno-builtin");
        arguments.Add("-fno-common");
        // clang 18 and later define TARGET_OS_MAC and the other TARGET_OS_* macros for Darwin targets (and know the
        // flag that stops it); GCC and clang 14 define none, and clang 14 rejects the flag as unknown.
        if (setup.GccBuilt && request.ClangMajorVersion is null or >= 18)
        {
            arguments.Add("-fno-define-target-os-macros");
        }

        var defines = new List<string>();
        // GCC's own stdarg.h, which GCC-built trees carry (xnu-792's EXTERNAL_HEADERS/stdarg.h, found before clang's),
        // writes va_start with __builtin_next_arg, a GCC builtin clang lacks: the address just past the last named
        // argument, which is where i386's stack-walking va_list (a char *) starts.
        if (setup.GccBuilt)
        {
            defines.Add("-D__builtin_next_arg(last)=((void *)((char *)&(last) + sizeof(last)))");
        }
        var fromMakeDefs = makeDefs.LiteralFlags("DEFINES", substitutions).Where(f => f.StartsWith("-D", StringComparison.Ordinal)).ToList();
        defines.AddRange(fromMakeDefs.Count > 0 ? fromMakeDefs : BaseDefines);
        foreach (var required in BaseDefines.Where(d => d != "-Dvolatile=__volatile"))
        {
            defines.Add(required);
        }
        // MakeInc.def's CFLAGS add the platform's defines (xnu-11417: -DXNU_TARGET_OS_OSX -DXNU_PLATFORM_MacOSX);
        // without them every `#if XNU_TARGET_OS_OSX` shows its embedded branch.
        foreach (var variable in new[] { "DEPLOYMENT_TARGET_FLAGS", "DEPLOYMENT_TARGET_DEFINES" })
        {
            defines.AddRange(makeDefs.LiteralFlags(variable, substitutions).Where(f => f.StartsWith("-D", StringComparison.Ordinal)));
        }
        defines.AddRange(makeDefs.LiteralFlags("CFLAGS_" + arch.ToUpperInvariant(), substitutions).Where(f => f.StartsWith("-D", StringComparison.Ordinal)));
        if (makeDefs.Words("CFLAGS_" + arch.ToUpperInvariant()).Count == 0)
        {
            defines.AddRange(Architecture.Named(arch).KernelDefines);
        }
        // arm64 code needs a board: proc_reg.h stops with "processor not supported" without one (MachineConfigs.cs).
        defines.AddRange(setup.Machine.Defines);
        defines.AddRange(config.For(subsystem).DefinesFor(subsystem).Select(d => "-D" + d));
        var ownOptions = inBuild ? [] : UnbuiltFileOptions(setup.Files, relative, config.For(subsystem)).ToImmutableArray();
        defines.AddRange(ownOptions.Select(o => (o[0] == '+' ? "-D" : "-U") + o[1..]));
        var configurationFlags = ConfigurationFlags(config.Name, arch, makeDefs).ToList();
        defines.AddRange(configurationFlags.Where(f => f.StartsWith("-D", StringComparison.Ordinal)));
        arguments.AddRange(configurationFlags.Where(f => !f.StartsWith("-D", StringComparison.Ordinal)));
        var configFolder = setup.ConfigFolders[config.Name];

        // No -I for the unit's own folder: XNU's "-I." is the object folder (here: the config folder), and the
        // source folder on the path would let osfmk/i386/*.h shadow headers of the same name.
        var includes = new List<string>();
        if (configFolder.MetaFolders.TryGetValue(subsystem, out var meta))
        {
            includes.Add("-I" + meta);
        }
        includes.Add("-I" + configFolder.Folder);
        if (Probe.Folder(setup.Folders.MigOf(subsystem)))
        {
            includes.Add("-I" + setup.Folders.MigOf(subsystem));
        }
        includes.Add("-I" + setup.Folders.Mig);
        if (Probe.Folder(setup.Folders.ExternalOf(subsystem)))
        {
            includes.Add("-I" + setup.Folders.ExternalOf(subsystem));
        }
        var preIncludes = new List<string> { "-include", configFolder.Prelude };
        var makefileIncludes = new List<string>();
        if (templates.TryGetValue(subsystem, out var template))
        {
            var flags = template.LiteralFlags("CFLAGS", substitutions);
            var templateDefines = flags.Where(f => f.StartsWith("-D", StringComparison.Ordinal) || f.StartsWith("-U", StringComparison.Ordinal)).ToList();
            defines.AddRange(templateDefines.Count > 0 ? templateDefines : FallbackSubsystemDefines.GetValueOrDefault(subsystem, []));
            for (var i = 0; i < flags.Count; i++)
            {
                if (flags[i] is "-include" or "-imacros")
                {
                    preIncludes.Add(flags[i]);
                    preIncludes.Add(flags[++i]);
                }
            }
            makefileIncludes.AddRange(template.LiteralFlags("INCFLAGS_MAKEFILE", substitutions)
                .Where(f => f.StartsWith("-I", StringComparison.Ordinal))
                .Select(f => "-I" + Path.GetFullPath(f[2..])));
            // Per-object flags (vm_map.o: -DVM_UNSAFE_TYPES; cccbc.o: -I EXTERNAL_HEADERS/corecrypto).
            var objectFlags = template.ObjectFlags(Path.GetFileNameWithoutExtension(path) + ".o", substitutions);
            defines.AddRange(objectFlags.Where(f => !f.StartsWith("-I", StringComparison.Ordinal)));
            makefileIncludes.AddRange(objectFlags.Where(f => f.StartsWith("-I", StringComparison.Ordinal)).Select(f => "-I" + Path.GetFullPath(f[2..])));
        }
        else
        {
            defines.AddRange(FallbackSubsystemDefines.GetValueOrDefault(subsystem, []));
        }
        if (PrivateDefine.TryGetValue(subsystem, out var own))
        {
            defines.Add(own);
        }
        // The subsystem's own root first (INCFLAGS_GEN), then the others as the export folders would hold them.
        if (setup.Present.Contains(subsystem))
        {
            includes.Add("-I" + Path.Combine(root, subsystem));
        }
        foreach (var other in setup.Present.Where(s => s != subsystem))
        {
            includes.Add("-I" + Path.Combine(root, other));
        }
        // INCFLAGS = LOCAL GEN IMPORT EXTERN MAKEFILE: the template's own folders come last (osfmk's libsa would
        // otherwise shadow <machine/types.h>).
        if (setup.HasExternalHeaders)
        {
            includes.Add("-I" + Path.Combine(root, "EXTERNAL_HEADERS"));
        }
        includes.AddRange(makefileIncludes);
        includes.Add("-I" + setup.Folders.StandIns);
        if (request.ResourceDirectory is not null)
        {
            includes.Add("-isystem");
            includes.Add(Path.Combine(request.ResourceDirectory, "include"));
        }

        // One flag once, the last -D of a name winning as in a compiler command line.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var define in defines)
        {
            if (seen.Add(define))
            {
                arguments.Add(define);
            }
        }
        seen.Clear();
        for (var i = 0; i < includes.Count; i++)
        {
            if (includes[i] == "-isystem")
            {
                arguments.Add(includes[i]);
                arguments.Add(includes[++i]);
            }
            else if (seen.Add(includes[i]))
            {
                arguments.Add(includes[i]);
            }
        }
        if (language != SourceLanguage.Assembly)
        {
            foreach (var pre in preIncludes)
            {
                arguments.Add(pre);
            }
        }
        arguments.Add("-ferror-limit=0");
        arguments.Add("-Wno-everything");
        return new SourceUnit
        {
            Path = path,
            RelativePath = relative,
            Language = language,
            Arch = arch,
            Arguments = arguments.ToImmutable(),
            Subsystem = Model.Subsystems.Of(relative),
            Origin = Name,
            Configuration = config.Name,
            InBuild = setup.Files.HasLists ? inBuild : null,
            OwnOptions = ownOptions,
        };
    }
}
