using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>
/// A function of a shard's call graph: where it is defined, and the discovery rank of the unit that defined it first
/// (the unsharded graph takes the first definition in discovery order, so a merge takes the lowest rank).
/// </summary>
public sealed record GraphFunctionData(string Name, int Rank, string File, int StartLine, int EndLine);

/// <summary>
/// What a shard's report carries of its call graph so that `merge` can rebuild the whole tree's graph and run the
/// whole-tree stages (callers, phases, the port's interface) after the merge, as the unsharded scan does.
/// </summary>
public sealed record CallGraphData(ImmutableArray<GraphFunctionData> Functions, ImmutableArray<(string Caller, string Callee)> Calls);
