using Parascope.Clang;
using Parascope.Clang.Interop;
using Parascope.Parsing;

namespace Parascope.Tests.Clang;

public sealed class BindingTests
{
    private static TranslationUnit Parse(string path, params string[] extra)
    {
        Assert.True(LibclangLoader.TryLoad(out var error), error);
        var arguments = new List<string> { "-xc", "-ffreestanding" };
        if (ResourceDirectory.Find() is { } resources)
        {
            arguments.Add("-resource-dir");
            arguments.Add(resources);
        }
        arguments.AddRange(extra);
        var unit = TranslationUnit.TryParse(Index.Value, path, arguments, out var code);
        Assert.True(unit is not null, $"parse failed: {code}");
        return unit!;
    }

    private static readonly Lazy<ClangIndex> Index = new(() => new ClangIndex());

    private sealed class KindRecorder : ICursorVisitor
    {
        public readonly List<(CXCursorKind Kind, string Spelling)> Seen = new();
        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            Seen.Add((cursor.Kind, cursor.Spelling));
            return ChildVisit.Recurse;
        }
    }

    /// <summary>Every cursor of KIND in a walk, in order.</summary>
    private sealed class CursorsOfKind(CXCursorKind kind) : ICursorVisitor
    {
        public readonly List<Cursor> Found = new();
        public ChildVisit Visit(Cursor cursor, Cursor parent)
        {
            if (cursor.Kind == kind)
            {
                Found.Add(cursor);
            }
            return ChildVisit.Recurse;
        }
    }

    [Fact]
    public void A_plain_assignment_is_told_from_other_binary_operators_by_its_token_as_older_libclangs_must()
    {
        using var tree = new TempTree();
        var path = tree.Write("ops.c", """
            int a, b, *p;
            void f(void)
            {
                a = 1;
                b = (a == 2);
                *p = a < b;
                a = b = 3;
                if (a != (b | 1)) {
                    p[a - 1] = a && b;
                }
            }
            """);
        using var unit = Parse(path);
        var visitor = new CursorsOfKind(CXCursorKind.CXCursor_BinaryOperator);
        unit.Cursor.VisitChildren(visitor);

        var byToken = visitor.Found.Select(c => c.IsAssignmentByToken()).ToList();

        // Six assignments (a = b = 3 is two) among twelve binary operators; libclang 17's own operator kind agrees.
        Assert.Equal(12, byToken.Count);
        Assert.Equal(6, byToken.Count(assignment => assignment));
        Assert.Equal(visitor.Found.Select(c => c.IsAssignment), byToken);
    }

    [Fact]
    public void Libclang_loads_and_reports_its_version()
    {
        Assert.True(LibclangLoader.TryLoad(out var error), error);
        Assert.Contains("clang version", LibclangLoader.Version());
    }

    /// <remarks>Under libclang 22, which the suite loads, this holds by itself; CI runs it again under libclang 14 (.ci/run).</remarks>
    [Fact]
    public void A_global_s_semantic_parent_is_the_translation_unit_whatever_number_the_libclang_gives_it()
    {
        using var tree = new TempTree();
        var path = tree.Write("a.c", "int trace_enabled;\nint f(void) { return trace_enabled; }\n");
        using var unit = Parse(path);
        var recorder = new CursorsOfKind(CXCursorKind.CXCursor_DeclRefExpr);
        unit.Cursor.VisitChildren(recorder);

        var global = Assert.Single(recorder.Found).Referenced;
        Assert.Equal(CXCursorKind.CXCursor_TranslationUnit, unit.Cursor.Kind);
        Assert.Equal((CXCursorKind.CXCursor_VarDecl, CXCursorKind.CXCursor_TranslationUnit), (global.Kind, global.SemanticParent.Kind));
    }

    [Fact]
    public void Walking_a_unit_visits_functions_and_asm_statements()
    {
        using var tree = new TempTree();
        var path = tree.Write("a.c", "void f(void) { __asm__ volatile(\"cli\"); }\n");
        using var unit = Parse(path);
        var recorder = new KindRecorder();
        unit.Cursor.VisitChildren(recorder);
        Assert.Contains((CXCursorKind.CXCursor_FunctionDecl, "f"), recorder.Seen);
        Assert.Contains(recorder.Seen, seen => seen.Kind == CXCursorKind.CXCursor_GCCAsmStmt);
    }

    [Fact]
    public void A_typedef_of_a_typedef_keeps_its_chain_and_canonical_type()
    {
        using var tree = new TempTree();
        var path = tree.Write("t.c", "typedef unsigned long long pt_entry_t;\ntypedef pt_entry_t pd_entry_t;\npd_entry_t *slot;\n");
        using var unit = Parse(path);
        var slot = unit.Cursor.Children().Single(c => c.Kind == CXCursorKind.CXCursor_VarDecl);
        var pointee = slot.Type.Pointee;
        Assert.Equal("pd_entry_t", pointee.TypedefName);
        Assert.Equal("pt_entry_t", pointee.Desugared.TypedefName);
        Assert.Equal("unsigned long long", pointee.Canonical.Spelling);
    }

    [Fact]
    public void Skipped_preprocessor_ranges_are_reported_with_their_lines()
    {
        using var tree = new TempTree();
        var path = tree.Write("s.c", "int a;\n#if 0\nint b;\nint c;\n#endif\nint d;\n");
        using var unit = Parse(path);
        var range = Assert.Single(unit.SkippedRanges());
        Assert.Equal(2, range.StartLine);
        Assert.Equal(5, range.EndLine);
    }

    [Fact]
    public void Tokens_carry_text_kind_and_position()
    {
        using var tree = new TempTree();
        var path = tree.Write("k.c", "void g(void) {\n  __asm__(\"hlt\");\n}\n");
        using var unit = Parse(path);
        var function = unit.Cursor.Children().Single(c => c.Kind == CXCursorKind.CXCursor_FunctionDecl);
        var tokens = unit.Tokenize(function.Extent);
        var literal = tokens.Single(t => t.Kind == TokenKind.Literal);
        Assert.Equal("\"hlt\"", literal.Text);
        Assert.Equal(2, literal.Position.Line);
        Assert.Equal(11, literal.Position.Column);
    }

    [Fact]
    public void String_constants_from_macros_are_evaluated()
    {
        using var tree = new TempTree();
        var path = tree.Write("e.c", "#define REG \"TTBR0_EL1\"\nconst char *name = REG;\n");
        using var unit = Parse(path);
        var variable = unit.Cursor.Children().Single(c => c.Kind == CXCursorKind.CXCursor_VarDecl);
        var initializer = variable.Children().Last();
        Assert.Equal("TTBR0_EL1", initializer.EvaluateString());
    }

    [Fact]
    public void Inclusions_and_error_diagnostics_are_reported()
    {
        using var tree = new TempTree();
        tree.Write("h.h", "int from_header;\n");
        var path = tree.Write("i.c", "#include \"h.h\"\n#include \"missing.h\"\n");
        using var unit = Parse(path);
        Assert.Contains(unit.IncludedFiles(), name => name.EndsWith("h.h", StringComparison.Ordinal));
        Assert.Contains(unit.Diagnostics(), d => d.Level >= DiagnosticLevel.Error && d.Message.Contains("missing.h"));
    }
}
