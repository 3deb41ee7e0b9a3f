using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Parascope.Facts;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Workers;

/// <summary>
/// scan --isolate: units are parsed in worker processes (`parascope worker`), one per job, each taking one unit at a
/// time over a pipe and answering with that unit's facts as a <see cref="UnitFactsCodec"/> frame. The scan feeds the
/// answer to the same path a unit parsed in this process takes (its lexical scans restored as a cached unit's are, its
/// header reach marked, the result cache written), so the report is the in-process scan's byte for byte. Some inputs
/// crash libclang where its crash recovery cannot help (a stack overflow in Sema on a 300,000-term expression kills the
/// process with SIGSEGV): a worker that dies costs the unit it was given, reported failed and not retried, and the
/// next unit starts a new worker. A worker past --unit-timeout is killed: the unit is reported as a timed-out unit is.
/// The workers live as long as the scan: each parse stage (the scan's units, then each configuration's) is a
/// <see cref="Stage"/> of its own, and a worker is told a stage's setup with the first unit of it it reads.
/// </summary>
public sealed class ParseWorkerPool(WorkerCommand command) : IDisposable
{
    /// <summary>
    /// The first words of the error of a unit whose parser's process died reading it: a worker's (--isolate) or the
    /// supervised scan's (<see cref="ScanSupervisor"/>); the same words either way, so that both give the same report.
    /// </summary>
    public const string CrashReason = "the parser died reading this unit";

    /// <summary>The first words of the error of a unit whose worker answered with bytes that are not its facts.</summary>
    public const string DamagedReason = "the parse worker's answer for this unit was damaged";

    private readonly WorkerCommand _command = command;
    private readonly ConcurrentBag<ParseWorker> _idle = [];

    /// <summary>A parse stage read by the pool's workers: SOURCES' collectors run in them, REACH is the stage's.</summary>
    public IUnitReader Stage(ImmutableArray<ICollectorSource> sources, FunctionReach reach, string root, string? rulesDirectory,
        ImmutableSortedDictionary<string, string> overlays) => new WorkerStage(this, sources, reach, root, rulesDirectory, overlays);

    public void Dispose()
    {
        while (_idle.TryTake(out var worker))
        {
            worker.Finish();
        }
    }

    /// <summary>One parse stage: the units of one ParseAll, with their collectors and their header reach.</summary>
    private sealed class WorkerStage : IUnitReader
    {
        private readonly ParseWorkerPool _pool;
        private readonly ImmutableArray<ICollectorSource> _sources;
        private readonly FunctionReach _reach;
        private readonly WorkerSetup _setup;
        // What the scan knows of header bodies' first reachers, in the order it learnt it; each worker is sent the part it lacks.
        private readonly object _gate = new();
        private List<FirstReach> _log;
        private int _epoch;

        public WorkerStage(ParseWorkerPool pool, ImmutableArray<ICollectorSource> sources, FunctionReach reach, string root,
            string? rulesDirectory, ImmutableSortedDictionary<string, string> overlays)
        {
            _pool = pool;
            _sources = sources;
            _reach = reach;
            _setup = new WorkerSetup
            {
                Root = root,
                RulesDirectory = rulesDirectory,
                CallGraph = sources.Any(s => s is CallGraphSource),
                Overlays = overlays,
            };
            _log = reach.Entries();
            _epoch = reach.Settlements;
        }

        public ParsedUnit Parse(UnitScope scope, TimeSpan timeout)
        {
            var worker = _pool._idle.TryTake(out var idle) ? idle : ParseWorker.Start(_pool._command);
            Answer answer;
            try
            {
                answer = worker.Ask(WorkerMessages.Encode(RequestFor(worker, scope)), timeout);
            }
            catch
            {
                worker.Kill();
                throw;
            }
            if (answer.Timeout)
            {
                worker.Kill();
                return UnitParser.TimedOut(scope.Unit, timeout);
            }
            if (answer.Exit is { } exit)
            {
                return Crashed(scope.Unit, exit);
            }
            if (answer.Frame is not { } frame || !UnitFactsCodec.IsIntact(frame))
            {
                // Bytes that are not a frame: nothing after them on the pipe can be trusted either.
                worker.Kill();
                return Damaged(scope.Unit, answer.Damage ?? "not a facts frame");
            }
            // Back to work before its answer is decoded: the worker reads its next unit meanwhile.
            _pool._idle.Add(worker);
            if (UnitFactsCodec.Decode(frame) is not { } record || record.Key != WorkerMessages.KeyOf(scope.Unit)
                || record.ToParsedUnit(scope.Unit) is not { } parsed)
            {
                return Damaged(scope.Unit, "not the facts of this unit");
            }
            foreach (var source in _sources)
            {
                source.Restore(parsed, scope);
            }
            var first = _reach.Reach(parsed, scope.Rank);
            lock (_gate)
            {
                if (_epoch == _reach.Settlements)
                {
                    _log.AddRange(first);
                }
            }
            return parsed;
        }

        private static ParsedUnit Damaged(SourceUnit unit, string why) =>
            UnitParser.Failed(unit, $"{DamagedReason} ({why}); the scan went on without it (--isolate)");

        /// <summary>
        /// SCOPE's unit, with this stage's setup when WORKER last read another stage, and what WORKER has not yet been told
        /// of the reach (all of it, settled, once the scan's reach settled).
        /// </summary>
        private UnitRequest RequestFor(ParseWorker worker, UnitScope scope)
        {
            lock (_gate)
            {
                if (_epoch != _reach.Settlements)
                {
                    _epoch = _reach.Settlements;
                    _log = _reach.Entries();
                }
                var setup = worker.Stage != this;
                if (setup)
                {
                    (worker.Stage, worker.Epoch, worker.Sent) = (this, 0, 0);
                }
                var settle = worker.Epoch != _epoch;
                var from = settle ? 0 : worker.Sent;
                worker.Epoch = _epoch;
                worker.Sent = _log.Count;
                return new UnitRequest
                {
                    Setup = setup ? _setup : null,
                    Unit = scope.Unit,
                    Rank = scope.Rank,
                    Settle = settle,
                    Reach = [.. _log.Skip(from)],
                };
            }
        }

        /// <summary>The workers go back to the pool, for the next stage.</summary>
        public void Dispose()
        {
        }
    }

    /// <summary>UNIT failed: its parser's process died with EXIT reading it.</summary>
    public static ParsedUnit Crashed(SourceUnit unit, int exit) =>
        UnitParser.Failed(unit, $"{CrashReason} (exit code {exit}{SignalName(exit)}); the scan went on without it");

    internal static string SignalName(int exit) => exit switch
    {
        132 => ", SIGILL",
        134 => ", SIGABRT",
        135 => ", SIGBUS",
        136 => ", SIGFPE",
        137 => ", SIGKILL",
        139 => ", SIGSEGV",
        _ => string.Empty,
    };

    /// <summary>A worker's answer: a frame, or the exit code it died with, or the timeout passed, or bytes that are no message.</summary>
    private readonly record struct Answer(byte[]? Frame, int? Exit, bool Timeout, string? Damage);

    /// <summary>One worker process and the pipe to it.</summary>
    private sealed class ParseWorker
    {
        private readonly Process _process;
        private readonly Stream _requests;
        private readonly Stream _answers;

        /// <summary>The stage the worker was last set up for, the reach settlement its copy reflects, and how much of the stage's log it was sent.</summary>
        public object? Stage { get; set; }
        public int Epoch { get; set; }
        public int Sent { get; set; }

        private ParseWorker(Process process)
        {
            _process = process;
            _requests = process.StandardInput.BaseStream;
            _answers = process.StandardOutput.BaseStream;
        }

        public static ParseWorker Start(WorkerCommand command)
        {
            var worker = new ParseWorker(IsolatedScan.Start(command));
            try
            {
                if (WorkerMessages.Read(worker._answers) is { Length: 0 })
                {
                    return worker;
                }
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException)
            {
            }
            var exit = worker.Finish();
            IsolatedScan.WaitIfStopping();
            throw new InvalidOperationException($"a parse worker did not start (exit code {exit}{SignalName(exit)})");
        }

        public Answer Ask(byte[] request, TimeSpan timeout)
        {
            try
            {
                WorkerMessages.Write(_requests, request);
            }
            catch (IOException)
            {
                return Died();
            }
            var read = Task.Run(() => WorkerMessages.Read(_answers));
            try
            {
                if (!read.Wait(timeout))
                {
                    return new Answer(null, null, true, null);
                }
                return read.Result is { } frame ? new Answer(frame, null, false, null) : Died();
            }
            catch (AggregateException failure) when (failure.InnerException is EndOfStreamException or IOException)
            {
                return Died();
            }
            catch (AggregateException failure) when (failure.InnerException is InvalidDataException damage)
            {
                return new Answer(null, null, false, damage.Message);
            }
        }

        private Answer Died()
        {
            var exit = Finish();
            IsolatedScan.WaitIfStopping();
            return new Answer(null, exit, false, null);
        }

        public void Kill()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            Finish();
        }

        /// <summary>Ends the worker (the end of its requests stops it; one that does not stop is killed) and returns its exit code.</summary>
        public int Finish()
        {
            try
            {
                _requests.Dispose();
            }
            catch (IOException)
            {
            }
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            IsolatedScan.Forget(_process);
            var exit = _process.ExitCode;
            _process.Dispose();
            return exit;
        }
    }
}
