using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Parsing;
using QuikGraph;

namespace Parascope.Graph;

/// <summary>
/// The tree's call graph, by function name, over every parsed unit and arch. Direct calls only: calls through
/// function pointers (trap tables, IOKit's OSMetaClass dispatch) are not edges, so impact is a lower bound.
/// Static functions with the same name in different files share a node (documented in docs/graph.md).
/// </summary>
public sealed class CallGraph : ICallGraph
{
    private readonly BidirectionalGraph<string, Edge<string>> _graph;
    private readonly ImmutableDictionary<string, FunctionSpan> _definitions;
    private readonly ImmutableDictionary<string, int> _ranks;

    private CallGraph(BidirectionalGraph<string, Edge<string>> graph, ImmutableDictionary<string, FunctionSpan> definitions, ImmutableDictionary<string, int> ranks)
    {
        _graph = graph;
        _definitions = definitions;
        _ranks = ranks;
    }

    /// <param name="ranks">Each unit's position in the whole discovery (a shard parses some of them); default: its position here.</param>
    public static CallGraph Build(IReadOnlyList<ParsedUnit> units, IReadOnlyList<int>? ranks = null)
    {
        var graph = new BidirectionalGraph<string, Edge<string>>(allowParallelEdges: false);
        var definitions = new Dictionary<string, FunctionSpan>(StringComparer.Ordinal);
        var definitionRanks = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<CallEdge>();
        for (var index = 0; index < units.Count; index++)
        {
            var unit = units[index];
            foreach (var span in unit.Functions)
            {
                // The first definition in discovery order names the node's home; discovery order is stable.
                if (definitions.TryAdd(span.Name, span))
                {
                    definitionRanks[span.Name] = ranks?[index] ?? index;
                }
                graph.AddVertex(span.Name);
            }
            foreach (var facts in unit.Facts.OfType<CallFacts>())
            {
                foreach (var call in facts.Calls)
                {
                    if (call.Caller != call.Callee && seen.Add(call))
                    {
                        graph.AddVerticesAndEdge(new Edge<string>(call.Caller, call.Callee));
                    }
                }
            }
        }
        return new CallGraph(graph, definitions.ToImmutableDictionary(StringComparer.Ordinal), definitionRanks.ToImmutableDictionary(StringComparer.Ordinal));
    }

    /// <summary>The graph as a shard report carries it (functions by name, calls sorted).</summary>
    public CallGraphData ToData() => new(
        [.. _definitions.OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => new GraphFunctionData(d.Key, _ranks[d.Key], d.Value.File, d.Value.StartLine, d.Value.EndLine))],
        [.. Calls]);

    /// <summary>
    /// The whole tree's graph from its shards' parts: every call of every shard, each function's definition from the
    /// shard whose unit came first in discovery (as <see cref="Build"/> takes the first).
    /// </summary>
    public static CallGraph FromData(IEnumerable<CallGraphData> parts)
    {
        var graph = new BidirectionalGraph<string, Edge<string>>(allowParallelEdges: false);
        var definitions = new Dictionary<string, GraphFunctionData>(StringComparer.Ordinal);
        var calls = new SortedSet<(string Caller, string Callee)>();
        foreach (var part in parts)
        {
            foreach (var function in part.Functions)
            {
                if (!definitions.TryGetValue(function.Name, out var known) || function.Rank < known.Rank)
                {
                    definitions[function.Name] = function;
                }
            }
            calls.UnionWith(part.Calls);
        }
        foreach (var name in definitions.Keys.Order(StringComparer.Ordinal))
        {
            graph.AddVertex(name);
        }
        foreach (var (caller, callee) in calls)
        {
            graph.AddVerticesAndEdge(new Edge<string>(caller, callee));
        }
        return new CallGraph(graph,
            definitions.ToImmutableDictionary(d => d.Key, d => new FunctionSpan(d.Value.File, d.Value.StartLine, d.Value.EndLine, d.Key), StringComparer.Ordinal),
            definitions.ToImmutableDictionary(d => d.Key, d => d.Value.Rank, StringComparer.Ordinal));
    }

    public int FunctionCount => _graph.VertexCount;
    public int CallCount => _graph.EdgeCount;

    public bool Contains(string function) => _graph.ContainsVertex(function);

    /// <summary>Every function, sorted ordinally.</summary>
    public IEnumerable<string> Functions => _graph.Vertices.Order(StringComparer.Ordinal);

    /// <summary>Every call edge, sorted by caller then callee.</summary>
    public IEnumerable<(string Caller, string Callee)> Calls => _graph.Edges
        .Select(edge => (edge.Source, edge.Target))
        .OrderBy(call => call.Source, StringComparer.Ordinal)
        .ThenBy(call => call.Target, StringComparer.Ordinal);

    /// <summary>Where the function is defined, when a parsed unit defined it.</summary>
    public FunctionSpan? DefinitionOf(string function) => _definitions.TryGetValue(function, out var span) ? span : null;

    public (string File, int Line)? DefinedAt(string function) => DefinitionOf(function) is { } span ? (span.File, span.StartLine) : null;

    public IEnumerable<string> Callers(string function) =>
        _graph.ContainsVertex(function) ? _graph.InEdges(function).Select(e => e.Source).Order(StringComparer.Ordinal) : [];

    public IEnumerable<string> Callees(string function) =>
        _graph.ContainsVertex(function) ? _graph.OutEdges(function).Select(e => e.Target).Order(StringComparer.Ordinal) : [];

    /// <summary>Every function that reaches <paramref name="function"/> through calls (itself excluded).</summary>
    public ImmutableHashSet<string> TransitiveCallers(string function) => Reach(function, backwards: true);

    /// <summary>Every function <paramref name="function"/> reaches through calls (itself included).</summary>
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
