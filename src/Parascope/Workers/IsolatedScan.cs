using System.Collections.Immutable;
using System.Diagnostics;
using Parascope.Detectors;
using Parascope.Facts;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Rules;

namespace Parascope.Workers;

/// <summary>How to start this program as a parse worker: the executable and the arguments before `worker`.</summary>
public sealed record WorkerCommand(string FileName, ImmutableArray<string> LeadingArguments)
{
    /// <summary>The running program itself (its apphost, or `dotnet` with the entry assembly).</summary>
    public static WorkerCommand OfThisProcess()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? new WorkerCommand(process, [System.Reflection.Assembly.GetEntryAssembly()!.Location])
            : new WorkerCommand(process, []);
    }
}

/// <summary>
/// scan --isolate: the scan as <see cref="ScanPipeline"/> runs it, with every unit parsed in a worker process
/// (<see cref="ParseWorkerPool"/>); and the worker's side, `parascope worker`, which parses the units it is sent.
/// </summary>
public static class IsolatedScan
{
    private static readonly object Gate = new();
    private static readonly HashSet<Process> Running = [];
    private static volatile bool _stopping;

    /// <summary>The scan REQUEST asks for, its units parsed by workers started with COMMAND.</summary>
    public static ScanOutcome Run(ScanRequest request, WorkerCommand command) => ScanPipeline.Run(request with { ParseWorkers = command });

    /// <summary>
    /// `parascope worker`: the setup, then unit after unit, read from standard input; each unit's facts written to
    /// standard output as they are parsed. Ends at the end of its input (exit 0), or 2 when libclang or the rules do not load.
    /// </summary>
    public static int RunWorker()
    {
        var requests = Console.OpenStandardInput();
        var answers = Console.OpenStandardOutput();
        // The pipe carries frames only: anything written to the console goes to standard error.
        Console.SetOut(Console.Error);
        var exit = 0;
        // A unit's own stack size, as in the scan's process: the walk recurses as deep as the code nests.
        var thread = new Thread(() => exit = Serve(requests, answers), UnitParser.UnitStackSize) { Name = "parascope worker" };
        thread.Start();
        thread.Join();
        return exit;
    }

    internal static int Serve(Stream requests, Stream answers)
    {
        if (WorkerMessages.Read(requests) is not { } setupBytes || WorkerMessages.Decode<WorkerSetup>(setupBytes) is not { } setup)
        {
            return 0;
        }
        if (Libclang.Load() is { } clangError)
        {
            Console.Error.WriteLine($"parascope: {clangError.Message}");
            return 2;
        }
        var rules = RuleLoader.LoadWith(setup.RulesDirectory);
        if (rules.Error is { } ruleError)
        {
            Console.Error.WriteLine($"parascope: {ruleError.Message}");
            return 2;
        }
        var detectors = DetectorRegistry.All(new RuleSet(rules.Rules));
        ImmutableArray<ICollectorSource> sources = setup.CallGraph ? [.. detectors, new CallGraphSource()] : [.. detectors];
        var texts = new SourceTexts();
        var reach = new FunctionReach();
        using var parser = new UnitParser(sources, reach, setup.Overlays);
        WorkerMessages.Write(answers, []);
        while (WorkerMessages.Read(requests) is { } bytes)
        {
            var request = WorkerMessages.Decode<UnitRequest>(bytes) ?? throw new InvalidDataException("an empty unit request");
            reach.Learn(request.Reach, request.Settle);
            var parsed = parser.Parse(new UnitScope { Unit = request.Unit, Root = setup.Root, Texts = texts, Rank = request.Rank });
            var frame = UnitFactsCodec.Encode(parsed, ScanPipeline.UnitKey(request.Unit), [])
                        ?? throw new InvalidOperationException($"{request.Unit.RelativePath}: facts the codec does not know");
            WorkerMessages.Write(answers, frame);
        }
        return 0;
    }

    /// <summary>A worker process started with COMMAND, its standard streams piped to this one; ended by <see cref="StopWorkers"/> too.</summary>
    internal static Process Start(WorkerCommand command)
    {
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // No diagnostics IPC socket or debugger pipe in the temporary folder: a worker killed by an interrupt
            // could not remove them.
            Environment = { ["DOTNET_EnableDiagnostics"] = "0" },
        };
        foreach (var argument in command.LeadingArguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.ArgumentList.Add("worker");
        var process = new Process { StartInfo = start };
        // libclang's crash report goes to standard error; drained so that a long one never blocks the worker.
        process.ErrorDataReceived += (_, _) => { };
        lock (Gate)
        {
            WaitIfStopping();
            process.Start();
            Running.Add(process);
        }
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The process ids of the workers running now (tests kill one).</summary>
    internal static List<int> RunningWorkerIds()
    {
        lock (Gate)
        {
            return [.. Running.Select(p => p.Id)];
        }
    }

    internal static void Forget(Process process)
    {
        lock (Gate)
        {
            Running.Remove(process);
        }
    }

    /// <summary>Once an interrupt stopped the workers the process is ending: a worker's death is not a unit's crash to report.</summary>
    internal static void WaitIfStopping()
    {
        if (_stopping)
        {
            Thread.Sleep(Timeout.Infinite);
        }
    }

    /// <summary>Kills every worker still running (an interrupted scan leaves no process behind).</summary>
    public static void StopWorkers()
    {
        _stopping = true;
        lock (Gate)
        {
            foreach (var process in Running)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
                catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }
        }
    }
}
