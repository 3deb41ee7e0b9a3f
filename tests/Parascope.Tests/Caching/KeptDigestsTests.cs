using System.Security.Cryptography;
using Parascope.Caching;

namespace Parascope.Tests.Caching;

/// <summary>The digests of a scan's files kept by size and time for the next scan (git's index does the same).</summary>
public sealed class KeptDigestsTests
{
    private static readonly DateTime LongAgo = WholeScanCacheTests.Settled;

    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>The digest of PATH through a store at STORE, saved afterwards, and how many digests it took back.</summary>
    private static (string? Digest, int Taken) Digest(string store, string path)
    {
        var kept = new KeptDigests(store, DateTime.UtcNow);
        var digest = new FileDigests(kept: kept).Of(path);
        var taken = kept.Taken;
        kept.Save();
        return (digest, taken);
    }

    private static string Settled(TempTree tree, string relative, string text, int minutes = 0)
    {
        var path = tree.Write(relative, text);
        File.SetLastWriteTimeUtc(path, LongAgo.AddMinutes(minutes));
        return path;
    }

    [Fact]
    public void A_digest_is_taken_back_while_the_file_keeps_its_size_and_time()
    {
        using var tree = new TempTree();
        using var cache = new TempTree();
        var header = Settled(tree, "osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n");
        var store = Path.Combine(cache.Root, "scan" + KeptDigests.Extension);

        var first = Digest(store, header);
        var second = Digest(store, header);

        Assert.Equal((Sha(header), 0), first);
        Assert.Equal((Sha(header), 1), second);
    }

    [Fact]
    public void A_file_written_since_is_digested_again()
    {
        using var tree = new TempTree();
        using var cache = new TempTree();
        var header = Settled(tree, "osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n");
        var store = Path.Combine(cache.Root, "scan" + KeptDigests.Extension);
        var before = Digest(store, header);

        Settled(tree, "osfmk/i386/proc_reg.h", "#define CR0_WP 0x00010000\n", minutes: 1);
        var after = Digest(store, header);

        Assert.Equal((Sha(header), 0), after);
        Assert.NotEqual(before.Digest, after.Digest);
    }

    [Fact]
    public void A_file_written_moments_ago_is_not_kept()
    {
        using var tree = new TempTree();
        using var cache = new TempTree();
        var header = tree.Write("osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n");
        var store = Path.Combine(cache.Root, "scan" + KeptDigests.Extension);

        Digest(store, header);
        var again = Digest(store, header);

        Assert.Equal((Sha(header), 0), again);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    public void A_damaged_store_is_no_store(string damage)
    {
        using var tree = new TempTree();
        using var cache = new TempTree();
        var header = Settled(tree, "osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n");
        var store = Path.Combine(cache.Root, "scan" + KeptDigests.Extension);
        Digest(store, header);
        var bytes = File.ReadAllBytes(store);
        File.WriteAllBytes(store, damage == "truncated" ? bytes[..(bytes.Length / 2)] : [.. bytes.Select(b => (byte)(b ^ 0x21))]);

        var again = Digest(store, header);

        Assert.Equal((Sha(header), 0), again);
        Assert.Equal((Sha(header), 1), Digest(store, header));
    }

    [Fact]
    public void A_store_written_again_keeps_the_digests_of_files_this_scan_did_not_ask_for()
    {
        using var tree = new TempTree();
        using var cache = new TempTree();
        var header = Settled(tree, "osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n");
        var store = Path.Combine(cache.Root, "scan" + KeptDigests.Extension);
        Digest(store, header);

        // Seventeen new files make the store stale: written again, the header it was not asked for still in it.
        var kept = new KeptDigests(store, DateTime.UtcNow);
        var digests = new FileDigests(kept: kept);
        foreach (var i in Enumerable.Range(0, 17))
        {
            digests.Of(Settled(tree, $"osfmk/i386/cpu_{i}.h", $"#define CPU_{i} {i}\n"));
        }
        kept.Save();

        Assert.Equal((Sha(header), 1), Digest(store, header));
    }

    [Fact]
    public void A_digest_discovery_took_is_kept_under_the_stamp_the_tree_had_before_it_read_the_file()
    {
        using var tree = new TempTree();
        using var cache = new TempTree();
        var header = Settled(tree, "osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n");
        var store = Path.Combine(cache.Root, "scan" + KeptDigests.Extension);
        var stamps = TreeSnapshot.Take(Parascope.Discovery.FileInventory.Of(tree.Root)).Stamps;

        // A cold scan: discovery digested the header while it scanned it; no unit asked for it.
        var kept = new KeptDigests(store, DateTime.UtcNow);
        _ = new FileDigests(known: new Dictionary<string, string> { [header] = Sha(header) }, kept: kept, stamps: stamps);
        kept.Save();

        Assert.Equal((Sha(header), 1), Digest(store, header));
    }

    [Fact]
    public void A_digest_discovery_took_of_a_file_the_tree_had_not_listed_is_not_kept()
    {
        using var tree = new TempTree();
        using var cache = new TempTree();
        var stamps = TreeSnapshot.Take(Parascope.Discovery.FileInventory.Of(tree.Root)).Stamps;
        var header = Settled(tree, "osfmk/i386/proc_reg.h", "#define CR0_PG 0x80000000\n");
        var store = Path.Combine(cache.Root, "scan" + KeptDigests.Extension);

        var kept = new KeptDigests(store, DateTime.UtcNow);
        _ = new FileDigests(known: new Dictionary<string, string> { [header] = Sha(header) }, kept: kept, stamps: stamps);
        kept.Save();

        Assert.Equal((Sha(header), 0), Digest(store, header));
    }
}
