using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Reports.Json;
using Parascope.Tests.Discovery;

namespace Parascope.Tests.Detectors;

/// <summary>
/// Sites only another arm64 board compiles (issue 14, item 2: platform options): an original tree in XNU's layout
/// with three boards — the scanned virtual one, a PPL board (board_config.h: XNU_MONITOR) and an SPTM board
/// (MakeInc.def's SPTM_ENABLED_SOCS, MASTER's config_sptm) — and a pmap whose PTE stores sit under `#if XNU_MONITOR`
/// and `#if CONFIG_SPTM`.
/// </summary>
public sealed class BoardSiteTests
{
    internal static TempTree BoardTree() => BoardTree(development: false);

    /// <param name="development">Also a DEVELOPMENT configuration, and a pmap file whose stores test a board's macro and DEVELOPMENT.</param>
    private static TempTree BoardTree(bool development)
    {
        var tree = new TempTree();
        tree.Write("makedefs/MakeInc.def", """
            DEFINES = -DAPPLE -DKERNEL -DKERNEL_PRIVATE -DXNU_KERNEL_PRIVATE -DPRIVATE $(CONFIG_DEFINES)
            SUPPORTED_ARM64_MACHINE_CONFIGS = W1000 W2000 WVIRT

            SPTM_ENABLED_SOCS_MacOSX = w2000

            MACHINE_FLAGS_ARM64_W1000 = -DARM64_BOARD_CONFIG_W1000	-mcpu=apple-a14
            MACHINE_FLAGS_ARM64_W2000 = -DARM64_BOARD_CONFIG_W2000	-mcpu=apple-m4
            MACHINE_FLAGS_ARM64_WVIRT = -DARM64_BOARD_CONFIG_WVIRT
            """);
        tree.Write("makedefs/MakeInc.top", "override DEFAULT_ARM64_MACHINE_CONFIG	:= WVIRT\n");
        tree.Write("pexpert/pexpert/arm64/board_config.h", """
            #ifndef _PEXPERT_ARM_BOARD_CONFIG_H
            #define _PEXPERT_ARM_BOARD_CONFIG_H

            #ifdef ARM64_BOARD_CONFIG_W1000
            #include <pexpert/arm64/WIDGET13.h>
            #define MAX_CPUS			8
            #define XNU_MONITOR			1 /* the secure pmap runtime */
            #endif /* ARM64_BOARD_CONFIG_W1000 */

            #ifdef ARM64_BOARD_CONFIG_W2000
            #include <pexpert/arm64/WIDGET16.h>
            #define MAX_CPUS			16
            #ifndef CONFIG_SPTM
            #define XNU_MONITOR			1
            #endif /* CONFIG_SPTM */
            #endif /* ARM64_BOARD_CONFIG_W2000 */

            #ifdef ARM64_BOARD_CONFIG_WVIRT
            #include <pexpert/arm64/WIDGETVIRT.h>
            #define MAX_CPUS			32
            #endif /* ARM64_BOARD_CONFIG_WVIRT */

            #endif /* _PEXPERT_ARM_BOARD_CONFIG_H */
            """);
        tree.Write("pexpert/pexpert/arm64/WIDGET13.h", "#define HAS_WIDGET_CTRR	1\n#include <pexpert/arm64/widget_common.h>\n");
        tree.Write("pexpert/pexpert/arm64/WIDGET16.h", "#define HAS_WIDGET_CTRR	1\n#include <pexpert/arm64/widget_common.h>\n");
        tree.Write("pexpert/pexpert/arm64/WIDGETVIRT.h", "#define WIDGET_VIRTUAL	1\n#include <pexpert/arm64/widget_common.h>\n");
        tree.Write("pexpert/pexpert/arm64/widget_common.h", """
            #if defined(HAS_WIDGET_CTRR)
            #define KERNEL_INTEGRITY_CTRR	1
            #endif
            """);
        tree.Write("config/MASTER", """
            #if MASTER_CONFIG_ENABLE_SPTM
            #  EXTRAS =      [ config_sptm ]
            #else
            #  EXTRAS =      [ config_pmap_ppl ]
            #endif
            #  RELEASE =     [ medium EXTRAS ]
            """ + (development ? "\n#  DEVELOPMENT = [ medium EXTRAS development ]" : string.Empty) + """

            options		CONFIG_SPTM		# <config_sptm>
            options		CONFIG_PMAP_PPL		# <config_pmap_ppl>
            """ + (development ? "\noptions		DEVELOPMENT		# <development>\n" : string.Empty));
        tree.Write("config/MASTER.arm64", "options		CONFIG_ARM64_WIDGETS\n");
        tree.Write("osfmk/conf/files", """
            osfmk/arm64/widget_pmap.c	standard
            osfmk/arm64/widget_plain.c	standard
            osfmk/arm64/widget_vm_init.c	optional config_pmap_ppl
            """ + (development ? "\nosfmk/arm64/widget_debug_pmap.c	standard\n" : string.Empty));
        tree.Write("osfmk/conf/Makefile.template", "CFLAGS+= -include meta_features.h -DMACH_KERNEL_PRIVATE\n");
        tree.Write("bsd/conf/Makefile.template", "CFLAGS+= -include meta_features.h -DBSD_KERNEL_PRIVATE\n");
        tree.Write("iokit/Kernel/.keep", string.Empty);
        tree.Write("osfmk/arm64/widget_pmap.c", """
            #include <pexpert/arm64/board_config.h>

            typedef unsigned long long	pt_entry_t;

            void
            widget_pte_set(pt_entry_t *ptep, pt_entry_t value)
            {
            	*ptep = value;
            #if XNU_MONITOR
            	ptep[1] = value;
            #endif
            #if CONFIG_SPTM
            	ptep[2] = value;
            #endif
            #if 0
            	ptep[3] = value;
            #endif
            }
            """);
        tree.Write("osfmk/arm64/widget_plain.c", """
            typedef unsigned long long	pt_entry_t;

            void
            widget_pte_clear(pt_entry_t *ptep)
            {
            	*ptep = 0;
            }
            """);
        tree.Write("osfmk/arm64/widget_vm_init.c", """
            #include <pexpert/arm64/board_config.h>

            typedef unsigned long long	pt_entry_t;

            void
            widget_vm_init(pt_entry_t *ptep)
            {
            #if KERNEL_INTEGRITY_CTRR
            	ptep[4] = 0;
            #endif
            }
            """);
        return tree;
    }

    private static ScanResult Scan(TempTree tree, string cache, ImmutableArray<string>? boards = null, (int, int)? shard = null)
    {
        var outcome = ScanPipeline.Run(new ScanRequest
        {
            Root = tree.Root,
            Arches = ["arm64"],
            Jobs = 1,
            CacheDirectory = cache,
            Boards = boards,
            Shard = shard,
        });
        Assert.Null(outcome.Error);
        return outcome.Result!;
    }

    private static Finding Store(ScanResult result, string file, string detail) =>
        Assert.Single(result.Findings, f => f.File == file && f.RuleId == "pt.pte-store" && f.Detail.Contains(detail, StringComparison.Ordinal));

    [Fact]
    public void Only_a_file_whose_conditionals_test_what_a_board_changes_is_parsed_again_for_it()
    {
        using var tree = BoardTree();
        using var cache = new TempTree();
        var discovery = XnuProfileTests.Discover(tree, cache.Root, "arm64");

        Assert.Null(discovery.Error);
        Assert.Equal(["W1000", "W2000", "WVIRT"], discovery.Platforms.ToArray());
        var pmap = discovery.Variants.Where(v => v.RelativePath == "osfmk/arm64/widget_pmap.c").OrderBy(v => v.Platform, StringComparer.Ordinal).ToList();
        Assert.Equal(["W1000", "W2000"], pmap.Select(v => v.Platform!).ToArray());
        Assert.Contains("-DARM64_BOARD_CONFIG_W2000", pmap[1].Arguments);
        Assert.Contains("-DCONFIG_SPTM", pmap[1].Arguments);
        // widget_plain.c tests nothing: every board shares its text, and it is parsed once.
        var plain = Assert.Single(discovery.Units, u => u.RelativePath == "osfmk/arm64/widget_plain.c");
        Assert.Equal(["WVIRT", "W1000", "W2000"], plain.Platforms.ToArray());
        Assert.DoesNotContain(discovery.Variants, v => v.RelativePath == "osfmk/arm64/widget_plain.c");
        // The SPTM board does not build a config_pmap_ppl file: it is parsed again for the PPL board only.
        var vmInit = Assert.Single(discovery.Variants, v => v.RelativePath == "osfmk/arm64/widget_vm_init.c");
        Assert.Equal("W1000", vmInit.Platform);
    }

    [Fact]
    public void A_store_only_the_ppl_board_compiles_is_inactive_with_that_board()
    {
        using var tree = BoardTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var monitor = Store(result, "osfmk/arm64/widget_pmap.c", "ptep[1]");
        Assert.False(monitor.Active);
        Assert.Equal(["W1000"], monitor.Platforms.ToArray());
        Assert.Equal(["RELEASE"], monitor.Configurations.ToArray());
        Assert.Equal(["W1000"], Store(result, "osfmk/arm64/widget_vm_init.c", "ptep[4]").Platforms.ToArray());
        Assert.Equal(["W1000", "W2000", "WVIRT"], result.Platforms.ToArray());
    }

    [Fact]
    public void A_store_only_the_sptm_board_compiles_is_inactive_with_that_board()
    {
        using var tree = BoardTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var sptm = Store(result, "osfmk/arm64/widget_pmap.c", "ptep[2]");
        Assert.False(sptm.Active);
        Assert.Equal(["W2000"], sptm.Platforms.ToArray());
    }

    [Fact]
    public void A_store_every_board_compiles_is_active_and_lists_them_all()
    {
        using var tree = BoardTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var store = Store(result, "osfmk/arm64/widget_pmap.c", "*ptep");
        Assert.True(store.Active);
        Assert.Equal(["W1000", "W2000", "WVIRT"], store.Platforms.ToArray());
        Assert.Equal(1, store.Units);
        Assert.Equal(["W1000", "W2000", "WVIRT"], Store(result, "osfmk/arm64/widget_plain.c", "*ptep").Platforms.ToArray());
        Assert.Empty(Store(result, "osfmk/arm64/widget_pmap.c", "ptep[3]").Platforms);
    }

    [Fact]
    public void Boards_none_gives_the_report_of_a_scan_without_boards()
    {
        using var tree = BoardTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root, []);

        Assert.Empty(result.Platforms);
        Assert.All(result.Findings, f => Assert.Empty(f.Platforms));
        var monitor = Store(result, "osfmk/arm64/widget_pmap.c", "ptep[1]");
        Assert.False(monitor.Active);
        Assert.Empty(monitor.Configurations);
        using var stream = new MemoryStream();
        JsonReportWriter.Write(result, stream);
        Assert.DoesNotContain("\"platforms\"", System.Text.Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_tree_without_boards_writes_no_platforms()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        using var cache = new TempTree();
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Arches = ["x86_64", "arm64"], Jobs = 1, CacheDirectory = cache.Root });

        Assert.Null(outcome.Error);
        Assert.Empty(outcome.Result!.Platforms);
        using var stream = new MemoryStream();
        JsonReportWriter.Write(outcome.Result, stream);
        Assert.DoesNotContain("\"platforms\"", System.Text.Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public void Chosen_boards_are_the_only_ones_parsed_again()
    {
        using var tree = BoardTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root, ["w2000"]);

        Assert.Equal(["W2000", "WVIRT"], result.Platforms.ToArray());
        Assert.Empty(Store(result, "osfmk/arm64/widget_pmap.c", "ptep[1]").Platforms);
        Assert.Equal(["W2000"], Store(result, "osfmk/arm64/widget_pmap.c", "ptep[2]").Platforms.ToArray());
    }

    [Fact]
    public void An_unknown_board_is_an_input_error_naming_the_known_ones()
    {
        using var tree = BoardTree();
        using var cache = new TempTree();
        var outcome = ScanPipeline.Run(new ScanRequest { Root = tree.Root, Arches = ["arm64"], Jobs = 1, CacheDirectory = cache.Root, Boards = ["T9999"] });

        Assert.NotNull(outcome.Error);
        Assert.Contains("--boards T9999: T9999 is not a board", outcome.Error!.ToString(), StringComparison.Ordinal);
        Assert.Contains("W1000", outcome.Error!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void The_merge_of_shards_is_the_whole_scan(int shardCount) => AssertShardsMergeToTheWholeScan(BoardTree(), shardCount);

    /// <summary>Scans TREE (then disposed) whole and in SHARDCOUNT shards and asserts the merged JSON is the whole scan's, byte for byte.</summary>
    private static void AssertShardsMergeToTheWholeScan(TempTree scanned, int shardCount)
    {
        using var tree = scanned;
        using var outputs = new TempTree();
        var whole = Path.Combine(outputs.Root, "whole.json");
        var (wholeExit, _, wholeError) = Cli.CliRunner.Run("scan", tree.Root, "--arch", "arm64", "-j", "1", "--no-cache", "-o", whole);
        Assert.True(wholeExit == 0, wholeError);
        Assert.Contains("\"platforms\"", File.ReadAllText(whole), StringComparison.Ordinal);
        var shards = new List<string>();
        for (var k = 1; k <= shardCount; k++)
        {
            shards.Add(Path.Combine(outputs.Root, $"shard{k}.json"));
            var (exit, _, error) = Cli.CliRunner.Run("scan", tree.Root, "--arch", "arm64", "-j", "1", "--no-cache", "--shard", $"{k}/{shardCount}", "-o", shards[^1]);
            Assert.True(exit == 0, error);
        }
        var merged = Path.Combine(outputs.Root, "merged.json");
        var (mergeExit, _, mergeError) = Cli.CliRunner.Run(["merge", .. shards, "-o", merged]);
        Assert.True(mergeExit == 0, mergeError);
        Assert.Equal(File.ReadAllText(whole), File.ReadAllText(merged));
    }

    /// <summary>
    /// The board tree with a system-register template header (as xnu-11417's osfmk/arm64/proc_reg.h `MRS(dest, reg)` and
    /// `MSR(reg, src)`) and units using it: every unit reads an EL1 register, the monitor boards' code also an
    /// implementation-defined one, and only their code writes one.
    /// </summary>
    private static TempTree SysregTemplateTree()
    {
        var tree = BoardTree(development: false);
        string[] users = ["a", "b", "c"];
        tree.Write("osfmk/conf/files", """
            osfmk/arm64/widget_pmap.c	standard
            osfmk/arm64/widget_plain.c	standard
            osfmk/arm64/widget_vm_init.c	optional config_pmap_ppl
            """ + string.Concat(users.Select(u => $"\nosfmk/arm64/widget_cpu_{u}.c\tstandard")) + "\n");
        tree.Write("osfmk/arm64/widget_reg.h", """
            #define MSR(reg, src) __asm__ volatile ("msr " reg ", %0" :: "r" (src))
            #define MRS(dest, reg) __asm__ volatile ("mrs %0, " reg : "=r" (dest))
            """);
        foreach (var user in users)
        {
            tree.Write($"osfmk/arm64/widget_cpu_{user}.c", $$"""
                #include <pexpert/arm64/board_config.h>
                #include "widget_reg.h"

                unsigned long
                widget_cpu_{{user}}(void)
                {
                	unsigned long v;
                	MRS(v, "SCTLR_EL1");
                #if XNU_MONITOR
                	MRS(v, "S3_5_C15_C1_1");
                	MSR("S3_5_C15_C0_0", v);
                #endif
                	return v;
                }
                """);
        }
        return tree;
    }

    [Fact]
    public void A_system_register_template_is_one_finding_with_the_rule_and_uses_of_every_board()
    {
        using var tree = SysregTemplateTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var mrs = Assert.Single(result.Findings, f => f.File == "osfmk/arm64/widget_reg.h" && f.Line == 2);
        Assert.Equal("arm64.sysreg-impdef", mrs.RuleId);
        Assert.True(mrs.Active);
        Assert.Equal(6, mrs.Expansions.Length);
        Assert.Equal(["W1000", "W2000", "WVIRT"], mrs.Platforms.ToArray());
        var msr = Assert.Single(result.Findings, f => f.File == "osfmk/arm64/widget_reg.h" && f.Line == 1);
        Assert.Equal("arm64.sysreg-impdef", msr.RuleId);
        Assert.Equal(3, msr.Expansions.Length);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void A_system_register_template_merges_to_the_whole_scan(int shardCount) =>
        AssertShardsMergeToTheWholeScan(SysregTemplateTree(), shardCount);

    /// <summary>The board tree with a store wrapper in a file no board changes, called from a board's code only.</summary>
    private static TempTree BoardWrapperTree()
    {
        var tree = BoardTree(development: false);
        tree.Write("osfmk/arm64/widget_plain.c", """
            typedef unsigned long long	pt_entry_t;

            void
            widget_pte_clear(pt_entry_t *ptep)
            {
            	*ptep = 0;
            }
            """);
        tree.Write("osfmk/arm64/widget_pmap.c", """
            #include <pexpert/arm64/board_config.h>

            typedef unsigned long long	pt_entry_t;
            void widget_pte_clear(pt_entry_t *ptep);

            void
            widget_pte_reset(pt_entry_t *ptep)
            {
            	widget_pte_clear(ptep);
            #if XNU_MONITOR
            	widget_pte_clear(ptep + 1);
            #endif
            }
            """);
        return tree;
    }

    [Fact]
    public void A_store_wrapper_lists_the_calls_only_a_board_compiles()
    {
        using var tree = BoardWrapperTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var wrapper = Assert.Single(result.Findings, f => f.RuleId == "pt.pte-store-wrapper" && f.Function == "widget_pte_clear");
        Assert.Equal([9, 11], wrapper.Expansions.Select(e => e.Line).ToArray());
        Assert.Equal("2", wrapper.Properties["callers"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void A_store_wrapper_with_a_board_s_callers_merges_to_the_whole_scan(int shardCount) =>
        AssertShardsMergeToTheWholeScan(BoardWrapperTree(), shardCount);

    /// <summary>The board tree with a DEVELOPMENT configuration and a pmap file whose stores test a board's macro and DEVELOPMENT.</summary>
    private static TempTree BoardAndDevelopmentTree()
    {
        var tree = BoardTree(development: true);
        tree.Write("osfmk/arm64/widget_debug_pmap.c", """
            #include <pexpert/arm64/board_config.h>

            typedef unsigned long long	pt_entry_t;

            void
            widget_pte_check(pt_entry_t *ptep)
            {
            #if XNU_MONITOR && DEVELOPMENT
            	ptep[5] = 0;
            #endif
            #if XNU_MONITOR
            	ptep[6] = 0;
            #endif
            }
            """);
        return tree;
    }

    [Fact]
    public void A_store_only_a_board_in_another_configuration_compiles_is_inactive_with_both()
    {
        using var tree = BoardAndDevelopmentTree();
        using var cache = new TempTree();
        var result = Scan(tree, cache.Root);

        var both = Store(result, "osfmk/arm64/widget_debug_pmap.c", "ptep[5]");
        Assert.False(both.Active);
        Assert.Equal(["DEVELOPMENT"], both.Configurations.ToArray());
        Assert.Equal(["W1000"], both.Platforms.ToArray());
        // A board's parse stands for every configuration that gives the file its text on that board.
        Assert.Equal(["RELEASE", "DEVELOPMENT"], Store(result, "osfmk/arm64/widget_pmap.c", "ptep[1]").Configurations.ToArray());
    }
}
