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
        var result = ImmutableArray.CreateBuilder<Finding>(findings.Length);
        foreach (var finding in findings)
        {
            int? direct = null, indirect = null, transitive = null;
            var names = ImmutableArray<string>.Empty;
            var node = finding.Function is { } function ? graph.Resolve(function, finding.File) : null;
            if (node is not null)
            {
                if (!callers.TryGetValue(node, out var counts))
                {
                    var callerNames = graph.Callers(node).ToList();
                    counts = (callerNames.Count, graph.IndirectCallers(node).Count(), graph.TransitiveCallerCount(node),
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
