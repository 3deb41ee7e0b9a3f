using System.CommandLine;

using Parascope.Workers;

namespace Parascope.Cli.Commands;

/// <summary>`parascope worker`: a parse worker of `scan --isolate`, started by the scan itself, talking over its standard streams (hidden).</summary>
public static class WorkerCommandLine
{
    public static Command Create()
    {
        var command = new Command("worker", "Parse the units a `scan --isolate` sends on standard input (started by the scan).");
        command.Hidden = true;
        command.SetAction(_ => IsolatedScan.RunWorker());
        return command;
    }
}
