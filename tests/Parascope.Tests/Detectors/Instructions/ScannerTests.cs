using System.Collections.Immutable;
using Parascope.Detectors.Instructions;
using Parascope.Model;

namespace Parascope.Tests.Detectors.Instructions;

public sealed class ScannerTests
{
    [Fact]
    public void Inline_asm_pieces_over_several_lines_report_the_piece_that_holds_the_instruction()
    {
        var text = "void f(void)\n{\n\t__asm__ volatile(\"nop\\n\\t\"\n\t\t\"cli; sti\" ::: \"memory\");\n}\n";
        var statements = CSourceScanner.Scan(text).Statements;
        Assert.Equal(["nop", "cli", "sti"], statements.Select(s => s.Text));
        var cli = statements[1];
        Assert.Equal((4, 3), (cli.Line, cli.Column));
        Assert.Equal("f", cli.Function);
    }

    [Fact]
    public void Asm_in_a_define_body_is_attributed_to_the_macro()
    {
        var text = "#define wrmsr(m, lo, hi) \\\n\t__asm__ volatile(\"wrmsr\" : : \"c\" (m))\n";
        var statement = Assert.Single(CSourceScanner.Scan(text).Statements);
        Assert.Equal(("wrmsr", "wrmsr", SourceContext.AsmMacro, 2), (statement.Text, statement.Macro, statement.Context, statement.Line));
    }

    [Fact]
    public void Strings_comments_and_identifiers_outside_asm_are_not_statements()
    {
        var text = "static const char *s = \"asm(\\\"cli\\\")\"; /* asm(\"hlt\") */ int cli; // __asm__(\"sti\")\n";
        Assert.Empty(CSourceScanner.Scan(text).Statements);
    }

    [Fact]
    public void Percent_escapes_are_undone()
    {
        var statement = Assert.Single(CSourceScanner.Scan("void f(void){ __asm__(\"mov %%cr3, %0\" : \"=r\"(x)); }").Statements);
        Assert.Equal("mov %cr3, %0", statement.Text);
    }

    [Fact]
    public void Assembly_conditionals_are_evaluated_with_the_defines()
    {
        var text = "#if defined(FOO) && BAR > 1\n\tcli\n#else\n\tsti\n#endif\n";
        var defines = ImmutableDictionary<string, string>.Empty.Add("FOO", "1").Add("BAR", "2");
        var statements = AssemblySourceScanner.Scan(text, InstructionFamily.X86, defines).ToList();
        Assert.Equal([("cli", true), ("sti", false)], statements.Select(s => (s.Text, s.Active)));
        Assert.Equal("!(defined(FOO) && BAR > 1)", statements[1].Condition);
    }

    [Fact]
    public void When_the_preprocessor_ran_its_skipped_lines_decide_what_is_active_not_the_defines()
    {
        // HAS_FEATURE comes from a header the lexical defines never see; the preprocessor skipped lines 4-6.
        var text = "#if HAS_FEATURE\n\tcli\n#define TRAP_ON hlt\n#else\n\tsti\n#endif\n";
        var statements = AssemblySourceScanner.Scan(text, InstructionFamily.X86, ImmutableDictionary<string, string>.Empty,
            compiled: line => line is < 4 or > 6).ToList();
        Assert.Equal([("cli", true), ("hlt", true), ("sti", false)], statements.Select(s => (s.Text, s.Active)));
        Assert.Equal("HAS_FEATURE", statements[0].Condition);
    }

    [Fact]
    public void A_data_directive_with_no_operand_in_a_raw_run_is_no_byte()
    {
        var text = "\t.byte 0xea\n\t.byte\n\t.long 0\n\t.word 0x08\n"; // a far jmp over four statements: decoded as one stream
        var matches = InstructionFindings.AssemblyMatches(text, "osfmk/x86_64/raw.s", InstructionFamily.X86,
            ImmutableDictionary<string, string>.Empty, InstructionClassifierTests.Classifier).ToList();
        Assert.Equal(["x86.far-transfer"], matches.Select(m => m.Match.Rule.Id));
    }

    [Fact]
    public void Assembly_statements_know_their_entry_symbol()
    {
        var text = "ENTRY(cpu_start)\n\tcli\nLlocal:\n\thlt\n_other:\n\tsti\n";
        var statements = AssemblySourceScanner.Scan(text, InstructionFamily.X86, ImmutableDictionary<string, string>.Empty).ToList();
        Assert.Equal([("cli", "cpu_start"), ("hlt", "cpu_start"), ("sti", "other")], statements.Select(s => (s.Text, s.Function)));
    }

    [Theory]
    [InlineData("\tmovl\t%cr0, %eax\t\t# read CR0", "\tmovl\t%cr0, %eax\t\t", false)]
    [InlineData("\tcli", "\tcli", false)]
    [InlineData("wrmsr // the MSR in ecx", "wrmsr ", false)]
    [InlineData("\tmovl $1, %eax /* one */ ; cli # done", "\tmovl $1, %eax   ; cli ", false)]
    [InlineData(".asciz \"a # b\" # c", ".asciz \"a # b\" ", false)]
    [InlineData("lgdt (%eax) /* opened", "lgdt (%eax) ", true)]
    [InlineData("\tmovl %cr3, %eax # /* not a block comment", "\tmovl %cr3, %eax ", false)]
    public void Comments_go_and_every_kept_character_keeps_its_column(string line, string code, bool opensComment)
    {
        var inComment = false;
        var kept = AssemblySourceScanner.RemoveComments(line, InstructionFamily.X86, ref inComment, out var columns);

        Assert.Equal((code, opensComment), (kept, inComment));
        for (var i = 0; i < kept.Length; i++)
        {
            Assert.True(kept[i] == ' ' || line[columns[i]] == kept[i], $"column {columns[i]} of '{line}' is not '{kept[i]}'");
        }
        // Inside a block comment, nothing is code until it closes, and the code after it keeps its columns.
        inComment = true;
        var after = AssemblySourceScanner.RemoveComments("still */ cli", InstructionFamily.X86, ref inComment, out columns);
        Assert.Equal(("  cli", false, 9), (after, inComment, columns[after.IndexOf('c', StringComparison.Ordinal)]));
    }

    [Fact]
    public void Darwin_arm64_comments_start_at_a_semicolon_and_statements_split_at_double_percent()
    {
        var text = "\tmov x0, x1 %% eret ; wfi\n";
        var statements = AssemblySourceScanner.Scan(text, InstructionFamily.Arm64, ImmutableDictionary<string, string>.Empty).ToList();
        Assert.Equal(["mov x0, x1", "eret"], statements.Select(s => s.Text));
    }

    [Theory]
    [InlineData("defined(__arm64__)", InstructionFamily.Arm64)]
    [InlineData("!(defined(__arm64__))", InstructionFamily.X86)]
    [InlineData("!defined(__x86_64__)", InstructionFamily.Arm64)]
    [InlineData("__i386__ || __x86_64__", InstructionFamily.X86)]
    public void Skipped_branches_tell_their_family_by_their_condition(string condition, InstructionFamily family)
    {
        Assert.Equal(family, FamilyHints.OfConditions([condition]));
    }
}
