using Parascope.Cli;

namespace Parascope.Tests.Cli;

public sealed class CliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => Parascope.Tests.Cli.CliRunner.Run(args);

    [Fact]
    public void Help_lists_the_commands_and_examples()
    {
        var (exit, output, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("scan", output);
        Assert.Contains("Examples:", output);
    }

    [Fact]
    public void Version_prints_the_tool_version()
    {
        var (exit, output, error) = Run("--version");
        Assert.True(exit == 0, error + output);
        Assert.StartsWith(ScanPipeline.ToolVersion, output.Trim());
    }

    [Fact]
    public void A_missing_path_is_one_line_on_stderr_and_exit_2()
    {
        var (exit, output, error) = Run("scan", "/no/such/tree/anywhere");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("no such directory", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void A_file_that_is_not_a_tree_is_an_input_error()
    {
        using var tree = new TempTree();
        var file = tree.Write("notes.txt", "hello");
        var (exit, _, error) = Run("scan", file);
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("not a directory", error);
    }

    [Fact]
    public void A_folder_with_no_sources_is_an_input_error_not_an_empty_report()
    {
        // Issue 19: an empty folder used to scan to 0 units with exit 0 and no word.
        using var tree = new TempTree();
        tree.Write("README", "not a kernel\n");
        var (exit, output, error) = Run("scan", tree.Root, "--format", "json");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("no C, C++ or assembly sources under this folder", error);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void An_unknown_kernel_configuration_is_a_usage_error()
    {
        var (exit, output, error) = Run("scan", ".", "--configurations", "DEVELOPMENT,PROFILE");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("--configurations DEVELOPMENT,PROFILE: expected 'none' or a comma-separated list of RELEASE, DEVELOPMENT, DEBUG, KASAN", error);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void An_empty_board_list_is_a_usage_error()
    {
        var (exit, output, error) = Run("scan", ".", "--boards", ",");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Equal("parascope: --boards ,: expected 'none' or a comma-separated list of boards (e.g. T6000,T6041)", error.TrimEnd());
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public void A_board_the_tree_does_not_know_is_one_line_naming_the_known_ones()
    {
        using var tree = Parascope.Tests.Detectors.BoardSiteTests.BoardTree();
        var (exit, _, error) = Run("scan", tree.Root, "--arch", "arm64", "--no-cache", "--boards", "T6000");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("--boards T6000: T6000 is not a board of", error);
        Assert.Contains("(known: W1000, W2000, WVIRT)", error);
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error()
    {
        var (exit, _, error) = Run("scan", ".", "--no-such-option");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("scan", "--jobs")]
    [InlineData("graph", "--jobs")]
    [InlineData("graph", "--depth")]
    public void A_number_option_given_a_word_is_one_line_naming_the_option_and_the_word(string command, string option)
    {
        using var tree = new TempTree();
        tree.Write("a.c", "int x;\n");
        var (exit, _, error) = Run(command, tree.Root, option, "abc");
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.StartsWith($"parascope: {option}: 'abc' is not a number", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Rules_validate_of_a_missing_folder_names_it_without_a_line_number()
    {
        using var tree = new TempTree();
        var missing = Path.Combine(tree.Root, "no-rules");
        var (exit, _, error) = Run("rules", "validate", missing);
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Equal($"{missing}: no such rules directory", error.TrimEnd());
    }

    [Fact]
    public void Rules_validate_names_the_file_and_line_of_a_broken_rule()
    {
        using var tree = new TempTree();
        tree.Write("bad.yaml", "rules:\n  - id: x\n    category: nonsense\n");
        var (exit, _, error) = Run("rules", "validate", tree.Root);
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("bad.yaml:", error);
    }

    [Fact]
    public void The_report_goes_to_the_output_file_and_not_to_stdout()
    {
        using var tree = new TempTree();
        tree.Write("src/a.c", "int a;\n");
        using var outputs = new TempTree();
        var report = Path.Combine(outputs.Root, "report.json");
        var (exit, output, _) = Run("scan", tree.Root, "--output", report);
        Assert.Equal(0, exit);
        Assert.Equal("", output);
        Assert.Contains("\"schemaVersion\": 1", File.ReadAllText(report));
        Assert.Empty(Directory.GetFiles(outputs.Root, "*.tmp"));
    }
}
