using System.Diagnostics;

namespace Parascope.Tests.Cli;

public sealed class MissingLibclangTests
{
    [Fact]
    public void Without_a_loadable_libclang_the_scan_says_what_to_install_and_exits_2()
    {
        using var tree = new TempTree();
        tree.Write("a.c", "int a;\n");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "parascope.dll"));
        start.ArgumentList.Add("scan");
        start.ArgumentList.Add(tree.Root);
        start.Environment["PARASCOPE_LIBCLANG"] = Path.Combine(tree.Root, "no-such-libclang.so");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("PARASCOPE_LIBCLANG", line);
    }

    [Fact]
    public void Without_builtin_headers_for_the_loaded_libclang_the_scan_says_so_in_one_line_and_exits_2()
    {
        using var tree = new TempTree();
        tree.Write("a.c", "int a;\n");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "parascope.dll"));
        start.ArgumentList.Add("scan");
        start.ArgumentList.Add(tree.Root);
        start.Environment["PARASCOPE_RESOURCE_DIR"] = Path.Combine(tree.Root, "no-such-resource-dir");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("PARASCOPE_RESOURCE_DIR", line);
    }
}
