using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;

namespace Parascope.Workers;

/// <summary>How a supervised scan ended: the exit code to end with, and a line of the supervisor's own to print, if any.</summary>
public sealed record SupervisedExit(int ExitCode, string? Error);

/// <summary>
/// The default scan: this process (the supervisor) runs the scan as one child process, the same program with the same
/// arguments and <see cref="ParseJournal.Option"/> naming a folder of the temporary folder, and exits with its exit code;
/// the child's standard streams are this process's own. A unit can crash libclang where its crash recovery does not
/// help (clang's Sema overflows its stack on a 300,000-term sum: SIGSEGV), which ends the scan's process. When the
/// child dies so (SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE), its journal names the units it was reading: one is the
/// culprit, reported failed in the next run and not parsed; several are suspects, which the next run reads first, one
/// at a time, so that the next crash names one. The result cache keeps what the crashed runs parsed. Costs one more
/// process start and two journal lines a unit; the report is the one `--isolate` gives.
/// </summary>
public static class ScanSupervisor
{
    /// <summary>Crashes after which the supervisor gives up (each names a unit, or narrows the suspects to read alone).</summary>
    public const int MaxCrashes = 10;

    /// <summary>How often a signal passed on to a scan that has not stopped is passed on again (ms).</summary>
    private const int ResendAfterMs = 200;

    private static readonly object Gate = new();
    private static bool _supervising;
    private static Process? _child;
    private static string? _folder;
    private static int? _signal;
    private static bool _ended;

    /// <summary>
    /// A signal that reached this process before it supervised anything: the process is exiting (Environment.Exit runs
    /// beside the main thread for a while), so no supervision may start, or its temporary folder would outlive it.
    /// </summary>
    private static int? _exitingOn;

    /// <summary>The variable that hands the scan the supervisor's whole-scan miss (<see cref="ScanRequest.WholeScanMissed"/>).</summary>
    public const string WholeScanMissedVariable = "PARASCOPE_WHOLE_SCAN_MISSED";

    /// <summary>The runtime's variable that chooses the server garbage collector for the scan's process.</summary>
    public const string ServerCollectorVariable = "DOTNET_gcServer";

    /// <summary>
    /// Runs PROGRAM with ARGUMENTS (the scan's own) supervised, to its end. MISSED: the whole-scan look-up this process
    /// made and found no reuse for (<see cref="ScanPipeline.TryReuse"/>), handed to the scan so that it does not make it again.
    /// FEWUNITS: that look-up found only a few sources changed (<see cref="WholeScanLookup.FewSourcesChanged"/>), so the scan
    /// takes almost every unit's facts from the result cache and parses a few: its process runs the server collector.
    /// HANDOVER: what the first scan started is handed in its folder besides its journal (the look-up's listing of the
    /// tree: <see cref="WholeScanLookup.HandOver"/>).
    /// </summary>
    /// <remarks>
    /// Such a re-scan decodes every other unit's facts, and they live to its end, so each young-generation collection
    /// copies what it finds into the older generations: ~0.45 s of pauses in a 2.7 s re-scan of xnu-11417 after a `.c`
    /// edit, on one core while the other waits. The server collector does that work on every core (docs/speed.md,
    /// session 28). A scan that parses many units keeps the workstation collector and its conserve-memory setting: the
    /// server collector's heaps cost memory, and a cold scan's peak is what issue 18 bounds. A collector the user chose in
    /// the environment is left alone.
    /// </remarks>
    public static SupervisedExit Run(WorkerCommand program, IReadOnlyList<string> arguments, string? missed = null, bool fewUnits = false,
        Action<string>? handOver = null)
    {
        var verdicts = new SupervisorVerdicts();
        var crashes = 0;
        lock (Gate)
        {
            (_supervising, _ended, _signal, _folder) = (true, false, null, null);
        }
        try
        {
            while (true)
            {
                Process child;
                lock (Gate)
                {
                    if (_signal is { } early)
                    {
                        return new SupervisedExit(128 + early, Stopped(early));
                    }
                    if (_exitingOn is { } exiting)
                    {
                        return new SupervisedExit(128 + exiting, null); // the signal's handler says so and exits
                    }
                    if (_folder is null)
                    {
                        if (JournalFolder() is not { } made)
                        {
                            return new SupervisedExit(2, $"no folder for the scan's journal can be made in {Path.GetTempPath().TrimEnd('/')} " +
                                                         "(TMPDIR); set TMPDIR to a writable folder, or scan with --no-supervise");
                        }
                        _folder = made;
                        handOver?.Invoke(made);
                    }
                    File.WriteAllBytes(Path.Combine(_folder, ParseJournal.VerdictsFileName), JsonSerializer.SerializeToUtf8Bytes(verdicts));
                    // A scan that dies before it opens its journal must not be judged by the last one's.
                    File.Delete(Path.Combine(_folder, ParseJournal.JournalFileName));
                    child = Start(program, arguments, _folder, missed, fewUnits);
                    _child = child;
                }
                while (!child.WaitForExit(ResendAfterMs))
                {
                    // A signal passed on while the scan was still starting can be lost: between its runtime's setting up
                    // signal handling and its own handler's registration a SIGTERM does nothing (.NET 10 no longer ends
                    // a process on it by default), and the scan would run on to its end. Passed on again until it stops.
                    lock (Gate)
                    {
                        if (_signal is { } again && !child.HasExited)
                        {
                            _ = ParseJournal.Kill(child.Id, again);
                        }
                    }
                }
                var exit = child.ExitCode;
                int? signal;
                lock (Gate)
                {
                    _child = null;
                    signal = _signal;
                    _ended = signal is null && !IsCrash(exit);
                }
                child.Dispose();
                if (signal is { } stop)
                {
                    // The scan stopped (or died of the signal in its first milliseconds, before it could catch it), or it
                    // had finished, its report written, when the signal came.
                    return exit < 128 ? new SupervisedExit(exit, null) : new SupervisedExit(128 + stop, Stopped(stop));
                }
                if (exit is 128 + 2 or 128 + ParseJournal.SigTerm)
                {
                    // Signalled alone (the terminal's Ctrl-C reaches both processes, and then this one stopped it).
                    return new SupervisedExit(exit, Stopped(exit - 128));
                }
                if (exit == 128 + 9)
                {
                    return new SupervisedExit(exit, "the scan was killed (exit code 137, SIGKILL), by the system's out-of-memory killer or by hand; " +
                                                    "no report written. A kill is not a parser crash and no unit is blamed for it: scan again " +
                                                    "(with fewer --jobs if memory ran out)");
                }
                if (!IsCrash(exit))
                {
                    return new SupervisedExit(exit, null);
                }
                crashes++;
                var (unfinished, done) = ParseJournal.Read(ReadJournal(_folder!));
                var how = $"exit code {exit}{ParseWorkerPool.SignalName(exit)}";
                if (unfinished.IsEmpty)
                {
                    return new SupervisedExit(exit, $"the scan crashed ({how}) outside the parse of any unit; no report written");
                }
                if (crashes >= MaxCrashes)
                {
                    return new SupervisedExit(exit, $"the parser crashed {crashes} times ({how}, the last time reading {Describe(unfinished[0])}); " +
                                                    "giving up, no report written (--no-supervise runs the scan in one process, --isolate in workers)");
                }
                verdicts = Judge(verdicts, unfinished, done, exit);
            }
        }
        finally
        {
            lock (Gate)
            {
                if (_folder is { } folder)
                {
                    Remove(folder);
                }
                (_supervising, _folder) = (false, null);
            }
        }
    }

    /// <summary>
    /// The verdicts after a crash with EXIT while UNFINISHED were being read: one unit is the culprit (the suspects it
    /// was read among that were read and done are innocent); several are the suspects of the next run.
    /// </summary>
    internal static SupervisorVerdicts Judge(SupervisorVerdicts verdicts, ImmutableArray<string> unfinished, ImmutableHashSet<string> done, int exit) =>
        unfinished.Length == 1
            ? verdicts with
            {
                Crashed = verdicts.Crashed.SetItem(unfinished[0], exit),
                Suspects = verdicts.Suspects.Except(done).Remove(unfinished[0]),
            }
            : verdicts with { Suspects = [.. unfinished] };

    /// <summary>
    /// SIGNAL (SIGINT or SIGTERM) reached this process: when it supervises a scan, the scan is sent the same signal and
    /// stops (its report abandoned, its temporary files removed; it says nothing), no scan is started after it, and
    /// <see cref="Run"/> returns the line to print, once: true. False when this process supervises nothing (and then
    /// starts no supervision: the caller exits).
    /// </summary>
    public static bool Forward(int signal)
    {
        lock (Gate)
        {
            if (_ended)
            {
                // The scan ended and wrote its report: this process is about to exit with its code.
                return true;
            }
            if (!_supervising)
            {
                _exitingOn ??= signal;
                return false;
            }
            _signal ??= signal;
            if (_child is { HasExited: false } child)
            {
                _ = ParseJournal.Kill(child.Id, signal);
            }
            return true;
        }
    }

    /// <summary>
    /// Forgets that a supervised scan ended and any signal <see cref="Forward"/> took while nothing was supervised: a
    /// test's process goes on after both, where a real one exits.
    /// </summary>
    internal static void Reset()
    {
        lock (Gate)
        {
            (_ended, _exitingOn) = (false, null);
        }
    }

    /// <summary>A new folder of the temporary folder for the journal, or null when none can be made there.</summary>
    private static string? JournalFolder()
    {
        try
        {
            return Directory.CreateTempSubdirectory("parascope-scan-").FullName;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static void Remove(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string Stopped(int signal) => signal == ParseJournal.SigTerm ? "terminated; no report written" : "interrupted; no report written";

    /// <summary>Exit codes of a process killed by a signal that a fault raises (128 + SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV).</summary>
    internal static bool IsCrash(int exit) => exit is 128 + 4 or 128 + 6 or 128 + 7 or 128 + 8 or 128 + 11;

    private static string ReadJournal(string folder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, ParseJournal.JournalFileName));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>A journal key in words: `path (arch)`, with its configuration when it has one.</summary>
    private static string Describe(string key)
    {
        var parts = key.Split('\t');
        return parts.Length < 3 ? key : $"{parts[0]} ({string.Join(", ", parts.Skip(1).Where(p => p.Length > 0))})";
    }

    /// <summary>The scan: PROGRAM with ARGUMENTS and the journal's option after the command's name (or last).</summary>
    private static Process Start(WorkerCommand program, IReadOnlyList<string> arguments, string folder, string? missed, bool fewUnits)
    {
        var start = new ProcessStartInfo(program.FileName)
        {
            UseShellExecute = false,
            // No diagnostics socket in the temporary folder: a scan that crashes could not remove it.
            Environment =
            {
                ["DOTNET_EnableDiagnostics"] = "0",
                [ParseJournal.SupervisorVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        if (missed is not null)
        {
            start.Environment[WholeScanMissedVariable] = missed;
        }
        if (fewUnits && !start.Environment.ContainsKey(ServerCollectorVariable) && !start.Environment.ContainsKey("COMPlus_gcServer"))
        {
            start.Environment[ServerCollectorVariable] = "1";
        }
        foreach (var argument in program.LeadingArguments)
        {
            start.ArgumentList.Add(argument);
        }
        var at = arguments.Count > 0 && arguments[0] == "scan" ? 1 : arguments.Count;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (i == at)
            {
                start.ArgumentList.Add(ParseJournal.Option);
                start.ArgumentList.Add(folder);
            }
            start.ArgumentList.Add(arguments[i]);
        }
        if (at >= arguments.Count)
        {
            start.ArgumentList.Add(ParseJournal.Option);
            start.ArgumentList.Add(folder);
        }
        return Process.Start(start) ?? throw new InvalidOperationException($"{program.FileName} did not start");
    }
}
