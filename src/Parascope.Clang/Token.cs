using Parascope.Clang.Interop;

namespace Parascope.Clang;

public enum TokenKind
{
    Punctuation = CXTokenKind.CXToken_Punctuation,
    Keyword = CXTokenKind.CXToken_Keyword,
    Identifier = CXTokenKind.CXToken_Identifier,
    Literal = CXTokenKind.CXToken_Literal,
    Comment = CXTokenKind.CXToken_Comment,
}

/// <summary>A token copied out of libclang: its kind, text and where it is written.</summary>
public readonly record struct Token(TokenKind Kind, string Text, SourcePosition Position);

/// <summary>A diagnostic copied out of libclang.</summary>
public readonly record struct ParseDiagnostic(DiagnosticLevel Level, string Message, string File, int Line, int Column);

public enum DiagnosticLevel
{
    Ignored = 0,
    Note = 1,
    Warning = 2,
    Error = 3,
    Fatal = 4,
}

/// <summary>A range of lines, 1-based and inclusive, in one file.</summary>
public readonly record struct LineRange(string File, int StartLine, int EndLine)
{
    /// <summary>Whether LINE (1-based) lies in the range, both ends included.</summary>
    public bool Contains(int line) => line >= StartLine && line <= EndLine;
}
