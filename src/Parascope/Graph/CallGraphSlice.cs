using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Graph;

/// <summary>A function of an exported graph: where it is defined (when a parsed unit defined it) and how many findings it holds.</summary>
public sealed record GraphFunction(string Name, string? File, int? Line, int Sites);

/// <summary>
/// The part of the call graph a report draws: the whole graph or the neighbourhood of one function. Functions are
/// sorted by name and calls by caller then callee, so the same scan always gives the same file.
/// </summary>
public sealed record CallGraphSlice(ImmutableArray<GraphFunction> Functions, ImmutableArray<GraphCall> Calls)
{
    /// <summary>Every function and call.</summary>
    public static CallGraphSlice Whole(ICallGraph graph, IEnumerable<Finding> findings) =>
        Of(graph, graph.Functions.ToImmutableHashSet(StringComparer.Ordinal), findings);

    /// <summary>
    /// <paramref name="function"/> (a node, or a name: a static is found by name, see <see cref="ICallGraph.Resolve"/>),
    /// its callers up to <paramref name="depth"/> calls away and its callees up to <paramref name="depth"/> calls away,
    /// with every call among them. Null when the graph has no such function.
    /// </summary>
    public static CallGraphSlice? Around(ICallGraph graph, string function, int depth, IEnumerable<Finding> findings)
    {
        if (graph.Resolve(function) is not { } node)
        {
            return null;
        }
        var included = new HashSet<string>(StringComparer.Ordinal) { node };
        foreach (var step in new Func<string, IEnumerable<string>>[] { graph.Callers, graph.Callees })
        {
            // Each direction walks on its own, so a function met first as a caller is still followed as a callee.
            var seen = new HashSet<string>(StringComparer.Ordinal) { node };
            var frontier = new List<string> { node };
            for (var level = 0; level < depth && frontier.Count > 0; level++)
            {
                frontier = frontier.SelectMany(step).Where(seen.Add).ToList();
            }
            included.UnionWith(seen);
        }
        return Of(graph, included.ToImmutableHashSet(StringComparer.Ordinal), findings);
    }

    private static CallGraphSlice Of(ICallGraph graph, ImmutableHashSet<string> included, IEnumerable<Finding> findings)
    {
        var sites = findings.Where(f => f.GraphNode is not null && included.Contains(f.GraphNode))
            .GroupBy(f => f.GraphNode!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var functions = included.Order(StringComparer.Ordinal).Select(name =>
        {
            var definition = graph.DefinedAt(name);
            return new GraphFunction(name, definition?.File, definition?.Line, sites.GetValueOrDefault(name));
        }).ToImmutableArray();
        var calls = graph.Edges.Where(call => included.Contains(call.Caller) && included.Contains(call.Callee)).ToImmutableArray();
        return new CallGraphSlice(functions, calls);
    }
}
