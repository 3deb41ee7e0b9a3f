using System.Diagnostics;
using System.Globalization;

namespace Parascope.Tests.Cli;

/// <summary>`parascope scan --watch`, run as a user runs it: a program of its own, stopped by Ctrl-C.</summary>
public sealed class WatchTests
{
    private const string Probe = "\nvoid parascope_watch_probe(void)\n{\n\t__asm__ volatile(\"cli\");\n}\n";

    [Fact]
    public async Task An_edit_is_scanned_again_its_new_finding_said_and_written_and_Ctrl_C_leaves_the_reports_whole()
    {
        using var tree = new TempTree();
        CopyFolder(SampleTreeTests.SampleRoot(), tree.Root);
        using var outputs = new TempTree();
        // One report inside the watched tree: its own writes must not start another scan.
        var inside = Path.Combine(tree.Root, "report.json");
        var outside = Path.Combine(outputs.Root, "report.sarif");
        var (process, lines, standardOutput) = StartWatch(tree.Root, "-j", "2", "-o", inside, "-o", outside);
        using var started = process;
        try
        {
            await WaitFor(lines, l => l.StartsWith("parascope: watch: watching ", StringComparison.Ordinal), process);
            Assert.DoesNotContain("parascope_watch_probe", File.ReadAllText(inside), StringComparison.Ordinal);

            var edited = Path.Combine(tree.Root, "osfmk", "i386", "cpuid_mini.c");
            var probeLine = File.ReadAllLines(edited).Length + 4;
            File.AppendAllText(edited, Probe);
            var summary = await WaitFor(lines, l => l.Contains("scanned again", StringComparison.Ordinal), process);

            Assert.Matches(@"^parascope: watch: osfmk/i386/cpuid_mini\.c changed; scanned again in \d+\.\d\d s \(1 unit parsed\): \d+ findings, 1 new, 0 gone, 0 moved$", summary);
            Assert.Contains($"  new   x86.cli-sti osfmk/i386/cpuid_mini.c:{probeLine.ToString(CultureInfo.InvariantCulture)} in parascope_watch_probe", Snapshot(lines));
            Assert.Contains("parascope_watch_probe", File.ReadAllText(inside), StringComparison.Ordinal);
            Assert.Contains("parascope_watch_probe", File.ReadAllText(outside), StringComparison.Ordinal);

            // Longer than the quiet period: had writing the report inside the tree counted as a change, a scan would follow.
            await Task.Delay(TimeSpan.FromSeconds(3.5));
            Assert.Single(Snapshot(lines), l => l.Contains("scanned again", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                using var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
                kill.WaitForExit();
            }
        }
        Assert.True(process.WaitForExit(30_000), "the watch did not stop after Ctrl-C");
        process.WaitForExit();
        await standardOutput;

        Assert.Equal(130, process.ExitCode);
        Assert.Equal("parascope: interrupted; watch stopped, the reports written stand", Snapshot(lines)[^1]);
        Assert.Contains("parascope_watch_probe", File.ReadAllText(inside), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(tree.Root, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(["report.sarif"], Directory.EnumerateFileSystemEntries(outputs.Root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_input_error_while_watching_is_said_in_one_line_and_the_watch_goes_on()
    {
        using var tree = new TempTree();
        var source = tree.Write("cpu.c", "void cpu_halt(void)\n{\n\t__asm__ volatile(\"cli; hlt\");\n}\n");
        var (process, lines, standardOutput) = StartWatch(tree.Root, "-j", "1");
        using var started = process;
        try
        {
            await WaitFor(lines, l => l.StartsWith("parascope: watch: watching ", StringComparison.Ordinal), process);

            // The tree's one source gone for a moment (a checkout under way): no sources, an input error.
            File.Move(source, source + ".away");
            var said = await WaitFor(lines, l => l.EndsWith("(still watching)", StringComparison.Ordinal), process);
            File.Move(source + ".away", source);
            var summary = await WaitFor(lines, l => l.Contains("scanned again", StringComparison.Ordinal), process);

            Assert.StartsWith("parascope: ", said, StringComparison.Ordinal);
            Assert.False(process.HasExited);
            // Compared with the last scan that ended well: nothing new, nothing gone.
            Assert.Matches(@"^parascope: watch: cpu\.c and 1 more changed; scanned again in \d+\.\d\d s( \(\d+ units? parsed\))?: \d+ findings, 0 new, 0 gone, 0 moved$", summary);
        }
        finally
        {
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
        Assert.True(process.WaitForExit(30_000), "the watch did not stop after Ctrl-C");
        await standardOutput;
        Assert.Equal(130, process.ExitCode);
    }

    [Fact]
    public void A_watch_with_fail_on_is_refused_with_one_line_and_exit_2()
    {
        var (exit, _, error) = CliRunner.Run("scan", SampleTreeTests.SampleRoot(), "--watch", "--fail-on", "error");

        Assert.Equal(2, exit);
        Assert.Equal("parascope: --watch scans until interrupted and exits 130; --fail-on needs a scan that ends (leave one of them out)", error.Trim());
    }

    [Fact]
    public void A_watch_of_a_missing_tree_is_refused_with_one_line_and_exit_2()
    {
        using var tree = new TempTree();
        var missing = Path.Combine(tree.Root, "no-such-tree");

        var (exit, _, error) = CliRunner.Run("scan", missing, "--watch");

        Assert.Equal(2, exit);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith($"parascope: {missing}", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// `parascope scan ROOT --watch --quiet ARGUMENTS` as a program of its own (through `env --default-signal`: a test host
    /// started in the background inherits SIGINT ignored), its standard error collected line by line as it comes.
    /// </summary>
    private static (Process Process, List<string> Lines, Task<string> StandardOutput) StartWatch(string root, params string[] arguments)
    {
        var start = CliProcess.Redirected("env", ["--default-signal=INT,TERM", Path.Combine(AppContext.BaseDirectory, "parascope"), "scan", root, "--watch", "--quiet", .. arguments]);
        var process = Process.Start(start)!;
        var lines = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        };
        process.BeginErrorReadLine();
        return (process, lines, process.StandardOutput.ReadToEndAsync());
    }

    private static List<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    /// <summary>The first line of standard error that MATCHES, waiting for it (a minute at most, or until the process ends).</summary>
    private static async Task<string> WaitFor(List<string> lines, Func<string, bool> matches, Process process)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (Snapshot(lines).FirstOrDefault(matches) is { } line)
            {
                return line;
            }
            if (process.HasExited)
            {
                break;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("no such line on standard error; it said: " + string.Join('\n', Snapshot(lines)));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
