using System.Text.Json;
using Parascope.Cli;
using Parascope.Tests.Reports;

namespace Parascope.Tests.Cli;

/// <summary>scan's report options: formats, several outputs, --fail-on, --baseline, suppressions, determinism, --timings.</summary>
public sealed class ReportOptionTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => Parascope.Tests.Cli.CliRunner.Run(args);

    private const string AddedCli = "\nvoid added_cli_mini(void)\n{\n\t__asm__ volatile(\"cli\");\n}\n";

    [Fact]
    public void Several_outputs_are_written_in_the_format_their_extension_names()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        using var outputs = new TempTree();
        var names = new[] { "r.json", "r.sarif", "r.html", "r.md", "r.txt" };
        var args = new List<string> { "scan", tree.Root, "-j", "1" };
        foreach (var name in names)
        {
            args.AddRange(["--output", Path.Combine(outputs.Root, name)]);
        }
        var (exit, stdout, error) = Run([.. args]);
        Assert.True(exit == 0, error);
        Assert.Equal("", stdout);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outputs.Root, "r.json"))))
        {
            Assert.True(json.RootElement.GetProperty("findings").GetArrayLength() > 0);
        }
        using (var sarif = JsonDocument.Parse(File.ReadAllText(Path.Combine(outputs.Root, "r.sarif"))))
        {
            Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        }
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(Path.Combine(outputs.Root, "r.html")));
        Assert.StartsWith("## Parascope:", File.ReadAllText(Path.Combine(outputs.Root, "r.md")));
        Assert.StartsWith("parascope ", File.ReadAllText(Path.Combine(outputs.Root, "r.txt")));
        Assert.Empty(Directory.EnumerateFiles(outputs.Root, "*.tmp"));
    }

    [Fact]
    public void An_output_with_an_unknown_extension_and_no_format_is_a_usage_error()
    {
        using var tree = new TempTree();
        var (exit, _, error) = Run("scan", tree.Root, "--output", Path.Combine(tree.Root, "a.json"), "--output", Path.Combine(tree.Root, "report.xyz"));
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("report.xyz", error);
    }

    [Fact]
    public void Two_scans_of_the_same_tree_give_byte_identical_json_and_sarif()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        using var outputs = new TempTree();
        byte[][] Scan(string suffix)
        {
            var json = Path.Combine(outputs.Root, $"a{suffix}.json");
            var sarif = Path.Combine(outputs.Root, $"a{suffix}.sarif");
            var (exit, _, error) = Run("scan", tree.Root, "-j", "2", "--output", json, "--output", sarif);
            Assert.True(exit == 0, error);
            return [File.ReadAllBytes(json), File.ReadAllBytes(sarif)];
        }
        var first = Scan("1");
        var second = Scan("2");
        Assert.Equal(first[0], second[0]);
        Assert.Equal(first[1], second[1]);
        using var document = JsonDocument.Parse(first[0]);
        Assert.Equal(0, document.RootElement.GetProperty("scan").GetProperty("durationMs").GetInt64());
    }

    [Fact]
    public void Timings_report_the_real_wall_time()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        var (exit, stdout, error) = Run("scan", tree.Root, "-j", "1", "--format", "json", "--timings");
        Assert.True(exit == 0, error);
        using var document = JsonDocument.Parse(stdout);
        Assert.True(document.RootElement.GetProperty("scan").GetProperty("durationMs").GetInt64() > 0);
    }

    [Fact]
    public void Timings_are_followed_by_the_memory_at_each_phase_end_up_to_the_report()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        var (exit, _, error) = Run("scan", tree.Root, "-j", "1", "--format", "json", "--timings");
        Assert.True(exit == 0, error);
        var memory = error.Split('\n').Single(line => line.StartsWith("parascope: memory (heap/committed/resident/peak MB): ", StringComparison.Ordinal));
        Assert.Matches(@"discover \d+/\d+/\d+/\d+, parse .*, detect .*, configurations .*, graph .*, plan .*, report \d+/\d+/\d+/\d+$", memory.TrimEnd('\r'));
    }

    [Fact]
    public void Timings_are_followed_by_what_each_phase_allocated_and_what_the_collector_did()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        var (exit, _, error) = Run("scan", tree.Root, "-j", "1", "--format", "json", "--timings");
        Assert.True(exit == 0, error);
        var collector = error.Split('\n').Single(line => line.StartsWith("parascope: collector: ", StringComparison.Ordinal));
        Assert.Matches(@"^parascope: collector: allocated MB discover \d+, parse \d+, detect \d+, configurations \d+, graph \d+, plan \d+, report \d+; " +
                       @"collections \d+/\d+/\d+ \(gen 0/1/2\), paused \d+ ms(; server collector)?$", collector.TrimEnd('\r'));
    }

    [Fact]
    public void Fail_on_sets_exit_1_only_when_a_finding_at_or_above_the_level_remains()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle.c", "void idle_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        Assert.Equal(ExitCodes.FindingsAtOrAboveFailOn, Run("scan", tree.Root, "-j", "1", "--fail-on", "error").Exit);
        Assert.Equal(ExitCodes.Done, Run("scan", tree.Root, "-j", "1").Exit);
        Assert.Equal(ExitCodes.Done, Run("scan", tree.Root, "-j", "1", "--target", "xen-hvm", "--fail-on", "error").Exit);
        Assert.Equal(ExitCodes.UsageOrInputError, Run("scan", tree.Root, "--fail-on", "fatal").Exit);
    }

    [Fact]
    public void An_output_in_a_folder_that_takes_no_file_is_an_input_error_before_the_scan()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle.c", "void idle_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        using var outputs = new TempTree();
        var good = Path.Combine(outputs.Root, "good.json");
        // /proc takes no new file: the scan must stop before any work, and write none of the other outputs.
        var (exit, _, error) = Run("scan", tree.Root, "-j", "1", "-o", good, "-o", "/proc/parascope-test.json");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("/proc/parascope-test.json: cannot write a file in /proc", error);
        Assert.False(File.Exists(good));
    }

    [Fact]
    public void The_scan_s_warnings_are_printed_on_stderr()
    {
        using var tree = new TempTree();
        // XNU's layout without its config/MASTER files: the profile warns that it uses built-in defaults.
        tree.Write("osfmk/kern/mini.c", "int mini_kern(void) { return 0; }\n");
        tree.Write("bsd/kern/mini.c", "int mini_bsd(void) { return 0; }\n");
        tree.Write("iokit/Kernel/mini.cpp", "int mini_iokit() { return 0; }\n");
        var (exit, _, error) = Run("scan", tree.Root, "-j", "1", "--quiet", "--format", "json");
        Assert.True(exit == ExitCodes.Done, error);
        Assert.Contains("parascope: warning: ", error);
        Assert.Contains("no MASTER config files found", error);
    }

    [Fact]
    public void Fail_on_counts_only_active_findings()
    {
        using var tree = new TempTree();
        // An arm64-only tree scanned for x86_64: its sites are reported, inactive, and do not fail the gate.
        tree.Write("osfmk/arm64/idle.c", "void idle_arm(void)\n{\n\t__asm__ volatile(\"wfi\");\n\t__asm__ volatile(\"msr ttbr0_el1, x0\");\n}\n");
        var (exit, stdout, error) = Run("scan", tree.Root, "-j", "1", "--arch", "x86_64", "--format", "json", "--fail-on", "note");
        Assert.True(exit == ExitCodes.Done, error);
        using var report = JsonDocument.Parse(stdout);
        var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.NotEmpty(findings);
        Assert.All(findings, f => Assert.False(f.GetProperty("active").GetBoolean()));
        Assert.Equal(ExitCodes.FindingsAtOrAboveFailOn, Run("scan", tree.Root, "-j", "1", "--arch", "arm64", "--fail-on", "note").Exit);
    }

    [Fact]
    public void A_baseline_of_an_unchanged_tree_has_no_new_finding_and_one_added_cli_makes_one_new_and_exit_1()
    {
        using var tree = new TempTree();
        ReportTrees.CopySample(tree);
        using var outputs = new TempTree();
        var baseline = Path.Combine(outputs.Root, "baseline.json");
        Assert.Equal(ExitCodes.Done, Run("scan", tree.Root, "-j", "1", "--output", baseline).Exit);

        var (exit, stdout, error) = Run("scan", tree.Root, "-j", "1", "--format", "json", "--baseline", baseline, "--fail-on", "error");
        Assert.True(exit == ExitCodes.Done, error);
        using (var unchanged = JsonDocument.Parse(stdout))
        {
            var summary = unchanged.RootElement.GetProperty("summary");
            Assert.Equal(0, summary.GetProperty("new").GetInt32());
            Assert.Equal(0, summary.GetProperty("fixed").GetInt32());
            Assert.Equal(summary.GetProperty("total").GetInt32(), summary.GetProperty("unchanged").GetInt32());
        }

        File.AppendAllText(Path.Combine(tree.Root, "osfmk", "i386", "pmap_mini.c"), AddedCli);
        (exit, stdout, error) = Run("scan", tree.Root, "-j", "1", "--format", "json", "--baseline", baseline, "--fail-on", "error");
        Assert.True(exit == ExitCodes.FindingsAtOrAboveFailOn, error);
        using var changed = JsonDocument.Parse(stdout);
        Assert.Equal(1, changed.RootElement.GetProperty("summary").GetProperty("new").GetInt32());
        var added = changed.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("baseline").GetString() == "new");
        Assert.Equal("x86.cli-sti", added.GetProperty("ruleId").GetString());
        Assert.Equal("added_cli_mini", added.GetProperty("function").GetString());
    }

    [Fact]
    public void A_missing_baseline_file_is_an_input_error()
    {
        using var tree = new TempTree();
        var (exit, _, error) = Run("scan", tree.Root, "--baseline", Path.Combine(tree.Root, "none.json"));
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("none.json", error);
    }

    [Fact]
    public void An_inline_ignore_comment_and_the_ignore_file_suppress_and_count()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle.c",
            "void idle_mini(void)\n{\n\t/* parascope:ignore x86.hlt halting is the idle loop's job */\n\t__asm__ volatile(\"hlt\");\n}\n" +
            "void other_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        tree.Write("bsd/dev/beep.c", "void beep_mini(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        var (exit, stdout, error) = Run("scan", tree.Root, "-j", "1", "--format", "json");
        Assert.True(exit == 0, error);
        using (var document = JsonDocument.Parse(stdout))
        {
            Assert.Equal(2, document.RootElement.GetProperty("findings").GetArrayLength());
            Assert.Equal(1, document.RootElement.GetProperty("summary").GetProperty("suppressed").GetInt32());
        }
        tree.Write(".parascope-ignore", "# legacy beeper, removed in the port\nbsd/** x86.hlt not ported\n");
        (exit, stdout, error) = Run("scan", tree.Root, "-j", "1", "--format", "json", "--fail-on", "error");
        Assert.True(exit == ExitCodes.FindingsAtOrAboveFailOn, error);
        using (var document = JsonDocument.Parse(stdout))
        {
            var finding = Assert.Single(document.RootElement.GetProperty("findings").EnumerateArray());
            Assert.Equal("other_mini", finding.GetProperty("function").GetString());
            Assert.Equal(2, document.RootElement.GetProperty("summary").GetProperty("suppressed").GetInt32());
        }
    }

    [Fact]
    public void An_inline_ignore_with_no_or_an_unknown_rule_id_is_a_warning_naming_file_and_line()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle.c",
            "void idle_mini(void)\n{\n\t__asm__ volatile(\"hlt\"); /* parascope:ignore */\n" +
            "\t__asm__ volatile(\"hlt\"); // parascope:ignore x86.halt typo in the id\n" +
            "\t__asm__ volatile(\"hlt\"); // parascope:ignore x86.hlt the real one\n}\n");
        var (exit, stdout, error) = Run("scan", tree.Root, "-j", "1", "--format", "json");
        Assert.True(exit == 0, error);
        Assert.Contains("osfmk/i386/idle.c:3: parascope:ignore without a rule id suppresses nothing", error);
        Assert.Contains("osfmk/i386/idle.c:4: parascope:ignore names no known rule 'x86.halt'", error);
        Assert.DoesNotContain("idle.c:5", error);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(2, document.RootElement.GetProperty("scan").GetProperty("warnings").EnumerateArray()
            .Count(w => w.GetString()!.Contains("parascope:ignore", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_malformed_shard_is_a_usage_error()
    {
        using var tree = new TempTree();
        Assert.Equal(ExitCodes.UsageOrInputError, Run("scan", tree.Root, "--shard", "3/2").Exit);
        Assert.Equal(ExitCodes.UsageOrInputError, Run("scan", tree.Root, "--shard", "x").Exit);
    }
}
