using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Planning;

/// <summary>Counts for one slice of the plan. Inactive code (branches this configuration does not compile) apart.</summary>
public sealed record PlanSlice(string Name, int Sites, int Functions, int Wrappers, double Effort, int InactiveSites, double InactiveEffort);

/// <summary>The effort of the whole port for one target.</summary>
public sealed record TargetEffort(XenTarget Target, double Effort, double InactiveEffort, int Errors, int Warnings, int Notes);

/// <summary>One phase of the port (rules/entry-points.yaml, from the call graph) with its share of the work.</summary>
public sealed record PhaseSlice(string Name, string Description, int Sites, int Functions, double Effort);

/// <summary>What a planner reads: the work per subsystem, category, target and phase, under <see cref="EffortModel"/>.</summary>
public sealed record PortPlan(
    XenTarget Target,
    PlanSlice Totals,
    ImmutableArray<PlanSlice> BySubsystem,
    ImmutableArray<PlanSlice> ByCategory,
    ImmutableArray<TargetEffort> Targets,
    ImmutableArray<PhaseSlice> Phases)
{
    public static PortPlan Of(ScanResult result)
    {
        var rules = result.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var findings = result.Findings;
        return new PortPlan(
            result.Target,
            Slice("total", findings, result.Target, result.Target, rules),
            findings.GroupBy(f => Subsystems.Of(f.File), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Slice(g.Key, [.. g], result.Target, result.Target, rules)).ToImmutableArray(),
            findings.GroupBy(f => f.Category.Name(), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Slice(g.Key, [.. g], result.Target, result.Target, rules)).ToImmutableArray(),
            ModelNames.AllTargets.Select(t => TargetOf(findings, t, result.Target, rules)).ToImmutableArray(),
            PhasesOf(result, rules));
    }

    private static PlanSlice Slice(string name, IReadOnlyList<Finding> findings, XenTarget target, XenTarget scanned, Dictionary<string, Rule> rules)
    {
        var active = findings.Where(f => f.Active).ToList();
        var inactive = findings.Where(f => !f.Active).ToList();
        return new PlanSlice(
            name,
            active.Count,
            active.Where(f => f.Function is not null).Select(f => (f.File, f.Function)).Distinct().Count(),
            active.Count(EffortModel.IsWrapper),
            Effort(active, target, scanned, rules),
            inactive.Count,
            Effort(inactive, target, scanned, rules));
    }

    /// <summary>Sum over work items (a wrapper's callers share one) of weight × severity factor, to two decimals.</summary>
    public static double Effort(IEnumerable<Finding> findings, XenTarget target, XenTarget scanned, IReadOnlyDictionary<string, Rule> rules)
    {
        var total = findings
            .GroupBy(EffortModel.WorkItem, StringComparer.Ordinal)
            .Sum(g => g.Max(f => EffortModel.WeightOf(f, rules) * EffortModel.Factor(EffortModel.SeverityFor(f, target, scanned, rules))));
        return Math.Round(total, 2, MidpointRounding.AwayFromZero);
    }

    private static TargetEffort TargetOf(ImmutableArray<Finding> findings, XenTarget target, XenTarget scanned, Dictionary<string, Rule> rules)
    {
        var active = findings.Where(f => f.Active).ToList();
        var severities = active.Select(f => EffortModel.SeverityFor(f, target, scanned, rules)).ToList();
        return new TargetEffort(target,
            Effort(active, target, scanned, rules),
            Effort(findings.Where(f => !f.Active), target, scanned, rules),
            severities.Count(s => s == Severity.Error),
            severities.Count(s => s == Severity.Warning),
            severities.Count(s => s == Severity.Note));
    }

    /// <summary>Active sites per phase, in the phases' order; a phase the scan did not reach still appears with zeros.</summary>
    private static ImmutableArray<PhaseSlice> PhasesOf(ScanResult result, Dictionary<string, Rule> rules)
    {
        var active = result.Findings.Where(f => f.Active && f.Phase is not null).ToList();
        var names = result.Phases.Select(p => (p.Name, p.Description)).ToList();
        foreach (var extra in active.Select(f => f.Phase!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (!names.Any(n => n.Name == extra))
            {
                names.Add((extra, string.Empty));
            }
        }
        return names.Select(n =>
        {
            var sites = active.Where(f => f.Phase == n.Name).ToList();
            return new PhaseSlice(n.Name, n.Description, sites.Count,
                sites.Where(f => f.Function is not null).Select(f => (f.File, f.Function)).Distinct().Count(),
                Effort(sites, result.Target, result.Target, rules));
        }).ToImmutableArray();
    }
}
