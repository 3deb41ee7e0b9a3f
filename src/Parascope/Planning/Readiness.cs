using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Planning;

/// <summary>
/// One line of the HVM readiness summary: a platform item (a gate, a time source, a device) at its site, with its
/// verdict for an unmodified HVM boot and what the machine must present (<see cref="Values"/>) or else meets
/// (<see cref="Otherwise"/>). <see cref="Sites"/> counts the item's sites when the rule is one item (per: rule).
/// </summary>
public sealed record ReadinessItem(string Item, string RuleId, string File, int Line, string? Function, string Verdict, string Phase)
{
    public ImmutableArray<string> Values { get; init; } = [];
    public string? Otherwise { get; init; }
    public int Sites { get; init; } = 1;
    /// <summary>Calls from the boot entry points to the function (null when the graph does not reach it).</summary>
    public int? BootDistance { get; init; }
}

/// <summary>
/// The readiness summary of a scan for xen-hvm: every active platform site (or, for a per-rule item, the rule's site
/// first in boot), in boot order — phase, then calls from the first phase's entry points, then file and line — so a
/// porter reads first what the first boot meets first. Empty for other targets.
/// </summary>
public static class Readiness
{
    /// <summary>Verdicts in the order the summary groups them: what blocks, what needs a shim or a driver, what works.</summary>
    public static int Rank(string verdict) => Finding.Verdicts.IndexOf(verdict) is var i and >= 0 ? i : Finding.Verdicts.Length;

    public static ImmutableArray<ReadinessItem> Of(ScanResult result)
    {
        if (result.Target != XenTarget.XenHvm)
        {
            return [];
        }
        var rules = result.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var order = WorkPlan.PhaseOrder(result);
        var distance = BootDistances(result);
        int? DistanceOf(Finding f) => f.GraphNode is { } node && distance.TryGetValue(node, out var d) ? d : null;
        var platform = result.Findings.Where(f => f.Active && f.Category == FindingCategory.Platform && f.Verdict is not null)
            .OrderBy(f => order.GetValueOrDefault(f.Phase ?? WorkPlan.RuntimePhase, int.MaxValue))
            .ThenBy(f => DistanceOf(f) ?? int.MaxValue)
            .ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ToList();
        var items = new List<ReadinessItem>();
        var perRule = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var finding in platform)
        {
            var perSite = rules.TryGetValue(finding.RuleId, out var rule) && rule.Readiness is { PerSite: true };
            if (!perSite && perRule.TryGetValue(finding.RuleId, out var index))
            {
                items[index] = items[index] with { Sites = items[index].Sites + 1 };
                continue;
            }
            if (!perSite)
            {
                perRule[finding.RuleId] = items.Count;
            }
            items.Add(new ReadinessItem(finding.Item ?? rule?.Title ?? finding.RuleId, finding.RuleId, finding.File, finding.Line,
                finding.Function, finding.Verdict!, finding.Phase ?? WorkPlan.RuntimePhase)
            {
                Values = finding.Values,
                Otherwise = finding.Otherwise,
                BootDistance = DistanceOf(finding),
            });
        }
        return [.. items];
    }

    /// <summary>Calls from the first phase's entry points (breadth-first, not through the phases' stop-at hubs is the graph stage's business: here every edge).</summary>
    private static Dictionary<string, int> BootDistances(ScanResult result)
    {
        var distance = new Dictionary<string, int>(StringComparer.Ordinal);
        if (result.CallGraph is not { } graph || result.Phases.IsEmpty)
        {
            return distance;
        }
        var queue = new Queue<string>();
        foreach (var entry in result.Phases[0].EntryPoints.Select(name => graph.Resolve(name)).OfType<string>().Order(StringComparer.Ordinal))
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

    /// <summary>The hypervisor vendor strings the kernel compares with (from hypervisor sites' values), sorted.</summary>
    public static ImmutableArray<string> RecognisedHypervisors(IEnumerable<Finding> findings) =>
        [.. findings.Where(f => f.Active && f.Category == FindingCategory.Platform && f.Subcategory == "hypervisor")
            .SelectMany(f => f.Values).Where(v => v.StartsWith('"')).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
