using Parascope.Model;

namespace Parascope.Tests;

/// <summary>The README's demo tree must keep showing what Parascope does.</summary>
public sealed class SampleTreeTests
{
    public static string SampleRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", "mini-xnu");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("samples/mini-xnu not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void The_sample_tree_parses_cleanly_with_the_profile_chosen_for_it()
    {
        var outcome = ScanPipeline.Run(new ScanRequest { Root = SampleRoot(), Jobs = 2, IncludeUnits = true });
        Assert.Null(outcome.Error);
        var unclean = outcome.Result!.Health.Units.Where(u => u.Status != UnitStatus.Clean).Select(u => $"{u.File}: {u.FirstError}");
        Assert.Empty(unclean);
    }

    [Fact]
    public void The_sample_tree_has_findings_of_every_category_and_none_in_bsd()
    {
        var findings = ScanPipeline.Run(new ScanRequest { Root = SampleRoot(), Jobs = 2 }).Result!.Findings;
        Assert.All(Enum.GetValues<FindingCategory>(), category => Assert.Contains(findings, f => f.Category == category && f.Active));
        Assert.DoesNotContain(findings, f => f.File.StartsWith("bsd/", StringComparison.Ordinal));
    }
}
