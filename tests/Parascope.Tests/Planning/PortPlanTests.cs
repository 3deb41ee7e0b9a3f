using Parascope.Model;
using Parascope.Planning;
using static Parascope.Tests.Reports.ConstructedResults;

namespace Parascope.Tests.Planning;

public sealed class PortPlanTests
{
    private static readonly Parascope.Model.Rule Hlt = Rule("x86.hlt", FindingCategory.Instruction, 1, Severity.Error, Severity.Warning, Severity.Note);
    private static readonly Parascope.Model.Rule Pte = Rule("pt.store", FindingCategory.PageTable, 4, Severity.Error, Severity.Note, Severity.Note);

    [Fact]
    public void Effort_is_weight_times_the_severity_factor_for_each_target()
    {
        var plan = PlanBuilder.Of(Result([Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("pt.store", "osfmk/b.c", 2, "g", FindingCategory.PageTable)], [Hlt, Pte]));
        Assert.Equal(5.0, plan.Totals.Effort);
        Assert.Equal([5.0, 0.9, 0.5], plan.Targets.Select(t => t.Effort));
        Assert.Equal([2, 0, 0], plan.Targets.Select(t => t.Errors));
        Assert.Equal([0, 1, 0], plan.Targets.Select(t => t.Warnings));
    }

    private static readonly Parascope.Model.Rule Cli = Rule("x86.cli-sti", FindingCategory.Instruction, 1, Severity.Error, Severity.Note, Severity.Note);
    private static readonly Parascope.Model.Rule PciConfig = Rule("driver-api.pci-config", FindingCategory.DriverApi, 2, Severity.Error, Severity.Error, Severity.Note);
    private static readonly Parascope.Model.Rule Interrupt = Rule("driver-api.interrupt", FindingCategory.DriverApi, 3, Severity.Error, Severity.Error, Severity.Note);

    private static Finding Change(string rule, string file, int line, string? function, string hook, bool wrapper, FindingCategory category = FindingCategory.Instruction) =>
        Finding(rule, file, line, function, category) with { Hook = hook, Role = Parascope.Model.Finding.Change, Wrapper = wrapper };

    private static Finding Use(string rule, string file, int line, string? function, string hook, FindingCategory category = FindingCategory.Instruction) =>
        Finding(rule, file, line, function, category) with { Hook = hook, Role = Parascope.Model.Finding.Use };

    private static InterfaceHook Hook(string id, string phase) => new() { Id = id, Operation = id + " operation", Phase = phase };

    private static ScanResult WithInterface(ScanResult result, params InterfaceHook[] hooks) => result with
    {
        Interface = new PortInterface { Hooks = [.. hooks] },
        Phases = [new PortPhase("boot", "", []), new PortPhase("mmu", "", []), new PortPhase("traps-and-interrupts", "", []), new PortPhase("runtime", "", []), new PortPhase("drivers", "", [])],
    };

    [Fact]
    public void A_hook_costs_its_costliest_change_once_plus_each_scattered_site_and_a_use_costs_nothing()
    {
        var result = WithInterface(Result([
            Change("pt.store", "osfmk/pmap.h", 10, "pmap_store_pte", "store-pte", wrapper: true, FindingCategory.PageTable),
            Change("pt.store", "osfmk/pmap.c", 20, "pmap_enter", "store-pte", wrapper: false, FindingCategory.PageTable),
            Use("pt.store", "osfmk/pmap.c", 30, "pmap_remove", "store-pte", FindingCategory.PageTable),
            Use("pt.store", "bsd/vm.c", 40, "vm_fault", "store-pte", FindingCategory.PageTable)], [Pte]), Hook("store-pte", "mmu"));
        var plan = PlanBuilder.Of(result);
        // implement-hook: the costliest change once (weight 4); route-site: pmap_enter's scattered store (4); the uses: 0.
        Assert.Equal(8.0, plan.Totals.Effort);
        var implement = Assert.Single(plan.WorkItems, i => i.Kind == WorkItemKind.ImplementHook);
        Assert.Equal((4.0, 1, 2), (implement.EffortFor(XenTarget.XenPv), implement.Sites.Length, implement.Uses));
        Assert.Equal(4.0, Assert.Single(plan.WorkItems, i => i.Kind == WorkItemKind.RouteSite).EffortFor(XenTarget.XenPv));
        Assert.Equal(2, plan.WorkItems.Length);
    }

    [Fact]
    public void A_hook_s_base_is_its_costliest_change_even_when_that_change_is_scattered()
    {
        var result = WithInterface(Result([
            Change("x86.hlt", "osfmk/pmap.h", 10, "small_wrapper", "store-pte", wrapper: true),
            Change("pt.store", "bsd/pmap.c", 20, "pmap_enter", "store-pte", wrapper: false, FindingCategory.PageTable)], [Pte, Hlt]), Hook("store-pte", "mmu"));
        var plan = PlanBuilder.Of(result);
        Assert.Equal(4.0, plan.WorkItems.Single(i => i.Kind == WorkItemKind.ImplementHook).EffortFor(XenTarget.XenPv));
        Assert.Equal(8.0, plan.BySubsystem.Single(s => s.Name == "bsd").Effort);    // the base is charged where the costliest change is
    }

    [Fact]
    public void The_scattered_sites_of_one_hook_in_one_function_are_one_route_item()
    {
        var result = WithInterface(Result([
            .. Enumerable.Range(1, 5).Select(line => Change("x86.cli-sti", "osfmk/trap.c", line, "kernel_trap", "disable-interrupts", wrapper: false)),
            Change("x86.cli-sti", "osfmk/idle.c", 9, "machine_idle", "disable-interrupts", wrapper: false)], [Cli]), Hook("disable-interrupts", "traps-and-interrupts"));
        var routes = PlanBuilder.Of(result).WorkItems.Where(i => i.Kind == WorkItemKind.RouteSite).ToList();
        Assert.Equal([("machine_idle", 1), ("kernel_trap", 5)], routes.Select(r => (r.Function, r.Sites.Length)));
        Assert.Equal(5.0, routes[1].EffortFor(XenTarget.XenPv));
    }

    [Fact]
    public void Driver_api_changes_in_a_driver_are_one_front_end_per_family_that_counts_each_rule_once()
    {
        var result = Result([
            Finding("driver-api.pci-config", "iokit/Disk.cpp", 1, "AppleDisk::start", FindingCategory.DriverApi),
            Finding("driver-api.pci-config", "iokit/Disk.cpp", 2, "AppleDisk::start", FindingCategory.DriverApi),
            Finding("driver-api.interrupt", "iokit/Disk.cpp", 3, "AppleDisk::start", FindingCategory.DriverApi),
            Use("driver-api.interrupt", "bsd/kern.c", 4, "kern_fn", "disable-interrupts", FindingCategory.DriverApi)], [PciConfig, Interrupt]) with
        {
            Drivers = [new DriverClass { Name = "AppleDisk", Superclass = "IOBlockStorageDevice", File = "iokit/Disk.cpp", Line = 1, Family = "block-storage", XenFrontEnd = "blkfront" }],
        };
        var plan = PlanBuilder.Of(result);
        var driver = Assert.Single(plan.WorkItems);
        Assert.Equal((WorkItemKind.ReplaceDriver, "block-storage", "blkfront", "drivers", 3), (driver.Kind, driver.Family, driver.FrontEnd, driver.Phase, driver.Sites.Length));
        Assert.Equal<string>(["AppleDisk"], driver.Drivers);
        Assert.Equal(2.0 + 3.0, plan.Totals.Effort);
    }

    [Fact]
    public void A_layer_function_the_tree_defines_is_the_implementation_of_the_hooks_it_covers()
    {
        var result = WithInterface(Result([
            Change("x86.cli-sti", "osfmk/pal.h", 5, "pal_cli", "disable-interrupts", wrapper: true),
            Change("x86.cli-sti", "osfmk/trap.c", 9, "kernel_trap", "disable-interrupts", wrapper: false)], [Cli]), Hook("disable-interrupts", "traps-and-interrupts"));
        result = result with
        {
            Interface = result.Interface! with
            {
                ExistingLayers = [new ExistingLayer("xnu-pal", "pal", ["disable-interrupts"], ["pal_cli"], 1, 1)
                {
                    FunctionHooks = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                        [KeyValuePair.Create("pal_cli", System.Collections.Immutable.ImmutableArray.Create("disable-interrupts"))]),
                    HookPhases = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("disable-interrupts", "traps-and-interrupts")]),
                }],
            },
        };
        var plan = PlanBuilder.Of(result);
        Assert.Equal(0.0, plan.WorkItems.Single(i => i.Kind == WorkItemKind.ImplementHook).EffortFor(XenTarget.XenPv));
        var layer = Assert.Single(plan.WorkItems, i => i.Kind == WorkItemKind.ReimplementLayerFunction);
        Assert.Equal(("pal_cli", "traps-and-interrupts", 1.0), (layer.Function, layer.Phase, layer.EffortFor(XenTarget.XenPv)));
        Assert.Equal(2.0, plan.Totals.Effort);    // pal_cli once, kernel_trap's cli routed
    }

    [Fact]
    public void Subsystem_category_phase_and_target_totals_are_the_sum_of_the_work_items()
    {
        var result = WithInterface(Result([
            Change("pt.store", "osfmk/pmap.h", 10, "pmap_store_pte", "store-pte", wrapper: true, FindingCategory.PageTable),
            Change("pt.store", "bsd/pmap.c", 20, "pmap_enter", "store-pte", wrapper: false, FindingCategory.PageTable),
            Change("x86.hlt", "osfmk/idle.c", 3, "machine_idle", "halt", wrapper: false),
            Finding("x86.hlt", "pexpert/a.c", 4, "pe_idle"),
            Finding("driver-api.pci-config", "iokit/x.cpp", 5, "f", FindingCategory.DriverApi)], [Pte, Hlt, PciConfig]),
            Hook("store-pte", "mmu"), Hook("halt", "traps-and-interrupts"));
        var plan = PlanBuilder.Of(result);
        var sum = plan.WorkItems.Sum(i => i.EffortFor(XenTarget.XenPv));
        Assert.Equal(sum, plan.Totals.Effort, 6);
        Assert.Equal(sum, plan.BySubsystem.Sum(s => s.Effort), 6);
        Assert.Equal(sum, plan.ByCategory.Sum(s => s.Effort), 6);
        Assert.Equal(sum, plan.Phases.Sum(p => p.Effort), 6);
        Assert.Equal(sum, plan.Targets.Single(t => t.Target == XenTarget.XenPv).Effort, 6);
        Assert.Equal(plan.WorkItems.Length, plan.Phases.Sum(p => p.WorkItems));
    }

    [Fact]
    public void Work_items_are_sorted_by_phase_in_boot_order_then_by_id()
    {
        var result = WithInterface(Result([
            Change("x86.hlt", "osfmk/idle.c", 3, "machine_idle", "halt", wrapper: false),
            Change("x86.cli-sti", "osfmk/trap.c", 9, "kernel_trap", "disable-interrupts", wrapper: false),
            Change("pt.store", "osfmk/pmap.c", 20, "pmap_enter", "store-pte", wrapper: false, FindingCategory.PageTable)], [Pte, Hlt, Cli]),
            Hook("halt", "runtime"), Hook("disable-interrupts", "traps-and-interrupts"), Hook("store-pte", "mmu"));
        Assert.Equal(
            ["implement-hook:store-pte", "route-site:store-pte:osfmk/pmap.c:pmap_enter",
             "implement-hook:disable-interrupts", "route-site:disable-interrupts:osfmk/trap.c:kernel_trap",
             "implement-hook:halt", "route-site:halt:osfmk/idle.c:machine_idle"],
            PlanBuilder.Of(result).WorkItems.Select(i => i.Id));
    }

    [Fact]
    public void Inactive_code_is_counted_apart()
    {
        var plan = PlanBuilder.Of(Result([Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("x86.hlt", "osfmk/a.c", 5, "f", active: false)], [Hlt]));
        Assert.Equal(1, plan.Totals.Sites);
        Assert.Equal(1, plan.Totals.InactiveSites);
        Assert.Equal(1.0, plan.Totals.Effort);
        Assert.Equal(1.0, plan.Totals.InactiveEffort);
    }

    [Fact]
    public void Subsystems_and_categories_count_sites_and_distinct_functions()
    {
        var plan = PlanBuilder.Of(Result([
            Finding("x86.hlt", "osfmk/a.c", 1, "f"), Finding("x86.hlt", "osfmk/a.c", 2, "f"), Finding("x86.hlt", "bsd/b.c", 3, "g"),
            Finding("pt.store", "osfmk/p.c", 4, "h", FindingCategory.PageTable)], [Hlt, Pte]));
        var osfmk = plan.BySubsystem.Single(s => s.Name == "osfmk");
        Assert.Equal((3, 2), (osfmk.Sites, osfmk.Functions));
        Assert.Equal(["bsd", "osfmk"], plan.BySubsystem.Select(s => s.Name));
        var instructions = plan.ByCategory.Single(s => s.Name == "instruction");
        Assert.Equal((3, 2), (instructions.Sites, instructions.Functions));
    }
}
