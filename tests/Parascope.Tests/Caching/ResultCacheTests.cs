using Parascope.Caching;
using Parascope.Reports;

namespace Parascope.Tests.Caching;

/// <summary>The result cache: reused only while nothing a unit's facts depend on changed, never trusted when damaged.</summary>
public sealed class ResultCacheTests
{
    internal const string Header = """
        #ifndef _I386_PROC_REG_H_
        #define _I386_PROC_REG_H_
        static inline void set_cr3_raw(unsigned long value)
        {
            __asm__ volatile("mov %0, %%cr3" : : "r" (value));
        }
        #endif
        """;

    private const string PmapUnit = """
        #include "proc_reg.h"
        void pmap_switch_to(unsigned long root)
        {
        #ifdef PMAP_TRACE
            __asm__ volatile("invlpg (%0)" : : "r" (root));
        #endif
            set_cr3_raw(root);
        }
        """;

    private const string OtherUnit = """
        int other_count(int value)
        {
            return value + 1;
        }
        """;

    private static TempTree Tree()
    {
        var tree = new TempTree();
        tree.Write("proc_reg.h", Header);
        tree.Write("pmap.c", PmapUnit);
        tree.Write("other.c", OtherUnit);
        return tree;
    }

    private static ScanOutcome Scan(string root, string? cache, string stands, string? compileCommands = null) =>
        ScanPipeline.Run(new ScanRequest
        {
            Root = root,
            Jobs = 2,
            Profile = "generic",
            IncludeUnits = true,
            CacheDirectory = stands,
            ResultCache = cache,
            ReuseWholeScan = false,
            CompileCommands = compileCommands,
        });

    private static string Json(ScanOutcome outcome)
    {
        Assert.Null(outcome.Error);
        return ReportWriter.ToText(outcome.Result!, ReportFormat.Json);
    }

    [Fact]
    public void An_unchanged_rescan_reads_every_C_unit_from_the_cache_and_reports_the_same_bytes()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        var uncached = Json(Scan(tree.Root, null, cache.Root));
        var cold = Scan(tree.Root, cache.Root, cache.Root);
        var warm = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal(2, warm.Statistics!.Cache!.Hits);
        Assert.Equal(uncached, Json(cold));
        Assert.Equal(uncached, Json(warm));
    }

    [Fact]
    public void The_sample_tree_for_two_arches_reports_the_same_bytes_cold_and_warm()
    {
        using var cache = new TempTree();
        ScanOutcome Sample(string? results) => ScanPipeline.Run(new ScanRequest
        {
            Root = SampleTreeTests.SampleRoot(),
            Arches = ["x86_64", "arm64"],
            Jobs = 2,
            IncludeUnits = true,
            CacheDirectory = cache.Root,
            ResultCache = results,
            ReuseWholeScan = false,
        });
        var uncached = Json(Sample(null));
        var cold = Json(Sample(cache.Root));
        var warm = Sample(cache.Root);
        Assert.True(warm.Statistics!.Cache!.Hits > 0);
        Assert.Equal(uncached, cold);
        Assert.Equal(uncached, Json(warm));
    }

    [Theory]
    [MemberData(nameof(Detectors.FixtureTests.Fixtures), MemberType = typeof(Detectors.FixtureTests))]
    public void Every_fixture_reports_the_same_bytes_from_the_cache_as_without_it(string fixture)
    {
        var root = Path.Combine(Detectors.FixturePaths.Root, fixture);
        var archesFile = Path.Combine(root, "arches");
        string[] arches = File.Exists(archesFile) ? File.ReadAllLines(archesFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray() : ["x86_64"];
        using var cache = new TempTree();
        ScanOutcome Fixture(string? results) => ScanPipeline.Run(new ScanRequest
        {
            Root = root,
            Arches = [.. arches],
            Jobs = 2,
            Profile = "generic",
            IncludeUnits = true,
            CacheDirectory = cache.Root,
            ResultCache = results,
            ReuseWholeScan = false,
        });
        var uncached = Json(Fixture(null));
        Json(Fixture(cache.Root));
        var warm = Fixture(cache.Root);
        Assert.Equal(0, warm.Statistics!.Cache!.Misses);
        Assert.Equal(uncached, Json(warm));
    }

    private static IEnumerable<string> Entries(string cache) =>
        Directory.EnumerateFiles(Path.Combine(cache, ResultCache.EntriesFolder), "*.facts", SearchOption.AllDirectories);

    [Fact]
    public void Editing_an_included_header_parses_again_only_the_units_that_include_it()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        tree.Write("proc_reg.h", Header.Replace("%%cr3", "%%cr4", StringComparison.Ordinal));
        var edited = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal((1, 1), (edited.Statistics!.Cache!.Hits, edited.Statistics.Cache.Misses));
        Assert.Contains(edited.Result!.Findings, f => f.File == "proc_reg.h" && f.RuleId == "x86.cr4-write");
    }

    [Fact]
    public void An_assembly_unit_is_read_from_the_cache_until_a_header_its_preprocessor_read_changes()
    {
        // libclang preprocesses .s units: what a header defines decides which statements are active, so the header is in
        // the unit's manifest, and the unit is read from the cache only while it is unchanged.
        using var tree = new TempTree();
        tree.Write("idle_config.h", "#define HAS_IDLE_CLI 1\n");
        tree.Write("idle.s", "#include \"idle_config.h\"\n\t.text\n\t.globl _idle\n_idle:\n#if HAS_IDLE_CLI\n\tcli\n#endif\n\thlt\n\tret\n");
        using var cache = new TempTree();
        var cold = Scan(tree.Root, cache.Root, cache.Root);
        var warm = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal((1, 0), (warm.Statistics!.Cache!.Hits, warm.Statistics.Cache.Misses));
        Assert.Equal(Json(cold), Json(warm));
        Assert.True(Assert.Single(warm.Result!.Findings, f => f.RuleId == "x86.cli-sti").Active);

        tree.Write("idle_config.h", "#define HAS_IDLE_CLI 0\n");
        var edited = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal((0, 1), (edited.Statistics!.Cache!.Hits, edited.Statistics.Cache.Misses));
        Assert.False(Assert.Single(edited.Result!.Findings, f => f.RuleId == "x86.cli-sti").Active);
    }

    [Fact]
    public void A_changed_flag_parses_the_unit_again_and_reports_what_the_flag_turns_on()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        string Commands(string flags) => tree.Write("compile_commands.json", $$"""
            [{"directory": "{{tree.Root}}", "file": "pmap.c", "arguments": ["cc", "-c", {{flags}} "pmap.c"]},
             {"directory": "{{tree.Root}}", "file": "other.c", "arguments": ["cc", "-c", "other.c"]}]
            """);
        var plain = Scan(tree.Root, cache.Root, cache.Root, Commands(""));
        var traced = Scan(tree.Root, cache.Root, cache.Root, Commands("\"-DPMAP_TRACE\","));
        Assert.Equal((1, 1), (traced.Statistics!.Cache!.Hits, traced.Statistics.Cache.Misses));
        Assert.Contains(traced.Result!.Findings, f => f.File == "pmap.c" && f.RuleId.Contains("invlpg", StringComparison.Ordinal) && f.Active);
        Assert.DoesNotContain(plain.Result!.Findings, f => f.File == "pmap.c" && f.RuleId.Contains("invlpg", StringComparison.Ordinal) && f.Active);
    }

    /// <summary>
    /// A tree whose pmap.c includes a header no search folder holds: its own folder (a quoted include), include/ in the
    /// tree and a folder outside it (as XNU's stand-ins are) are searched, with -nostdinc unless FLAGS say otherwise.
    /// </summary>
    private static (TempTree Tree, TempTree Outside, string Commands) MissingHeaderTree(string flags = "\"-nostdinc\",")
    {
        var tree = Tree();
        var outside = new TempTree();
        tree.Write("include/.keep", string.Empty);
        tree.Write("pmap.c", "#include \"widget/missing.h\"\n" + PmapUnit);
        var commands = tree.Write("compile_commands.json", $$"""
            [{"directory": "{{tree.Root}}", "file": "pmap.c", "arguments": ["cc", "-c", {{flags}} "-I", "{{tree.Root}}/include", "-I{{outside.Root}}", "pmap.c"]},
             {"directory": "{{tree.Root}}", "file": "other.c", "arguments": ["cc", "-c", "other.c"]}]
            """);
        return (tree, outside, commands);
    }

    private const string MissingHeader = "static inline void widget_off(void)\n{\n    __asm__ volatile(\"cli\");\n}\n";

    [Fact]
    public void A_unit_that_stopped_at_a_missing_header_is_taken_back_while_the_header_is_still_missing()
    {
        var (tree, outside, commands) = MissingHeaderTree();
        using var _ = tree;
        using var __ = outside;
        using var cache = new TempTree();
        var cold = Scan(tree.Root, cache.Root, cache.Root, commands);
        Assert.Contains(cold.Result!.Health.MissingHeaders, m => m.Text == "widget/missing.h");

        var warm = Scan(tree.Root, cache.Root, cache.Root, commands);

        Assert.Equal((2, 0), (warm.Statistics!.Cache!.Hits, warm.Statistics.Cache.Misses));
        Assert.Equal(Json(Scan(tree.Root, null, cache.Root, commands)), Json(warm));
    }

    [Theory]
    [InlineData("tree")]
    [InlineData("outside")]
    [InlineData("includer")]
    [InlineData("link")]
    public void A_missing_header_created_where_the_unit_looks_parses_the_unit_again(string where)
    {
        var (tree, outside, commands) = MissingHeaderTree();
        using var _ = tree;
        using var __ = outside;
        using var cache = new TempTree();
        using var elsewhere = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root, commands);
        switch (where)
        {
            case "tree":
                tree.Write("include/widget/missing.h", MissingHeader);
                break;
            case "outside":
                outside.Write("widget/missing.h", MissingHeader);
                break;
            case "includer":
                tree.Write("widget/missing.h", MissingHeader);
                break;
            case "link":
                // A link the tree's listing leaves out (links are not listed), to a file outside every search folder.
                var target = elsewhere.Write("real.h", MissingHeader);
                Directory.CreateDirectory(Path.Combine(tree.Root, "include/widget"));
                File.CreateSymbolicLink(Path.Combine(tree.Root, "include/widget/missing.h"), target);
                break;
        }

        var rescan = Scan(tree.Root, cache.Root, cache.Root, commands);

        Assert.Equal((1, 1), (rescan.Statistics!.Cache!.Hits, rescan.Statistics.Cache.Misses));
        Assert.DoesNotContain(rescan.Result!.Health.MissingHeaders, m => m.Text == "widget/missing.h");
        Assert.Equal(Json(Scan(tree.Root, null, cache.Root, commands)), Json(rescan));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"-nostdinc\", \"-isysroot\", \"/nonexistent/sdk\",")]
    [InlineData("\"-nostdinc\", \"-F/nonexistent/frameworks\",")]
    public void A_unit_whose_missing_header_could_be_found_elsewhere_is_parsed_again_every_scan(string flags)
    {
        // Without -nostdinc clang also looks in the machine's system folders; a sysroot or frameworks add other places.
        var (tree, outside, commands) = MissingHeaderTree(flags);
        using var _ = tree;
        using var __ = outside;
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root, commands);

        var warm = Scan(tree.Root, cache.Root, cache.Root, commands);

        Assert.Equal((1, 1), (warm.Statistics!.Cache!.Hits, warm.Statistics.Cache.Misses));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    [InlineData("foreign")]
    public void A_damaged_or_foreign_entry_is_rejected_and_rebuilt(string damage)
    {
        using var tree = Tree();
        using var cache = new TempTree();
        var expected = Json(Scan(tree.Root, cache.Root, cache.Root));
        var entries = Entries(cache.Root).Order(StringComparer.Ordinal).ToList();
        var victim = entries[0];
        var bytes = File.ReadAllBytes(victim);
        switch (damage)
        {
            case "truncated":
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case "flipped":
                bytes[^3] ^= 0x5a;
                break;
            default:
                bytes = File.ReadAllBytes(entries[1]);
                break;
        }
        File.WriteAllBytes(victim, bytes);
        var rescan = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal((1, 1, 1), (rescan.Statistics!.Cache!.Hits, rescan.Statistics.Cache.Rejected, rescan.Statistics.Cache.Stored));
        Assert.Equal(expected, Json(rescan));
        Assert.Equal(2, Scan(tree.Root, cache.Root, cache.Root).Statistics!.Cache!.Hits);
    }

    [Fact]
    public void A_header_body_walked_by_a_deleted_unit_is_walked_by_a_cached_unit_that_still_reaches_it()
    {
        using var tree = Tree();
        tree.Write("pmap2.c", "#include \"proc_reg.h\"\nvoid pmap_other(unsigned long r) { set_cr3_raw(r); }\n");
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        // Whichever of the two units walked set_cr3_raw's body, delete it: the other is cached and did not walk it.
        File.Delete(Path.Combine(tree.Root, "pmap.c"));
        var expected = Json(Scan(tree.Root, null, cache.Root));
        Assert.Equal(expected, Json(Scan(tree.Root, cache.Root, cache.Root)));
        tree.Write("pmap.c", PmapUnit);
        File.Delete(Path.Combine(tree.Root, "pmap2.c"));
        expected = Json(Scan(tree.Root, null, cache.Root));
        Assert.Equal(expected, Json(Scan(tree.Root, cache.Root, cache.Root)));
    }

    [Fact]
    public void The_cache_is_kept_under_its_size_bound_by_evicting_the_least_recently_used_entries()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        var entries = Entries(cache.Root).Select(e => new FileInfo(e)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        File.SetLastWriteTimeUtc(entries[0].FullName, DateTime.UtcNow.AddDays(-1));
        Assert.Equal(1, ResultCache.Trim(cache.Root, entries[1].Length));
        Assert.Equal([entries[1].FullName], Entries(cache.Root));
    }

    [Fact]
    public async Task Scans_sharing_a_cache_at_the_same_time_leave_only_whole_entries()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        var expected = Json(Scan(tree.Root, null, cache.Root));
        var scans = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Json(Scan(tree.Root, cache.Root, cache.Root)))).ToArray();
        foreach (var scan in await Task.WhenAll(scans))
        {
            Assert.Equal(expected, scan);
        }
        var after = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal((2, 0), (after.Statistics!.Cache!.Hits, after.Statistics.Cache.Rejected));
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(cache.Root, ResultCache.EntriesFolder), "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void Clear_deletes_the_entries_and_info_counts_them()
    {
        using var tree = Tree();
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal(2, ResultCache.Info(cache.Root).Entries);
        Assert.Equal(2, ResultCache.Clear(cache.Root).Entries);
        Assert.Equal(0, ResultCache.Info(cache.Root).Entries);
    }
}

/// <summary>A unit's lookup key: a contract with the entries already on disk (a key taken otherwise orphans them all).</summary>
public sealed class ResultCacheKeyTests
{
    [Fact]
    public void A_unit_s_key_is_the_SHA_256_of_the_scan_identity_the_build_the_unit_s_JSON_but_its_flags_and_its_flags_digest()
    {
        using var cache = new TempTree();
        var unit = new Parascope.Model.SourceUnit
        {
            Path = "/tree/osfmk/kern/widget.c",
            RelativePath = "osfmk/kern/widget.c",
            Language = Parascope.Model.SourceLanguage.C,
            Arch = "x86_64",
            Arguments = ["-DKERNEL", "-I/tree/osfmk", "-DWIDGET_NAME=\"wïdget\""],
        };
        var results = new ResultCache(cache.Root, "rules\nlibclang 14", new FileDigests());
        var text = System.Text.Encoding.UTF8.GetBytes("rules\nlibclang 14\n" + ResultCache.BuildIdentity + "\n"
            + System.Text.Json.JsonSerializer.Serialize(unit with { Arguments = [] }, SourceUnitJson.Default.SourceUnit));
        var flags = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("[\"-DKERNEL\",\"-I/tree/osfmk\",\"-DWIDGET_NAME=\\u0022w\\u00EFdget\\u0022\"]"));

        var key = results.KeyOf(unit);

        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData([.. text, .. flags])).ToLowerInvariant(), key);
        Assert.Same(key, results.KeyOf(unit));
        Assert.NotEqual(key, results.KeyOf(unit with { Arguments = ["-DKERNEL"] }));
    }
}
