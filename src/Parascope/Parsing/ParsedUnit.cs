using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Detectors;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>A function definition's lines in a file under the root; used to attribute lexically found sites.</summary>
public sealed record FunctionSpan(string File, int StartLine, int EndLine, string Name)
{
    /// <summary>
    /// The call graph's node for the function: <see cref="Name"/>, or "name@file" for a function with internal linkage
    /// (`static`), so that same-named statics of different files stay distinct (docs/graph.md).
    /// </summary>
    public string Node { get; init; } = Name;
}

/// <summary>A unit after parsing: its health, what the preprocessor skipped, and each detector's facts. No libclang objects.</summary>
public sealed record ParsedUnit
{
    public required SourceUnit Unit { get; init; }
    public required UnitStatus Status { get; init; }
    /// <summary>Error and fatal diagnostics, in the order clang gave them.</summary>
    public ImmutableArray<ParseDiagnostic> Errors { get; init; } = [];
    /// <summary>Files under the root the unit read (relative paths), the unit itself first.</summary>
    public ImmutableArray<string> IncludedFiles { get; init; } = [];
    /// <summary>Function definitions the walk entered, in files under the root.</summary>
    public ImmutableArray<FunctionSpan> Functions { get; init; } = [];
    /// <summary>Header functions the walk reached (each reach counts a unit for the function's findings), in walk order.</summary>
    public ImmutableArray<ReachedFunction> Reached { get; init; } = [];
    /// <summary>
    /// Every file libclang read for the unit (absolute paths, the unit first, files outside the root too): what the
    /// unit's facts depend on, the result cache's manifest.
    /// </summary>
    public ImmutableArray<string> Dependencies { get; init; } = [];
    public ImmutableArray<IUnitFacts> Facts { get; init; } = [];
    public long DurationMs { get; init; }

    /// <summary>
    /// A fatal error: clang's fatal level, or a missing #include. With KeepGoing libclang reports a missing include
    /// as a plain error and goes on, but everything the header declares is absent, so the rest of the unit's AST
    /// is unreliable (docs/parse-health.md). A unit libclang could not parse at all is Failed instead.
    /// </summary>
    public bool HasFatal => Errors.Any(IsFatal);

    public static bool IsFatal(ParseDiagnostic error) =>
        error.Level == DiagnosticLevel.Fatal || error.Message.EndsWith("' file not found", StringComparison.Ordinal);
}
