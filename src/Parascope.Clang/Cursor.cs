using System.Runtime.InteropServices;
using Parascope.Clang.Interop;

namespace Parascope.Clang;

public enum ChildVisit
{
    Break = CXChildVisitResult.CXChildVisit_Break,
    Continue = CXChildVisitResult.CXChildVisit_Continue,
    Recurse = CXChildVisitResult.CXChildVisit_Recurse,
}

/// <summary>Called for each child during <see cref="Cursor.VisitChildren"/>; one instance serves a whole walk.</summary>
public interface ICursorVisitor
{
    ChildVisit Visit(Cursor cursor, Cursor parent);
}

/// <summary>A node of the AST (or a preprocessing entity). A value: copying it is free, it owns nothing.</summary>
public readonly unsafe struct Cursor : IEquatable<Cursor>
{
    internal readonly CXCursor Raw;
    internal Cursor(CXCursor raw) => Raw = raw;

    /// <summary>libclang's null cursor (a zeroed struct is not one: its kind is not CXCursor_InvalidFile).</summary>
    public static Cursor Null => new(clang.clang_getNullCursor());

    /// <summary>
    /// The cursor's kind, as this binding numbers it whatever the libclang: one before 15 numbers a translation unit's
    /// cursor 300, which 15 moved to 350 to make room for statements (a global's semantic parent compared with
    /// <see cref="CXCursorKind.CXCursor_TranslationUnit"/> never matched under Debian's libclang 14).
    /// </summary>
    public CXCursorKind Kind => Raw.kind == _olderTranslationUnitKind ? CXCursorKind.CXCursor_TranslationUnit : Raw.kind;

    /// <summary>The loaded libclang's number for a translation unit's cursor when it is not this binding's; none (-1) otherwise.</summary>
    private static CXCursorKind _olderTranslationUnitKind = (CXCursorKind)(-1);

    /// <summary>Learns the loaded libclang's number for a translation unit's cursor from ROOT, one (<see cref="TranslationUnit"/> does).</summary>
    internal static void LearnTranslationUnitKind(CXCursor root)
    {
        if (root.kind != CXCursorKind.CXCursor_TranslationUnit && root.kind != _olderTranslationUnitKind)
        {
            _olderTranslationUnitKind = root.kind;
        }
    }
    public bool IsNull => clang.clang_Cursor_isNull(Raw) != 0;
    public bool IsInvalid => Raw.kind is >= CXCursorKind.CXCursor_FirstInvalid and <= CXCursorKind.CXCursor_InvalidCode;
    public string Spelling => ClangString.Take(clang.clang_getCursorSpelling(Raw));
    public string DisplayName => ClangString.Take(clang.clang_getCursorDisplayName(Raw));
    public string Usr => ClangString.Take(clang.clang_getCursorUSR(Raw));
    public Cursor SemanticParent => new(clang.clang_getCursorSemanticParent(Raw));
    public Cursor LexicalParent => new(clang.clang_getCursorLexicalParent(Raw));
    public Cursor Referenced => new(clang.clang_getCursorReferenced(Raw));
    public Cursor Definition => new(clang.clang_getCursorDefinition(Raw));
    public Cursor Canonical => new(clang.clang_getCanonicalCursor(Raw));
    public bool IsDefinition => clang.clang_isCursorDefinition(Raw) != 0;
    public SourceLocation Location => new(clang.clang_getCursorLocation(Raw));
    public SourceRange Extent => new(clang.clang_getCursorExtent(Raw));
    public ClangType Type => new(clang.clang_getCursorType(Raw));
    public ClangType ResultType => new(clang.clang_getCursorResultType(Raw));
    public ClangType TypedefUnderlyingType => new(clang.clang_getTypedefDeclUnderlyingType(Raw));
    public int ArgumentCount => clang.clang_Cursor_getNumArguments(Raw);
    public Cursor Argument(int index) => new(clang.clang_Cursor_getArgument(Raw, (uint)index));
    public bool IsVirtualMethod => clang.clang_CXXMethod_isVirtual(Raw) != 0;
    public bool IsStaticMethod => clang.clang_CXXMethod_isStatic(Raw) != 0;
    /// <summary>For a member call: true when the call dispatches through the vtable.</summary>
    public bool IsDynamicCall => clang.clang_Cursor_isDynamicCall(Raw) != 0;
    public bool IsMacroFunctionLike => clang.clang_Cursor_isMacroFunctionLike(Raw) != 0;
    public bool IsVirtualBase => clang.clang_isVirtualBase(Raw) != 0;
    public uint Hash => clang.clang_hashCursor(Raw);
    /// <summary>Internal linkage: a `static` function (or one in an anonymous namespace), private to its file.</summary>
    public bool HasInternalLinkage => clang.clang_getCursorLinkage(Raw) == CXLinkageKind.CXLinkage_Internal;
    /// <summary>
    /// For a binary operator: true for a plain assignment (`=`), not a comparison or a compound assignment.
    /// clang_getCursorBinaryOperatorKind is libclang 17's; an older one (Debian's 14, which PARASCOPE_LIBCLANG may
    /// name) has no such export, and calling it would end the scan, so there the operator is read from the token
    /// written between the two operands.
    /// </summary>
    public bool IsAssignment => LibclangLoader.HasBinaryOperatorKind
        ? clang.clang_getCursorBinaryOperatorKind(Raw) == CXBinaryOperatorKind.CXBinaryOperator_Assign
        : IsAssignmentByToken();

    /// <summary>For a binary or compound-assignment operator: true for `/`, `%`, `/=` and `%=` (read as <see cref="IsAssignment"/> is).</summary>
    public bool IsDivision => LibclangLoader.HasBinaryOperatorKind
        ? clang.clang_getCursorBinaryOperatorKind(Raw) is CXBinaryOperatorKind.CXBinaryOperator_Div or CXBinaryOperatorKind.CXBinaryOperator_Rem
            or CXBinaryOperatorKind.CXBinaryOperator_DivAssign or CXBinaryOperatorKind.CXBinaryOperator_RemAssign
        : OperatorByToken() is "/" or "%" or "/=" or "%=";

    /// <summary>
    /// The older libclangs' way to <see cref="IsAssignment"/>: the first punctuation token between the end of the left
    /// operand and the start of the right one is the operator. An operator written inside a macro's body has no such
    /// token in the file (both operands' extents are the macro's use), so it is not taken for an assignment.
    /// </summary>
    public bool IsAssignmentByToken() => OperatorByToken() == "=";

    /// <summary>The operator of a binary operator as written between its operands (see <see cref="IsAssignmentByToken"/>), or null.</summary>
    private string? OperatorByToken()
    {
        var operands = Children();
        if (operands.Count != 2)
        {
            return null;
        }
        var unit = clang.clang_Cursor_getTranslationUnit(Raw);
        var between = clang.clang_getRange(clang.clang_getRangeEnd(operands[0].Extent.Raw), clang.clang_getRangeStart(operands[1].Extent.Raw));
        CXToken* tokens;
        uint count;
        clang.clang_tokenize(unit, between, &tokens, &count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (clang.clang_getTokenKind(tokens[i]) == CXTokenKind.CXToken_Punctuation)
                {
                    return ClangString.Take(clang.clang_getTokenSpelling(unit, tokens[i]));
                }
            }
            return null;
        }
        finally
        {
            if (tokens != null)
            {
                clang.clang_disposeTokens(unit, tokens, count);
            }
        }
    }

    /// <summary>The methods a C++ method directly overrides (one per base that declares it); empty for others.</summary>
    public Cursor[] OverriddenMethods()
    {
        CXCursor* overridden = null;
        uint count = 0;
        clang.clang_getOverriddenCursors(Raw, &overridden, &count);
        if (overridden == null)
        {
            return [];
        }
        try
        {
            var result = new Cursor[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = new Cursor(overridden[i]);
            }
            return result;
        }
        finally
        {
            clang.clang_disposeOverriddenCursors(overridden);
        }
    }

    /// <summary>Constant-folds the expression to a string, when it is one (a literal, a macro, a const array).</summary>
    public string? EvaluateString()
    {
        var result = clang.clang_Cursor_Evaluate(Raw);
        if (result.Handle == null)
        {
            return null;
        }
        try
        {
            var kind = clang.clang_EvalResult_getKind(result);
            if (kind != CXEvalResultKind.CXEval_StrLiteral)
            {
                return null;
            }
            var chars = clang.clang_EvalResult_getAsStr(result);
            return chars == null ? null : Marshal.PtrToStringUTF8((nint)chars);
        }
        finally
        {
            clang.clang_EvalResult_dispose(result);
        }
    }

    /// <summary>Constant-folds the expression to an integer, when it is one.</summary>
    public long? EvaluateInteger()
    {
        var result = clang.clang_Cursor_Evaluate(Raw);
        if (result.Handle == null)
        {
            return null;
        }
        try
        {
            return clang.clang_EvalResult_getKind(result) == CXEvalResultKind.CXEval_Int
                ? clang.clang_EvalResult_getAsLongLong(result)
                : null;
        }
        finally
        {
            clang.clang_EvalResult_dispose(result);
        }
    }

    /// <summary>
    /// Visits the direct children. The visitor decides per child whether to recurse; one GC handle is
    /// taken for the whole call, none per node.
    /// </summary>
    public void VisitChildren(ICursorVisitor visitor)
    {
        var handle = GCHandle.Alloc(new VisitState(visitor));
        try
        {
            clang.clang_visitChildren(Raw, &VisitThunk, (void*)GCHandle.ToIntPtr(handle));
            var state = (VisitState)handle.Target!;
            if (state.Failure is not null)
            {
                throw new InvalidOperationException("cursor visitor failed", state.Failure);
            }
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>The direct children as a list (convenient for small subtrees such as a call's arguments).</summary>
    public List<Cursor> Children()
    {
        var collector = new ChildCollector();
        VisitChildren(collector);
        return collector.Children;
    }

    private sealed class VisitState(ICursorVisitor visitor)
    {
        public readonly ICursorVisitor Visitor = visitor;
        public Exception? Failure;
    }

    private sealed class ChildCollector : ICursorVisitor
    {
        public readonly List<Cursor> Children = new();
        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            Children.Add(cursor);
            return ChildVisit.Continue;
        }
    }

    [UnmanagedCallersOnly]
    private static CXChildVisitResult VisitThunk(CXCursor cursor, CXCursor parent, void* data)
    {
        var state = (VisitState)GCHandle.FromIntPtr((nint)data).Target!;
        try
        {
            return (CXChildVisitResult)state.Visitor.Visit(new Cursor(cursor), new Cursor(parent));
        }
        catch (Exception exception)
        {
            // An exception must not unwind through libclang's frames: stop the walk and rethrow after it.
            state.Failure = exception;
            return CXChildVisitResult.CXChildVisit_Break;
        }
    }

    public bool Equals(Cursor other) => clang.clang_equalCursors(Raw, other.Raw) != 0;
    public override bool Equals(object? obj) => obj is Cursor other && Equals(other);
    public override int GetHashCode() => (int)Hash;
}
