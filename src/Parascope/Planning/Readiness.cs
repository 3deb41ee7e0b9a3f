using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Planning;

/// <summary>
/// The readiness summary of a scan for xen-hvm: every active platform site (or, for a per-rule item, the rule's site
/// first in boot, and each of its blocking sites), in boot order — phase, then calls from the first phase's entry points, then file and line — so a
/// porter reads first what the first boot meets first. Empty for other targets.
/// </summary>
public static class Readiness
{
    /// <param name="graph">What the plan reads of the call graph: here the calls from the boot entry points to each site.</param>
    public static ImmutableArray<ReadinessItem> Of(ScanResult result, GraphExcerpt graph)
    {
        if (result.Target != XenTarget.XenHvm)
        {
            return [];
        }
        var rules = result.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var order = WorkPlan.PhaseOrder(result);
        int? DistanceOf(Finding f) => f.GraphNode is { } node && graph.BootCalls.TryGetValue(node, out var d) ? d : null;
        var platform = result.Findings.Where(f => f.Active && f.Category == FindingCategory.Platform && f.Verdict is not null)
            .OrderBy(f => order.GetValueOrDefault(f.Phase ?? WorkPlan.RuntimePhase, int.MaxValue))
            .ThenBy(f => DistanceOf(f) ?? int.MaxValue)
            .ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ToList();
        var items = new List<ReadinessItem>();
        var perRule = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var finding in platform)
        {
            var perSite = IsItemOfItsOwn(rules.TryGetValue(finding.RuleId, out var rule) && rule.Readiness is { PerSite: true }, finding.Verdict!);
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

    /// <summary>
    /// A site of a per-site rule, or a blocking site of any rule, is an item of its own: a per-rule item's verdict is its
    /// first site's, and a later site that panics (pe_init_fiq: no "/arm-io/gic" in the device tree) would hide behind it.
    /// </summary>
    public static bool IsItemOfItsOwn(bool perSiteRule, string verdict) => perSiteRule || verdict == "blocking";

    /// <summary>The hypervisor vendor strings the kernel compares with (from hypervisor sites' values), sorted.</summary>
    public static ImmutableArray<string> RecognisedHypervisors(IEnumerable<Finding> findings) =>
        [.. findings.Where(f => f.Active && f.Category == FindingCategory.Platform && f.Subcategory == "hypervisor")
            .SelectMany(f => f.Values).Where(v => v.StartsWith('"')).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
