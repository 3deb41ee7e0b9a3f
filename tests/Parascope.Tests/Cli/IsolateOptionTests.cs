using System.Diagnostics;
using System.Text.Json;

namespace Parascope.Tests.Cli;

/// <summary>`scan --isolate` through the CLI: the program starts itself as its parse workers (`parascope worker`).</summary>
public sealed class IsolateOptionTests
{
    [Fact]
    public async Task With_isolate_a_unit_that_takes_its_worker_down_is_reported_failed_and_the_scan_exits_0()
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/deep.c", "int deep_sum = " + string.Join('+', Enumerable.Repeat("1", 300_000)) + ";\n");
        tree.Write("osfmk/i386/halt.c", "void halt(void)\n{\n\t__asm__ volatile(\"hlt\");\n}\n");
        using var outputs = new TempTree();
        var report = Path.Combine(outputs.Root, "report.json");
        var (exit, error) = await CliProcess.Run(["scan", tree.Root, "--isolate", "-j", "2", "--units", "--quiet", "--no-cache", "-o", report]);

        Assert.Equal(0, exit);
        Assert.Contains("parascope: warning: 1 units crashed the parser and were reported failed (e.g. osfmk/i386/deep.c x86_64)",
            error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var units = json.RootElement.GetProperty("units").EnumerateArray().ToDictionary(u => u.GetProperty("file").GetString()!, u => u.GetProperty("status").GetString());
        Assert.Equal("failed", units["osfmk/i386/deep.c"]);
        Assert.NotEqual("failed", units["osfmk/i386/halt.c"]);
    }
}
