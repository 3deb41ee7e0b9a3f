using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Detectors.DriverApi;

/// <summary>
/// Keeps, from the shared walk, the calls a driver-api rule may match and the class hierarchy around them.
/// clang has already resolved every member call to the method's declaring class, overload and all; the
/// collector only asks, per class (cached), which classes it derives from, so the pre-filter is exact and
/// cheap, and Detect re-matches against the hierarchy of every unit.
/// </summary>
internal sealed class DriverApiCollector : IUnitCollector
{
    private readonly DriverApiRules _rules;
    private readonly UnitScope _unit;
    private readonly bool _cxx;
    private readonly List<DriverCall> _calls = new();
    private readonly Dictionary<Cursor, ClassInfo> _classInfo = new();
    private readonly Dictionary<string, ClassFact> _classFacts = new(StringComparer.Ordinal);
    private readonly List<MetaClassFact> _metaClasses = new();
    /// <summary>Indexes into <see cref="_calls"/> of macro sites: the walk meets macro expansions outside function bodies.</summary>
    private readonly List<int> _macroCalls = new();
    /// <summary>Per declaration (function) or macro definition: its name when a rule may match it, else null.
    /// A unit calls the same few thousand functions many times: one name lookup each, not one per call.</summary>
    private readonly Dictionary<Cursor, string?> _candidateNames = new();

    private sealed record ClassInfo(string Name, string[] Lineage);

    public DriverApiCollector(DriverApiRules rules, UnitScope unit)
    {
        _rules = rules;
        _unit = unit;
        _cxx = unit.Unit.Language == SourceLanguage.Cxx;
    }

    public void OnCursor(Cursor cursor, AstScope scope)
    {
        switch (cursor.Kind)
        {
            case CXCursorKind.CXCursor_CallExpr:
                OnCall(cursor, scope);
                break;
            case CXCursorKind.CXCursor_ClassDecl or CXCursorKind.CXCursor_StructDecl when _cxx && cursor.IsDefinition:
                // Every class defined under the root goes into the hierarchy: the inventory needs all IOService subclasses.
                Info(cursor, scope);
                break;
            case CXCursorKind.CXCursor_MacroExpansion:
                OnMacro(cursor, scope);
                break;
        }
    }

    private void OnCall(Cursor call, AstScope scope)
    {
        var callee = call.Referenced;
        if (callee.IsNull)
        {
            return;
        }
        switch (callee.Kind)
        {
            case CXCursorKind.CXCursor_FunctionDecl:
                {
                    if (!_candidateNames.TryGetValue(callee, out var name))
                    {
                        var spelling = callee.Spelling;
                        name = _rules.MayMatchFunction(spelling) ? spelling : null;
                        _candidateNames[callee] = name;
                    }
                    if (name is not null)
                    {
                        AddCall(call, scope, DriverCallKind.Function, name, null, isVirtual: false, isStatic: false);
                    }
                    break;
                }
            case CXCursorKind.CXCursor_CXXMethod when _cxx:
                {
                    var parent = callee.SemanticParent;
                    if (parent.Kind is not (CXCursorKind.CXCursor_ClassDecl or CXCursorKind.CXCursor_StructDecl))
                    {
                        return;
                    }
                    var info = Info(parent, scope);
                    if (!UnderRuleClass(info, out var wholeClass))
                    {
                        return;
                    }
                    var name = callee.Spelling;
                    if (wholeClass || _rules.MayMatchMethodName(name))
                    {
                        AddCall(call, scope, DriverCallKind.Method, name, info.Name, call.IsDynamicCall, callee.IsStaticMethod);
                    }
                    break;
                }
        }
    }

    private bool UnderRuleClass(ClassInfo info, out bool wholeClass)
    {
        wholeClass = false;
        var any = false;
        foreach (var name in info.Lineage)
        {
            if (_rules.Classes.Contains(name))
            {
                any = true;
                wholeClass |= _rules.WholeClasses.ContainsKey(name);
            }
        }
        return any;
    }

    private void AddCall(Cursor call, AstScope scope, DriverCallKind kind, string callee, string? cls, bool isVirtual, bool isStatic)
    {
        var extent = call.Extent;
        // A call in a macro argument is at its own place in the use; one in a macro body moves to the #define below.
        var start = scope.Macros.WrittenAt(extent.Start);
        var file = scope.RelativePath(start.File);
        if (file is null)
        {
            return;
        }
        // A call written in a macro body is reported at the #define (see MacroSites); the use is its expansion.
        var origin = scope.Macros.FindIdentifier(call, callee);
        var macro = origin?.Macro ?? scope.Macros.ExpandedFrom(call);
        _calls.Add(new DriverCall(kind, file, start.Line, start.Column, scope.Function, callee, cls, macro, isVirtual, isStatic, origin));
    }

    private void OnMacro(Cursor cursor, AstScope scope)
    {
        if (_rules.Macros.IsEmpty && !_cxx)
        {
            return;
        }
        var definition = cursor.Referenced;
        string? name;
        if (definition.IsNull)
        {
            name = CandidateMacro(cursor.Spelling);
        }
        else if (!_candidateNames.TryGetValue(definition, out name))
        {
            name = CandidateMacro(cursor.Spelling);
            _candidateNames[definition] = name;
        }
        if (name is null)
        {
            return;
        }
        var isMetaClass = !_rules.Macros.ContainsKey(name);
        var start = cursor.Location.Expansion;
        var file = scope.RelativePath(start.File);
        if (file is null)
        {
            return;
        }
        if (isMetaClass)
        {
            // OSDefineMetaClassAndStructors(Class, Superclass): the arguments are the 3rd and 5th tokens.
            var tokens = scope.TranslationUnit.Tokenize(cursor.Extent);
            if (tokens.Count >= 5 && tokens[2].Kind == TokenKind.Identifier && tokens[4].Kind == TokenKind.Identifier)
            {
                _metaClasses.Add(new MetaClassFact(tokens[2].Text, tokens[4].Text, file, start.Line));
            }
            return;
        }
        _macroCalls.Add(_calls.Count);
        _calls.Add(new DriverCall(DriverCallKind.Macro, file, start.Line, start.Column, null, name, null, name, false, false));
    }

    /// <summary>The macro's name when the detector wants its expansions: a rule's macro or a metaclass definition.</summary>
    private string? CandidateMacro(string name) =>
        _rules.Macros.ContainsKey(name)
        || (_cxx && name.StartsWith("OSDefineMetaClassAnd", StringComparison.Ordinal) && name.Contains("Structors", StringComparison.Ordinal))
            ? name
            : null;

    /// <summary>The class's name and lineage (itself, then its bases nearest first), cached per declaration.</summary>
    private ClassInfo Info(Cursor declaration, AstScope scope)
    {
        var key = declaration.Canonical;
        if (_classInfo.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var definition = declaration.Definition;
        var name = declaration.Spelling;
        // A placeholder first: a malformed unit must not recurse forever.
        _classInfo[key] = new ClassInfo(name, [name]);
        if (definition.IsNull)
        {
            return _classInfo[key];
        }
        var bases = ImmutableArray.CreateBuilder<string>();
        var lineage = new List<string> { name };
        foreach (var child in definition.Children())
        {
            if (child.Kind != CXCursorKind.CXCursor_CXXBaseSpecifier)
            {
                continue;
            }
            var baseDeclaration = child.Type.Canonical.Declaration;
            if (baseDeclaration.IsNull || baseDeclaration.Kind is not (CXCursorKind.CXCursor_ClassDecl or CXCursorKind.CXCursor_StructDecl))
            {
                continue;
            }
            var baseInfo = Info(baseDeclaration, scope);
            bases.Add(baseInfo.Name);
            foreach (var ancestor in baseInfo.Lineage)
            {
                if (!lineage.Contains(ancestor))
                {
                    lineage.Add(ancestor);
                }
            }
        }
        var info = new ClassInfo(name, lineage.ToArray());
        _classInfo[key] = info;
        var location = definition.Location.Expansion;
        var file = scope.RelativePath(location.File);
        if (!_classFacts.TryGetValue(name, out var known) || (known.File is null && file is not null))
        {
            _classFacts[name] = new ClassFact(name, bases.ToImmutable(), file, location.Line);
        }
        return info;
    }

    public void OnUnitEnd(UnitEndScope scope)
    {
        // Macro expansions are met at the top of the unit, not inside the function walk: attribute them by line.
        foreach (var index in _macroCalls)
        {
            var call = _calls[index];
            if (scope.FunctionAt(call.File, call.Line) is { } function)
            {
                _calls[index] = call with { Function = function };
            }
        }
    }

    public IUnitFacts? Complete() =>
        _calls.Count == 0 && _classFacts.Count == 0 && _metaClasses.Count == 0
            ? null
            : new DriverApiFacts(_calls.ToImmutableArray(), _classFacts.Values.ToImmutableArray(), _metaClasses.ToImmutableArray());
}
