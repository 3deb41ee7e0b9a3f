using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Planning;

/// <summary>Builds the <see cref="PortPlan"/> of a scan under <see cref="EffortModel"/>.</summary>
public static class PlanBuilder
{
    /// <summary>The plan of RESULT, reading its own call graph (tests, and reports read back, which carry none).</summary>
    public static PortPlan Of(ScanResult result) => Of(result, Planner.Excerpt(result));

    public static PortPlan Of(ScanResult result, GraphExcerpt graph)
    {
        var rules = result.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var findings = result.Findings;
        var items = WorkPlan.Of(result, graph);
        var charges = items.SelectMany(i => i.Charges).Where(c => c.Target == result.Target).ToList();
        var siteItems = items.SelectMany(i => i.Sites.Select(f => (Site: f, i.Id))).ToList();
        return new PortPlan(
            result.Target,
            Slice("total", findings, charges, siteItems, result.Target, rules) with { WorkItems = items.Length },
            findings.GroupBy(f => Subsystems.Of(f.File), StringComparer.Ordinal)
                .Select(g => g.Key).Concat(charges.Select(c => Subsystems.Of(c.File))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(name => Slice(name, [.. findings.Where(f => Subsystems.Of(f.File) == name)], [.. charges.Where(c => Subsystems.Of(c.File) == name)],
                    [.. siteItems.Where(s => Subsystems.Of(s.Site.File) == name)], result.Target, rules)).ToImmutableArray(),
            findings.Select(f => f.Category).Concat(charges.Select(c => c.Category)).Distinct().OrderBy(c => c.Name(), StringComparer.Ordinal)
                .Select(category => Slice(category.Name(), [.. findings.Where(f => f.Category == category)], [.. charges.Where(c => c.Category == category)],
                    [.. siteItems.Where(s => s.Site.Category == category)], result.Target, rules)).ToImmutableArray(),
            ModelNames.AllTargets.Select(t => TargetOf(findings, items, t, result.Target, rules)).ToImmutableArray(),
            PhasesOf(result, items))
        {
            WorkItems = items,
            Readiness = Planning.Readiness.Of(result, graph),
        };
    }

    private static PlanSlice Slice(string name, IReadOnlyList<Finding> findings, IReadOnlyList<WorkCharge> charges,
        IReadOnlyList<(Finding Site, string Id)> siteItems, XenTarget target, Dictionary<string, Rule> rules)
    {
        var active = findings.Where(f => f.Active).ToList();
        var inactive = findings.Where(f => !f.Active).ToList();
        return new PlanSlice(
            name,
            active.Count,
            active.Where(f => f.Function is not null).Select(f => (f.File, f.Function)).Distinct().Count(),
            active.Count(f => f.Wrapper == true || EffortModel.IsWrapper(f)),
            PortPlan.Points(charges.Sum(c => c.Points)),
            inactive.Count,
            Effort(inactive, target, target, rules))
        {
            WorkItems = charges.Select(c => c.ItemId).Concat(siteItems.Select(s => s.Id)).Distinct(StringComparer.Ordinal).Count(),
        };
    }

    /// <summary>
    /// Version 1's sum over sites (a wrapper's callers share one) of weight × severity factor, to two decimals: what
    /// inactive code costs (it has no hooks: the interface is built from active code).
    /// </summary>
    public static double Effort(IEnumerable<Finding> findings, XenTarget target, XenTarget scanned, IReadOnlyDictionary<string, Rule> rules)
    {
        var total = findings
            .GroupBy(EffortModel.WorkItem, StringComparer.Ordinal)
            .Sum(g => g.Max(f => EffortModel.Cost(f, target, scanned, rules)));
        return PortPlan.Points(total);
    }

    private static TargetEffort TargetOf(ImmutableArray<Finding> findings, ImmutableArray<WorkItem> items, XenTarget target, XenTarget scanned, Dictionary<string, Rule> rules)
    {
        var active = findings.Where(f => f.Active).ToList();
        var severities = active.Select(f => EffortModel.SeverityFor(f, target, scanned, rules)).ToList();
        return new TargetEffort(target,
            PortPlan.Points(items.SelectMany(i => i.Charges).Where(c => c.Target == target).Sum(c => c.Points)),
            Effort(findings.Where(f => !f.Active), target, scanned, rules),
            severities.Count(s => s == Severity.Error),
            severities.Count(s => s == Severity.Warning),
            severities.Count(s => s == Severity.Note));
    }

    /// <summary>
    /// Per phase, in the phases' order (a phase neither sites nor items reach still appears with zeros): the active sites
    /// the call graph puts there, and the work items of the phase with their changes and effort.
    /// </summary>
    private static ImmutableArray<PhaseSlice> PhasesOf(ScanResult result, ImmutableArray<WorkItem> items)
    {
        var active = result.Findings.Where(f => f.Active && f.Phase is not null).ToList();
        var names = result.Phases.Select(p => (p.Name, p.Description)).ToList();
        foreach (var extra in active.Select(f => f.Phase!).Concat(items.Select(i => i.Phase)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (!names.Any(n => n.Name == extra))
            {
                names.Add((extra, string.Empty));
            }
        }
        return names.Select(n =>
        {
            var sites = active.Where(f => f.Phase == n.Name).ToList();
            var phaseItems = items.Where(i => i.Phase == n.Name).ToList();
            return new PhaseSlice(n.Name, n.Description, sites.Count,
                sites.Where(f => f.Function is not null).Select(f => (f.File, f.Function)).Distinct().Count(),
                PortPlan.Points(phaseItems.SelectMany(i => i.Charges).Where(c => c.Target == result.Target).Sum(c => c.Points)))
            {
                WorkItems = phaseItems.Count,
                ChangeSites = phaseItems.SelectMany(i => i.Sites).Distinct(ReferenceEqualityComparer.Instance).Count(),
                ByKind = phaseItems.GroupBy(i => i.Kind, StringComparer.Ordinal).ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            };
        }).ToImmutableArray();
    }
}
