using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>
/// How a caller reaches a callee. JSON/export names: direct, asm, indirect. Ordered by certainty: a caller→callee pair
/// seen several ways keeps the lowest (a direct call beats an indirect edge to the same function).
/// </summary>
public enum CallKind
{
    /// <summary>A C/C++ call naming its callee (also when written in a macro's body: attributed to the caller).</summary>
    Direct,
    /// <summary>An assembly `call`/`jmp`/`jcc`, `bl`/`b`/`b.cond` to a symbol, or falling through into the next symbol.</summary>
    Asm,
    /// <summary>
    /// May happen at run time: a call through a function-pointer field or variable to each function stored there, a
    /// C++ virtual call to each override, an assembly `.long`/`.quad` table to each symbol it holds.
    /// </summary>
    Indirect,
}

public static class CallKinds
{
    public static string Name(this CallKind kind) => kind switch
    {
        CallKind.Direct => "direct",
        CallKind.Asm => "asm",
        CallKind.Indirect => "indirect",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string name, out CallKind kind)
    {
        (var known, kind) = name switch
        {
            "direct" => (true, CallKind.Direct),
            "asm" => (true, CallKind.Asm),
            "indirect" => (true, CallKind.Indirect),
            _ => (false, CallKind.Direct),
        };
        return known;
    }
}

/// <summary>A call edge as the graph and its exports see it: caller, callee (node ids) and how the call is made.</summary>
public readonly record struct GraphCall(string Caller, string Callee, CallKind Kind);

/// <summary>
/// A function of a shard's call graph: where it is defined, and the discovery rank of the unit that defined it first
/// (the unsharded graph takes the first definition in discovery order, so a merge takes the lowest rank).
/// </summary>
public sealed record GraphFunctionData(string Name, int Rank, string File, int StartLine, int EndLine);

/// <summary>
/// What a shard's report carries of its call graph so that `merge` can rebuild the whole tree's graph and run the
/// whole-tree stages (callers, phases, the port's interface) after the merge, as the unsharded scan does.
/// <see cref="Calls"/> are the calls seen in source; the indirect edges through slots are derived again from
/// <see cref="SlotStores"/> and <see cref="SlotCalls"/> on the whole tree, as a store and the call through it may be
/// in different shards.
/// </summary>
public sealed record CallGraphData(ImmutableArray<GraphFunctionData> Functions, ImmutableArray<GraphCall> Calls)
{
    /// <summary>Functions stored into a slot (a function-pointer field or variable, a virtual method's overriders), sorted.</summary>
    public ImmutableArray<(string Slot, string Function)> SlotStores { get; init; } = [];

    /// <summary>Functions that call through a slot, sorted.</summary>
    public ImmutableArray<(string Caller, string Slot)> SlotCalls { get; init; } = [];

    /// <summary>
    /// The calls of the header bodies the shard walked (not in <see cref="Calls"/>), each with the rank of the unit
    /// that walked it: a body's calls depend on the unit including it, and the unsharded scan keeps the first unit's in
    /// discovery order, so a merge keeps, per body and arch, the lowest rank's. Sorted by file, function, arch.
    /// </summary>
    public ImmutableArray<GraphBodyData> Bodies { get; init; } = [];

    /// <summary>
    /// How many of the shard's units reached each header function (every arch together), sorted by file and function:
    /// a site in a header body counts every unit that reaches it (<see cref="Parascope.Detectors.FindingMerger"/>),
    /// and a shard whose units reach the function may report no view of the site (a site only another configuration
    /// compiles is reported by the shards that parse a unit in that configuration), so `merge` adds the shards' counts.
    /// </summary>
    public ImmutableArray<GraphReachData> Reach { get; init; } = [];
}

/// <summary>A header function and how many units of a shard reached it.</summary>
public sealed record GraphReachData(string File, string Function, int Units)
{
    /// <summary>
    /// Per arch, the discovery rank of the shard's unit that walked the function's body (the first of the shard to reach
    /// it), sorted by arch: `merge` keeps the sites of the body from the shard whose walker ranks lowest, the whole scan's.
    /// </summary>
    public ImmutableArray<(string Arch, int Rank)> Walkers { get; init; } = [];
}

/// <summary>A header function's body as one unit of a shard walked it: the unit's discovery rank and the calls it makes.</summary>
public sealed record GraphBodyData(string File, string Function, string Arch, int Rank, ImmutableArray<GraphCall> Calls);
