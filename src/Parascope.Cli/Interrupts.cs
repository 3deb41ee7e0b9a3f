using System.Runtime.InteropServices;
using Parascope.Reports;
using Parascope.Workers;

namespace Parascope.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM at any moment: temporary report files are removed, no report is published, one line
/// is printed, and the process exits 130 or 143 (128 + the signal, as a shell reports a killed command). Units still
/// inside libclang cannot be stopped more gently: the process ends with them. A supervisor passes the signal to its
/// scan (see <see cref="ScanSupervisor"/>) and exits with the scan's code.
/// </summary>
internal static class Interrupts
{
    public const int ExitOnSigint = 130;
    public const int ExitOnSigterm = 143;

    /// <summary>Registers both handlers; ERROR is where the one line goes, taken only when a signal comes.</summary>
    public static IDisposable Register(Func<TextWriter> error)
    {
        var registrations = new[]
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, error, "interrupted", ExitOnSigint)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, error, "terminated", ExitOnSigterm)),
        };
        return new Registrations(registrations);
    }

    private static int _stopping;

    /// <summary>Where a `scan --watch` is, for the line a signal prints: none (no watch), waiting for a change, or scanning again.</summary>
    public enum WatchState { None, Waiting, Scanning }

    /// <summary>Set by the watch as it waits and scans (<see cref="Commands.ScanCommand"/>).</summary>
    public static volatile WatchState Watch;

    private static void Stop(PosixSignalContext context, Func<TextWriter> error, string what, int exit)
    {
        context.Cancel = true;
        // Once: Ctrl-C reaches a supervised scan twice, from the terminal and from its supervisor.
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
        {
            return;
        }
        // A supervisor passes the signal on; once its scan has stopped it says so and exits with the scan's code.
        if (ScanSupervisor.Forward(exit - 128))
        {
            return;
        }
        var supervisorSaysIt = ParseJournal.Abandon();
        AtomicFile.Abandon();
        IsolatedScan.StopWorkers();
        if (!supervisorSaysIt)
        {
            var writer = error();
            writer.WriteLine(Watch switch
            {
                // The reports of the scans before are whole (each was written atomically); only the one under way is not.
                WatchState.Waiting => $"parascope: {what}; watch stopped, the reports written stand",
                WatchState.Scanning => $"parascope: {what}; watch stopped during a scan, the reports of the scan before stand",
                _ => $"parascope: {what}; no report written",
            });
            writer.Flush();
        }
        // Units are still inside libclang on other threads, and libclang 14 tearing itself down under them at exit says
        // "libclang: crash detected during parsing: …" on stderr after the one line (three of seven runs of
        // InterruptTests under it): nothing more is this process's to say, so stderr goes nowhere from here. The exit
        // itself stays the runtime's, which removes its diagnostics socket and debugger pipes from the temporary folder.
        Silence(StandardError);
        Environment.Exit(exit);
    }

    private const int StandardError = 2;

    /// <summary>File descriptor DESCRIPTOR pointed at /dev/null (best effort: left as it is when that fails).</summary>
    private static void Silence(int descriptor)
    {
        try
        {
            using var nowhere = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Write);
            Duplicate((int)nowhere.DangerousGetHandle(), descriptor);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            // No /dev/null or no libc: the line may be followed by libclang's; the exit is the same.
        }
    }

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Duplicate(int from, int to);

    private sealed class Registrations(PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
