using System.Collections.Immutable;
using Parascope.Model;
using static Parascope.Detectors.Instructions.InstructionFindings;


namespace Parascope.Detectors.Instructions;

/// <summary>
/// Sites the AST did not give (a skipped branch, a failed parse), resolved from the text: invocations of parametric
/// asm macros and builtin calls. Marked resolution=lexical, so a reader knows the AST did not confirm them.
/// </summary>
internal static class LexicalSites
{
    /// <summary>
    /// An invocation of a parametric asm macro the AST did not give (skipped branch, failed parse), resolved lexically:
    /// recorded as an expansion of the macro's definition (the macro is defined in the same file).
    /// </summary>
    public static void LexicalMacroUse(MacroDefinitions definitions, string file, CSourceScanner.Result scan, CSourceScanner.LexicalCall call,
        bool active, string? arch, InstructionFamily unitFamily)
    {
        foreach (var statement in scan.Statements.Where(st => st.Macro == call.Name && !st.MacroParameters.IsEmpty))
        {
            // An argument naming one of the file's `#define NAME "…"` is that string, as the AST path resolves it
            // (xnu-4903 kpc.c's SREG_READ(SREG_PMCR0) under #ifdef KPC_DEBUG).
            var arguments = call.Arguments
                .Select(a => scan.StringMacros.TryGetValue(a.Trim(), out var value) ? $"\"{value}\"" : string.Join(' ', SplitLiterals(a)))
                .ToImmutableArray();
            var family = active ? FamilyHints.OfPath(file) ?? unitFamily : FamilyHints.OfConditions(call.Conditions) ?? FamilyHints.OfPath(file) ?? unitFamily;
            definitions.Use(file, statement, family, new SiteReference(file, call.Line, call.Function), arguments, arch);
        }
    }

    /// <summary>`"a" "b"` → the two literals, other text as one piece (what the token-based path gives).</summary>
    private static IEnumerable<string> SplitLiterals(string argument)
    {
        var matches = System.Text.RegularExpressions.Regex.Matches(argument, "\"(?:\\\\.|[^\"\\\\])*\"");
        if (matches.Count > 0 && System.Text.RegularExpressions.Regex.Replace(argument, "\"(?:\\\\.|[^\"\\\\])*\"", string.Empty).Trim().Length == 0)
        {
            return matches.Select(m => m.Value);
        }
        return [argument];
    }

    /// <summary>
    /// A builtin call the AST did not give (its branch was skipped, or the parse failed before it): named
    /// lexically, its register taken from a string literal or a `#define NAME "…"` of the tree. Marked
    /// resolution=lexical, so a reader knows the AST did not confirm it.
    /// </summary>
    public static Finding? LexicalBuiltin(DetectionContext context, InstructionClassifier classifier, Dictionary<string, string> stringMacros,
        string file, CSourceScanner.LexicalCall call, bool active, string? arch)
    {
        string? register = null;
        if (classifier.RegisterArgument(call.Name) >= 0)
        {
            var argument = call.FirstArgument;
            register = argument.Length >= 2 && argument[0] == '"' && argument[^1] == '"' ? argument[1..^1]
                : stringMacros.GetValueOrDefault(argument);
            if (register is null)
            {
                return null;
            }
        }
        if (classifier.ClassifyBuiltin(call.Name, register) is not { } emitted)
        {
            return null;
        }
        var rule = emitted.Instruction.Rule;
        var properties = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        properties["builtin"] = call.Name;
        properties["builtin-rule"] = emitted.Builtin.Id;
        properties["mnemonic"] = emitted.Instruction.Mnemonic;
        properties["resolution"] = "lexical";
        if (register is not null)
        {
            properties["register"] = register;
        }
        return context.FindingOf(rule, file, call.Line, call.Column, SourceContext.Builtin,
            register is null ? $"{call.Name}()" : $"{call.Name}(\"{register}\")") with
        {
            Function = call.Function,
            Active = active,
            Arches = arch is null ? [] : [arch],
            Condition = active ? null : call.Condition,
            Properties = properties.ToImmutable(),
        };
    }
}
