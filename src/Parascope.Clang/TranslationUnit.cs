using System.Runtime.InteropServices;
using System.Text;
using Parascope.Clang.Interop;

namespace Parascope.Clang;

/// <summary>One parsed source file with everything it includes. Dispose it as soon as its facts are read.</summary>
public sealed unsafe class TranslationUnit : IDisposable
{
    internal CXTranslationUnit Handle { get; private set; }

    private TranslationUnit(CXTranslationUnit handle)
    {
        Handle = handle;
        Parascope.Clang.Cursor.LearnTranslationUnitKind(clang.clang_getTranslationUnitCursor(handle));
    }

    /// <summary>
    /// The flags the analyzer always wants: keep going past errors (a kernel unit with one bad include still
    /// has most of its AST) and keep macro definitions and expansions as cursors.
    /// </summary>
    public const CXTranslationUnit_Flags DefaultFlags =
        CXTranslationUnit_Flags.CXTranslationUnit_KeepGoing | CXTranslationUnit_Flags.CXTranslationUnit_DetailedPreprocessingRecord;

    /// <summary>
    /// Parses <paramref name="path"/> with <paramref name="arguments"/> (compiler flags, without the file), reading
    /// <paramref name="unsaved"/> files from memory instead of disk.
    /// </summary>
    public static TranslationUnit? TryParse(ClangIndex index, string path, IReadOnlyList<string> arguments,
        out CXErrorCode error, CXTranslationUnit_Flags flags = DefaultFlags, UnsavedFiles? unsaved = null)
    {
        var pathBytes = Utf8(path);
        var argumentBytes = new byte[arguments.Count][];
        for (var i = 0; i < arguments.Count; i++)
        {
            argumentBytes[i] = Utf8(arguments[i]);
        }
        var pins = new GCHandle[argumentBytes.Length];
        try
        {
            var argv = stackalloc sbyte*[Math.Max(1, argumentBytes.Length)];
            for (var i = 0; i < argumentBytes.Length; i++)
            {
                pins[i] = GCHandle.Alloc(argumentBytes[i], GCHandleType.Pinned);
                argv[i] = (sbyte*)pins[i].AddrOfPinnedObject();
            }
            CXTranslationUnit unit;
            fixed (byte* pathPointer = pathBytes)
            {
                error = clang.clang_parseTranslationUnit2(index.Handle, (sbyte*)pathPointer, argv, argumentBytes.Length,
                    unsaved is { Count: > 0 } ? unsaved.Pointer : null, (uint)(unsaved?.Count ?? 0), (uint)flags, &unit);
            }
            return error == CXErrorCode.CXError_Success && unit.Handle != 0 ? new TranslationUnit(unit) : null;
        }
        finally
        {
            foreach (var pin in pins)
            {
                if (pin.IsAllocated)
                {
                    pin.Free();
                }
            }
        }
    }

    private static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    public Cursor Cursor => new(clang.clang_getTranslationUnitCursor(Handle));

    /// <summary>All diagnostics, copied out (locations as expansion positions).</summary>
    public List<ParseDiagnostic> Diagnostics()
    {
        var count = clang.clang_getNumDiagnostics(Handle);
        var result = new List<ParseDiagnostic>((int)count);
        for (uint i = 0; i < count; i++)
        {
            var diagnostic = clang.clang_getDiagnostic(Handle, i);
            try
            {
                var level = (DiagnosticLevel)clang.clang_getDiagnosticSeverity(diagnostic);
                var message = ClangString.Take(clang.clang_getDiagnosticSpelling(diagnostic));
                var position = new SourceLocation(clang.clang_getDiagnosticLocation(diagnostic)).Expansion;
                result.Add(new ParseDiagnostic(level, message, position.File.Name, position.Line, position.Column));
            }
            finally
            {
                clang.clang_disposeDiagnostic(diagnostic);
            }
        }
        return result;
    }

    /// <summary>Preprocessor ranges skipped (#if branches not taken) in every file of the unit.</summary>
    public List<LineRange> SkippedRanges()
    {
        var result = new List<LineRange>();
        var list = clang.clang_getAllSkippedRanges(Handle);
        if (list == null)
        {
            return result;
        }
        try
        {
            var names = new Dictionary<ClangFile, string>();
            for (var i = 0; i < list->count; i++)
            {
                var range = new SourceRange(list->ranges[i]);
                var start = range.Start.Expansion;
                var end = range.End.Expansion;
                if (start.File.IsNull)
                {
                    continue;
                }
                if (!names.TryGetValue(start.File, out var name))
                {
                    name = start.File.Name;
                    names[start.File] = name;
                }
                result.Add(new LineRange(name, start.Line, end.Line));
            }
        }
        finally
        {
            clang.clang_disposeSourceRangeList(list);
        }
        return result;
    }

    /// <summary>The tokens written in <paramref name="range"/> (comments excluded by libclang).</summary>
    public List<Token> Tokenize(SourceRange range)
    {
        CXToken* tokens;
        uint count;
        clang.clang_tokenize(Handle, range.Raw, &tokens, &count);
        var result = new List<Token>((int)count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var token = tokens[i];
                var text = ClangString.Take(clang.clang_getTokenSpelling(Handle, token));
                var position = new SourceLocation(clang.clang_getTokenLocation(Handle, token)).Spelling;
                result.Add(new Token((TokenKind)clang.clang_getTokenKind(token), text, position));
            }
        }
        finally
        {
            if (tokens != null)
            {
                clang.clang_disposeTokens(Handle, tokens, count);
            }
        }
        return result;
    }

    /// <summary>
    /// The most specific cursor at <paramref name="position"/> (clang_getCursor): for an identifier a macro expanded there,
    /// the macro expansion, whose referenced cursor is the macro's definition.
    /// </summary>
    public Cursor CursorAt(SourcePosition position) =>
        new(clang.clang_getCursor(Handle, clang.clang_getLocation(Handle, position.File.Handle, (uint)position.Line, (uint)position.Column)));

    /// <summary>The names of every file the unit read, the main file first.</summary>
    public List<string> IncludedFiles()
    {
        var names = new List<string>();
        var handle = GCHandle.Alloc(names);
        try
        {
            clang.clang_getInclusions(Handle, &InclusionThunk, (void*)GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
        return names;
    }

    [UnmanagedCallersOnly]
    private static void InclusionThunk(CXFile file, CXSourceLocation* stack, uint depth, void* data)
    {
        var names = (List<string>)GCHandle.FromIntPtr((nint)data).Target!;
        names.Add(new ClangFile(file).Name);
    }

    public void Dispose()
    {
        if (Handle.Handle != 0)
        {
            clang.clang_disposeTranslationUnit(Handle);
            Handle = default;
        }
    }
}
