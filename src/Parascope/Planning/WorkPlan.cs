using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Planning;

/// <summary>
/// Turns a scan's findings and interface into work items (effort model version 2, <see cref="EffortModel"/>): one
/// `implement-hook` per hook, one `route-site` per hook and function holding scattered sites, one `replace-driver` per
/// driver family, one `reimplement-layer-function` per function of an existing layer (pal_*) the tree defines, and
/// `change-site` items for changes none of those takes. Uses are impact and are in no item's effort.
/// </summary>
public static class WorkPlan
{
    public const string DriversPhase = "drivers";
    public const string RuntimePhase = "runtime";

    /// <summary>
    /// The front end that replaces a family's drivers, short (the driver inventory's `xenFrontEnd` says it in full):
    /// block storage → blkfront, network → netfront, serial → the console ring, PCI and the platform → xenbus.
    /// </summary>
    public static string FrontEndOf(string family) => family switch
    {
        "block-storage" => "blkfront",
        "network" => "netfront",
        "serial" => "console",
        "pci" or "platform" or "power" => "xenbus",
        "interrupt-controller" => "event-channels",
        "dma-mapper" => "grant-tables",
        "timer" => "xen-time",
        "graphics" => "fbfront",
        "hid" => "kbdfront",
        _ => "none",
    };

    public static ImmutableArray<WorkItem> Of(ScanResult result, GraphExcerpt graph)
    {
        var rules = result.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var active = result.Findings.Where(f => f.Active).ToList();
        var changes = active.Where(f => f.Role != Finding.Use).ToList();
        var interfaceHooks = result.Interface?.Hooks ?? [];
        var layers = result.Interface?.ExistingLayers ?? [];
        var layerHooks = layers.SelectMany(l => l.FunctionHooks.Values.SelectMany(h => h)).ToHashSet(StringComparer.Ordinal);
        var order = PhaseOrder(result);
        decimal Cost(Finding f, XenTarget t) => EffortModel.Cost(f, t, result.Target, rules);

        var items = new List<WorkItem>();
        var hooked = changes.Where(f => f.Category != FindingCategory.DriverApi && f.Hook is not null).ToList();
        var hookIds = interfaceHooks.Select(h => h.Id)
            .Concat(hooked.Select(f => f.Hook!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal).ToList();
        foreach (var id in hookIds)
        {
            var described = interfaceHooks.FirstOrDefault(h => h.Id == id);
            var sites = hooked.Where(f => f.Hook == id).ToList();
            var phase = described?.Phase ?? Earliest(sites.Select(PhaseOf), order);
            var wrapped = sites.Where(f => f.Wrapper != false).ToList();
            var itemId = $"{WorkItemKind.ImplementHook}:{id}";
            var charges = new List<WorkCharge>();
            if (!layerHooks.Contains(id) && sites.Count > 0)
            {
                foreach (var target in ModelNames.AllTargets)
                {
                    // The costliest change, charged where it is: to a wrapper's site when one is that costly.
                    var costliest = sites.Max(f => Cost(f, target));
                    var anchor = sites.Where(f => Cost(f, target) == costliest).OrderBy(f => f.Wrapper == false ? 1 : 0).First();
                    charges.Add(new WorkCharge(itemId, target, anchor.File, anchor.Category, costliest));
                }
            }
            items.Add(new WorkItem
            {
                Id = itemId,
                Kind = WorkItemKind.ImplementHook,
                Phase = phase,
                Hook = id,
                Wrappers = described is null ? [] : [.. described.Wrappers.Select(w => w.Function).Distinct(StringComparer.Ordinal)],
                Sites = [.. wrapped],
                Uses = active.Count(f => f.Hook == id && f.Role == Finding.Use),
                Charges = [.. charges],
            });
            foreach (var route in sites.Where(f => f.Wrapper == false).GroupBy(f => (f.File, f.Function)))
            {
                var routeId = $"{WorkItemKind.RouteSite}:{id}:{route.Key.File}:{route.Key.Function}";
                items.Add(new WorkItem
                {
                    Id = routeId,
                    Kind = WorkItemKind.RouteSite,
                    Phase = phase,
                    Hook = id,
                    Function = route.Key.Function,
                    File = route.Key.File,
                    Sites = [.. route],
                    Charges = PerSite(routeId, route, Cost),
                });
            }
        }

        var drivers = DriverIndex.Of(result.Drivers);
        var driverSites = changes.Where(f => f.Category == FindingCategory.DriverApi).Select(f => (Finding: f, Family: drivers.FamilyOf(f))).ToList();
        foreach (var family in driverSites.Where(d => d.Family is not null).GroupBy(d => d.Family!, StringComparer.Ordinal))
        {
            var itemId = $"{WorkItemKind.ReplaceDriver}:{family.Key}";
            var sites = family.Select(d => d.Finding).ToList();
            var charges = new List<WorkCharge>();
            // A front end replaces each kind of hardware access its family's drivers make (PCI config → xenbus, interrupts
            // → an event channel, DMA addresses → grants) once, however many calls the old drivers make of it.
            foreach (var rule in sites.GroupBy(f => f.RuleId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                foreach (var target in ModelNames.AllTargets)
                {
                    var anchor = rule.OrderByDescending(f => Cost(f, target)).First();
                    charges.Add(new WorkCharge(itemId, target, anchor.File, anchor.Category, Cost(anchor, target)));
                }
            }
            items.Add(new WorkItem
            {
                Id = itemId,
                Kind = WorkItemKind.ReplaceDriver,
                Phase = DriversPhase,
                Family = family.Key,
                FrontEnd = FrontEndOf(family.Key),
                Drivers = [.. sites.Select(drivers.ClassOf).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                Sites = [.. sites],
                Charges = [.. charges],
            });
        }

        foreach (var layer in layers)
        {
            foreach (var (function, covered) in layer.FunctionHooks)
            {
                var itemId = $"{WorkItemKind.ReimplementLayerFunction}:{layer.Id}:{function}";
                var definition = graph.Definitions.GetValueOrDefault(function);
                var charges = new List<WorkCharge>();
                foreach (var target in ModelNames.AllTargets)
                {
                    var best = covered.Select(h => HookBase(h, target, hooked, result.Rules, Cost)).OfType<(decimal Points, FindingCategory Category, string File)>()
                        .OrderByDescending(b => b.Points).FirstOrDefault();
                    if (best.File is not null)
                    {
                        charges.Add(new WorkCharge(itemId, target, definition?.File ?? best.File, best.Category, best.Points));
                    }
                }
                items.Add(new WorkItem
                {
                    Id = itemId,
                    Kind = WorkItemKind.ReimplementLayerFunction,
                    Phase = Earliest(covered.Select(h => layer.HookPhases.GetValueOrDefault(h, RuntimePhase)), order),
                    Hook = covered.FirstOrDefault(),
                    Hooks = covered,
                    Layer = layer.Id,
                    Function = function,
                    File = definition?.File,
                    Sites = [.. hooked.Where(f => f.Function == function && covered.Contains(f.Hook!, StringComparer.Ordinal))],
                    Charges = [.. charges],
                });
            }
        }

        var rest = changes.Where(f => f.Category != FindingCategory.DriverApi && f.Hook is null)
            .Concat(driverSites.Where(d => d.Family is null).Select(d => d.Finding));
        foreach (var group in rest.GroupBy(f => (f.RuleId, f.File, f.Function)))
        {
            var itemId = $"{WorkItemKind.ChangeSite}:{group.Key.RuleId}:{group.Key.File}:{group.Key.Function}";
            items.Add(new WorkItem
            {
                Id = itemId,
                Kind = WorkItemKind.ChangeSite,
                Phase = Earliest(group.Select(PhaseOf), order),
                RuleId = group.Key.RuleId,
                Function = group.Key.Function,
                File = group.Key.File,
                Sites = [.. group],
                Charges = PerSite(itemId, group, Cost),
            });
        }

        return [.. items.OrderBy(i => order.GetValueOrDefault(i.Phase, int.MaxValue)).ThenBy(i => i.Phase, StringComparer.Ordinal)
            .ThenBy(i => i.Id, StringComparer.Ordinal)];
    }

    /// <summary>Phase names → boot order (rules/entry-points.yaml); a phase the scan does not list sorts after, by name.</summary>
    public static Dictionary<string, int> PhaseOrder(ScanResult result) =>
        result.Phases.Select((p, i) => (p.Name, i)).GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);

    private static string PhaseOf(Finding finding) =>
        finding.Phase ?? (finding.Category == FindingCategory.DriverApi ? DriversPhase : RuntimePhase);

    private static string Earliest(IEnumerable<string> phases, Dictionary<string, int> order) =>
        phases.OrderBy(p => order.GetValueOrDefault(p, int.MaxValue)).ThenBy(p => p, StringComparer.Ordinal).FirstOrDefault() ?? RuntimePhase;

    private static ImmutableArray<WorkCharge> PerSite(string itemId, IEnumerable<Finding> sites, Func<Finding, XenTarget, decimal> cost) =>
        [.. sites.SelectMany(f => ModelNames.AllTargets.Select(t => new WorkCharge(itemId, t, f.File, f.Category, cost(f, t))))];

    /// <summary>
    /// A hook's base for a target: its costliest change's cost; for a hook no change of this scan performs, the costliest
    /// rule naming it as operation (weight × severity factor). Null when neither exists.
    /// </summary>
    private static (decimal Points, FindingCategory Category, string File)? HookBase(string hook, XenTarget target, List<Finding> hooked,
        ImmutableArray<Rule> rules, Func<Finding, XenTarget, decimal> cost)
    {
        var site = hooked.Where(f => f.Hook == hook).OrderByDescending(f => cost(f, target)).FirstOrDefault();
        if (site is not null)
        {
            return (cost(site, target), site.Category, site.File);
        }
        var rule = rules.Where(r => r.Operation?.Hooks.Contains(hook, StringComparer.Ordinal) == true)
            .OrderByDescending(r => EffortModel.RuleCost(r, target)).ThenBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault();
        return rule is null ? null : (EffortModel.RuleCost(rule, target), rule.Category, string.Empty);
    }

    /// <summary>The driver inventory, indexed: a driver-API site's class and family.</summary>
    private sealed class DriverIndex
    {
        private readonly Dictionary<string, DriverClass> _byName = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DriverClass> _firstInFile = new(StringComparer.Ordinal);

        public static DriverIndex Of(ImmutableArray<DriverClass> drivers)
        {
            var index = new DriverIndex();
            foreach (var driver in drivers.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Name, StringComparer.Ordinal))
            {
                index._byName.TryAdd(driver.Name, driver);
                index._firstInFile.TryAdd(driver.File, driver);
            }
            return index;
        }

        /// <summary>The class the site belongs to: the driver it was found in, the class of its method, or the driver its file defines.</summary>
        public string? ClassOf(Finding finding) => Driver(finding)?.Name;

        /// <summary>The site's family: its driver class's (inventory); null outside any driver.</summary>
        public string? FamilyOf(Finding finding) => Driver(finding)?.Family;

        private DriverClass? Driver(Finding finding)
        {
            // The interface stage names the driver class of a change made in a driver's own methods (Finding.Driver).
            if (finding.Driver is { } name && _byName.TryGetValue(name, out var named))
            {
                return named;
            }
            if (finding.Function is { } function && function.LastIndexOf("::", StringComparison.Ordinal) is var at and > 0
                && _byName.TryGetValue(function[..at], out var owner))
            {
                return owner;
            }
            return _firstInFile.GetValueOrDefault(finding.File);
        }
    }
}
