using Parascope.Cli;

namespace Parascope.Tests.Discovery;

public sealed class ExplainTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => Parascope.Tests.Cli.CliRunner.Run(args);

    [Fact]
    public void Explain_finds_the_root_and_prints_the_flags_and_the_first_error()
    {
        using var tree = new TempTree();
        tree.Write("iokit/Kernel/.keep", string.Empty);
        tree.Write("bsd/kern/.keep", string.Empty);
        var file = tree.Write("osfmk/kern/broken.c", "#include <no_such_generated_header.h>\nint broken;\n");

        var (exit, output, _) = Run("explain", file, "--arch", "x86_64");

        Assert.Equal(ExitCodes.Done, exit);
        Assert.Contains("-DMACH_KERNEL_PRIVATE", output);
        Assert.Contains("profile:  xnu", output);
        Assert.Contains("fatal", output);
        Assert.Contains("osfmk/kern/broken.c:1:10: fatal: 'no_such_generated_header.h' file not found", output);
    }

    [Fact]
    public void Explain_of_a_file_outside_any_xnu_tree_asks_for_a_root()
    {
        using var tree = new TempTree();
        var file = tree.Write("lonely.c", "int lonely;\n");
        var (exit, _, error) = Run("explain", file);
        Assert.Equal(ExitCodes.UsageOrInputError, exit);
        Assert.Contains("--root", error);
    }
}
