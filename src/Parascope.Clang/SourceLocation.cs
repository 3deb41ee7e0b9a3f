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
    /// The file location (clang's getFileLoc): for text from a macro argument, where the argument is written; for
    /// text from a macro body, the invocation site. Up to LLVM 18 clang_getSpellingLocation answered exactly this
    /// (its "FIXME: This should call SourceManager::getSpellingLoc()"); from LLVM 19 on (llvm-project PR #72400) it
    /// answers the position inside the #define, which broke MacroSites' test for macro-body text (docs/libclang.md).
    /// clang_getFileLocation answers the same on every version, so the findings do not depend on the libclang.
    /// </summary>
    public SourcePosition Spelling
    {
        get
        {
            CXFile file; uint line, column, offset;
            clang.clang_getFileLocation(Raw, &file, &line, &column, &offset);
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
