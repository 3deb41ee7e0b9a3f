using Parascope.Model;

namespace Parascope.Tests.Reports;

public sealed class UnitCountsTests
{
    [Fact]
    public void Shard_counts_sum_with_their_in_build_parts()
    {
        var first = UnitCounts.Of([(UnitStatus.Clean, false), (UnitStatus.WithErrors, true)]) with
        {
            InBuild = UnitCounts.Of([(UnitStatus.Clean, false)]),
        };
        var second = UnitCounts.Of([(UnitStatus.WithErrors, false), (UnitStatus.Failed, true)]) with
        {
            InBuild = UnitCounts.Of([(UnitStatus.WithErrors, false), (UnitStatus.Failed, true)]),
        };

        var sum = UnitCounts.Sum([first, second]);

        Assert.Equal((4, 3, 2, 1, 1), (sum.Total, sum.Parsed, sum.WithErrors, sum.Failed, sum.WithFatal));
        Assert.Equal((3, 2, 1, 1, 0), (sum.InBuild!.Total, sum.InBuild.Parsed, sum.InBuild.WithErrors, sum.InBuild.Failed, sum.InBuild.WithFatal));
    }

    [Fact]
    public void Shards_without_build_information_sum_to_none()
    {
        Assert.Null(UnitCounts.Sum([UnitCounts.Of([(UnitStatus.Clean, false)])]).InBuild);
    }
}
