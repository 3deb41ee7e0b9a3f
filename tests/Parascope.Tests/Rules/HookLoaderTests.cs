using Parascope.Graph;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Tests.Rules;

public sealed class HookLoaderTests
{
    private static readonly HashSet<string> Phases = ["boot", "mmu"];

    private const string ValidHooks = """
        layers:
          - id: sample-pal
            title: A sample layer
        hooks:
          - id: load-page-table-base
            title: Load the page-table base
            phase: mmu
            action:
              xen-pv: "MMUEXT_NEW_BASEPTR."
              xen-pvh: "Native."
              xen-hvm: "Native."
            xen: ["xen/include/public/xen.h: MMUEXT_NEW_BASEPTR"]
            linux: ["pv_ops.mmu.write_cr3 (arch/x86/include/asm/paravirt_types.h)"]
            existing-layers: { sample-pal: [pal_switch_pmap] }
        """;

    private static HookLoader.Result Load(string text) => HookLoader.LoadText("hooks.yaml", text, Phases);

    [Fact]
    public void A_valid_hook_loads_with_its_actions_and_layers()
    {
        var result = Load(ValidHooks);
        Assert.Empty(result.Errors);
        var hook = Assert.Single(result.Hooks.Hooks);
        Assert.Equal("mmu", hook.Phase);
        Assert.Equal("MMUEXT_NEW_BASEPTR.", hook.ActionFor(XenTarget.XenPv));
        Assert.Equal(["pal_switch_pmap"], (IEnumerable<string>)hook.ExistingLayers["sample-pal"]);
        Assert.Equal("hooks.yaml:5", hook.Origin);
    }

    [Fact]
    public void An_unknown_phase_is_an_error_on_its_line()
    {
        var error = Assert.Single(Load(ValidHooks.Replace("phase: mmu", "phase: mmmu")).Errors);
        Assert.Equal(("hooks.yaml", 7), (error.File, error.Line));
        Assert.Contains("mmmu", error.Message);
    }

    [Fact]
    public void A_missing_target_action_is_an_error()
    {
        var result = Load(ValidHooks.Replace("      xen-hvm: \"Native.\"\n", ""));
        Assert.Contains(result.Errors, e => e.Line == 8 && e.Message.Contains("xen-hvm"));
    }

    [Fact]
    public void An_undeclared_layer_is_an_error_on_its_line()
    {
        var error = Assert.Single(Load(ValidHooks.Replace("{ sample-pal:", "{ other-pal:")).Errors);
        Assert.Equal(14, error.Line);
        Assert.Contains("other-pal", error.Message);
    }

    [Fact]
    public void An_unknown_key_and_a_missing_xen_citation_are_errors()
    {
        var result = Load(ValidHooks.Replace("    xen: [\"xen/include/public/xen.h: MMUEXT_NEW_BASEPTR\"]\n", "    xem: []\n"));
        Assert.Contains(result.Errors, e => e.Line == 12 && e.Message.Contains("xem"));
        Assert.Contains(result.Errors, e => e.Message.Contains("'xen'"));
    }

    [Fact]
    public void Duplicate_hook_ids_are_errors()
    {
        var twice = ValidHooks + "\n" + ValidHooks[ValidHooks.IndexOf("  - id: load-page-table-base", StringComparison.Ordinal)..];
        Assert.Contains(Load(twice).Errors, e => e.Message.Contains("duplicate hook id"));
    }

    [Fact]
    public void Broken_yaml_is_reported_with_file_and_line()
    {
        var error = Assert.Single(Load("hooks:\n  - id: a\n    title: [unclosed\n").Errors);
        Assert.True(error.Line >= 3, error.ToString());
    }

    [Fact]
    public void The_built_in_hook_table_is_valid()
    {
        var result = HookLoader.LoadBuiltIn();
        Assert.Empty(result.Errors);
        Assert.True(result.Hooks.Hooks.Length >= 30, $"{result.Hooks.Hooks.Length} hooks");
    }

    [Fact]
    public void Every_built_in_hook_names_a_phase_of_the_port()
    {
        var phases = PortPhases.BuiltIn().Phases.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(HookLoader.LoadBuiltIn().Hooks.Hooks, hook => Assert.Contains(hook.Phase, phases));
    }

    [Fact]
    public void Every_built_in_instruction_and_page_table_rule_names_an_existing_hook()
    {
        var loaded = RuleLoader.LoadBuiltIn();
        Assert.Empty(loaded.Errors);
        foreach (var rule in loaded.Rules.Where(r => r.Category is FindingCategory.Instruction or FindingCategory.PageTable))
        {
            Assert.True(rule.Operation is not null, $"{rule.Id} has no operation");
            Assert.All(rule.Operation!.Hooks, hook => Assert.True(loaded.Hooks.Contains(hook), $"{rule.Id}: {hook}"));
        }
    }

    [Fact]
    public void Every_built_in_hook_is_named_by_some_rule()
    {
        var loaded = RuleLoader.LoadBuiltIn();
        var named = loaded.Rules.Where(r => r.Operation is not null).SelectMany(r => r.Operation!.Hooks).ToHashSet(StringComparer.Ordinal);
        Assert.All(loaded.Hooks.Hooks, hook => Assert.Contains(hook.Id, named));
    }

    [Fact]
    public void Existing_layer_functions_name_declared_layers()
    {
        var hooks = HookLoader.LoadBuiltIn().Hooks;
        var layers = hooks.Layers.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("xnu-pal", layers);
        Assert.All(hooks.Hooks.SelectMany(h => h.ExistingLayers.Keys), layer => Assert.Contains(layer, layers));
    }

    [Fact]
    public void A_rules_folder_may_add_hooks_its_rules_name()
    {
        using var tree = new TempTree();
        tree.Write("hooks.yaml", ValidHooks.Replace("load-page-table-base", "switch-world").Replace("phase: mmu", "phase: boot")
            .Replace("layers:\n  - id: sample-pal\n    title: A sample layer\n", "").Replace("    existing-layers: { sample-pal: [pal_switch_pmap] }", ""));
        tree.Write("mine.yaml", """
            rules:
              - id: mine.world-switch
                category: instruction
                title: World switch
                description: A made-up instruction.
                arch: x86
                match: { mnemonics: [wswitch] }
                operation: switch-world
                targets:
                  xen-pv: { severity: error, action: "Call the hook." }
                  xen-pvh: { severity: note, action: "None." }
                  xen-hvm: { severity: note, action: "None." }
            """);
        var result = RuleLoader.LoadDirectory(tree.Root);
        Assert.Empty(result.Errors);
        Assert.True(result.Hooks.Contains("switch-world"));
        Assert.True(result.Hooks.Contains("store-pte"));
        Assert.Equal("switch-world", Assert.Single(result.Rules).Operation!.Hook);
    }

    [Fact]
    public void Rules_validate_names_the_file_and_line_of_a_broken_hook()
    {
        using var tree = new TempTree();
        tree.Write("hooks.yaml", ValidHooks.Replace("phase: mmu", "phase: later"));
        var (exit, _, error) = Parascope.Tests.Cli.CliRunner.Run("rules", "validate", tree.Root);
        Assert.Equal(Parascope.Cli.ExitCodes.UsageOrInputError, exit);
        Assert.Contains("hooks.yaml:7:", error);
    }
}
