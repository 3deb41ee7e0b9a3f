using System.Runtime.InteropServices;

namespace Parascope.Clang.Interop;

// Literal mirrors of clang-c/Index.h (stable since clang 3.x; the layouts below are unchanged through 21).
// Kept boring on purpose: a later switch to ClangSharp.Interop replaces this folder.

[StructLayout(LayoutKind.Sequential)]
public readonly struct CXIndex { public readonly nint Handle; public CXIndex(nint h) => Handle = h; }

[StructLayout(LayoutKind.Sequential)]
public readonly struct CXTranslationUnit { public readonly nint Handle; public CXTranslationUnit(nint h) => Handle = h; }

[StructLayout(LayoutKind.Sequential)]
public readonly struct CXFile { public readonly nint Handle; public CXFile(nint h) => Handle = h; }

[StructLayout(LayoutKind.Sequential)]
public readonly struct CXDiagnostic { public readonly nint Handle; public CXDiagnostic(nint h) => Handle = h; }

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXString
{
    public void* data;
    public uint private_flags;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXCursor
{
    public CXCursorKind kind;
    public int xdata;
    public void* data0;
    public void* data1;
    public void* data2;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXType
{
    public CXTypeKind kind;
    public void* data0;
    public void* data1;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXSourceLocation
{
    public void* ptr_data0;
    public void* ptr_data1;
    public uint int_data;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXSourceRange
{
    public void* ptr_data0;
    public void* ptr_data1;
    public uint begin_int_data;
    public uint end_int_data;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXSourceRangeList
{
    public uint count;
    public CXSourceRange* ranges;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXToken
{
    public uint int_data0;
    public uint int_data1;
    public uint int_data2;
    public uint int_data3;
    public void* ptr_data;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXUnsavedFile
{
    public sbyte* Filename;
    public sbyte* Contents;
    public nuint Length;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct CXEvalResult { public void* Handle; }

public enum CXErrorCode
{
    CXError_Success = 0,
    CXError_Failure = 1,
    CXError_Crashed = 2,
    CXError_InvalidArguments = 3,
    CXError_ASTReadError = 4,
}

[Flags]
public enum CXTranslationUnit_Flags : uint
{
    CXTranslationUnit_None = 0x0,
    CXTranslationUnit_DetailedPreprocessingRecord = 0x01,
    CXTranslationUnit_Incomplete = 0x02,
    CXTranslationUnit_PrecompiledPreamble = 0x04,
    CXTranslationUnit_CacheCompletionResults = 0x08,
    CXTranslationUnit_ForSerialization = 0x10,
    CXTranslationUnit_SkipFunctionBodies = 0x40,
    CXTranslationUnit_IncludeBriefCommentsInCodeCompletion = 0x80,
    CXTranslationUnit_CreatePreambleOnFirstParse = 0x100,
    CXTranslationUnit_KeepGoing = 0x200,
    CXTranslationUnit_SingleFileParse = 0x400,
    CXTranslationUnit_LimitSkipFunctionBodiesToPreamble = 0x800,
    CXTranslationUnit_IncludeAttributedTypes = 0x1000,
    CXTranslationUnit_VisitImplicitAttributes = 0x2000,
    CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles = 0x4000,
}

public enum CXChildVisitResult
{
    CXChildVisit_Break = 0,
    CXChildVisit_Continue = 1,
    CXChildVisit_Recurse = 2,
}

public enum CXDiagnosticSeverity
{
    CXDiagnostic_Ignored = 0,
    CXDiagnostic_Note = 1,
    CXDiagnostic_Warning = 2,
    CXDiagnostic_Error = 3,
    CXDiagnostic_Fatal = 4,
}

public enum CXTokenKind
{
    CXToken_Punctuation = 0,
    CXToken_Keyword = 1,
    CXToken_Identifier = 2,
    CXToken_Literal = 3,
    CXToken_Comment = 4,
}

public enum CX_CXXAccessSpecifier
{
    CX_CXXInvalidAccessSpecifier,
    CX_CXXPublic,
    CX_CXXProtected,
    CX_CXXPrivate,
}

public enum CXEvalResultKind
{
    CXEval_Int = 1,
    CXEval_Float = 2,
    CXEval_ObjCStrLiteral = 3,
    CXEval_StrLiteral = 4,
    CXEval_CFStr = 5,
    CXEval_Other = 6,
    CXEval_UnExposed = 0,
}

public enum CXLinkageKind
{
    CXLinkage_Invalid,
    CXLinkage_NoLinkage,
    CXLinkage_Internal,
    CXLinkage_UniqueExternal,
    CXLinkage_External,
}

// The subset of CXBinaryOperatorKind values the analyzer names; the numbers are those of clang-c/Index.h (libclang 17+).
public enum CXBinaryOperatorKind
{
    CXBinaryOperator_Invalid = 0,
    CXBinaryOperator_Div = 4,
    CXBinaryOperator_Rem = 5,
    CXBinaryOperator_Assign = 22,
    CXBinaryOperator_DivAssign = 24,
    CXBinaryOperator_RemAssign = 25,
}
