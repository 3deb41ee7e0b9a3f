using System.Diagnostics;
using Parascope.Tests.Reports;

namespace Parascope.Tests.Cli;

/// <summary>
/// The CLI packs as a .NET tool and installs from a local folder. Needs `dotnet` and the NuGet cache (or network) for
/// the restore; set PARASCOPE_SKIP_TOOL_PACK=1 where an offline restore is impossible (the test then passes vacuously).
/// </summary>
[Trait("Category", "ToolPack")]
public sealed class ToolPackTests
{
    private static (int Exit, string Output) Dotnet(string workingDirectory, IDictionary<string, string>? environment, params string[] arguments)
    {
        var start = CliProcess.Redirected("dotnet", arguments, environment?.AsReadOnly());
        start.WorkingDirectory = workingDirectory;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), $"dotnet {string.Join(' ', arguments)} did not finish in 5 minutes");
        return (process.ExitCode, output + error.Result);
    }

    [Fact]
    public void The_cli_packs_as_a_tool_that_installs_into_a_tool_path_and_prints_its_version()
    {
        if (Environment.GetEnvironmentVariable("PARASCOPE_SKIP_TOOL_PACK") == "1")
        {
            return;
        }
        using var work = new TempTree();
        var packages = Path.Combine(work.Root, "packages");
        var tools = Path.Combine(work.Root, "tools");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // --no-build: the test run has just built the CLI; pack what it built.
        var (packExit, packOutput) = Dotnet(ReportTrees.RepositoryRoot, null,
            "pack", Path.Combine("src", "Parascope.Cli"), "--no-build", "-c", configuration, "-o", packages);
        Assert.True(packExit == 0, packOutput);
        Assert.Single(Directory.GetFiles(packages, "parascope.*.nupkg"));

        // A fresh package cache, so that the tool installed is the one just packed and not an older cached copy.
        var (installExit, installOutput) = Dotnet(work.Root, new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work.Root, "nuget") },
            "tool", "install", "parascope", "--tool-path", tools, "--add-source", packages);
        Assert.True(installExit == 0, installOutput);

        var start = new ProcessStartInfo(Path.Combine(tools, "parascope"), "--version") { RedirectStandardOutput = true, UseShellExecute = false };
        using var tool = Process.Start(start)!;
        var version = tool.StandardOutput.ReadToEnd().Trim();
        Assert.True(tool.WaitForExit(60_000));
        Assert.Equal(0, tool.ExitCode);
        Assert.Equal(ScanPipeline.ToolVersion, version);

        if (Parascope.Clang.LibclangLoader.RuntimeIdentifier() == "linux-x64")
        {
            // The runtime package's libclang travels inside the tool, so an installed tool parses with libclang 22.
            Assert.NotEmpty(Directory.GetFiles(tools, "libclang.so", SearchOption.AllDirectories));
        }
    }
}
