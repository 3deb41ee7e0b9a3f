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
/// scan --isolate (a scan whose request names <c>ParseWorkers</c>): the worker's side, `parascope worker`, which parses
/// the units it is sent, and the processes the scan's <see cref="ParseWorkerPool"/> started, which an interrupt stops.
/// </summary>
public static class IsolatedScan
{
    private static readonly object Gate = new();
    private static readonly HashSet<Process> Running = [];
    private static volatile bool _stopping;

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
        if (Libclang.Load() is { } clangError)
        {
            Console.Error.WriteLine($"parascope: {clangError.Message}");
            return 2;
        }
        WorkerMessages.Write(answers, []);
        var rules = new Dictionary<string, RuleSet>(StringComparer.Ordinal);
        WorkerSession? session = null;
        try
        {
            while (WorkerMessages.Read(requests) is { } bytes)
            {
                var request = WorkerMessages.Decode<UnitRequest>(bytes) ?? throw new InvalidDataException("an empty unit request");
                if (request.Setup is { } setup)
                {
                    session?.Parser.Dispose();
                    session = WorkerSession.Of(setup, rules);
                }
                var stage = session ?? throw new InvalidDataException("a unit request before any setup");
                stage.Reach.Learn(request.Reach, request.Settle);
                var parsed = stage.Parser.Parse(new UnitScope { Unit = request.Unit, Root = stage.Root, Texts = stage.Texts, Rank = request.Rank });
                var frame = UnitFactsCodec.Encode(parsed, WorkerMessages.KeyOf(request.Unit), null, System.IO.Compression.CompressionLevel.NoCompression)
                            ?? throw new InvalidOperationException($"{request.Unit.RelativePath}: facts the codec does not know");
                WorkerMessages.Write(answers, frame);
            }
        }
        finally
        {
            session?.Parser.Dispose();
        }
        return 0;
    }

    /// <summary>A worker's state for one parse stage: as the scan's process holds it for the stage's units.</summary>
    private sealed record WorkerSession(string Root, UnitParser Parser, FunctionReach Reach, SourceTexts Texts)
    {
        /// <summary>The stage SETUP describes; its rules loaded once per folder (RULES keeps them).</summary>
        public static WorkerSession Of(WorkerSetup setup, Dictionary<string, RuleSet> rules)
        {
            if (!rules.TryGetValue(setup.RulesDirectory ?? string.Empty, out var ruleSet))
            {
                var loaded = RuleLoader.LoadWith(setup.RulesDirectory);
                // The scan loaded the same rules before it started any worker: they cannot be wrong here but by a change under it.
                rules[setup.RulesDirectory ?? string.Empty] = ruleSet = new RuleSet(loaded.Error is { } error
                    ? throw new InvalidOperationException(error.Message)
                    : loaded.Rules);
            }
            var detectors = DetectorRegistry.All(ruleSet);
            ImmutableArray<ICollectorSource> sources = setup.CallGraph ? [.. detectors, new CallGraphSource()] : [.. detectors];
            var reach = new FunctionReach();
            return new WorkerSession(setup.Root, new UnitParser(sources, reach, setup.Overlays), reach, new SourceTexts());
        }
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
