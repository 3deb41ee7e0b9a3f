using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Tests.Detectors;

/// <summary>
/// Every folder under Fixtures/ is a small tree scanned as a whole. Its annotations are the whole truth:
/// each expected finding must be reported at its line, nothing marked ok may be, and every finding reported
/// must be expected (an unannotated finding is a false positive). A fixture folder may hold `arches`
/// (one arch per line, default x86_64).
/// </summary>
public sealed class FixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(FixturePaths.Root).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(directory));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_reports_exactly_what_its_annotations_say(string fixture)
    {
        var root = Path.Combine(FixturePaths.Root, fixture);
        var expectations = FixtureExpectations.Read(root);
        var archesFile = Path.Combine(root, "arches");
        var arches = File.Exists(archesFile)
            ? File.ReadAllLines(archesFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToImmutableArray()
            : ["x86_64"];
        var outcome = ScanPipeline.Run(new ScanRequest { Root = root, Arches = arches, Jobs = 2, Profile = "generic" });
        Assert.Null(outcome.Error);
        var findings = outcome.Result!.Findings;

        var problems = new List<string>();
        foreach (var expected in expectations)
        {
            var at = findings.Where(f => f.File == expected.File && f.Line == expected.Line && f.RuleId == expected.RuleId).ToList();
            switch (expected.Kind)
            {
                case ExpectationKind.Active when !at.Any(f => f.Active):
                    problems.Add($"missed: {expected.File}:{expected.Line} {expected.RuleId}");
                    break;
                case ExpectationKind.Inactive when !at.Any(f => !f.Active):
                    problems.Add($"missed inactive: {expected.File}:{expected.Line} {expected.RuleId}");
                    break;
                case ExpectationKind.Absent when at.Count > 0:
                    problems.Add($"false positive (marked ok): {expected.File}:{expected.Line} {expected.RuleId}");
                    break;
            }
        }
        foreach (var finding in findings)
        {
            var annotated = expectations.Any(e => e.Kind != ExpectationKind.Absent && e.File == finding.File && e.Line == finding.Line && e.RuleId == finding.RuleId);
            if (!annotated)
            {
                problems.Add($"unexpected: {finding.File}:{finding.Line}:{finding.Column} {finding.RuleId} ({finding.Detail})");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}

public static class FixturePaths
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");
}
