using System.Collections.Immutable;
using System.Globalization;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Detectors.Platform;

/// <summary>How a platform rule finds its sites (rules/platform.yaml `kind`).</summary>
internal enum PlatformRuleKind
{
    /// <summary>Every if/switch whose condition reads the rule's functions, fields or macros.</summary>
    Condition,
    /// <summary>Such a condition only when a branch panics, it compares strings, or it switches on a table.</summary>
    Gate,
    /// <summary>Each call of the rule's functions (filtered by leaves/reads) and each reference to its names.</summary>
    Call,
}

/// <summary>A CPUID leaf range of a rule: `0x40000000-0x4001ffff` or a single leaf.</summary>
internal readonly record struct LeafRange(long First, long Last)
{
    public bool Contains(long leaf) => First <= leaf && leaf <= Last;

    public static LeafRange? Parse(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? Number(text) is { } single ? new LeafRange(single, single) : null
            : Number(text[..dash]) is { } first && Number(text[(dash + 1)..]) is { } last ? new LeafRange(first, last) : null;
    }

    private static long? Number(string text)
    {
        text = text.Trim();
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : null
            : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dec) ? dec : null;
    }
}

/// <summary>One platform rule compiled for the collector.</summary>
internal sealed record PlatformRule(Rule Rule, PlatformRuleKind Kind, ImmutableArray<LeafRange> Leaves, ImmutableHashSet<string> Reads)
{
    /// <summary>Feature constants every guest CPU presents (`baseline-features`): a gate that panics only without them passes.</summary>
    public ImmutableHashSet<string> BaselineFeatures { get; } = Rule.Match["baseline-features"].ToImmutableHashSet(StringComparer.Ordinal);

    /// <summary>Registers the target refuses to read (`faulting-reads`, a #GP): a call reading one is a site, and panics.</summary>
    public ImmutableHashSet<string> FaultingReads { get; } = Rule.Match["faulting-reads"].ToImmutableHashSet(StringComparer.Ordinal);

    /// <summary>Functions of the rule that catch the fault of a refused read (`catching-functions`: rdmsr_carefully).</summary>
    public ImmutableHashSet<string> CatchingFunctions { get; } = Rule.Match["catching-functions"].ToImmutableHashSet(StringComparer.Ordinal);

    /// <summary>A hypervisor rule wins a condition over a timekeeping one, both over a CPU-identity one.</summary>
    public int Precedence => Rule.Class switch
    {
        "hypervisor" => 0,
        "timekeeping" => 1,
        _ => 2,
    };
}

/// <summary>The platform rules indexed by the names the collector meets: built once per scan, by the detector.</summary>
internal sealed class PlatformRules
{
    /// <summary>Functions whose call in a branch is the consequence of failing a gate.</summary>
    public static readonly ImmutableHashSet<string> PanicFunctions = ImmutableHashSet.Create(StringComparer.Ordinal,
        "panic", "Panic", "panic_plain", "panic_with_options", "panic_with_thread_context", "_consume_panic_args");

    /// <summary>String comparisons whose constant argument is a vendor string.</summary>
    public static readonly ImmutableHashSet<string> StringCompares = ImmutableHashSet.Create(StringComparer.Ordinal,
        "strcmp", "strncmp", "bcmp", "memcmp", "__builtin_memcmp", "__builtin_strcmp", "__builtin_strncmp", "__builtin_bcmp");

    /// <summary>Condition readers: name → the condition rules that read it (functions and fields share the index).</summary>
    public ImmutableDictionary<string, ImmutableArray<PlatformRule>> ConditionFunctions { get; }
    public ImmutableDictionary<string, ImmutableArray<PlatformRule>> ConditionFields { get; }
    public ImmutableDictionary<string, ImmutableArray<PlatformRule>> ConditionMacros { get; }
    /// <summary>Call rules by function name.</summary>
    public ImmutableDictionary<string, ImmutableArray<PlatformRule>> Calls { get; }
    /// <summary>Reference rules by the referenced function or variable.</summary>
    public ImmutableDictionary<string, ImmutableArray<PlatformRule>> References { get; }

    public bool IsEmpty => ConditionFunctions.IsEmpty && ConditionFields.IsEmpty && ConditionMacros.IsEmpty && Calls.IsEmpty && References.IsEmpty;

    public PlatformRules(RuleSet rules)
    {
        var conditionFunctions = new Dictionary<string, List<PlatformRule>>(StringComparer.Ordinal);
        var conditionFields = new Dictionary<string, List<PlatformRule>>(StringComparer.Ordinal);
        var conditionMacros = new Dictionary<string, List<PlatformRule>>(StringComparer.Ordinal);
        var calls = new Dictionary<string, List<PlatformRule>>(StringComparer.Ordinal);
        var references = new Dictionary<string, List<PlatformRule>>(StringComparer.Ordinal);
        foreach (var rule in rules.OfCategory(FindingCategory.Platform))
        {
            var kind = rule.Match["kind"].FirstOrDefault() switch
            {
                "gate" => PlatformRuleKind.Gate,
                "call" => PlatformRuleKind.Call,
                _ => PlatformRuleKind.Condition,
            };
            var compiled = new PlatformRule(rule, kind,
                [.. rule.Match["leaves"].Select(LeafRange.Parse).OfType<LeafRange>()],
                rule.Match.Reads.ToImmutableHashSet(StringComparer.Ordinal));
            if (kind == PlatformRuleKind.Call)
            {
                Add(calls, rule.Match.Functions, compiled);
                Add(references, rule.Match["references"], compiled);
            }
            else
            {
                Add(conditionFunctions, rule.Match.Functions, compiled);
                Add(conditionFields, rule.Match["fields"], compiled);
                Add(conditionMacros, rule.Match.Macros, compiled);
            }
        }
        ConditionFunctions = Freeze(conditionFunctions);
        ConditionFields = Freeze(conditionFields);
        ConditionMacros = Freeze(conditionMacros);
        Calls = Freeze(calls);
        References = Freeze(references);
    }

    private static void Add(Dictionary<string, List<PlatformRule>> index, IEnumerable<string> names, PlatformRule rule)
    {
        foreach (var name in names)
        {
            if (!index.TryGetValue(name, out var list))
            {
                index[name] = list = new List<PlatformRule>();
            }
            list.Add(rule);
        }
    }

    /// <summary>A function several call rules name goes to the narrowest leaf range first (0x40000010 is a time leaf before a hypervisor leaf).</summary>
    private static ImmutableDictionary<string, ImmutableArray<PlatformRule>> Freeze(Dictionary<string, List<PlatformRule>> index) =>
        index.ToImmutableDictionary(p => p.Key,
            p => p.Value.OrderBy(r => r.Leaves.IsEmpty ? long.MaxValue : r.Leaves.Min(l => l.Last - l.First)).ThenBy(r => r.Rule.Id, StringComparer.Ordinal).ToImmutableArray(),
            StringComparer.Ordinal);
}
