using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// One arm64 board a scan parses units again for, besides the one it scans (<see cref="MachineConfigs"/>): its
/// MakeInc.def flags, whether it is an SPTM board, the macros board_config.h gives it, and its configurations.
/// </summary>
/// <param name="Macros">What board_config.h and the SoC headers it includes define for the board (XNU_MONITOR, KERNEL_INTEGRITY_CTRR…).</param>
/// <param name="Configs">The kernel configurations as this board's doconf selects them (an SPTM board's have config_sptm, not config_pmap_ppl).</param>
public sealed record PlatformBoard(MachineConfig Machine, bool Sptm, ImmutableDictionary<string, string> Macros, ImmutableArray<XnuConfig> Configs,
    IReadOnlyDictionary<string, ConfigHeaders.ConfigFolder> ConfigFolders)
{
    public string Name => Machine.Name;
}

/// <summary>
/// arm64 platform options — XNU_MONITOR (the PPL) or CONFIG_SPTM, KERNEL_INTEGRITY_KTRR/CTRR, the SoC's HAS_* — are
/// not kernel configurations: XNU builds a kernel per board, MakeInc.def's `MACHINE_FLAGS_ARM64_&lt;BOARD&gt;` passes
/// `-DARM64_BOARD_CONFIG_&lt;BOARD&gt;`, pexpert/pexpert/arm64/board_config.h turns it into the board's macros, and a board
/// of MakeInc.def's `SPTM_ENABLED_SOCS_&lt;PLATFORM&gt;` is configured with doconf's `-sptm` (MASTER's config_sptm). A scan
/// parses one board (<see cref="MachineConfigs.Choose"/>); these are the others it parses a unit again for where the
/// unit's own conditionals test a macro the board changes. Everything is read from the tree: trees with no arm64
/// boards (xnu-792, xnu-2050) have none.
/// </summary>
public static partial class PlatformBoards
{
    private const string BoardConfig = "pexpert/pexpert/arm64/board_config.h";

    /// <summary>`none` for --boards: parse every unit for the scanned board only.</summary>
    public const string NoneName = "none";

    /// <summary>Whether MakeInc.def lists NAME among the SoCs built with SPTM for a Mac (`SPTM_ENABLED_SOCS_MacOSX = t6041 t8132`).</summary>
    public static bool IsSptm(string name, MakefileVariables makeDefs) =>
        makeDefs.Words("SPTM_ENABLED_SOCS_MacOSX").Contains(name.ToLowerInvariant());

    /// <summary>
    /// The boards to parse again for, besides SCANNED: the REQUESTED ones (--boards; empty: none), or by default the
    /// first board of the tree's list that runs the PPL (board_config.h defines XNU_MONITOR) and the first SPTM board
    /// — the two pmaps the scanned board (xnu-11417: VMAPPLE, which has neither) does not compile.
    /// <paramref name="board"/> makes a board from its machine configuration.
    /// </summary>
    public static Checked<ImmutableArray<PlatformBoard>> Choose(string root, string arch, PlatformBoard scanned, MakefileVariables makeDefs,
        ImmutableArray<string>? requested, Func<MachineConfig, Checked<PlatformBoard>> board)
    {
        InputError? failed = null;
        PlatformBoard? Make(string name)
        {
            var checkedBoard = board(MachineConfigs.Choose(root, arch, name).Value!);
            failed ??= checkedBoard.Error;
            return checkedBoard.Value;
        }
        var known = MachineConfigs.Known(root, arch);
        if (known.IsEmpty)
        {
            return Checked<ImmutableArray<PlatformBoard>>.Of([]);
        }
        if (requested is { } names)
        {
            var chosen = ImmutableArray.CreateBuilder<PlatformBoard>();
            foreach (var name in names)
            {
                var match = known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
                if (match is null)
                {
                    return new InputError($"--boards {string.Join(',', names)}: {name} is not a board of {root} for {arch} (known: {string.Join(", ", known)})");
                }
                if (match != scanned.Name && chosen.All(c => c.Name != match) && Make(match) is { } made)
                {
                    chosen.Add(made);
                }
            }
            return failed is not null ? failed : Checked<ImmutableArray<PlatformBoard>>.Of(chosen.ToImmutable());
        }
        var candidates = known.Where(k => k != scanned.Name && MachineConfigs.Usable(root, arch, k)).ToList();
        var defaults = ImmutableArray.CreateBuilder<PlatformBoard>();
        if (!Truthy(scanned.Macros, "XNU_MONITOR") && candidates.Where(k => !IsSptm(k, makeDefs))
            .Select(Make).FirstOrDefault(b => b is not null && Truthy(b.Macros, "XNU_MONITOR")) is { } ppl)
        {
            defaults.Add(ppl);
        }
        if (!scanned.Sptm && candidates.FirstOrDefault(k => IsSptm(k, makeDefs)) is { } sptm && Make(sptm) is { } sptmBoard)
        {
            defaults.Add(sptmBoard);
        }
        return failed is not null ? failed : Checked<ImmutableArray<PlatformBoard>>.Of(defaults.ToImmutable());
    }

    /// <summary>The macros whose value differs between two boards (a macro only one defines included).</summary>
    public static HashSet<string> Varied(PlatformBoard a, PlatformBoard b)
    {
        var varied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in a.Macros)
        {
            if (!b.Macros.TryGetValue(name, out var other) || other != value)
            {
                varied.Add(name);
            }
        }
        foreach (var name in b.Macros.Keys)
        {
            if (!a.Macros.ContainsKey(name))
            {
                varied.Add(name);
            }
        }
        return varied;
    }

    /// <summary>Whether `#if NAME` is taken with MACROS.</summary>
    private static bool Truthy(ImmutableDictionary<string, string> macros, string name)
    {
        var conditionals = new Conditionals(macros);
        conditionals.Apply("if", name);
        return conditionals.Active;
    }

    /// <summary>
    /// board_config.h evaluated with PREDEFINED (`NAME` or `NAME=VALUE`: the board's -D flags, the configuration's
    /// options, the kernel's defines): every macro it and the pexpert headers it includes define, read as cpp would
    /// (<see cref="Conditionals"/>: an unknown name or function-like macro is 0). A tree without board_config.h gives
    /// the predefined macros only.
    /// </summary>
    public static ImmutableDictionary<string, string> Macros(string root, IEnumerable<string> predefined)
    {
        var macros = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var define in predefined)
        {
            var equals = define.IndexOf('=');
            macros[equals < 0 ? define : define[..equals]] = equals < 0 ? "1" : define[(equals + 1)..];
        }
        Evaluate(root, Path.Combine(root, BoardConfig), macros, depth: 0);
        return macros.ToImmutableDictionary(StringComparer.Ordinal);
    }

    private static void Evaluate(string root, string path, Dictionary<string, string> macros, int depth)
    {
        if (depth > 16 || !RegularFiles.Exists(path))
        {
            return;
        }
        string text;
        try
        {
            text = RegularFiles.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        text = Comment().Replace(text.Replace("\\\r\n", " ").Replace("\\\n", " "), " ");
        var conditionals = new Conditionals(macros);
        foreach (var line in text.Split('\n'))
        {
            var m = DirectiveLine().Match(line);
            if (!m.Success)
            {
                continue;
            }
            var (keyword, rest) = (m.Groups["name"].Value, m.Groups["rest"].Value.Trim());
            if (conditionals.Apply(keyword, rest) || !conditionals.Active)
            {
                continue;
            }
            var name = Identifier().Match(rest).Value;
            switch (keyword)
            {
                case "define" when name.Length > 0:
                    conditionals.Define(name, rest[name.Length..].Trim());
                    break;
                case "undef":
                    conditionals.Undefine(name);
                    break;
                case "include" when IncludePath().Match(rest) is { Success: true } include:
                    var relative = include.Groups["path"].Value;
                    var found = new[] { Path.Combine(root, "pexpert", relative), Path.Combine(root, "osfmk", relative) }.FirstOrDefault(RegularFiles.Exists);
                    if (found is not null)
                    {
                        var inner = new Dictionary<string, string>(conditionals.Defines, StringComparer.Ordinal);
                        Evaluate(root, found, inner, depth + 1);
                        foreach (var gone in conditionals.Defines.Keys.Where(k => !inner.ContainsKey(k)).ToList())
                        {
                            conditionals.Undefine(gone);
                        }
                        foreach (var (key, value) in inner)
                        {
                            conditionals.Define(key, value);
                        }
                    }
                    break;
            }
        }
        macros.Clear();
        foreach (var (key, value) in conditionals.Defines)
        {
            macros[key] = value;
        }
    }

    [GeneratedRegex(@"/\*.*?\*/|//[^\n]*", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^\s*#\s*(?<name>[a-z]+)\b(?<rest>.*)$")]
    private static partial Regex DirectiveLine();

    [GeneratedRegex(@"[A-Za-z_]\w*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^[<""](?<path>pexpert/[^>""]+)[>""]")]
    private static partial Regex IncludePath();
}
