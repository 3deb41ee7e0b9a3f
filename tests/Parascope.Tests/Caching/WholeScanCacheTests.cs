using System.Collections.Immutable;
using Parascope.Caching;
using Parascope.Files;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Reports;

namespace Parascope.Tests.Caching;

/// <summary>
/// The whole-scan entry: an unchanged tree is a look-up that reports the same bytes in every format; any change to the
/// tree, the request or an outside file the units read is a full scan through the unit entries; damaged entries are
/// never trusted.
/// </summary>
public sealed class WholeScanCacheTests
{
    internal static readonly DateTime Settled = DateTime.UtcNow.AddHours(-1);

    /// <summary>A copy of FOLDER whose files were last written an hour ago (a tree nobody is editing).</summary>
    internal static TempTree SettledCopy(string folder)
    {
        var tree = new TempTree();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var copy = tree.Write(Path.GetRelativePath(folder, file), File.ReadAllText(file));
            File.SetLastWriteTimeUtc(copy, Settled);
        }
        return tree;
    }

    private static void WriteSettled(TempTree tree, string relative, string text) =>
        File.SetLastWriteTimeUtc(tree.Write(relative, text), Settled.AddMinutes(1));

    private static ScanOutcome Scan(string root, string cache, string? results, string[]? arches = null, XenTarget target = XenTarget.XenPv,
        int jobs = 2, string? baseline = null, string? compileCommands = null, string? rules = null) =>
        ScanPipeline.Run(new ScanRequest
        {
            Root = root,
            Arches = [.. arches ?? ["x86_64"]],
            Target = target,
            Jobs = jobs,
            IncludeUnits = true,
            CacheDirectory = cache,
            ResultCache = results,
            Baseline = baseline,
            CompileCommands = compileCommands,
            RulesDirectory = rules,
        });

    private static string[] Reports(ScanOutcome outcome)
    {
        Assert.Null(outcome.Error);
        return [.. Enum.GetValues<ReportFormat>().Select(format => ReportWriter.ToText(outcome.Result!, format))];
    }

    [Fact]
    public void An_unchanged_sample_tree_is_reused_whole_and_every_report_format_has_the_same_bytes()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        string[] arches = ["x86_64", "arm64"];
        var uncached = Reports(Scan(tree.Root, cache.Root, null, arches));
        var cold = Scan(tree.Root, cache.Root, cache.Root, arches);
        Assert.Equal(WholeScanUse.Stored, cold.Statistics!.WholeScan);
        var warm = Scan(tree.Root, cache.Root, cache.Root, arches);
        Assert.Equal(WholeScanUse.Hit, warm.Statistics!.WholeScan);
        Assert.Null(warm.Statistics.Cache);
        Assert.Equal(cold.Statistics.Units, warm.Statistics.Units);
        Assert.Equal(uncached, Reports(cold));
        Assert.Equal(uncached, Reports(warm));
    }

    [Fact]
    public void A_reused_scan_is_planned_and_reported_in_every_format_without_building_its_call_graph()
    {
        using var tree = new TempTree();
        WriteSettled(tree, "osfmk/i386/machine_boot.c", Planning.ReadinessTests.Machine);
        using var cache = new TempTree();
        var cold = Scan(tree.Root, cache.Root, cache.Root, target: XenTarget.XenHvm);
        var warm = Scan(tree.Root, cache.Root, cache.Root, target: XenTarget.XenHvm);
        Assert.Equal(WholeScanUse.Hit, warm.Statistics!.WholeScan);
        Assert.Equal(Reports(cold), Reports(warm));
        // The readiness summary orders by calls from boot: the plan read them from the kept excerpt, not the graph.
        Assert.Equal([0, 1, 1], warm.Result!.Outline!.Plan.Readiness.Select(item => item.BootDistance));
        Assert.False(Assert.IsType<LazyCallGraph>(warm.Result.CallGraph).IsBuilt);
    }

    [Theory]
    [MemberData(nameof(Detectors.FixtureTests.Fixtures), MemberType = typeof(Detectors.FixtureTests))]
    public void Every_fixture_reused_whole_reports_the_same_json_and_sarif(string fixture)
    {
        var folder = Path.Combine(Detectors.FixturePaths.Root, fixture);
        var archesFile = Path.Combine(folder, "arches");
        string[] arches = File.Exists(archesFile) ? [.. File.ReadAllLines(archesFile).Select(l => l.Trim()).Where(l => l.Length > 0)] : ["x86_64"];
        using var tree = SettledCopy(folder);
        using var cache = new TempTree();
        var uncached = Scan(tree.Root, cache.Root, null, arches);
        Scan(tree.Root, cache.Root, cache.Root, arches);
        var warm = Scan(tree.Root, cache.Root, cache.Root, arches);
        Assert.Equal(WholeScanUse.Hit, warm.Statistics!.WholeScan);
        foreach (var format in new[] { ReportFormat.Json, ReportFormat.Sarif })
        {
            Assert.Equal(ReportWriter.ToText(uncached.Result!, format), ReportWriter.ToText(warm.Result!, format));
        }
    }

    [Fact]
    public void The_reused_call_graph_has_the_same_functions_edges_and_definitions()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        var built = Scan(tree.Root, cache.Root, cache.Root).Result!.CallGraph!;
        var reused = Scan(tree.Root, cache.Root, cache.Root).Result!.CallGraph!;
        Assert.IsType<LazyCallGraph>(reused);
        Assert.Equal(built.Functions, reused.Functions);
        Assert.Equal(built.Edges, reused.Edges);
        Assert.Equal(built.Functions.Select(built.DefinedAt), reused.Functions.Select(reused.DefinedAt));
    }

    [Fact]
    public void An_edited_file_is_scanned_again_through_the_unit_entries()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        var header = Directory.EnumerateFiles(tree.Root, "*.h", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        WriteSettled(tree, Path.GetRelativePath(tree.Root, header), File.ReadAllText(header) + "\nstatic inline void edited_here(void) { __asm__ volatile(\"cli\"); }\n");
        var edited = Scan(tree.Root, cache.Root, cache.Root);
        Assert.NotEqual(WholeScanUse.Hit, edited.Statistics!.WholeScan);
        Assert.True(edited.Statistics.Cache!.Misses > 0);
        Assert.Equal(Reports(Scan(tree.Root, cache.Root, null)), Reports(edited));
    }

    [Fact]
    public void A_file_only_touched_is_reused_whole_by_its_content_and_then_by_its_new_time()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        var cold = Scan(tree.Root, cache.Root, cache.Root);
        var file = Directory.EnumerateFiles(tree.Root, "*.c", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.SetLastWriteTimeUtc(file, Settled.AddMinutes(5));

        var touched = Scan(tree.Root, cache.Root, cache.Root);
        var again = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal(WholeScanUse.HitByContent, touched.Statistics!.WholeScan);
        Assert.Equal(WholeScanUse.Hit, again.Statistics!.WholeScan);
        Assert.Equal(Reports(cold), Reports(touched));
        Assert.Equal(Reports(cold), Reports(again));
    }

    /// <summary>Every file of TREE given a new time (a fresh clone, a checkout back and forth), still long ago.</summary>
    private static void TouchAll(TempTree tree, int minutes) => tree.TouchAll(Settled.AddMinutes(minutes));

    [Fact]
    public void A_tree_touched_all_over_is_reused_whole_and_its_digests_are_kept_under_the_new_times()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        // Enough files that the kept digests are written again (a few made anew are not worth a write).
        for (var i = 0; i < 40; i++)
        {
            WriteSettled(tree, $"osfmk/mach/notes_{i}.txt", $"note {i}\n");
        }
        using var cache = new TempTree();
        string[] arches = ["x86_64", "arm64"];
        var cold = Scan(tree.Root, cache.Root, cache.Root, arches);
        TouchAll(tree, 7);

        var touched = Scan(tree.Root, cache.Root, cache.Root, arches);

        Assert.Equal(WholeScanUse.HitByContent, touched.Statistics!.WholeScan);
        Assert.Equal(Reports(cold), Reports(touched));
        // Whatever scan comes next (the same tree's, or a supervised scan's worker after a miss) reads no file again.
        var store = Directory.EnumerateFiles(cache.Root, "*" + KeptDigests.Extension, SearchOption.AllDirectories).Single();
        var kept = new KeptDigests(store, DateTime.UtcNow);
        var files = Directory.EnumerateFiles(tree.Root, "*", SearchOption.AllDirectories).ToList();
        Assert.All(files, file => Assert.NotNull(kept.TryTake(file, FileStamp.Of(file)!.Value)));
    }

    [Fact]
    public void A_tree_touched_twice_is_found_by_its_content_each_time()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        TouchAll(tree, 7);
        Scan(tree.Root, cache.Root, cache.Root);
        TouchAll(tree, 9);

        Assert.Equal(WholeScanUse.HitByContent, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
    }

    [Fact]
    public void A_touched_tree_with_a_header_repaired_in_memory_is_found_by_the_headers_own_content()
    {
        using var tree = Discovery.XnuProfileTests.TreeWithAStrippedHardwareHeader(string.Empty);
        TouchAll(tree, 3);
        using var cache = new TempTree();
        Assert.Equal(WholeScanUse.Stored, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
        TouchAll(tree, 7);

        Assert.Equal(WholeScanUse.HitByContent, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
    }

    [Fact]
    public void A_scan_handed_its_supervisors_miss_does_not_look_the_entry_up_again_and_a_stale_one_is_no_hand_over()
    {
        using var tree = new TempTree();
        WriteSettled(tree, "halt.c", "void halt_cpu(void) { __asm__ volatile(\"hlt\"); }\n");
        using var cache = new TempTree();
        ScanRequest Request(string? missed = null) => new()
        {
            Root = tree.Root,
            Arches = ["x86_64"],
            Jobs = 2,
            IncludeUnits = true,
            CacheDirectory = cache.Root,
            ResultCache = cache.Root,
            WholeScanMissed = missed,
        };
        ScanPipeline.Run(Request());
        File.SetLastWriteTimeUtc(tree.Write("halt.c", "void halt_cpu(void) { __asm__ volatile(\"cli\"); }\n"), Settled.AddMinutes(2));
        var (outcome, missed) = ScanPipeline.TryReuse(Request());
        Assert.Null(outcome);
        Assert.NotNull(missed);
        Assert.Equal(WholeScanUse.Stored, ScanPipeline.Run(Request()).Statistics!.WholeScan);

        // The entry of this tree is kept now: looked up, it would be used; named as the supervisor's miss, it is not looked up.
        var handed = ScanPipeline.Run(Request(missed));
        Assert.Equal((WholeScanUse.Stored, true), (handed.Statistics!.WholeScan, handed.Statistics.WholeScanLookedUpBySupervisor));
        Assert.Equal(Reports(Scan(tree.Root, cache.Root, null)), Reports(handed));
        File.SetLastWriteTimeUtc(tree.Write("halt.c", "void halt_cpu(void) { __asm__ volatile(\"hlt\"); }\n"), Settled.AddMinutes(3));
        ScanPipeline.Run(Request());
        Assert.Equal(WholeScanUse.Hit, ScanPipeline.Run(Request(missed)).Statistics!.WholeScan);
        Assert.Equal((WholeScanUse.Hit, null), (ScanPipeline.TryReuse(Request()) is var (reused, none) ? (reused?.Statistics?.WholeScan, none) : default));
    }

    /// <summary>A scan of TREE for x86_64 with its result cache in CACHE.</summary>
    private static ScanRequest Cached(TempTree tree, TempTree cache) =>
        new() { Root = tree.Root, Arches = ["x86_64"], Jobs = 2, CacheDirectory = cache.Root, ResultCache = cache.Root };

    [Fact]
    public void A_look_up_that_misses_names_the_files_edited_since_the_last_scan_not_those_only_touched()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        ScanPipeline.Run(Cached(tree, cache));
        // A fresh clone with two edits: every file has a new time, two have new contents (a source and a header).
        TouchAll(tree, 7);
        var source = Directory.EnumerateFiles(tree.Root, "*.c", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.AppendAllText(source, "\n/* edited */\n");
        File.SetLastWriteTimeUtc(source, Settled.AddMinutes(7));
        var sourceRelative = Path.GetRelativePath(tree.Root, source).Replace('\\', '/');

        var sourceEdited = ScanPipeline.TryReuse(Cached(tree, cache));

        Assert.Null(sourceEdited.Outcome);
        Assert.Equal([sourceRelative], sourceEdited.ChangedFiles!.Value.ToArray());
        Assert.True(sourceEdited.FewSourcesChanged);

        File.AppendAllText(Path.Combine(tree.Root, "osfmk/i386/proc_reg.h"), "\n/* edited */\n");
        File.SetLastWriteTimeUtc(Path.Combine(tree.Root, "osfmk/i386/proc_reg.h"), Settled.AddMinutes(8));
        var headerEdited = ScanPipeline.TryReuse(Cached(tree, cache));

        // Compared with the digests kept: the look-up before made too few anew to write them again, so the source counts too.
        Assert.Equal(new[] { "osfmk/i386/proc_reg.h", sourceRelative }.Order(StringComparer.Ordinal), headerEdited.ChangedFiles!.Value.Order(StringComparer.Ordinal).ToArray());
        Assert.False(headerEdited.FewSourcesChanged);
    }

    [Fact]
    public void A_look_up_that_misses_on_a_file_added_does_not_say_what_changed()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        ScanPipeline.Run(Cached(tree, cache));
        WriteSettled(tree, "osfmk/kern/added.c", "int added;\n");

        var lookup = ScanPipeline.TryReuse(Cached(tree, cache));

        Assert.Equal((null, (ImmutableArray<string>?)null, false), (lookup.Outcome, lookup.ChangedFiles, lookup.FewSourcesChanged));
    }

    [Fact]
    public void A_touched_tree_with_one_file_changed_is_scanned_again_through_the_unit_entries()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        TouchAll(tree, 7);
        var source = Directory.EnumerateFiles(tree.Root, "*.c", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .First(file => File.ReadAllText(file).Contains("cli", StringComparison.Ordinal));
        // Same size and the same new time as every other file: only the content tells.
        var text = File.ReadAllText(source);
        var at = text.IndexOf("cli", StringComparison.Ordinal);
        File.WriteAllText(source, string.Concat(text.AsSpan(0, at), "hlt", text.AsSpan(at + 3)));
        File.SetLastWriteTimeUtc(source, Settled.AddMinutes(7));

        var edited = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal(WholeScanUse.Stored, edited.Statistics!.WholeScan);
        Assert.Equal(1, edited.Statistics.Cache!.Misses);
        Assert.Equal(Reports(Scan(tree.Root, cache.Root, null)), Reports(edited));
    }

    [Fact]
    public void A_touched_tree_with_a_file_added_is_scanned_again()
    {
        using var tree = new TempTree();
        WriteSettled(tree, "halt.c", "void halt_cpu(void) { __asm__ volatile(\"hlt\"); }\n");
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        TouchAll(tree, 7);
        WriteSettled(tree, "notes.txt", "not a source, but the tree is another one\n");

        var added = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal(WholeScanUse.Stored, added.Statistics!.WholeScan);
    }

    [Fact]
    public void A_tree_touched_just_now_is_reused_by_its_content_but_not_kept_under_its_unsettled_times()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        tree.TouchAll(DateTime.UtcNow);

        Assert.Equal(WholeScanUse.HitByContent, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
        Assert.Equal(WholeScanUse.HitByContent, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
    }

    [Fact]
    public void A_new_file_in_the_tree_is_seen()
    {
        using var tree = new TempTree();
        WriteSettled(tree, "halt.c", "void halt_cpu(void) { __asm__ volatile(\"hlt\"); }\n");
        using var cache = new TempTree();
        var before = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal(WholeScanUse.Stored, before.Statistics!.WholeScan);
        WriteSettled(tree, "intr.c", "void intr_off(void) { __asm__ volatile(\"cli\"); }\n");
        var after = Scan(tree.Root, cache.Root, cache.Root);
        Assert.NotEqual(WholeScanUse.Hit, after.Statistics!.WholeScan);
        Assert.Equal(before.Result!.Findings.Length + 1, after.Result!.Findings.Length);
    }

    [Fact]
    public void A_tree_written_just_now_is_not_kept_whole()
    {
        using var tree = new TempTree();
        tree.Write("halt.c", "void halt_cpu(void) { __asm__ volatile(\"hlt\"); }\n");
        using var cache = new TempTree();
        Assert.Equal(WholeScanUse.NotStored, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
        Assert.NotEqual(WholeScanUse.Hit, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
    }

    [Fact]
    public void Another_target_is_another_entry_and_the_number_of_jobs_is_not()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal(WholeScanUse.Hit, Scan(tree.Root, cache.Root, cache.Root, jobs: 1).Statistics!.WholeScan);
        var hvm = Scan(tree.Root, cache.Root, cache.Root, target: XenTarget.XenHvm);
        Assert.Equal(WholeScanUse.Stored, hvm.Statistics!.WholeScan);
        Assert.Equal(Reports(Scan(tree.Root, cache.Root, null, target: XenTarget.XenHvm)), Reports(hvm));
    }

    [Fact]
    public void Rules_are_matched_by_their_texts_and_a_missing_rules_folder_is_still_an_error()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        using var rules = new TempTree();
        rules.Write("extra.yaml", "rules: []\n");
        Scan(tree.Root, cache.Root, cache.Root, rules: rules.Root);
        Assert.Equal(WholeScanUse.Hit, Scan(tree.Root, cache.Root, cache.Root, rules: rules.Root).Statistics!.WholeScan);
        rules.Write("extra.yaml", "rules: []\n# edited\n");
        Assert.Equal(WholeScanUse.Stored, Scan(tree.Root, cache.Root, cache.Root, rules: rules.Root).Statistics!.WholeScan);
        var missing = Scan(tree.Root, cache.Root, cache.Root, rules: Path.Combine(rules.Root, "absent"));
        Assert.Null(missing.Result);
        Assert.Contains("no such rules directory", missing.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_shard_is_an_entry_of_its_own()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        ScanOutcome Shard(int index, string? results) => ScanPipeline.Run(new ScanRequest
        {
            Root = tree.Root,
            Jobs = 2,
            CacheDirectory = cache.Root,
            ResultCache = results,
            Shard = (index, 2),
        });
        Assert.Equal(WholeScanUse.Stored, Shard(1, cache.Root).Statistics!.WholeScan);
        var second = Shard(2, cache.Root);
        Assert.Equal(WholeScanUse.Stored, second.Statistics!.WholeScan);
        Assert.Equal(Reports(Shard(2, null)), Reports(second));
        Assert.Equal(WholeScanUse.Hit, Shard(2, cache.Root).Statistics!.WholeScan);
    }

    [Fact]
    public void A_damaged_entry_is_not_trusted_and_is_written_again()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        var expected = Reports(Scan(tree.Root, cache.Root, cache.Root));
        var entry = Directory.EnumerateFiles(cache.Root, "*" + WholeScanCache.Extension, SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(entry);
        bytes[^10] ^= 0x5a;
        File.WriteAllBytes(entry, bytes);
        var rescan = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal(WholeScanUse.Stored, rescan.Statistics!.WholeScan);
        Assert.Equal(expected, Reports(rescan));
        File.WriteAllBytes(entry, bytes[..100]);
        Assert.Equal(WholeScanUse.Stored, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
        Assert.Equal(WholeScanUse.Hit, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
    }

    [Fact]
    public void A_damaged_or_missing_call_graph_file_makes_the_entry_a_miss()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        var expected = Reports(Scan(tree.Root, cache.Root, cache.Root));
        var graph = Directory.EnumerateFiles(cache.Root, "*" + WholeScanCache.GraphExtension, SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(graph);
        bytes[^3] ^= 0x11;
        File.WriteAllBytes(graph, bytes);
        var damaged = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal(WholeScanUse.Stored, damaged.Statistics!.WholeScan);
        Assert.Equal(expected, Reports(damaged));
        foreach (var file in Directory.EnumerateFiles(cache.Root, "*" + WholeScanCache.GraphExtension, SearchOption.AllDirectories))
        {
            File.Delete(file);
        }
        Assert.Equal(WholeScanUse.Stored, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
        Assert.Equal(WholeScanUse.Hit, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
    }

    [Fact]
    public void A_baseline_is_applied_to_a_reused_scan_as_to_a_fresh_one()
    {
        using var tree = SettledCopy(SampleTreeTests.SampleRoot());
        using var cache = new TempTree();
        using var output = new TempTree();
        var first = Scan(tree.Root, cache.Root, cache.Root);
        var baseline = Path.Combine(output.Root, "baseline.json");
        File.WriteAllText(baseline, ReportWriter.ToText(first.Result! with { Findings = first.Result!.Findings[1..] }, ReportFormat.Json));
        var reused = Scan(tree.Root, cache.Root, cache.Root, baseline: baseline);
        Assert.Equal(WholeScanUse.Hit, reused.Statistics!.WholeScan);
        Assert.Equal(Reports(Scan(tree.Root, cache.Root, null, baseline: baseline)), Reports(reused));
        Assert.True(reused.Result!.HasBaseline);
    }

    [Fact]
    public void A_changed_compile_commands_file_outside_the_tree_is_seen()
    {
        using var tree = new TempTree();
        WriteSettled(tree, "halt.c", "void halt_cpu(void) { __asm__ volatile(\"hlt\"); }\n");
        WriteSettled(tree, "intr.c", "void intr_off(void) { __asm__ volatile(\"cli\"); }\n");
        using var outside = new TempTree();
        using var cache = new TempTree();
        string Database(params string[] files) =>
            "[" + string.Join(",", files.Select(f => $"{{\"directory\": \"{tree.Root}\", \"file\": \"{f}\", \"arguments\": [\"clang\", \"-c\", \"{f}\"]}}")) + "]";
        var database = Path.Combine(outside.Root, "compile_commands.json");
        File.WriteAllText(database, Database("halt.c"));
        File.SetLastWriteTimeUtc(database, Settled);
        Assert.Equal(WholeScanUse.Stored, Scan(tree.Root, cache.Root, cache.Root, compileCommands: database).Statistics!.WholeScan);
        File.WriteAllText(database, Database("halt.c", "intr.c"));
        File.SetLastWriteTimeUtc(database, Settled);
        var changed = Scan(tree.Root, cache.Root, cache.Root, compileCommands: database);
        Assert.NotEqual(WholeScanUse.Hit, changed.Statistics!.WholeScan);
        Assert.Equal(Reports(Scan(tree.Root, cache.Root, null, compileCommands: database)), Reports(changed));
    }

    [Theory]
    [InlineData("""{"Key":"k","Tree":"t1","Listing":"l1","Content":"c1","Outside":[],"Units":1}""", "t1", "l1", "c1")]
    [InlineData("""{"Outside":[{"Path":"/x","Tree":"inner"}],"Result":{"Tree":"deep","Content":"deep"},"Tree":"t2"}""", "t2", null, null)]
    [InlineData("""{"Key":"k","Tree":"t3","Listing":"l3","Content":null,"Outside":[]}""", "t3", "l3", null)]
    [InlineData("""{"Key":"k","Outside":[]}""", null, null, null)]
    [InlineData("""{"Key":"k","Tree":7}""", null, null, null)]
    public void An_entrys_header_is_read_from_its_own_properties_without_decoding_the_rest(string json, string? tree, string? listing, string? content)
    {
        Assert.Equal(new WholeScanCache.EntryHeader(tree, listing, content), WholeScanCache.HeaderOf(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Json_that_is_not_an_entrys_object_has_no_header()
    {
        Assert.Null(WholeScanCache.HeaderOf("""["Tree","t"]"""u8));
    }

    [Fact]
    public void An_entry_of_the_tree_before_an_edit_is_a_miss_and_the_scan_after_the_edit_keeps_its_own()
    {
        using var tree = new TempTree();
        WriteSettled(tree, "halt.c", "void halt_cpu(void) { __asm__ volatile(\"hlt\"); }\n");
        using var cache = new TempTree();
        Assert.Equal(WholeScanUse.Stored, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
        File.SetLastWriteTimeUtc(tree.Write("halt.c", "void halt_cpu(void) { __asm__ volatile(\"cli\"); }\n"), Settled.AddMinutes(2));

        var edited = Scan(tree.Root, cache.Root, cache.Root);

        Assert.Equal(WholeScanUse.Stored, edited.Statistics!.WholeScan);
        Assert.Equal(Reports(Scan(tree.Root, cache.Root, null)), Reports(edited));
        Assert.Equal(WholeScanUse.Hit, Scan(tree.Root, cache.Root, cache.Root).Statistics!.WholeScan);
    }
}
