using System.Collections.Immutable;
using Parascope.Parsing;

namespace Parascope.Detectors.Instructions;

/// <summary>One file a unit read that holds asm text, and which of its asm statements the unit compiled.</summary>
internal sealed record FileUse(string File, ImmutableArray<bool> Active)
{
    /// <summary>For each lexical builtin call of the file: whether the unit compiled its line.</summary>
    public ImmutableArray<bool> CallsActive { get; init; } = [];
}

/// <summary>An expansion of an asm-bearing macro (defined in <see cref="MacroFile"/>) at a site of the unit.</summary>
internal sealed record MacroUse(string MacroFile, string Macro, string File, int Line)
{
    public int Column { get; init; }
    /// <summary>The invocation's arguments, kept only for macros whose asm text uses a parameter.</summary>
    public ImmutableArray<string> Arguments { get; init; } = [];
}

/// <summary>A builtin call that emits a counted instruction, classified in the collector (needs the AST).</summary>
internal sealed record BuiltinCall(string File, int Line, int Column, string? Function, string Builtin, string? Register,
    string RuleId, string BuiltinRuleId, string Mnemonic, string Detail, string? Macro)
{
    /// <summary>Where a macro body writes the call (`#define wait_for_event() __builtin_arm_wfe()`): the site to report, the use being its expansion.</summary>
    public MacroOrigin? Origin { get; init; }
}

/// <summary>A counted instruction in a .s/.S unit (classified with the unit's family while scanning).</summary>
internal sealed record AssemblySite(string File, AsmStatement Statement, string RuleId, string Mnemonic, string? Register, string? Encoding);

internal sealed record InstructionFacts(ImmutableArray<FileUse> FileUses, ImmutableArray<MacroUse> Expansions,
    ImmutableArray<BuiltinCall> BuiltinCalls, ImmutableArray<AssemblySite> AssemblySites) : IUnitFacts
{
    /// <summary>The unit was an assembly file this detector scanned (its family matched the unit's arch).</summary>
    public bool AssemblyScanned { get; init; }

    /// <summary>What the assembly unit #includes, as written (headers' assembler-only parts are assembled through these).</summary>
    public ImmutableArray<string> AssemblyIncludes { get; init; } = [];
}
