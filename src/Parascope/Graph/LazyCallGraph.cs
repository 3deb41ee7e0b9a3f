using Parascope.Model;

namespace Parascope.Graph;

/// <summary>
/// A call graph built on first use: a reused whole scan carries its graph as data, and no report asks for it (they read
/// the plan's graph excerpt), only `parascope graph` and the like, so an unchanged re-scan does not pay for rebuilding it.
/// </summary>
public sealed class LazyCallGraph(Func<ICallGraph> build) : ICallGraph
{
    private readonly Lazy<ICallGraph> _graph = new(build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether anything has asked the graph a question yet.</summary>
    public bool IsBuilt => _graph.IsValueCreated;

    public int FunctionCount => _graph.Value.FunctionCount;
    public int CallCount => _graph.Value.CallCount;
    public bool Contains(string function) => _graph.Value.Contains(function);
    public IEnumerable<string> Callers(string function) => _graph.Value.Callers(function);
    public IEnumerable<string> Callees(string function) => _graph.Value.Callees(function);
    public IEnumerable<string> Functions => _graph.Value.Functions;
    public IEnumerable<(string Caller, string Callee)> Calls => _graph.Value.Calls;
    public IEnumerable<GraphCall> Edges => _graph.Value.Edges;
    public (string File, int Line)? DefinedAt(string function) => _graph.Value.DefinedAt(function);
    public string? Resolve(string function, string? file = null) => _graph.Value.Resolve(function, file);
}
