using Parascope.Graph;
using Parascope.Model;

namespace Parascope.Tests.Graph;

public sealed class CallGraphTests
{
    private const string Boot = """
        void load_first_tables(void);
        void kernel_bootstrap(void);
        void vm_everything(void);
        void set_first_cr3(void) { }
        void load_first_tables(void) { set_first_cr3(); }
        void i386_init(void) { load_first_tables(); kernel_bootstrap(); }
        void kernel_bootstrap(void) { vm_everything(); }
        void vm_everything(void) { }
        """;

    private const string Pmap = """
        void set_first_cr3(void);
        static void pmap_store(void) { }
        void pmap_enter(void) { pmap_store(); set_first_cr3(); }
        void lonely(void) { }
        """;

    private static ScanResult Scan(TempTree tree)
    {
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Jobs = 2, Profile = "generic" });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }

    [Fact]
    public void The_transitive_caller_count_is_the_size_of_the_transitive_callers_also_through_a_cycle()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/i386_init.c", Boot);
        tree.Write("osfmk/i386/pmap.c", Pmap);
        tree.Write("osfmk/kern/cycle.c", "void ping(void); void pong(void) { ping(); }\nvoid ping(void) { pong(); set_first_cr3(); }\nvoid set_first_cr3(void);\n");
        var graph = (CallGraph)Scan(tree).CallGraph!;
        Assert.All(graph.Functions, f => Assert.Equal(graph.TransitiveCallers(f).Count, graph.TransitiveCallerCount(f)));
        Assert.Equal(1, graph.TransitiveCallerCount("ping"));
        Assert.Equal(5, graph.TransitiveCallerCount("set_first_cr3"));
        // All at once (the walks split over the cores, several per thread), repeated and unknown names among them.
        var counts = graph.TransitiveCallerCounts([.. graph.Functions, .. graph.Functions, "no_such_function"]);
        Assert.Equal(graph.Functions.Order(StringComparer.Ordinal).Select(f => (f, graph.TransitiveCallers(f).Count)),
            counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value)));
    }

    [Fact]
    public void Direct_calls_across_units_become_edges()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/i386_init.c", Boot);
        tree.Write("osfmk/i386/pmap.c", Pmap);
        var graph = (CallGraph)Scan(tree).CallGraph!;
        Assert.Equal(["load_first_tables", "pmap_enter"], graph.Callers("set_first_cr3"));
        Assert.Equal(["i386_init", "load_first_tables", "pmap_enter"], graph.TransitiveCallers("set_first_cr3").Order(StringComparer.Ordinal));
        Assert.Equal("osfmk/i386/pmap.c", graph.DefinitionOf("pmap_store@osfmk/i386/pmap.c")!.File);
    }

    [Fact]
    public void A_function_takes_the_first_phase_that_reaches_it_and_hubs_stop_the_walk()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/i386_init.c", Boot);
        tree.Write("osfmk/i386/pmap.c", Pmap);
        var assigned = PortPhases.BuiltIn().Assign((CallGraph)Scan(tree).CallGraph!);
        Assert.Equal("boot", assigned["set_first_cr3"]);        // reached from i386_init before pmap_enter's phase
        Assert.Equal("mmu", assigned["pmap_store@osfmk/i386/pmap.c"]); // a static: its node names its file
        Assert.Equal("boot", assigned["kernel_bootstrap"]);     // the hub itself is reached…
        Assert.False(assigned.ContainsKey("vm_everything"));    // …but not walked through
        Assert.False(assigned.ContainsKey("lonely"));
    }

    [Fact]
    public void A_finding_no_entry_point_reaches_falls_back_to_its_category_phase()
    {
        var phases = PortPhases.BuiltIn();
        var finding = new Finding
        {
            RuleId = "test.rule",
            Category = FindingCategory.PageTable,
            Severity = Severity.Error,
            File = "a.c",
            Line = 1,
            Column = 1,
            Function = "lonely",
            Arch = "any",
            Context = SourceContext.C,
            Detail = "x",
            Action = "y",
        };
        Assert.Equal("mmu", phases.PhaseOf(finding, new Dictionary<string, string>()));
        Assert.Equal("drivers", phases.PhaseOf(finding with { Category = FindingCategory.DriverApi }, new Dictionary<string, string>()));
    }
}
