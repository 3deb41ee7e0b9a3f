using System.Text;
using Parascope.Model;
using Parascope.Reports;

using Parascope.Workers;

namespace Parascope.Tests.Workers;

/// <summary>scan --isolate: the scan in worker processes (the CLI built beside the tests), merged as shards are.</summary>
public sealed class IsolatedScanTests
{
    private static readonly WorkerCommand Cli = new("dotnet", [Path.Combine(AppContext.BaseDirectory, "parascope.dll")]);

    [Fact]
    public void An_isolated_scan_reports_byte_for_byte_what_the_scan_in_one_process_reports()
    {
        using var cache = new TempTree();
        var request = new ScanRequest { Root = SampleTreeTests.SampleRoot(), Jobs = 3, IncludeUnits = true, CacheDirectory = cache.Root };

        var whole = ScanPipeline.Run(request).Result!;
        var isolated = IsolatedScan.Run(request, Cli).Result!;

        Assert.Equal(ReportWriter.ToText(whole, ReportFormat.Json), ReportWriter.ToText(isolated, ReportFormat.Json));
        Assert.Equal(ReportWriter.ToText(whole, ReportFormat.Sarif), ReportWriter.ToText(isolated, ReportFormat.Sarif));
    }

    /// <summary>
    /// clang's Sema overflows its stack on a 300,000-term sum (clang-22 -fsyntax-only dies with SIGSEGV too); libclang's
    /// crash recovery does not catch it and the process ends. Isolated, the worker dies, is started again without
    /// that unit, and the scan reports it failed and everything else.
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

        var outcome = IsolatedScan.Run(new ScanRequest { Root = tree.Root, Jobs = 2, IncludeUnits = true, CacheDirectory = cache.Root }, Cli);

        var result = outcome.Result ?? throw new Xunit.Sdk.XunitException($"no result: {outcome.Error}");
        var failed = Assert.Single(result.Health.Units, u => u.Status == UnitStatus.Failed);
        Assert.Equal("osfmk/i386/deep.c", failed.File);
        Assert.Contains("the parse worker died reading this unit", failed.FirstError, StringComparison.Ordinal);
        Assert.Equal(4, result.Findings.Count(f => f.RuleId == "x86.hlt" && f.Active));
        Assert.Contains(result.Warnings, w => w.StartsWith("1 units took their parse worker down", StringComparison.Ordinal));
    }

    [Fact]
    public void An_input_error_in_the_workers_is_the_scans_one_line_error()
    {
        using var cache = new TempTree();
        using var tree = new TempTree();
        tree.Write("notes.txt", "no sources here\n");

        var outcome = IsolatedScan.Run(new ScanRequest { Root = tree.Root, Jobs = 2, CacheDirectory = cache.Root }, Cli);

        Assert.Null(outcome.Result);
        Assert.Equal($"{tree.Root}: no C, C++ or assembly sources under this folder", outcome.Error!.Message);
    }
}
