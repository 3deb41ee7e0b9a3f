using Parascope.Detectors.Instructions;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Tests.Detectors.Instructions;

public sealed class InstructionClassifierTests
{
    internal static readonly InstructionClassifier Classifier = Create();

    private static InstructionClassifier Create()
    {
        var loaded = RuleLoader.LoadBuiltIn();
        Assert.Empty(loaded.Errors);
        return new InstructionClassifier(new RuleSet(loaded.Rules));
    }

    [Theory]
    [InlineData("movl %eax, %cr3", "x86.cr3-write", "cr3")]
    [InlineData("movq %cr3, %rax", "x86.cr3-read", "cr3")]
    [InlineData("mov cr3, rax", "x86.cr3-write", "cr3")]
    [InlineData("MOV RAX, CR3", "x86.cr3-read", "cr3")]
    [InlineData("lgdtl (%eax)", "x86.lgdt", null)]
    [InlineData("pushfq", "x86.pushf-popf", null)]
    [InlineData("popfl", "x86.pushf-popf", null)]
    [InlineData("iretq", "x86.iret", null)]
    [InlineData("rep outsb", "x86.port-io", null)]
    [InlineData("inl %dx, %eax", "x86.port-io", null)]
    [InlineData("1: hlt", "x86.hlt", null)]
    [InlineData("lock; cli", null, null)]
    [InlineData("pop %ss", "x86.segment-push-pop", "ss")]
    [InlineData("mov %ax, %gs", "x86.segment-load", "gs")]
    [InlineData("mov %gs, %ax", "x86.segment-read", "gs")]
    [InlineData("movw %ds:(%rsi), %ax", null, null)]
    [InlineData("into", "x86.breakpoint", null)]
    [InlineData("stac", "x86.smap", null)]
    [InlineData("vmxon (%rdi)", "x86.vmx", null)]
    [InlineData("str %ax", "x86.descriptor-table-read", null)]
    [InlineData("mov %eax, %ebx", null, null)]
    [InlineData(".ascii \"cli\"", null, null)]
    [InlineData("ENTRY(cli)", null, null)]
    public void X86_statements_are_classified_by_mnemonic_and_operand(string statement, string? rule, string? register)
    {
        var match = Classifier.Classify(statement, InstructionFamily.X86);
        Assert.Equal(rule, match?.Rule.Id);
        if (rule is not null)
        {
            Assert.Equal(register, match!.Register);
        }
    }

    [Theory]
    [InlineData("msr TTBR0_EL1, x0", "arm64.sysreg-el1-write")]
    [InlineData("mrs x0, ttbr1_el1", "arm64.sysreg-el1-read")]
    [InlineData("mrs x0, tpidr_el0", null)]
    [InlineData("mrs x0, nzcv", null)]
    [InlineData("msr fpcr, x0", null)]
    [InlineData("msr S3_0_C15_C0_0, x0", "arm64.sysreg-impdef")]
    [InlineData("mrs x0, s3_0_c2_c0_0", "arm64.sysreg-el1-read")]
    [InlineData("mrs x0, s3_4_c1_c1_0", "arm64.sysreg-el2")]
    [InlineData("msr daifset, #2", "arm64.daif")]
    [InlineData("dc isw, x0", "arm64.dc-set-way")]
    [InlineData("dc cvac, x0", "arm64.dc-va")]
    [InlineData("isb", null)]
    [InlineData("dsb sy", null)]
    [InlineData("str x0, [x1]", null)]
    [InlineData("ERET", "arm64.eret")]
    public void Arm64_statements_are_classified_by_system_register(string statement, string? rule)
    {
        Assert.Equal(rule, Classifier.Classify(statement, InstructionFamily.Arm64)?.Rule.Id);
    }

    [Fact]
    public void An_arm64_store_is_not_an_x86_str()
    {
        Assert.Null(Classifier.Classify("str x0, [x1, #8]", InstructionFamily.X86));
    }

    [Theory]
    [InlineData(".byte 0x0f, 0x01, 0xf8", InstructionFamily.X86, "x86.swapgs")]
    [InlineData(".byte 0x0f,0x30", InstructionFamily.X86, "x86.msr-write")]
    [InlineData(".long 0xd518c000", InstructionFamily.Arm64, "arm64.sysreg-el1-write")]
    [InlineData(".long 0xd53bd040", InstructionFamily.Arm64, null)]
    [InlineData(".inst 0xd503207f", InstructionFamily.Arm64, "arm64.wfi")]
    public void Raw_encodings_are_decoded_then_classified(string statement, InstructionFamily family, string? rule)
    {
        var decoded = Classifier.DecodeRaw(statement, family);
        var match = decoded is null ? null : Classifier.Classify(decoded, family);
        Assert.Equal(rule, match?.Rule.Id);
    }

    [Theory]
    [InlineData("__builtin_arm_rsr64", "TTBR0_EL1", "arm64.sysreg-el1-read")]
    [InlineData("__builtin_arm_wsr64", "SCTLR_EL1", "arm64.sysreg-el1-write")]
    [InlineData("__builtin_arm_rsr64", "TPIDR_EL0", null)]
    [InlineData("__builtin_arm_rsr64", "S3_1_C15_C0_0", "arm64.sysreg-impdef")]
    [InlineData("__builtin_arm_wsr", "DAIFSet", "arm64.daif")]
    [InlineData("__builtin_arm_wfi", null, "arm64.wfi")]
    [InlineData("__rdtsc", null, "x86.rdtsc")]
    [InlineData("__cpuid_count", null, "x86.cpuid")]
    public void Builtins_are_classified_by_the_instruction_they_emit(string builtin, string? register, string? rule)
    {
        Assert.Equal(rule, Classifier.ClassifyBuiltin(builtin, register)?.Instruction.Rule.Id);
    }

    [Fact]
    public void Every_instruction_rule_has_a_class_and_a_reference()
    {
        var rules = RuleLoader.LoadBuiltIn().Rules.Where(r => r.Id.StartsWith("x86.", StringComparison.Ordinal) || r.Id.StartsWith("arm64.", StringComparison.Ordinal)).ToList();
        Assert.True(rules.Count > 40);
        Assert.All(rules, rule =>
        {
            Assert.False(string.IsNullOrEmpty(rule.Class));
            Assert.NotEmpty(rule.References);
        });
    }
}
