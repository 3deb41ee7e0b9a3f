using System.Security.Cryptography;
using Parascope.Caching;
using Parascope.Discovery;
using Parascope.Discovery.Xnu;
using Parascope.Parsing;

namespace Parascope.Tests.Discovery;

/// <summary>What discovery reads of each source file, scanned once and kept for the next scan (original texts in XNU's style).</summary>
public sealed class SourceScansTests
{
    private const string Header = """
        #ifndef _KERN_WIDGET_H_
        #define _KERN_WIDGET_H_
        #include <IOKit/IOWidget.h>
        #include "widget_internal.h"
        #include <../escape.h>
        #if DEBUG
        #define WIDGET_CHECKS	1
        #endif
        #define WIDGET_TRUST	kTCTypeWidget
        #define WIDGET_RIGHT	kCSWidgetEntitlement
        #if WIDGET_OPEN
        int widget_open(void);
        """;

    private const string Source = """
        #include "opt_widget.h"
        #include <kern/widget.h>
        #if WIDGET_CHECKS && defined(WIDGET_TRACE)
        static int widget_checks = cfgAdr;
        #endif
        """;

    private static TempTree Tree()
    {
        var tree = new TempTree();
        tree.Write("osfmk/kern/widget.h", Header);
        tree.Write("osfmk/kern/widget.c", Source);
        return tree;
    }

    /// <summary>Every field of SCAN in one string (the record's arrays compare by reference).</summary>
    private static string Describe(SourceScan? scan) => scan is null ? "none" : string.Join(" / ", scan.Unclosed,
        string.Join(",", scan.Includes), string.Join(",", scan.StrippedUsed), string.Join(",", scan.StrippedDefined),
        string.Join(",", scan.TrustCacheConstants), string.Join(",", scan.Entitlements), string.Join(",", scan.BsdOptions),
        string.Join(",", scan.Tested.Order(StringComparer.Ordinal)),
        string.Join(",", scan.Derived.Chunk(2).Select(pair => pair[0] + ">" + pair[1]).Order(StringComparer.Ordinal)));

    /// <summary>Both files' scans through a memo kept at MEMO, and how many were taken back and made.</summary>
    private static (string Header, string Source, int Reused, int Made) Kept(TempTree tree, string memo)
    {
        var scans = new SourceScans(memo);
        var header = Describe(scans.Of(Path.Combine(tree.Root, "osfmk/kern/widget.h")));
        var source = Describe(scans.Of(Path.Combine(tree.Root, "osfmk/kern/widget.c")));
        scans.Save();
        return (header, source, scans.Reused, scans.Made);
    }

    [Fact]
    public void A_scan_holds_what_each_part_of_discovery_reads_of_the_text()
    {
        var header = SourceScan.Of("/t/osfmk/kern/widget.h", Header);
        var source = SourceScan.Of("/t/osfmk/kern/widget.c", Source);

        Assert.Equal(
            "2 / <IOKit/IOWidget.h,\"widget_internal.h /  /  / kTCTypeWidget / kCSWidgetEntitlement /  / DEBUG,WIDGET_OPEN,_KERN_WIDGET_H_ / "
            + "DEBUG>WIDGET_CHECKS,_KERN_WIDGET_H_>WIDGET_CHECKS,_KERN_WIDGET_H_>WIDGET_RIGHT,_KERN_WIDGET_H_>WIDGET_TRUST,"
            + "kCSWidgetEntitlement>WIDGET_RIGHT,kTCTypeWidget>WIDGET_TRUST",
            Describe(header));
        Assert.Equal("0 / \"opt_widget.h,<kern/widget.h / cfgAdr /  /  /  / opt_widget.h / WIDGET_CHECKS,WIDGET_TRACE,defined / ", Describe(source));
        Assert.Equal(UnclosedConditionals.Count(Header), header.Unclosed);
    }

    [Fact]
    public void A_kept_scan_is_taken_back_until_its_file_changes()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        var memo = SourceScans.PathFor(cache.Root, tree.Root, "x86_64");

        var cold = Kept(tree, memo);
        var again = Kept(tree, memo);
        tree.Write("osfmk/kern/widget.c", Source + "\n#if WIDGET_NEW\n#endif\n");
        var edited = Kept(tree, memo);

        Assert.Equal((0, 2), (cold.Reused, cold.Made));
        Assert.Equal((cold.Header, cold.Source, 2, 0), again);
        Assert.Equal((cold.Header, 1, 1), (edited.Header, edited.Reused, edited.Made));
        Assert.Contains("WIDGET_NEW", edited.Source, StringComparison.Ordinal);
        Assert.Equal(Describe(SourceScan.Of("/t/osfmk/kern/widget.c", Source + "\n#if WIDGET_NEW\n#endif\n")), edited.Source);
    }

    [Fact]
    public void A_memo_with_only_a_few_files_scanned_again_is_not_written_again()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        var memo = SourceScans.PathFor(cache.Root, tree.Root, "x86_64");
        Kept(tree, memo);
        var written = File.ReadAllBytes(memo);
        tree.Write("osfmk/kern/widget.c", Source + "\n#if WIDGET_NEW\n#endif\n");

        var edited = Kept(tree, memo);
        var again = Kept(tree, memo);

        Assert.Equal(written, File.ReadAllBytes(memo));
        Assert.Equal((1, 1), (edited.Reused, edited.Made));
        Assert.Equal(edited, again);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("another build")]
    public void A_damaged_memo_or_one_of_another_build_is_no_memo(string damage)
    {
        using var tree = Tree();
        using var cache = new TempTree();
        var memo = SourceScans.PathFor(cache.Root, tree.Root, "x86_64");
        var cold = Kept(tree, memo);
        var bytes = File.ReadAllBytes(memo);
        var build = typeof(SourceScans).Assembly.ManifestModule.ModuleVersionId.ToString();
        var json = System.Text.Encoding.UTF8.GetString(Parascope.Files.Frame.Read(bytes, "PSSS"u8, SourceScans.Version)!.Value.Span);
        Assert.Contains(build, json, StringComparison.Ordinal);
        File.WriteAllBytes(memo, damage == "truncated" ? bytes[..(bytes.Length / 2)]
            : Parascope.Files.Frame.Wrap("PSSS"u8, SourceScans.Version, System.Text.Encoding.UTF8.GetBytes(json.Replace(build, Guid.Empty.ToString(), StringComparison.Ordinal))));

        Assert.Equal((cold.Header, cold.Source, 0, 2), Kept(tree, memo));
    }

    [Fact]
    public void A_file_that_cannot_be_read_has_no_scan_and_is_not_kept()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        var memo = SourceScans.PathFor(cache.Root, tree.Root, "x86_64");
        var scans = new SourceScans(memo);

        Assert.Null(scans.Of(Path.Combine(tree.Root, "osfmk/kern/gone.h")));
        Assert.Null(scans.Of(tree.Root));
        Assert.Empty(scans.Digests());
    }

    /// <summary>Discovery of an XNU-layout tree that keeps its readings in CACHE.</summary>
    private static DiscoveryResult Discover(TempTree tree, string cache) =>
        UnitDiscovery.Discover(new DiscoveryRequest
        {
            Root = tree.Root,
            Arches = ["x86_64"],
            CacheDirectory = cache,
            ResourceDirectory = ResourceDirectory.Find(),
            KeepsReadings = true,
        });

    private static string Units(DiscoveryResult result) =>
        string.Join("\n", result.Units.Concat(result.Variants).Select(u => u.RelativePath + " " + u.Configuration + " " + string.Join(' ', u.Arguments)));

    [Fact]
    public void Discovery_from_kept_scans_is_discovery_from_the_files()
    {
        using var tree = XnuProfileTests.TreeWithAStrippedHardwareHeader(string.Empty);
        tree.Write("osfmk/kern/widget_open.h", "#if WIDGET_OPEN\nint widget_open(void);\n");
        using var cache = new TempTree();
        using var cold = new TempTree();

        var first = Discover(tree, cache.Root);
        var memo = SourceScans.PathFor(cache.Root, tree.Root, "x86_64");
        var kept = File.ReadAllBytes(memo);
        var second = Discover(tree, cache.Root);
        // Without the memo: the stand-ins written again from the files alone, in a cache folder of its own.
        var unkept = UnitDiscovery.Discover(new DiscoveryRequest
        {
            Root = tree.Root,
            Arches = ["x86_64"],
            CacheDirectory = cold.Root,
            ResourceDirectory = ResourceDirectory.Find(),
        });

        Assert.NotEmpty(first.Units);
        Assert.Equal(Units(unkept).Replace(cold.Root, cache.Root, StringComparison.Ordinal), Units(second));
        Assert.Equal(Units(first), Units(second));
        Assert.Equal(unkept.Overlays, second.Overlays);
        Assert.Contains(Path.Combine(tree.Root, "osfmk/kern/widget_open.h"), second.Overlays.Keys);
        Assert.Contains(Path.Combine(tree.Root, "osfmk/i386/hw_defs.h"), second.Overlays.Keys);
        // The second discovery took every scan back: its memo is the first's, not written again.
        Assert.Equal(kept, File.ReadAllBytes(memo));
        Assert.False(File.Exists(SourceScans.PathFor(cold.Root, tree.Root, "x86_64")));
        // In the arch's stand-in folder: `cache info` counts one folder per tree and arch, `cache clear` deletes it.
        Assert.Equal(Path.GetDirectoryName(memo), Assert.Single(Directory.GetDirectories(cache.Root, "xnu-*")));
    }

    [Fact]
    public void The_digests_discovery_took_are_the_files_digests()
    {
        using var tree = XnuProfileTests.TreeWithAStrippedHardwareHeader(string.Empty);
        using var cache = new TempTree();

        var digests = Discover(tree, cache.Root).ContentDigests;

        Assert.NotEmpty(digests);
        foreach (var (path, digest) in digests)
        {
            Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))), digest);
            Assert.Equal(new FileDigests().Of(path), digest);
        }
        // A repaired file is digested as libclang reads it, from its overlay, whatever discovery read.
        var result = Discover(tree, cache.Root);
        var repaired = Path.Combine(tree.Root, "osfmk/i386/hw_defs.h");
        Assert.Equal(new FileDigests(result.Overlays).Of(repaired), new FileDigests(result.Overlays, result.ContentDigests).Of(repaired));
        Assert.StartsWith("overlay:", new FileDigests(result.Overlays, result.ContentDigests).Of(repaired), StringComparison.Ordinal);
    }
}
