using System.Text;
using System.Text.Json.Nodes;
using Parascope.Caching;
using Parascope.Model;
using Parascope.Reports;

namespace Parascope.Tests.Caching;

/// <summary>
/// The lexical scans kept beside a whole-scan entry: a re-scan of an edited tree takes back the scans of the files it
/// did not change and scans the edited ones again, and reports what a scan without any cache reports.
/// </summary>
public sealed class LexicalScanStoreTests
{
    private const string Source = "osfmk/i386/pmap_stores.c";
    private const string Header = "osfmk/i386/pmap_stores.h";

    private static TempTree SettledFixture() => WholeScanCacheTests.SettledCopy(Path.Combine(Detectors.FixturePaths.Root, "pagetables-stores"));

    /// <summary>Appends TEXT to RELATIVE, an hour-old write made a minute later (so the whole-scan entry misses).</summary>
    private static void Append(TempTree tree, string relative, string text)
    {
        var path = Path.Combine(tree.Root, relative);
        File.AppendAllText(path, text);
        File.SetLastWriteTimeUtc(path, WholeScanCacheTests.Settled.AddMinutes(1));
    }

    /// <summary>The lexical store in CACHE (a scan of one tree with one request keeps one).</summary>
    internal static string StoreOf(string cache) => Assert.Single(Directory.GetFiles(cache, "*" + LexicalScanStore.Extension, SearchOption.AllDirectories));

    private static ScanOutcome Scan(string root, string cache, string? results) =>
        ScanPipeline.Run(new ScanRequest { Root = root, Arches = ["x86_64"], Jobs = 2, CacheDirectory = cache, ResultCache = results });

    /// <summary>The whole-scan entries in CACHE deleted (evicted, say), the stores beside them left: the next scan misses and reads the stores.</summary>
    private static void DropWholeScanEntries(string cache)
    {
        foreach (var entry in Directory.GetFiles(cache, "*" + WholeScanCache.Extension, SearchOption.AllDirectories))
        {
            File.Delete(entry);
        }
    }

    /// <summary>
    /// The store intact and of this version, its page-table scans without their declarations (as another writer might
    /// leave them): a scan with an array never set must not reach a detector.
    /// </summary>
    private static byte[] WithoutDeclarations(byte[] frame)
    {
        var json = JsonNode.Parse(Parascope.Files.Frame.Read(frame, "PSLX"u8, LexicalScanStore.Version)!.Value.Span)!;
        foreach (var entry in json["Value"]!["Entries"]!.AsArray())
        {
            (entry!["PageTables"] as JsonObject)?.Remove("Declarations");
        }
        return Parascope.Files.Frame.Wrap("PSLX"u8, LexicalScanStore.Version, Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    private static string Json(ScanOutcome outcome)
    {
        Assert.Null(outcome.Error);
        return ReportWriter.ToText(outcome.Result!, ReportFormat.Json);
    }

    // An inactive store (no configuration compiles it): only the lexical scan of the edited file can find it.
    private const string InactiveStore = "\n#if SUBPAGE_L2\nvoid\nsubpage_clear(pt_entry_t *l2)\n{\n\t*l2 = 0;\n}\n#endif\n";

    [Fact]
    public void A_re_scan_takes_back_the_scans_of_unchanged_files_and_scans_an_edited_source_again()
    {
        using var tree = SettledFixture();
        using var cache = new TempTree();
        var cold = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal(0, cold.Statistics!.LexicalScans!.Value.Reused);
        Append(tree, Source, InactiveStore);

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal(WholeScanUse.Stored, rescan.Statistics!.WholeScan);
        // The header's scans (page tables, asm) and the headers' assembler reading (no header or assembly file changed)
        // come back; the source's are made again from its new text.
        Assert.Equal((3, 2), rescan.Statistics.LexicalScans);
        Assert.Contains(rescan.Result!.Findings, f => f.File == Source && f.RuleId == "pt.pte-store" && !f.Active && f.Function == "subpage_clear");
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }

    [Fact]
    public void A_store_with_only_a_few_scans_made_again_is_not_written_again_and_they_are_made_again_next_time()
    {
        using var tree = SettledFixture();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        var store = StoreOf(cache.Root);
        var written = File.ReadAllBytes(store);
        Append(tree, Source, InactiveStore);

        var first = Scan(tree.Root, cache.Root, cache.Root);
        DropWholeScanEntries(cache.Root);
        var second = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal(written, File.ReadAllBytes(store));
        Assert.Equal((3, 2), first.Statistics!.LexicalScans);
        Assert.Equal((3, 2), second.Statistics!.LexicalScans);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(second));
    }

    [Fact]
    public void An_edited_header_is_scanned_again_though_only_its_text_changed()
    {
        using var tree = SettledFixture();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        Append(tree, Header, InactiveStore.Replace("void\n", "static inline void\n", StringComparison.Ordinal));

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        // The source's scans come back; the header's are made again (its digest changed, not its path or size alone), and
        // so is the headers' assembler reading, which reads every header.
        Assert.Equal((2, 3), rescan.Statistics!.LexicalScans);
        Assert.Contains(rescan.Result!.Findings, f => f.File == Header && f.RuleId == "pt.pte-store" && !f.Active);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }

    [Fact]
    public void After_a_header_edit_the_store_is_written_again_with_the_headers_assembler_reading_though_few_scans_were_made()
    {
        using var tree = SettledFixture();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        var store = StoreOf(cache.Root);
        var written = File.ReadAllBytes(store);
        Append(tree, Header, InactiveStore.Replace("void\n", "static inline void\n", StringComparison.Ordinal));
        Scan(tree.Root, cache.Root, cache.Root);
        DropWholeScanEntries(cache.Root);

        var next = Scan(tree.Root, cache.Root, cache.Root);

        // The reading of every header (one scan of many files) is kept, and with it the header's own scans: none is
        // made again by the scans after.
        Assert.NotEqual(written, File.ReadAllBytes(store));
        Assert.Equal((5, 0), next.Statistics!.LexicalScans);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(next));
    }

    [Fact]
    public void The_driver_classes_of_unchanged_files_come_back_and_an_edited_header_is_read_for_classes_again()
    {
        using var tree = WholeScanCacheTests.SettledCopy(Path.Combine(Detectors.FixturePaths.Root, "driverapi-iokit"));
        using var cache = new TempTree();
        var cold = Scan(tree.Root, cache.Root, cache.Root);
        const string Nub = "IOKit/FixtureUnusedNub.h";
        // A header no unit includes: only the lexical class scan reads it.
        Append(tree, Nub, "\nclass FixtureAddedNub : public IOPCIDevice {\n\tint bar;\n};\n");

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        // Every scan of the cold scan but the edited header's two (its classes, and its instructions: a file no unit reads
        // is scanned for them too) and the headers' assembler reading (of every header) comes back; those three are made
        // again, from the new text.
        var (reused, made) = rescan.Statistics!.LexicalScans!.Value;
        Assert.Equal(cold.Statistics!.LexicalScans!.Value.Made - 3, reused);
        Assert.Equal(3, made);
        Assert.Equal(("lexical", "IOPCIDevice"), rescan.Result!.Drivers.Where(d => d.Name == "FixtureAddedNub").Select(d => (d.Resolution, d.Superclass)).Single());
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }

    [Fact]
    public void A_re_scan_of_an_unchanged_tree_whose_entry_missed_makes_no_scan()
    {
        // The sample tree holds an assembly unit: a cached one's files were scanned as C (its parse scans none).
        using var tree = WholeScanCacheTests.SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);

        DropWholeScanEntries(cache.Root);

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal(0, rescan.Statistics!.LexicalScans!.Value.Made);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    [InlineData("foreign")]
    [InlineData("partial")]
    public void A_damaged_store_is_no_store(string damage)
    {
        using var tree = SettledFixture();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        KeptStoreDamage.Apply(cache.Root, LexicalScanStore.Extension, damage, bytes => damage == "foreign"
            ? Parascope.Files.Frame.Wrap("PSLX"u8, LexicalScanStore.Version, """{"Strings":["x","a.h","0"],"Value":{"Rules":[0],"Entries":[{"Rules":3,"Path":1,"Digest":2}]}}"""u8)
            : WithoutDeclarations(bytes));
        Append(tree, Source, InactiveStore);

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal((0, 5), rescan.Statistics!.LexicalScans);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }
}
