using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>The kinds of work item (JSON `plan.workItems[].kind`).</summary>
public static class WorkItemKind
{
    /// <summary>Write the hook once (its Xen version) and re-implement its wrappers on it.</summary>
    public const string ImplementHook = "implement-hook";
    /// <summary>The scattered sites of one hook in one function: each changed, or routed through the hook.</summary>
    public const string RouteSite = "route-site";
    /// <summary>The drivers of one IOKit family, replaced by the Xen front end of that family.</summary>
    public const string ReplaceDriver = "replace-driver";
    /// <summary>A function of a layer the kernel already has (XNU's pal_*), re-implemented for Xen: it is the hooks it covers.</summary>
    public const string ReimplementLayerFunction = "reimplement-layer-function";
    /// <summary>Changes no hook or driver family takes (a rule with no operation, a driver-API call outside any driver class).</summary>
    public const string ChangeSite = "change-site";
}

/// <summary>
/// Points of one work item for one target, counted where they come from: the file (its subsystem) and category of
/// the site — or, for a layer function, the function's definition — so that per-subsystem and per-category totals add
/// up to the same sum as the work items.
/// </summary>
public sealed record WorkCharge(string ItemId, XenTarget Target, string File, FindingCategory Category, decimal Points);

/// <summary>One piece of port work (docs/reports.md, "Work items"): what to do, in which phase, on which sites, for how many points.</summary>
public sealed record WorkItem
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    /// <summary>A port phase (rules/entry-points.yaml): the hook's for hook work, drivers for drivers.</summary>
    public required string Phase { get; init; }
    /// <summary>The hook the item belongs to (for a layer function, the first hook it covers).</summary>
    public string? Hook { get; init; }
    /// <summary>For a layer function: every hook it covers.</summary>
    public ImmutableArray<string> Hooks { get; init; } = [];
    /// <summary>For a driver replacement: the IOKit family (block-storage, network…) and the Xen front end that replaces it.</summary>
    public string? Family { get; init; }
    public string? FrontEnd { get; init; }
    /// <summary>The driver classes of the family that hold the sites.</summary>
    public ImmutableArray<string> Drivers { get; init; } = [];
    /// <summary>The hook's wrappers, re-implemented on the hook.</summary>
    public ImmutableArray<string> Wrappers { get; init; } = [];
    /// <summary>For a route, a layer function or a change: the function (and its file) the item changes.</summary>
    public string? Function { get; init; }
    public string? File { get; init; }
    public string? Layer { get; init; }
    public string? RuleId { get; init; }
    /// <summary>The changes the item covers (never uses).</summary>
    public ImmutableArray<Finding> Sites { get; init; } = [];
    /// <summary>Calls of the hook's in-tree functions: impact, not effort.</summary>
    public int Uses { get; init; }
    public ImmutableArray<WorkCharge> Charges { get; init; } = [];

    public double EffortFor(XenTarget target) => PortPlan.Points(Charges.Where(c => c.Target == target).Sum(c => c.Points));
}
