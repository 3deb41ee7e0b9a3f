using System.Collections.Immutable;
using Parascope.Caching;
using Parascope.Tests.Caching;
using Parascope.Workers;

namespace Parascope.Tests.Workers;

/// <summary>A supervised re-scan of a tree whose units' facts the last scan kept runs with the collector tuned for speed.</summary>
public sealed class RescanSettingTests
{
    private static ScanRequest Request(string root, string cache) => new()
    {
        Root = root,
        Arches = ["x86_64"],
        Jobs = 1,
        CacheDirectory = cache,
        ResultCache = cache,
    };

    [Fact]
    public void A_scan_is_a_rescan_once_the_last_scan_of_the_tree_kept_its_units()
    {
        using var tree = WholeScanCacheTests.SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();

        var before = ScanPipeline.Preview(Request(tree.Root, cache.Root));
        ScanPipeline.Run(Request(tree.Root, cache.Root));
        var unchanged = ScanPipeline.Preview(Request(tree.Root, cache.Root));
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/pmap_mini.c", File.ReadAllText(Path.Combine(tree.Root, "osfmk/i386/pmap_mini.c")) + "\n/* edited */\n"),
            WholeScanCacheTests.Settled.AddMinutes(1));
        var edited = ScanPipeline.Preview(Request(tree.Root, cache.Root));

        Assert.Equal((false, false), (before.Reused is not null, before.Rescan));
        Assert.NotNull(unchanged.Reused);
        Assert.Equal((false, true), (edited.Reused is not null, edited.Rescan));
        Assert.False(ScanPipeline.Preview(Request(tree.Root, cache.Root) with { ResultCache = null }).Rescan);
    }

    [Fact]
    public void Only_a_rescan_s_process_is_told_not_to_conserve_memory()
    {
        var program = new WorkerCommand("/usr/bin/parascope", ImmutableArray<string>.Empty);
        string[] arguments = ["scan", "/src/xnu"];
        var inherited = Environment.GetEnvironmentVariable(ScanSupervisor.CollectorSetting);

        var rescan = ScanSupervisor.StartOf(program, arguments, "/tmp/journal", rescan: true);
        var cold = ScanSupervisor.StartOf(program, arguments, "/tmp/journal", rescan: false);

        Assert.Equal(inherited ?? "0", rescan.Environment[ScanSupervisor.CollectorSetting]);
        Assert.Equal(inherited, cold.Environment.TryGetValue(ScanSupervisor.CollectorSetting, out var setting) ? setting : null);
        Assert.Equal(["scan", ParseJournal.Option, "/tmp/journal", "/src/xnu"], rescan.ArgumentList);
    }
}
