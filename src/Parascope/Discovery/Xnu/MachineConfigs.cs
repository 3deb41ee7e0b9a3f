using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Parascope.Files;
using Parascope.Model;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// The machine (board) configuration a scan stands for, per arch, and where it came from. XNU builds an arm64 kernel
/// per board (`CURRENT_MACHINE_CONFIG`): MakeInc.def's `MACHINE_FLAGS_ARM64_&lt;NAME&gt;` passes `-DARM64_BOARD_CONFIG_&lt;NAME&gt;`,
/// and pexpert/arm64/board_config.h turns that into the SoC family (`#include &lt;pexpert/arm64/H13.h&gt;`, APPLEFIRESTORM…)
/// that osfmk/arm/proc_reg.h needs: without one every arm64 unit stops at "Incompatible CPU type configured".
/// Which boards a release knows changes every year, so the choice is read from the tree, never from a list of releases:
/// </summary>
/// <remarks>
/// 1. `--machine-config NAME`, when the tree knows NAME;
/// 2. the build's default, `DEFAULT_&lt;ARCH&gt;_MACHINE_CONFIG` in makedefs/MakeInc.top (its last assignment: the device
///    branch, not the simulator's or host's NONE) — xnu-8792 on: VMAPPLE, the virtual Mac whose SoC header the public
///    tree carries; xnu-6153/7195: T7000;
/// 3. else the first of MakeInc.def's `SUPPORTED_&lt;ARCH&gt;_MACHINE_CONFIGS` whose board header the tree carries;
/// 4. else the first `#ifdef ARM64_BOARD_CONFIG_&lt;NAME&gt;` block of board_config.h whose SoC header the tree carries
///    (xnu-4570, whose makefiles name no arm64 board).
/// x86 kernels have one machine configuration, NONE, which adds no flag.
/// </remarks>
public static partial class MachineConfigs
{
    public const string None = "NONE";

    private const string MakeIncTop = "makedefs/MakeInc.top";
    private const string MakeIncDef = "makedefs/MakeInc.def";
    private const string BoardConfig = "pexpert/pexpert/arm64/board_config.h";

    /// <summary>Every machine configuration the tree names for ARCH (makefile lists, MACHINE_FLAGS variables, board_config.h blocks), NONE excepted, in the order first named.</summary>
    public static ImmutableArray<string> Known(string root, string arch)
    {
        var upper = MakeArch(arch);
        var names = new List<string>();
        foreach (var (_, value) in Assignments(root, MakeIncDef, $"SUPPORTED_{upper}_MACHINE_CONFIGS"))
        {
            names.AddRange(value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        }
        foreach (var line in Lines(root, MakeIncDef))
        {
            var m = MachineFlagsName().Match(line);
            if (m.Success && m.Groups["arch"].Value == upper)
            {
                names.Add(m.Groups["name"].Value);
            }
        }
        if (BoardPrefix(arch) is { } prefix)
        {
            // A board the makefiles reach through another name's flags (T8122: -DARM64_BOARD_CONFIG_T8122_T8130) is not a name of its own.
            var reached = names.SelectMany(n => Assignments(root, MakeIncDef, $"MACHINE_FLAGS_{upper}_{n}"))
                .SelectMany(a => a.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                .Where(w => w.StartsWith("-D" + prefix, StringComparison.Ordinal)).Select(w => w[(2 + prefix.Length)..]).ToHashSet(StringComparer.Ordinal);
            names.AddRange(Boards(root, prefix).Select(b => b.Name).Where(b => !reached.Contains(b) || names.Contains(b)));
        }
        return [.. names.Where(n => n != None && n.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The configuration to parse ARCH with (REQUESTED when given), or an input error naming the known ones.</summary>
    public static Checked<MachineConfig> Choose(string root, string arch, string? requested)
    {
        var known = Known(root, arch);
        if (requested is not null)
        {
            var name = known.FirstOrDefault(k => string.Equals(k, requested, StringComparison.OrdinalIgnoreCase));
            if (name is null && known.IsEmpty && string.Equals(requested, None, StringComparison.OrdinalIgnoreCase))
            {
                return Checked<MachineConfig>.Of(new MachineConfig(arch, None, [], "--machine-config", null, known));
            }
            if (name is null)
            {
                return new InputError(known.IsEmpty
                    ? $"--machine-config {requested}: {root} names no {arch} machine configuration (NONE only)"
                    : $"--machine-config {requested}: not a machine configuration of {root} for {arch} (known: {string.Join(", ", known)})");
            }
            return Checked<MachineConfig>.Of(Configure(root, arch, name, "--machine-config", known));
        }
        if (known.IsEmpty)
        {
            return Checked<MachineConfig>.Of(new MachineConfig(arch, None, [], "no machine configuration in the tree's makefiles", null, known));
        }
        var upper = MakeArch(arch);
        if (Last(root, MakeIncTop, $"DEFAULT_{upper}_MACHINE_CONFIG") is { Value: var chosen } top
            && known.Contains(chosen) && Usable(root, arch, chosen))
        {
            return Checked<MachineConfig>.Of(Configure(root, arch, chosen, $"{MakeIncTop}:{top.Line} DEFAULT_{upper}_MACHINE_CONFIG", known));
        }
        foreach (var (line, value) in Assignments(root, MakeIncDef, $"SUPPORTED_{upper}_MACHINE_CONFIGS"))
        {
            if (value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(n => n != None && Usable(root, arch, n)) is { } first)
            {
                return Checked<MachineConfig>.Of(Configure(root, arch, first, $"{MakeIncDef}:{line} SUPPORTED_{upper}_MACHINE_CONFIGS (first the tree has a board header for)", known));
            }
        }
        if (BoardPrefix(arch) is { } prefix && Boards(root, prefix).FirstOrDefault(b => b.HeadersPresent) is { } board)
        {
            return Checked<MachineConfig>.Of(Configure(root, arch, board.Name, $"{BoardConfig}:{board.Line} (first board whose SoC header the tree carries)", known));
        }
        var any = known[0];
        return Checked<MachineConfig>.Of(Configure(root, arch, any, "first machine configuration the tree names (no board header found)", known));
    }

    private static MachineConfig Configure(string root, string arch, string name, string source, ImmutableArray<string> known)
    {
        var upper = MakeArch(arch);
        var variable = $"MACHINE_FLAGS_{upper}_{name}";
        ImmutableArray<string> defines;
        string flagsFrom;
        if (Last(root, MakeIncDef, variable) is { Value: var value } flags)
        {
            defines = [.. value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith("-D", StringComparison.Ordinal) && !w.Contains('$'))];
            flagsFrom = $"{MakeIncDef}:{flags.Line} {variable}";
        }
        else
        {
            // xnu-4570's makefiles name no board: the define board_config.h tests is the build's convention.
            defines = BoardPrefix(arch) is { } prefix ? ImmutableArray.Create($"-D{prefix}{name}") : ImmutableArray<string>.Empty;
            flagsFrom = $"{BoardConfig} ({variable} not in {MakeIncDef})";
        }
        var board = BoardPrefix(arch) is { } p ? Boards(root, p).FirstOrDefault(b => defines.Contains("-D" + p + b.Name)) : null;
        var soc = board?.Headers.FirstOrDefault() is { } header ? $"{header} ({BoardConfig}:{board.Line})" : null;
        return new MachineConfig(arch, name, defines, source, soc, known) { FlagsFrom = flagsFrom };
    }

    /// <summary>A board is usable when board_config.h's block for it includes only headers the tree carries (or it has no block: x86, old trees).</summary>
    internal static bool Usable(string root, string arch, string name)
    {
        if (BoardPrefix(arch) is not { } prefix)
        {
            return true;
        }
        var boards = Boards(root, prefix);
        if (boards.IsEmpty)
        {
            return true;
        }
        // MACHINE_FLAGS may name another board define (T8122: -DARM64_BOARD_CONFIG_T8122_T8130).
        var defines = Last(root, MakeIncDef, $"MACHINE_FLAGS_{MakeArch(arch)}_{name}") is { Value: var v }
            ? v.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith("-D" + prefix, StringComparison.Ordinal)).Select(w => w[(2 + prefix.Length)..]).ToList()
            : [name];
        return boards.Any(b => defines.Contains(b.Name) && b.HeadersPresent);
    }

    private static string? BoardPrefix(string arch) =>
        Architecture.Named(arch).Family == InstructionFamily.Arm64 ? "ARM64_BOARD_CONFIG_" : null;

    /// <summary>The arch as MakeInc.def spells it in variable names (X86_64, ARM64, I386).</summary>
    private static string MakeArch(string arch) => arch.ToUpperInvariant();

    internal sealed record Board(string Name, int Line, ImmutableArray<string> Headers, bool HeadersPresent);

    /// <summary>board_config.h's `#ifdef PREFIX&lt;NAME&gt;` blocks with the pexpert headers each includes.</summary>
    internal static ImmutableArray<Board> Boards(string root, string prefix)
    {
        var lines = Lines(root, BoardConfig);
        var boards = ImmutableArray.CreateBuilder<Board>();
        for (var i = 0; i < lines.Length; i++)
        {
            var m = BoardBlock().Match(lines[i]);
            if (!m.Success || !m.Groups["name"].Value.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var headers = new List<string>();
            var depth = 1;
            for (var j = i + 1; j < lines.Length && depth > 0; j++)
            {
                var text = lines[j].TrimStart();
                if (Directive(text, "if"))
                {
                    depth++;
                }
                else if (Directive(text, "endif"))
                {
                    depth--;
                }
                else if (Include().Match(text) is { Success: true } include)
                {
                    headers.Add(include.Groups["path"].Value);
                }
            }
            var present = headers.All(h => RegularFiles.Exists(Path.Combine(root, "pexpert", h)) || RegularFiles.Exists(Path.Combine(root, "osfmk", h)));
            boards.Add(new Board(m.Groups["name"].Value[prefix.Length..], i + 1, [.. headers], present));
        }
        return boards.ToImmutable();

        static bool Directive(string text, string name) =>
            text.StartsWith('#') && text[1..].TrimStart().StartsWith(name, StringComparison.Ordinal);
    }

    /// <summary>`NAME = value` assignments (also `override NAME := value`, `export NAME ?= value`) with their 1-based lines.</summary>
    private static List<(int Line, string Value)> Assignments(string root, string relative, string name)
    {
        var found = new List<(int, string)>();
        var lines = Lines(root, relative);
        for (var i = 0; i < lines.Length; i++)
        {
            var m = Assignment().Match(lines[i]);
            if (m.Success && m.Groups["name"].Value == name)
            {
                var value = m.Groups["value"].Value;
                var hash = value.IndexOf('#');
                found.Add((i + 1, (hash >= 0 ? value[..hash] : value).Trim()));
            }
        }
        return found;
    }

    /// <summary>The last assignment of NAME, or null when the file has none.</summary>
    private static (int Line, string Value)? Last(string root, string relative, string name) =>
        Assignments(root, relative, name) is { Count: > 0 } found ? found[^1] : null;

    private static string[] Lines(string root, string relative)
    {
        var path = Path.Combine(root, relative);
        try
        {
            return RegularFiles.Exists(path) ? RegularFiles.ReadAllLines(path) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    [GeneratedRegex(@"^\s*(?:(?:override|export)\s+)*(?<name>[A-Za-z0-9_]+)\s*[:?]?=\s*(?<value>.*)$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^\s*MACHINE_FLAGS_(?<arch>[A-Z0-9_]+?)_(?<name>[A-Z0-9]+(?:_[A-Z0-9]+)*)\s*[:?]?=")]
    private static partial Regex MachineFlagsName();

    [GeneratedRegex(@"^\s*#\s*(?:ifdef\s+|if\s+defined\s*\(?\s*)(?<name>[A-Z0-9_]+_BOARD_CONFIG_[A-Za-z0-9_]+)")]
    private static partial Regex BoardBlock();

    [GeneratedRegex(@"^#\s*include\s*[<""](?<path>pexpert/[^>""]+)[>""]")]
    private static partial Regex Include();
}

/// <summary>The machine configuration one arch is parsed with: its name, its -D flags, and where each came from.</summary>
public sealed record MachineConfig(string Arch, string Name, ImmutableArray<string> Defines, string Source, string? SocHeader, ImmutableArray<string> Known)
{
    /// <summary>Where the -D flags were read (MakeInc.def's MACHINE_FLAGS_&lt;ARCH&gt;_&lt;NAME&gt; line).</summary>
    public string? FlagsFrom { get; init; }
}
