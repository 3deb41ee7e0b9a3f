using Parascope.Clang.Interop;

namespace Parascope.Clang;

public readonly unsafe struct SourceLocation
{
    internal readonly CXSourceLocation Raw;
    internal SourceLocation(CXSourceLocation raw) => Raw = raw;

    /// <summary>Where the text sits after macro expansion: the invocation site for macro-produced code.</summary>
    public SourcePosition Expansion
    {
        get
        {
            CXFile file; uint line, column, offset;
            clang.clang_getExpansionLocation(Raw, &file, &line, &column, &offset);
            return new SourcePosition(new ClangFile(file), (int)line, (int)column, (int)offset);
        }
    }

    /// <summary>
    /// libclang's "spelling" location. For text from a macro argument this is where the argument is written;
    /// for text from a macro body libclang still answers with the invocation site (its getFileLoc).
    /// </summary>
    public SourcePosition Spelling
    {
        get
        {
            CXFile file; uint line, column, offset;
            clang.clang_getSpellingLocation(Raw, &file, &line, &column, &offset);
            return new SourcePosition(new ClangFile(file), (int)line, (int)column, (int)offset);
        }
    }

    public bool IsInSystemHeader => clang.clang_Location_isInSystemHeader(Raw) != 0;
    public bool IsFromMainFile => clang.clang_Location_isFromMainFile(Raw) != 0;
}

public readonly struct SourceRange
{
    internal readonly CXSourceRange Raw;
    internal SourceRange(CXSourceRange raw) => Raw = raw;

    public SourceLocation Start => new(clang.clang_getRangeStart(Raw));
    public SourceLocation End => new(clang.clang_getRangeEnd(Raw));
}
