using System.Collections.Immutable;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Tests.Detectors;

/// <summary>
/// Every rule of the built-in set that reports findings under its own id is shown working by at least one
/// `expect:` line in some fixture, so that a rule nobody ever saw fire cannot ship. The classifier rules of
/// rules/builtins.yaml are left out: their sites carry the id of the instruction they emit (covered there).
/// rules/entry-points.yaml is not a rule file (it names phases and entry points for the call graph, no findings,
/// no ids to annotate; the loader skips it) and is covered by the graph tests.
/// </summary>
public sealed class FixtureCoverageTests
{
    [Fact]
    public void Every_rule_that_reports_findings_is_expected_by_some_fixture()
    {
        var loaded = RuleLoader.LoadBuiltIn();
        Assert.Empty(loaded.Errors);
        var expected = AllExpectations()
            .Where(e => e.Kind == ExpectationKind.Active)
            .Select(e => e.RuleId)
            .ToHashSet(StringComparer.Ordinal);

        var uncovered = loaded.Rules
            .Where(rule => rule.ReportsUnderOwnId && !expected.Contains(rule.Id))
            .Select(rule => $"{rule.Id} ({rule.Origin})")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(uncovered.Count == 0,
            "rules with no `expect:` line in any fixture under tests/Parascope.Tests/Fixtures:" + Environment.NewLine +
            string.Join(Environment.NewLine, uncovered));
    }

    [Fact]
    public void Every_annotation_names_a_rule_of_the_built_in_set()
    {
        var ids = RuleLoader.LoadBuiltIn().Rules.Select(rule => rule.Id).ToHashSet(StringComparer.Ordinal);
        var unknown = AllExpectations()
            .Where(e => !ids.Contains(e.RuleId))
            .Select(e => $"{e.File}:{e.Line} {e.RuleId}")
            .ToList();
        Assert.True(unknown.Count == 0, "annotations naming no rule:" + Environment.NewLine + string.Join(Environment.NewLine, unknown));
    }

    [Fact]
    public void The_classifier_rules_are_the_builtin_and_encoding_rules()
    {
        var classifiers = RuleLoader.LoadBuiltIn().Rules.Where(rule => !rule.ReportsUnderOwnId).Select(rule => rule.Id).Order(StringComparer.Ordinal);
        Assert.Equal(["builtin.arm64-hint", "builtin.arm64-read-sysreg", "builtin.arm64-write-sysreg", "builtin.x86", "encoding.x86"], classifiers);
    }

    [Fact]
    public void A_known_miss_that_stays_missed_is_no_problem()
    {
        var expectations = new List<Expectation> { new("a.c", 3, "x86.lldt", ExpectationKind.KnownMiss) };
        Assert.Empty(FixtureExpectations.Problems(expectations, []));
    }

    [Fact]
    public void A_known_miss_that_is_found_fails_the_fixture_once()
    {
        var expectations = new List<Expectation> { new("a.c", 3, "x86.lldt", ExpectationKind.KnownMiss) };
        var problem = Assert.Single(FixtureExpectations.Problems(expectations, [Found("a.c", 3, "x86.lldt")]));
        Assert.StartsWith("known miss now found: a.c:3 x86.lldt", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_todo_expect_comment_is_read_as_a_known_miss_of_the_next_line()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/a.c", "int x;\n// todo-expect: x86.lldt\n__asm__(\"lldt %ax\");\n");
        var expectation = Assert.Single(FixtureExpectations.Read(tree.Root));
        Assert.Equal(new Expectation("osfmk/i386/a.c", 3, "x86.lldt", ExpectationKind.KnownMiss), expectation);
    }

    private static IEnumerable<Expectation> AllExpectations() =>
        Directory.GetDirectories(FixturePaths.Root)
            .Order(StringComparer.Ordinal)
            .SelectMany(directory => FixtureExpectations.Read(directory)
                .Select(e => e with { File = Path.GetFileName(directory) + "/" + e.File }));

    private static Finding Found(string file, int line, string ruleId) => new()
    {
        RuleId = ruleId,
        Category = FindingCategory.Instruction,
        Severity = Severity.Warning,
        File = file,
        Line = line,
        Column = 1,
        Arch = "x86",
        Context = SourceContext.InlineAsm,
        Detail = "lldt %ax",
        Action = "change it",
    };
}
