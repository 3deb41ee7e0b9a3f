using System.Collections.Immutable;
using Parascope.Detectors;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Detectors.PageTables;

/// <summary>
/// One matched site. Positions are expansion positions (for macro-produced code: the invocation), with the end
/// of the matched expression when it is on the same line, so the report can quote it. <see cref="Origin"/> is
/// where the text is written when a macro's body produced it (the finding goes there, this site is an expansion).
/// </summary>
public sealed record PageTableSite(
    string RuleId,
    string File,
    int Line,
    int Column,
    int EndColumn,
    string? Function,
    string Form,
    string? Name,
    bool FromMacro,
    MacroOrigin? Origin = null)
{
    /// <summary>For a store written in inline asm: the instruction that stores (cmpxchg8b, str…).</summary>
    public string? Instruction { get; init; }
}

/// <summary>A small function that stores a PTE through one of its parameters.</summary>
public sealed record WrapperDefinition(string Name, string File, int Line, int Column, string Parameter, string Type);

/// <summary>A file the unit read that holds lexical store candidates, and which of them the unit compiled.</summary>
public sealed record LexicalUse(string File, ImmutableArray<bool> Compiled);

public sealed record PageTableFacts(
    string Arch,
    SourceContext Context,
    ImmutableArray<PageTableSite> Sites,
    ImmutableArray<WrapperDefinition> Wrappers,
    ImmutableArray<WrapperCall> Calls) : IUnitFacts
{
    /// <summary>Files with lexical candidates (stores in every preprocessor branch) and what the unit compiled of each.</summary>
    public ImmutableArray<LexicalUse> LexicalUses { get; init; } = [];
}
