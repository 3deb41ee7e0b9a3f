using System.Collections.Immutable;
using Parascope.Files;

namespace Parascope.Discovery.Xnu;

/// <summary>
/// XNU's config step emulated: the options a RELEASE kernel of one arch has, read from the tree's MASTER files
/// the way SETUP/config/doconf selects them (`# NAME = [ tags ]` definitions expanded, a line tagged `&lt;a,b&gt;`
/// kept when a or b is selected, `&lt;!a,b&gt;` when neither is, untagged lines always), and the option
/// headers each subsystem's conf/files asks for (`OPTIONS/mach_assert optional mach_assert` → mach_assert.h
/// holding `#define MACH_ASSERT 0|1`). Without this step most units miss mach_assert.h and friends and see the
/// wrong #if branches (measured: the largest single gain in clean units).
/// </summary>
public sealed record XnuConfig
{
    /// <summary>Options that become -D flags (CONFIG_DEFINES): NAME or NAME=VALUE.</summary>
    public required ImmutableArray<string> Defines { get; init; }
    /// <summary>Option headers: file name (e.g. mach_assert.h) → macro and value.</summary>
    public required ImmutableSortedDictionary<string, (string Macro, int Value)> OptionHeaders { get; init; }
    /// <summary>Every option selected, by name (both those in Defines and those in option headers).</summary>
    public ImmutableHashSet<string> Selected { get; init; } = [];
    /// <summary>Options and pseudo-devices selected, lower case, as conf/files lines name them (`optional mach_kdb`).</summary>
    public ImmutableHashSet<string> Requirements { get; init; } = [];
    /// <summary>The kernel configuration emulated: RELEASE, DEVELOPMENT, DEBUG or KASAN.</summary>
    public string Name { get; init; } = Release;
    /// <summary>
    /// The selected `maxusers N` line of old MASTER files (xnu-792 … xnu-2050: bsd/conf/MASTER, `maxusers 32 # &lt;medium&gt;`),
    /// which config writes into confdep.h as `#define MAXUSERS N` for bsd/conf/param.c; null when no line is selected.
    /// </summary>
    public int? MaxUsers { get; init; }

    public const string Release = "RELEASE";

    /// <summary>
    /// The configurations a file may be parsed in, in order of preference: RELEASE (what ships) first, then the
    /// internal ones that build more files (tests, debuggers, KASAN's runtime).
    /// </summary>
    public static readonly ImmutableArray<string> Configurations = [Release, "DEVELOPMENT", "DEBUG", "KASAN"];
    /// <summary>MASTER files read, relative to the root (empty when the tree has none).</summary>
    public required ImmutableArray<string> Sources { get; init; }

    public static readonly XnuConfig Empty = new()
    {
        Defines = [],
        OptionHeaders = ImmutableSortedDictionary<string, (string, int)>.Empty,
        Sources = [],
    };

    /// <summary>
    /// Modern trees keep one config/MASTER (+ MASTER.arch[.platform]); old ones (xnu-792 … xnu-2050) one per
    /// subsystem in SUBSYSTEM/conf/. Both are read, merged: an option selected anywhere is selected, and every option
    /// header any conf/files asks for is written. In old trees a subsystem's options (its -D flags, which files it
    /// builds) come from its own MASTER only, as each subsystem was configured on its own: osfmk's MACH_KERNEL
    /// must not reach iokit, whose IOTypes.h declares io_object_t only #ifndef MACH_KERNEL.
    /// </summary>
    /// <param name="sptm">
    /// The board is one of MakeInc.def's SPTM_ENABLED_SOCS: doconf is given `-sptm`, which unifdefs MASTER with
    /// MASTER_CONFIG_ENABLE_SPTM (xnu-11417's MASTER.arm64.MacOSX: config_sptm instead of config_pmap_ppl).
    /// </param>
    public static XnuConfig Read(string root, string arch, IReadOnlyList<string> subsystems, string configuration = Release, bool sptm = false)
    {
        var merged = ReadMerged(root, arch, subsystems, configuration, sptm);
        if (RegularFiles.Exists(Path.Combine(root, "config", "MASTER")))
        {
            return merged;
        }
        var own = subsystems
            .Where(s => RegularFiles.Exists(Path.Combine(root, s, "conf", "MASTER")))
            .ToImmutableDictionary(s => s, s => ReadMerged(root, arch, [s], configuration, sptm), StringComparer.Ordinal);
        return merged with { BySubsystem = own };
    }

    /// <summary>The -D options of a subsystem with conf/files lists: every option without a header in its own lists.</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> DefinesBySubsystem { get; init; } = ImmutableDictionary<string, ImmutableArray<string>>.Empty;

    /// <summary>The option headers each subsystem's own conf/files lists ask for (what its meta_features.h includes).</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> HeadersBySubsystem { get; init; } =
        ImmutableSortedDictionary<string, ImmutableSortedSet<string>>.Empty;

    /// <summary>The -D options a unit of SUBSYSTEM gets.</summary>
    public ImmutableArray<string> DefinesFor(string subsystem) => DefinesBySubsystem.TryGetValue(subsystem, out var own) ? own : Defines;

    /// <summary>Per-subsystem configurations of old trees (empty for modern ones).</summary>
    public ImmutableDictionary<string, XnuConfig> BySubsystem { get; init; } = ImmutableDictionary<string, XnuConfig>.Empty;

    /// <summary>The configuration a unit of SUBSYSTEM is compiled with.</summary>
    public XnuConfig For(string subsystem) => BySubsystem.TryGetValue(subsystem, out var own) ? own : this;

    private static XnuConfig ReadMerged(string root, string arch, IReadOnlyList<string> subsystems, string configuration, bool sptm)
    {
        var masterPairs = new List<(string Master, string? MasterArch)>();
        AddMaster(masterPairs, Path.Combine(root, "config"), arch);
        foreach (var subsystem in subsystems)
        {
            AddMaster(masterPairs, Path.Combine(root, subsystem, "conf"), arch);
        }
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        var devices = new Dictionary<string, int>(StringComparer.Ordinal);
        var sources = ImmutableArray.CreateBuilder<string>();
        int? maxUsers = null;
        foreach (var (master, masterArch) in masterPairs)
        {
            sources.Add(SourceFiles.Relative(root, master));
            if (masterArch is not null)
            {
                sources.Add(SourceFiles.Relative(root, masterArch));
            }
            maxUsers = Select(ReadMasterLines(master, arch, sptm).Concat(masterArch is null ? [] : ReadMasterLines(masterArch, arch, sptm)).ToList(),
                configuration, options, devices) ?? maxUsers;
        }

        var headers = ImmutableSortedDictionary.CreateBuilder<string, (string, int)>(StringComparer.Ordinal);
        var selectedLower = new HashSet<string>(options.Keys.Select(k => k.ToLowerInvariant()), StringComparer.Ordinal);
        // config's mkheaders: every conf/files line's first required word W gets W.h. A pseudo-device of MASTER
        // gives `#define NW count` (bpfilter.h: NBPFILTER 4), an OPTIONS/W option `#define W 0|1`, anything else
        // `#define NW 0`. conf/files and conf/files.ARCH both count (xnu-792's db_machine_commands.h: files.i386).
        var needsBySubsystem = subsystems.ToDictionary(s => s,
            s => new[] { "files", "files." + arch }.SelectMany(f => NeededWords(Path.Combine(root, s, "conf", f))).ToList(), StringComparer.Ordinal);
        var needs = needsBySubsystem.Values.SelectMany(n => n).ToList();
        var optionWords = needs.Where(n => n.IsOption).Select(n => n.Word).ToHashSet(StringComparer.Ordinal);
        foreach (var (word, _) in needs)
        {
            var macro = word.ToUpperInvariant();
            headers[word + ".h"] = devices.TryGetValue(word, out var count) ? ("N" + macro, count)
                : optionWords.Contains(word) ? (macro, selectedLower.Contains(word) ? 1 : 0)
                : ("N" + macro, 0);
        }
        // Pseudo-devices no list names still get their count header (loop.h: NLOOP, pty.h: NPTY).
        foreach (var (device, count) in devices)
        {
            if (!headers.ContainsKey(device + ".h") && device.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                headers[device + ".h"] = ("N" + device.ToUpperInvariant(), count);
            }
        }
        // An option with a header in a subsystem's lists is that header's macro there, and a -D flag elsewhere: config
        // runs per subsystem (osfmk's units see no config_kcov.h from san's list, and `#ifdef CONFIG_KCOV` stays false).
        ImmutableArray<string> DefinesWithout(IEnumerable<string> headerNames)
        {
            var macros = headerNames.Where(headers.ContainsKey).Select(h => headers[h].Item1).ToHashSet(StringComparer.Ordinal);
            return options
                .Where(o => !macros.Contains(o.Key))
                .OrderBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => o.Value is null ? o.Key : $"{o.Key}={o.Value.Trim('"')}")
                .ToImmutableArray();
        }
        var headersBySubsystem = needsBySubsystem.Where(n => n.Value.Count > 0).ToImmutableSortedDictionary(
            n => n.Key, n => n.Value.Select(w => w.Word + ".h").ToImmutableSortedSet(StringComparer.Ordinal), StringComparer.Ordinal);
        return new XnuConfig
        {
            Defines = DefinesWithout(headers.Keys),
            DefinesBySubsystem = headersBySubsystem.ToImmutableDictionary(h => h.Key, h => DefinesWithout(h.Value), StringComparer.Ordinal),
            HeadersBySubsystem = headersBySubsystem,
            OptionHeaders = headers.ToImmutable(),
            Sources = sources.ToImmutable(),
            Selected = options.Keys.ToImmutableHashSet(StringComparer.Ordinal),
            Requirements = options.Keys.Concat(devices.Keys).Select(k => k.ToLowerInvariant()).ToImmutableHashSet(StringComparer.Ordinal),
            Name = configuration,
            MaxUsers = maxUsers,
        };
    }

    private static void AddMaster(List<(string, string?)> pairs, string folder, string arch)
    {
        var master = Path.Combine(folder, "MASTER");
        if (!RegularFiles.Exists(master))
        {
            return;
        }
        // doconf's order: MASTER.cpu.soc.platform, MASTER.cpu.soc, MASTER.cpu.platform, MASTER.cpu. A scan stands
        // for a Mac (platform MacOSX) and no particular SoC.
        string? masterArch = null;
        foreach (var candidate in new[] { $"MASTER.{arch}.MacOSX", $"MASTER.{arch}" })
        {
            if (RegularFiles.Exists(Path.Combine(folder, candidate)))
            {
                masterArch = Path.Combine(folder, candidate);
                break;
            }
        }
        pairs.Add((master, masterArch));
    }

    /// <summary>MASTER lines after doconf's unifdef (-DPLATFORM_MacOSX -DCPU_arch, -DMASTER_CONFIG_ENABLE_SPTM for SPTM boards; every other symbol undefined).</summary>
    private static IEnumerable<string> ReadMasterLines(string path, string arch, bool sptm)
    {
        string[] lines;
        try
        {
            lines = RegularFiles.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        var defined = new HashSet<string>(StringComparer.Ordinal) { "PLATFORM_MacOSX", "CPU_" + arch, "SYS_RELEASE" };
        if (sptm)
        {
            defined.Add("MASTER_CONFIG_ENABLE_SPTM");
        }
        var stack = new Stack<(bool Parent, bool Taken, bool Active)>();
        var active = true;
        foreach (var line in lines)
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("#if", StringComparison.Ordinal) || trimmed.StartsWith("#ifdef", StringComparison.Ordinal) || trimmed.StartsWith("#ifndef", StringComparison.Ordinal))
            {
                var value = Evaluate(trimmed, defined);
                stack.Push((active, value, active && value));
                active = active && value;
                continue;
            }
            if (trimmed.StartsWith("#elif", StringComparison.Ordinal) && stack.Count > 0)
            {
                var (parent, taken, _) = stack.Pop();
                var value = !taken && Evaluate("#if" + trimmed["#elif".Length..], defined);
                stack.Push((parent, taken || value, parent && value));
                active = parent && value;
                continue;
            }
            if (trimmed.StartsWith("#else", StringComparison.Ordinal) && stack.Count > 0)
            {
                var (parent, taken, _) = stack.Pop();
                stack.Push((parent, true, parent && !taken));
                active = parent && !taken;
                continue;
            }
            if (trimmed.StartsWith("#endif", StringComparison.Ordinal) && stack.Count > 0)
            {
                active = stack.Pop().Parent;
                continue;
            }
            if (active)
            {
                yield return line;
            }
        }
    }

    private static bool Evaluate(string directive, HashSet<string> defined)
    {
        var text = directive;
        var comment = text.IndexOf("/*", StringComparison.Ordinal);
        if (comment >= 0)
        {
            text = text[..comment];
        }
        if (text.StartsWith("#ifdef", StringComparison.Ordinal))
        {
            return defined.Contains(text["#ifdef".Length..].Trim());
        }
        if (text.StartsWith("#ifndef", StringComparison.Ordinal))
        {
            return !defined.Contains(text["#ifndef".Length..].Trim());
        }
        // `#if A || B && C`: enough for the conditions MASTER files use (symbols, ||, &&, !, defined()).
        return text["#if".Length..].Split("||").Any(any => any.Split("&&").All(term =>
        {
            var t = term.Trim().Replace("defined", string.Empty, StringComparison.Ordinal).Trim('(', ')', ' ');
            var negate = t.StartsWith('!');
            var name = t.TrimStart('!').Trim('(', ')', ' ');
            return defined.Contains(name) != negate;
        }));
    }

    /// <summary>Adds the options and pseudo-devices LINES select; returns the last selected `maxusers` value, if any.</summary>
    private static int? Select(List<string> lines, string configuration, Dictionary<string, string?> options, Dictionary<string, int> devices)
    {
        int? maxUsers = null;
        var definitions = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            // `#  RELEASE = [ BASE KERNEL_RELEASE … ]`
            var text = line.TrimStart('#').Trim();
            var equals = text.IndexOf('=');
            var open = text.IndexOf('[');
            var close = text.LastIndexOf(']');
            if (!line.StartsWith('#') || equals <= 0 || open < equals || close < open)
            {
                continue;
            }
            var name = text[..equals].Trim();
            if (name.Length == 0 || name.Contains(' '))
            {
                continue;
            }
            var tags = text[(open + 1)..close].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            definitions[name] = definitions.TryGetValue(name, out var earlier) ? [.. earlier, .. tags] : tags;
        }
        var selected = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        // Old trees keep one MASTER per subsystem, and not every one defines every configuration (xnu-792's bsd has
        // no DEVELOPMENT): such a subsystem is built as RELEASE.
        pending.Push(definitions.ContainsKey(configuration) ? configuration : Release);
        while (pending.Count > 0)
        {
            var tag = pending.Pop();
            if (definitions.TryGetValue(tag, out var expansion))
            {
                if (selected.Add("=" + tag))
                {
                    foreach (var part in expansion)
                    {
                        pending.Push(part);
                    }
                }
            }
            else
            {
                selected.Add(tag);
            }
        }
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            var body = line;
            var hash = line.IndexOf('#');
            string? tagList = null;
            if (hash >= 0)
            {
                body = line[..hash];
                var lt = line.LastIndexOf('<');
                var gt = line.LastIndexOf('>');
                if (lt > hash && gt > lt && line[(gt + 1)..].Trim().Length == 0)
                {
                    tagList = line[(lt + 1)..gt];
                }
            }
            if (tagList is not null)
            {
                var negate = tagList.StartsWith('!');
                var any = tagList.TrimStart('!').Split(',').Any(t => selected.Contains(t.Trim()));
                if (any == negate)
                {
                    continue;
                }
            }
            var words = body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2)
            {
                continue;
            }
            if (words[0] == "options")
            {
                foreach (var option in SplitOptionList(string.Join(' ', words[1..])))
                {
                    // Old MASTER files quote some names: options "INET6".
                    var o = option.Trim().Replace("\"", string.Empty, StringComparison.Ordinal);
                    var eq = o.IndexOf('=');
                    if (eq > 0)
                    {
                        options[o[..eq].Trim()] = o[(eq + 1)..].Trim();
                    }
                    else if (o.Length > 0)
                    {
                        options[o] = null;
                    }
                }
            }
            else if (words[0] == "pseudo-device")
            {
                devices[words[1].Trim('"')] = words.Length > 2 && int.TryParse(words[2], out var count) ? count : 1;
            }
            else if (words[0] == "maxusers" && int.TryParse(words[1], out var users))
            {
                maxUsers = users;
            }
        }
        return maxUsers;
    }

    /// <summary>
    /// `options A, B=1, C="{97, 241}"`: commas separate options except inside quotes or braces (xnu-2050's
    /// KAUTH_CRED_PRIMES is one option whose value is a list).
    /// </summary>
    private static IEnumerable<string> SplitOptionList(string text)
    {
        var start = 0;
        var quoted = false;
        var braces = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] == ',' && !quoted && braces == 0))
            {
                if (text[start..i].Trim() is { Length: > 0 } option)
                {
                    yield return option;
                }
                start = i + 1;
                continue;
            }
            switch (text[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case '{':
                    braces++;
                    break;
                case '}':
                    braces--;
                    break;
            }
        }
    }

    /// <summary>
    /// The first required word of each `optional` line of a conf/files list (what config's mkmakefile keeps as the
    /// line's "needs"), and whether the line is an OPTIONS/ line.
    /// </summary>
    private static IEnumerable<(string Word, bool IsOption)> NeededWords(string files)
    {
        if (!RegularFiles.Exists(files))
        {
            return [];
        }
        try
        {
            var result = new List<(string, bool)>();
            foreach (var line in RegularFiles.ReadLines(files))
            {
                if (line.Length == 0 || line[0] == '#' || char.IsWhiteSpace(line[0]))
                {
                    continue;
                }
                var condition = ArchFiles.FileCondition.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
                var first = condition.Required.Concat(condition.Excluded).FirstOrDefault();
                if (first is not null && first.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                {
                    result.Add((first, line.StartsWith("OPTIONS/", StringComparison.Ordinal)));
                }
            }
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
