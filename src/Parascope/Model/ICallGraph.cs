namespace Parascope.Model;

/// <summary>
/// What a report or a later stage may ask of the call graph: the Graph stage builds it (Graph.CallGraph), the
/// result carries it, and nothing below Graph needs to know how it is stored.
/// </summary>
public interface ICallGraph
{
    int FunctionCount { get; }
    int CallCount { get; }
    bool Contains(string function);

    /// <summary>Direct callers, sorted.</summary>
    IEnumerable<string> Callers(string function);

    /// <summary>Direct callees, sorted.</summary>
    IEnumerable<string> Callees(string function);

    /// <summary>Every function, sorted.</summary>
    IEnumerable<string> Functions { get; }

    /// <summary>Every call edge, sorted by caller then callee.</summary>
    IEnumerable<(string Caller, string Callee)> Calls { get; }

    /// <summary>The file and first line of the function's definition, when a parsed unit defined it.</summary>
    (string File, int Line)? DefinedAt(string function);
}
