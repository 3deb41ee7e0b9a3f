using Parascope.Caching;
using Parascope.Reports;

namespace Parascope.Tests.Caching;

/// <summary>The result cache: reused only while nothing a unit's facts depend on changed, never trusted when damaged.</summary>
public sealed class ResultCacheTests
{
    private const string Header = """
        #ifndef _I386_PROC_REG_H_
        #define _I386_PROC_REG_H_
        static inline void set_cr3_raw(unsigned long value)
        {
            __asm__ volatile("mov %0, %%cr3" : : "r" (value));
        }
        #endif
        """;

    private const string PmapUnit = """
        #include "proc_reg.h"
        void pmap_switch_to(unsigned long root)
        {
        #ifdef PMAP_TRACE
            __asm__ volatile("invlpg (%0)" : : "r" (root));
        #endif
            set_cr3_raw(root);
        }
        """;

    private const string OtherUnit = """
        int other_count(int value)
        {
            return value + 1;
        }
        """;

    private static TempTree Tree()
    {
        var tree = new TempTree();
        tree.Write("proc_reg.h", Header);
        tree.Write("pmap.c", PmapUnit);
        tree.Write("other.c", OtherUnit);
        return tree;
    }

    private static ScanOutcome Scan(string root, string? cache, string stands, string? compileCommands = null) =>
        ScanPipeline.Run(new ScanRequest
        {
            Root = root,
            Jobs = 2,
            Profile = "generic",
            IncludeUnits = true,
            CacheDirectory = stands,
            ResultCache = cache,
            CompileCommands = compileCommands,
        });

    private static string Json(ScanOutcome outcome)
    {
        Assert.Null(outcome.Error);
        return ReportWriter.ToText(outcome.Result!, ReportFormat.Json);
    }

    [Fact]
    public void An_unchanged_rescan_reads_every_C_unit_from_the_cache_and_reports_the_same_bytes()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        var uncached = Json(Scan(tree.Root, null, cache.Root));
        var cold = Scan(tree.Root, cache.Root, cache.Root);
        var warm = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal(2, warm.Statistics!.Cache!.Hits);
        Assert.Equal(uncached, Json(cold));
        Assert.Equal(uncached, Json(warm));
    }

    [Fact]
    public void The_sample_tree_for_two_arches_reports_the_same_bytes_cold_and_warm()
    {
        using var cache = new TempTree();
        ScanOutcome Sample(string? results) => ScanPipeline.Run(new ScanRequest
        {
            Root = SampleTreeTests.SampleRoot(),
            Arches = ["x86_64", "arm64"],
            Jobs = 2,
            IncludeUnits = true,
            CacheDirectory = cache.Root,
            ResultCache = results,
        });
        var uncached = Json(Sample(null));
        var cold = Json(Sample(cache.Root));
        var warm = Sample(cache.Root);
        Assert.True(warm.Statistics!.Cache!.Hits > 0);
        Assert.Equal(uncached, cold);
        Assert.Equal(uncached, Json(warm));
    }

    [Theory]
    [MemberData(nameof(Detectors.FixtureTests.Fixtures), MemberType = typeof(Detectors.FixtureTests))]
    public void Every_fixture_reports_the_same_bytes_from_the_cache_as_without_it(string fixture)
    {
        var root = Path.Combine(Detectors.FixturePaths.Root, fixture);
        var archesFile = Path.Combine(root, "arches");
        string[] arches = File.Exists(archesFile) ? File.ReadAllLines(archesFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray() : ["x86_64"];
        using var cache = new TempTree();
        ScanOutcome Fixture(string? results) => ScanPipeline.Run(new ScanRequest
        {
            Root = root,
            Arches = [.. arches],
            Jobs = 2,
            Profile = "generic",
            IncludeUnits = true,
            CacheDirectory = cache.Root,
            ResultCache = results,
        });
        var uncached = Json(Fixture(null));
        Json(Fixture(cache.Root));
        var warm = Fixture(cache.Root);
        Assert.Equal(0, warm.Statistics!.Cache!.Misses);
        Assert.Equal(uncached, Json(warm));
    }
}
