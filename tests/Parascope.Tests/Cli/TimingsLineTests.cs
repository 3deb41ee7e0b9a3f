using Parascope.Caching;
using Parascope.Cli.Commands;

namespace Parascope.Tests.Cli;

public sealed class TimingsLineTests
{
    [Fact]
    public void The_cache_fields_scripts_read_come_first_in_their_order_and_new_ones_after()
    {
        var statistics = new ScanStatistics { Units = 4, Cache = new ResultCacheStatistics(3, 1, 2, 0, 0) { Packed = 2, GroupPacked = 1 } };

        var line = Timings.Line(statistics, reportMs: 5);

        // What bench/scan_bench.py matches.
        Assert.Matches(@"cache (\d+) hits, (\d+) misses, (\d+) stored, (\d+) rejected, (\d+) evicted", line);
        Assert.Contains("cache 3 hits, 1 misses, 2 stored, 0 rejected, 0 evicted, 2 hits from the pack, 1 from the configuration groups' packs", line, StringComparison.Ordinal);
    }
}
