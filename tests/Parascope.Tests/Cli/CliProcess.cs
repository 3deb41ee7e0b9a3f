using System.Diagnostics;

namespace Parascope.Tests.Cli;

/// <summary>Runs the CLI built beside the tests as a program of its own (what a user starts), to its exit.</summary>
public static class CliProcess
{
    /// <summary>`parascope ARGUMENTS` with ENVIRONMENT added to this process's: its exit code and standard error.</summary>
    public static async Task<(int Exit, string Error)> Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(Redirected(Path.Combine(AppContext.BaseDirectory, "parascope"), arguments, environment))!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await error);
    }

    /// <summary>PROGRAM with ARGUMENTS, ENVIRONMENT added to this process's, its standard output and error to be read.</summary>
    public static ProcessStartInfo Redirected(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return start;
    }
}
