using Parascope.Model;
using Parascope.Tests.Discovery;

namespace Parascope.Tests.Detectors;

/// <summary>
/// Sites another kernel configuration compiles (issue 14, item 2): an original tree in XNU's layout whose MASTER
/// defines a DEVELOPMENT configuration; a file with a `#if DEVELOPMENT` part is parsed again in it, one without is not.
/// </summary>
public sealed class ConfigurationSiteTests
{
    internal static TempTree DevelopmentTree()
    {
        var tree = new TempTree();
        tree.Write("config/MASTER", """
            #  BASE =        [ medium ]
            #  RELEASE =     [ BASE ]
            #  DEVELOPMENT = [ BASE development widget_trace ]
            options		DEVELOPMENT		# <development>
            options		WIDGET_TRACE		# <widget_trace>
            options		CONFIG_WIDGETS=7	# <medium>
            """);
        tree.Write("config/MASTER.x86_64", "options		CONFIG_X86_FEATURE\n");
        tree.Write("osfmk/conf/files", """
            OPTIONS/widget_trace		optional widget_trace
            osfmk/kern/widget_debug.c	standard
            osfmk/kern/widget_plain.c	standard
            """);
        tree.Write("osfmk/conf/Makefile.template", "CFLAGS+= -include meta_features.h -DMACH_KERNEL_PRIVATE\n");
        tree.Write("bsd/conf/Makefile.template", "CFLAGS+= -include meta_features.h -DBSD_KERNEL_PRIVATE\n");
        tree.Write("makedefs/MakeInc.def", "DEFINES = -DAPPLE -DKERNEL -DKERNEL_PRIVATE -DXNU_KERNEL_PRIVATE -DPRIVATE $(CONFIG_DEFINES)\n");
        tree.Write("iokit/Kernel/.keep", string.Empty);
        tree.Write("osfmk/kern/widget_debug.c", """
            #include <widget_trace.h>

            void
            widget_halt(void)
            {
            	__asm__ volatile ("hlt");
            #if DEVELOPMENT
            	__asm__ volatile ("cli");
            #endif
            #if WIDGET_TRACE
            	__asm__ volatile ("rdtsc" ::: "eax", "edx");
            #endif
            #if 0
            	__asm__ volatile ("wbinvd");
            #endif
            }
            """);
        tree.Write("osfmk/kern/widget_plain.c", """
            void
            widget_idle(void)
            {
            	__asm__ volatile ("sti");
            }
            """);
        return tree;
    }

    private static ScanResult Scan(TempTree tree, string cache, System.Collections.Immutable.ImmutableArray<string>? configurations = null)
    {
        var outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = tree.Root,
            Arches = ["x86_64"],
            Jobs = 1,
            CacheDirectory = cache,
            Configurations = configurations,
        });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }

    private static Finding At(ScanResult result, string file, string rule) =>
        Assert.Single(result.Findings, f => f.File == file && f.RuleId == rule);

    [Fact]
    public void Only_a_file_whose_conditionals_test_what_another_configuration_changes_is_parsed_again()
    {
        using var tree = DevelopmentTree();
        using var cache = new TempTree();
        var discovery = XnuProfileTests.Discover(tree, cache.Root, "x86_64");

        var variant = Assert.Single(discovery.Variants);
        Assert.Equal(("osfmk/kern/widget_debug.c", "DEVELOPMENT"), (variant.RelativePath, variant.Configuration));
        var plain = Assert.Single(discovery.Units, u => u.RelativePath == "osfmk/kern/widget_plain.c");
        Assert.Equal(("RELEASE", "DEVELOPMENT"), (plain.Configuration, Assert.Single(plain.SameConfigurations)));
        Assert.Equal(["RELEASE", "DEVELOPMENT"], discovery.Configurations.ToArray());
        Assert.DoesNotContain(discovery.Units, u => u.Variant);
    }

    [Fact]
    public void A_site_only_another_configuration_compiles_is_inactive_with_that_configuration()
    {
        using var tree = DevelopmentTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var cli = At(result, "osfmk/kern/widget_debug.c", "x86.cli-sti");
        Assert.False(cli.Active);
        Assert.Equal(["DEVELOPMENT"], cli.Configurations.ToArray());
        // An option header's macro (widget_trace.h: WIDGET_TRACE) varies as a -D option does.
        Assert.Equal(["DEVELOPMENT"], At(result, "osfmk/kern/widget_debug.c", "x86.rdtsc").Configurations.ToArray());
        Assert.Equal(["RELEASE", "DEVELOPMENT"], result.Configurations.ToArray());
    }

    [Fact]
    public void A_site_every_configuration_compiles_lists_them_all_and_stays_active()
    {
        using var tree = DevelopmentTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var hlt = At(result, "osfmk/kern/widget_debug.c", "x86.hlt");
        Assert.True(hlt.Active);
        Assert.Equal(["RELEASE", "DEVELOPMENT"], hlt.Configurations.ToArray());
        Assert.Equal(1, hlt.Units);
        // A file no other configuration changes is parsed once; its text is the same in both, so both compile its site.
        Assert.Equal(["RELEASE", "DEVELOPMENT"], At(result, "osfmk/kern/widget_plain.c", "x86.cli-sti").Configurations.ToArray());
    }

    [Fact]
    public void Code_no_configuration_compiles_is_still_reported_with_none()
    {
        using var tree = DevelopmentTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var wbinvd = At(result, "osfmk/kern/widget_debug.c", "x86.cache-flush");
        Assert.False(wbinvd.Active);
        Assert.Empty(wbinvd.Configurations);
    }

    [Fact]
    public void Configurations_none_parses_nothing_again()
    {
        using var tree = DevelopmentTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root, []);

        var cli = At(result, "osfmk/kern/widget_debug.c", "x86.cli-sti");
        Assert.False(cli.Active);
        Assert.Empty(cli.Configurations);
        // DEVELOPMENT is still known to share widget_plain.c's text; it is only never parsed.
        Assert.Equal(["RELEASE", "DEVELOPMENT"], result.Configurations.ToArray());
        Assert.Equal(["RELEASE"], At(result, "osfmk/kern/widget_debug.c", "x86.hlt").Configurations.ToArray());
    }

    /// <summary>The tree with an assembly file whose `#if` lines test a -D option and an option header's macro.</summary>
    private static TempTree AssemblyTree()
    {
        var tree = DevelopmentTree();
        tree.Write("osfmk/conf/files.x86_64", "osfmk/x86_64/widget_trap.s\tstandard\n");
        tree.Write("osfmk/x86_64/widget_trap.s", """
            #include <widget_trace.h>

            	.text
            	.globl	_widget_trap
            _widget_trap:
            	hlt
            #if DEVELOPMENT
            	cli
            #endif
            #if WIDGET_TRACE
            	rdtsc
            #endif
            	ret
            """);
        return tree;
    }

    [Fact]
    public void An_assembly_site_only_another_configuration_assembles_is_inactive_with_that_configuration()
    {
        using var tree = AssemblyTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var cli = At(result, "osfmk/x86_64/widget_trap.s", "x86.cli-sti");
        Assert.False(cli.Active);
        Assert.Equal(["DEVELOPMENT"], cli.Configurations.ToArray());
        Assert.Equal(["DEVELOPMENT"], At(result, "osfmk/x86_64/widget_trap.s", "x86.rdtsc").Configurations.ToArray());
        Assert.Equal(["RELEASE", "DEVELOPMENT"], At(result, "osfmk/x86_64/widget_trap.s", "x86.hlt").Configurations.ToArray());
    }

    [Fact]
    public void A_file_testing_only_a_macro_a_header_derives_from_a_varied_one_is_parsed_again()
    {
        using var tree = DevelopmentTree();
        tree.Write("osfmk/conf/files", """
            OPTIONS/widget_trace		optional widget_trace
            osfmk/kern/widget_debug.c	standard
            osfmk/kern/widget_plain.c	standard
            osfmk/kern/widget_checks.c	standard
            """);
        tree.Write("osfmk/kern/widget_checks.h", """
            #if DEVELOPMENT
            #define WIDGET_STRICT_CHECKS	1
            #endif
            """);
        tree.Write("osfmk/kern/widget_checks.c", """
            #include <kern/widget_checks.h>

            void
            widget_check(void)
            {
            #if WIDGET_STRICT_CHECKS
            	__asm__ volatile ("invlpg (%0)" :: "r" (0));
            #endif
            }
            """);
        using var cache = new TempTree();

        var discovery = XnuProfileTests.Discover(tree, cache.Root, "x86_64");
        Assert.Contains(discovery.Variants, v => v.RelativePath == "osfmk/kern/widget_checks.c" && v.Configuration == "DEVELOPMENT");
        var invlpg = At(Scan(tree, cache.Root), "osfmk/kern/widget_checks.c", "x86.invlpg");
        Assert.False(invlpg.Active);
        Assert.Equal(["DEVELOPMENT"], invlpg.Configurations.ToArray());
    }

    [Fact]
    public void A_macros_expansion_only_another_configuration_compiles_is_listed_with_the_definition()
    {
        using var tree = DevelopmentTree();
        tree.Write("osfmk/conf/files", """
            OPTIONS/widget_trace		optional widget_trace
            osfmk/kern/widget_debug.c	standard
            osfmk/kern/widget_plain.c	standard
            osfmk/kern/widget_halt.c	standard
            """);
        tree.Write("osfmk/kern/widget_cpu.h", """
            #define WIDGET_CPU_HALT()	__asm__ volatile ("hlt")
            """);
        tree.Write("osfmk/kern/widget_halt.c", """
            #include <kern/widget_cpu.h>

            void
            widget_halt_now(void)
            {
            	WIDGET_CPU_HALT();
            }

            #if DEVELOPMENT
            void
            widget_halt_debug(void)
            {
            	WIDGET_CPU_HALT();
            }
            #endif
            """);
        using var cache = new TempTree();

        var hlt = At(Scan(tree, cache.Root), "osfmk/kern/widget_cpu.h", "x86.hlt");

        Assert.True(hlt.Active);
        Assert.Equal([6, 13], hlt.Expansions.Where(e => e.File == "osfmk/kern/widget_halt.c").Select(e => e.Line).ToArray());
        Assert.Equal(["RELEASE", "DEVELOPMENT"], hlt.Configurations.ToArray());
    }

    [Fact]
    public void Variant_parses_have_their_own_health_apart_from_the_units()
    {
        using var tree = DevelopmentTree();
        tree.Write("osfmk/kern/widget_debug.c", """
            void
            widget_halt(void)
            {
            	__asm__ volatile ("hlt");
            #if DEVELOPMENT
            	int traced = widget_trace_count_undeclared;
            	(void)traced;
            #endif
            }
            """);
        using var cache = new TempTree();

        var result = Scan(tree, cache.Root);

        Assert.Equal(0, result.Health.Counts.WithErrors);
        var variants = Assert.IsType<UnitCounts>(result.Health.Variants);
        Assert.Equal((1, 1, 1, 0), (variants.Total, variants.Parsed, variants.WithErrors, variants.Failed));
        Assert.Null(Scan(tree, cache.Root, []).Health.Variants);
    }
}
