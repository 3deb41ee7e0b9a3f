using Parascope.Reports.Markdown;
using Parascope.Rules;
using Parascope.Tests.Cli;
using Parascope.Tests.Reports;

namespace Parascope.Tests.Rules;

/// <summary>docs/rules.md's Rule reference is generated from the rules and cannot go stale; help links point into it.</summary>
public sealed class RuleReferenceTests
{
    private static string DocsRules => Path.Combine(ReportTrees.RepositoryRoot, "docs", "rules.md");

    private static string ReferenceSection(string markdown)
    {
        var text = markdown.Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = text.IndexOf(RuleReferenceWriter.StartMarker, StringComparison.Ordinal);
        var end = text.IndexOf(RuleReferenceWriter.EndMarker, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/rules.md has no generated Rule reference section (start and end markers)");
        return text[start..(end + RuleReferenceWriter.EndMarker.Length)] + "\n";
    }

    [Fact]
    public void The_rule_reference_in_docs_rules_md_is_what_the_rules_give()
    {
        var expected = RuleReferenceWriter.Write(RuleLoader.LoadBuiltIn().Rules);
        var actual = ReferenceSection(File.ReadAllText(DocsRules));
        if (actual != expected)
        {
            var expectedLines = expected.Split('\n');
            var actualLines = actual.Split('\n');
            var first = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length)).FirstOrDefault(i => expectedLines[i] != actualLines[i], Math.Min(expectedLines.Length, actualLines.Length));
            Assert.Fail(
                "docs/rules.md's Rule reference is stale; regenerate it as docs/rules.md says (parascope rules list --format markdown). " +
                $"First difference at line {first + 1} of the section:{Environment.NewLine}" +
                $"  docs:  {actualLines.ElementAtOrDefault(first)}{Environment.NewLine}  rules: {expectedLines.ElementAtOrDefault(first)}");
        }
    }

    [Fact]
    public void The_check_sees_a_hand_edit_of_the_reference()
    {
        var generated = RuleReferenceWriter.Write(RuleLoader.LoadBuiltIn().Rules);
        var edited = generated.Replace("| xen-pv | error |", "| xen-pv | note |", StringComparison.Ordinal);
        Assert.NotEqual(generated, edited);
        Assert.NotEqual(generated, ReferenceSection("# Rule files\n\n" + edited));
    }

    [Fact]
    public void Every_built_in_rule_has_an_absolute_help_link_to_its_anchor_in_the_reference()
    {
        var docs = File.ReadAllText(DocsRules);
        foreach (var rule in RuleLoader.LoadBuiltIn().Rules)
        {
            Assert.True(Uri.TryCreate(rule.HelpUri, UriKind.Absolute, out var uri), $"{rule.Id}: help link '{rule.HelpUri}' is not an absolute URI");
            Assert.Equal(RuleDocumentation.ProjectUri + "docs/rules.md#" + rule.Id, rule.HelpUri);
            Assert.Equal(rule.Id, uri.Fragment.TrimStart('#'));
            Assert.Contains($"<a id=\"{rule.Id}\"></a>", docs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_user_rule_has_no_help_link_into_the_built_in_reference()
    {
        var loaded = RuleLoader.LoadTexts([("mine.yaml", """
            rules:
              - id: mine.cli
                category: instruction
                title: my cli
                description: mine
                arch: x86
                match: { mnemonics: [cli] }
                targets:
                  xen-pv: { severity: note, action: "a" }
                  xen-pvh: { severity: note, action: "a" }
                  xen-hvm: { severity: note, action: "a" }
            """)]);
        Assert.Empty(loaded.Errors);
        Assert.Null(Assert.Single(loaded.Rules).HelpUri);
    }

    [Fact]
    public void Rules_list_in_markdown_prints_the_reference_section()
    {
        var (exit, output, error) = CliRunner.Run("rules", "list", "--format", "markdown");
        Assert.Equal((0, string.Empty), (exit, error));
        Assert.Equal(RuleReferenceWriter.Write(RuleLoader.LoadBuiltIn().Rules), output);
    }
}
