using System.Diagnostics;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Reports;
using Parascope.Workers;

namespace Parascope.Tests.Workers;

/// <summary>scan --isolate: units parsed by worker processes (the CLI built beside the tests), everything else in the scan's process.</summary>
public sealed class IsolatedScanTests
{
    private static readonly WorkerCommand Cli = new("dotnet", [Path.Combine(AppContext.BaseDirectory, "parascope.dll")]);

    /// <summary>A stand-in worker: the shell script SCRIPT (the pool appends `worker`, which becomes $0).</summary>
    private static WorkerCommand Shell(string script) => new("/bin/sh", ["-c", script]);

    /// <summary>The empty message a worker sends when it is ready, in printf's octal.</summary>
    private const string Ready = @"\000\000\000\000";

    [Fact]
    public void An_isolated_scan_reports_byte_for_byte_what_the_scan_in_one_process_reports()
    {
        using var cache = new TempTree();
        var request = new ScanRequest { Root = SampleTreeTests.SampleRoot(), Jobs = 3, IncludeUnits = true, CacheDirectory = cache.Root };

        AssertSameReports(ScanPipeline.Run(request), Isolated(request, Cli));
    }

    /// <summary>
    /// Twelve units reach the same header bodies (each must be walked by the first unit in discovery order, whichever
    /// worker reads it), an assembly file, a driver class and a unit of another configuration: two workers give the
    /// one-process report, and the scan's own statistics (one discovery, every unit parsed once, the result cache written).
    /// </summary>
    [Fact]
    public void Two_workers_report_a_tree_of_shared_header_bodies_as_one_process_does()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/proc_reg.h", """
            #ifndef _I386_PROC_REG_H_
            #define _I386_PROC_REG_H_
            static inline void set_cr3_raw(unsigned long value)
            {
            	__asm__ volatile("mov %0, %%cr3" : : "r" (value));
            }
            static inline void halt_cpu(void)
            {
            	__asm__ volatile("hlt");
            }
            #define disable_interrupts() __asm__ volatile("cli")
            #endif
            """);
        for (var i = 0; i < 12; i++)
        {
            tree.Write($"osfmk/i386/unit{i:00}.c", $$"""
                #include "proc_reg.h"
                void switch_space{{i}}(unsigned long space)
                {
                	disable_interrupts();
                	set_cr3_raw(space);
                #if DEBUG
                	halt_cpu();
                #endif
                }
                """);
        }
        tree.Write("osfmk/i386/locore.s", "\t.globl _idle\n_idle:\n\tsti\n\thlt\n\tret\n");
        using var cache = new TempTree();
        using var results = new TempTree();
        var request = new ScanRequest { Root = tree.Root, Jobs = 2, IncludeUnits = true, CacheDirectory = cache.Root };

        var alone = ScanPipeline.Run(request);
        var isolated = Isolated(request with { ResultCache = results.Root }, Cli);

        AssertSameReports(alone, isolated);
        Assert.Equal(alone.Statistics!.Units, isolated.Statistics!.Units);
        // The twelve C units and locore.s (assembly units are cached too: libclang preprocesses them).
        Assert.Equal(13, isolated.Statistics.Cache!.Misses);
        var reread = ScanPipeline.Run(request with { ResultCache = results.Root, ReuseWholeScan = false });
        Assert.Equal(13, reread.Statistics!.Cache!.Hits);
        AssertSameReports(alone, reread);
    }

    /// <summary>
    /// A unit parsed again in another configuration: a second parse stage, with collectors of its own, which one worker
    /// (one job) reads after the first stage's units: the one-process report, the configuration's sites included.
    /// </summary>
    [Fact]
    public void One_worker_reads_the_units_of_every_configuration_as_one_process_does()
    {
        using var tree = Detectors.ConfigurationSiteTests.DevelopmentTree();
        using var cache = new TempTree();
        var request = new ScanRequest { Root = tree.Root, Jobs = 1, IncludeUnits = true, CacheDirectory = cache.Root };

        var isolated = Isolated(request, Cli);

        AssertSameReports(ScanPipeline.Run(request), isolated);
        Assert.Contains(isolated.Result!.Findings, f => f.Configurations.Contains("DEVELOPMENT") && !f.Active);
    }

    /// <summary>
    /// clang's Sema overflows its stack on a 300,000-term sum (clang-22 -fsyntax-only dies with SIGSEGV too); libclang's
    /// crash recovery does not catch it and the process ends. Isolated, the worker dies, the unit is reported failed,
    /// a new worker reads the rest.
    /// </summary>
    [Fact]
    public void A_unit_that_takes_its_worker_down_costs_that_unit_only()
    {
        using var cache = new TempTree();
        using var tree = new TempTree();
        tree.Write("osfmk/i386/deep.c", "int deep_sum = " + string.Join('+', Enumerable.Repeat("1", 300_000)) + ";\n");
        for (var i = 0; i < 4; i++)
        {
            tree.Write($"osfmk/i386/halt{i}.c", $"void halt{i}(void)\n{{\n\t__asm__ volatile(\"hlt\");\n}}\n");
        }

        var outcome = Isolated(new ScanRequest { Root = tree.Root, Jobs = 2, IncludeUnits = true, CacheDirectory = cache.Root }, Cli);

        var result = outcome.Result ?? throw new Xunit.Sdk.XunitException($"no result: {outcome.Error}");
        var failed = Assert.Single(result.Health.Units, u => u.Status == UnitStatus.Failed);
        Assert.Equal("osfmk/i386/deep.c", failed.File);
        Assert.StartsWith($"{ParseWorkerPool.CrashReason} (exit code 139, SIGSEGV)", failed.FirstError, StringComparison.Ordinal);
        Assert.Equal(4, result.Findings.Count(f => f.RuleId == "x86.hlt" && f.Active));
        Assert.Contains("1 units crashed the parser and were reported failed (e.g. osfmk/i386/deep.c x86_64); the scan went on without them",
            result.Warnings);
        Assert.Empty(IsolatedScan.RunningWorkerIds());
    }

    [Fact]
    public void A_worker_killed_during_the_scan_costs_the_unit_it_was_given_and_is_started_again()
    {
        using var cache = new TempTree();
        using var tree = new TempTree();
        for (var i = 0; i < 4; i++)
        {
            tree.Write($"osfmk/i386/halt{i}.c", $"void halt{i}(void)\n{{\n\t__asm__ volatile(\"hlt\");\n}}\n");
        }
        var killed = new List<int>();
        var request = new ScanRequest
        {
            Root = tree.Root,
            Jobs = 1,
            IncludeUnits = true,
            CacheDirectory = cache.Root,
            // One job: the first unit is answered, its worker waits for the second when it is killed.
            Progress = (done, _) =>
            {
                if (done == 1)
                {
                    killed.AddRange(IsolatedScan.RunningWorkerIds());
                    foreach (var id in killed)
                    {
                        using var worker = Process.GetProcessById(id);
                        worker.Kill();
                        worker.WaitForExit();
                    }
                }
            },
        };

        var result = Isolated(request, Cli).Result!;

        Assert.Single(killed);
        var failed = Assert.Single(result.Health.Units, u => u.Status == UnitStatus.Failed);
        Assert.Equal("osfmk/i386/halt1.c", failed.File);
        Assert.StartsWith($"{ParseWorkerPool.CrashReason} (exit code 137, SIGKILL)", failed.FirstError, StringComparison.Ordinal);
        Assert.Equal(3, result.Findings.Count(f => f.RuleId == "x86.hlt" && f.Active));
    }

    [Fact]
    public void A_worker_past_the_unit_timeout_is_killed_and_its_unit_reported_timed_out()
    {
        using var cache = new TempTree();
        using var tree = new TempTree();
        tree.Write("osfmk/i386/a.s", "\thlt\n");
        tree.Write("osfmk/i386/b.s", "\tcli\n");
        // Ready, then silent: every unit it is given runs past the timeout.
        var silent = Shell($"printf '{Ready}'; cat >/dev/null");
        var clock = Stopwatch.StartNew();

        var result = Isolated(new ScanRequest
        {
            Root = tree.Root,
            Jobs = 1,
            IncludeUnits = true,
            CacheDirectory = cache.Root,
            UnitTimeout = TimeSpan.FromMilliseconds(300),
        }, silent).Result!;

        Assert.All(result.Health.Units, u => Assert.StartsWith(UnitParser.TimeoutReason, u.FirstError));
        Assert.Equal(2, result.Health.Units.Length);
        Assert.Contains(result.Warnings, w => w.StartsWith("2 units abandoned after --unit-timeout 0.3 s", StringComparison.Ordinal));
        Assert.Empty(IsolatedScan.RunningWorkerIds());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(@"\010\000\000\000notframe", "cat >/dev/null", "the parse worker's answer for this unit was damaged (not a facts frame)")]
    [InlineData("garbage!", "cat >/dev/null", "the parse worker's answer for this unit was damaged (a message of 1651663207 bytes)")]
    [InlineData(@"\003\000\000\000ab", "exec cat >/dev/null", "the parser died reading this unit")]
    public void A_worker_that_answers_garbage_costs_that_unit_not_the_scan(string answer, string then, string reason)
    {
        using var cache = new TempTree();
        using var tree = new TempTree();
        tree.Write("osfmk/i386/a.s", "\thlt\n");
        tree.Write("osfmk/i386/b.s", "\tcli\n");
        // Ready, the answer, then silence (the shell keeps its output open) or the end of its output (exec: a short
        // answer then ends inside its message).
        var liar = Shell($"printf '{Ready}{answer}'; {then}");

        var result = Isolated(new ScanRequest { Root = tree.Root, Jobs = 1, IncludeUnits = true, CacheDirectory = cache.Root }, liar).Result!;

        Assert.Equal(2, result.Health.Units.Length);
        Assert.All(result.Health.Units, u =>
        {
            Assert.Equal(UnitStatus.Failed, u.Status);
            Assert.StartsWith(reason, u.FirstError, StringComparison.Ordinal);
        });
        Assert.Empty(result.Findings.Where(f => f.Active));
    }

    [Fact]
    public void An_input_error_is_the_scans_one_line_error()
    {
        using var cache = new TempTree();
        using var tree = new TempTree();
        tree.Write("notes.txt", "no sources here\n");

        var outcome = Isolated(new ScanRequest { Root = tree.Root, Jobs = 2, CacheDirectory = cache.Root }, Cli);

        Assert.Null(outcome.Result);
        Assert.Equal($"{tree.Root}: no C, C++ or assembly sources under this folder", outcome.Error!.Message);
    }

    /// <summary>The scan REQUEST asks for, its units parsed by workers started with COMMAND (scan --isolate).</summary>
    private static ScanOutcome Isolated(ScanRequest request, WorkerCommand command) => ScanPipeline.Run(request with { ParseWorkers = command });

    private static void AssertSameReports(ScanOutcome expected, ScanOutcome actual)
    {
        var (one, other) = (expected.Result ?? throw new Xunit.Sdk.XunitException($"no result: {expected.Error}"),
            actual.Result ?? throw new Xunit.Sdk.XunitException($"no result: {actual.Error}"));
        Assert.Equal(ReportWriter.ToText(one, ReportFormat.Json), ReportWriter.ToText(other, ReportFormat.Json));
        Assert.Equal(ReportWriter.ToText(one, ReportFormat.Sarif), ReportWriter.ToText(other, ReportFormat.Sarif));
    }
}
