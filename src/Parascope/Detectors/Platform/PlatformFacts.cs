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
    /// <summary>Where a later read into the same variable in the same block is written: tests after it are that read's.</summary>
    public int? ReadAgainLine { get; init; }
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

/// <summary>
/// A division whose divisor holds a platform read's value, with no test of it for zero before: the read in this unit
/// (<see cref="ReadFile"/>, line, column) or a structure field some unit fills from a read (<see cref="Field"/>, its USR).
/// </summary>
internal sealed record DivisionByRead(string File, string? Function, int Line, string Text, string Divisor)
{
    public string? ReadFile { get; init; }
    public int ReadLine { get; init; }
    public int ReadColumn { get; init; }
    public string? Field { get; init; }
    /// <summary>The identity-switch path the division is on (`the path of case … of switch (…) at line N`), or null.</summary>
    public string? Path { get; init; }
}

/// <summary>A structure field given a read's value (`info->tsc_leaf.denominator = reg[eax]` after `cpuid_fn(0x15, reg)`).</summary>
internal sealed record FieldFromRead(string Field, string ReadFile, int ReadLine, int ReadColumn);

internal sealed record PlatformFacts(ImmutableArray<PlatformSite> Sites, ImmutableArray<VariableGate> Gates) : IUnitFacts
{
    /// <summary>Assignments to stored reads' variables other than the reads themselves, in source order.</summary>
    public ImmutableArray<VariableAssignment> Assignments { get; init; } = [];

    /// <summary>Early returns on a zero global, of the functions that have a site, in source order.</summary>
    public ImmutableArray<EarlyReturn> EarlyReturns { get; init; } = [];

    /// <summary>Divisions by a read's value untested for zero, in source order.</summary>
    public ImmutableArray<DivisionByRead> Divisions { get; init; } = [];

    /// <summary>Fields filled from a read's value, in source order.</summary>
    public ImmutableArray<FieldFromRead> FieldStores { get; init; } = [];
}
