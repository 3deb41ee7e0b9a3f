using Parascope.Cli.Commands;

namespace Parascope.Tests.Cli;

public sealed class CacheCommandTests
{
    [Fact]
    public void A_scan_fills_the_cache_folder_it_is_given_and_cache_info_then_clear_say_what_is_there()
    {
        using var cache = new TempTree();
        var scan = CliRunner.Run("scan", SampleTreeTests.SampleRoot(), "--quiet", "--cache", cache.Root, "--format", "json");
        Assert.Equal(0, scan.Exit);
        var info = CliRunner.Run("cache", "info", "--cache", cache.Root);
        Assert.Equal(0, info.Exit);
        Assert.Matches(@"unit results: [1-9]\d* ", info.Out);
        var clear = CliRunner.Run("cache", "clear", "--cache", cache.Root);
        Assert.Contains("cleared " + cache.Root, clear.Out, StringComparison.Ordinal);
        Assert.Contains("unit results: 0 ", CliRunner.Run("cache", "info", "--cache", cache.Root).Out, StringComparison.Ordinal);
    }

    [Fact]
    public void No_cache_writes_no_unit_results()
    {
        using var cache = new TempTree();
        Assert.Equal(0, CliRunner.Run("scan", SampleTreeTests.SampleRoot(), "--quiet", "--no-cache", "--cache", cache.Root).Exit);
        Assert.Contains("unit results: 0 ", CliRunner.Run("cache", "info", "--cache", cache.Root).Out, StringComparison.Ordinal);
    }

    [Fact]
    public void The_progress_line_shows_units_done_the_rate_the_cached_units_and_the_slowest_unit_now()
    {
        var progress = new ScanProgress(40, 100, 25, 12.5, "osfmk/i386/pmap.c (x86_64)", System.Diagnostics.Stopwatch.GetTimestamp());
        var line = ProgressBar.Line(progress, 200);
        Assert.Contains("40/100 units, 12.5/s, 25 cached, slowest now: osfmk/i386/pmap.c (x86_64) 0s", line, StringComparison.Ordinal);
        Assert.True(ProgressBar.Line(progress, 50).Length <= 50);
    }
}
