using System.Diagnostics;
using System.Text.Json;
using Parascope.Tests.Parsing;

namespace Parascope.Tests.Cli;

/// <summary>
/// The default scan, supervised (the CLI built beside the tests, started as a program): the scan runs as a child of
/// the `parascope scan` process, which starts it again without a unit that crashed libclang natively.
/// </summary>
public sealed class SupervisedScanTests
{
    /// <summary>clang's Sema overflows its stack on a 300,000-term sum: SIGSEGV, which libclang's crash recovery does not catch.</summary>
    private static readonly string DeepUnit = "int deep_sum = " + string.Join('+', Enumerable.Repeat("1", 300_000)) + ";\n";

    [Fact]
    public async Task A_unit_that_crashes_the_parser_costs_that_unit_the_scan_exits_0_and_reports_what_isolate_reports()
    {
        using var tree = CrashingTree();
        using var outputs = new TempTree();
        using var temporary = new TempTree();

        var supervised = await Scan(tree.Root, temporary.Root, Path.Combine(outputs.Root, "supervised"));
        var isolated = await Scan(tree.Root, temporary.Root, Path.Combine(outputs.Root, "isolated"), "--isolate");

        Assert.Equal(0, supervised.Exit);
        Assert.Equal(0, isolated.Exit);
        Assert.Equal("parascope: warning: 1 units crashed the parser and were reported failed (e.g. osfmk/i386/deep.c x86_64); the scan went on without them",
            supervised.Error.Trim());
        Assert.Equal(isolated.Error, supervised.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(outputs.Root, "isolated.json")), File.ReadAllBytes(Path.Combine(outputs.Root, "supervised.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(outputs.Root, "isolated.sarif")), File.ReadAllBytes(Path.Combine(outputs.Root, "supervised.sarif")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outputs.Root, "supervised.json")));
        var units = json.RootElement.GetProperty("units").EnumerateArray().ToDictionary(u => u.GetProperty("file").GetString()!);
        Assert.Equal("failed", units["osfmk/i386/deep.c"].GetProperty("status").GetString());
        Assert.StartsWith("the parser died reading this unit (exit code 139, SIGSEGV); the scan went on without it",
            units["osfmk/i386/deep.c"].GetProperty("firstError").GetString(), StringComparison.Ordinal);
        Assert.All(units.Where(u => u.Key != "osfmk/i386/deep.c"), u => Assert.NotEqual("failed", u.Value.GetProperty("status").GetString()));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary.Root));
    }

    [Fact]
    public async Task With_no_supervise_the_crash_ends_the_scan_with_no_report()
    {
        using var tree = CrashingTree();
        using var outputs = new TempTree();
        using var temporary = new TempTree();

        var alone = await Scan(tree.Root, temporary.Root, Path.Combine(outputs.Root, "alone"), "--no-supervise");

        Assert.Equal(139, alone.Exit);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outputs.Root));
    }

    [Fact]
    public async Task A_scan_whose_supervisor_is_killed_stops_and_leaves_no_report_and_no_temporary_file()
    {
        using var tree = new TempTree();
        for (var i = 0; i < 600; i++)
        {
            tree.Write($"osfmk/i386/slow{i:000}.c", NativeFaultTests.SlowUnit.Replace("slow_", $"slow{i}_", StringComparison.Ordinal));
        }
        using var outputs = new TempTree();
        using var temporary = new TempTree();
        var start = Start(tree.Root, temporary.Root, Path.Combine(outputs.Root, "report"), "-j", "1");
        // A .NET process killed by SIGKILL leaves its diagnostics socket and debugger pipes in the temporary folder
        // (the runtime's, not the scan's): the supervisor killed here runs without them.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        using var supervisor = Process.Start(start)!;
        var error = supervisor.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        List<Process> scans;
        while ((scans = InterruptTests.ChildrenOf(supervisor.Id)).Count == 0 || InterruptTests.CpuOf(scans) < TimeSpan.FromSeconds(1))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2) && !supervisor.HasExited, "the scan did not start, or ended before the kill");
            await Task.Delay(100);
        }

        supervisor.Kill();
        var scan = Assert.Single(scans);

        Assert.True(scan.WaitForExit(30_000), "the scan goes on after its supervisor was killed");
        Assert.Empty(Directory.EnumerateFileSystemEntries(outputs.Root));
        // Said by the supervisor, which is gone: the scan stops silently.
        Assert.Equal("", (await error).Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary.Root));
    }

    [Fact]
    public async Task An_unchanged_tree_whose_scan_is_kept_is_answered_by_the_supervisor_itself_with_no_scan_process()
    {
        var settled = DateTime.UtcNow.AddHours(-1);
        using var tree = HaltTree(settled);
        using var cache = new TempTree();
        using var outputs = new TempTree();
        using var temporary = new TempTree();
        // A temporary folder that cannot be made: the supervisor needs one for the journal of the scan it starts.
        var missing = Path.Combine(temporary.Root, "missing");

        var cold = await CachedScan(tree.Root, cache.Root, temporary.Root, Path.Combine(outputs.Root, "cold.json"));
        var warm = await CachedScan(tree.Root, cache.Root, missing, Path.Combine(outputs.Root, "warm.json"));
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/halt0.c", "void halt0(void)\n{\n}\n"), settled.AddMinutes(1));
        var edited = await CachedScan(tree.Root, cache.Root, missing, Path.Combine(outputs.Root, "edited.json"));

        Assert.Equal((0, ""), (cold.Exit, cold.Error.Trim()));
        Assert.Equal((0, ""), (warm.Exit, warm.Error.Trim()));
        Assert.Equal(File.ReadAllBytes(Path.Combine(outputs.Root, "cold.json")), File.ReadAllBytes(Path.Combine(outputs.Root, "warm.json")));
        // The edited tree is scanned, in a child: the journal's folder is needed, and its absence is one line, exit 2.
        Assert.Equal((2, $"parascope: no folder for the scan's journal can be made in {missing} (TMPDIR); set TMPDIR to a writable folder, " +
                         "or scan with --no-supervise"), (edited.Exit, edited.Error.Trim()));
        Assert.False(File.Exists(Path.Combine(outputs.Root, "edited.json")));
    }

    [Fact]
    public async Task A_tree_touched_all_over_is_answered_by_the_supervisor_itself_by_its_contents()
    {
        var settled = DateTime.UtcNow.AddHours(-1);
        using var tree = HaltTree(settled);
        using var cache = new TempTree();
        using var outputs = new TempTree();
        using var temporary = new TempTree();
        var missing = Path.Combine(temporary.Root, "missing");
        await CachedScan(tree.Root, cache.Root, temporary.Root, Path.Combine(outputs.Root, "cold.json"));
        // A fresh clone of the same commit: every file new in time, none in content.
        tree.TouchAll(settled.AddMinutes(5));

        // No folder for a journal: only an answer without a scan process can succeed.
        var touched = await CachedScan(tree.Root, cache.Root, missing, Path.Combine(outputs.Root, "touched.json"));

        Assert.Equal((0, ""), (touched.Exit, touched.Error.Trim()));
        Assert.Equal(File.ReadAllBytes(Path.Combine(outputs.Root, "cold.json")), File.ReadAllBytes(Path.Combine(outputs.Root, "touched.json")));
    }

    [Fact]
    public async Task An_edited_tree_is_scanned_by_the_child_the_supervisor_hands_its_miss_to_as_without_a_cache()
    {
        var settled = DateTime.UtcNow.AddHours(-1);
        using var tree = HaltTree(settled);
        using var cache = new TempTree();
        using var outputs = new TempTree();
        using var temporary = new TempTree();
        await CachedScan(tree.Root, cache.Root, temporary.Root, Path.Combine(outputs.Root, "cold.json"));
        File.SetLastWriteTimeUtc(tree.Write("osfmk/i386/halt0.c", "void halt0(void)\n{\n\t__asm__ volatile(\"cli\");\n}\n"), settled.AddMinutes(1));

        var edited = await CliProcess.Run(["scan", tree.Root, "--quiet", "-j", "2", "--cache", cache.Root, "--timings", "-o", Path.Combine(outputs.Root, "edited.json")],
            new Dictionary<string, string> { ["TMPDIR"] = temporary.Root, ["DOTNET_EnableDiagnostics"] = "0" });
        var uncached = await CliProcess.Run(["scan", tree.Root, "--quiet", "-j", "2", "--no-cache", "-o", Path.Combine(outputs.Root, "uncached.json")],
            new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0" });

        Assert.Equal(0, edited.Exit);
        Assert.Contains("whole scan kept (looked up by the supervisor)", edited.Error, StringComparison.Ordinal);
        // One source edited since the kept scan: a re-scan of a few units, whose process runs the server collector.
        Assert.Contains("; server collector", edited.Error, StringComparison.Ordinal);
        Assert.Equal(0, uncached.Exit);
        // --timings puts the wall time in the report: the one field that may differ.
        static string Report(string path) =>
            System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), "\"durationMs\": [0-9]+", "\"durationMs\": 0");
        Assert.Equal(Report(Path.Combine(outputs.Root, "uncached.json")), Report(Path.Combine(outputs.Root, "edited.json")));
    }

    /// <summary>Three units that halt, last written at SETTLED.</summary>
    private static TempTree HaltTree(DateTime settled)
    {
        var tree = new TempTree();
        for (var i = 0; i < 3; i++)
        {
            File.SetLastWriteTimeUtc(tree.Write($"osfmk/i386/halt{i}.c", $"void halt{i}(void)\n{{\n\t__asm__ volatile(\"hlt\");\n}}\n"), settled);
        }
        return tree;
    }

    /// <summary>`parascope scan ROOT` supervised, with the result cache CACHE and the temporary folder TEMPORARY, the JSON report to REPORT.</summary>
    private static Task<(int Exit, string Error)> CachedScan(string root, string cache, string temporary, string report) =>
        // Without the runtime's diagnostics socket, which lives in the temporary folder too.
        CliProcess.Run(["scan", root, "--quiet", "-j", "2", "--cache", cache, "-o", report],
            new Dictionary<string, string> { ["TMPDIR"] = temporary, ["DOTNET_EnableDiagnostics"] = "0" });

    private static TempTree CrashingTree()
    {
        var tree = new TempTree();
        tree.Write("osfmk/i386/deep.c", DeepUnit);
        for (var i = 0; i < 4; i++)
        {
            tree.Write($"osfmk/i386/halt{i}.c", $"void halt{i}(void)\n{{\n\t__asm__ volatile(\"hlt\");\n}}\n");
        }
        return tree;
    }

    private static ProcessStartInfo Start(string root, string temporary, string report, params string[] more)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "parascope"))
        {
            ArgumentList = { "scan", root, "--units", "--quiet", "--no-cache", "-o", report + ".json", "-o", report + ".sarif" },
            Environment = { ["TMPDIR"] = temporary },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in more)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// <summary>`parascope scan ROOT` with two jobs and MORE, its temporary folder TEMPORARY, the report written to REPORT.json and .sarif.</summary>
    private static async Task<(int Exit, string Error)> Scan(string root, string temporary, string report, params string[] more)
    {
        using var process = Process.Start(Start(root, temporary, report, ["-j", "2", .. more]))!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await error);
    }
}
