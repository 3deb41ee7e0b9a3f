namespace Parascope.Model;

/// <summary>
/// What a report or a later stage may ask of the call graph: the Graph stage builds it (Graph.CallGraph), the
/// result carries it, and nothing below Graph needs to know how it is stored.
/// Node ids are function names ("function", "Class::method", an assembly symbol without Mach-O's underscore), except
/// that a function with internal linkage (`static`) is "function@path/of/its/file.c" (docs/graph.md).
/// </summary>
public interface ICallGraph
{
    int FunctionCount { get; }
    int CallCount { get; }
    bool Contains(string function);

    /// <summary>Callers one call away (any kind of edge), sorted.</summary>
    IEnumerable<string> Callers(string function);

    /// <summary>Callees one call away (any kind of edge), sorted.</summary>
    IEnumerable<string> Callees(string function);

    /// <summary>Every function, sorted.</summary>
    IEnumerable<string> Functions { get; }

    /// <summary>Every call edge, sorted by caller then callee.</summary>
    IEnumerable<(string Caller, string Callee)> Calls { get; }

    /// <summary>Every call edge with its kind, sorted by caller then callee.</summary>
    IEnumerable<GraphCall> Edges { get; }

    /// <summary>The file and first line of the function's definition, when a parsed unit defined it.</summary>
    (string File, int Line)? DefinedAt(string function);

    /// <summary>
    /// The node a function name written in a finding (or typed by a user) stands for: `name@file` when a static of that
    /// name is defined in <paramref name="file"/>, else `name` itself, else the only static of that name, else the
    /// first static of that name (sorted). Null when the graph has no function of that name.
    /// </summary>
    string? Resolve(string function, string? file = null);
}
