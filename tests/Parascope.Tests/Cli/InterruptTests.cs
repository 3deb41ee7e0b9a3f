using System.Diagnostics;
using Parascope.Tests.Parsing;

namespace Parascope.Tests.Cli;

public sealed class InterruptTests
{
    [Theory]
    [InlineData("INT", 130, "interrupted")]
    [InlineData("TERM", 143, "terminated")]
    public async Task A_signal_during_a_scan_leaves_no_report_and_no_temporary_file(string signal, int exit, string words)
    {
        using var tree = new TempTree();
        for (var i = 0; i < 600; i++)
        {
            tree.Write($"osfmk/i386/slow{i:000}.c", NativeFaultTests.SlowUnit.Replace("slow_", $"slow{i}_", StringComparison.Ordinal));
        }
        using var outputs = new TempTree();
        var report = Path.Combine(outputs.Root, "report.json");
        // Through `env --default-signal`: a test host started in the background inherits SIGINT ignored, as a shell's
        // `cmd &` does, and the runtime keeps an inherited ignore. env execs the CLI, so the pid is the CLI's.
        var start = new ProcessStartInfo("env")
        {
            ArgumentList = { "--default-signal=INT,TERM", Path.Combine(AppContext.BaseDirectory, "parascope"), "scan", tree.Root, "-j", "1", "--quiet", "-o", report, "-o", Path.Combine(outputs.Root, "report.sarif") },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        // Signal once the CLI has used 1 s of CPU: its handlers are registered first thing in Main (start-up takes a
        // few hundred ms), and 600 slow units at -j 1 take far longer even on an idle machine (150 did not: on an idle
        // machine a scan of them once ended under 2 s of CPU). A signal at start-up ends it with the same code, silently.
        var waited = Stopwatch.StartNew();
        while (!process.HasExited && process.TotalProcessorTime < TimeSpan.FromSeconds(1) && waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100);
            process.Refresh();
        }
        Assert.False(process.HasExited, "the scan ended before the signal: make the tree slower");
        using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        Assert.True(process.WaitForExit(60_000), "the scan did not stop after the signal");

        Assert.Equal(exit, process.ExitCode);
        Assert.Equal($"parascope: {words}; no report written", (await error).Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(outputs.Root));
    }
}
