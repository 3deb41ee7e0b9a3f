using System.Collections.Immutable;
using Parascope.Parsing;

namespace Parascope.Detectors.Platform;

/// <summary>
/// One platform site of a unit: a gate (an if or switch) or a call, with what it compares or asks for and what
/// happens otherwise, already read from the AST (facts hold no cursors).
/// </summary>
internal sealed record PlatformSite(
    string RuleId,
    string File,
    int Line,
    int Column,
    string? Function,
    string Detail,
    ImmutableArray<string> Values,
    string? Otherwise)
{
    /// <summary>For a call whose result is stored: the variable, so that a later gate on it gives the call's consequence.</summary>
    public string? AssignedTo { get; init; }
    /// <summary>Detector-specific facts (reader, then-calls, leaf…).</summary>
    public ImmutableSortedDictionary<string, string> Properties { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}

/// <summary>A panic behind a test of a variable, kept to give a stored time-source read its consequence.</summary>
internal sealed record VariableGate(string File, string? Function, string Variable, int Line, string Otherwise);

/// <summary>A stored read's variable set again by something else (a default when the firmware gave none).</summary>
internal sealed record VariableAssignment(string File, string? Function, string Variable, int Line);

/// <summary>
/// A return at the top of a function's body under a test of a file-scope variable against zero (`if (mode ==
/// MODE_NONE) { …; return; }`, `if (!enabled) return;`): every later line of the function runs only once the variable
/// is set, and a global is zero until something sets it (a boot-arg, a configuration step).
/// </summary>
internal sealed record EarlyReturn(string File, string? Function, int Line, string Variable, string Condition);

internal sealed record PlatformFacts(ImmutableArray<PlatformSite> Sites, ImmutableArray<VariableGate> Gates) : IUnitFacts
{
    /// <summary>Assignments to stored reads' variables other than the reads themselves, in source order.</summary>
    public ImmutableArray<VariableAssignment> Assignments { get; init; } = [];

    /// <summary>Early returns on a zero global, of the functions that have a site, in source order.</summary>
    public ImmutableArray<EarlyReturn> EarlyReturns { get; init; } = [];
}
