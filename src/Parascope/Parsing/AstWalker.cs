using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Detectors;

namespace Parascope.Parsing;

/// <summary>
/// The one walk of a unit's AST. Every collector sees every cursor under the root exactly once; declarations
/// from files outside the root (clang's and stand-in headers) are skipped whole; a function body in a header
/// that another unit of the same arch walks (the first in discovery order to reach it) is skipped and only counted
/// (see <see cref="FunctionReach"/>).
/// </summary>
internal sealed class AstWalker : ICursorVisitor
{
    private readonly AstScope _scope;
    private readonly IUnitCollector[] _collectors;
    private readonly FunctionReach _reach;
    private readonly string _mainFile;
    private readonly List<FunctionSpan> _functions = new();
    private readonly List<FunctionSpan> _skipped = new();
    private readonly List<ReachedFunction> _reached = new();
    private readonly HashSet<(string File, string Function)> _walkedHere = new();

    public AstWalker(AstScope scope, IUnitCollector[] collectors, FunctionReach reach)
    {
        _scope = scope;
        _collectors = collectors;
        _reach = reach;
        _mainFile = scope.Unit.Unit.RelativePath;
    }

    public ImmutableArray<FunctionSpan> Functions => _functions.ToImmutableArray();

    /// <summary>
    /// Every function definition under the root the unit holds, header bodies it skipped too: which function a line is
    /// in must not depend on which unit walked the body (a macro expansion is met at the unit's top, walker or not).
    /// </summary>
    public ImmutableArray<FunctionSpan> Definitions => [.. _functions, .. _skipped];

    /// <summary>Header functions the walk reached, in walk order.</summary>
    public ImmutableArray<ReachedFunction> Reached => _reached.ToImmutableArray();

    public void Walk() => _scope.TranslationUnit.Cursor.VisitChildren(this);

    public ChildVisit Visit(Cursor cursor, Cursor parent)
    {
        if (_scope.Depth == 0 && _scope.RelativePath(cursor.Location.Expansion.File) is null)
        {
            return ChildVisit.Continue;
        }
        if (_scope.Depth == 0)
        {
            // Preprocessing entities are top-level and come before every declaration: index them before any lookup.
            var kind = cursor.Kind;
            if (kind == CXCursorKind.CXCursor_MacroExpansion)
            {
                _scope.Macros.OnExpansion(cursor);
                return Offer(cursor);
            }
            if (kind == CXCursorKind.CXCursor_MacroDefinition)
            {
                _scope.Macros.OnDefinition(cursor);
                return Offer(cursor);
            }
        }
        foreach (var collector in _collectors)
        {
            collector.OnCursor(cursor, _scope);
        }
        if (!IsFunctionDefinition(cursor))
        {
            return ChildVisit.Recurse;
        }
        EnterFunction(cursor);
        return ChildVisit.Continue;
    }

    /// <summary>A preprocessing entity goes to the collectors and has no children.</summary>
    private ChildVisit Offer(Cursor cursor)
    {
        foreach (var collector in _collectors)
        {
            collector.OnCursor(cursor, _scope);
        }
        return ChildVisit.Continue;
    }

    private static bool IsFunctionDefinition(Cursor cursor) =>
        cursor.Kind is CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_CXXMethod
            or CXCursorKind.CXCursor_Constructor or CXCursorKind.CXCursor_Destructor
            or CXCursorKind.CXCursor_ConversionFunction or CXCursorKind.CXCursor_FunctionTemplate
        && cursor.IsDefinition;

    private void EnterFunction(Cursor cursor)
    {
        var name = _scope.Unit.Strings.Share(QualifiedName(cursor, _scope));
        var start = cursor.Extent.Start.Expansion;
        var file = _scope.RelativePath(start.File);
        if (file is null)
        {
            return;
        }
        // Header bodies are walked by the first unit of each arch that reaches them; the rest only count.
        if (file != _mainFile)
        {
            var walk = !_walkedHere.Contains((file, name)) && _reach.Enter(file, name, _scope.Unit.Unit.Arch, _scope.Unit.Rank);
            _reached.Add(new ReachedFunction(file, name, walk));
            if (!walk)
            {
                _skipped.Add(new FunctionSpan(file, start.Line, cursor.Extent.End.Expansion.Line, name));
                return;
            }
            _walkedHere.Add((file, name));
        }
        var end = cursor.Extent.End.Expansion;
        var node = cursor.HasInternalLinkage ? _scope.Unit.Strings.Share(StaticNode(name, file)) : name;
        _functions.Add(new FunctionSpan(file, start.Line, end.Line, name) { Node = node });
        var outerFunction = _scope.Function;
        var outerNode = _scope.FunctionNode;
        var outerHeader = _scope.HeaderFile;
        _scope.Function = name;
        _scope.FunctionNode = node;
        _scope.HeaderFile = file == _mainFile ? null : file;
        _scope.Depth++;
        cursor.VisitChildren(this);
        _scope.Depth--;
        _scope.Function = outerFunction;
        _scope.FunctionNode = outerNode;
        _scope.HeaderFile = outerHeader;
    }

    /// <summary>The call-graph node of a function with internal linkage: its name and the file defining it.</summary>
    public static string StaticNode(string name, string file) => name + "@" + file;

    /// <summary>
    /// "function" for C, "Class::method" for C++ members; an unnamed record's implicit members are named by where the
    /// record is written, relative to the scanned root (<see cref="AnonymousSpellings"/>).
    /// </summary>
    public static string QualifiedName(Cursor function, AstScope scope)
    {
        var name = function.Spelling;
        var parent = function.SemanticParent;
        var qualified = parent.Kind is CXCursorKind.CXCursor_ClassDecl or CXCursorKind.CXCursor_StructDecl
            or CXCursorKind.CXCursor_ClassTemplate
            ? parent.Spelling + "::" + name
            : name;
        return AnonymousSpellings.Relative(qualified, scope.Unit.Root);
    }
}
