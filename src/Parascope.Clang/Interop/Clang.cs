using System.Runtime.InteropServices;

namespace Parascope.Clang.Interop;

// Raw entry points of libclang, named exactly as in clang-c/Index.h. The library name "libclang" is
// resolved at run time by LibclangLoader (PARASCOPE_LIBCLANG, then libclang.so, libclang-N.so.1…).
#pragma warning disable CS8981 // named as ClangSharp.Interop names it
public static unsafe partial class clang
{
    public const string LibraryName = "libclang";

    [DllImport(LibraryName)] public static extern CXIndex clang_createIndex(int excludeDeclarationsFromPCH, int displayDiagnostics);
    [DllImport(LibraryName)] public static extern void clang_disposeIndex(CXIndex index);
    [DllImport(LibraryName)] public static extern CXString clang_getClangVersion();

    [DllImport(LibraryName)]
    public static extern CXErrorCode clang_parseTranslationUnit2(CXIndex CIdx, sbyte* source_filename, sbyte** command_line_args,
        int num_command_line_args, CXUnsavedFile* unsaved_files, uint num_unsaved_files, uint options, CXTranslationUnit* out_TU);

    [DllImport(LibraryName)] public static extern void clang_disposeTranslationUnit(CXTranslationUnit tu);
    [DllImport(LibraryName)] public static extern CXCursor clang_getTranslationUnitCursor(CXTranslationUnit tu);
    [DllImport(LibraryName)] public static extern CXFile clang_getFile(CXTranslationUnit tu, sbyte* file_name);

    [DllImport(LibraryName)] public static extern sbyte* clang_getCString(CXString str);
    [DllImport(LibraryName)] public static extern void clang_disposeString(CXString str);

    // Diagnostics
    [DllImport(LibraryName)] public static extern uint clang_getNumDiagnostics(CXTranslationUnit tu);
    [DllImport(LibraryName)] public static extern CXDiagnostic clang_getDiagnostic(CXTranslationUnit tu, uint index);
    [DllImport(LibraryName)] public static extern void clang_disposeDiagnostic(CXDiagnostic diagnostic);
    [DllImport(LibraryName)] public static extern CXDiagnosticSeverity clang_getDiagnosticSeverity(CXDiagnostic diagnostic);
    [DllImport(LibraryName)] public static extern CXString clang_getDiagnosticSpelling(CXDiagnostic diagnostic);
    [DllImport(LibraryName)] public static extern CXSourceLocation clang_getDiagnosticLocation(CXDiagnostic diagnostic);

    // Cursors
    [DllImport(LibraryName)] public static extern uint clang_visitChildren(CXCursor parent, delegate* unmanaged<CXCursor, CXCursor, void*, CXChildVisitResult> visitor, void* client_data);
    [DllImport(LibraryName)] public static extern CXCursorKind clang_getCursorKind(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXString clang_getCursorSpelling(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXString clang_getCursorDisplayName(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXString clang_getCursorUSR(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXString clang_getCursorKindSpelling(CXCursorKind kind);
    [DllImport(LibraryName)] public static extern CXCursor clang_getCursorSemanticParent(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXCursor clang_getCursorLexicalParent(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXCursor clang_getCursorReferenced(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXCursor clang_getCursorDefinition(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXCursor clang_getCanonicalCursor(CXCursor cursor);
    [DllImport(LibraryName)] public static extern uint clang_isCursorDefinition(CXCursor cursor);
    [DllImport(LibraryName)] public static extern uint clang_equalCursors(CXCursor a, CXCursor b);
    [DllImport(LibraryName)] public static extern uint clang_hashCursor(CXCursor cursor);
    [DllImport(LibraryName)] public static extern int clang_Cursor_isNull(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXCursor clang_getNullCursor();
    [DllImport(LibraryName)] public static extern CXSourceLocation clang_getCursorLocation(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXSourceRange clang_getCursorExtent(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXType clang_getCursorType(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXType clang_getCursorResultType(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXType clang_getTypedefDeclUnderlyingType(CXCursor cursor);
    [DllImport(LibraryName)] public static extern int clang_Cursor_getNumArguments(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXCursor clang_Cursor_getArgument(CXCursor cursor, uint i);
    [DllImport(LibraryName)] public static extern uint clang_CXXMethod_isVirtual(CXCursor cursor);
    [DllImport(LibraryName)] public static extern uint clang_CXXMethod_isStatic(CXCursor cursor);
    [DllImport(LibraryName)] public static extern int clang_Cursor_isDynamicCall(CXCursor cursor);
    [DllImport(LibraryName)] public static extern int clang_Cursor_isMacroFunctionLike(CXCursor cursor);
    [DllImport(LibraryName)] public static extern int clang_Cursor_isMacroBuiltin(CXCursor cursor);
    [DllImport(LibraryName)] public static extern int clang_Cursor_isFunctionInlined(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXString clang_Cursor_getRawCommentText(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXLinkageKind clang_getCursorLinkage(CXCursor cursor);
    [DllImport(LibraryName)] public static extern void clang_getOverriddenCursors(CXCursor cursor, CXCursor** overridden, uint* num_overridden);
    [DllImport(LibraryName)] public static extern void clang_disposeOverriddenCursors(CXCursor* overridden);
    [DllImport(LibraryName)] public static extern CXBinaryOperatorKind clang_getCursorBinaryOperatorKind(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXTranslationUnit clang_Cursor_getTranslationUnit(CXCursor cursor);

    // Evaluation (constant folding of string and integer expressions)
    [DllImport(LibraryName)] public static extern CXEvalResult clang_Cursor_Evaluate(CXCursor cursor);
    [DllImport(LibraryName)] public static extern CXEvalResultKind clang_EvalResult_getKind(CXEvalResult result);
    [DllImport(LibraryName)] public static extern long clang_EvalResult_getAsLongLong(CXEvalResult result);
    [DllImport(LibraryName)] public static extern sbyte* clang_EvalResult_getAsStr(CXEvalResult result);
    [DllImport(LibraryName)] public static extern void clang_EvalResult_dispose(CXEvalResult result);

    // Types
    [DllImport(LibraryName)] public static extern CXType clang_getCanonicalType(CXType type);
    [DllImport(LibraryName)] public static extern CXType clang_getPointeeType(CXType type);
    [DllImport(LibraryName)] public static extern CXType clang_getElementType(CXType type);
    [DllImport(LibraryName)] public static extern CXType clang_getArrayElementType(CXType type);
    [DllImport(LibraryName)] public static extern CXType clang_Type_getNamedType(CXType type);
    [DllImport(LibraryName)] public static extern CXType clang_Type_getModifiedType(CXType type);
    [DllImport(LibraryName)] public static extern CXType clang_Type_getValueType(CXType CT);
    [DllImport(LibraryName)] public static extern CXCursor clang_getTypeDeclaration(CXType type);
    [DllImport(LibraryName)] public static extern CXString clang_getTypeSpelling(CXType type);
    [DllImport(LibraryName)] public static extern CXString clang_getTypedefName(CXType type);
    [DllImport(LibraryName)] public static extern CXString clang_getTypeKindSpelling(CXTypeKind kind);
    [DllImport(LibraryName)] public static extern uint clang_isConstQualifiedType(CXType type);
    [DllImport(LibraryName)] public static extern long clang_Type_getSizeOf(CXType type);

    // Locations
    [DllImport(LibraryName)] public static extern void clang_getExpansionLocation(CXSourceLocation location, CXFile* file, uint* line, uint* column, uint* offset);
    [DllImport(LibraryName)] public static extern void clang_getSpellingLocation(CXSourceLocation location, CXFile* file, uint* line, uint* column, uint* offset);
    [DllImport(LibraryName)] public static extern void clang_getFileLocation(CXSourceLocation location, CXFile* file, uint* line, uint* column, uint* offset);
    [DllImport(LibraryName)] public static extern int clang_Location_isInSystemHeader(CXSourceLocation location);
    [DllImport(LibraryName)] public static extern int clang_Location_isFromMainFile(CXSourceLocation location);
    [DllImport(LibraryName)] public static extern CXSourceLocation clang_getRangeStart(CXSourceRange range);
    [DllImport(LibraryName)] public static extern CXSourceLocation clang_getRangeEnd(CXSourceRange range);
    [DllImport(LibraryName)] public static extern CXSourceLocation clang_getLocation(CXTranslationUnit tu, CXFile file, uint line, uint column);
    [DllImport(LibraryName)] public static extern CXCursor clang_getCursor(CXTranslationUnit tu, CXSourceLocation location);
    [DllImport(LibraryName)] public static extern CXSourceRange clang_getRange(CXSourceLocation begin, CXSourceLocation end);
    [DllImport(LibraryName)] public static extern CXString clang_getFileName(CXFile file);
    [DllImport(LibraryName)] public static extern CXSourceRangeList* clang_getSkippedRanges(CXTranslationUnit tu, CXFile file);
    [DllImport(LibraryName)] public static extern CXSourceRangeList* clang_getAllSkippedRanges(CXTranslationUnit tu);
    [DllImport(LibraryName)] public static extern void clang_disposeSourceRangeList(CXSourceRangeList* ranges);

    // Tokens
    [DllImport(LibraryName)] public static extern void clang_tokenize(CXTranslationUnit tu, CXSourceRange range, CXToken** tokens, uint* numTokens);
    [DllImport(LibraryName)] public static extern void clang_disposeTokens(CXTranslationUnit tu, CXToken* tokens, uint numTokens);
    [DllImport(LibraryName)] public static extern CXTokenKind clang_getTokenKind(CXToken token);
    [DllImport(LibraryName)] public static extern CXString clang_getTokenSpelling(CXTranslationUnit tu, CXToken token);
    [DllImport(LibraryName)] public static extern CXSourceLocation clang_getTokenLocation(CXTranslationUnit tu, CXToken token);
    [DllImport(LibraryName)] public static extern CXSourceRange clang_getTokenExtent(CXTranslationUnit tu, CXToken token);

    // Inclusions
    [DllImport(LibraryName)] public static extern void clang_getInclusions(CXTranslationUnit tu, delegate* unmanaged<CXFile, CXSourceLocation*, uint, void*, void> visitor, void* client_data);

    // C++
    [DllImport(LibraryName)] public static extern CX_CXXAccessSpecifier clang_getCXXAccessSpecifier(CXCursor cursor);
    [DllImport(LibraryName)] public static extern uint clang_isVirtualBase(CXCursor cursor);
}
