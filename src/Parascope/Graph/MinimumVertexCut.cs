using System.Collections.Immutable;
using QuikGraph;
using QuikGraph.Algorithms.MaximumFlow;

namespace Parascope.Graph;

/// <summary>The smallest set of functions every call path from an entry point to a privileged site crosses.</summary>
/// <param name="Size">How many functions the cut holds (the maximum number of vertex-disjoint paths).</param>
/// <param name="Functions">The cut's functions, sorted ordinally.</param>
public sealed record VertexCut(int Size, ImmutableArray<string> Functions);

/// <summary>
/// The narrowest interface a port could have: a minimum vertex cut between sources (entry points) and sinks
/// (functions holding privileged sites), computed as a maximum flow (QuikGraph's Edmonds–Karp) on the
/// split-node graph — each function v becomes v_in → v_out with capacity 1, each call u → v becomes
/// u_out → v_in with unbounded capacity, a super-source feeds every source's v_in and every sink's v_out
/// drains into a super-sink. By Menger's theorem the flow equals the cut's size.
/// </summary>
/// <remarks>
/// <para>A sink may be in the cut: a function that holds the site is itself a hook (Linux's pv_ops members
/// are exactly such wrappers, <c>native_write_cr3</c> holding the <c>mov %cr3</c>). A source may not, unless it
/// is also a sink: cutting at the entry points would say "change every entry point", which is no interface —
/// so a source's own capacity is unbounded, except when it holds a site, which no path can avoid.</para>
/// <para>Minimum cuts are not unique; the one returned is the one closest to the sinks (the set of split
/// edges into the vertices that can still reach the super-sink in the residual graph). That set is the same
/// for every maximum flow, so the answer does not depend on the order Edmonds–Karp finds its paths, and it
/// prefers wrappers over their callers when both make a cut of the same size.</para>
/// <para>Only functions on some source-to-sink path enter the network: on xnu-792.25.20 i386's call graph
/// (12,105 functions, 43,368 calls, 23 entry points present, 550 functions holding findings) that leaves 1,327
/// functions, and the cut (32 functions) takes about 4 s, most of it in QuikGraph's Edmonds–Karp.</para>
/// </remarks>
public static class MinimumVertexCut
{
    /// <summary>The cut for <paramref name="graph"/>'s calls of every kind (an indirect caller is a path too).</summary>
    public static VertexCut Compute(CallGraph graph, IEnumerable<string> sources, IEnumerable<string> sinks) =>
        Compute(graph.Calls, sources, sinks);

    /// <summary>
    /// The cut for a plain directed graph given as caller → callee pairs. Sources and sinks need not appear in
    /// an edge; self-calls are ignored (they never lie on a shortest separating path).
    /// </summary>
    public static VertexCut Compute(IEnumerable<(string Caller, string Callee)> calls,
        IEnumerable<string> sources, IEnumerable<string> sinks)
    {
        var sourceSet = sources.ToImmutableSortedSet(StringComparer.Ordinal);
        var sinkSet = sinks.ToImmutableSortedSet(StringComparer.Ordinal);
        var allEdges = calls.Where(call => call.Caller != call.Callee).Distinct().ToList();
        // Only functions on some source-to-sink path can matter: keeping just those leaves the cut unchanged and
        // makes the flow network a fraction of a kernel's call graph (each augmenting path is a search of it).
        var relevant = Reachable(sourceSet, allEdges, forward: true);
        relevant.IntersectWith(Reachable(sinkSet, allEdges, forward: false));
        sourceSet = sourceSet.Intersect(relevant);
        sinkSet = sinkSet.Intersect(relevant);
        if (sourceSet.IsEmpty || sinkSet.IsEmpty)
        {
            return new VertexCut(0, []);
        }
        var edges = allEdges.Where(call => relevant.Contains(call.Caller) && relevant.Contains(call.Callee)).ToList();

        // Vertices are numbered in ordinal order of the function names, so the flow network is the same on
        // every run: function i is 2i (in) and 2i+1 (out); the super-source and super-sink come last.
        var names = edges.SelectMany(call => new[] { call.Caller, call.Callee })
            .Concat(sourceSet).Concat(sinkSet)
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            index[names[i]] = i;
        }
        var superSource = 2 * names.Length;
        var superSink = superSource + 1;
        // Larger than any cut (a cut never needs more than every function), so "unbounded" is never saturated.
        double unbounded = names.Length + 1;

        var network = new AdjacencyGraph<int, Edge<int>>(allowParallelEdges: false);
        var capacities = new Dictionary<Edge<int>, double>();
        void Add(int from, int to, double capacity)
        {
            var edge = new Edge<int>(from, to);
            network.AddVerticesAndEdge(edge);
            capacities[edge] = capacity;
        }
        for (var i = 0; i < names.Length; i++)
        {
            var cuttable = !sourceSet.Contains(names[i]) || sinkSet.Contains(names[i]);
            Add(2 * i, 2 * i + 1, cuttable ? 1 : unbounded);
        }
        foreach (var (caller, callee) in edges.OrderBy(e => index[e.Caller]).ThenBy(e => index[e.Callee]))
        {
            Add(2 * index[caller] + 1, 2 * index[callee], unbounded);
        }
        foreach (var source in sourceSet)
        {
            Add(superSource, 2 * index[source], unbounded);
        }
        foreach (var sink in sinkSet)
        {
            Add(2 * index[sink] + 1, superSink, unbounded);
        }

        EdgeFactory<int, Edge<int>> factory = (from, to) => new Edge<int>(from, to);
        var augmentor = new ReversedEdgeAugmentorAlgorithm<int, Edge<int>>(network, factory);
        augmentor.AddReversedEdges();
        try
        {
            // Reversed edges start with no capacity: they only carry back what the flow pushed forward.
            var flow = new EdmondsKarpMaximumFlowAlgorithm<int, Edge<int>>(network,
                edge => capacities.TryGetValue(edge, out var capacity) ? capacity : 0, factory, augmentor);
            flow.Compute(superSource, superSink);
            var reachesSink = ReachingInResidual(network, flow.ResidualCapacities, superSink);
            var cut = Enumerable.Range(0, names.Length)
                .Where(i => reachesSink.Contains(2 * i + 1) && !reachesSink.Contains(2 * i))
                .Select(i => names[i])
                .ToImmutableArray();
            return new VertexCut(cut.Length, cut);
        }
        finally
        {
            augmentor.RemoveReversedEdges();
        }
    }

    /// <summary>The starts and every function they reach (forward) or that reaches them (backward).</summary>
    private static HashSet<string> Reachable(IEnumerable<string> starts, List<(string Caller, string Callee)> edges, bool forward)
    {
        var next = edges.ToLookup(e => forward ? e.Caller : e.Callee, e => forward ? e.Callee : e.Caller, StringComparer.Ordinal);
        var seen = new HashSet<string>(starts, StringComparer.Ordinal);
        var queue = new Queue<string>(seen);
        while (queue.Count > 0)
        {
            foreach (var neighbour in next[queue.Dequeue()])
            {
                if (seen.Add(neighbour))
                {
                    queue.Enqueue(neighbour);
                }
            }
        }
        return seen;
    }

    /// <summary>Every vertex with a path of positive residual capacity to <paramref name="target"/>.</summary>
    private static HashSet<int> ReachingInResidual(AdjacencyGraph<int, Edge<int>> network,
        IDictionary<Edge<int>, double> residual, int target)
    {
        var incoming = new Dictionary<int, List<Edge<int>>>();
        foreach (var edge in network.Edges)
        {
            if (residual.TryGetValue(edge, out var capacity) && capacity > 0)
            {
                if (!incoming.TryGetValue(edge.Target, out var list))
                {
                    incoming[edge.Target] = list = [];
                }
                list.Add(edge);
            }
        }
        var reached = new HashSet<int> { target };
        var queue = new Queue<int>();
        queue.Enqueue(target);
        while (queue.Count > 0)
        {
            var vertex = queue.Dequeue();
            if (!incoming.TryGetValue(vertex, out var list))
            {
                continue;
            }
            foreach (var edge in list)
            {
                if (reached.Add(edge.Source))
                {
                    queue.Enqueue(edge.Source);
                }
            }
        }
        return reached;
    }
}
