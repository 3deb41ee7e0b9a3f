using Parascope.Caching;
using Parascope.Reports;
using Parascope.Tests.Detectors;

namespace Parascope.Tests.Caching;

/// <summary>
/// A configuration group's detection kept for the next scan (<see cref="ConfigurationGroupStore"/>): on the tree of
/// <see cref="ConfigurationSiteTests.DevelopmentTree"/>, whose widget_debug.c is parsed again for DEVELOPMENT and whose
/// widget_plain.c is not. Each re-scan's report must equal a scan without any cache.
/// </summary>
public sealed class ConfigurationGroupStoreTests
{
    private const string Variant = "osfmk/kern/widget_debug.c";
    private const string Plain = "osfmk/kern/widget_plain.c";

    private static ScanOutcome Scan(string root, string cache, string? results) =>
        ScanPipeline.Run(new ScanRequest { Root = root, Arches = ["x86_64"], Jobs = 1, CacheDirectory = cache, ResultCache = results });

    private static string Json(ScanOutcome outcome)
    {
        Assert.Null(outcome.Error);
        return ReportWriter.ToText(outcome.Result!, ReportFormat.Json);
    }

    private static void Append(TempTree tree, string relative, string text) => File.AppendAllText(Path.Combine(tree.Root, relative), text);

    [Fact]
    public void Editing_a_file_no_variant_reads_takes_the_group_back()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        using var cache = new TempTree();
        Assert.Equal((0, 1), Scan(tree.Root, cache.Root, cache.Root).Statistics!.ConfigurationGroups);
        Append(tree, Plain, "\nvoid\nwidget_nap(void)\n{\n\t__asm__ volatile (\"cli\");\n}\n");

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal((1, 0), rescan.Statistics!.ConfigurationGroups);
        Assert.Contains(rescan.Result!.Findings, f => f.File == Plain && f.Function == "widget_nap" && f.Active);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }

    [Fact]
    public void Editing_the_file_of_a_variant_detects_its_group_again()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        Append(tree, Variant, "\nvoid\nwidget_stop(void)\n{\n#if DEVELOPMENT\n\t__asm__ volatile (\"wbinvd\");\n#endif\n}\n");

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal((0, 1), rescan.Statistics!.ConfigurationGroups);
        // A site only the DEVELOPMENT parse compiles: it comes from the group's detection, made again.
        var site = Assert.Single(rescan.Result!.Findings, f => f.File == Variant && f.Function == "widget_stop");
        Assert.Equal("inactive, DEVELOPMENT", $"{(site.Active ? "active" : "inactive")}, {string.Join(',', site.Configurations)}");
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }

    [Fact]
    public void Editing_a_header_only_the_instruction_detector_reads_detects_the_group_again()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        // No unit includes it: the instruction detector reads every header for assembler macros.
        tree.Write("osfmk/i386/widget_asm.h", "#ifdef ASSEMBLER\n#define WIDGET_OFF cli\n#endif\n");
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        Append(tree, "osfmk/i386/widget_asm.h", "#ifdef ASSEMBLER\n#define WIDGET_ON sti\n#endif\n");

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal((0, 1), rescan.Statistics!.ConfigurationGroups);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }

    [Fact]
    public void A_file_added_to_the_tree_detects_the_group_again()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        // Includes resolve among the tree's files: a new one can change what a header walk reaches.
        tree.Write("osfmk/kern/widget_trace_extra.h", "#define WIDGET_EXTRA 1\n");

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal((0, 1), rescan.Statistics!.ConfigurationGroups);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }

    [Fact]
    public void A_group_whose_variant_stopped_at_a_missing_header_is_not_kept()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        Append(tree, Variant, "\n#if DEVELOPMENT\n#include <widget_missing.h>\n#endif\n");
        using var cache = new TempTree();
        Assert.Equal((0, 0), Scan(tree.Root, cache.Root, cache.Root).Statistics!.ConfigurationGroups);
        Append(tree, Plain, "\n/* edited */\n");

        // Created now, the header would change the variant's parse with every file the group read unchanged.
        Assert.Equal((0, 0), Scan(tree.Root, cache.Root, cache.Root).Statistics!.ConfigurationGroups);
    }

    [Fact]
    public void The_cache_counts_the_stores_kept_beside_a_whole_scan_with_it()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        var beside = Directory.GetFiles(cache.Root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(WholeScanCache.Extension, StringComparison.Ordinal) || f.EndsWith(WholeScanCache.GraphExtension, StringComparison.Ordinal)
                || f.EndsWith(LexicalScanStore.Extension, StringComparison.Ordinal) || f.EndsWith(ConfigurationGroupStore.Extension, StringComparison.Ordinal)
                || f.EndsWith(UnitFactsPack.Extension, StringComparison.Ordinal))
            .ToList();

        Assert.Contains(beside, f => f.EndsWith(ConfigurationGroupStore.Extension, StringComparison.Ordinal));
        Assert.Contains(beside, f => f.EndsWith(UnitFactsPack.Extension, StringComparison.Ordinal));
        Assert.Equal(beside.Sum(f => new FileInfo(f).Length), ResultCache.Info(cache.Root).ScanBytes);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    [InlineData("partial")]
    public void A_damaged_store_is_no_store(string damage)
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        // "partial": intact and of this version, but a group without its findings (as another writer might leave it).
        KeptStoreDamage.Apply(cache.Root, ConfigurationGroupStore.Extension, damage, bytes => Parascope.Files.Frame.Wrap("PSVG"u8, ConfigurationGroupStore.Version,
            System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(
                Parascope.Files.Frame.Read(bytes, "PSVG"u8, ConfigurationGroupStore.Version)!.Value.Span).Replace("\"Findings\"", "\"Lost\"", StringComparison.Ordinal))));
        Append(tree, Plain, "\n/* edited */\n");

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal((0, 1), rescan.Statistics!.ConfigurationGroups);
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null)), Json(rescan));
    }
}
