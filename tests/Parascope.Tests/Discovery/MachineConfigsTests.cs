using System.Text.Json;
using Parascope.Cli;
using Parascope.Discovery.Xnu;

namespace Parascope.Tests.Discovery;

/// <summary>
/// The arm64 board each release's own makefiles would build, read from three original trees in the three layouts XNU
/// has had: a build default in MakeInc.top (xnu-6153 on), a SUPPORTED list in MakeInc.def only, and no makefile
/// board at all, only board_config.h's blocks (xnu-4570). A unit #errors unless the board's SoC header was reached.
/// </summary>
public sealed class MachineConfigsTests
{
    private const string ProcReg = """
        #include <pexpert/arm64/board_config.h>
        #if !defined(WIDGET_SOC_FAMILY)
        #error Incompatible CPU type configured
        #endif
        int widget_cpu = WIDGET_SOC_FAMILY;
        """;

    /// <summary>board_config.h with a board whose SoC header the tree lacks (WX1, as Apple's unreleased SoCs), then two it carries.</summary>
    private static TempTree Tree()
    {
        var tree = new TempTree();
        tree.Write("iokit/Kernel/.keep", string.Empty);
        tree.Write("bsd/kern/.keep", string.Empty);
        tree.Write("osfmk/arm64/widget_cpu.c", ProcReg);
        tree.Write("osfmk/x86_64/widget_pmap.c", "int widget_pmap;\n");
        tree.Write("pexpert/pexpert/arm64/board_config.h", """
            #ifndef _WIDGET_BOARD_CONFIG_H
            #define _WIDGET_BOARD_CONFIG_H
            #ifdef ARM64_BOARD_CONFIG_WX1
            #include <pexpert/arm64/WX1.h>
            #endif
            #ifdef ARM64_BOARD_CONFIG_WA7
            #include <pexpert/arm64/WA7.h>
            #define WIDGET_MAX_CPUS 2
            #endif
            #ifdef ARM64_BOARD_CONFIG_WVM
            #include <pexpert/arm64/WVM.h>
            #endif
            #endif
            """);
        tree.Write("pexpert/pexpert/arm64/WA7.h", "#define WIDGET_SOC_FAMILY 7\n");
        tree.Write("pexpert/pexpert/arm64/WVM.h", "#define WIDGET_SOC_FAMILY 99\n");
        return tree;
    }

    private const string MakeIncDef = """
        SUPPORTED_X86_64_MACHINE_CONFIGS = NONE
        ifneq ($(findstring _Sim,$(RC_ProjectName)),)
        SUPPORTED_ARM64_MACHINE_CONFIGS = NONE
        else
        SUPPORTED_ARM64_MACHINE_CONFIGS = WX1 WA7 WVM
        endif
        MACHINE_FLAGS_ARM64_WX1 = -DARM64_BOARD_CONFIG_WX1 -mcpu=widget-x1
        MACHINE_FLAGS_ARM64_WA7 = -DARM64_BOARD_CONFIG_WA7 -mcpu=widget-a7
        MACHINE_FLAGS_ARM64_WVM = -DARM64_BOARD_CONFIG_WVM -march=armv8.5a

        """;

    [Fact]
    public void The_build_default_of_MakeInc_top_is_chosen_with_its_line()
    {
        using var tree = Tree();
        tree.Write("makedefs/MakeInc.def", MakeIncDef);
        tree.Write("makedefs/MakeInc.top", """
            override DEFAULT_X86_64_MACHINE_CONFIG := NONE
            ifneq ($(findstring _Sim,$(RC_ProjectName)),)
            override DEFAULT_ARM64_MACHINE_CONFIG	:= NONE
            else
            override DEFAULT_ARM64_MACHINE_CONFIG	:= WVM
            endif
            """);

        var choice = MachineConfigs.Choose(tree.Root, "arm64", null).Value!;

        Assert.Equal("WVM", choice.Name);
        Assert.Equal("makedefs/MakeInc.top:5 DEFAULT_ARM64_MACHINE_CONFIG", choice.Source);
        Assert.Equal("-DARM64_BOARD_CONFIG_WVM", string.Join(" ", choice.Defines));
        Assert.StartsWith("pexpert/arm64/WVM.h", choice.SocHeader);
    }

    [Fact]
    public void Without_a_default_the_first_supported_board_whose_SoC_header_the_tree_carries_is_chosen()
    {
        using var tree = Tree();
        tree.Write("makedefs/MakeInc.def", MakeIncDef);

        var choice = MachineConfigs.Choose(tree.Root, "arm64", null).Value!;

        Assert.Equal("WA7", choice.Name);
        Assert.StartsWith("makedefs/MakeInc.def:5 SUPPORTED_ARM64_MACHINE_CONFIGS", choice.Source);
    }

    [Fact]
    public void A_tree_whose_makefiles_name_no_board_gets_the_first_usable_block_of_board_config_h()
    {
        using var tree = Tree();
        tree.Write("makedefs/MakeInc.def", "SUPPORTED_X86_64_MACHINE_CONFIGS = NONE\n");

        var choice = MachineConfigs.Choose(tree.Root, "arm64", null).Value!;

        Assert.Equal("WA7", choice.Name);
        Assert.Equal("-DARM64_BOARD_CONFIG_WA7", string.Join(" ", choice.Defines));
        Assert.StartsWith("pexpert/pexpert/arm64/board_config.h:6", choice.Source);
    }

    [Fact]
    public void X86_has_the_single_machine_configuration_NONE_which_adds_no_flag()
    {
        using var tree = Tree();
        tree.Write("makedefs/MakeInc.def", MakeIncDef);

        var choice = MachineConfigs.Choose(tree.Root, "x86_64", null).Value!;

        Assert.Equal(MachineConfigs.None, choice.Name);
        Assert.Empty(choice.Defines);
    }

    [Fact]
    public void Every_arm64_unit_parses_with_the_chosen_board_and_the_report_records_it()
    {
        using var tree = Tree();
        tree.Write("makedefs/MakeInc.def", MakeIncDef);
        using var cache = new TempTree();
        var output = Path.Combine(cache.Root, "scan.json");

        var (exit, _, error) = Cli.CliRunner.Run("scan", tree.Root, "--arch", "arm64", "--arch", "x86_64", "--units", "--jobs", "1", "--quiet", "-o", output);

        Assert.True(exit == ExitCodes.Done, error);
        using var report = JsonDocument.Parse(File.ReadAllText(output));
        var scan = report.RootElement.GetProperty("scan");
        Assert.Equal(0, scan.GetProperty("units").GetProperty("withErrors").GetInt32());
        var machines = scan.GetProperty("machineConfigs").EnumerateArray().ToDictionary(m => m.GetProperty("arch").GetString()!, m => m.GetProperty("name").GetString());
        Assert.Equal("WA7", machines["arm64"]);
        Assert.Equal("NONE", machines["x86_64"]);
    }

    [Fact]
    public void Machine_config_overrides_the_choice_and_explain_says_where_it_came_from()
    {
        using var tree = Tree();
        tree.Write("makedefs/MakeInc.def", MakeIncDef);
        var file = Path.Combine(tree.Root, "osfmk/arm64/widget_cpu.c");

        var (exit, output, error) = Cli.CliRunner.Run("explain", file, "--arch", "arm64", "--machine-config", "wvm");

        Assert.True(exit == ExitCodes.Done, error);
        Assert.Contains("machine:  WVM (--machine-config; -DARM64_BOARD_CONFIG_WVM from makedefs/MakeInc.def:9 MACHINE_FLAGS_ARM64_WVM)", output);
        Assert.Contains("soc:      pexpert/arm64/WVM.h", output);
        Assert.Contains("status:   clean", output);
    }

    [Fact]
    public void An_unknown_machine_config_is_an_input_error_listing_the_known_ones()
    {
        using var tree = Tree();
        tree.Write("makedefs/MakeInc.def", MakeIncDef);

        var (exit, _, error) = Cli.CliRunner.Run("scan", tree.Root, "--arch", "arm64", "--machine-config", "T9999", "--quiet");

        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--machine-config T9999: not a machine configuration of", error);
        Assert.Contains("for arm64 (known: WX1, WA7, WVM)", error);
    }
}
