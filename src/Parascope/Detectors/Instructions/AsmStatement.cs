using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// One assembly statement found in source text, before classification: where its first character is written,
/// the text (comments removed, `%%` unescaped in inline asm), and what surrounds it.
/// </summary>
public sealed record AsmStatement
{
    public required int Line { get; init; }
    public required int Column { get; init; }
    public required string Text { get; init; }
    public required SourceContext Context { get; init; }
    /// <summary>The #define or .macro whose body holds the statement.</summary>
    public string? Macro { get; init; }
    /// <summary>The macro's parameters, when the statement uses one (`"msr " SR ", %0"`): resolved per expansion site.</summary>
    public ImmutableArray<string> MacroParameters { get; init; } = [];
    /// <summary>Enclosing asm symbol (label, ENTRY(name)) or C function found lexically; null when unknown.</summary>
    public string? Function { get; init; }
    /// <summary>The innermost preprocessor condition around the statement.</summary>
    public string? Condition { get; init; }
    /// <summary>Every enclosing condition, outermost first (for telling which arch a skipped branch is for).</summary>
    public ImmutableArray<string> Conditions { get; init; } = [];
    /// <summary>Whether the branch is taken under the defines the scan knew (assembly files; lexical guess elsewhere).</summary>
    public bool Active { get; init; } = true;
    public bool IntelSyntax { get; init; }
    /// <summary>The statement is in a GAS `.macro … .endm` body (assembler text wherever it is written, C headers included).</summary>
    public bool InGasMacro { get; init; }
}

/// <summary>Which instruction family source text is written for, from what is known about it.</summary>
public static class FamilyHints
{
    public static InstructionFamily OfArch(string arch) => Architecture.Find(arch)?.Family ?? InstructionFamily.X86;

    /// <summary>The family a path's arch folder implies (osfmk/i386, osfmk/x86_64, osfmk/arm64, …), or null.</summary>
    public static InstructionFamily? OfPath(string relativePath)
    {
        foreach (var part in relativePath.Split('/'))
        {
            if (Architecture.FamilyOfFolder(part) is { } family)
            {
                return family;
            }
        }
        return null;
    }

    /// <summary>
    /// A path in another architecture's folder (ppc, ppc64, sparc, mips, arm32 `armv7`…): its assembly is neither
    /// x86 nor arm64 and reading it as either gives nonsense (`; in rare cases` is a PPC comment, an x86 `in`).
    /// </summary>
    public static bool IsForeignPath(string relativePath)
    {
        foreach (var part in relativePath.Split('/'))
        {
            if (Architecture.ForeignFolders.Contains(part))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The family the innermost condition naming an arch implies: `defined(__arm64__)` → arm64, its `#else` or
    /// `!defined(__arm64__)` → x86 (XNU builds for the two families only); null when no condition names one.
    /// </summary>
    public static InstructionFamily? OfConditions(ImmutableArray<string> conditions)
    {
        for (var i = conditions.Length - 1; i >= 0; i--)
        {
            var condition = conditions[i];
            var arm = IndexOfAny(condition, "__arm64__", "__arm__", "__aarch64__", "__ARM_ARCH");
            var x86 = IndexOfAny(condition, "__x86_64__", "__i386__", "__x86_64", "__i386");
            if (arm < 0 && x86 < 0)
            {
                continue;
            }
            var first = arm >= 0 && (x86 < 0 || arm < x86) ? (Index: arm, Family: InstructionFamily.Arm64) : (Index: x86, Family: InstructionFamily.X86);
            var negated = IsNegated(condition, first.Index);
            // Not i386 is x86_64 as well as arm64 (xnu-1699 … xnu-2050 build both x86 arches): the condition says
            // nothing about the family then, and the path or the unit decides.
            if (negated && first.Family == InstructionFamily.X86 && condition.AsSpan(first.Index).StartsWith("__i386", StringComparison.Ordinal))
            {
                return null;
            }
            return negated ? Other(first.Family) : first.Family;
        }
        return null;
    }

    /// <summary>
    /// True when the innermost condition naming one of <paramref name="names"/> requires it (`#ifdef ASSEMBLER`,
    /// `#if defined(__ASSEMBLER__)`), false when it excludes it (`#ifndef __ASSEMBLER__`, its `#else`) or none names it.
    /// </summary>
    public static bool Requires(ImmutableArray<string> conditions, params string[] names)
    {
        for (var i = conditions.Length - 1; i >= 0; i--)
        {
            var at = IndexOfAny(conditions[i], names);
            if (at >= 0)
            {
                return !IsNegated(conditions[i], at);
            }
        }
        return false;
    }

    private static InstructionFamily Other(InstructionFamily family) => family == InstructionFamily.X86 ? InstructionFamily.Arm64 : InstructionFamily.X86;

    private static int IndexOfAny(string text, params string[] names)
    {
        var best = -1;
        foreach (var name in names)
        {
            var at = text.IndexOf(name, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best))
            {
                best = at;
            }
        }
        return best;
    }

    /// <summary>A `!` applies to the name: `!defined(X)`, `!X`, or the `!(…)` an #else wrapped around the condition.</summary>
    private static bool IsNegated(string condition, int at)
    {
        var negated = false;
        while (condition.StartsWith("!(", StringComparison.Ordinal) && condition.EndsWith(')'))
        {
            negated = !negated;
            condition = condition[2..^1];
            at -= 2;
        }
        var i = at - 1;
        while (i >= 0 && (char.IsWhiteSpace(condition[i]) || condition[i] == '('))
        {
            i--;
        }
        if (i >= 6 && string.CompareOrdinal(condition, i - 6, "defined", 0, 7) == 0)
        {
            i -= 7;
            while (i >= 0 && (char.IsWhiteSpace(condition[i]) || condition[i] == '('))
            {
                i--;
            }
        }
        if (i >= 0 && condition[i] == '!')
        {
            negated = !negated;
        }
        return negated;
    }
}
