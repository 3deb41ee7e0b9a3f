using System.CommandLine;

using Parascope.Workers;

namespace Parascope.Cli.Commands;

/// <summary>`parascope worker REQUEST`: one shard of a `scan --isolate`, started by the scan itself (hidden).</summary>
public static class WorkerCommandLine
{
    public static Command Create()
    {
        var request = new Argument<string>("request") { Description = "The request file the scan wrote." };
        var command = new Command("worker", "Scan one shard for `scan --isolate` (started by the scan).") { request };
        command.Hidden = true;
        command.SetAction(parse => IsolatedScan.RunWorker(parse.GetValue(request)!));
        return command;
    }
}
