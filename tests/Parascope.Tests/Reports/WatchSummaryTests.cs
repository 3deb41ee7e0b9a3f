using Parascope.Files;
using Parascope.Reports.Text;
using static Parascope.Tests.Reports.ConstructedResults;

namespace Parascope.Tests.Reports;

public sealed class WatchSummaryTests
{
    [Fact]
    public void The_summary_names_the_change_the_time_the_units_parsed_and_each_site_that_appeared_went_or_moved()
    {
        var before = Result([
            Finding("x86.cli-sti", "osfmk/i386/a.c", 10, "stays"),
            Finding("x86.wrmsr", "osfmk/i386/a.c", 20, "loses_it"),
            Finding("x86.lgdt", "osfmk/i386/a.c", 30, "rewritten"),
        ]);
        var after = Result([
            Finding("x86.cli-sti", "osfmk/i386/a.c", 10, "stays"),
            Finding("x86.lgdt", "osfmk/i386/a.c", 31, "rewritten"),
            Finding("x86.invlpg", "osfmk/i386/a.c", 40, "gains_it"),
        ]);

        var lines = WatchSummary.Lines(before, after, ["osfmk/i386/a.c"], TimeSpan.FromMilliseconds(1234), 1);

        Assert.Equal(
        [
            "parascope: watch: osfmk/i386/a.c changed; scanned again in 1.23 s (1 unit parsed): 3 findings, 1 new, 1 gone, 1 moved",
            "  new   x86.invlpg osfmk/i386/a.c:40 in gains_it",
            "  gone  x86.wrmsr osfmk/i386/a.c:20 in loses_it",
            "  moved x86.lgdt osfmk/i386/a.c:30 -> osfmk/i386/a.c:31 in rewritten",
        ], lines);
    }

    [Fact]
    public void Several_changes_dropped_events_and_no_cache_are_said_so()
    {
        var same = Result([Finding("x86.cli-sti", "osfmk/i386/a.c", 10, null)]);

        Assert.Equal("parascope: watch: bsd/a.c and 2 more changed; scanned again in 0.50 s (3 units parsed): 1 findings, 0 new, 0 gone, 0 moved",
            WatchSummary.Lines(same, same, ["bsd/a.c", "bsd/b.c", "osfmk/c.c"], TimeSpan.FromMilliseconds(500), 3).Single());
        Assert.Equal("parascope: watch: the tree changed (the system dropped its events); scanned again in 0.50 s: 1 findings, 0 new, 0 gone, 0 moved",
            WatchSummary.Lines(same, same, ["bsd/a.c", TreeWatch.Everything], TimeSpan.FromMilliseconds(500), null).Single());
    }

    [Fact]
    public void Past_the_listed_sites_the_rest_are_counted()
    {
        var before = Result([]);
        var after = Result(Enumerable.Range(1, WatchSummary.SitesListed + 5).Select(i => Finding("x86.cli-sti", "osfmk/i386/a.c", i, $"f{i}")));

        var lines = WatchSummary.Lines(before, after, ["osfmk/i386/a.c"], TimeSpan.Zero, 1);

        Assert.Equal(1 + WatchSummary.SitesListed + 1, lines.Count);
        Assert.Equal("  … and 5 more (compare two reports with 'parascope diff' for all of them)", lines[^1]);
    }
}
