using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Reports.Json;
using Parascope.Results;
using Parascope.Rules;

namespace Parascope.Workers;

/// <summary>How to start this program as a parse worker: the executable and the arguments before `worker FILE`.</summary>
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
/// scan --isolate: the scan runs in worker processes, one per job, each scanning one shard (scan --shard K/N) with
/// one job; the shards are merged as `parascope merge` merges them, which gives the unsharded report byte for byte.
/// Some inputs crash libclang where its crash recovery cannot help (a stack overflow in Sema on a 300,000-term
/// expression kills the process with SIGSEGV): a worker that dies is started again on its shard with the unit it
/// was reading (its journal says which) marked failed, so a poisoned unit costs that unit, not the scan.
/// </summary>
public static class IsolatedScan
{
    private static readonly JsonSerializerOptions RequestJson = new() { IncludeFields = true };
    private static readonly object Gate = new();
    private static readonly HashSet<Process> Running = [];
    private static readonly HashSet<string> Folders = [];
    private static volatile bool _stopping;

    public const string StartLine = "start\t";
    public const string DoneLine = "done\t";
    public const string TotalLine = "total\t";

    public static ScanOutcome Run(ScanRequest request, WorkerCommand command)
    {
        var clock = Stopwatch.StartNew();
        var rules = RuleLoader.LoadWith(request.RulesDirectory);
        if (rules.Error is { } ruleError)
        {
            return ScanOutcome.Failure(ruleError);
        }
        var baseline = request.Baseline is null ? default : Baseline.Load(request.Baseline);
        if (baseline.Error is { } baselineError)
        {
            return ScanOutcome.Failure(baselineError);
        }
        var workers = Math.Max(1, request.Jobs);
        var folder = Directory.CreateTempSubdirectory("parascope-workers-").FullName;
        lock (Gate)
        {
            Folders.Add(folder);
        }
        try
        {
            var shards = new WorkerShard[workers];
            using var progress = request.Progress is null && request.ProgressDetail is null
                ? null
                : new Timer(_ => ReportProgress(shards, request, clock.Elapsed), null, 250, 250);
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, k =>
            {
                shards[k] = new WorkerShard(Path.Combine(folder, $"shard-{k + 1}"));
                shards[k].Run(request with { Shard = (k + 1, workers), Jobs = 1, Baseline = null, Timings = false }, command);
            });
            if (shards.Select(s => s.Error).FirstOrDefault(e => e is not null) is { } inputError)
            {
                return ScanOutcome.Failure(inputError);
            }
            var merged = ReportMerge.Merge([.. shards.Select(s => s.Report!)], new RuleSet(rules.Rules), rules.Hooks, PortPhases.BuiltIn(),
                baseline.Value);
            if (merged.Error is { } mergeError)
            {
                throw new InvalidOperationException($"the workers' shards do not merge: {mergeError.Message}");
            }
            var result = merged.Value! with { DurationMs = request.Timings ? clock.ElapsedMilliseconds : 0 };
            var crashed = shards.SelectMany(s => s.Crashed).ToList();
            if (crashed.Count > 0)
            {
                result = result with
                {
                    Warnings = result.Warnings.Add($"{crashed.Count} units took their parse worker down and were reported failed " +
                                                   $"(e.g. {crashed[0].Replace('\t', ' ')}); the scan went on without them"),
                };
            }
            return new ScanOutcome(result, null);
        }
        finally
        {
            lock (Gate)
            {
                Folders.Remove(folder);
            }
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// `parascope worker REQUEST`: one shard's scan, as the request file says, its unit journal appended and
    /// flushed unit by unit, its report written as JSON (or its input error as one line). Exit 0, or 2 for an input error.
    /// </summary>
    public static int RunWorker(string requestFile)
    {
        var job = JsonSerializer.Deserialize<WorkerJob>(File.ReadAllText(requestFile), RequestJson)
                  ?? throw new InvalidOperationException($"{requestFile}: no worker request");
        using var journal = new StreamWriter(job.Journal, append: true) { AutoFlush = true };
        var total = false;
        var outcome = ScanPipeline.Run(job.Request with
        {
            UnitStarting = unit => journal.WriteLine(StartLine + ScanPipeline.UnitKey(unit)),
            Progress = (done, count) =>
            {
                lock (journal)
                {
                    if (!total)
                    {
                        journal.WriteLine(TotalLine + count);
                        total = true;
                    }
                    journal.WriteLine(DoneLine + done);
                }
            },
        });
        if (outcome.Result is not { } result)
        {
            File.WriteAllText(job.Error, outcome.Error!.Message);
            return 2;
        }
        ReportWriter.WriteFile(result, ReportFormat.Json, job.Report);
        return 0;
    }

    /// <summary>Ends every worker still running and removes their files (an interrupted scan leaves nothing behind).</summary>
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
            foreach (var folder in Folders)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static void ReportProgress(WorkerShard[] shards, ScanRequest request, TimeSpan elapsed)
    {
        var (done, total) = (0, 0);
        foreach (var shard in shards)
        {
            if (shard?.Counts() is not { } counts)
            {
                return;
            }
            done += counts.Done;
            total += counts.Total;
        }
        request.Progress?.Invoke(done, total);
        request.ProgressDetail?.Invoke(new ScanProgress(done, total, 0, done / Math.Max(elapsed.TotalSeconds, 0.001), null, 0));
    }

    /// <summary>What a worker is asked to do, and where it writes.</summary>
    private sealed record WorkerJob(ScanRequest Request, string Journal, string Report, string Error);

    /// <summary>One shard's worker, started again as often as a unit takes it down.</summary>
    private sealed class WorkerShard(string prefix)
    {
        private string Journal => prefix + ".journal";

        public ScanResult? Report { get; private set; }
        public InputError? Error { get; private set; }
        public List<string> Crashed { get; } = [];

        public void Run(ScanRequest request, WorkerCommand command)
        {
            var crashed = request.CrashedUnits;
            for (var attempt = 1; ; attempt++)
            {
                File.WriteAllText(Journal, string.Empty);
                var job = new WorkerJob(request with { CrashedUnits = crashed }, Journal, prefix + ".json", prefix + ".error");
                var requestFile = $"{prefix}.request-{attempt}.json";
                File.WriteAllText(requestFile, JsonSerializer.Serialize(job, RequestJson));
                var (exit, stderr) = Start(command, requestFile);
                if (_stopping)
                {
                    // The process is ending (an interrupt stopped the workers): report nothing, not a crash.
                    Thread.Sleep(Timeout.Infinite);
                }
                if (exit == 0)
                {
                    var read = JsonReportReader.Read(job.Report);
                    Report = read.Value ?? throw new InvalidOperationException($"worker {request.Shard}: {read.Error!.Message}");
                    return;
                }
                if (exit == 2 && File.Exists(job.Error))
                {
                    Error = new InputError(File.ReadAllText(job.Error));
                    return;
                }
                var unit = UnitInProgress();
                if (unit is null || crashed.ContainsKey(unit))
                {
                    throw new InvalidOperationException(
                        $"a parse worker ended with exit code {exit} outside any unit: {stderr.Trim().Split('\n').LastOrDefault()}");
                }
                Crashed.Add(unit);
                crashed = crashed.Add(unit, $"the parse worker died reading this unit (exit code {exit}{SignalName(exit)}); " +
                                            "the scan went on without it (--isolate)");
            }
        }

        /// <summary>Done and total units so far; null before the worker has counted its units.</summary>
        public (int Done, int Total)? Counts()
        {
            try
            {
                var lines = File.ReadAllLines(Journal);
                var total = lines.FirstOrDefault(l => l.StartsWith(TotalLine, StringComparison.Ordinal));
                var done = lines.LastOrDefault(l => l.StartsWith(DoneLine, StringComparison.Ordinal));
                return total is null ? null : (done is null ? 0 : int.Parse(done[DoneLine.Length..]), int.Parse(total[TotalLine.Length..]));
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>The unit a journal names last, when it was started and not finished (one job: units in turn).</summary>
        private string? UnitInProgress()
        {
            var last = File.ReadAllLines(Journal).LastOrDefault(l => l.Length > 0);
            return last is not null && last.StartsWith(StartLine, StringComparison.Ordinal) ? last[StartLine.Length..] : null;
        }
    }

    private static (int Exit, string Stderr) Start(WorkerCommand command, string requestFile)
    {
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
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
        start.ArgumentList.Add(requestFile);
        using var process = new Process { StartInfo = start };
        lock (Gate)
        {
            process.Start();
            Running.Add(process);
        }
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        process.WaitForExit();
        lock (Gate)
        {
            Running.Remove(process);
        }
        return (process.ExitCode, stderr.Result);
    }

    private static string SignalName(int exit) => exit switch
    {
        134 => ", SIGABRT",
        135 => ", SIGBUS",
        137 => ", SIGKILL",
        139 => ", SIGSEGV",
        _ => string.Empty,
    };
}
