using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Parascope.Model;
using Parascope.Parsing;
using QuikGraph;

namespace Parascope.Graph;

/// <summary>
/// The tree's call graph over every parsed unit and arch: C and C++ functions and methods, and assembly symbols, one
/// node each ("function", "Class::method"; "name@file" for a static, so same-named statics of different files stay
/// distinct). Each edge has a kind (<see cref="CallKind"/>): direct calls (also those written in a macro's body),
/// assembly calls and jumps, and indirect edges — a call through a function-pointer field or variable to every
/// function stored there, a virtual call to every override, an assembly table to every symbol it holds. A caller→callee
/// pair is one edge, of the most certain kind seen. Calls through pointers nothing in the tree stores into (callbacks
/// passed as arguments) are still missing: impact is a lower bound (docs/graph.md).
/// </summary>
public sealed class CallGraph : ICallGraph
{
    private readonly BidirectionalGraph<string, TaggedEdge<string, CallKind>> _graph;
    // The constructor's callers hand over dictionaries of their own, never changed after: kept as they are (an immutable
    // copy of each cost ~0.1 s of CPU per build on xnu-11417, whose build a `.c` edit's re-scan waits for).
    private readonly Dictionary<string, FunctionSpan> _definitions;
    private readonly Dictionary<string, int> _ranks;
    private readonly ImmutableArray<GraphCall> _sourceCalls;
    private readonly ImmutableArray<(string Slot, string Function)> _slotStores;
    private readonly ImmutableArray<(string Caller, string Slot)> _slotCalls;
    private readonly ImmutableArray<GraphBodyData> _bodies;
    private readonly Dictionary<string, string[]> _statics;

    private CallGraph(Dictionary<string, FunctionSpan> definitions, Dictionary<string, int> ranks, Dictionary<(string, string), CallKind> ownCalls,
        HashSet<(string Slot, string Function)> stores, HashSet<(string Caller, string Slot)> slotCalls,
        Dictionary<(string File, string Function, string Arch), GraphBodyData> bodies)
    {
        _definitions = definitions;
        _ranks = ranks;
        // Sorted in place by ordinal comparisons (each key is distinct, so the order is total): LINQ's OrderBy/ThenBy were
        // ~0.1 s of the graph's build on xnu-11417 x86_64, which detection waits for (docs/speed.md, session 31).
        _sourceCalls = Sorted([.. ownCalls.Select(c => new GraphCall(c.Key.Item1, c.Key.Item2, c.Value))], CompareCalls);
        var bodyEntries = bodies.ToArray();
        Array.Sort(bodyEntries, static (a, b) => Compare(a.Key.File, b.Key.File, a.Key.Function, b.Key.Function) is var c and not 0 ? c
            : string.CompareOrdinal(a.Key.Arch, b.Key.Arch));
        // A body's calls are distinct edges; two of one pair differ in kind, which orders them.
        _bodies = [.. bodyEntries.Select(b => b.Value with { Calls = Sorted([.. b.Value.Calls], CompareCalls) })];
        var calls = new Dictionary<(string, string), CallKind>(ownCalls);
        foreach (var call in _bodies.SelectMany(b => b.Calls))
        {
            AddCall(calls, call.Caller, call.Callee, call.Kind);
        }
        _slotStores = Sorted([.. stores], static (a, b) => Compare(a.Slot, b.Slot, a.Function, b.Function));
        _slotCalls = Sorted([.. slotCalls], static (a, b) => Compare(a.Caller, b.Caller, a.Slot, b.Slot));

        // The indirect edges: each call through a slot reaches every function stored into it, and through a stored
        // virtual method's own slot its overrides in turn (D::m overrides B::m, E::m overrides D::m).
        var edges = new Dictionary<(string, string), CallKind>(calls);
        var stored = _slotStores.GroupBy(s => s.Slot, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Function).ToArray(), StringComparer.Ordinal);
        var targets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (caller, slot) in _slotCalls)
        {
            foreach (var callee in TargetsOf(slot, stored, targets))
            {
                if (callee != caller)
                {
                    edges.TryAdd((caller, callee), CallKind.Indirect);
                }
            }
        }
        // Each caller→callee pair is one key of EDGES already: QuikGraph need not look for a parallel edge before each
        // add (a scan of the caller's out-edges, quadratic for the hubs of an IOKit tree's virtual calls).
        _graph = new BidirectionalGraph<string, TaggedEdge<string, CallKind>>(allowParallelEdges: true);
        _graph.AddVertexRange(definitions.Keys.Order(StringComparer.Ordinal));
        var sortedEdges = edges.ToArray();
        Array.Sort(sortedEdges, static (a, b) => Compare(a.Key.Item1, b.Key.Item1, a.Key.Item2, b.Key.Item2));
        foreach (var ((caller, callee), kind) in sortedEdges)
        {
            _graph.AddVerticesAndEdge(new TaggedEdge<string, CallKind>(caller, callee, kind));
        }
        _statics = _graph.Vertices.Where(v => v.Contains('@', StringComparison.Ordinal))
            .GroupBy(BaseName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>ITEMS sorted in place by COMPARISON, as they are kept.</summary>
    private static ImmutableArray<T> Sorted<T>(T[] items, Comparison<T> comparison)
    {
        Array.Sort(items, comparison);
        return ImmutableCollectionsMarshal.AsImmutableArray(items);
    }

    /// <summary>Calls by caller, callee, then kind (ordinal).</summary>
    private static int CompareCalls(GraphCall a, GraphCall b) =>
        Compare(a.Caller, b.Caller, a.Callee, b.Callee) is var c and not 0 ? c : ((int)a.Kind).CompareTo((int)b.Kind);

    /// <summary>Pairs of strings by their first, then their second (ordinal).</summary>
    private static int Compare(string a1, string b1, string a2, string b2) =>
        string.CompareOrdinal(a1, b1) is var c and not 0 ? c : string.CompareOrdinal(a2, b2);

    private static List<string> TargetsOf(string slot, Dictionary<string, string[]> stored, Dictionary<string, List<string>> known)
    {
        if (known.TryGetValue(slot, out var found))
        {
            return found;
        }
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { slot };
        var pending = new Stack<string>();
        pending.Push(slot);
        while (pending.Count > 0)
        {
            foreach (var function in stored.GetValueOrDefault(pending.Pop()) ?? [])
            {
                if (seen.Add(function))
                {
                    result.Add(function);
                    pending.Push(function);
                }
            }
        }
        known[slot] = result;
        return result;
    }

    /// <param name="ranks">Each unit's position in the whole discovery (a shard parses some of them); default: its position here.</param>
    public static CallGraph Build(IReadOnlyList<ParsedUnit> units, IReadOnlyList<int>? ranks = null)
    {
        var definitions = new Dictionary<string, FunctionSpan>(StringComparer.Ordinal);
        var definitionRanks = new Dictionary<string, int>(StringComparer.Ordinal);
        var calls = new Dictionary<(string, string), CallKind>();
        var stores = new HashSet<(string, string)>();
        var slotCalls = new HashSet<(string, string)>();
        var bodies = new Dictionary<(string, string, string), GraphBodyData>();
        for (var index = 0; index < units.Count; index++)
        {
            var unit = units[index];
            var rank = ranks?[index] ?? index;
            var facts = unit.Facts.OfType<CallFacts>().ToList();
            foreach (var span in unit.Functions.Concat(facts.SelectMany(f => f.AssemblyFunctions)))
            {
                // The first definition in discovery order names the node's home; discovery order is stable.
                if (definitions.TryAdd(span.Node, span))
                {
                    definitionRanks[span.Node] = rank;
                }
            }
            foreach (var fact in facts)
            {
                foreach (var call in fact.Calls)
                {
                    AddCall(calls, call.Caller, call.Callee, call.Kind);
                }
                stores.UnionWith(fact.SlotStores);
                slotCalls.UnionWith(fact.SlotCalls);
            }
            // Every body the unit walked, those without a call too: a merge must know that the first unit's view of a
            // body has no call, where a later unit's (another shard's) has some.
            var bodyCalls = facts.SelectMany(f => f.Bodies).ToDictionary(b => (b.File, b.Function), b => b.Calls);
            foreach (var (file, function) in unit.Reached.Where(r => r.Walked).Select(r => (r.File, r.Function)).Concat(bodyCalls.Keys).Distinct())
            {
                // One unit per arch walks a body (FunctionReach); should two, the first in discovery order counts.
                KeepFirst(bodies, new GraphBodyData(file, function, unit.Unit.Arch, rank,
                    [.. bodyCalls.GetValueOrDefault((file, function), []).Select(c => new GraphCall(c.Caller, c.Callee, c.Kind))]));
            }
        }
        return new CallGraph(definitions, definitionRanks, calls, stores, slotCalls, bodies);
    }

    private static void KeepFirst(Dictionary<(string File, string Function, string Arch), GraphBodyData> bodies, GraphBodyData body)
    {
        var key = (body.File, body.Function, body.Arch);
        if (!bodies.TryGetValue(key, out var known) || body.Rank < known.Rank)
        {
            bodies[key] = body;
        }
    }

    private static void AddCall(Dictionary<(string, string), CallKind> calls, string caller, string callee, CallKind kind)
    {
        if (caller == callee)
        {
            return;
        }
        if (!calls.TryGetValue((caller, callee), out var known) || kind < known)
        {
            calls[(caller, callee)] = kind;
        }
    }

    /// <summary>The graph as a shard report carries it: functions by node, the calls seen in source, the slots, all sorted.</summary>
    public CallGraphData ToData() => new(
        [.. _definitions.OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => new GraphFunctionData(d.Key, _ranks[d.Key], d.Value.File, d.Value.StartLine, d.Value.EndLine))],
        _sourceCalls)
    {
        SlotStores = _slotStores,
        SlotCalls = _slotCalls,
        Bodies = _bodies,
    };

    /// <summary>
    /// The whole tree's graph from its shards' parts: every call and slot of every shard, each function's definition
    /// and each header body's calls from the shard whose unit came first in discovery (as <see cref="Build"/> takes
    /// the first). Indirect edges are derived again from the slots, so a store in one shard and a call through it in
    /// another still meet.
    /// </summary>
    public static CallGraph FromData(IEnumerable<CallGraphData> parts)
    {
        var definitions = new Dictionary<string, GraphFunctionData>(StringComparer.Ordinal);
        var calls = new Dictionary<(string, string), CallKind>();
        var stores = new HashSet<(string, string)>();
        var slotCalls = new HashSet<(string, string)>();
        var bodies = new Dictionary<(string, string, string), GraphBodyData>();
        foreach (var part in parts)
        {
            foreach (var body in part.Bodies)
            {
                KeepFirst(bodies, body);
            }
            foreach (var function in part.Functions)
            {
                if (!definitions.TryGetValue(function.Name, out var known) || function.Rank < known.Rank)
                {
                    definitions[function.Name] = function;
                }
            }
            foreach (var call in part.Calls)
            {
                AddCall(calls, call.Caller, call.Callee, call.Kind);
            }
            stores.UnionWith(part.SlotStores);
            slotCalls.UnionWith(part.SlotCalls);
        }
        return new CallGraph(
            definitions.ToDictionary(d => d.Key, d => new FunctionSpan(d.Value.File, d.Value.StartLine, d.Value.EndLine, BaseName(d.Key)) { Node = d.Key },
                StringComparer.Ordinal),
            definitions.ToDictionary(d => d.Key, d => d.Value.Rank, StringComparer.Ordinal),
            calls, stores, slotCalls, bodies);
    }

    /// <summary>The function's name without the file a static's node adds ("foo@osfmk/i386/x.c" → "foo").</summary>
    public static string BaseName(string node)
    {
        var at = node.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? node : node[..at];
    }

    public int FunctionCount => _graph.VertexCount;
    public int CallCount => _graph.EdgeCount;

    public bool Contains(string function) => _graph.ContainsVertex(function);

    /// <summary>Every function, sorted ordinally.</summary>
    public IEnumerable<string> Functions => _graph.Vertices.Order(StringComparer.Ordinal);

    /// <summary>Every call edge, sorted by caller then callee.</summary>
    public IEnumerable<(string Caller, string Callee)> Calls => Edges.Select(edge => (edge.Caller, edge.Callee));

    /// <summary>
    /// Every call as <see cref="Calls"/>, in the graph's own order (deterministic, not sorted): for a consumer whose result
    /// does not depend on the order (the interface cut), without sorting every edge of the tree (~37 ms of xnu-11417's re-scans).
    /// </summary>
    public IEnumerable<(string Caller, string Callee)> CallsUnordered => _graph.Edges.Select(edge => (edge.Source, edge.Target));

    /// <summary>Every call edge with its kind, sorted by caller then callee (sorted once: the interface cut, the reports and slices each ask).</summary>
    public IEnumerable<GraphCall> Edges => System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(_edges ??= [.. _graph.Edges
        .Select(edge => new GraphCall(edge.Source, edge.Target, edge.Tag))
        .OrderBy(call => call.Caller, StringComparer.Ordinal)
        .ThenBy(call => call.Callee, StringComparer.Ordinal)]);

    // Made on first use; a reference, so a graph read from two threads sees it whole or not at all.
    private GraphCall[]? _edges;

    /// <summary>How <paramref name="caller"/> reaches <paramref name="callee"/> in one call, or null when it does not.</summary>
    public CallKind? KindOf(string caller, string callee) =>
        _graph.TryGetEdge(caller, callee, out var edge) ? edge.Tag : null;

    /// <summary>Where the function is defined, when a parsed unit defined it.</summary>
    public FunctionSpan? DefinitionOf(string function) => _definitions.TryGetValue(function, out var span) ? span : null;

    public (string File, int Line)? DefinedAt(string function) => DefinitionOf(function) is { } span ? (span.File, span.StartLine) : null;

    public string? Resolve(string function, string? file = null)
    {
        if (file is not null && _graph.ContainsVertex(AstWalker.StaticNode(function, file)))
        {
            return AstWalker.StaticNode(function, file);
        }
        if (_graph.ContainsVertex(function))
        {
            return function;
        }
        return _statics.TryGetValue(function, out var statics) ? statics[0] : null;
    }

    public IEnumerable<string> Callers(string function) =>
        _graph.ContainsVertex(function) ? _graph.InEdges(function).Select(e => e.Source).Order(StringComparer.Ordinal) : [];

    /// <summary>Callers that reach the function only through a pointer, a table or a virtual call (edges of kind indirect).</summary>
    public IEnumerable<string> IndirectCallers(string function) =>
        _graph.ContainsVertex(function)
            ? _graph.InEdges(function).Where(e => e.Tag == CallKind.Indirect).Select(e => e.Source).Order(StringComparer.Ordinal)
            : [];

    public IEnumerable<string> Callees(string function) =>
        _graph.ContainsVertex(function) ? _graph.OutEdges(function).Select(e => e.Target).Order(StringComparer.Ordinal) : [];

    /// <summary>Every function that reaches <paramref name="function"/> through calls of any kind (itself excluded).</summary>
    public ImmutableHashSet<string> TransitiveCallers(string function) => Reach(function, backwards: true);

    /// <summary>
    /// How many functions reach <paramref name="function"/> through calls of any kind (itself excluded): the size of
    /// <see cref="TransitiveCallers"/> without building it.
    /// </summary>
    public int TransitiveCallerCount(string function) => TransitiveCallerCounts([function]).GetValueOrDefault(function);

    /// <summary>
    /// <see cref="TransitiveCallerCount"/> of each of FUNCTIONS (those in the graph): every finding's function asks, and
    /// hubs reach thousands, so the walks run over integer ids with one reused visit stamp instead of a set of names each.
    /// </summary>
    public Dictionary<string, int> TransitiveCallerCounts(IEnumerable<string> functions)
    {
        var (index, start, sources) = ReverseAdjacency();
        var origins = functions.Distinct(StringComparer.Ordinal).Where(index.ContainsKey).ToArray();
        // Functions that call each other round a cycle (one strongly connected component) have the same callers: each
        // reaches the others and everything that reaches one reaches all. One walk a component, not one a function: on
        // xnu-11417 x86_64, 760 walks for 1,019 functions with findings, 127 -> 45 ms of CPU (the components take 2 ms).
        var component = StrongComponents(start, sources);
        // Each component's first origin walks for it.
        var walkers = new Dictionary<int, int>();
        foreach (var origin in origins)
        {
            walkers.TryAdd(component[index[origin]], index[origin]);
        }
        var walks = walkers.ToArray();
        var counts = new int[walks.Length];
        // The walks are independent: split over the cores, each thread with its own stamps and queue (a `.c` edit's
        // re-scan of xnu-11417 walked ~0.2 s on its main thread while the other core waited).
        Parallel.For(0, walks.Length, () => new CallerWalk(start.Length - 1), (k, _, walk) =>
        {
            counts[k] = walk.Count(walks[k].Value, start, sources);
            return walk;
        }, static _ => { });
        var byComponent = new Dictionary<int, int>(walks.Length);
        for (var k = 0; k < walks.Length; k++)
        {
            byComponent[walks[k].Key] = counts[k];
        }
        var result = new Dictionary<string, int>(origins.Length, StringComparer.Ordinal);
        foreach (var origin in origins)
        {
            result[origin] = byComponent[component[index[origin]]];
        }
        return result;
    }

    /// <summary>
    /// Each vertex's strongly connected component (an id shared by the vertices of one) of the graph whose edges from
    /// vertex v go to NEXT[START[v]..START[v+1]): Tarjan's algorithm, its depth-first search on an explicit stack (a
    /// kernel's call chains run deeper than a thread's stack allows recursion).
    /// </summary>
    internal static int[] StrongComponents(int[] start, int[] next)
    {
        var vertices = start.Length - 1;
        var order = new int[vertices];
        Array.Fill(order, -1);
        var low = new int[vertices];
        var onStack = new bool[vertices];
        var component = new int[vertices];
        var stack = new int[vertices];
        var frames = new (int Vertex, int Edge)[vertices];
        int visited = 0, components = 0, top = 0;
        for (var root = 0; root < vertices; root++)
        {
            if (order[root] >= 0)
            {
                continue;
            }
            var depth = 0;
            Enter(root);
            while (depth > 0)
            {
                var (vertex, edge) = frames[depth - 1];
                if (edge < start[vertex + 1])
                {
                    frames[depth - 1].Edge = edge + 1;
                    var target = next[edge];
                    if (order[target] < 0)
                    {
                        Enter(target);
                    }
                    else if (onStack[target])
                    {
                        low[vertex] = Math.Min(low[vertex], order[target]);
                    }
                    continue;
                }
                depth--;
                if (depth > 0)
                {
                    var parent = frames[depth - 1].Vertex;
                    low[parent] = Math.Min(low[parent], low[vertex]);
                }
                if (low[vertex] == order[vertex])
                {
                    int member;
                    do
                    {
                        member = stack[--top];
                        onStack[member] = false;
                        component[member] = components;
                    }
                    while (member != vertex);
                    components++;
                }
            }

            void Enter(int vertex)
            {
                order[vertex] = low[vertex] = visited++;
                stack[top++] = vertex;
                onStack[vertex] = true;
                frames[depth++] = (vertex, start[vertex]);
            }
        }
        return component;
    }

    /// <summary>One thread's breadth-first walks backwards over the compressed rows, with one reused visit stamp.</summary>
    private sealed class CallerWalk(int vertices)
    {
        private readonly int[] _stamp = new int[vertices];
        private readonly int[] _queue = new int[vertices];
        private int _walk;

        /// <summary>How many functions reach ORIGIN through calls (itself not counted).</summary>
        public int Count(int origin, int[] start, int[] sources)
        {
            _walk++;
            _stamp[origin] = _walk;
            int head = 0, tail = 0;
            _queue[tail++] = origin;
            while (head < tail)
            {
                var current = _queue[head++];
                for (var i = start[current]; i < start[current + 1]; i++)
                {
                    if (_stamp[sources[i]] != _walk)
                    {
                        _stamp[sources[i]] = _walk;
                        _queue[tail++] = sources[i];
                    }
                }
            }
            return tail - 1;
        }
    }

    /// <summary>Built on first use; a reference, so a graph read from two threads sees it whole or not at all.</summary>
    private sealed record ReverseRows(Dictionary<string, int> Index, int[] Start, int[] Sources);

    private ReverseRows? _reverse;

    /// <summary>Callers of every function as integer ids (compressed rows: the callers of id k are Sources[Start[k]..Start[k+1]]).</summary>
    private ReverseRows ReverseAdjacency()
    {
        if (_reverse is { } built)
        {
            return built;
        }
        var vertices = _graph.Vertices.ToList();
        var index = new Dictionary<string, int>(vertices.Count, StringComparer.Ordinal);
        foreach (var vertex in vertices)
        {
            index[vertex] = index.Count;
        }
        var start = new int[vertices.Count + 1];
        var sources = new int[_graph.EdgeCount];
        var next = 0;
        for (var k = 0; k < vertices.Count; k++)
        {
            start[k] = next;
            foreach (var edge in _graph.InEdges(vertices[k]))
            {
                sources[next++] = index[edge.Source];
            }
        }
        start[vertices.Count] = next;
        return _reverse = new ReverseRows(index, start, sources);
    }

    /// <summary>Every function <paramref name="function"/> reaches through calls of any kind (itself included).</summary>
    public ImmutableHashSet<string> ReachableFrom(string function)
    {
        var reached = Reach(function, backwards: false);
        return _graph.ContainsVertex(function) ? reached.Add(function) : reached;
    }

    private ImmutableHashSet<string> Reach(string start, bool backwards)
    {
        var seen = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        if (!_graph.ContainsVertex(start))
        {
            return seen.ToImmutable();
        }
        var queue = new Queue<string>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            var next = backwards ? _graph.InEdges(current).Select(e => e.Source) : _graph.OutEdges(current).Select(e => e.Target);
            foreach (var neighbour in next)
            {
                if (neighbour != start && seen.Add(neighbour))
                {
                    queue.Enqueue(neighbour);
                }
            }
        }
        return seen.ToImmutable();
    }
}
