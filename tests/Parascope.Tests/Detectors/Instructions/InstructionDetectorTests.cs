using Parascope.Model;
using Parascope.Tests.Detectors;

namespace Parascope.Tests.Detectors.Instructions;

public sealed class InstructionDetectorTests
{
    private static ScanResult Scan(string fixture, bool activeOnly = false, string arch = "x86_64")
    {
        var outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = Path.Combine(FixturePaths.Root, fixture),
            Arches = [arch],
            Jobs = 2,
            Profile = "generic",
            ActiveOnly = activeOnly,
        });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }

    [Fact]
    public void An_asm_macro_is_one_finding_at_its_definition_listing_its_expansion_sites()
    {
        var wrmsr = Assert.Single(Scan("instructions-x86-inline").Findings, f => f.RuleId == "x86.msr-write");
        Assert.Equal(("osfmk/i386/proc_reg.h", SourceContext.AsmMacro, "wrmsr"), (wrmsr.File, wrmsr.Context, wrmsr.Properties["macro"]));
        var site = Assert.Single(wrmsr.Expansions);
        Assert.Equal(("osfmk/i386/cpu.c", "cpu_msr_read"), (site.File, site.Function));
    }

    [Fact]
    public void Active_only_hides_code_the_configuration_does_not_compile()
    {
        var all = Scan("instructions-x86-inline").Findings;
        var active = Scan("instructions-x86-inline", activeOnly: true).Findings;
        Assert.Contains(all, f => !f.Active);
        Assert.All(active, f => Assert.True(f.Active));
        Assert.Equal(all.Count(f => f.Active), active.Length);
    }

    [Fact]
    public void Findings_carry_the_instruction_family_class_and_register()
    {
        var cr3 = Assert.Single(Scan("instructions-x86-inline").Findings, f => f.RuleId == "x86.cr3-write");
        Assert.Equal(("x86", "privileged", "cr3", Severity.Warning), (cr3.Arch, cr3.Subcategory, cr3.Properties["register"], cr3.Severity));
    }

    [Fact]
    public void A_builtin_names_its_register_resolved_from_a_macro()
    {
        var ttbr = Assert.Single(Scan("instructions-arm64", arch: "arm64").Findings,
            f => f.Context == SourceContext.Builtin && f.Properties.GetValueOrDefault("register") == "TTBR0_EL1" && f.Active);
        Assert.Equal(("arm64.sysreg-el1-read", "__builtin_arm_rsr64", "ml_get_ttbr0"), (ttbr.RuleId, ttbr.Properties["builtin"], ttbr.Function));
    }
}
