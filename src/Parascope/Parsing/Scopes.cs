using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>What a collector knows about the unit it serves, before the walk.</summary>
public sealed class UnitScope
{
    public required SourceUnit Unit { get; init; }
    public required string Root { get; init; }
    public required SourceTexts Texts { get; init; }

    /// <summary>The pool of paths and names shared by the units parsed together (a unit parsed alone has its own).</summary>
    public SharedStrings Strings { get; init; } = new();

    /// <summary>The unit's place in discovery order among the units parsed together: the first to reach a header body walks it.</summary>
    public int Rank { get; init; }
}

/// <summary>The walk's state at the current cursor: where it is, in which function, and the unit's services.</summary>
public sealed class AstScope
{
    private readonly Dictionary<ClangFile, string?> _relativePaths = new();
    private readonly string _root;

    internal AstScope(UnitScope unit, TranslationUnit translationUnit)
    {
        Unit = unit;
        TranslationUnit = translationUnit;
        _root = unit.Root.EndsWith('/') ? unit.Root : unit.Root + "/";
        Macros = new MacroSites(this);
    }

    public UnitScope Unit { get; }
    public TranslationUnit TranslationUnit { get; }

    /// <summary>The unit's macro expansions: where text a macro body produced is written (see <see cref="MacroSites"/>).</summary>
    public MacroSites Macros { get; }

    /// <summary>The enclosing function, method ("Class::method") or null at file scope.</summary>
    public string? Function { get; internal set; }

    /// <summary>The enclosing function's call-graph node: <see cref="Function"/>, or "name@file" for a static (see <see cref="FunctionSpan.Node"/>).</summary>
    public string? FunctionNode { get; internal set; }

    /// <summary>
    /// The header (root-relative) defining the enclosing function when that function is a header body this unit
    /// walks (see <see cref="FunctionReach"/>); null in the unit's own file and at file scope.
    /// </summary>
    public string? HeaderFile { get; internal set; }

    /// <summary>Nesting depth of the current cursor (0 = a top-level declaration or preprocessing entity).</summary>
    public int Depth { get; internal set; }

    /// <summary>The file's path relative to the root ('/' separators), or null for a file outside the root.</summary>
    public string? RelativePath(ClangFile file)
    {
        if (file.IsNull)
        {
            return null;
        }
        if (!_relativePaths.TryGetValue(file, out var relative))
        {
            var name = Path.GetFullPath(file.Name);
            relative = name.StartsWith(_root, StringComparison.Ordinal) ? Unit.Strings.Share(name[_root.Length..]) : null;
            _relativePaths[file] = relative;
        }
        return relative;
    }

    /// <summary>Absolute path of a relative one.</summary>
    public string AbsolutePath(string relative) => _root + relative;
}

/// <summary>An assembly unit: its text, the defines its conditionals see and what the preprocessor skipped.</summary>
public sealed class AssemblyScope
{
    public required UnitScope Unit { get; init; }
    public required SourceText Text { get; init; }

    /// <summary>Macros defined by the unit's -D arguments (name → value, "1" when none given).</summary>
    public required ImmutableDictionary<string, string> Defines { get; init; }

    /// <summary>
    /// The lines of the file the preprocessor skipped, when libclang preprocessed it as the build does
    /// (`-x assembler-with-cpp`, with the unit's flags and every header it includes); null when it could not.
    /// </summary>
    public ImmutableArray<LineRange>? SkippedLines { get; init; }

    /// <summary>Whether the preprocessor compiled a line (1-based); null when it did not run (see <see cref="SkippedLines"/>).</summary>
    public Func<int, bool>? Compiled => SkippedLines is { } skipped ? line => !skipped.Any(r => r.Contains(line)) : null;
}

/// <summary>After a unit's walk: what its preprocessor skipped and which files it read.</summary>
public sealed class UnitEndScope
{
    public required UnitScope Unit { get; init; }
    public required ImmutableArray<LineRange> InactiveRanges { get; init; }
    public required ImmutableArray<string> IncludedFiles { get; init; }
    /// <summary>Function definitions under the root the unit holds, walked or not (see <see cref="AstWalker.Definitions"/>).</summary>
    public required ImmutableArray<FunctionSpan> Functions { get; init; }

    /// <summary>
    /// The innermost function whose lines in FILE hold LINE, or null: a macro expansion is met at the unit's top, before
    /// any function is entered, so its function comes from the lines.
    /// </summary>
    public string? FunctionAt(string file, int line) => (_functionsByFile ??= FunctionSpans.Of(Functions)).At(file, line);

    private FunctionSpans? _functionsByFile;
}
