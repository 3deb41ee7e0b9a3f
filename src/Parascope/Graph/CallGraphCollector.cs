using System.Collections.Immutable;
using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Detectors;
using Parascope.Parsing;

namespace Parascope.Graph;

/// <summary>A call from one function to another, by name ("function" or "Class::method").</summary>
public readonly record struct CallEdge(string Caller, string Callee);

/// <summary>The calls one unit makes from function bodies under the root.</summary>
public sealed record CallFacts(ImmutableArray<CallEdge> Calls) : IUnitFacts;

/// <summary>Feeds the call graph from the shared walk: one edge per distinct caller→callee pair of a unit.</summary>
public sealed class CallGraphSource : ICollectorSource
{
    public IUnitCollector CreateCollector(UnitScope scope) => new Collector();

    private sealed class Collector : IUnitCollector
    {
        private readonly HashSet<CallEdge> _calls = new();

        public void OnCursor(Cursor cursor, AstScope scope)
        {
            if (cursor.Kind != CXCursorKind.CXCursor_CallExpr || scope.Function is not { } caller)
            {
                return;
            }
            var callee = cursor.Referenced;
            if (callee.IsNull || callee.Kind is not (CXCursorKind.CXCursor_FunctionDecl or CXCursorKind.CXCursor_CXXMethod
                    or CXCursorKind.CXCursor_Constructor or CXCursorKind.CXCursor_Destructor or CXCursorKind.CXCursor_FunctionTemplate))
            {
                return;
            }
            _calls.Add(new CallEdge(caller, AstWalker.QualifiedName(callee)));
        }

        public IUnitFacts? Complete() => _calls.Count == 0 ? null : new CallFacts(_calls.ToImmutableArray());
    }
}
