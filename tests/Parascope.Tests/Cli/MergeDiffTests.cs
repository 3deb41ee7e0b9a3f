using System.Text.Json;
using Parascope.Cli;
using Parascope.Tests.Reports;

namespace Parascope.Tests.Cli;

public sealed class MergeDiffTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => Parascope.Tests.Cli.CliRunner.Run(args);

    [Fact]
    public void Merge_refuses_an_incomplete_shard_set_and_names_what_is_missing()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        using var outputs = new TempTree();
        var shard = Path.Combine(outputs.Root, "shard1.json");
        Assert.Equal(0, Run("scan", tree.Root, "-j", "1", "--shard", "1/3", "-o", shard).Exit);
        var (exit, _, error) = Run("merge", shard, "-o", Path.Combine(outputs.Root, "all.json"));
        Assert.Equal(2, exit);
        Assert.Contains("incomplete shard set: missing 2/3, 3/3", error);
        Assert.False(File.Exists(Path.Combine(outputs.Root, "all.json")));
    }

    [Fact]
    public void Merge_names_the_field_that_differs_between_shards()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        using var outputs = new TempTree();
        var pv = Path.Combine(outputs.Root, "pv.json");
        var hvm = Path.Combine(outputs.Root, "hvm.json");
        Assert.Equal(0, Run("scan", tree.Root, "-j", "1", "--shard", "1/2", "-o", pv).Exit);
        Assert.Equal(0, Run("scan", tree.Root, "-j", "1", "--shard", "2/2", "--target", "xen-hvm", "-o", hvm).Exit);
        var (exit, _, error) = Run("merge", pv, hvm);
        Assert.Equal(2, exit);
        Assert.Contains("their target differs (xen-pv vs xen-hvm)", error);
    }

    [Fact]
    public void Merge_refuses_shards_scanned_with_different_rule_sets()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        using var outputs = new TempTree();
        // A user rule folder that adds one rule: the second shard's rule set is not the first's.
        outputs.Write("extra-rules/extra.yaml", """
            rules:
              - id: user.hlt-again
                category: instruction
                title: hlt, counted again by a user rule
                description: A user's own rule.
                arch: x86
                class: privileged
                weight: 1
                match:
                  mnemonics: [hlt]
                operation: halt
                targets:
                  xen-pv: { severity: note, action: "Look." }
                  xen-pvh: { severity: note, action: "Look." }
                  xen-hvm: { severity: note, action: "Look." }
            """);
        var first = Path.Combine(outputs.Root, "s1.json");
        var second = Path.Combine(outputs.Root, "s2.json");
        Assert.Equal(0, Run("scan", tree.Root, "-j", "1", "--shard", "1/2", "-o", first).Exit);
        var (scanExit, _, scanError) = Run("scan", tree.Root, "-j", "1", "--shard", "2/2", "--rules", Path.Combine(outputs.Root, "extra-rules"), "-o", second);
        Assert.True(scanExit == 0, scanError);
        var (exit, _, error) = Run("merge", first, second);
        Assert.Equal(2, exit);
        Assert.Contains("their rule set differs", error);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void Merging_the_shards_of_a_scan_gives_the_unsharded_report_byte_for_byte(int shardCount)
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        // A header included by units of different shards, and one included by none.
        tree.Write("osfmk/i386/shared_mini.h", "static inline void shared_halt(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        tree.Write("osfmk/i386/user_a.c", "#include \"shared_mini.h\"\nvoid user_a(void) { shared_halt(); }\n");
        tree.Write("osfmk/i386/user_b.c", "#include \"shared_mini.h\"\nvoid user_b(void) { shared_halt(); }\n");
        tree.Write("osfmk/i386/user_c.c", "#include \"shared_mini.h\"\nvoid user_c(void) { shared_halt(); }\n");
        tree.Write("osfmk/i386/unused_mini.h", "static inline void unused_wbinvd(void)\n{\n\t__asm__ volatile(\"wbinvd\");\n}\n");
        // A header body whose calls depend on the unit including it: lock_user_a.c (first in discovery order, shard 3/3
        // and 7/7) sees no call to lock_debug_mini, lock_user_c.c (shard 2/3 and 1/7) sees one. The unsharded scan walks
        // the body once, in lock_user_a.c; a merge that united the shards' views would give lock_debug_mini's hlt callers.
        // (In lock_user_a.c the body makes no call at all: a merge must still know that the first unit walked it.)
        tree.Write("osfmk/i386/lock_mini.h", "void lock_debug_mini(void);\n\nstatic inline void\nlock_mini(void)\n{\n"
            + "#ifdef LOCK_DEBUG_MINI\n\tlock_debug_mini();\n#endif\n}\n");
        tree.Write("osfmk/i386/lock_user_a.c", "#include \"lock_mini.h\"\nvoid lock_user_a(void) { lock_mini(); }\n");
        tree.Write("osfmk/i386/lock_user_c.c", "#define LOCK_DEBUG_MINI 1\n#include \"lock_mini.h\"\nvoid lock_user_c(void) { lock_mini(); }\n");
        tree.Write("osfmk/i386/lock_debug_mini.c", "void lock_debug_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        using var outputs = new TempTree();
        var whole = Path.Combine(outputs.Root, "whole.json");
        var wholeSarif = Path.Combine(outputs.Root, "whole.sarif");
        Assert.Equal(0, Run("scan", tree.Root, "-j", "2", "--units", "--no-cache", "-o", whole, "-o", wholeSarif).Exit);
        using (var report = JsonDocument.Parse(File.ReadAllText(whole)))
        {
            var halt = report.RootElement.GetProperty("findings").EnumerateArray()
                .Single(f => f.GetProperty("file").GetString() == "osfmk/i386/lock_debug_mini.c");
            Assert.Equal(0, halt.GetProperty("transitiveCallers").GetInt32());
        }
        var shards = new List<string>();
        for (var k = 1; k <= shardCount; k++)
        {
            shards.Add(Path.Combine(outputs.Root, $"shard{k}.json"));
            var (exit, _, error) = Run("scan", tree.Root, "-j", "1", "--units", "--shard", $"{k}/{shardCount}", "-o", shards[^1]);
            Assert.True(exit == 0, error);
        }
        using (var first = JsonDocument.Parse(File.ReadAllText(shards[0])))
        {
            Assert.True(first.RootElement.GetProperty("scan").GetProperty("units").GetProperty("total").GetInt32()
                        < JsonDocument.Parse(File.ReadAllText(whole)).RootElement.GetProperty("scan").GetProperty("units").GetProperty("total").GetInt32());
        }
        var merged = Path.Combine(outputs.Root, "merged.json");
        var mergedSarif = Path.Combine(outputs.Root, "merged.sarif");
        var (mergeExit, _, mergeError) = Run(["merge", .. shards, "-o", merged, "-o", mergedSarif]);
        Assert.True(mergeExit == 0, mergeError);
        Assert.Equal(File.ReadAllText(whole), File.ReadAllText(merged));
        Assert.Equal(File.ReadAllText(wholeSarif), File.ReadAllText(mergedSarif));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_site_only_another_configuration_compiles_counts_every_unit_reaching_it_after_a_merge(int shardCount)
    {
        // A header body with a DEVELOPMENT-only call, reached by seven units. Only fpu_user_a.c tests DEVELOPMENT itself,
        // so only it is parsed again in DEVELOPMENT and only its shard reports the site; the unsharded scan counts the
        // seven units that reach the body, and so must the merge, though the other shards report no view of the site.
        using var tree = new TempTree();
        string[] users = ["a", "b", "c", "d", "e", "f", "g"];
        WriteXnuLayout(tree, users.Select(u => $"osfmk/kern/fpu_user_{u}.c"), [], development: true);
        // As XNU's assert(): the call is compiled only where the option is on, and a RELEASE parse sees no trace of it.
        tree.Write("osfmk/kern/fpu_mini.h", """
            int ml_get_interrupts_enabled(void);
            #if DEVELOPMENT
            #define fpu_mini_assert(e) ((void)(e))
            #else
            #define fpu_mini_assert(e)
            #endif

            static inline void
            fpu_mini_save(void)
            {
            	fpu_mini_assert(ml_get_interrupts_enabled() == 0);
            }
            """);
        tree.Write("osfmk/kern/fpu_user_a.c", "#include \"fpu_mini.h\"\nvoid fpu_user_a(void)\n{\n\tfpu_mini_save();\n#if DEVELOPMENT\n\tfpu_user_a();\n#endif\n}\n");
        foreach (var user in users.Skip(1))
        {
            tree.Write($"osfmk/kern/fpu_user_{user}.c", $"#include \"fpu_mini.h\"\nvoid fpu_user_{user}(void) {{ fpu_mini_save(); }}\n");
        }
        using var outputs = new TempTree();
        var whole = Path.Combine(outputs.Root, "whole.json");
        var wholeSarif = Path.Combine(outputs.Root, "whole.sarif");
        var (wholeExit, _, wholeError) = Run("scan", tree.Root, "-j", "2", "--no-cache", "-o", whole, "-o", wholeSarif);
        Assert.True(wholeExit == 0, wholeError);
        using (var report = JsonDocument.Parse(File.ReadAllText(whole)))
        {
            var cli = report.RootElement.GetProperty("findings").EnumerateArray()
                .Single(f => f.GetProperty("file").GetString() == "osfmk/kern/fpu_mini.h" && f.GetProperty("ruleId").GetString() == "driver-api.ml-interrupt");
            Assert.Equal((false, 7), (cli.GetProperty("active").GetBoolean(), cli.GetProperty("units").GetInt32()));
        }
        var shards = new List<string>();
        for (var k = 1; k <= shardCount; k++)
        {
            shards.Add(Path.Combine(outputs.Root, $"shard{k}.json"));
            var (exit, _, error) = Run("scan", tree.Root, "-j", "1", "--no-cache", "--shard", $"{k}/{shardCount}", "-o", shards[^1]);
            Assert.True(exit == 0, error);
        }
        var merged = Path.Combine(outputs.Root, "merged.json");
        var mergedSarif = Path.Combine(outputs.Root, "merged.sarif");
        var (mergeExit, _, mergeError) = Run(["merge", .. shards, "-o", merged, "-o", mergedSarif]);
        Assert.True(mergeExit == 0, mergeError);
        Assert.Equal(File.ReadAllText(whole), File.ReadAllText(merged));
        Assert.Equal(File.ReadAllText(wholeSarif), File.ReadAllText(mergedSarif));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_macro_site_seen_through_different_macros_and_configurations_merges_as_the_whole_scan_shows_it(int shardCount)
    {
        // spl_mini.h (after xnu-11417's spl.h and pmap_internal.h): splmini()'s call is reached directly in some units
        // and through SWITCH_MINI() in others (the finding's `macro` property differs by unit); CHECK_MINI()'s call is
        // compiled only in DEVELOPMENT, in every unit (each tests DEVELOPMENT, so each is parsed again in it).
        using var tree = new TempTree();
        string[] users = ["a", "b", "c", "d", "e", "f", "g", "h"];
        WriteXnuLayout(tree, users.Select(u => $"osfmk/kern/spl_user_{u}.c"), [], development: true);
        tree.Write("osfmk/kern/spl_mini.h", """
            int ml_set_interrupts_enabled(int enable);
            int ml_get_interrupts_enabled(void);
            #define splmini()       ml_set_interrupts_enabled(0)
            #define SWITCH_MINI()   do { (void)splmini(); } while (0)
            #if DEVELOPMENT
            #define CHECK_MINI()    ((void)ml_get_interrupts_enabled())
            #else
            #define CHECK_MINI()
            #endif
            """);
        for (var i = 0; i < users.Length; i++)
        {
            var call = i % 2 == 0 ? "SWITCH_MINI();" : "(void)splmini();";
            tree.Write($"osfmk/kern/spl_user_{users[i]}.c", $"#include \"spl_mini.h\"\nvoid\nspl_user_{users[i]}(void)\n{{\n\t{call}\n\tCHECK_MINI();\n"
                + "#if DEVELOPMENT\n\tspl_user_" + users[i] + "();\n#endif\n}\n");
        }
        var findings = AssertShardsMergeToTheWholeScan(tree, shardCount, wholeJobs: 2, sarif: true);
        // The DEVELOPMENT-only site lists the expansion of every unit, not the first unit's.
        var check = findings.Single(f => f.GetProperty("file").GetString() == "osfmk/kern/spl_mini.h" && f.GetProperty("detail").GetString()!.Contains("ml_get_interrupts_enabled"));
        Assert.Equal(users.Length, check.GetProperty("expansions").GetArrayLength());
    }

    /// <summary>
    /// As xnu-11417's iokit/IOKit/IOLocks.h with 7 shards: the whole scan walks a header body once, each shard in its own
    /// first unit; merge keeps the views of the whole scan's walker only (`walks` and the reach's walkers in the shards).
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_header_body_reached_by_c_and_cxx_units_keeps_the_first_units_view_after_a_merge(int shardCount)
    {
        // lock_mini.h's body is walked once, in lock_user_a.c (first in discovery order): its site's context is c. A shard
        // whose first unit reaching it is C++ walks it there (context cxx); the merge must keep the whole scan's view.
        using var tree = new TempTree();
        string[] users = ["a.c", "b.cpp", "c.cpp", "d.cpp", "e.cpp", "f.cpp", "g.cpp", "h.cpp"];
        WriteXnuLayout(tree, users.Select(u => $"osfmk/kern/lock_user_{u}"), []);
        tree.Write("osfmk/kern/lock_mini.h", "int ml_set_interrupts_enabled(int enable);\n\nstatic inline void\nlock_mini_disable(void)\n{\n"
            + "\t(void)ml_set_interrupts_enabled(0);\n}\n");
        foreach (var user in users)
        {
            var name = user[..user.IndexOf('.')];
            tree.Write($"osfmk/kern/lock_user_{user}", $"#include \"lock_mini.h\"\nvoid lock_user_{name}(void) {{ lock_mini_disable(); }}\n");
        }
        var findings = AssertShardsMergeToTheWholeScan(tree, shardCount, wholeJobs: 2, sarif: true);
        var site = Assert.Single(findings, f => f.GetProperty("file").GetString() == "osfmk/kern/lock_mini.h");
        Assert.Equal(("c", users.Length), (site.GetProperty("context").GetString(), site.GetProperty("units").GetInt32()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_compiled_site_at_another_column_than_the_lexical_placeholder_leaves_no_placeholder_after_a_merge(int shardCount)
    {
        // As xnu-11417's `__improbable(__builtin_arm_rsr("pan") == 0)`: the compiled site is where the macro starts, the
        // placeholder of the shards that do not parse the file where the builtin's name is.
        using var tree = new TempTree();
        tree.Write("osfmk/i386/rdtsc_mini.c", "#define improbable_mini(x) __builtin_expect(!!(x), 0)\nunsigned long long\nrdtsc_mini(void)\n{\n"
            + "\tif (improbable_mini(__builtin_ia32_rdtsc() == 0)) {\n\t\treturn 1;\n\t}\n\treturn 0;\n}\n");
        tree.Write("osfmk/i386/other_mini.c", "void other_mini(void) { }\n");
        tree.Write("osfmk/i386/third_mini.c", "void third_mini(void) { }\n");
        AssertShardsMergeToTheWholeScan(tree, shardCount);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_not_compiled_placeholder_beside_other_inactive_sites_of_its_file_stays_after_a_merge_as_in_the_whole_scan(int shardCount)
    {
        // As xnu-11417's osfmk/arm64/proc_reg.h in an x86_64 scan: `.macro` bodies under __ASSEMBLER__ are inactive sites
        // and `#define MSR(reg, src)` a not-compiled placeholder; the whole scan keeps both, merge kept only the former.
        using var tree = new TempTree();
        // No unit reads the header: its assembler block is an inactive site, its C macro a not-compiled placeholder.
        tree.Write("osfmk/i386/cli_mini.h", "#ifdef __ASSEMBLER__\n.macro CLI_ASM\n\tcli\n.endmacro\n#endif\n"
            + "#define CLI_MINI() __asm__ volatile (\"cli\")\n");
        tree.Write("osfmk/i386/idle_mini.c", "void idle_mini(void) { }\n");
        tree.Write("osfmk/i386/other_mini.c", "void other_mini(void) { }\n");
        tree.Write("osfmk/i386/third_mini.c", "void third_mini(void) { }\n");
        AssertShardsMergeToTheWholeScan(tree, shardCount);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void Platform_verdicts_from_a_division_by_a_read_merge_to_the_whole_scan_s(int shardCount)
    {
        // A read divided by in its own unit blocks; so does a field filled in one unit and divided by in another, joined
        // over the whole tree after detection and after the merge (a shard holding only one of them cannot join them).
        using var tree = new TempTree();
        tree.Write("osfmk/i386/cpu_mini.h", Planning.ReadinessTests.TscLeafHeader);
        tree.Write("osfmk/i386/cpuid_mini.c", "#include \"cpu_mini.h\"\n" + Planning.ReadinessTests.TscLeafFill);
        tree.Write("osfmk/i386/tsc_art.c", "#include \"cpu_mini.h\"\n" + Planning.ReadinessTests.TscLeafDivide);
        tree.Write("osfmk/i386/tsc_setup.c", Planning.ReadinessTests.BusRatio.Replace("{0}", "ratio = (unsigned int)bitfield(info, 15, 8);", StringComparison.Ordinal));
        tree.Write("osfmk/i386/other_mini.c", "void other_mini(void) { }\n");
        var findings = AssertShardsMergeToTheWholeScan(tree, shardCount, ["--target", "xen-hvm"], sarif: true);
        Assert.Contains(findings, f => f.GetProperty("ruleId").GetString() == "platform.time-source-msr" && f.GetProperty("verdict").GetString() == "blocking");
        Assert.Contains(findings, f => f.GetProperty("ruleId").GetString() == "platform.time-source-cpuid" && f.GetProperty("verdict").GetString() == "blocking");
    }

    /// <summary>TREE scanned whole and in SHARDCOUNT shards (no cache, one job): the merged JSON is the whole scan's, byte for byte.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void Inline_asm_of_a_header_body_counts_every_including_unit_after_a_merge_the_skipping_ones_too(int shardCount)
    {
        // As xnu-11417's osfmk/i386/x86_hypercall.h: inline asm is read per unit, not by the body's walker — two osfmk units
        // compile the `vmcall`, a bsd unit includes the header but skips its MACH_KERNEL_PRIVATE body: 3 units, with the
        // condition. With 3 shards the bsd unit's shard has only that inactive view, which merge must not drop.
        using var tree = new TempTree();
        WriteXnuLayout(tree, ["osfmk/i386/lock_pv_mini.c", "osfmk/i386/hcall_mini.c"], ["bsd/dev/i386/dtrace_mini.c"]);
        tree.Write("osfmk/i386/hcall_mini.h", "#if defined(MACH_KERNEL_PRIVATE)\nstatic inline long\nhcall_mini(long code)\n{\n\tlong rax;\n"
            + "\t__asm__ volatile (\"vmcall\" : \"=a\" (rax) : \"a\" (code));\n\treturn rax;\n}\n#endif\n");
        tree.Write("osfmk/i386/lock_pv_mini.c", "#include \"hcall_mini.h\"\nvoid lock_pv_mini(void) { (void)hcall_mini(1); }\n");
        tree.Write("osfmk/i386/hcall_mini.c", "#include \"hcall_mini.h\"\nvoid hcall_call_mini(void) { (void)hcall_mini(2); }\n");
        tree.Write("bsd/dev/i386/dtrace_mini.c", "#include \"../../../osfmk/i386/hcall_mini.h\"\nvoid dtrace_mini(void) { }\n");
        var site = AssertShardsMergeToTheWholeScan(tree, shardCount).Single(f => f.GetProperty("file").GetString() == "osfmk/i386/hcall_mini.h");
        Assert.Equal((3, "defined(MACH_KERNEL_PRIVATE)"), (site.GetProperty("units").GetInt32(), site.GetProperty("condition").GetString()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_header_body_site_seen_twice_by_its_walker_counts_the_units_that_reach_it_after_a_merge(int shardCount)
    {
        // As xnu-11417's cpu_data.h:563 (`assert(ml_get_interrupts_enabled() == FALSE)`, whose macro reads its argument
        // twice): the walker gives two views of one call; the site counts the 4 units that reach the body — not 2 in each
        // shard with one unit reaching it (3 shards), nor 2 for each shard's own walker (7 shards: 6).
        using var tree = new TempTree();
        string[] users = ["a", "b", "c", "d"];
        WriteXnuLayout(tree, users.Select(u => $"osfmk/kern/trace_user_{u}.c"), []);
        tree.Write("osfmk/kern/trace_mini.h", "int ml_get_interrupts_enabled(void);\n#define CHECK_TWICE_MINI(e) ((void)(e), (void)(e))\n"
            + "static inline void\ntrace_mini(void)\n{\n\tCHECK_TWICE_MINI(ml_get_interrupts_enabled());\n}\n");
        foreach (var user in users)
        {
            tree.Write($"osfmk/kern/trace_user_{user}.c", $"#include \"trace_mini.h\"\nvoid trace_user_{user}(void) {{ trace_mini(); }}\n");
        }
        var site = AssertShardsMergeToTheWholeScan(tree, shardCount).Single(f => f.GetProperty("file").GetString() == "osfmk/kern/trace_mini.h");
        Assert.Equal(users.Length, site.GetProperty("units").GetInt32());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void An_assembler_macro_no_unit_of_a_shard_compiles_leaves_no_inactive_copy_beside_the_compiled_one_after_a_merge(int shardCount)
    {
        // As xnu-11417's osfmk/i386/rtclock_asm_native.h: a shard whose .s units read the header without expanding the
        // macro reports its definition inactive (its include guard's condition, no unit); beside another shard's compiled
        // view that is a stand-in, not a view — the whole scan has the definition active, with no condition.
        using var tree = new TempTree();
        tree.Write("osfmk/i386/tsc_asm_mini.h", "#ifndef TSC_ASM_MINI_H\n#define TSC_ASM_MINI_H\n#define TSC_READ_MINI()\t\t\\\n\tlfence\t\t; \\\n"
            + "\trdtsc\t\t; \\\n\tshlq\t$32,%rdx\n#endif\n");
        tree.Write("osfmk/i386/tsc_now_mini.s", "#include \"tsc_asm_mini.h\"\n\t.text\n\t.globl _tsc_now_mini\n_tsc_now_mini:\n\tTSC_READ_MINI()\n\tret\n");
        tree.Write("osfmk/i386/tsc_other_mini.s", "#include \"tsc_asm_mini.h\"\n\t.text\n\t.globl _tsc_other_mini\n_tsc_other_mini:\n\tret\n");
        var site = AssertShardsMergeToTheWholeScan(tree, shardCount).Single(f => f.GetProperty("file").GetString() == "osfmk/i386/tsc_asm_mini.h");
        Assert.True(site.GetProperty("active").GetBoolean());
        Assert.False(site.TryGetProperty("condition", out _));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_listed_macro_in_a_header_body_counts_every_including_unit_after_a_merge(int shardCount)
    {
        // As xnu-11417's osfmk/i386/pmap_internal.h:744 (`pte_to_pa(cpte)`): a macro's expansion is a top-level entity
        // every unit reading the header sees, walker or not — no walk's view, so merge keeps every shard's units.
        using var tree = new TempTree();
        string[] users = ["a", "b", "c", "d"];
        WriteXnuLayout(tree, users.Select(u => $"osfmk/i386/pmap_user_{u}.c"), []);
        tree.Write("osfmk/i386/pmap_frame_mini.h", "typedef unsigned long long pt_entry_t;\n#define pte_to_pa(p) ((p) & 0x000ffffffffff000ULL)\n"
            + "static inline unsigned long long\npmap_frame_mini(pt_entry_t *ptep)\n{\n\treturn pte_to_pa(*ptep);\n}\n");
        foreach (var user in users)
        {
            tree.Write($"osfmk/i386/pmap_user_{user}.c", $"#include \"pmap_frame_mini.h\"\nunsigned long long pmap_user_{user}(pt_entry_t *p) {{ return pmap_frame_mini(p); }}\n");
        }
        // Reported at the #define (line 2), with the body's line as its expansion.
        var site = AssertShardsMergeToTheWholeScan(tree, shardCount).Single(f => f.GetProperty("file").GetString() == "osfmk/i386/pmap_frame_mini.h"
            && f.GetProperty("ruleId").GetString() == "pt.frame");
        Assert.Equal(users.Length, site.GetProperty("units").GetInt32());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_listed_macro_in_a_header_body_another_unit_walks_is_in_that_function_after_a_merge(int shardCount)
    {
        // As xnu-1504's osfmk/i386/pmap_internal.h:551 (`pa_index(pte_to_pa(cpte))` in pmap_classify_pagetable_corruption):
        // the macro is defined in another header, so the site is the body's line. A unit that does not walk the body
        // (another unit did) must still place the expansion in its function: a whole scan had one view with no function.
        using var tree = new TempTree();
        string[] users = ["a", "b", "c", "d"];
        WriteXnuLayout(tree, users.Select(u => $"osfmk/i386/pmap_user_{u}.c"), []);
        tree.Write("osfmk/i386/pmap_mini.h", "typedef unsigned long long pt_entry_t;\n#define pte_to_pa(p) ((p) & 0x000ffffffffff000ULL)\n"
            + "#define i386_btop(x) ((x) >> 12)\n");
        tree.Write("osfmk/i386/pmap_internal_mini.h", "#include \"pmap_mini.h\"\n#define pa_index(pa) (i386_btop(pa))\n"
            + "static inline unsigned long long\npmap_classify_mini(pt_entry_t *ptep)\n{\n\tpt_entry_t cpte = *ptep;\n"
            + "\tunsigned long long cpn = pa_index(pte_to_pa(cpte));\n\treturn cpn;\n}\n");
        foreach (var user in users)
        {
            tree.Write($"osfmk/i386/pmap_user_{user}.c", $"#include \"pmap_internal_mini.h\"\nunsigned long long pmap_user_{user}(pt_entry_t *p) {{ return pmap_classify_mini(p); }}\n");
        }
        var sites = AssertShardsMergeToTheWholeScan(tree, shardCount).Where(f => f.GetProperty("file").GetString() == "osfmk/i386/pmap_internal_mini.h").ToList();
        Assert.NotEmpty(sites);
        Assert.All(sites, site => Assert.Equal("pmap_classify_mini", site.GetProperty("function").GetString()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_pte_store_wrapper_keeps_the_callers_other_shards_units_make_after_a_merge(int shardCount)
    {
        // As xnu-4903's pmap_init_pte_page (osfmk/arm/pmap.c), called from pmap.c and from osfmk/arm64/arm_vm_init.c:
        // the wrapper's finding lists every caller; a shard without the definition must carry its calls to merge.
        using var tree = new TempTree();
        string[] callers = ["a", "b", "c", "d", "e"];
        WriteXnuLayout(tree, ["osfmk/i386/pmap_wrap_mini.c", .. callers.Select(c => $"osfmk/i386/vm_init_{c}.c")], []);
        tree.Write("osfmk/i386/pte_mini.h", "typedef unsigned long long pt_entry_t;\nvoid pmap_init_pte_mini(pt_entry_t *pte_p, unsigned long long v);\n");
        tree.Write("osfmk/i386/pmap_wrap_mini.c", "#include \"pte_mini.h\"\nvoid\npmap_init_pte_mini(pt_entry_t *pte_p, unsigned long long v)\n{\n\t*pte_p = v;\n}\n"
            + "void pmap_expand_mini(pt_entry_t *p) { pmap_init_pte_mini(p, 0); }\n");
        foreach (var caller in callers)
        {
            tree.Write($"osfmk/i386/vm_init_{caller}.c", $"#include \"pte_mini.h\"\nvoid vm_init_{caller}(pt_entry_t *p)\n{{\n\tpmap_init_pte_mini(p, 1);\n}}\n");
        }
        var wrapper = AssertShardsMergeToTheWholeScan(tree, shardCount).Single(f => f.GetProperty("ruleId").GetString() == "pt.pte-store-wrapper");
        Assert.Equal(callers.Length + 1, wrapper.GetProperty("expansions").GetArrayLength());
        Assert.Equal($"{callers.Length + 1}", wrapper.GetProperty("properties").GetProperty("callers").GetString());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_not_compiled_placeholder_gives_no_expansions_to_the_compiled_site_after_a_merge(int shardCount)
    {
        // As xnu-792's pexpert/pexpert/i386/protos.h (`__IN(s, u)` used as `__IN(b, char)`): a shard none of whose units
        // read the header reports its sites as not compiled, with the uses read from the text (no function); the whole
        // scan, where units compiled the header, lists only the compiled uses.
        using var tree = new TempTree();
        string[] users = ["a", "b"];
        string[] others = ["c", "d", "e", "f", "g", "h"];
        WriteXnuLayout(tree, users.Concat(others).Select(u => $"osfmk/i386/io_user_{u}.c"), []);
        tree.Write("osfmk/i386/protos_mini.h", "#define __IN_MINI(s, u) \\\nstatic inline unsigned u \\\nin_mini_##s(unsigned short port) \\\n{ \\\n"
            + "\tunsigned u data; \\\n\t__asm__ volatile (\"in\" #s \" %1,%0\" : \"=a\" (data) : \"d\" (port)); \\\n\treturn data; \\\n}\n"
            + "__IN_MINI(b, char)\n__IN_MINI(w, short)\n");
        // And a copy no unit reads (as arm64 reads the i386 header): a placeholder alone keeps the uses read from its text.
        tree.Write("osfmk/i386/unread_mini.h", "#define __OUT_MINI(s, u) \\\nstatic inline void \\\nout_mini_##s(unsigned short port, unsigned u data) \\\n{ \\\n"
            + "\t__asm__ volatile (\"out\" #s \" %0,%1\" : : \"a\" (data), \"d\" (port)); \\\n}\n"
            + "__OUT_MINI(b, char)\n__OUT_MINI(w, short)\n");
        foreach (var user in users)
        {
            tree.Write($"osfmk/i386/io_user_{user}.c", $"#include \"protos_mini.h\"\nunsigned io_user_{user}(void) {{ return in_mini_b(0x60); }}\n");
        }
        foreach (var other in others)
        {
            tree.Write($"osfmk/i386/io_user_{other}.c", $"void io_user_{other}(void) {{ }}\n");
        }
        var findings = AssertShardsMergeToTheWholeScan(tree, shardCount);
        var site = findings.First(f => f.GetProperty("file").GetString() == "osfmk/i386/protos_mini.h");
        Assert.All(site.GetProperty("expansions").EnumerateArray(), e => Assert.NotEqual(JsonValueKind.Null, e.GetProperty("function").ValueKind));
        var unread = findings.First(f => f.GetProperty("file").GetString() == "osfmk/i386/unread_mini.h");
        Assert.Equal(2, unread.GetProperty("expansions").GetArrayLength());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_walk_merge_leaves_out_passes_on_only_other_configurations_copies(int shardCount)
    {
        // As xnu-1504's osfmk/i386/thread.h:247 (current_stack_depth): the whole scan's walker (a bsd unit, first in
        // discovery) does not compile the call in RELEASE; osfmk units do. A shard whose walker is an osfmk unit reports it
        // active in RELEASE; merge leaves that walk out, and must pass on only its DEVELOPMENT copy, not its RELEASE.
        using var tree = new TempTree();
        string[] bsd = ["a", "b", "c"];
        string[] osfmk = ["d", "e", "f", "g", "h"];
        WriteXnuLayout(tree, osfmk.Select(u => $"osfmk/kern/depth_user_{u}.c"), bsd.Select(u => $"bsd/kern/depth_user_{u}.c"), development: true);
        tree.Write("osfmk/kern/depth_mini.h", """
            int ml_get_interrupts_enabled(void);

            static inline int
            current_depth_mini(void)
            {
            #if defined(MACH_KERNEL_PRIVATE) || DEVELOPMENT
            	return ml_get_interrupts_enabled();
            #else
            	return 0;
            #endif
            }
            """);
        foreach (var (folder, user) in bsd.Select(u => ("bsd", u)).Concat(osfmk.Select(u => ("osfmk", u))))
        {
            tree.Write($"{folder}/kern/depth_user_{user}.c", $"#include \"../../osfmk/kern/depth_mini.h\"\nint depth_user_{user}(void)\n{{\n#if DEVELOPMENT\n\treturn 1;\n#endif\n\treturn current_depth_mini();\n}}\n");
        }
        var site = AssertShardsMergeToTheWholeScan(tree, shardCount).Single(f => f.GetProperty("file").GetString() == "osfmk/kern/depth_mini.h");
        Assert.False(site.GetProperty("active").GetBoolean());
        Assert.Equal(["DEVELOPMENT"], site.GetProperty("configurations").EnumerateArray().Select(c => c.GetString()!).ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_site_in_a_file_another_shards_unit_owns_takes_that_files_configurations_after_a_merge(int shardCount)
    {
        // As xnu-11417's iokit/Kernel/IONVRAMV3Handler.cpp, #included by IONVRAM.cpp and a unit of its own: a site only the
        // including unit compiles takes the configurations of the file's own unit, whichever shard parses that unit.
        using var tree = new TempTree();
        string[] padding = ["p", "q", "r", "s", "t"];
        WriteXnuLayout(tree, ["osfmk/i386/nvram_mini.c", "osfmk/i386/nvram_handler_mini.c", .. padding.Select(p => $"osfmk/i386/pad_{p}.c")], [],
            development: true);
        tree.Write("osfmk/i386/nvram_handler_mini.c", """
            int ml_get_interrupts_enabled(void);

            int
            nvram_handler_mini(void)
            {
            #ifdef NVRAM_INCLUDED_MINI
            	return ml_get_interrupts_enabled();
            #else
            	return 0;
            #endif
            }
            """);
        tree.Write("osfmk/i386/nvram_mini.c", "#define NVRAM_INCLUDED_MINI 1\n#include \"nvram_handler_mini.c\"\nint nvram_mini(void) { return nvram_handler_mini(); }\n");
        foreach (var pad in padding)
        {
            tree.Write($"osfmk/i386/pad_{pad}.c", $"void pad_{pad}(void) {{ }}\n");
        }
        var site = AssertShardsMergeToTheWholeScan(tree, shardCount).Single(f => f.GetProperty("file").GetString() == "osfmk/i386/nvram_handler_mini.c"
            && f.GetProperty("active").GetBoolean());
        Assert.Contains("DEVELOPMENT", site.GetProperty("configurations").EnumerateArray().Select(c => c.GetString()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void A_register_parameter_macro_keeps_the_rule_its_resolving_uses_give_after_a_merge(int shardCount)
    {
        // As xnu-11417's osfmk/arm64/proc_reg.h:3019 (`#define MRS(dest, reg)`): the whole scan takes the macro's rule from
        // the use that names SCTLR_EL1; a shard whose units only include the header reports the generic
        // arm64.sysreg-parameter — one finding after the merge, with the resolved rule and every shard's units.
        using var tree = new TempTree();
        tree.Write("osfmk/arm64/sysreg_mini.h", "#define MRS_MINI(dest, reg) __asm__ volatile (\"mrs %0, \" reg : \"=r\" (dest))\n");
        tree.Write("osfmk/arm64/sctlr_mini.c", "#include \"sysreg_mini.h\"\nunsigned long sctlr_mini(void) { unsigned long v; MRS_MINI(v, \"SCTLR_EL1\"); return v; }\n");
        tree.Write("osfmk/arm64/idle_mini.c", "#include \"sysreg_mini.h\"\nvoid idle_mini(void) { }\n");
        tree.Write("osfmk/arm64/other_mini.c", "#include \"sysreg_mini.h\"\nvoid other_mini(void) { }\n");
        var site = Assert.Single(AssertShardsMergeToTheWholeScan(tree, shardCount, ["--arch", "arm64"]), f => f.GetProperty("file").GetString() == "osfmk/arm64/sysreg_mini.h");
        Assert.NotEqual("arm64.sysreg-parameter", site.GetProperty("ruleId").GetString());
    }

    /// <summary>
    /// An XNU-layout tree (MASTER, conf/files, templates, MakeInc.def) whose osfmk and bsd build lists name the files given;
    /// with DEVELOPMENT, MASTER also has a DEVELOPMENT configuration.
    /// </summary>
    internal static void WriteXnuLayout(TempTree tree, IEnumerable<string> osfmkFiles, IEnumerable<string> bsdFiles, bool development = false)
    {
        tree.Write("config/MASTER", "#  BASE =        [ medium ]\n#  RELEASE =     [ BASE ]\n"
            + (development ? "#  DEVELOPMENT = [ BASE development ]\noptions\t\tDEVELOPMENT\t\t# <development>\n" : string.Empty));
        tree.Write("config/MASTER.x86_64", "options		CONFIG_X86_FEATURE\n");
        tree.Write("osfmk/conf/files", string.Concat(osfmkFiles.Select(f => $"{f}\tstandard\n")));
        tree.Write("bsd/conf/files", string.Concat(bsdFiles.Select(f => $"{f}\tstandard\n")));
        tree.Write("osfmk/conf/Makefile.template", "CFLAGS+= -DMACH_KERNEL_PRIVATE\n");
        tree.Write("bsd/conf/Makefile.template", "CFLAGS+= -DBSD_KERNEL_PRIVATE\n");
        tree.Write("iokit/Kernel/.keep", string.Empty);
        tree.Write("makedefs/MakeInc.def", "DEFINES = -DAPPLE -DKERNEL -DKERNEL_PRIVATE -DXNU_KERNEL_PRIVATE $(CONFIG_DEFINES)\n");
    }

    /// <summary>
    /// Scans TREE whole (with WHOLEJOBS jobs) and in SHARDCOUNT shards, merges the shards and asserts the merged JSON (and,
    /// with SARIF, the SARIF) is byte-identical to the whole scan's; returns the whole scan's findings.
    /// </summary>
    private static List<JsonElement> AssertShardsMergeToTheWholeScan(TempTree tree, int shardCount, string[]? options = null, int wholeJobs = 1,
        bool sarif = false)
    {
        options ??= [];
        using var outputs = new TempTree();
        var whole = Path.Combine(outputs.Root, "whole.json");
        var wholeSarif = Path.Combine(outputs.Root, "whole.sarif");
        var (wholeExit, _, wholeError) = Run(["scan", tree.Root, "-j", $"{wholeJobs}", "--no-cache", .. options, "-o", whole, .. sarif ? new[] { "-o", wholeSarif } : []]);
        Assert.True(wholeExit == 0, wholeError);
        var shards = new List<string>();
        for (var k = 1; k <= shardCount; k++)
        {
            shards.Add(Path.Combine(outputs.Root, $"shard{k}.json"));
            var (exit, _, error) = Run(["scan", tree.Root, "-j", "1", "--no-cache", .. options, "--shard", $"{k}/{shardCount}", "-o", shards[^1]]);
            Assert.True(exit == 0, error);
        }
        var merged = Path.Combine(outputs.Root, "merged.json");
        var mergedSarif = Path.Combine(outputs.Root, "merged.sarif");
        var (mergeExit, _, mergeError) = Run(["merge", .. shards, "-o", merged, .. sarif ? new[] { "-o", mergedSarif } : []]);
        Assert.True(mergeExit == 0, mergeError);
        Assert.Equal(File.ReadAllText(whole), File.ReadAllText(merged));
        if (sarif)
        {
            Assert.Equal(File.ReadAllText(wholeSarif), File.ReadAllText(mergedSarif));
        }
        using var report = JsonDocument.Parse(File.ReadAllText(whole));
        return [.. report.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.Clone())];
    }

    [Fact]
    public void Merging_reports_of_different_trees_is_an_input_error()
    {
        using var a = new TempTree();
        using var b = new TempTree();
        var first = Path.Combine(a.Root, "a.json");
        var second = Path.Combine(b.Root, "b.json");
        a.Write("osfmk/i386/a.c", "int a_mini(void) { return 0; }\n");
        b.Write("osfmk/i386/b.c", "int b_mini(void) { return 0; }\n");
        Run("scan", a.Root, "-o", first);
        Run("scan", b.Root, "-o", second);
        var (exit, _, error) = Run("merge", first, second);
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("not shards of one scan", error);
    }

    [Fact]
    public void Diff_counts_by_rule_and_subsystem_what_appeared_and_went()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle.c", "void idle_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        tree.Write("bsd/dev/old.c", "void old_mini(void)\n{\n\t__asm__ volatile(\"wbinvd\");\n}\n");
        using var outputs = new TempTree();
        var before = Path.Combine(outputs.Root, "before.json");
        var after = Path.Combine(outputs.Root, "after.json");
        Assert.Equal(0, Run("scan", tree.Root, "-j", "1", "-o", before).Exit);
        File.Delete(Path.Combine(tree.Root, "bsd", "dev", "old.c"));
        tree.Write("osfmk/i386/idle2.c", "void idle2_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        Assert.Equal(0, Run("scan", tree.Root, "-j", "1", "-o", after).Exit);

        var (exit, output, error) = Run("diff", before, after, "--format", "json");
        Assert.True(exit == 0, error);
        using var document = JsonDocument.Parse(output);
        var byRule = document.RootElement.GetProperty("byRule").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal((1, 2, 1, 0), (byRule["x86.hlt"].GetProperty("old").GetInt32(), byRule["x86.hlt"].GetProperty("new").GetInt32(),
            byRule["x86.hlt"].GetProperty("appeared").GetInt32(), byRule["x86.hlt"].GetProperty("gone").GetInt32()));
        var bsd = document.RootElement.GetProperty("bySubsystem").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "bsd");
        Assert.Equal((1, 0, -1), (bsd.GetProperty("old").GetInt32(), bsd.GetProperty("new").GetInt32(), bsd.GetProperty("delta").GetInt32()));

        var (_, text, _) = Run("diff", before, after);
        Assert.Contains("findings: 2 → 2 (0; 1 appeared, 1 gone)", text);
    }
    [Fact]
    public void Diff_lists_the_sites_that_appeared_and_went_and_pairs_a_moved_file_by_function_and_rule()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle.c", "void idle_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        tree.Write("osfmk/i386/cache.c", "void flush_mini(void)\n{\n\t__asm__ volatile(\"wbinvd\");\n}\n");
        using var outputs = new TempTree();
        var before = Path.Combine(outputs.Root, "before.json");
        var after = Path.Combine(outputs.Root, "after.json");
        Assert.Equal(0, Run("scan", tree.Root, "-j", "1", "-o", before).Exit);
        // The next release: idle.c moved to x86_64/ (new fingerprint, same function and rule), cache.c went, a CR3 load came.
        File.Delete(Path.Combine(tree.Root, "osfmk", "i386", "idle.c"));
        File.Delete(Path.Combine(tree.Root, "osfmk", "i386", "cache.c"));
        tree.Write("osfmk/x86_64/idle.c", "/* moved */\nvoid idle_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        tree.Write("osfmk/x86_64/pmap_mini.c", "void load_mini(unsigned long v)\n{\n\t__asm__ volatile(\"mov %0, %%cr3\" : : \"r\"(v));\n}\n");
        Assert.Equal(0, Run("scan", tree.Root, "-j", "1", "-o", after).Exit);

        var (exit, output, error) = Run("diff", before, after, "--format", "json");

        Assert.True(exit == 0, error);
        using var document = JsonDocument.Parse(output);
        var appeared = document.RootElement.GetProperty("appearedSites").EnumerateArray().ToList();
        var gone = document.RootElement.GetProperty("goneSites").EnumerateArray().ToList();
        var moved = document.RootElement.GetProperty("movedSites").EnumerateArray().ToList();
        Assert.Equal(("osfmk/x86_64/pmap_mini.c", 3, "load_mini"), (appeared.Single().GetProperty("file").GetString(),
            appeared.Single().GetProperty("line").GetInt32(), appeared.Single().GetProperty("function").GetString()));
        Assert.Equal(("osfmk/i386/cache.c", "flush_mini"), (gone.Single().GetProperty("file").GetString(), gone.Single().GetProperty("function").GetString()));
        Assert.Equal(("osfmk/i386/idle.c", 3, "osfmk/x86_64/idle.c", 4), (moved.Single().GetProperty("old").GetProperty("file").GetString(),
            moved.Single().GetProperty("old").GetProperty("line").GetInt32(), moved.Single().GetProperty("new").GetProperty("file").GetString(),
            moved.Single().GetProperty("new").GetProperty("line").GetInt32()));

        var (_, text, _) = Run("diff", before, after);
        Assert.Contains("  + osfmk/x86_64/pmap_mini.c:3  x86.", text);
        Assert.Contains("  - osfmk/i386/cache.c:3  x86.", text);
        Assert.Contains("  ~ osfmk/x86_64/idle.c:4  x86.hlt  idle_mini  `hlt`  (was osfmk/i386/idle.c:3)", text);
    }
}
