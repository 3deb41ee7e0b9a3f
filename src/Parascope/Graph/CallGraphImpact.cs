using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Graph;

/// <summary>
/// Gives each finding its graph node (a static's "name@file"), its phase and its blast radius: callers one call away
/// (how many of them only indirectly) and transitive callers, through edges of every kind.
/// </summary>
public static class CallGraphImpact
{
    public static ImmutableArray<Finding> Annotate(ImmutableArray<Finding> findings, CallGraph graph, PortPhases phases)
    {
        var assigned = phases.Assign(graph);
        var callers = new Dictionary<string, (int Direct, int Indirect, int Transitive, ImmutableArray<string> Names)>(StringComparer.Ordinal);
        var nodes = findings.Select(f => f.Function is { } function ? graph.Resolve(function, f.File) : null).ToList();
        var transitiveCounts = graph.TransitiveCallerCounts(nodes.OfType<string>());
        var result = ImmutableArray.CreateBuilder<Finding>(findings.Length);
        for (var k = 0; k < findings.Length; k++)
        {
            var finding = findings[k];
            int? direct = null, indirect = null, transitive = null;
            var names = ImmutableArray<string>.Empty;
            var node = nodes[k];
            if (node is not null)
            {
                if (!callers.TryGetValue(node, out var counts))
                {
                    var callerNames = graph.Callers(node).ToList();
                    counts = (callerNames.Count, graph.IndirectCallers(node).Count(), transitiveCounts.GetValueOrDefault(node),
                        [.. callerNames.Take(Finding.MaxCallerFunctions)]);
                    callers[node] = counts;
                }
                (direct, indirect, transitive, names) = counts;
            }
            var annotated = finding with
            {
                FunctionNode = node is not null && node != finding.Function ? node : null,
                Callers = direct,
                IndirectCallers = indirect,
                TransitiveCallers = transitive,
                CallerFunctions = names,
            };
            result.Add(annotated with { Phase = phases.PhaseOf(annotated, assigned) });
        }
        return result.MoveToImmutable();
    }
}
