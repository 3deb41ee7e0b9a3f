using Parascope.Caching;
using Parascope.Discovery;

namespace Parascope.Tests.Caching;

/// <summary>The digest of a tree's contents a whole-scan entry is found by when only the tree's times changed.</summary>
public sealed class TreeSnapshotTests
{
    private static readonly DateTime LongAgo = WholeScanCacheTests.Settled;

    private static TempTree Tree()
    {
        var tree = new TempTree();
        foreach (var (relative, text) in new[] { ("osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n"), ("osfmk/i386/pmap.c", "int pmap;\n") })
        {
            File.SetLastWriteTimeUtc(tree.Write(relative, text), LongAgo);
        }
        return tree;
    }

    private static TreeSnapshot Snapshot(TempTree tree) => TreeSnapshot.Take(FileInventory.Of(tree.Root));

    [Fact]
    public void The_same_contents_under_new_times_digest_the_same()
    {
        using var tree = Tree();
        var before = Snapshot(tree).ContentDigest(new FileDigests(), asScanned: true);
        tree.TouchAll(LongAgo.AddMinutes(3));

        var after = Snapshot(tree);

        Assert.NotNull(before);
        Assert.Equal(before, after.ContentDigest(new FileDigests(), asScanned: true));
    }

    [Fact]
    public void A_byte_changed_under_the_same_size_changes_the_digest()
    {
        using var tree = Tree();
        var before = Snapshot(tree).ContentDigest(new FileDigests(), asScanned: true);
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/pmap.c", "int pmaq;\n"), LongAgo.AddMinutes(3));

        Assert.NotEqual(before, Snapshot(tree).ContentDigest(new FileDigests(), asScanned: true));
    }

    [Fact]
    public void A_file_renamed_with_the_same_contents_changes_the_digest()
    {
        using var tree = Tree();
        var before = Snapshot(tree).ContentDigest(new FileDigests(), asScanned: true);
        File.Move(Path.Combine(tree.Root, "osfmk/i386/pmap.c"), Path.Combine(tree.Root, "osfmk/i386/pmap_x86.c"));

        Assert.NotEqual(before, Snapshot(tree).ContentDigest(new FileDigests(), asScanned: true));
    }

    [Fact]
    public void A_file_written_since_the_snapshot_leaves_the_tree_without_a_content_digest()
    {
        using var tree = Tree();
        var snapshot = Snapshot(tree);
        // Written during the scan that took the snapshot: the scan read the old text, the file now holds the new one.
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/pmap.c", "int pmaq;\n"), LongAgo.AddMinutes(3));

        Assert.Null(snapshot.ContentDigest(new FileDigests(), asScanned: true));
    }

    [Fact]
    public void The_contents_now_are_digested_for_a_comparison_whatever_the_times()
    {
        using var tree = Tree();
        var snapshot = Snapshot(tree);
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/pmap.c", "int pmaq;\n"), LongAgo.AddMinutes(3));

        Assert.Equal(Snapshot(tree).ContentDigest(new FileDigests(), asScanned: true), snapshot.ContentDigest(new FileDigests(), asScanned: false));
    }
}
