using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using Parascope.Caching;
using Parascope.Model;
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

    private static ScanOutcome Scan(string root, string cache, string? results, int jobs = 1) =>
        ScanPipeline.Run(new ScanRequest { Root = root, Arches = ["x86_64"], Jobs = jobs, CacheDirectory = cache, ResultCache = results });

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
    public void Editing_a_file_two_configurations_build_parses_it_in_both_and_detects_both_groups_again()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        tree.Write("config/MASTER", """
            #  BASE =        [ medium ]
            #  RELEASE =     [ BASE ]
            #  DEVELOPMENT = [ BASE development widget_trace ]
            #  DEBUG =       [ BASE debug ]
            options		DEVELOPMENT		# <development>
            options		DEBUG		# <debug>
            options		WIDGET_TRACE		# <widget_trace>
            options		CONFIG_WIDGETS=7	# <medium>
            """);
        Append(tree, Variant, "\nvoid\nwidget_flush(void)\n{\n#if DEBUG\n\t__asm__ volatile (\"invd\");\n#endif\n}\n");
        using var cache = new TempTree();
        Assert.Equal((0, 2), Scan(tree.Root, cache.Root, cache.Root, jobs: 2).Statistics!.ConfigurationGroups);
        Append(tree, Variant, "\nvoid\nwidget_stop(void)\n{\n#if DEBUG\n\t__asm__ volatile (\"wbinvd\");\n#endif\n}\n");

        // One unit to parse in each group: the two parses share the cores, then each group is detected with its own detectors.
        var rescan = Scan(tree.Root, cache.Root, cache.Root, jobs: 2);

        Assert.Equal((0, 2), rescan.Statistics!.ConfigurationGroups);
        var site = Assert.Single(rescan.Result!.Findings, f => f.File == Variant && f.Function == "widget_stop");
        Assert.Equal("inactive, DEBUG", $"{(site.Active ? "active" : "inactive")}, {string.Join(',', site.Configurations)}");
        var trace = Assert.Single(rescan.Result!.Findings, f => f.File == Variant && f.RuleId == "x86.rdtsc");
        Assert.Equal(["DEVELOPMENT"], trace.Configurations.ToArray());
        Assert.Equal(Json(Scan(tree.Root, cache.Root, null, jobs: 2)), Json(rescan));
    }

    [Fact]
    public void A_group_detected_again_takes_its_unchanged_units_from_its_own_pack()
    {
        using var tree = ConfigurationSiteTests.DevelopmentTree();
        tree.Write("osfmk/conf/files", """
            OPTIONS/widget_trace		optional widget_trace
            osfmk/kern/widget_debug.c	standard
            osfmk/kern/widget_other.c	standard
            osfmk/kern/widget_plain.c	standard
            """);
        tree.Write("osfmk/kern/widget_other.c", "void\nwidget_spin(void)\n{\n#if DEVELOPMENT\n\t__asm__ volatile (\"pause\");\n#endif\n}\n");
        using var cache = new TempTree();
        var cold = Scan(tree.Root, cache.Root, cache.Root);
        Assert.Equal((0, 1), cold.Statistics!.ConfigurationGroups);
        // KEY.units is the own units' pack; KEY.GROUP.units the group's.
        Assert.Single(Directory.GetFiles(cache.Root, "*" + UnitFactsPack.Extension, SearchOption.AllDirectories), f => Path.GetFileName(f).Count(c => c == '.') == 2);
        Append(tree, Variant, "\n/* edited */\n");

        var rescan = Scan(tree.Root, cache.Root, cache.Root);

        // widget_debug.c is parsed again in DEVELOPMENT; widget_other.c, unchanged, comes from the group's pack.
        Assert.Equal((0, 1), rescan.Statistics!.ConfigurationGroups);
        Assert.Equal(1, rescan.Statistics.Cache!.GroupPacked);
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
                || f.EndsWith(UnitFactsPack.Extension, StringComparison.Ordinal) || f.EndsWith(KeptDigests.Extension, StringComparison.Ordinal))
            .ToList();

        Assert.Contains(beside, f => f.EndsWith(ConfigurationGroupStore.Extension, StringComparison.Ordinal));
        Assert.Contains(beside, f => f.EndsWith(KeptDigests.Extension, StringComparison.Ordinal));
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

/// <summary>A kept group's findings, packed as integers (<see cref="PackedFindings"/>), come back member for member.</summary>
public sealed class PackedFindingsTests
{
    /// <summary>A finding with only the members every finding has (other tests start from it).</summary>
    internal static Finding Minimal => new()
    {
        RuleId = "x86.cli",
        Category = FindingCategory.Instruction,
        Severity = Severity.Note,
        File = "osfmk/kern/widget.c",
        Line = 1,
        Column = 1,
        Arch = "x86_64",
        Context = SourceContext.C,
        Detail = "cli",
        Action = "use the hook",
    };

    /// <summary>A finding with every member that can be set given a value other than <see cref="Minimal"/>'s.</summary>
    private static Finding Full => new()
    {
        RuleId = "x86.cr-write",
        Category = FindingCategory.PageTable,
        Severity = Severity.Error,
        File = "osfmk/i386/widget_pmap.c",
        Line = 42,
        Column = 7,
        Function = "widget_load_cr3",
        FunctionNode = "widget_load_cr3@osfmk/i386/widget_pmap.c",
        Arch = "i386",
        Context = SourceContext.InlineAsm,
        Active = false,
        Detail = "mov %eax, %cr3",
        Action = "load the page directory through the hypervisor",
        Fingerprint = "f00d",
        Expansions = [new SiteReference("osfmk/i386/widget_asm.h", 9, "WIDGET_SET_CR3") { Register = "cr3" },
            new SiteReference("osfmk/i386/widget_asm.h", 12, null)],
        Arches = ["i386", "x86_64"],
        Configurations = ["RELEASE", "DEVELOPMENT"],
        Platforms = ["T6000"],
        Units = 3,
        Walks = [new BodyWalk("osfmk/i386/widget_asm.h", "widget_inline", "x86_64", 5)],
        ViewUnits = 2,
        UnwalkedConfigurations = ["KASAN"],
        UnwalkedPlatforms = [],
        Condition = "WIDGET_PAE",
        Subcategory = "cr-write",
        Properties = ImmutableSortedDictionary<string, string>.Empty.Add("register", "cr3").Add("reason", "not-compiled"),
        Baseline = "new",
        Phase = "boot",
        Callers = 0,
        IndirectCallers = 4,
        TransitiveCallers = 11,
        CallerFunctions = ["widget_switch", "widget_boot"],
        Hook = "write_cr3",
        Role = Finding.Change,
        Implementation = "widget_load_cr3",
        Driver = "WidgetDriver",
        Wrapper = false,
        Suppression = "widget.ignore:3",
        Values = ["0x10", "0x20"],
        Otherwise = "trap",
        Item = "cr3",
        Verdict = "blocking",
    };

    private static readonly JsonSerializerOptions Plain = new() { IncludeFields = true };

    private static string Json(object? value) => JsonSerializer.Serialize(value, Plain);

    [Fact]
    public void The_full_finding_sets_every_member_that_can_be_set()
    {
        var members = typeof(Finding).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }).ToList();

        Assert.True(members.Count >= 40, $"{members.Count} members");
        Assert.All(members, p => Assert.True(Json(p.GetValue(Full)) != Json(p.GetValue(Minimal)), $"{p.Name} is not set in the full finding"));
    }

    [Fact]
    public void Findings_with_the_same_properties_come_back_sharing_one_dictionary_and_others_keep_their_own()
    {
        using var tree = new TempTree();
        var read = tree.Write("osfmk/i386/widget_pmap.c", "int widget;\n");
        var path = Path.Combine(tree.Root, "kept" + ConfigurationGroupStore.Extension);
        var other = ImmutableSortedDictionary<string, string>.Empty.Add("register", "cr4").Add("reason", "not-compiled");
        ImmutableArray<Finding> findings = [Full, Full with { Line = 43 }, Full with { Line = 44, Properties = other }];
        var kept = new ConfigurationGroupStore(path, new FileDigests());
        kept.Add("\tDEVELOPMENT", ["unit-key"], "listing", [read], new ConfigurationGroupResult(findings, [], new UnitCounts(1, 1, 0, 0)));
        kept.Save();

        var taken = new ConfigurationGroupStore(path, new FileDigests()).TryGet("\tDEVELOPMENT", ["unit-key"], "listing")!.Findings;

        Assert.Same(taken[0].Properties, taken[1].Properties);
        Assert.Equal([("reason", "not-compiled"), ("register", "cr4")], taken[2].Properties.Select(p => (p.Key, p.Value)));
        Assert.Equal([("reason", "not-compiled"), ("register", "cr3")], taken[0].Properties.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public void A_kept_group_gives_back_every_member_of_its_findings()
    {
        using var tree = new TempTree();
        var read = tree.Write("osfmk/i386/widget_pmap.c", "int widget;\n");
        var path = Path.Combine(tree.Root, "kept" + ConfigurationGroupStore.Extension);
        ImmutableArray<Finding> findings = [Full, Minimal, Full with { Walks = [], UnwalkedConfigurations = null, Wrapper = true, ViewUnits = null }];
        var kept = new ConfigurationGroupStore(path, new FileDigests());
        kept.Add("\tDEVELOPMENT", ["unit-key"], "listing", [read], new ConfigurationGroupResult(findings, [], new UnitCounts(1, 1, 0, 0)));
        // A default array (no JSON of its own) comes back default.
        kept.Add("\tKASAN", ["unit-key"], "listing", [read], new ConfigurationGroupResult([Minimal with { Expansions = default }], [], new UnitCounts(1, 1, 0, 0)));
        kept.Save();

        var store = new ConfigurationGroupStore(path, new FileDigests());
        var taken = store.TryGet("\tDEVELOPMENT", ["unit-key"], "listing");

        Assert.NotNull(taken);
        Assert.Equal(findings.Select(Json), taken.Findings.Select(Json));
        Assert.True(Assert.Single(store.TryGet("\tKASAN", ["unit-key"], "listing")!.Findings).Expansions.IsDefault);
    }
}
