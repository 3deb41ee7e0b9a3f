using System.Text.Json;
using Parascope.Workers;

namespace Parascope.Tests.Workers;

/// <summary>
/// The supervisor's decisions, with a shell script standing in for the scan: it is given the scan's arguments with the
/// journal's option (`$2`) and folder (`$3`) after `scan`, writes the journal a crashed scan would leave, and dies.
/// </summary>
public sealed class ScanSupervisorTests
{
    [Fact]
    public void Two_units_unfinished_become_suspects_then_the_one_unfinished_alone_is_the_culprit_and_the_third_run_ends()
    {
        using var log = new TempTree();
        var scan = Scan(log.Root, """
            case $n in
            0) printf 'S "a"\nS "b"\n' > "$3/journal"; kill -SEGV $$;;
            1) printf 'S "a"\nD "a"\nS "b"\n' > "$3/journal"; kill -SEGV $$;;
            esac
            exit 1
            """);

        var ended = ScanSupervisor.Run(scan, ["scan", "tree"]);

        Assert.Equal(new SupervisedExit(1, null), ended);
        Assert.Equal(3, Runs(log.Root));
        Assert.Equal(["a", "b"], Verdicts(log.Root, 1).Suspects.Order());
        var third = Verdicts(log.Root, 2);
        Assert.Equal(139, Assert.Single(third.Crashed, c => c.Key == "b").Value);
        Assert.Empty(third.Suspects);
        Assert.False(Directory.Exists(File.ReadAllText(Path.Combine(log.Root, "folder")).Trim()), "the journal's folder is left behind");
    }

    [Fact]
    public void Crashes_are_bounded_and_then_the_supervisor_gives_up_with_one_line()
    {
        using var log = new TempTree();
        var scan = Scan(log.Root, """printf 'S "osfmk/i386/deep.c\\tx86_64\\t"\n' > "$3/journal"; kill -SEGV $$""");

        var ended = ScanSupervisor.Run(scan, ["scan", "tree"]);

        Assert.Equal(139, ended.ExitCode);
        Assert.Equal($"the parser crashed {ScanSupervisor.MaxCrashes} times (exit code 139, SIGSEGV, the last time reading osfmk/i386/deep.c (x86_64)); " +
                     "giving up, no report written (--no-supervise runs the scan in one process, --isolate in workers)", ended.Error);
        Assert.Equal(ScanSupervisor.MaxCrashes, Runs(log.Root));
    }

    [Fact]
    public void A_signal_before_supervision_starts_no_scan_and_makes_no_folder_for_the_exiting_process_to_leave()
    {
        using var log = new TempTree();
        // The signal's handler goes on to Environment.Exit, which runs beside the main thread for a while: a supervision
        // started meanwhile would make a journal folder that nothing removes.
        ScanSupervisor.Reset();
        Assert.False(ScanSupervisor.Forward(ParseJournal.SigTerm));
        try
        {
            var ended = ScanSupervisor.Run(Scan(log.Root, "exit 0"), ["scan", "tree"]);

            Assert.Equal(new SupervisedExit(128 + ParseJournal.SigTerm, null), ended);
            Assert.False(File.Exists(Path.Combine(log.Root, "runs")), "a scan was started by a process that is exiting");
        }
        finally
        {
            ScanSupervisor.Reset();
        }
    }

    [Fact]
    public void A_crash_outside_any_units_parse_is_not_blamed_on_a_unit_nor_run_again()
    {
        using var log = new TempTree();

        var ended = ScanSupervisor.Run(Scan(log.Root, """printf 'S "a"\nD "a"\n' > "$3/journal"; kill -SEGV $$"""), ["scan", "tree"]);

        Assert.Equal(new SupervisedExit(139, "the scan crashed (exit code 139, SIGSEGV) outside the parse of any unit; no report written"), ended);
        Assert.Equal(1, Runs(log.Root));
    }

    [Fact]
    public void A_scan_that_dies_before_it_writes_its_journal_is_not_judged_by_the_last_runs_journal()
    {
        using var log = new TempTree();
        var scan = Scan(log.Root, """
            if [ $n = 0 ]; then printf 'S "a"\n' > "$3/journal"; fi
            kill -SEGV $$
            """);

        var ended = ScanSupervisor.Run(scan, ["scan", "tree"]);

        Assert.Equal(new SupervisedExit(139, "the scan crashed (exit code 139, SIGSEGV) outside the parse of any unit; no report written"), ended);
        Assert.Equal(2, Runs(log.Root));
    }

    [Fact]
    public void A_killed_scan_is_not_a_parser_crash_no_unit_is_blamed_and_it_is_not_run_again()
    {
        using var log = new TempTree();

        var ended = ScanSupervisor.Run(Scan(log.Root, """printf 'S "a"\n' > "$3/journal"; kill -KILL $$"""), ["scan", "tree"]);

        Assert.Equal(137, ended.ExitCode);
        Assert.Contains("out-of-memory killer", ended.Error, StringComparison.Ordinal);
        Assert.Contains("no unit is blamed", ended.Error, StringComparison.Ordinal);
        Assert.Equal(1, Runs(log.Root));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_scans_exit_code_is_the_supervisors(int exit)
    {
        using var log = new TempTree();

        Assert.Equal(new SupervisedExit(exit, null), ScanSupervisor.Run(Scan(log.Root, $"exit {exit}"), ["scan", "tree"]));
    }

    [Theory]
    [InlineData(130, "interrupted; no report written")]
    [InlineData(143, "terminated; no report written")]
    public void A_scan_stopped_by_a_signal_is_said_stopped_by_the_supervisor(int exit, string line)
    {
        using var log = new TempTree();

        Assert.Equal(new SupervisedExit(exit, line), ScanSupervisor.Run(Scan(log.Root, $"exit {exit}"), ["scan", "tree"]));
    }

    [Fact]
    public async Task A_signal_the_starting_scan_misses_is_passed_on_again_until_it_stops()
    {
        using var log = new TempTree();
        // A scan still starting: its first SIGTERM does nothing (as between a .NET runtime's signal set-up and the
        // scan's own handler), the next one stops it as a scan does (exit 143); without one it would finish (exit 0).
        var scan = Scan(log.Root, """
            trap 'echo lost >> "$LOG/signals"; trap "echo stopped >> \"\$LOG/signals\"; exit 143" TERM' TERM
            echo started > "$LOG/started"
            i=0; while [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
            exit 0
            """);
        ScanSupervisor.Reset();
        var supervision = Task.Run(() => ScanSupervisor.Run(scan, ["scan", "tree"]));
        while (!File.Exists(Path.Combine(log.Root, "started")))
        {
            await Task.Delay(20);
        }

        Assert.True(ScanSupervisor.Forward(ParseJournal.SigTerm));
        var ended = await supervision;

        Assert.Equal(new SupervisedExit(143, "terminated; no report written"), ended);
        Assert.Equal(["lost", "stopped"], File.ReadAllLines(Path.Combine(log.Root, "signals")));
    }

    [Fact]
    public void The_journals_option_follows_the_command_and_the_scans_arguments_are_kept()
    {
        using var log = new TempTree();

        ScanSupervisor.Run(Scan(log.Root, """printf '%s|' "$@" > "$LOG/arguments"; echo >> "$LOG/arguments" """), ["scan", "a tree", "-o", "r.json"]);

        var arguments = File.ReadAllText(Path.Combine(log.Root, "arguments")).Trim().Split('|');
        Assert.Equal(["scan", ParseJournal.Option, "a tree", "-o", "r.json", ""], [arguments[0], arguments[1], arguments[3], arguments[4], arguments[5], arguments[6]]);
    }

    [Theory]
    [InlineData(true, "1")]
    [InlineData(false, "")]
    public void A_re_scan_of_a_few_edited_sources_runs_the_server_collector_and_any_other_scan_the_default_one(bool fewUnits, string collector)
    {
        using var log = new TempTree();

        ScanSupervisor.Run(Scan(log.Root, $"""printf '%s' "${ScanSupervisor.ServerCollectorVariable}" > "$LOG/collector" """), ["scan", "tree"], "missed", fewUnits);

        // A collector the user chose in the environment is the scan's whatever the look-up found.
        var chosen = Environment.GetEnvironmentVariable(ScanSupervisor.ServerCollectorVariable);
        Assert.Equal(chosen ?? collector, File.ReadAllText(Path.Combine(log.Root, "collector")));
    }

    /// <summary>
    /// A stand-in scan: BODY run with $n the number of earlier runs and $LOG the folder LOG, after it logged this run,
    /// copied the verdicts it was given (verdicts-N.json) and noted the journal's folder.
    /// </summary>
    private static WorkerCommand Scan(string log, string body) => new("/bin/sh",
    [
        "-c",
        $"""
        LOG='{log}'
        n=$(cat "$LOG/runs" 2>/dev/null | wc -l)
        echo run >> "$LOG/runs"
        cp "$3/{ParseJournal.VerdictsFileName}" "$LOG/verdicts-$n.json"
        echo "$3" > "$LOG/folder"
        {body}
        """,
        "sh",
    ]);

    private static int Runs(string log) => File.ReadAllLines(Path.Combine(log, "runs")).Length;

    private static SupervisorVerdicts Verdicts(string log, int run) =>
        JsonSerializer.Deserialize<SupervisorVerdicts>(File.ReadAllBytes(Path.Combine(log, $"verdicts-{run}.json")))!;
}
