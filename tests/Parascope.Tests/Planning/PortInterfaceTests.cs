using Parascope.Model;

namespace Parascope.Tests.Planning;

/// <summary>Sites become hooks: a wrapper covers its callers, a site outside it is scattered, the cut is the narrowest.</summary>
public sealed class PortInterfaceTests
{
    // set_cr3 is a wrapper: small, one operation, called. big_switch loads CR3 inline among other work (scattered).
    private const string Pmap = """
        static inline void set_cr3(unsigned long value)
        {
            __asm__ volatile("mov %0, %%cr3" : : "r" (value));
        }

        void pmap_enter(unsigned long pa) { set_cr3(pa); }
        void pmap_remove(unsigned long pa) { set_cr3(pa); }

        void big_switch(unsigned long pa)
        {
            __asm__ volatile("cli");
            __asm__ volatile("mov %0, %%cr3" : : "r" (pa));
            __asm__ volatile("sti");
        }

        static inline void invlpg(unsigned long va)
        {
            __asm__ volatile("invlpg (%0)" : : "r" (va) : "memory");
        }

        /* A wrapper of one hook (load-page-table-base) that also calls another hook's wrapper: it is not that hook's wrapper. */
        void switch_and_flush(unsigned long pa) { __asm__ volatile("mov %0, %%cr3" : : "r" (pa)); invlpg(0); }

        void i386_init(void) { big_switch(0); pmap_enter(0); switch_and_flush(0); }
        """;

    private static ScanResult Scan(TempTree tree)
    {
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 1, Profile = "generic" });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }

    [Fact]
    public void A_small_called_function_doing_one_operation_is_its_hook_s_wrapper_and_other_sites_are_scattered()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/pmap_mini.c", Pmap);
        var result = Scan(tree);

        var cr3 = result.Findings.Where(f => f.Hook == "load-page-table-base" && f.Role == Finding.Change).OrderBy(f => f.Line).ToList();
        Assert.Equal(3, cr3.Count);
        Assert.Equal([true, false, true], cr3.Select(f => f.Wrapper == true));
        Assert.Equal([false, true, false], cr3.Select(f => f.Scattered == true));

        var hook = Assert.Single(result.Interface!.Hooks, h => h.Id == "load-page-table-base");
        Assert.Equal(3, hook.Sites);
        Assert.Equal(1, hook.ScatteredSites);
        Assert.Equal(2, hook.Uses);    // pmap_enter's and pmap_remove's calls of set_cr3: they change nothing
        Assert.Equal(["set_cr3", "switch_and_flush"], hook.Wrappers.Select(w => w.Function));
        var wrapper = hook.Wrappers[0];
        Assert.Equal<string>(["pmap_enter", "pmap_remove"], wrapper.Callers);
        Assert.Contains(result.Interface.Hooks, h => h.Id == "disable-interrupts" && h.ScatteredSites == 1);
        var tlb = Assert.Single(result.Interface.Hooks, h => h.Id == "invalidate-tlb-entry");
        Assert.Equal(["invlpg"], tlb.Wrappers.Select(w => w.Function));
    }

    [Fact]
    public void Each_hook_names_its_change_nearest_the_boot_entry_points_and_its_changes_per_phase()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/pmap_mini.c", Pmap);
        var hook = Assert.Single(Scan(tree).Interface!.Hooks, h => h.Id == "load-page-table-base");

        // i386_init (a boot entry point) calls big_switch and switch_and_flush directly; set_cr3 is two calls away.
        Assert.Equal(new BootSite("big_switch", "osfmk/i386/pmap_mini.c", 12, 1), hook.FirstInBoot);
        Assert.Equal<PhaseCount>([new PhaseCount("boot", 3)], hook.SitesByPhase);
    }

    [Fact]
    public void A_hook_whose_sites_are_all_uses_is_still_a_hook_of_the_interface()
    {
        using var tree = new TempTree();
        // kvtophys computes its answer in C (no privileged site of its own); its callers use the phys-to-machine hook.
        tree.Write("osfmk/i386/phys_mini.c", """
            unsigned long kvtophys(unsigned long va) { return va - 0x1000; }
            unsigned long dma_address(unsigned long va) { return kvtophys(va); }
            """);
        var result = Scan(tree);
        var hook = Assert.Single(result.Interface!.Hooks, h => h.Id == "phys-to-machine");
        Assert.Equal((0, 1), (hook.Sites, hook.Uses));
        Assert.Equal("kvtophys", Assert.Single(result.Interface.Implementations).Function);
    }

    [Fact]
    public void A_site_s_finding_lists_its_function_s_callers()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/pmap_mini.c", Pmap);
        var wrapped = Scan(tree).Findings.Single(f => f.Hook == "load-page-table-base" && f.Function == "set_cr3");
        Assert.Equal(Finding.Change, wrapped.Role);
        Assert.Equal<string>(["pmap_enter", "pmap_remove"], wrapped.CallerFunctions);
    }

    [Fact]
    public void The_minimum_cut_separates_the_entry_points_from_every_function_holding_a_site()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/pmap_mini.c", Pmap);
        var cut = Scan(tree).Interface!.MinCut;
        // Entry points i386_init, pmap_enter and pmap_remove reach the four functions holding changes; cutting
        // switch_and_flush also cuts invlpg, and entry points are not cut: three functions is the narrowest.
        Assert.Equal(4, cut.FunctionsWithSites);
        Assert.Equal(3, cut.Size);
        Assert.Equal<string>(["big_switch", "set_cr3", "switch_and_flush"], cut.Functions);
    }
}
