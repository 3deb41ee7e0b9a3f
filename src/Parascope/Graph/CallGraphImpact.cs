using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Graph;

/// <summary>Gives each finding its phase and its blast radius (direct and transitive callers of its function).</summary>
public static class CallGraphImpact
{
    public static ImmutableArray<Finding> Annotate(ImmutableArray<Finding> findings, CallGraph graph, PortPhases phases)
    {
        var assigned = phases.Assign(graph);
        var callers = new Dictionary<string, (int Direct, int Transitive, ImmutableArray<string> Names)>(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<Finding>(findings.Length);
        foreach (var finding in findings)
        {
            int? direct = null, transitive = null;
            var names = ImmutableArray<string>.Empty;
            if (finding.Function is { } function && graph.Contains(function))
            {
                if (!callers.TryGetValue(function, out var counts))
                {
                    var callerNames = graph.Callers(function).ToList();
                    counts = (callerNames.Count, graph.TransitiveCallers(function).Count, [.. callerNames.Take(Finding.MaxCallerFunctions)]);
                    callers[function] = counts;
                }
                (direct, transitive, names) = counts;
            }
            result.Add(finding with
            {
                Phase = phases.PhaseOf(finding, assigned),
                Callers = direct,
                TransitiveCallers = transitive,
                CallerFunctions = names,
            });
        }
        return result.MoveToImmutable();
    }
}
