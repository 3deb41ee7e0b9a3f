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
