using System.Collections.Immutable;

namespace Parascope.Graph;

/// <summary>The smallest set of functions every call path from an entry point to a privileged site crosses.</summary>
/// <param name="Size">How many functions the cut holds (the maximum number of vertex-disjoint paths).</param>
/// <param name="Functions">The cut's functions, sorted ordinally.</param>
public sealed record VertexCut(int Size, ImmutableArray<string> Functions);

/// <summary>
/// The narrowest interface a port could have: a minimum vertex cut between sources (entry points) and sinks
/// (functions holding privileged sites), computed as a maximum flow (Edmonds–Karp) on the
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
/// functions. The flow runs on integer arrays (<see cref="FlowNetwork"/>): QuikGraph's Edmonds–Karp took 1.3 s of
/// xnu-11417 x86_64's plan, whose phase went from 2.8 to 1.4 s with the same cut (reports byte-identical).</para>
/// </remarks>
public static class MinimumVertexCut
{
    /// <summary>
    /// The cut for <paramref name="graph"/>'s calls of every kind (an indirect caller is a path too), taken in the graph's
    /// own order: the cut returned is the same whatever order the calls come in (see the remarks).
    /// </summary>
    public static VertexCut Compute(CallGraph graph, IEnumerable<string> sources, IEnumerable<string> sinks) =>
        Compute(graph.CallsUnordered, sources, sinks);

    /// <summary>
    /// The cut for a plain directed graph given as caller → callee pairs. Sources and sinks need not appear in
    /// an edge; self-calls are ignored (they never lie on a shortest separating path).
    /// </summary>
    public static VertexCut Compute(IEnumerable<(string Caller, string Callee)> calls,
        IEnumerable<string> sources, IEnumerable<string> sinks)
    {
        // Functions as numbers first: every later step walks integer arrays, not string pairs.
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var functions = new List<string>();
        int Number(string name)
        {
            if (!numbers.TryGetValue(name, out var number))
            {
                numbers[name] = number = functions.Count;
                functions.Add(name);
            }
            return number;
        }
        var sourceSet = sources.Select(Number).ToHashSet();
        var sinkSet = sinks.Select(Number).ToHashSet();
        var allEdges = calls.Where(call => call.Caller != call.Callee).Select(call => (Caller: Number(call.Caller), Callee: Number(call.Callee)))
            .Distinct().ToList();
        // Only functions on some source-to-sink path can matter: keeping just those leaves the cut unchanged and
        // makes the flow network a fraction of a kernel's call graph (each augmenting path is a search of it).
        var relevant = Reachable(functions.Count, sourceSet, allEdges, forward: true);
        var reachesSink = Reachable(functions.Count, sinkSet, allEdges, forward: false);
        for (var f = 0; f < functions.Count; f++)
        {
            relevant[f] &= reachesSink[f];
        }
        sourceSet.RemoveWhere(f => !relevant[f]);
        sinkSet.RemoveWhere(f => !relevant[f]);
        if (sourceSet.Count == 0 || sinkSet.Count == 0)
        {
            return new VertexCut(0, []);
        }

        // Vertices are numbered in ordinal order of the function names, so the flow network is the same on
        // every run: function i is 2i (in) and 2i+1 (out); the super-source and super-sink come last.
        var names = Enumerable.Range(0, functions.Count).Where(f => relevant[f]).Select(f => functions[f]).Order(StringComparer.Ordinal).ToArray();
        var index = new int[functions.Count];
        for (var i = 0; i < names.Length; i++)
        {
            index[numbers[names[i]]] = i;
        }
        var network = new FlowNetwork(2 * names.Length + 2);
        var superSource = 2 * names.Length;
        var superSink = superSource + 1;
        // Larger than any cut (a cut never needs more than every function), so "unbounded" is never saturated.
        var unbounded = names.Length + 1;
        for (var i = 0; i < names.Length; i++)
        {
            var function = numbers[names[i]];
            var cuttable = !sourceSet.Contains(function) || sinkSet.Contains(function);
            network.Add(2 * i, 2 * i + 1, cuttable ? 1 : unbounded);
        }
        foreach (var (caller, callee) in allEdges.Where(e => relevant[e.Caller] && relevant[e.Callee]))
        {
            network.Add(2 * index[caller] + 1, 2 * index[callee], unbounded);
        }
        foreach (var source in sourceSet)
        {
            network.Add(superSource, 2 * index[source], unbounded);
        }
        foreach (var sink in sinkSet)
        {
            network.Add(2 * index[sink] + 1, superSink, unbounded);
        }
        network.MaximumFlow(superSource, superSink);
        var reaching = network.ReachingInResidual(superSink);
        var cut = Enumerable.Range(0, names.Length)
            .Where(i => reaching[2 * i + 1] && !reaching[2 * i])
            .Select(i => names[i])
            .ToImmutableArray();
        return new VertexCut(cut.Length, cut);
    }

    /// <summary>The starts and every function they reach (forward) or that reaches them (backward), as a flag per function.</summary>
    private static bool[] Reachable(int count, IEnumerable<int> starts, List<(int Caller, int Callee)> edges, bool forward)
    {
        // Adjacency in compressed rows: the neighbours of f are next[first[f]..first[f + 1]].
        var first = new int[count + 1];
        foreach (var (caller, callee) in edges)
        {
            first[(forward ? caller : callee) + 1]++;
        }
        for (var f = 0; f < count; f++)
        {
            first[f + 1] += first[f];
        }
        var next = new int[edges.Count];
        var fill = first[..count];
        foreach (var (caller, callee) in edges)
        {
            next[fill[forward ? caller : callee]++] = forward ? callee : caller;
        }
        var seen = new bool[count];
        var queue = new Queue<int>();
        foreach (var start in starts)
        {
            if (!seen[start])
            {
                seen[start] = true;
                queue.Enqueue(start);
            }
        }
        while (queue.Count > 0)
        {
            var f = queue.Dequeue();
            for (var e = first[f]; e < first[f + 1]; e++)
            {
                if (!seen[next[e]])
                {
                    seen[next[e]] = true;
                    queue.Enqueue(next[e]);
                }
            }
        }
        return seen;
    }

    /// <summary>
    /// A flow network in arrays: each edge is stored with its reverse at the index next to it (e ^ 1), which starts
    /// with no capacity and carries back what the flow pushes forward. Edmonds–Karp (shortest augmenting paths, by
    /// breadth-first search); the flow is at most the number of sinks, so there are that many searches at most.
    /// QuikGraph's Edmonds–Karp, which this replaces, keeps capacities in dictionaries keyed by edge objects and took
    /// 1.3 s of the plan on xnu-11417 x86_64's graph; the cut is the same whatever maximum flow is found.
    /// </summary>
    private sealed class FlowNetwork(int vertices)
    {
        private readonly List<int> _target = [];
        private readonly List<int> _capacity = [];
        private readonly List<int> _nextOut = [];
        private readonly int[] _firstOut = Enumerable.Repeat(-1, vertices).ToArray();

        public void Add(int from, int to, int capacity)
        {
            Link(from, to, capacity);
            Link(to, from, 0);
        }

        private void Link(int from, int to, int capacity)
        {
            _target.Add(to);
            _capacity.Add(capacity);
            _nextOut.Add(_firstOut[from]);
            _firstOut[from] = _target.Count - 1;
        }

        public void MaximumFlow(int source, int sink)
        {
            var through = new int[_firstOut.Length];
            var queue = new Queue<int>();
            while (true)
            {
                Array.Fill(through, -1);
                through[source] = int.MaxValue; // reached, by no edge
                queue.Clear();
                queue.Enqueue(source);
                while (queue.Count > 0 && through[sink] < 0)
                {
                    var vertex = queue.Dequeue();
                    for (var e = _firstOut[vertex]; e >= 0; e = _nextOut[e])
                    {
                        if (_capacity[e] > 0 && through[_target[e]] < 0)
                        {
                            through[_target[e]] = e;
                            queue.Enqueue(_target[e]);
                        }
                    }
                }
                if (through[sink] < 0)
                {
                    return;
                }
                var bottleneck = int.MaxValue;
                for (var vertex = sink; vertex != source; vertex = _target[through[vertex] ^ 1])
                {
                    bottleneck = Math.Min(bottleneck, _capacity[through[vertex]]);
                }
                for (var vertex = sink; vertex != source; vertex = _target[through[vertex] ^ 1])
                {
                    _capacity[through[vertex]] -= bottleneck;
                    _capacity[through[vertex] ^ 1] += bottleneck;
                }
            }
        }

        /// <summary>Every vertex with a path of positive residual capacity to TARGET.</summary>
        public bool[] ReachingInResidual(int target)
        {
            var reached = new bool[_firstOut.Length];
            reached[target] = true;
            var queue = new Queue<int>();
            queue.Enqueue(target);
            while (queue.Count > 0)
            {
                var vertex = queue.Dequeue();
                // Each edge out of VERTEX has its reverse, from its target back to VERTEX, at e ^ 1.
                for (var e = _firstOut[vertex]; e >= 0; e = _nextOut[e])
                {
                    if (_capacity[e ^ 1] > 0 && !reached[_target[e]])
                    {
                        reached[_target[e]] = true;
                        queue.Enqueue(_target[e]);
                    }
                }
            }
            return reached;
        }
    }
}
