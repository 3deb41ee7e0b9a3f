using System.Collections.Immutable;

namespace Parascope.Model;

/// <summary>Where a function is defined: a file relative to the root and the definition's first line.</summary>
public sealed record FunctionDefinition(string File, int Line);

/// <summary>A function's callers and callees one call away, sorted, as the HTML report shows them beside a finding.</summary>
public sealed record FunctionNeighbours(ImmutableArray<string> Callers, ImmutableArray<string> Callees);

/// <summary>
/// The part of the call graph that the plan and the reports read: where the functions they name are defined, how many
/// calls from the boot entry points reach each finding's function, and each finding's neighbours. Taken from the
/// graph once (Planning.GraphExcerpts), kept with a whole scan, so that a reused scan plans and reports without
/// decoding its call graph.
/// </summary>
public sealed record GraphExcerpt(
    ImmutableSortedDictionary<string, FunctionDefinition> Definitions,
    ImmutableSortedDictionary<string, int> BootCalls,
    ImmutableSortedDictionary<string, FunctionNeighbours> Neighbours)
{
    /// <summary>For a result without a call graph (a report read back, a merge of shards that carry none).</summary>
    public static readonly GraphExcerpt Empty = new(
        ImmutableSortedDictionary<string, FunctionDefinition>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableSortedDictionary<string, FunctionNeighbours>.Empty.WithComparers(StringComparer.Ordinal));
}
