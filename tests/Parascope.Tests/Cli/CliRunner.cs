using Parascope.Cli;

namespace Parascope.Tests.Cli;

/// <summary>Runs the CLI in-process with captured standard output and error.</summary>
public static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = CommandLine.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
