using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>
/// The interface a port gives the kernel (Linux's pv_ops, NetBSD's xpq/xenfunc layer): one hook per operation the
/// kernel's privileged sites perform, the existing functions that already are that hook (wrappers), the sites that
/// bypass them (scattered), the layers the kernel already has, and the narrowest cut between entry points and sites.
/// </summary>
public sealed record PortInterface
{
    public ImmutableArray<InterfaceHook> Hooks { get; init; } = [];
    public int HookCount => Hooks.Length;
    /// <summary>In-tree functions that sites call (uses): each is changed once, its callers not at all.</summary>
    public ImmutableArray<UsedImplementation> Implementations { get; init; } = [];
    public ImmutableArray<ExistingLayer> ExistingLayers { get; init; } = [];
    public InterfaceCut MinCut { get; init; } = new(0, [], 0);
}

/// <summary>One hook the port needs: what it is (rules/hooks.yaml), where the kernel already has it, how many sites it takes.</summary>
public sealed record InterfaceHook
{
    public required string Id { get; init; }
    /// <summary>The operation, in words (the hook's title).</summary>
    public required string Operation { get; init; }
    public required string Phase { get; init; }
    public ImmutableArray<string> Rules { get; init; } = [];
    /// <summary>Active sites whose operation this is.</summary>
    public int Sites { get; init; }
    /// <summary>Of those, the sites outside any wrapper: each a change, or a call of the hook to introduce.</summary>
    public int ScatteredSites { get; init; }
    /// <summary>Calls of in-tree functions that are this hook: impact, not work. A hook with uses and no change of its own is listed too: its implementations (interface.implementations) are where it changes.</summary>
    public int Uses { get; init; }
    public ImmutableArray<HookWrapper> Wrappers { get; init; } = [];
    /// <summary>Its changes per port phase, in the phases' order (phases with none left out).</summary>
    public ImmutableArray<PhaseCount> SitesByPhase { get; init; } = [];
    /// <summary>
    /// Of its changes, the one fewest calls from the boot phase's entry points (the first CR3 load, the GDT set-up, the
    /// first interrupt enable a booting kernel meets, as far as the call graph shows); null when boot reaches none.
    /// </summary>
    public BootSite? FirstInBoot { get; init; }
    /// <summary>What the port does at this hook, per target.</summary>
    public ImmutableSortedDictionary<XenTarget, string> Actions { get; init; } = ImmutableSortedDictionary<XenTarget, string>.Empty;
    public ImmutableArray<string> Xen { get; init; } = [];
    public ImmutableArray<string> Linux { get; init; } = [];
    public ImmutableArray<string> NetBsd { get; init; } = [];
    public ImmutableArray<string> MiniOs { get; init; } = [];
}

/// <summary>How many of a hook's changes a phase holds.</summary>
public sealed record PhaseCount(string Phase, int Sites);

/// <summary>A change site on the boot path: where it is and how many calls from a boot entry point its function lies.</summary>
public sealed record BootSite(string Function, string File, int Line, int Calls);

/// <summary>A function whose job is one privileged operation: changing it covers its callers.</summary>
public sealed record HookWrapper(string Function, string File, int Line, int Sites, ImmutableArray<string> Callers);

/// <summary>
/// A function the scanned tree implements whose calls are uses (ml_set_interrupts_enabled, PE_parse_boot_arg,
/// IOPlatformExpert::PMLog, set_cr3): where it is, the hook its own body performs (null when it performs none — its
/// callers still change nothing), how many sites call it and under which rules.
/// </summary>
public sealed record UsedImplementation(string Function, string File, int Line, string? Hook, int Uses, ImmutableArray<string> Rules);

/// <summary>A layer the kernel already has (XNU's pal_*): which hooks it covers, and which sites go through or around it.</summary>
public sealed record ExistingLayer(string Id, string Title, ImmutableArray<string> Hooks, ImmutableArray<string> FunctionsPresent,
    int SitesThrough, int SitesBypassing)
{
    /// <summary>Each function of <see cref="FunctionsPresent"/> → the hooks it is (rules/hooks.yaml), in the hooks' order: what re-implementing it covers.</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<string>> FunctionHooks { get; init; } =
        ImmutableSortedDictionary<string, ImmutableArray<string>>.Empty.WithComparers(StringComparer.Ordinal);
    /// <summary>Each hook of <see cref="Hooks"/> → its phase (rules/hooks.yaml), also for hooks no site of this scan performs.</summary>
    public ImmutableSortedDictionary<string, string> HookPhases { get; init; } =
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
}

/// <summary>The smallest set of functions separating the entry points from every function holding an active site.</summary>
/// <param name="FunctionsWithSites">The plain count of functions holding sites, for comparison.</param>
public sealed record InterfaceCut(int Size, ImmutableArray<string> Functions, int FunctionsWithSites);
