using Parascope.Model;
using Parascope.Tests.Detectors;

namespace Parascope.Tests.Detectors.Instructions;

/// <summary>
/// An instruction written in a macro body is one finding, at the body's line, with every use as an expansion:
/// assembler macros of headers, GAS .macro bodies, a system register given by a parameter, builtins in macros.
/// </summary>
public sealed class MacroDefinitionTests
{
    private static IReadOnlyList<Finding> Scan(string fixture, string arch)
    {
        var outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = Path.Combine(FixturePaths.Root, fixture),
            Arches = [arch],
            Jobs = 2,
            Profile = "generic",
        });
        Assert.Null(outcome.Error);
        return outcome.Result!.Findings;
    }

    private static IReadOnlyList<Finding> X86 => Scan("instructions-x86-macros", "x86_64");
    private static IReadOnlyList<Finding> Arm64 => Scan("instructions-arm64-macros", "arm64");

    private static Finding At(IReadOnlyList<Finding> findings, string file, int line) =>
        Assert.Single(findings, f => f.File == file && f.Line == line);

    [Fact]
    public void An_assembler_define_in_a_header_is_one_finding_with_each_use_in_a_s_file_as_an_expansion()
    {
        var outb = At(X86, "osfmk/i386/io_asm.h", 14);
        Assert.Equal("x86.port-io", outb.RuleId);
        Assert.Equal([("osfmk/x86_64/locks_asm.s", 17), ("osfmk/x86_64/locks_asm.s", 24)], outb.Expansions.Select(e => (e.File, e.Line)));
        Assert.Equal(["spin_lock_irq", "spin_unlock_irq"], outb.Expansions.Select(e => e.Function));
    }

    [Fact]
    public void An_arm64_header_s_macros_are_not_active_code_of_an_x86_64_scan()
    {
        // An x86_64 .s file includes a header by a bare name that an arm64 header also ends with: the arm64 header's
        // macros must not become compiled x86_64 code.
        using var tree = new TempTree();
        tree.Write("osfmk/arm64/regs_mini.h", "#ifdef __ASSEMBLER__\n#define SET_TPIDR msr TPIDR_EL1, x0\n#endif\n");
        tree.Write("osfmk/arm64/start_mini.s", "#include \"regs_mini.h\"\n\t.globl _start_mini\n_start_mini:\n\tSET_TPIDR\n\tret\n");
        tree.Write("osfmk/x86_64/entry_mini.s", "#include \"regs_mini.h\"\n\t.globl _entry_mini\n_entry_mini:\n\tret\n");
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Arches = ["x86_64"], Jobs = 1, Profile = "generic" });
        Assert.Null(outcome.Error);
        var foreign = outcome.Result!.Findings.Where(f => f.File == "osfmk/arm64/regs_mini.h").ToList();
        Assert.NotEmpty(foreign);
        Assert.All(foreign, f => Assert.False(f.Active));
    }

    [Fact]
    public void A_use_of_a_header_macro_in_a_s_file_is_not_a_finding_of_its_own()
    {
        Assert.DoesNotContain(X86, f => f.File == "osfmk/x86_64/locks_asm.s" && f.Line != 10);
        var pushf = At(X86, "osfmk/i386/flags_asm.h", 6);
        Assert.Equal(("x86.pushf-popf", 15), (pushf.RuleId, Assert.Single(pushf.Expansions).Line));
    }

    [Fact]
    public void A_gas_macro_in_a_header_is_one_finding_per_body_line_with_its_uses()
    {
        var vmcall = At(X86, "osfmk/i386/hv_asm.h", 6);
        Assert.Equal(("x86.hypercall", 2), (vmcall.RuleId, vmcall.Expansions.Length));
        var elr = At(Arm64, "osfmk/arm64/exc_asm.h", 6);
        Assert.Equal(("arm64.sysreg-el1-read", 10), (elr.RuleId, Assert.Single(elr.Expansions).Line));
    }

    [Fact]
    public void An_msr_whose_register_is_a_positional_parameter_is_reported_once_with_each_use_resolved()
    {
        var msr = At(Arm64, "osfmk/arm64/exc_asm.h", 16);
        // TTBR0_EL1 (EL1, a note) and an implementation-defined register (a warning): the most severe decides.
        Assert.Equal("arm64.sysreg-impdef", msr.RuleId);
        Assert.Equal([(11, "ttbr0_el1"), (12, "s3_0_c15_c2_0")], msr.Expansions.Select(e => (e.Line, e.Register)));
        Assert.Equal("s3_0_c15_c2_0, ttbr0_el1", msr.Properties["registers"]);
    }

    [Fact]
    public void A_named_gas_parameter_and_a_stringified_c_parameter_resolve_too()
    {
        var named = At(Arm64, "osfmk/arm64/exc_asm.h", 22);
        Assert.Equal(("arm64.sysreg-el1-write", "sctlr_el1"), (named.RuleId, Assert.Single(named.Expansions).Register));
        var pasted = At(Arm64, "osfmk/arm64/sysreg.h", 5);
        Assert.Equal(["dbgbvr0_el1", "dbgbvr1_el1"], pasted.Expansions.Select(e => e.Register));
    }

    [Fact]
    public void A_c_template_with_the_register_between_string_pieces_is_reported_at_its_define()
    {
        var msr = At(Arm64, "osfmk/arm64/sysreg.h", 2);
        Assert.Equal(("arm64.sysreg-el1-write", SourceContext.AsmMacro), (msr.RuleId, msr.Context));
        Assert.Equal([("cpu_set_vectors", "vbar_el1"), ("cpu_set_vectors", "actlr_el1")], msr.Expansions.Select(e => (e.Function, e.Register)));
        Assert.DoesNotContain(Arm64, f => f.File == "osfmk/arm64/cpu.c");
    }

    [Fact]
    public void A_use_whose_argument_names_a_string_macro_resolves_to_that_string()
    {
        // xnu-4903 kpc.c: SREG_READ(SREG_PMCR0) with #define SREG_PMCR0 "S3_1_c15_c0_0". Before, such a use resolved
        // nothing and, no use being a parameter either, the template was not reported at all. Line 33 is in a branch
        // the unit skips (KPC_DEBUG): read from the text, it resolves through the file's #define the same way.
        var arm64 = Scan("instructions-arm64", "arm64");
        var read = At(arm64, "osfmk/arm64/kpc.c", 13);
        Assert.Equal("arm64.sysreg-impdef", read.RuleId);
        Assert.Equal([(19, "s3_1_c15_c0_0"), (26, "s3_2_c15_c2_0"), (33, "s3_1_c15_c1_0")], read.Expansions.Select(e => (e.Line, e.Register)));
        var write = At(arm64, "osfmk/arm64/kpc.c", 11);
        Assert.Equal([(20, "s3_1_c15_c0_0")], write.Expansions.Select(e => (e.Line, e.Register)));
    }

    [Fact]
    public void A_parametric_msr_no_use_resolves_keeps_the_generic_parameter_rule()
    {
        var msr = At(Arm64, "osfmk/arm64/exc_asm.h", 26);
        Assert.Equal("arm64.sysreg-parameter", msr.RuleId);
        Assert.Empty(msr.Expansions);
    }

    [Fact]
    public void A_builtin_in_a_macro_is_one_finding_at_the_define_with_both_uses()
    {
        var rdtsc = At(X86, "osfmk/i386/spin.c", 2);
        Assert.Equal((SourceContext.Builtin, "x86.rdtsc"), (rdtsc.Context, rdtsc.RuleId));
        Assert.Equal(["spin_begin", "spin_end"], rdtsc.Expansions.Select(e => e.Function));
    }
}
