using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>One hook of the report's hook table, with its findings (changes and uses) and the work it takes.</summary>
/// <param name="Hook">The interface's description; null for a hook findings name that the result's interface does not list (a report read back).</param>
/// <param name="Effort">Points of the hook's implement-hook and route-site items for the scanned target.</param>
public sealed record HookGroup(string Id, InterfaceHook? Hook, string Phase, ImmutableArray<Finding> Findings, int WorkItems, double Effort)
{
    public int Changes => Findings.Count(f => f.Role != Finding.Use);
    public int Scattered => Findings.Count(f => f.Scattered == true);
    public int Uses => Findings.Count(f => f.Role == Finding.Use);
}

/// <summary>
/// What the text, markdown and HTML reports show, computed once here so that they only render it: the plan, the
/// hook table with each hook's findings (in the interface's order), the findings no hook takes, and where the functions
/// the findings name (their own, their callers) are defined.
/// </summary>
public sealed record ReportOutline(PortPlan Plan, ImmutableArray<HookGroup> Hooks, ImmutableArray<Finding> Unhooked, GraphExcerpt Graph)
{
    /// <summary>Where the functions the findings name (their own, their callers) are defined, by name.</summary>
    public ImmutableSortedDictionary<string, FunctionDefinition> Definitions { get; } = Graph.Definitions;

    /// <summary>
    /// The readiness summary grouped by verdict (what blocks the first boot, what needs a shim or a driver, what works
    /// emulated), each group in boot order; empty unless the target is xen-hvm. Every report opens with it.
    /// </summary>
    public ImmutableArray<(string Verdict, ImmutableArray<ReadinessItem> Items)> Readiness =>
        [.. Plan.Readiness.GroupBy(i => i.Verdict, StringComparer.Ordinal).OrderBy(g => ReadinessItem.RankOf(g.Key))
            .Select(g => (g.Key, g.ToImmutableArray()))];

    /// <summary>What the machine must present and what happens otherwise, in one line (reports share the wording).</summary>
    public static string Describe(ReadinessItem item)
    {
        var parts = new List<string>();
        if (!item.Values.IsEmpty)
        {
            parts.Add("compares " + string.Join(", ", item.Values.Take(12)) + (item.Values.Length > 12 ? $", … ({item.Values.Length})" : string.Empty));
        }
        if (item.Otherwise is not null)
        {
            parts.Add("otherwise " + item.Otherwise);
        }
        if (item.Sites > 1)
        {
            parts.Add($"{item.Sites} sites");
        }
        return string.Join("; ", parts);
    }

    public static string Heading(string verdict) => verdict switch
    {
        "blocking" => "blocks the first boot",
        "needs-shim" => "needs a shim (configuration, booter or a small change)",
        "needs-driver" => "needs a driver",
        "works-emulated" => "works emulated",
        _ => verdict,
    };
}
