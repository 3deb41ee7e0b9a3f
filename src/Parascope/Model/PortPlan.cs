using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>
/// Counts for one slice of the plan. Sites, functions and wrappers count active findings (a wrapper: a site in a
/// wrapper, or a wrapper's own finding); effort is the points of the work items charged to the slice, and work items
/// those with a site or a charge in it. Inactive code (branches this configuration does not compile) apart, costed per site.
/// </summary>
public sealed record PlanSlice(string Name, int Sites, int Functions, int Wrappers, double Effort, int InactiveSites, double InactiveEffort)
{
    public int WorkItems { get; init; }
}

/// <summary>The effort of the whole port for one target.</summary>
public sealed record TargetEffort(XenTarget Target, double Effort, double InactiveEffort, int Errors, int Warnings, int Notes);

/// <summary>
/// One phase of the port (rules/entry-points.yaml): the sites the call graph puts in it, and the work items whose phase
/// it is, with their changes and effort.
/// </summary>
public sealed record PhaseSlice(string Name, string Description, int Sites, int Functions, double Effort)
{
    public int WorkItems { get; init; }
    /// <summary>Distinct changes of the phase's work items.</summary>
    public int ChangeSites { get; init; }
    /// <summary>The phase's work items per kind, in kind order.</summary>
    public ImmutableSortedDictionary<string, int> ByKind { get; init; } = ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal);
}

/// <summary>What a planner reads: the work items, and the work per subsystem, category, target and phase, under <see cref="Planning.EffortModel"/>.</summary>
public sealed record PortPlan(
    XenTarget Target,
    PlanSlice Totals,
    ImmutableArray<PlanSlice> BySubsystem,
    ImmutableArray<PlanSlice> ByCategory,
    ImmutableArray<TargetEffort> Targets,
    ImmutableArray<PhaseSlice> Phases)
{
    /// <summary>Sorted by phase (boot order) then id.</summary>
    public ImmutableArray<WorkItem> WorkItems { get; init; } = [];
    /// <summary>The HVM readiness summary (<see cref="Planning.Readiness"/>), in boot order; empty unless the target is xen-hvm.</summary>
    public ImmutableArray<ReadinessItem> Readiness { get; init; } = [];

    /// <summary>Exact points, rounded to two decimals for the report.</summary>
    public static double Points(decimal points) => (double)Math.Round(points, 2, MidpointRounding.AwayFromZero);
}
