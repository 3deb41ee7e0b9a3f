namespace Parascope.Tests.Cli;

/// <summary>
/// A file named on the command line that is a FIFO (or a device, a socket) is an input error before any work: its open
/// would block until a writer came, so the scan waited forever on `--baseline FIFO`. Run with a time limit, so a
/// regression fails here instead of hanging the suite.
/// </summary>
public class InputFileKindTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    public static TheoryData<string> Inputs => ["--baseline", "--ignore-file", "--compile-commands", "merge", "diff", "compare", "rules/widget.yaml", "rules/hooks.yaml"];

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task A_fifo_given_as_an_input_is_a_one_line_input_error_never_opened(string input)
    {
        using var tree = new TempTree();
        tree.Write("osfmk/i386/idle_mini.c", "void idle_mini(void) { __asm__ volatile (\"hlt\"); }\n");
        using var outputs = new TempTree();
        var fifo = Path.Combine(outputs.Root, input.StartsWith("rules/", StringComparison.Ordinal) ? input : "input.fifo");
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        Assert.True(Fifos.Make(fifo), "mkfifo");
        var report = Path.Combine(outputs.Root, "report.json");
        string[] args = input switch
        {
            "merge" or "compare" => [input, fifo, fifo, "-o", report],
            "diff" => [input, fifo, fifo],
            _ when input.StartsWith("rules/", StringComparison.Ordinal) => ["scan", tree.Root, "--no-cache", "--rules", Path.GetDirectoryName(fifo)!, "-o", report],
            _ => ["scan", tree.Root, "--no-cache", input, fifo, "-o", report],
        };
        var run = Task.Run(() => CliRunner.Run(args));
        Assert.True(await Task.WhenAny(run, Task.Delay(Limit)) == run, $"parascope {string.Join(' ', args)} still running after {Limit.TotalSeconds} s");
        var (exit, _, error) = await run;
        Assert.Equal(2, exit);
        Assert.Contains($"{fifo}: a FIFO (named pipe)", error, StringComparison.Ordinal);
        Assert.False(File.Exists(report), "no report written");
        if (input == "diff" || input == "merge" || input == "compare")
        {
            // One line, as every input error.
            Assert.Single(error.TrimEnd('\n').Split('\n'));
        }
    }
}
