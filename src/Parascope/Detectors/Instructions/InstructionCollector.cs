using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Discovery;
using Parascope.Model;
using Parascope.Parsing;
using static Parascope.Detectors.Instructions.InstructionFindings;
using static Parascope.Detectors.Instructions.LexicalSites;

namespace Parascope.Detectors.Instructions;

/// <summary>The instruction detector's half of the one walk: asm macros and their expansions, builtin calls from the AST, .s/.S units, and which asm lines of each file the unit compiled.</summary>
internal sealed class InstructionCollector(CSourceScans scans, UnitScope scope, InstructionClassifier classifier) : IUnitCollector
{
    private readonly Dictionary<string, (string File, bool Parametric)> _asmMacros = new(StringComparer.Ordinal);
    private readonly List<MacroUse> _expansions = new();
    private readonly List<BuiltinCall> _builtins = new();
    private readonly List<AssemblySite> _assembly = new();
    private readonly List<FileUse> _uses = new();
    private bool _assemblyScanned;
    private readonly List<string> _assemblyIncludes = new();

    public void OnCursor(Cursor cursor, AstScope astScope)
    {
        switch (cursor.Kind)
        {
            case CXCursorKind.CXCursor_MacroDefinition:
                OnMacroDefinition(cursor, astScope);
                break;
            case CXCursorKind.CXCursor_MacroExpansion:
                OnMacroExpansion(cursor, astScope);
                break;
            case CXCursorKind.CXCursor_CallExpr:
                OnCall(cursor, astScope);
                break;
        }
    }

    private void OnMacroDefinition(Cursor cursor, AstScope astScope)
    {
        var file = astScope.RelativePath(cursor.Location.Expansion.File);
        if (file is null)
        {
            return;
        }
        var scan = scans.Get(scope, file);
        if (scan.AsmMacros.IsEmpty)
        {
            return;
        }
        var name = cursor.Spelling;
        if (scan.AsmMacros.Contains(name))
        {
            _asmMacros[name] = (file, scan.Statements.Any(st => st.Macro == name && !st.MacroParameters.IsEmpty));
        }
    }

    private void OnMacroExpansion(Cursor cursor, AstScope astScope)
    {
        if (_asmMacros.Count == 0 && classifier.BuiltinNames.Count == 0)
        {
            return;
        }
        var name = cursor.Spelling;
        if (_asmMacros.TryGetValue(name, out var macro))
        {
            var at = cursor.Location.Expansion;
            if (astScope.RelativePath(at.File) is { } file)
            {
                _expansions.Add(new MacroUse(macro.File, name, file, at.Line)
                {
                    Column = at.Column,
                    Arguments = macro.Parametric ? MacroArguments(astScope.Macros, astScope.TranslationUnit.Tokenize(cursor.Extent)) : [],
                });
            }
            return;
        }
        // cpuid.h's __cpuid(level, a, b, c, d) is a macro around inline asm defined outside the tree.
        if (classifier.BuiltinNames.Contains(name) && classifier.ClassifyBuiltin(name, null) is { } emitted)
        {
            var at = cursor.Location.Expansion;
            if (astScope.RelativePath(at.File) is { } file)
            {
                _builtins.Add(new BuiltinCall(file, at.Line, at.Column, null, name, null, emitted.Instruction.Rule.Id,
                    emitted.Builtin.Id, emitted.Instruction.Mnemonic, name, null));
            }
        }
    }

    private void OnCall(Cursor cursor, AstScope astScope)
    {
        var name = cursor.Spelling;
        if (name.Length < 4 || name[0] != '_' || !classifier.BuiltinNames.Contains(name))
        {
            return;
        }
        var at = cursor.Location.Expansion;
        var file = astScope.RelativePath(at.File);
        if (file is null)
        {
            return;
        }
        string? register = null;
        var argumentIndex = classifier.RegisterArgument(name);
        if (argumentIndex >= 0 && argumentIndex < cursor.ArgumentCount)
        {
            register = RegisterName(cursor.Argument(argumentIndex));
            if (register is null)
            {
                return; // not a constant string: clang rejects it anyway
            }
        }
        if (classifier.ClassifyBuiltin(name, register) is not { } emitted)
        {
            return;
        }
        var detail = register is null ? $"{name}()" : $"{name}(\"{register}\")";
        // A builtin written in a macro body (hw_spin_wait_until → wait_for_event() → __builtin_arm_wfe()) is one
        // site, the #define; each use is its expansion (as for asm macros and page-table stores).
        var origin = astScope.Macros.FindIdentifier(cursor, name);
        _builtins.Add(new BuiltinCall(file, at.Line, at.Column, astScope.Function, name, register, emitted.Instruction.Rule.Id,
            emitted.Builtin.Id, emitted.Instruction.Mnemonic, detail, origin?.Macro)
        { Origin = origin });
    }

    /// <summary>
    /// The arguments of a function-like macro invocation as written (`NAME ( a , "b" )` → a, "b"); string
    /// literals side by side are kept apart by a space so the caller can join their contents. An argument that is one
    /// name of an object-like macro whose value is string literals is given as that value: xnu-4903's kpc.c reads
    /// `SREG_READ(SREG_PMCR0)` with `#define SREG_PMCR0 "S3_1_c15_c0_0"`, and the register is the string.
    /// </summary>
    private static ImmutableArray<string> MacroArguments(MacroSites macros, List<Token> tokens)
    {
        var arguments = ImmutableArray.CreateBuilder<string>();
        var depth = 0;
        var current = new List<Token>();
        foreach (var token in tokens.Skip(1))
        {
            if (token.Text == "(" && depth++ == 0)
            {
                continue;
            }
            if (token.Text == ")" && --depth == 0)
            {
                arguments.Add(Argument(macros, current));
                break;
            }
            if (token.Text == "," && depth == 1)
            {
                arguments.Add(Argument(macros, current));
                current.Clear();
                continue;
            }
            current.Add(token);
        }
        return arguments.ToImmutable();
    }

    private static string Argument(MacroSites macros, List<Token> tokens) =>
        tokens is [{ Kind: TokenKind.Identifier } name] && macros.StringValueAt(name.Position) is { } value
            ? value
            : string.Join(' ', tokens.Select(t => t.Text));

    /// <summary>The system register a builtin argument names, from the AST (a literal, a macro, a constant string).</summary>
    private static string? RegisterName(Cursor argument)
    {
        var value = argument.EvaluateString();
        if (value is not null)
        {
            return value;
        }
        foreach (var child in argument.Children())
        {
            if (RegisterName(child) is { } inner)
            {
                return inner;
            }
        }
        return argument.Kind == CXCursorKind.CXCursor_StringLiteral ? Unquote(argument.Spelling) : null;
    }

    private static string Unquote(string literal) => literal.Length >= 2 && literal[0] == '"' ? literal[1..^1] : literal;

    public void OnAssembly(AssemblyScope assembly)
    {
        var unit = scope.Unit;
        var unitFamily = FamilyHints.OfArch(unit.Arch);
        var pathFamily = FamilyHints.OfPath(unit.RelativePath);
        if (pathFamily is { } family && family != unitFamily || FamilyHints.IsForeignPath(unit.RelativePath))
        {
            return; // an arm64 .s file is not assembled for x86_64, and the reverse
        }
        _assemblyScanned = true;
        _assemblyIncludes.AddRange(AssemblySourceScanner.Includes(assembly.Text.Text));
        var defines = Conditionals.Predefined(unit.Arch).SetItems(assembly.Defines);
        foreach (var (statement, match, encoding) in AssemblyMatches(assembly.Text.Text, unit.RelativePath, unitFamily, defines, classifier, assembly.Compiled))
        {
            _assembly.Add(new AssemblySite(unit.RelativePath, statement, match.Rule.Id, match.Mnemonic, match.Register, encoding));
        }
    }

    public void OnUnitEnd(UnitEndScope end)
    {
        if (scope.Unit.Language == SourceLanguage.Assembly)
        {
            return;
        }
        var inactive = end.InactiveRanges.GroupBy(r => r.File).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        foreach (var file in end.IncludedFiles)
        {
            var scan = scans.Get(scope, file);
            if (scan.Statements.IsEmpty && scan.Calls.IsEmpty)
            {
                continue;
            }
            var ranges = inactive.GetValueOrDefault(file) ?? [];
            bool Compiled(int line) => !ranges.Any(r => r.Contains(line));
            _uses.Add(new FileUse(file, scan.Statements.Select(st => Compiled(st.Line)).ToImmutableArray())
            {
                CallsActive = scan.Calls.Select(call => Compiled(call.Line)).ToImmutableArray(),
            });
        }
    }

    public IUnitFacts? Complete() =>
        _uses.Count == 0 && _assembly.Count == 0 && _builtins.Count == 0 && !_assemblyScanned
            ? null
            : new InstructionFacts(_uses.ToImmutableArray(), _expansions.ToImmutableArray(), _builtins.ToImmutableArray(), _assembly.ToImmutableArray())
            {
                AssemblyScanned = _assemblyScanned,
                AssemblyIncludes = _assemblyIncludes.Distinct(StringComparer.Ordinal).ToImmutableArray(),
            };
}
