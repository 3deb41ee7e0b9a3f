using Parascope.Caching;

namespace Parascope.Tests.Caching;

/// <summary>
/// A cache entry keeps one digest of every file its unit read (<see cref="FileDigests.Combined"/>): it must match again
/// exactly when every file still has its content, in the same order.
/// </summary>
public sealed class FileDigestsTests
{
    [Fact]
    public void The_combined_digest_matches_while_every_file_keeps_its_content_and_not_after_one_changes()
    {
        using var tree = new TempTree();
        var unit = tree.Write("osfmk/kern/idle.c", "#include <kern/spl.h>\nint idle_count;\n");
        var header = tree.Write("osfmk/kern/spl.h", "extern int spl;\n");
        var taken = new FileDigests().Combined([unit, header]);

        Assert.NotNull(taken);
        Assert.Equal(taken, new FileDigests().Combined([unit, header]));
        // Same files, read in another order: another unit's list, not this one's.
        Assert.NotEqual(taken, new FileDigests().Combined([header, unit]));
        File.WriteAllText(header, "extern int spl_level;\n");
        Assert.NotEqual(taken, new FileDigests().Combined([unit, header]));
    }

    [Fact]
    public void A_file_s_digest_is_the_SHA_256_of_its_bytes_however_long()
    {
        using var tree = new TempTree();
        var small = tree.Write("osfmk/kern/spl.h", "extern int spl;\n");
        var large = tree.Write("osfmk/kern/large.h", string.Concat(Enumerable.Repeat("#define PMAP_X 1 /* \u00e9 */\n", 50_000)));
        var empty = tree.Write("osfmk/kern/empty.h", "");
        var digests = new FileDigests();

        foreach (var path in new[] { small, large, empty })
        {
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), digests.Of(path));
        }
    }

    [Fact]
    public void A_file_that_cannot_be_read_gives_no_combined_digest()
    {
        using var tree = new TempTree();
        var unit = tree.Write("osfmk/kern/idle.c", "int idle_count;\n");

        Assert.Null(new FileDigests().Combined([unit, Path.Combine(tree.Root, "osfmk/kern/gone.h")]));
    }

    [Fact]
    public void A_repaired_file_is_digested_as_libclang_reads_it()
    {
        using var tree = new TempTree();
        var header = tree.Write("bsd/sys/kpi_socketfilter.h", "#ifndef KPI_SF\n#define KPI_SF\n");
        var repaired = "#ifndef KPI_SF\n#define KPI_SF\n#endif\n";
        var overlays = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create(header, repaired)]);

        Assert.NotEqual(new FileDigests().Combined([header]), new FileDigests(overlays).Combined([header]));
    }
}
