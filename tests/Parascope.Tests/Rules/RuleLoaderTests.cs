using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Tests.Rules;

public sealed class RuleLoaderTests
{
    private const string ValidRule = """
        rules:
          - id: x86.sample-cli
            category: instruction
            title: Clear interrupt flag
            description: Masks interrupts.
            arch: x86
            class: iopl-sensitive
            match:
              mnemonics: [cli]
            targets:
              xen-pv: { severity: error, action: "Set the upcall mask in vcpu_info." }
              xen-pvh: { severity: note, action: "None." }
              xen-hvm: { severity: note, action: "None." }
        """;

    private static RuleLoader.Result Load(string text) => RuleLoader.LoadTexts([("test.yaml", text)]);

    [Fact]
    public void A_valid_rule_loads_with_its_targets()
    {
        var result = Load(ValidRule);
        Assert.Empty(result.Errors);
        var rule = Assert.Single(result.Rules);
        Assert.Equal("x86.sample-cli", rule.Id);
        Assert.Equal(Severity.Error, rule.For(XenTarget.XenPv).Severity);
        Assert.Equal(new[] { "cli" }, rule.Match.Mnemonics.ToArray());
        Assert.Equal("test.yaml:2", rule.Origin);
    }

    [Fact]
    public void Broken_yaml_is_reported_with_file_and_line()
    {
        var result = Load("rules:\n  - id: a\n    title: [unclosed\n");
        var error = Assert.Single(result.Errors);
        Assert.Equal("test.yaml", error.File);
        Assert.True(error.Line >= 3, error.ToString());
    }

    [Fact]
    public void An_unknown_match_key_names_its_line()
    {
        var result = Load(ValidRule.Replace("mnemonics: [cli]", "mnemonix: [cli]"));
        var error = Assert.Single(result.Errors);
        Assert.Equal(9, error.Line);
        Assert.Contains("mnemonix", error.Message);
    }

    [Fact]
    public void A_missing_target_is_an_error()
    {
        var result = Load(ValidRule.Replace("      xen-hvm: { severity: note, action: \"None.\" }", ""));
        Assert.Contains(result.Errors, e => e.Message.Contains("xen-hvm"));
    }

    [Fact]
    public void A_bad_severity_is_an_error()
    {
        var result = Load(ValidRule.Replace("severity: error", "severity: fatal"));
        Assert.Contains(result.Errors, e => e.Message.Contains("fatal") && e.Line == 11);
    }

    [Fact]
    public void Duplicate_ids_across_files_are_errors()
    {
        var result = RuleLoader.LoadTexts([("a.yaml", ValidRule), ("b.yaml", ValidRule)]);
        Assert.Contains(result.Errors, e => e.File == "b.yaml" && e.Message.Contains("duplicate"));
    }

    [Fact]
    public void The_built_in_rules_are_valid()
    {
        var result = RuleLoader.LoadBuiltIn();
        Assert.True(result.Errors.IsEmpty, string.Join("\n", result.Errors));
    }

    [Fact]
    public void An_operation_names_a_hook()
    {
        var rule = Assert.Single(Load(ValidRule.Replace("    targets:", "    operation: disable-interrupts\n    targets:")).Rules);
        Assert.Equal("disable-interrupts", rule.Operation!.Hook);
    }

    [Fact]
    public void An_unknown_operation_is_an_error_on_its_line()
    {
        var error = Assert.Single(Load(ValidRule.Replace("    targets:", "    operation: mask-everything\n    targets:")).Errors);
        Assert.Equal(("test.yaml", 10), (error.File, error.Line));
        Assert.Contains("mask-everything", error.Message);
    }

    [Fact]
    public void An_operation_mapping_gives_each_matched_item_its_hook()
    {
        var text = ValidRule.Replace("mnemonics: [cli]", "mnemonics: [cli, sti]")
            .Replace("    targets:", "    operation: { cli: disable-interrupts, sti: enable-interrupts }\n    targets:");
        var rule = Assert.Single(Load(text).Rules);
        Assert.Equal("enable-interrupts", rule.Operation!.For("STI"));
        Assert.Equal(["disable-interrupts", "enable-interrupts"], rule.Operation.Hooks);
    }

    [Fact]
    public void An_operation_mapping_that_misses_a_matched_item_needs_a_default()
    {
        var text = ValidRule.Replace("mnemonics: [cli]", "mnemonics: [cli, sti]")
            .Replace("    targets:", "    operation: { cli: disable-interrupts }\n    targets:");
        var error = Assert.Single(Load(text).Errors);
        Assert.Equal(10, error.Line);
        Assert.Contains("'sti'", error.Message);
    }

    [Fact]
    public void An_operation_key_outside_the_match_is_an_error()
    {
        var text = ValidRule.Replace("    targets:", "    operation: { cli: disable-interrupts, hlt: halt }\n    targets:");
        Assert.Contains(Load(text).Errors, e => e.Line == 10 && e.Message.Contains("'hlt'"));
    }

    [Fact]
    public void Emitted_is_only_for_builtin_and_encoding_rules()
    {
        var error = Assert.Single(Load(ValidRule.Replace("    targets:", "    operation: emitted\n    targets:")).Errors);
        Assert.Contains("emits", error.Message);
    }
}
