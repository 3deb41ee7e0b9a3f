using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Planning;

/// <summary>
/// The Planning stage's entry: the plan and what the reports show of it are computed here once per scan (or merge),
/// after suppressions and the baseline, and carried in <see cref="ScanResult.Outline"/>; the writers only render it.
/// What the plan reads of the call graph is taken first as a <see cref="GraphExcerpt"/>, which a kept whole scan
/// stores, so that a reused scan plans without its graph.
/// </summary>
public static class Planner
{
    /// <summary>The result with its plan and outline.</summary>
    public static ScanResult Apply(ScanResult result, GraphExcerpt graph) => result with { Outline = Outline(result, graph) };

    /// <summary>The result with its plan, reading its own call graph (none: an empty excerpt).</summary>
    public static ScanResult Apply(ScanResult result) => Apply(result, Excerpt(result));

    /// <summary>
    /// What the plan and the reports read of RESULT's call graph: the definitions of the functions the findings, their
    /// callers and the existing layers name; the calls from the first phase's entry points to each finding's function;
    /// each finding's neighbours.
    /// </summary>
    public static GraphExcerpt Excerpt(ScanResult result)
    {
        if (result.CallGraph is not { } graph)
        {
            return GraphExcerpt.Empty;
        }
        var definitions = ImmutableSortedDictionary.CreateBuilder<string, FunctionDefinition>(StringComparer.Ordinal);
        var named = result.Findings.SelectMany(f => f.CallerFunctions.Append(f.Function ?? string.Empty))
            .Concat((result.Interface?.ExistingLayers ?? []).SelectMany(l => l.FunctionHooks.Keys));
        foreach (var function in named.Where(f => f.Length > 0).Distinct(StringComparer.Ordinal))
        {
            if (graph.DefinedAt(function) is { } at)
            {
                definitions[function] = new FunctionDefinition(at.File, at.Line);
            }
        }
        var nodes = result.Findings.Select(f => f.GraphNode).OfType<string>().Distinct(StringComparer.Ordinal).Where(graph.Contains).ToList();
        var distances = BootDistances(graph, result.Phases);
        var bootCalls = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        var neighbours = ImmutableSortedDictionary.CreateBuilder<string, FunctionNeighbours>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (distances.TryGetValue(node, out var calls))
            {
                bootCalls[node] = calls;
            }
            neighbours[node] = new FunctionNeighbours(
                [.. graph.Callers(node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                [.. graph.Callees(node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
        }
        return new GraphExcerpt(definitions.ToImmutable(), bootCalls.ToImmutable(), neighbours.ToImmutable());
    }

    /// <summary>Calls from the first phase's entry points, breadth-first over every edge (the phases' stop-at hubs are the graph stage's business).</summary>
    private static Dictionary<string, int> BootDistances(ICallGraph graph, ImmutableArray<PortPhase> phases)
    {
        var distance = new Dictionary<string, int>(StringComparer.Ordinal);
        if (phases.IsEmpty)
        {
            return distance;
        }
        var queue = new Queue<string>();
        foreach (var entry in phases[0].EntryPoints.Select(name => graph.Resolve(name)).OfType<string>().Order(StringComparer.Ordinal))
        {
            if (distance.TryAdd(entry, 0))
            {
                queue.Enqueue(entry);
            }
        }
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var callee in graph.Callees(current))
            {
                if (distance.TryAdd(callee, distance[current] + 1))
                {
                    queue.Enqueue(callee);
                }
            }
        }
        return distance;
    }

    /// <summary>What the reports show: the plan, the hook table, the findings no hook takes, the definitions of the functions named.</summary>
    public static ReportOutline Outline(ScanResult result, GraphExcerpt graph)
    {
        var plan = PlanBuilder.Of(result, graph);
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

        // Only the functions the findings name: the excerpt also holds the existing layers' functions, which the plan reads.
        var named = result.Findings.SelectMany(f => f.CallerFunctions.Append(f.Function ?? string.Empty)).ToHashSet(StringComparer.Ordinal);
        var definitions = graph.Definitions.Where(d => named.Contains(d.Key)).ToImmutableSortedDictionary(StringComparer.Ordinal);
        return new ReportOutline(plan, groups, [.. result.Findings.Where(f => f.Hook is null)], graph with { Definitions = definitions });
    }
}
