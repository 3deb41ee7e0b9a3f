using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Parascope.Caching;
using Parascope.Discovery;
using Parascope.Discovery.Xnu;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Tests.Caching;

namespace Parascope.Tests.Discovery;

/// <summary>
/// Discovery's result kept by what it read and taken back while that holds (an XNU-style fixture with its configurations'
/// files, makefiles and sources: XnuConfigurationTests.OldXnu).
/// </summary>
public sealed class DiscoveryMemoTests
{
    private static readonly DateTime LongAgo = WholeScanCacheTests.Settled;

    /// <summary>The fixture with every file last written an hour ago (a tree nobody is editing).</summary>
    private static TempTree SettledXnu()
    {
        var tree = XnuConfigurationTests.OldXnu();
        tree.TouchAll(LongAgo);
        return tree;
    }

    /// <summary>RELATIVE written with TEXT, a minute after the rest (settled still: the snapshot is not racy).</summary>
    private static void Edit(TempTree tree, string relative, string text) =>
        File.SetLastWriteTimeUtc(tree.Write(relative, text), LongAgo.AddMinutes(1));

    private static DiscoveryResult Discover(TempTree tree, string cache, bool keeps = true, ImmutableArray<string>? configurations = null,
        Func<string, Parascope.Files.FileStamp, string?>? keptDigest = null)
    {
        var files = FileInventory.Of(tree.Root);
        return UnitDiscovery.Discover(new DiscoveryRequest
        {
            Root = tree.Root,
            Arches = ["i386"],
            CacheDirectory = cache,
            ResourceDirectory = ResourceDirectory.Find(),
            Files = files,
            KeepsReadings = keeps,
            Stamps = keeps ? TreeSnapshot.Take(files).Stamps : null,
            Configurations = configurations,
            KeptDigest = keptDigest,
        });
    }

    /// <summary>Everything a discovery found, one line per unit and variant (arguments included), then the rest.</summary>
    private static string Describe(DiscoveryResult result) => string.Join("\n",
        result.Units.Concat(result.Variants).Select(u => string.Join(" | ", u.RelativePath, u.Arch, u.Configuration, u.Variant, u.InBuild,
            u.Platform, string.Join(",", u.SameConfigurations), string.Join(",", u.Platforms), string.Join(",", u.OwnOptions),
            string.Join(" ", u.Arguments), u.WorkingDirectory, u.Subsystem, u.Origin, u.Language)))
        + "\n" + string.Join(",", result.Warnings) + "\n" + string.Join(",", result.Configurations) + "\n" + string.Join(",", result.Platforms)
        + "\n" + string.Join(",", result.MachineConfigs.Select(m => m.Arch + ":" + m.Name + ":" + string.Join(" ", m.Defines)))
        + "\n" + string.Join(",", result.Overlays.Select(o => o.Key + "=" + o.Value.Length))
        + "\n" + string.Join(",", result.OverlayRepairs.Select(o => o.Key + "=" + o.Value));

    private static string MemoPath(TempTree tree, string cache) =>
        Path.Combine(XnuProfile.CacheFolder(cache, tree.Root, "i386"), DiscoveryMemo.FileName);

    [Fact]
    public void An_unchanged_tree_s_discovery_is_taken_back_and_equals_a_discovery_made_anew()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();

        var first = Discover(tree, cache.Root);
        var second = Discover(tree, cache.Root);

        Assert.False(first.Kept);
        Assert.True(second.Kept);
        Assert.NotEmpty(second.Units);
        Assert.NotEmpty(second.Variants);
        Assert.Equal(Describe(Discover(tree, cache.Root, keeps: false)), Describe(second));
        Assert.Equal(Describe(first), Describe(second));
    }

    [Fact]
    public void Units_taken_back_share_one_list_of_flags_where_their_flags_are_equal_and_keep_their_cache_keys()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        var made = Discover(tree, cache.Root);

        var taken = Discover(tree, cache.Root);

        Assert.True(taken.Kept);
        var all = taken.Units.Concat(taken.Variants).ToList();
        var lists = all.Select(u => ImmutableCollectionsMarshal.AsArray(u.Arguments)!).Distinct(ReferenceEqualityComparer.Instance).Count();
        var distinct = all.Select(u => string.Join("\n", u.Arguments)).Distinct(StringComparer.Ordinal).Count();
        Assert.Equal(distinct, lists);
        Assert.True(lists < all.Count, $"{lists} lists of flags for {all.Count} units");
        // A unit's key digests its flags by content: the units made anew, each with a list of its own, have the same keys.
        var results = new ResultCache(Path.Combine(cache.Root, "results"), "identity", new FileDigests());
        Assert.Equal(made.Units.Concat(made.Variants).Select(results.KeyOf), all.Select(results.KeyOf));
        Assert.NotEqual(results.KeyOf(all[0]), results.KeyOf(all[0] with { Arguments = [.. all[0].Arguments, "-DXEN"] }));
    }

    [Fact]
    public void An_edit_of_a_function_body_scans_the_same_and_keeps_the_discovery()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);
        var core = File.ReadAllText(Path.Combine(tree.Root, "osfmk/kern/core.c"));

        Edit(tree, "osfmk/kern/core.c", core + "\nint\ncore_count(void)\n{\n\treturn core + 1;\n}\n");
        var edited = Discover(tree, cache.Root);

        Assert.True(edited.Kept);
        Assert.Equal(Describe(Discover(tree, cache.Root, keeps: false)), Describe(edited));
    }

    [Fact]
    public void A_tree_touched_all_over_reads_the_same_and_keeps_the_discovery()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);
        // A fresh clone of the same commit: every makefile, configuration file and source new in time, none in content.
        tree.TouchAll(LongAgo.AddMinutes(2));

        var touched = Discover(tree, cache.Root);

        Assert.True(touched.Kept);
        Assert.Equal(Describe(Discover(tree, cache.Root, keeps: false)), Describe(touched));
    }

    [Fact]
    public void A_touched_tree_s_discovery_is_checked_by_the_digests_an_earlier_scan_kept_under_the_new_times()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        using var other = new TempTree();
        Discover(tree, cache.Root);
        Discover(tree, other.Root);
        tree.TouchAll(LongAgo.AddMinutes(2));
        var asked = new System.Collections.Concurrent.ConcurrentBag<string>();
        string? Claimed(string path, bool truly)
        {
            asked.Add(path);
            return truly ? Parascope.Files.RegularFiles.DigestOf(path) : new string('0', 64);
        }

        Assert.True(Discover(tree, cache.Root, keptDigest: (path, _) => Claimed(path, truly: true)).Kept);
        Assert.NotEmpty(asked);
        // Digests that are not what was kept make the discovery anew, though every file reads the same: they were used, not the files.
        Assert.False(Discover(tree, other.Root, keptDigest: (path, _) => Claimed(path, truly: false)).Kept);
    }

    [Fact]
    public void A_touched_tree_with_a_configuration_file_changed_makes_the_discovery_anew()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);
        tree.TouchAll(LongAgo.AddMinutes(2));
        var files = File.ReadAllText(Path.Combine(tree.Root, "osfmk/conf/files"));
        Edit(tree, "osfmk/conf/files", files.Replace("osfmk/kern/monitor.c\t\toptional widget_monitor", "osfmk/kern/monitor.c\t\tstandard",
            StringComparison.Ordinal));

        var edited = Discover(tree, cache.Root);

        Assert.False(edited.Kept);
        Assert.Equal(true, Assert.Single(edited.Units, u => u.RelativePath == "osfmk/kern/monitor.c").InBuild);
    }

    [Fact]
    public void An_edit_that_tests_another_configuration_s_option_makes_the_discovery_anew()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        var before = Discover(tree, cache.Root);
        var widget = File.ReadAllText(Path.Combine(tree.Root, "osfmk/vm/vm_widget.c"));

        // DEBUG selects widget_kdb: a file testing it is parsed again in DEBUG.
        Edit(tree, "osfmk/vm/vm_widget.c", "#include <widget_kdb.h>\n" + widget + "\n#if WIDGET_KDB\nint vm_widget_kdb;\n#endif\n");
        var edited = Discover(tree, cache.Root);

        Assert.False(edited.Kept);
        Assert.Equal(Describe(Discover(tree, cache.Root, keeps: false)), Describe(edited));
        Assert.DoesNotContain(before.Variants, v => v.RelativePath == "osfmk/vm/vm_widget.c");
        Assert.Contains(edited.Variants, v => v.RelativePath == "osfmk/vm/vm_widget.c");
    }

    [Fact]
    public void A_changed_build_list_makes_the_discovery_anew()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);
        var files = File.ReadAllText(Path.Combine(tree.Root, "osfmk/conf/files"));

        Edit(tree, "osfmk/conf/files", files.Replace("osfmk/kern/monitor.c\t\toptional widget_monitor", "osfmk/kern/monitor.c\t\tstandard",
            StringComparison.Ordinal));
        var edited = Discover(tree, cache.Root);

        Assert.False(edited.Kept);
        Assert.Equal(Describe(Discover(tree, cache.Root, keeps: false)), Describe(edited));
        Assert.Equal(true, Assert.Single(edited.Units, u => u.RelativePath == "osfmk/kern/monitor.c").InBuild);
    }

    [Fact]
    public void A_file_added_to_the_tree_makes_the_discovery_anew()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);

        Edit(tree, "osfmk/kern/added.c", "int added;\n");
        var edited = Discover(tree, cache.Root);

        Assert.False(edited.Kept);
        Assert.Contains(edited.Units, u => u.RelativePath == "osfmk/kern/added.c");
    }

    [Fact]
    public void A_link_the_tree_s_listing_does_not_show_makes_the_discovery_anew_where_discovery_lists_its_folder()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);

        // The inventory lists no links; discovery lists conf/ for its files lists, and reads this one.
        File.CreateSymbolicLink(Path.Combine(tree.Root, "osfmk/conf/files.i386.extra"), Path.Combine(tree.Root, "osfmk/conf/files.i386"));
        var linked = Discover(tree, cache.Root);

        Assert.False(linked.Kept);
        Assert.Equal(Describe(Discover(tree, cache.Root, keeps: false)), Describe(linked));
    }

    [Fact]
    public void An_empty_subsystem_folder_makes_the_discovery_anew()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);

        Directory.CreateDirectory(Path.Combine(tree.Root, "libkern"));
        var again = Discover(tree, cache.Root);

        Assert.False(again.Kept);
        Assert.Equal(Describe(Discover(tree, cache.Root, keeps: false)), Describe(again));
    }

    [Fact]
    public void A_stand_in_removed_from_the_cache_makes_the_discovery_anew_and_is_written_again()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);
        var folder = XnuProfile.CacheFolder(cache.Root, tree.Root, "i386");
        var standIn = Directory.EnumerateFiles(folder, "*.h", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();

        File.Delete(standIn);
        var again = Discover(tree, cache.Root);

        Assert.False(again.Kept);
        Assert.True(File.Exists(standIn));
        Assert.True(Discover(tree, cache.Root).Kept);
    }

    [Fact]
    public void A_request_for_other_configurations_makes_the_discovery_anew()
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        Discover(tree, cache.Root);

        var none = Discover(tree, cache.Root, configurations: []);

        Assert.False(none.Kept);
        Assert.Empty(none.Variants);
        Assert.False(Discover(tree, cache.Root).Kept);
    }

    [Fact]
    public void A_tree_written_moments_ago_keeps_no_memo()
    {
        using var tree = XnuConfigurationTests.OldXnu();
        using var cache = new TempTree();

        Discover(tree, cache.Root);

        Assert.False(File.Exists(MemoPath(tree, cache.Root)));
        Assert.False(Discover(tree, cache.Root).Kept);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    public void A_damaged_memo_is_no_memo(string damage)
    {
        using var tree = SettledXnu();
        using var cache = new TempTree();
        var first = Discover(tree, cache.Root);
        var memo = MemoPath(tree, cache.Root);
        var bytes = File.ReadAllBytes(memo);
        File.WriteAllBytes(memo, damage == "truncated" ? bytes[..(bytes.Length / 2)] : [.. bytes.Select(b => (byte)(b ^ 0x5A))]);

        var again = Discover(tree, cache.Root);

        Assert.False(again.Kept);
        Assert.Equal(Describe(first), Describe(again));
        Assert.True(Discover(tree, cache.Root).Kept);
    }

    [Fact]
    public async Task The_log_notes_reads_of_the_flow_and_its_tasks_and_a_scan_s_own_read_apart()
    {
        using var tree = new TempTree();
        var read = tree.Write("read.h", "#define READ 1\n");
        var scanned = tree.Write("scanned.c", "int scanned;\n");
        var elsewhere = tree.Write("elsewhere.c", "int elsewhere;\n");
        var log = new Parascope.Files.ReadLog();

        using (Parascope.Files.ReadLog.Record(log))
        {
            await Task.Run(() => Parascope.Files.RegularFiles.ReadAllText(read));
            using (Parascope.Files.ReadLog.Scanning(scanned))
            {
                Parascope.Files.RegularFiles.ReadAllText(scanned);
            }
        }
        Parascope.Files.RegularFiles.ReadAllText(elsewhere);

        Assert.Equal([read], log.Read);
        Assert.Equal([scanned], log.Scanned);
    }
}
