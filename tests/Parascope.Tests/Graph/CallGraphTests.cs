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
    public void Strong_components_join_the_functions_of_a_cycle_and_no_other_even_down_a_long_chain()
    {
        // 0 -> 1 -> 2 -> 0 (a cycle), 2 -> 3, 3 -> 4 -> 3 (another), 5 alone with a call of itself, then a chain
        // 6 -> 7 -> ... -> 100,005 and back to 6: one component as long as the chain, deeper than a recursive search goes.
        const int Chain = 100_000;
        var edges = new List<(int From, int To)> { (0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 3), (5, 5) };
        for (var v = 6; v < 6 + Chain; v++)
        {
            edges.Add((v, v + 1));
        }
        edges.Add((6 + Chain, 6));
        var vertices = 7 + Chain;
        var start = new int[vertices + 1];
        foreach (var (from, _) in edges)
        {
            start[from + 1]++;
        }
        for (var v = 0; v < vertices; v++)
        {
            start[v + 1] += start[v];
        }
        var next = new int[edges.Count];
        var at = start[..^1].ToArray();
        foreach (var (from, to) in edges)
        {
            next[at[from]++] = to;
        }

        var component = CallGraph.StrongComponents(start, next);

        Assert.Equal(component[0], component[1]);
        Assert.Equal(component[0], component[2]);
        Assert.Equal(component[3], component[4]);
        Assert.NotEqual(component[0], component[3]);
        Assert.Equal(4, new[] { component[0], component[3], component[5], component[6] }.Distinct().Count());
        Assert.All(Enumerable.Range(6, Chain + 1), v => Assert.Equal(component[6], component[v]));
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
