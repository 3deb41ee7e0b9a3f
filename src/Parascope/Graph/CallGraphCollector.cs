using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Detectors;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Graph;

/// <summary>A call from one function to another, by graph node ("function", "Class::method", "static@file").</summary>
public readonly record struct CallEdge(string Caller, string Callee, CallKind Kind = CallKind.Direct);

/// <summary>
/// The calls one unit makes, and what it tells about calls through pointers: functions stored into a slot (a
/// function-pointer field "struct.field", a function-pointer variable or array "var:name", a virtual method's
/// overriders, slot "Class::method") and the functions calling through a slot. The graph joins the two over the
/// whole tree (a store and the call through it are usually in different files).
/// </summary>
public sealed record CallFacts(ImmutableArray<CallEdge> Calls) : IUnitFacts
{
    /// <summary>
    /// The calls made in the header bodies this unit walked, by body (not in <see cref="Calls"/>): a body's calls may
    /// differ between the units including it, and the graph, and a merge of shards, keep the first unit's in
    /// discovery order (<see cref="FunctionReach"/>).
    /// </summary>
    public ImmutableArray<HeaderBodyCalls> Bodies { get; init; } = [];

    public ImmutableArray<(string Slot, string Function)> SlotStores { get; init; } = [];
    public ImmutableArray<(string Caller, string Slot)> SlotCalls { get; init; } = [];

    /// <summary>The functions an assembly unit defines (C/C++ definitions are the unit's <see cref="ParsedUnit.Functions"/>).</summary>
    public ImmutableArray<FunctionSpan> AssemblyFunctions { get; init; } = [];
}

/// <summary>The calls a header function's body makes, as the unit that walked it saw them.</summary>
public sealed record HeaderBodyCalls(string File, string Function, ImmutableArray<CallEdge> Calls);

/// <summary>
/// Feeds the call graph from the shared walk (C/C++) and from the assembly scan (.s/.S units, see
/// <see cref="AssemblyCalls"/>): one edge per distinct caller→callee pair of a unit.
/// </summary>
public sealed class CallGraphSource : ICollectorSource
{
    public IUnitCollector CreateCollector(UnitScope scope) => new Collector();

    private sealed class Collector : IUnitCollector
    {
        private readonly HashSet<CallEdge> _calls = new();
        private readonly Dictionary<(string File, string Function), HashSet<CallEdge>> _bodyCalls = new();
        private readonly HashSet<(string Slot, string Function)> _stores = new();
        private readonly HashSet<(string Caller, string Slot)> _slotCalls = new();
        private readonly Dictionary<Cursor, Cursor[]> _fields = new();
        private ImmutableArray<FunctionSpan> _assemblyFunctions = [];

        public void OnCursor(Cursor cursor, AstScope scope)
        {
            switch (cursor.Kind)
            {
                case CXCursorKind.CXCursor_CallExpr:
                    OnCall(cursor, scope);
                    break;
                case CXCursorKind.CXCursor_InitListExpr:
                    OnInitList(cursor, scope);
                    break;
                case CXCursorKind.CXCursor_BinaryOperator when HoldsFunctionPointer(cursor.Type) && cursor.IsAssignment:
                    OnAssignment(cursor, scope);
                    break;
                case CXCursorKind.CXCursor_VarDecl when HoldsFunctionPointer(cursor.Type):
                    OnVariable(cursor, scope);
                    break;
                case CXCursorKind.CXCursor_CXXMethod when cursor.IsDefinition && cursor.IsVirtualMethod:
                    // An override is stored into the slot of each method it overrides: a call of the base method
                    // through the vtable may land in it (the graph follows overrides of overrides).
                    var node = AstWalker.QualifiedName(cursor, scope);
                    foreach (var overridden in cursor.OverriddenMethods())
                    {
                        _stores.Add((AstWalker.QualifiedName(overridden, scope), node));
                    }
                    break;
            }
        }

        public void OnAssembly(AssemblyScope assembly)
        {
            (var calls, _assemblyFunctions) = AssemblyCalls.Of(assembly);
            _calls.UnionWith(calls);
        }

        private void OnCall(Cursor call, AstScope scope)
        {
            if (scope.FunctionNode is not { } caller)
            {
                return;
            }
            var callee = call.Referenced;
            if (callee.IsNull)
            {
                // `handlers[i](…)`, `ops->table[i](…)`: clang names no callee; the array's slot is the target.
                if (call.Children() is [var expression, ..] && ArraySlot(expression, scope) is { } arraySlot)
                {
                    _slotCalls.Add((caller, arraySlot));
                }
                return;
            }
            switch (callee.Kind)
            {
                case CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_CXXMethod or CXCursorKind.CXCursor_Constructor
                    or CXCursorKind.CXCursor_Destructor or CXCursorKind.CXCursor_FunctionTemplate:
                    CallsOf(scope).Add(new CallEdge(caller, scope.Unit.Strings.Share(NodeOf(callee, scope))));
                    if (callee.Kind == CXCursorKind.CXCursor_CXXMethod && call.IsDynamicCall)
                    {
                        _slotCalls.Add((caller, AstWalker.QualifiedName(callee, scope)));
                    }
                    break;
                case CXCursorKind.CXCursor_FieldDecl:
                    // `ops->f(x)`: clang names the field as the callee.
                    _slotCalls.Add((caller, FieldSlot(callee)));
                    break;
                case CXCursorKind.CXCursor_VarDecl or CXCursorKind.CXCursor_ParmDecl:
                    _slotCalls.Add((caller, VariableSlot(callee, scope)));
                    break;
            }
        }

        /// <summary>Where a call of the current function goes: the unit's own calls, or those of the header body being walked.</summary>
        private HashSet<CallEdge> CallsOf(AstScope scope)
        {
            if (scope.HeaderFile is not { } header || scope.Function is not { } function)
            {
                return _calls;
            }
            if (!_bodyCalls.TryGetValue((header, function), out var calls))
            {
                calls = new HashSet<CallEdge>();
                _bodyCalls[(header, function)] = calls;
            }
            return calls;
        }

        /// <summary>`{ .f = fn }`, `{ fn, … }` (by field position), `{ fn1, fn2 }` for an array variable (see <see cref="OnVariable"/>).</summary>
        private void OnInitList(Cursor list, AstScope scope)
        {
            var type = list.Type.Canonical;
            if (type.Kind != CXTypeKind.CXType_Record)
            {
                return;
            }
            var fields = FieldsOf(type.Declaration);
            if (fields.Length == 0)
            {
                return;
            }
            var position = 0;
            foreach (var child in list.Children())
            {
                var value = child;
                var field = position < fields.Length ? fields[position] : Cursor.Null;
                if (child.Kind == CXCursorKind.CXCursor_UnexposedExpr && child.Children() is [{ Kind: CXCursorKind.CXCursor_MemberRef } designator, .. var rest])
                {
                    // `.f = fn`: a designated initializer; the positional ones after it continue from its field.
                    field = designator.Referenced;
                    value = rest.Count > 0 ? rest[^1] : Cursor.Null;
                    var index = Array.FindIndex(fields, f => f.Equals(field));
                    position = index < 0 ? fields.Length : index;
                }
                position++;
                if (!field.IsNull && !value.IsNull && FunctionIn(value) is { } function)
                {
                    _stores.Add((FieldSlot(field), NodeOf(function, scope)));
                }
            }
        }

        /// <summary>`x->f = fn`, `fp = fn`.</summary>
        private void OnAssignment(Cursor assignment, AstScope scope)
        {
            if (assignment.Children() is not [var target, var value] || FunctionIn(value) is not { } function)
            {
                return;
            }
            if (SlotOf(target, scope) is { } slot)
            {
                _stores.Add((slot, NodeOf(function, scope)));
            }
        }

        /// <summary>`void (*fp)(void) = fn;` and `handler_t table[] = { fn1, fn2 };`.</summary>
        private void OnVariable(Cursor variable, AstScope scope)
        {
            foreach (var child in variable.Children())
            {
                if (child.Kind == CXCursorKind.CXCursor_InitListExpr)
                {
                    foreach (var element in child.Children())
                    {
                        if (FunctionIn(element) is { } member)
                        {
                            _stores.Add((VariableSlot(variable, scope), NodeOf(member, scope)));
                        }
                    }
                }
                else if (FunctionIn(child) is { } function)
                {
                    _stores.Add((VariableSlot(variable, scope), NodeOf(function, scope)));
                }
            }
        }

        private string? ArraySlot(Cursor expression, AstScope scope)
        {
            while (expression.Kind is CXCursorKind.CXCursor_UnexposedExpr or CXCursorKind.CXCursor_ParenExpr
                   && expression.Children() is [var inner])
            {
                expression = inner;
            }
            return expression.Kind == CXCursorKind.CXCursor_ArraySubscriptExpr ? SlotOf(expression, scope) : null;
        }

        private string? SlotOf(Cursor target, AstScope scope)
        {
            while (target.Kind is CXCursorKind.CXCursor_UnexposedExpr or CXCursorKind.CXCursor_ParenExpr
                   && target.Children() is [var inner])
            {
                target = inner;
            }
            var referenced = target.Referenced;
            return target.Kind switch
            {
                CXCursorKind.CXCursor_MemberRefExpr when referenced.Kind == CXCursorKind.CXCursor_FieldDecl => FieldSlot(referenced),
                CXCursorKind.CXCursor_DeclRefExpr when referenced.Kind is CXCursorKind.CXCursor_VarDecl or CXCursorKind.CXCursor_ParmDecl
                    => VariableSlot(referenced, scope),
                // `table[i] = fn`: the array's slot.
                CXCursorKind.CXCursor_ArraySubscriptExpr when target.Children() is [var array, _] => SlotOf(array, scope),
                _ => null,
            };
        }

        /// <summary>The function an initializer or right-hand side names (`fn`, `&amp;fn`, `(handler_t)fn`), or null.</summary>
        private static Cursor? FunctionIn(Cursor expression)
        {
            for (var depth = 0; depth < 8; depth++)
            {
                switch (expression.Kind)
                {
                    case CXCursorKind.CXCursor_DeclRefExpr:
                        var referenced = expression.Referenced;
                        return referenced.Kind is CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_CXXMethod ? referenced : null;
                    case CXCursorKind.CXCursor_UnexposedExpr or CXCursorKind.CXCursor_ParenExpr or CXCursorKind.CXCursor_CStyleCastExpr
                        or CXCursorKind.CXCursor_UnaryOperator:
                        var children = expression.Children();
                        if (children.Count == 0)
                        {
                            return null;
                        }
                        // A cast's first child may be the type it names; the operand is last.
                        expression = children[^1];
                        break;
                    default:
                        return null;
                }
            }
            return null;
        }

        private Cursor[] FieldsOf(Cursor record)
        {
            if (record.IsNull)
            {
                return [];
            }
            if (!_fields.TryGetValue(record, out var fields))
            {
                fields = [.. record.Children().Where(c => c.Kind == CXCursorKind.CXCursor_FieldDecl)];
                _fields[record] = fields;
            }
            return fields;
        }

        /// <summary>The graph node of a called or stored function (a static's node names its file).</summary>
        private static string NodeOf(Cursor function, AstScope scope)
        {
            var name = AstWalker.QualifiedName(function, scope);
            if (!function.HasInternalLinkage)
            {
                return name;
            }
            var definition = function.Definition;
            var file = scope.RelativePath((definition.IsNull ? function : definition).Location.Expansion.File);
            return file is null ? name : AstWalker.StaticNode(name, file);
        }

        /// <summary>"struct.field"; an unnamed struct's fields are "?.field" (all unnamed structs share them).</summary>
        private static string FieldSlot(Cursor field)
        {
            var record = field.SemanticParent.Spelling;
            if (record.Length == 0 || record.Contains(' ', StringComparison.Ordinal))
            {
                record = "?";
            }
            return record + "." + field.Spelling;
        }

        /// <summary>"var:name" for a global (a static one names its file), "var:function/name" for a local or parameter.</summary>
        private static string VariableSlot(Cursor variable, AstScope scope)
        {
            var name = variable.Spelling;
            var parent = variable.SemanticParent.Kind;
            if (variable.Kind == CXCursorKind.CXCursor_ParmDecl || parent is CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_CXXMethod)
            {
                return "var:" + (scope.FunctionNode ?? "?") + "/" + name;
            }
            if (variable.HasInternalLinkage && scope.RelativePath(variable.Location.Expansion.File) is { } file)
            {
                return "var:" + AstWalker.StaticNode(name, file);
            }
            return "var:" + name;
        }

        /// <summary>A pointer to a function, an array of them, or a pointer to such a pointer.</summary>
        private static bool HoldsFunctionPointer(ClangType type)
        {
            var canonical = type.Canonical;
            for (var depth = 0; depth < 4; depth++)
            {
                switch (canonical.Kind)
                {
                    case CXTypeKind.CXType_Pointer:
                        var pointee = canonical.Pointee.Canonical;
                        if (pointee.Kind is CXTypeKind.CXType_FunctionProto or CXTypeKind.CXType_FunctionNoProto)
                        {
                            return true;
                        }
                        canonical = pointee;
                        break;
                    case CXTypeKind.CXType_ConstantArray or CXTypeKind.CXType_IncompleteArray:
                        canonical = canonical.ArrayElement.Canonical;
                        break;
                    default:
                        return false;
                }
            }
            return false;
        }

        public IUnitFacts? Complete() => _calls.Count == 0 && _bodyCalls.Count == 0 && _stores.Count == 0 && _slotCalls.Count == 0 && _assemblyFunctions.IsEmpty
            ? null
            : new CallFacts([.. _calls])
            {
                Bodies = [.. _bodyCalls.Where(b => b.Value.Count > 0).Select(b => new HeaderBodyCalls(b.Key.File, b.Key.Function, [.. b.Value]))],
                SlotStores = [.. _stores],
                SlotCalls = [.. _slotCalls],
                AssemblyFunctions = _assemblyFunctions,
            };
    }
}
