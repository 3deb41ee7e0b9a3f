using System.Collections.Immutable;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Planning;

/// <summary>
/// Turns sites into the port's interface: each active instruction or page-table site gets the hook of its operation
/// (its rule's `operation`, per matched item), and is either in a wrapper — a small function, or an asm macro, whose
/// sites all perform that one operation, so changing it covers every caller — or scattered. Hooks are listed with
/// their wrappers, the layers the kernel already has (rules/hooks.yaml `existing-layers`) and the minimum vertex cut
/// between the entry points and the functions holding sites.
/// </summary>
public static class PortInterfaceBuilder
{
    /// <summary>
    /// A wrapper is small: one operation and its bookkeeping. The bound is a chosen one, not measured; a long function
    /// whose only privileged operation is one hook is reported as scattered, which over-counts work rather than hiding it.
    /// </summary>
    public const int MaxWrapperLines = 40;

    /// <summary>Finding properties that name what a site matched, most specific first (a register decides msr's hook).</summary>
    private static readonly string[] MatchedItems = ["register", "mnemonic", "name", "builtin", "macro"];

    /// <summary>The result with its findings' hooks and its interface.</summary>
    public static ScanResult Apply(ScanResult result, RuleSet rules, HookSet hooks, CallGraph graph, PortPhases phases)
    {
        var (findings, portInterface) = Build(result.Findings, rules, hooks, graph, phases, result.Drivers);
        return result with { Findings = findings, Interface = portInterface };
    }

    public static (ImmutableArray<Finding> Findings, PortInterface Interface) Build(ImmutableArray<Finding> findings, RuleSet rules,
        HookSet hooks, CallGraph graph, PortPhases phases, ImmutableArray<DriverClass> drivers = default)
    {
        var hooked = findings.Select(f => f with { Hook = f.Active ? HookOf(f, rules, hooks) : null, Wrapper = null, Role = null, Implementation = null, Driver = null })
            .Select(f => f.Hook is null ? f : UsedCallee(f, graph) is { } callee ? f with { Role = Finding.Use, Implementation = callee } : f with { Role = Finding.Change })
            .ToList();
        var wrappers = WrapperFunctions(hooked, graph);
        var hookOrder = hooks.Hooks.Select((h, i) => (h.Id, i)).ToDictionary(h => h.Id, h => h.i, StringComparer.Ordinal);
        var driverClasses = (drivers.IsDefault ? [] : drivers).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var implementationHooks = ImplementationHooks(hooked, hookOrder);
        var annotated = hooked
            .Select(f => f.Role == Finding.Change ? f with { Wrapper = IsInWrapper(f, wrappers) } : f)
            .Select(f => f.Active && f.Category == FindingCategory.DriverApi ? DriverApiRole(f, graph, driverClasses, implementationHooks) : f)
            .ToImmutableArray();

        var phaseOrder = phases.Phases.Select((p, i) => (p.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var bootDistance = phases.Phases.IsEmpty ? []
            : CallDistances.From(graph, phases.Phases[0].EntryPoints.Select(name => graph.Resolve(name)).OfType<string>(), phases.StopAt);
        var interfaceHooks = annotated.Where(f => f.Hook is not null)
            .GroupBy(f => f.Hook!, StringComparer.Ordinal)
            .Select(g => Describe(hooks[g.Key], g.ToList(), wrappers, graph) with
            {
                SitesByPhase = [.. g.Where(f => f.Role == Finding.Change && f.Phase is not null).GroupBy(f => f.Phase!, StringComparer.Ordinal)
                    .OrderBy(p => phaseOrder.GetValueOrDefault(p.Key, int.MaxValue)).ThenBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => new PhaseCount(p.Key, p.Count()))],
                FirstInBoot = FirstInBoot(g, bootDistance),
            })
            .Where(h => h.Sites > 0 || h.Uses > 0)
            .OrderBy(h => phaseOrder.GetValueOrDefault(h.Phase, int.MaxValue)).ThenBy(h => hookOrder[h.Id])
            .ToImmutableArray();

        var sinks = annotated.Where(f => f.Role == Finding.Change && f.GraphNode is not null && graph.Contains(f.GraphNode))
            .Select(f => f.GraphNode!).Distinct(StringComparer.Ordinal).ToList();
        var sources = phases.Phases.SelectMany(p => p.EntryPoints).Select(name => graph.Resolve(name)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var cut = MinimumVertexCut.Compute(graph, sources, sinks);
        return (annotated, new PortInterface
        {
            Hooks = interfaceHooks,
            Implementations = Implementations(annotated, graph),
            ExistingLayers = Layers(annotated, hooks, graph),
            // Named as written, as wrappers are: a static's node ("name@file") is the graph's business.
            MinCut = new InterfaceCut(cut.Size, [.. cut.Functions.Select(CallGraph.BaseName).Order(StringComparer.Ordinal)], sinks.Count),
        });
    }

    /// <summary>The change nearest the boot entry points (fewest calls; then file, line for a stable answer).</summary>
    private static BootSite? FirstInBoot(IEnumerable<Finding> sites, Dictionary<string, int> bootDistance) =>
        sites.Where(f => f.Role == Finding.Change && f.GraphNode is not null && bootDistance.ContainsKey(f.GraphNode))
            .Select(f => new BootSite(CallGraph.BaseName(f.GraphNode!), f.File, f.Line, bootDistance[f.GraphNode!]))
            .OrderBy(b => b.Calls).ThenBy(b => b.File, StringComparer.Ordinal).ThenBy(b => b.Line).ThenBy(b => b.Function, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>The hook of a site: its rule's operation for the item it matched, or the rule-wide one.</summary>
    public static string? HookOf(Finding finding, RuleSet rules, HookSet hooks)
    {
        if (!rules.TryGet(finding.RuleId, out var rule) || rule.Operation is not { FromEmitted: false } operation)
        {
            return null;
        }
        foreach (var key in MatchedItems)
        {
            if (finding.Properties.TryGetValue(key, out var item) && operation.ByItem.ContainsKey(item))
            {
                return Known(operation.ByItem[item]);
            }
        }
        return Known(operation.Hook);

        string? Known(string? id) => id is not null && hooks.Contains(id) ? id : null;
    }

    /// <summary>
    /// A call of a function the scanned tree implements (set_cr3, pmap_store_pte, invlpg as C functions) is a use of
    /// that function's hook: the change is inside the callee, the caller changes nothing. The callee, or null.
    /// </summary>
    private static string? UsedCallee(Finding finding, CallGraph graph) =>
        finding.Properties.TryGetValue("form", out var form) && form == "call"
        && finding.Properties.TryGetValue("name", out var callee) && graph.Resolve(callee, finding.File) is { } node && graph.DefinedAt(node) is not null
            ? callee : null;

    /// <summary>
    /// A driver-API site is a change when it sits in a driver class's own methods (the driver a paravirtual front end
    /// replaces or a port rewrites: one piece of work per driver) or when it calls nothing the tree implements (a
    /// macro such as LAPIC_REG, an external KPI); a call of an in-tree function (ml_set_interrupts_enabled, PE_*,
    /// IOPlatformExpert::PMLog) is a use of that function: its callers change nothing. The use carries the hook its
    /// implementation performs, when it performs one.
    /// </summary>
    private static Finding DriverApiRole(Finding finding, CallGraph graph, HashSet<string> driverClasses, Dictionary<string, string> implementationHooks)
    {
        if (finding.Function is { } function && function.IndexOf("::", StringComparison.Ordinal) is var split and > 0
            && driverClasses.Contains(function[..split]))
        {
            return finding with { Role = Finding.Change, Driver = function[..split] };
        }
        if (CalledFunction(finding) is { } callee && graph.Resolve(callee, finding.File) is { } node && graph.DefinedAt(node) is not null)
        {
            return finding with { Role = Finding.Use, Implementation = callee, Hook = implementationHooks.GetValueOrDefault(node) };
        }
        return finding with { Role = Finding.Change };
    }

    /// <summary>The function a driver-API site calls, as the graph names it: a C function, or Class::method.</summary>
    private static string? CalledFunction(Finding finding) =>
        finding.Properties.TryGetValue("function", out var function) ? function
        : finding.Properties.TryGetValue("class", out var type) && finding.Properties.TryGetValue("method", out var method) ? $"{type}::{method}"
        : null;

    /// <summary>
    /// The hook each function's own changing sites perform: the one with most sites there, the earlier in
    /// rules/hooks.yaml on a tie (ml_set_interrupts_enabled does cli and sti: disable-interrupts, two sites, wins over
    /// one pushf). Only the body's own sites count: a function that merely calls a wrapper performs no hook itself.
    /// </summary>
    private static Dictionary<string, string> ImplementationHooks(List<Finding> findings, Dictionary<string, int> hookOrder) =>
        findings.Where(f => f.Role == Finding.Change && f.GraphNode is not null)
            .GroupBy(f => f.GraphNode!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(f => f.Hook!, StringComparer.Ordinal)
                .OrderByDescending(h => h.Count()).ThenBy(h => hookOrder.GetValueOrDefault(h.Key, int.MaxValue)).First().Key, StringComparer.Ordinal);

    /// <summary>Every in-tree function that uses call, with its definition, the hook it performs and its uses; most used first.</summary>
    private static ImmutableArray<UsedImplementation> Implementations(ImmutableArray<Finding> findings, CallGraph graph) =>
        [.. findings.Where(f => f.Role == Finding.Use && f.Implementation is not null)
            .GroupBy(f => f.Implementation!, StringComparer.Ordinal)
            .Select(g =>
            {
                var span = graph.DefinitionOf(graph.Resolve(g.Key, g.First().File)!)!;
                return new UsedImplementation(g.Key, span.File, span.StartLine, g.First().Hook, g.Count(),
                    [.. g.Select(f => f.RuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
            })
            .OrderByDescending(i => i.Uses).ThenBy(i => i.Function, StringComparer.Ordinal)];

    /// <summary>Functions every changing site of which performs one hook, small and called: function → its hook.</summary>
    private static Dictionary<string, string> WrapperFunctions(List<Finding> findings, CallGraph graph)
    {
        var wrappers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in findings.Where(f => f.Role == Finding.Change && f.GraphNode is not null).GroupBy(f => f.GraphNode!, StringComparer.Ordinal))
        {
            var hooksHere = group.Select(f => f.Hook!).Distinct(StringComparer.Ordinal).ToList();
            if (hooksHere.Count == 1 && graph.DefinitionOf(group.Key) is { } span && span.EndLine - span.StartLine + 1 <= MaxWrapperLines
                && graph.Callers(group.Key).Any())
            {
                wrappers[group.Key] = hooksHere[0];
            }
        }
        return wrappers;
    }

    /// <summary>In a wrapper function, or an asm macro's definition (the one place its expansions change).</summary>
    private static bool IsInWrapper(Finding finding, Dictionary<string, string> wrappers) =>
        finding.GraphNode is { } function ? wrappers.ContainsKey(function) : IsMacroDefinition(finding);

    private static bool IsMacroDefinition(Finding finding) => finding.Properties.ContainsKey("macro") && !finding.Expansions.IsEmpty;

    private static InterfaceHook Describe(Hook hook, List<Finding> sites, Dictionary<string, string> wrappers, CallGraph graph)
    {
        var functionWrappers = sites.Where(f => f.Role == Finding.Change && f.GraphNode is { } fn && wrappers.GetValueOrDefault(fn) == hook.Id)
            .GroupBy(f => f.GraphNode!, StringComparer.Ordinal)
            .Select(g =>
            {
                // The wrapper's name as written (a static's node adds its file, which the wrapper gives anyway).
                var span = graph.DefinitionOf(g.Key)!;
                return new HookWrapper(CallGraph.BaseName(g.Key), span.File, span.StartLine, g.Count(), [.. graph.Callers(g.Key).Take(Finding.MaxCallerFunctions)]);
            });
        var macroWrappers = sites.Where(f => f.Role == Finding.Change && f.Function is null && IsMacroDefinition(f))
            .Select(f => new HookWrapper(f.Properties["macro"], f.File, f.Line, 1,
                [.. f.Expansions.Select(e => e.Function ?? $"{e.File}:{e.Line}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(Finding.MaxCallerFunctions)]));
        return new InterfaceHook
        {
            Id = hook.Id,
            Operation = hook.Title,
            Phase = hook.Phase,
            Rules = [.. sites.Select(f => f.RuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Sites = sites.Count(f => f.Role == Finding.Change),
            ScatteredSites = sites.Count(f => f.Wrapper == false),
            Uses = sites.Count(f => f.Role == Finding.Use),
            Wrappers = [.. functionWrappers.Concat(macroWrappers).OrderBy(w => w.File, StringComparer.Ordinal).ThenBy(w => w.Line).ThenBy(w => w.Function, StringComparer.Ordinal)],
            Actions = hook.Actions,
            Xen = hook.Xen,
            Linux = hook.Linux,
            NetBsd = hook.NetBsd,
            MiniOs = hook.MiniOs,
        };
    }

    /// <summary>
    /// Each existing layer (XNU's pal_*): the hooks it covers, which of its functions the tree defines, and of the
    /// active sites of those hooks how many are inside its functions (or macros) and how many are elsewhere.
    /// </summary>
    private static ImmutableArray<ExistingLayer> Layers(ImmutableArray<Finding> findings, HookSet hooks, CallGraph graph)
    {
        var layers = ImmutableArray.CreateBuilder<ExistingLayer>();
        foreach (var layer in hooks.Layers)
        {
            var covered = hooks.Hooks.Where(h => h.ExistingLayers.ContainsKey(layer.Id)).ToList();
            var functions = covered.SelectMany(h => h.ExistingLayers[layer.Id]).ToHashSet(StringComparer.Ordinal);
            var coveredIds = covered.Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
            var sites = findings.Where(f => f.Role == Finding.Change && coveredIds.Contains(f.Hook!)).ToList();
            bool Through(Finding f) => f.Function is { } fn ? functions.Contains(fn) : f.Properties.TryGetValue("macro", out var macro) && functions.Contains(macro);
            var present = functions.Where(graph.Contains).Order(StringComparer.Ordinal).ToImmutableArray();
            layers.Add(new ExistingLayer(layer.Id, layer.Title, [.. coveredIds.Order(StringComparer.Ordinal)],
                present, sites.Count(Through), sites.Count(f => !Through(f)))
            {
                FunctionHooks = present.ToImmutableSortedDictionary(fn => fn,
                    fn => covered.Where(h => h.ExistingLayers[layer.Id].Contains(fn, StringComparer.Ordinal)).Select(h => h.Id).ToImmutableArray(),
                    StringComparer.Ordinal),
                HookPhases = covered.ToImmutableSortedDictionary(h => h.Id, h => h.Phase, StringComparer.Ordinal),
            });
        }
        return layers.ToImmutable();
    }
}
