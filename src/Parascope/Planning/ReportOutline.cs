using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Planning;

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
public sealed record ReportOutline(PortPlan Plan, ImmutableArray<HookGroup> Hooks, ImmutableArray<Finding> Unhooked,
    ImmutableSortedDictionary<string, (string File, int Line)> Definitions)
{
    /// <summary>
    /// The readiness summary grouped by verdict (what blocks the first boot, what needs a shim or a driver, what works
    /// emulated), each group in boot order; empty unless the target is xen-hvm. Every report opens with it.
    /// </summary>
    public ImmutableArray<(string Verdict, ImmutableArray<ReadinessItem> Items)> Readiness =>
        [.. Plan.Readiness.GroupBy(i => i.Verdict, StringComparer.Ordinal).OrderBy(g => Planning.Readiness.Rank(g.Key))
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

    public static ReportOutline Of(ScanResult result)
    {
        var plan = PortPlan.Of(result);
        var described = result.Interface?.Hooks ?? [];
        var hooked = result.Findings.Where(f => f.Hook is not null).ToList();
        var ids = described.Select(h => h.Id)
            .Concat(hooked.Select(f => f.Hook!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal);
        var groups = ids.Select(id =>
        {
            var hook = described.FirstOrDefault(h => h.Id == id);
            var items = plan.WorkItems.Where(i => i.Hook == id && i.Kind is WorkItemKind.ImplementHook or WorkItemKind.RouteSite).ToList();
            var findings = hooked.Where(f => f.Hook == id).ToImmutableArray();
            return new HookGroup(id, hook, hook?.Phase ?? items.FirstOrDefault()?.Phase ?? findings.Select(f => f.Phase).FirstOrDefault(p => p is not null) ?? WorkPlan.RuntimePhase,
                findings, items.Count, PortPlan.Points(items.SelectMany(i => i.Charges).Where(c => c.Target == result.Target).Sum(c => c.Points)));
        }).Where(g => !g.Findings.IsEmpty || g.Hook is not null).ToImmutableArray();

        var definitions = ImmutableSortedDictionary.CreateBuilder<string, (string File, int Line)>(StringComparer.Ordinal);
        if (result.CallGraph is { } graph)
        {
            foreach (var function in result.Findings.SelectMany(f => f.CallerFunctions.Append(f.Function ?? string.Empty)).Where(f => f.Length > 0).Distinct(StringComparer.Ordinal))
            {
                if (graph.DefinedAt(function) is { } at)
                {
                    definitions[function] = at;
                }
            }
        }
        return new ReportOutline(plan, groups, [.. result.Findings.Where(f => f.Hook is null)], definitions.ToImmutable());
    }
}
