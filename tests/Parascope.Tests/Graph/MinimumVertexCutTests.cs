using Parascope.Graph;

namespace Parascope.Tests.Graph;

public sealed class MinimumVertexCutTests
{
    private static VertexCut Cut(string edges, string[] sources, string[] sinks) =>
        MinimumVertexCut.Compute(Parse(edges), sources, sinks);

    /// <summary>"a>b b>c" → (a, b), (b, c).</summary>
    private static IEnumerable<(string, string)> Parse(string edges) =>
        edges.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('>')).Select(p => (p[0], p[1]));

    [Fact]
    public void A_diamond_is_cut_at_its_sink()
    {
        var cut = Cut("s>a s>b a>t b>t", ["s"], ["t"]);
        Assert.Equal(1, cut.Size);
        Assert.Equal(["t"], (IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void A_chain_is_cut_at_the_function_holding_the_site_not_at_its_callers()
    {
        var cut = Cut("s>a a>b b>t", ["s"], ["t"]);
        Assert.Equal(["t"], (IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void Two_disjoint_paths_need_two_functions()
    {
        var cut = Cut("s1>a a>t1 s2>b b>t2", ["s1", "s2"], ["t1", "t2"]);
        Assert.Equal(2, cut.Size);
        Assert.Equal(["t1", "t2"], (IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void A_funnel_is_cut_at_the_wrapper_every_sink_is_reached_through()
    {
        var cut = Cut("s1>w s2>w w>t1 w>t2 w>t3", ["s1", "s2"], ["t1", "t2", "t3"]);
        Assert.Equal(1, cut.Size);
        Assert.Equal(["w"], (IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void A_source_that_is_also_a_sink_is_in_the_cut()
    {
        // e holds a site, so no path avoids it; s reaches t without e, so t is in the cut as well.
        var cut = Cut("e>t s>u u>t", ["e", "s"], ["e", "t"]);
        Assert.Equal(2, cut.Size);
        Assert.Equal(["e", "t"], (IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void A_source_is_never_cut_when_it_holds_no_site()
    {
        // Cutting {s} would be one function; an entry point is not an interface, so the cut is two functions.
        var cut = Cut("s>a s>b a>t1 b>t2", ["s"], ["t1", "t2"]);
        Assert.Equal(["t1", "t2"], (IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void No_path_from_a_source_to_a_sink_needs_no_cut()
    {
        var cut = Cut("s>a t>b", ["s"], ["t"]);
        Assert.Equal(0, cut.Size);
        Assert.Empty((IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void The_cut_is_smaller_than_the_greedy_one_that_takes_the_busiest_function_first()
    {
        // m lies on four of the six source-to-sink paths; taking it first leaves s1>u1>t1 and s2>u2>t2, three
        // functions in all. {t1, t2} blocks every path with two.
        var cut = Cut("s1>u1 u1>t1 s2>u2 u2>t2 s1>m s2>m m>t1 m>t2", ["s1", "s2"], ["t1", "t2"]);
        Assert.Equal(2, cut.Size);
        Assert.Equal(["t1", "t2"], (IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void Mutual_recursion_and_self_calls_do_not_change_the_cut()
    {
        var cut = Cut("s>a a>a a>b b>a b>t", ["s"], ["t"]);
        Assert.Equal(["t"], (IEnumerable<string>)cut.Functions);
    }

    [Fact]
    public void The_cut_is_the_same_whatever_order_the_edges_come_in()
    {
        const string edges = "s1>x s1>y s2>y s2>z x>t1 y>t1 y>t2 z>t2 x>w y>w w>t3";
        var forward = Cut(edges, ["s1", "s2"], ["t1", "t2", "t3"]);
        var reversed = MinimumVertexCut.Compute(Parse(edges).Reverse(), ["s2", "s1"], ["t3", "t2", "t1"]);
        Assert.Equal<string>(forward.Functions, reversed.Functions);
        Assert.Equal(3, forward.Size);
    }

    [Fact]
    public void A_sink_no_source_reaches_is_left_out()
    {
        var cut = Cut("s>a a>t u>v", ["s"], ["t", "v"]);
        Assert.Equal(["t"], (IEnumerable<string>)cut.Functions);
    }

    /// <summary>
    /// Against an oracle of another kind: on 300 random graphs of 10 functions, the cut separates every source from
    /// every sink (a source that holds no site never in it) and no smaller set does, found by trying every set of
    /// functions (not by a flow).
    /// </summary>
    [Fact]
    public void On_random_graphs_the_cut_is_a_separator_no_smaller_set_of_functions_is()
    {
        var random = new Random(18);
        var shuffle = new Random(29);
        for (var graph = 0; graph < 300; graph++)
        {
            const int count = 10;
            string Name(int f) => $"f{f}";
            var edges = Enumerable.Range(0, random.Next(8, 30)).Select(_ => (Name(random.Next(count)), Name(random.Next(count)))).ToList();
            var sources = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Name(random.Next(count))).Distinct().ToList();
            var sinks = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Name(random.Next(count))).Distinct().ToList();

            var cut = MinimumVertexCut.Compute(edges, sources, sinks);

            var smallest = Enumerable.Range(0, 1 << count)
                .Select(mask => Enumerable.Range(0, count).Where(f => (mask & (1 << f)) != 0).Select(Name).ToHashSet())
                .Where(set => set.All(f => !sources.Contains(f) || sinks.Contains(f)) && Separates(edges, sources, sinks, set))
                .Min(set => set.Count);
            var context = $"graph {graph}: {string.Join(' ', edges.Select(e => $"{e.Item1}>{e.Item2}"))}; sources {string.Join(',', sources)}; " +
                          $"sinks {string.Join(',', sinks)}; cut {string.Join(',', cut.Functions)}";
            Assert.True(Separates(edges, sources, sinks, [.. cut.Functions]), context);
            Assert.True(smallest == cut.Size, $"{context}; the smallest separator has {smallest}");
            // The same cut from the calls in any order (a scan hands the graph's own, unsorted).
            var shuffled = edges.OrderBy(_ => shuffle.Next()).ToList();
            Assert.True(cut.Functions.SequenceEqual(MinimumVertexCut.Compute(shuffled, sources, sinks).Functions), $"{context}; shuffled");
            Assert.Equal(cut.Functions.Length, cut.Size);
            Assert.DoesNotContain(cut.Functions, f => sources.Contains(f) && !sinks.Contains(f));
        }
    }

    /// <summary>Whether no path leads from a source to a sink through functions outside CUT (a function is its own path).</summary>
    private static bool Separates(List<(string Caller, string Callee)> edges, List<string> sources, List<string> sinks, HashSet<string> cut)
    {
        var reached = sources.Where(s => !cut.Contains(s)).ToHashSet();
        var queue = new Queue<string>(reached);
        while (queue.Count > 0)
        {
            var function = queue.Dequeue();
            foreach (var (_, callee) in edges.Where(e => e.Caller == function))
            {
                if (!cut.Contains(callee) && reached.Add(callee))
                {
                    queue.Enqueue(callee);
                }
            }
        }
        return !reached.Overlaps(sinks);
    }
}
