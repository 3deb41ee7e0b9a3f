using Parascope.Caching;
using Parascope.Reports;

namespace Parascope.Tests.Caching;

/// <summary>
/// The own units' pack: a re-scan after an edit takes the unchanged units from it, a unit it holds stale from its own
/// entry, a damaged pack is no pack, and the pack is written again only when many units were not taken from it.
/// </summary>
public sealed class UnitFactsPackTests
{
    internal static string Unit(int index) => $$"""
        #include "proc_reg.h"
        void switch_{{index}}(unsigned long root)
        {
            set_cr3_raw(root + {{index}});
        }
        """;

    /// <summary>A tree of COUNT units that all include one header.</summary>
    private static TempTree Tree(int count)
    {
        var tree = new TempTree();
        tree.Write("proc_reg.h", ResultCacheTests.Header);
        for (var i = 0; i < count; i++)
        {
            tree.Write($"unit{i:00}.c", Unit(i));
        }
        return tree;
    }

    /// <summary>A scan that keeps its whole result (as the CLI's): the pack lives beside that entry.</summary>
    private static ScanOutcome Scan(string root, string? cache, string stands) =>
        ScanPipeline.Run(new ScanRequest
        {
            Root = root,
            Jobs = 2,
            Profile = "generic",
            CacheDirectory = stands,
            ResultCache = cache,
        });

    private static string Json(ScanOutcome outcome)
    {
        Assert.Null(outcome.Error);
        return ReportWriter.ToText(outcome.Result!, ReportFormat.Json);
    }

    internal static string PackOf(string cache) => Assert.Single(Directory.EnumerateFiles(cache, "*" + UnitFactsPack.Extension, SearchOption.AllDirectories));

    private static void Edit(TempTree tree, int unit, string mark) => tree.Write($"unit{unit:00}.c", Unit(unit) + $"/* {mark} */\n");

    [Fact]
    public void After_an_edit_the_unchanged_units_are_taken_from_the_pack_and_the_report_is_the_uncached_one()
    {
        using var tree = Tree(3);
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        Edit(tree, 1, "edited");

        var edited = Scan(tree.Root, cache.Root, cache.Root);

        var statistics = edited.Statistics!.Cache!;
        Assert.Equal((2, 2, 1), (statistics.Packed, statistics.Hits, statistics.Misses));
        Assert.Equal(Json(Scan(tree.Root, null, cache.Root)), Json(edited));
    }

    [Fact]
    public void A_unit_the_pack_holds_stale_is_taken_from_its_own_entry()
    {
        using var tree = Tree(3);
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        Edit(tree, 1, "edited");
        Scan(tree.Root, cache.Root, cache.Root);
        // A file no unit reads: the tree changed (no whole scan to take back), no unit did.
        tree.Write("README", "notes\n");

        var next = Scan(tree.Root, cache.Root, cache.Root);

        var statistics = next.Statistics!.Cache!;
        Assert.Equal((2, 3, 0), (statistics.Packed, statistics.Hits, statistics.Misses));
        Assert.Equal(Json(Scan(tree.Root, null, cache.Root)), Json(next));
    }

    [Fact]
    public void A_damaged_pack_is_no_pack_and_is_written_again()
    {
        using var tree = Tree(3);
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        var pack = PackOf(cache.Root);
        var bytes = File.ReadAllBytes(pack);
        File.WriteAllBytes(pack, bytes[..(bytes.Length / 2)]);
        Edit(tree, 1, "edited");

        var damaged = Scan(tree.Root, cache.Root, cache.Root);
        Edit(tree, 2, "edited");
        var next = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal((0, 2), (damaged.Statistics!.Cache!.Packed, damaged.Statistics.Cache.Hits));
        Assert.Equal(Json(Scan(tree.Root, null, cache.Root)), Json(next));
        Assert.Equal(2, next.Statistics!.Cache!.Packed);
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(17, true)]
    public void The_pack_is_written_again_only_when_more_than_sixteen_units_of_forty_were_not_taken_from_it(int edited, bool written)
    {
        using var tree = Tree(40);
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        var before = File.ReadAllBytes(PackOf(cache.Root));
        for (var i = 0; i < edited; i++)
        {
            Edit(tree, i, "edited");
        }

        var scan = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal(40 - edited, scan.Statistics!.Cache!.Packed);
        Assert.Equal(written, !before.AsSpan().SequenceEqual(File.ReadAllBytes(PackOf(cache.Root))));
    }
}
