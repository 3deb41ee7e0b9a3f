using System.Collections.Immutable;
using Parascope.Model;

namespace Parascope.Tests.Detectors;

/// <summary>
/// Every folder under Fixtures/ is a small tree scanned as a whole. Its annotations are the whole truth:
/// each expected finding must be reported at its line, nothing marked ok may be, and every finding reported
/// must be expected (an unannotated finding is a false positive); a `todo-expect:` line is a known miss that must
/// stay a miss until its marker becomes an `expect:`. A fixture folder may hold `arches`
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

        var problems = FixtureExpectations.Problems(expectations, findings);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}

public static class FixturePaths
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");
}
