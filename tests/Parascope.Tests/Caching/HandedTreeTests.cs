using Parascope.Caching;
using Parascope.Discovery;
using Parascope.Reports;

namespace Parascope.Tests.Caching;

/// <summary>
/// The listing and snapshot a supervisor's look-up took, handed to the scan it starts on a miss: the scan takes that
/// snapshot (not a new listing) for the same tree and miss only, once, and never a damaged one.
/// </summary>
public sealed class HandedTreeTests
{
    private static readonly DateTime Settled = WholeScanCacheTests.Settled;

    private static TempTree Tree()
    {
        var tree = new TempTree();
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/halt.c", "void halt_cpu(void) { __asm__ volatile(\"hlt\"); }\n"), Settled);
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n"), Settled);
        return tree;
    }

    [Fact]
    public void A_handed_snapshot_is_the_one_taken_file_for_file_and_is_taken_once()
    {
        using var tree = Tree();
        using var folder = new TempTree();
        tree.Write("fresh.c", "int fresh;\n"); // written now: the snapshot is not settled
        var files = FileInventory.Of(tree.Root);
        var taken = TreeSnapshot.Take(files);

        Assert.True(HandedTree.Write(folder.Root, "key:digest", files, taken));
        var handed = HandedTree.Take(folder.Root, tree.Root, "key:digest");

        Assert.NotNull(handed);
        var (handedFiles, snapshot) = handed.Value;
        Assert.Equal([.. files.RelativePaths], handedFiles.RelativePaths.ToArray());
        Assert.Equal((taken.Digest, taken.Stamps.ListingDigest, taken.Settled, taken.Stamps.Taken),
            (snapshot.Digest, snapshot.Stamps.ListingDigest, snapshot.Settled, snapshot.Stamps.Taken));
        Assert.False(snapshot.Settled);
        Assert.All(files.RelativePaths, relative => Assert.Equal(taken.Stamps.StampOf(relative), snapshot.Stamps.StampOf(relative)));
        Assert.Null(HandedTree.Take(folder.Root, tree.Root, "key:digest"));
    }

    [Fact]
    public void Another_trees_or_misss_or_a_damaged_hand_over_is_none_and_is_removed()
    {
        using var tree = Tree();
        using var folder = new TempTree();
        var files = FileInventory.Of(tree.Root);
        var path = Path.Combine(folder.Root, HandedTree.FileName);

        HandedTree.Write(folder.Root, "key:digest", files, TreeSnapshot.Take(files));
        Assert.Null(HandedTree.Take(folder.Root, tree.Root, "key:other"));
        Assert.False(File.Exists(path));

        HandedTree.Write(folder.Root, "key:digest", files, TreeSnapshot.Take(files));
        Assert.Null(HandedTree.Take(folder.Root, tree.Root + "/osfmk", "key:digest"));

        HandedTree.Write(folder.Root, "key:digest", files, TreeSnapshot.Take(files));
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Assert.Null(HandedTree.Take(folder.Root, tree.Root, "key:digest"));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_scan_told_its_supervisors_miss_scans_the_handed_listing_and_otherwise_lists_the_tree_itself()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        using var folder = new TempTree();
        ScanRequest Request() => new() { Root = tree.Root, Arches = ["x86_64"], Jobs = 2, CacheDirectory = cache.Root, ResultCache = cache.Root };
        ScanPipeline.Run(Request());
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/halt.c", "void halt_cpu(void) { __asm__ volatile(\"cli\"); }\n"), Settled.AddMinutes(2));
        var lookup = ScanPipeline.TryReuse(Request());
        Assert.Null(lookup.Outcome);
        lookup.HandOver(folder.Root);
        // Written after the supervisor listed the tree: not in the scan it started, as a file written after a scan's own listing.
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/late.c", "void late(void) { __asm__ volatile(\"wrmsr\"); }\n"), Settled.AddMinutes(2));

        var handed = ScanPipeline.Run(Request() with { WholeScanMissed = lookup.Missed, HandedTreeFolder = folder.Root });
        var listed = ScanPipeline.Run(Request() with { WholeScanMissed = lookup.Missed, HandedTreeFolder = folder.Root });

        Assert.Null(handed.Error);
        Assert.True(handed.Statistics!.WholeScanLookedUpBySupervisor);
        Assert.DoesNotContain(handed.Result!.Findings, f => f.File.EndsWith("late.c", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(folder.Root, HandedTree.FileName)));
        // Taken once: the next scan (a supervisor's after a crash) lists the tree and finds the file, and the miss is not its.
        Assert.Contains(listed.Result!.Findings, f => f.File.EndsWith("late.c", StringComparison.Ordinal));
        Assert.False(listed.Statistics!.WholeScanLookedUpBySupervisor);
        File.Delete(Path.Combine(tree.Root, "osfmk/i386/late.c"));
        Assert.Equal(ReportWriter.ToText(ScanPipeline.Run(Request() with { ResultCache = null }).Result!, ReportFormat.Json),
            ReportWriter.ToText(handed.Result!, ReportFormat.Json));
    }
}
