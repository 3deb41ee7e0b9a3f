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

    private CallGraph(BidirectionalGraph<string, Edge<string>> graph, ImmutableDictionary<string, FunctionSpan> definitions)
    {
        _graph = graph;
        _definitions = definitions;
    }

    public static CallGraph Build(IEnumerable<ParsedUnit> units)
    {
        var graph = new BidirectionalGraph<string, Edge<string>>(allowParallelEdges: false);
        var definitions = new Dictionary<string, FunctionSpan>(StringComparer.Ordinal);
        var seen = new HashSet<CallEdge>();
        foreach (var unit in units)
        {
            foreach (var span in unit.Functions)
            {
                // The first definition in discovery order names the node's home; discovery order is stable.
                definitions.TryAdd(span.Name, span);
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
        return new CallGraph(graph, definitions.ToImmutableDictionary(StringComparer.Ordinal));
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
