using Parascope.Caching;
using Parascope.Reports;

namespace Parascope.Tests.Caching;

/// <summary>
/// The stores a watch keeps decoded between its scans: one is taken back only while its file is the one read (and is
/// touched as a read touches it), and a watch's scans that take them back report what scans without a cache report.
/// </summary>
public sealed class DecodedStoresTests
{
    private static readonly DateTime HourAgo = DateTime.UtcNow.AddHours(-1);

    private static string StoreFile(TempTree folder, string content)
    {
        var path = folder.Write("scan.lexical", content);
        File.SetLastWriteTimeUtc(path, HourAgo);
        return path;
    }

    [Fact]
    public void A_store_is_taken_back_while_its_file_is_unchanged_and_its_file_is_touched_as_a_read_touches_it()
    {
        using var folder = new TempTree();
        var path = StoreFile(folder, "store");
        var decoded = new DecodedStores();
        var store = new Dictionary<string, string> { ["a.h"] = "digest" };
        decoded.Keep(path, store);

        var first = decoded.TryTake<Dictionary<string, string>>(path);
        var second = decoded.TryTake<Dictionary<string, string>>(path);

        Assert.Same(store, first);
        Assert.Same(store, second);
        Assert.Equal(2, decoded.Taken);
        // Touched, so that the cache's trim (oldest first) keeps the files a watch uses.
        Assert.True(File.GetLastWriteTimeUtc(path) > HourAgo.AddMinutes(30));
    }

    [Theory]
    [InlineData("another store, longer")]
    [InlineData("STORE")]
    public void A_store_whose_file_was_written_since_is_not_taken_back(string written)
    {
        using var folder = new TempTree();
        var path = StoreFile(folder, "store");
        var decoded = new DecodedStores();
        decoded.Keep(path, new object());

        // Another scan sharing the cache writes the store (same length or not, a later time).
        File.WriteAllText(path, written);

        Assert.Null(decoded.TryTake<object>(path));
        Assert.Equal(0, decoded.Taken);
    }

    [Fact]
    public void A_store_let_go_is_not_taken_back_though_its_file_is_unchanged()
    {
        using var folder = new TempTree();
        var path = StoreFile(folder, "store");
        var decoded = new DecodedStores();
        decoded.Keep(path, new object());

        decoded.Forget(path);

        Assert.Null(decoded.TryTake<object>(path));
    }

    [Fact]
    public void A_store_of_another_type_or_whose_file_is_gone_is_not_taken_back()
    {
        using var folder = new TempTree();
        var path = StoreFile(folder, "store");
        var decoded = new DecodedStores();
        decoded.Keep(path, "a string");
        var gone = Path.Combine(folder.Root, "gone.units");
        decoded.Keep(gone, "never written");

        Assert.Null(decoded.TryTake<Dictionary<string, string>>(path));
        File.Delete(path);
        Assert.Null(decoded.TryTake<string>(path));
        Assert.Null(decoded.TryTake<string>(gone));
    }

    /// <summary>The pack's tests' unit: one store to CR3 through the shared header.</summary>
    private static string Unit(int index) => UnitFactsPackTests.Unit(index);

    /// <summary>A tree of COUNT units that all include one header, every file written an hour ago (so that a whole scan is kept).</summary>
    private static TempTree SettledTree(int count)
    {
        var tree = new TempTree();
        tree.Write("proc_reg.h", ResultCacheTests.Header);
        for (var i = 0; i < count; i++)
        {
            tree.Write($"unit{i}.c", Unit(i));
        }
        foreach (var file in Directory.EnumerateFiles(tree.Root))
        {
            File.SetLastWriteTimeUtc(file, HourAgo);
        }
        return tree;
    }

    private static ScanOutcome Scan(string root, string? cache, string stands, DecodedStores? decoded = null) =>
        ScanPipeline.Run(new ScanRequest { Root = root, Jobs = 2, Profile = "generic", CacheDirectory = stands, ResultCache = cache, DecodedStores = decoded });

    private static string Json(ScanOutcome outcome)
    {
        Assert.Null(outcome.Error);
        return ReportWriter.ToText(outcome.Result!, ReportFormat.Json);
    }

    [Fact]
    public void A_watchs_scans_take_back_the_stores_the_scan_before_read_and_report_what_an_uncached_scan_reports()
    {
        using var tree = SettledTree(3);
        using var cache = new TempTree();
        var decoded = new DecodedStores();
        Scan(tree.Root, cache.Root, cache.Root, decoded);
        tree.Write("unit1.c", Unit(1) + "void more_1(void) { __asm__ volatile(\"cli\"); }\n");
        // Reads the stores the cold scan wrote (the pack, the lexical scans, the kept digests), and keeps them decoded.
        var second = Scan(tree.Root, cache.Root, cache.Root, decoded);
        var pack = UnitFactsPackTests.PackOf(cache.Root);
        var lexical = LexicalScanStoreTests.StoreOf(cache.Root);
        var (packTaken, lexicalTaken) = (decoded.TakenOf(pack), decoded.TakenOf(lexical));
        Assert.Equal(Json(Scan(tree.Root, null, cache.Root)), Json(second));
        tree.Write("unit2.c", Unit(2) + "void more_2(void) { __asm__ volatile(\"hlt\"); }\n");

        var third = Scan(tree.Root, cache.Root, cache.Root, decoded);

        // The pack and the lexical scans' store (neither written again for one unit edited) are taken back, the pack with
        // the units it decoded: its record of unit1, parsed since, is stale and unit1 comes from its own entry; unit2 is parsed.
        Assert.Equal((packTaken + 1, lexicalTaken + 1), (decoded.TakenOf(pack), decoded.TakenOf(lexical)));
        // Of the pack's records only unit0's is kept for the next scan: unit1's and unit2's were found stale, and let go.
        Assert.Single(decoded.TryTake<UnitFactsPack.Packed>(pack)!.Records!);
        Assert.Equal((1, 2, 1), (third.Statistics!.Cache!.Packed, third.Statistics.Cache.Hits, third.Statistics.Cache.Misses));
        Assert.Contains(third.Result!.Findings, f => f.File == "unit1.c" && f.Function == "more_1");
        Assert.Contains(third.Result.Findings, f => f.File == "unit2.c" && f.Function == "more_2");
        Assert.Equal(Json(Scan(tree.Root, null, cache.Root)), Json(third));
    }

    [Fact]
    public void The_stores_read_ahead_after_a_scan_answered_by_its_kept_whole_scan_are_taken_back_by_the_next()
    {
        using var tree = SettledTree(3);
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        var decoded = new DecodedStores();
        var request = new ScanRequest { Root = tree.Root, Jobs = 2, Profile = "generic", CacheDirectory = cache.Root, ResultCache = cache.Root, DecodedStores = decoded };
        // A watch's first scan of a tree scanned before: the kept whole scan answers it, and it reads no store.
        var first = ScanPipeline.Run(request);
        Assert.Equal(WholeScanUse.Hit, first.Statistics!.WholeScan);
        Assert.Equal(0, decoded.Taken);

        ScanPipeline.ReadStoresAhead(first, request);
        tree.Write("unit1.c", Unit(1) + "void more_1(void) { __asm__ volatile(\"cli\"); }\n");
        var next = ScanPipeline.Run(request);

        var pack = UnitFactsPackTests.PackOf(cache.Root);
        var lexical = LexicalScanStoreTests.StoreOf(cache.Root);
        Assert.Equal((1, 1), (decoded.TakenOf(pack), decoded.TakenOf(lexical)));
        Assert.Equal(2, next.Statistics!.Cache!.Packed);
        Assert.Equal(Json(Scan(tree.Root, null, cache.Root)), Json(next));
    }

    [Fact]
    public void A_watchs_scan_is_finished_once_its_whole_scan_is_kept_and_the_next_scan_takes_it_back()
    {
        using var tree = SettledTree(1);
        using var cache = new TempTree();
        var request = new ScanRequest
        {
            Root = tree.Root,
            Jobs = 2,
            Profile = "generic",
            CacheDirectory = cache.Root,
            ResultCache = cache.Root,
            DecodedStores = new DecodedStores(),
        };

        var scanned = ScanPipeline.Run(request);
        var finished = scanned.Finished();

        // The same result, and the statistics' whole-scan use once it is kept (the outcome before may not know it yet).
        Assert.Same(scanned.Result, finished.Result);
        Assert.Equal(scanned.Statistics!.Cache, finished.Statistics!.Cache);
        Assert.Equal(WholeScanUse.Stored, finished.Statistics.WholeScan);
        Assert.Same(finished, finished.Finished());
        var next = ScanPipeline.Run(request with { DecodedStores = null });
        Assert.Equal(WholeScanUse.Hit, next.Statistics!.WholeScan);
        Assert.Equal(Json(finished), Json(next));
    }

    [Fact]
    public void A_scan_told_not_to_take_the_whole_scan_goes_through_its_cached_units_and_reports_the_same()
    {
        using var tree = SettledTree(3);
        using var cache = new TempTree();
        var request = new ScanRequest { Root = tree.Root, Jobs = 2, Profile = "generic", CacheDirectory = cache.Root, ResultCache = cache.Root };
        var cold = ScanPipeline.Run(request);
        Assert.Equal(WholeScanUse.Stored, cold.Statistics!.WholeScan);

        // A watch's first scan of a tree scanned before.
        var through = ScanPipeline.Run(request with { TakesWholeScan = false });

        Assert.Equal(WholeScanUse.Stored, through.Statistics!.WholeScan);
        Assert.Equal((3, 0), (through.Statistics.Cache!.Hits, through.Statistics.Cache.Misses));
        Assert.Equal(Json(cold), Json(through));
        Assert.Equal(WholeScanUse.Hit, ScanPipeline.Run(request).Statistics!.WholeScan);
    }
}
