using System.Collections.Immutable;
using Parascope.Model;
using static Parascope.Detectors.Instructions.InstructionFindings;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// Instructions written in a macro body whose uses are known one by one: a parametric asm macro in C
/// (`#define SREG_READ(SR) … "mrs %0, " SR`), an assembler macro of a header (`#define PUSHF pushf`, GAS
/// `.macro SPILL_REGISTERS`, `msr $0, $2`). The body line is the one site a port changes: it is reported once,
/// there, with every use as an expansion (and, where a parameter gives the system register, the register that
/// use resolves it to). A definition whose text names no register takes its rule from its expansions (the most
/// severe); one no use resolves keeps the generic <c>arm64.sysreg-parameter</c> rule when it is an msr/mrs.
/// </summary>
internal sealed class MacroDefinitions(InstructionClassifier classifier)
{
    /// <summary>The rule of an msr/mrs whose register no known use resolves (rules/arm64.yaml).</summary>
    public const string ParameterRule = "arm64.sysreg-parameter";

    private sealed class Entry(string file, AsmStatement statement, InstructionFamily family)
    {
        public string File { get; } = file;
        public AsmStatement Statement { get; } = statement;
        public InstructionFamily Family { get; } = family;
        public InstructionMatch? Direct { get; set; }
        public bool Defined { get; set; }
        public bool Active { get; set; }
        public int Units { get; set; }
        public string? Condition { get; set; }
        public HashSet<string> Arches { get; } = new(StringComparer.Ordinal);
        public Dictionary<SiteReference, InstructionMatch?> Uses { get; } = new();
        public bool Unresolved { get; set; }
        public bool NotCompiled { get; set; }
    }

    private readonly Dictionary<(string File, int Line, int Column, string Text), Entry> _entries = new();
    private readonly object _lock = new();

    /// <summary>A statement of a macro body the scan saw (DIRECT: its own match, when the text names what it does).</summary>
    public void Definition(string file, AsmStatement statement, InstructionFamily family, InstructionMatch? direct, bool active, string? arch,
        int units = 1, IEnumerable<string>? arches = null, bool notCompiled = false)
    {
        lock (_lock)
        {
            var entry = EntryOf(file, statement, family);
            entry.Defined = true;
            entry.NotCompiled |= notCompiled;
            entry.Direct ??= direct;
            entry.Active |= active;
            entry.Units += active ? units : 0;
            if (!active)
            {
                entry.Condition ??= statement.Condition;
            }
            if (arch is not null)
            {
                entry.Arches.Add(arch);
            }
            if (arches is not null)
            {
                entry.Arches.UnionWith(arches);
            }
        }
    }

    /// <summary>One use of the macro that holds STATEMENT, with its arguments as written (empty: none, or unknown).</summary>
    public void Use(string file, AsmStatement statement, InstructionFamily family, SiteReference site, ImmutableArray<string> arguments, string? arch)
    {
        InstructionMatch? match = null;
        var unresolved = false;
        if (!statement.MacroParameters.IsEmpty)
        {
            if (arguments.IsEmpty || arguments.Any(IsParameter))
            {
                unresolved = true;
            }
            else
            {
                var text = Substitute(statement.Text, statement.MacroParameters, arguments);
                match = classifier.Classify(text, family, statement.IntelSyntax);
                unresolved = match is null && IsParameter(text);
            }
        }
        lock (_lock)
        {
            var entry = EntryOf(file, statement, family);
            var reference = match?.Register is { } register ? site with { Register = register } : site;
            entry.Uses.TryAdd(reference, match);
            entry.Unresolved |= unresolved;
            if (arch is not null)
            {
                entry.Arches.Add(arch);
            }
        }
    }

    private Entry EntryOf(string file, AsmStatement statement, InstructionFamily family)
    {
        var key = (file, statement.Line, statement.Column, statement.Text);
        if (!_entries.TryGetValue(key, out var entry))
        {
            _entries[key] = entry = new Entry(file, statement, family);
        }
        return entry;
    }

    /// <summary>Text still holding a macro parameter (`$0`, `\sreg`, `##n##`): an argument that is itself a parameter.</summary>
    private static bool IsParameter(string text)
    {
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (text[i] == '$' && char.IsAsciiDigit(text[i + 1]) && (i == 0 || !char.IsAsciiLetterOrDigit(text[i - 1])))
            {
                return true;
            }
            if (text[i] == '\\' && char.IsAsciiLetter(text[i + 1]))
            {
                return true;
            }
        }
        return text.Contains("##", StringComparison.Ordinal);
    }

    /// <summary>
    /// One rule for every view of a template whose system register is a parameter (`#define MRS(dest, reg) … "mrs %0, "
    /// reg`): each view's rule comes from the uses its units resolve — the scan's own units, each other configuration's
    /// and board's (T6000's code reads S3_5_C15_C1_1 where VMAPPLE's reads only *_EL1 registers), a shard's — but the
    /// definition is one site a port changes. So every view takes the most severe rule any view resolved (then the
    /// first by id: a choice that does not depend on how the views were split, so the merge of a sharded scan
    /// chooses the whole scan's), and the registers all views resolved; a template no view resolved keeps the generic
    /// rule. The merger then unites the views into one finding.
    /// </summary>
    public static IEnumerable<Finding> OneRulePerTemplate(IEnumerable<Finding> findings)
    {
        var views = findings.ToList();
        static bool IsTemplate(Finding f) => f.Context == SourceContext.AsmMacro && f.Properties.ContainsKey("register-parameter");
        var templates = views.Where(IsTemplate).GroupBy(f => (f.File, f.Line, f.Column, f.Detail)).SelectMany(g =>
        {
            var resolved = g.Where(f => f.RuleId != ParameterRule).ToList();
            if (resolved.Count == 0 || g.All(f => f.RuleId == resolved[0].RuleId))
            {
                return g.AsEnumerable();
            }
            var rule = resolved.OrderByDescending(f => f.Severity).ThenBy(f => f.RuleId, StringComparer.Ordinal).First();
            var registers = RegisterList(resolved.SelectMany(f => f.Properties.TryGetValue("registers", out var list) ? list.Split(", ") : []));
            var properties = registers.Length == 0 ? rule.Properties : rule.Properties.SetItem("registers", registers);
            return g.Select(f => rule with
            {
                Properties = properties,
                Active = f.Active,
                Units = f.Units,
                ViewUnits = f.ViewUnits,
                Arches = f.Arches,
                Configurations = f.Configurations,
                Platforms = f.Platforms,
                Expansions = f.Expansions,
                Condition = f.Condition,
                Walks = f.Walks,
            });
        });
        return views.Where(f => !IsTemplate(f)).Concat(templates);
    }

    /// <summary>The `registers` property of a definition: the registers its uses resolve, once each (any case), sorted.</summary>
    public static string RegisterList(IEnumerable<string> registers) =>
        string.Join(", ", registers.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal));

    /// <summary>An msr/mrs (or a SYS-family operation) whose operand a parameter gives: a site even before a use resolves it.</summary>
    private static bool IsSystemTemplate(AsmStatement statement)
    {
        if (statement.MacroParameters.IsEmpty)
        {
            return false;
        }
        var text = statement.Text.TrimStart();
        var end = 0;
        while (end < text.Length && char.IsAsciiLetter(text[end]))
        {
            end++;
        }
        var mnemonic = text[..end].ToLowerInvariant();
        if (mnemonic is not ("msr" or "mrs"))
        {
            return false;
        }
        // The system register is msr's first operand and mrs's last: `mrs _reg, TPIDRRO_EL0` names its register.
        var operands = text[end..].Split(',');
        var register = mnemonic == "msr" ? operands[0] : operands[^1];
        return statement.MacroParameters.Any(p => register.Contains(p, StringComparison.Ordinal));
    }

    public void Emit(DetectionContext context, FindingSink sink)
    {
        foreach (var entry in _entries.Values.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Statement.Line))
        {
            var resolved = entry.Uses.Values.OfType<InstructionMatch>().ToList();
            var match = entry.Direct ?? MostSevere(context, entry.File, resolved);
            if (match is null && IsSystemTemplate(entry.Statement) && (entry.Uses.Count == 0 || entry.Unresolved) && context.Rules.TryGet(ParameterRule, out var rule))
            {
                match = new InstructionMatch(rule, FirstWord(entry.Statement.Text), null);
            }
            if (match is null || !entry.Defined && entry.Uses.Count == 0)
            {
                continue;
            }
            var active = entry.Active || entry.Uses.Count > 0 && !entry.Defined;
            var finding = Build(context, match, entry.File, entry.Statement, null, active, null);
            var properties = finding.Properties;
            if (entry.Direct is null)
            {
                properties = properties.Remove("register");
                var registers = RegisterList(resolved.Select(m => m.Register).OfType<string>());
                if (registers.Length > 0)
                {
                    properties = properties.SetItem("registers", registers);
                }
                if (IsSystemTemplate(entry.Statement))
                {
                    properties = properties.SetItem("register-parameter", "true");
                }
            }
            if (entry.NotCompiled && !active)
            {
                properties = properties.SetItem("reason", "not-compiled");
            }
            sink.Add(finding with
            {
                Arches = entry.Arches.Order(StringComparer.Ordinal).ToImmutableArray(),
                Units = entry.Units,
                Condition = entry.Active ? null : entry.Condition,
                Expansions = entry.Uses.Keys.OrderBy(u => u.File, StringComparer.Ordinal).ThenBy(u => u.Line).ToImmutableArray(),
                Properties = properties,
            });
        }
    }

    private static InstructionMatch? MostSevere(DetectionContext context, string file, List<InstructionMatch> matches) =>
        matches.GroupBy(m => m.Rule.Id, StringComparer.Ordinal)
            .OrderByDescending(g => context.Guidance(g.First().Rule).Severity)
            // Among equals the first by id, as OneRulePerTemplate chooses across views: not the rule most uses resolve to,
            // which a shard, seeing some of the uses, may count otherwise than the whole scan.
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.First())
            .FirstOrDefault();

    private static string FirstWord(string text)
    {
        var trimmed = text.TrimStart();
        var end = 0;
        while (end < trimmed.Length && !char.IsWhiteSpace(trimmed[end]))
        {
            end++;
        }
        return trimmed[..end];
    }
}
