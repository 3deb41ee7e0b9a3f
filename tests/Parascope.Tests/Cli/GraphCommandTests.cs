using System.Xml.Linq;
using Parascope.Cli;
using static Parascope.Tests.Cli.CliRunner;

namespace Parascope.Tests.Cli;

public sealed class GraphCommandTests
{
    private const string Switch = """
        static inline void set_cr3(unsigned long value) { __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory"); }
        void pmap_switch(unsigned long base) { set_cr3(base); }
        void thread_switch(unsigned long base) { pmap_switch(base); }
        void machine_boot(void) { thread_switch(0); }
        void far_caller(void) { machine_boot(); }
        void lonely(void) { }
        """;

    private static TempTree Tree()
    {
        var tree = new TempTree();
        tree.Write("osfmk/i386/switch.c", Switch);
        return tree;
    }

    [Fact]
    public void The_whole_graph_is_written_as_dot_sorted()
    {
        using var tree = Tree();
        var (exit, output, error) = Run("graph", tree.Root, "--format", "dot", "-j", "1", "-q");
        Assert.True(exit == ExitCodes.Done, error);
        Assert.StartsWith("digraph callgraph {", output, StringComparison.Ordinal);
        var edges = output.Split('\n').Where(line => line.Contains("->", StringComparison.Ordinal)).Select(line => line.Trim()).ToArray();
        // set_cr3 is static: its node names its file.
        Assert.Equal(["\"far_caller\" -> \"machine_boot\";", "\"machine_boot\" -> \"thread_switch\";",
            "\"pmap_switch\" -> \"set_cr3@osfmk/i386/switch.c\";", "\"thread_switch\" -> \"pmap_switch\";"], edges);
        Assert.Contains("\"set_cr3@osfmk/i386/switch.c\" [sites=1, file=\"osfmk/i386/switch.c\", line=1, style=bold];", output);
    }

    [Fact]
    public void Around_a_function_keeps_callers_and_callees_within_the_depth()
    {
        using var tree = Tree();
        var (exit, output, error) = Run("graph", tree.Root, "--format", "graphml", "--around", "thread_switch", "--depth", "1", "-j", "1", "-q");
        Assert.True(exit == ExitCodes.Done, error);
        XNamespace ns = "http://graphml.graphdrawing.org/xmlns";
        var nodes = XDocument.Parse(output).Descendants(ns + "node").Select(n => (string)n.Attribute("id")!).ToArray();
        Assert.Equal(["machine_boot", "pmap_switch", "thread_switch"], nodes);
    }

    [Fact]
    public void The_graph_is_written_to_a_file_with_output()
    {
        using var tree = Tree();
        var file = Path.Combine(tree.Root, "graph.dot");
        var (exit, output, error) = Run("graph", tree.Root, "-o", file, "-j", "1", "-q");
        Assert.True(exit == ExitCodes.Done, error);
        Assert.Empty(output);
        Assert.Contains("\"lonely\"", File.ReadAllText(file));
    }

    [Fact]
    public void An_unknown_function_for_around_is_one_line_and_exit_2()
    {
        using var tree = Tree();
        var (exit, _, error) = Run("graph", tree.Root, "--around", "no_such_function", "-j", "1", "-q");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Equal("parascope: no_such_function: no such function in the call graph", error.TrimEnd());
    }

    [Fact]
    public void A_missing_tree_is_one_line_and_exit_2()
    {
        var (exit, _, error) = Run("graph", "/no/such/tree/anywhere", "-q");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("/no/such/tree/anywhere", error);
    }

    [Fact]
    public void An_unknown_format_is_a_usage_error()
    {
        var (exit, _, _) = Run("graph", ".", "--format", "svg");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
    }
}
