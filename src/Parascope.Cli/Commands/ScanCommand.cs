using System.CommandLine;
using Parascope.Files;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Results;
using Parascope.Workers;

namespace Parascope.Cli.Commands;

public static class ScanCommand
{
    /// <summary>The scan command; PROGRAMARGUMENTS: the program's own arguments, to start the scan with under supervision.</summary>
    public static Command Create(TextWriter output, TextWriter error, IReadOnlyList<string>? programArguments = null)
    {
        var tree = new TreeOptions();
        var (path, arches, jobs, compileCommands, profile, quiet) = (tree.Path, tree.Arches, tree.Jobs, tree.CompileCommands, tree.Profile, tree.Quiet);
        var target = new Option<string>("--target")
        {
            Description = "Xen guest mode to plan for.",
            DefaultValueFactory = _ => "xen-pv",
        };
        target.AcceptOnlyFromAmong("xen-pv", "xen-pvh", "xen-hvm");
        var format = new Option<string?>("--format")
        {
            Description = "Report format: text, json, sarif, markdown or html (default: text, or each --output file's extension).",
        };
        format.AcceptOnlyFromAmong("text", "json", "sarif", "markdown", "html");
        var outputFiles = new Option<string[]>("--output", "-o")
        {
            Description = "Write the report to this file (atomically) instead of standard output; repeat for several, the format taken from " +
                          "each extension (.json .sarif .html .md .txt).",
            AllowMultipleArgumentsPerToken = false,
        };
        var rulesDirectory = new Option<string?>("--rules") { Description = "Add the rules in this folder to the built-in ones." };
        var activeOnly = new Option<bool>("--active-only") { Description = "Hide findings in preprocessor branches this configuration does not compile." };
        var units = new Option<bool>("--units") { Description = "List every unit with its parse status in the JSON report." };
        var failOn = new Option<string?>("--fail-on")
        {
            Description = "Exit 1 when a finding at or above this level remains (with --baseline: a new one): error, warning or note.",
        };
        failOn.AcceptOnlyFromAmong("error", "warning", "note");
        var baseline = new Option<string?>("--baseline") { Description = "Compare with this earlier JSON report: mark findings new or unchanged, count fixed ones." };
        var ignoreFile = new Option<string?>("--ignore-file")
        {
            Description = $"Suppress findings listed in this file (default: {Suppressions.DefaultFileName} at the scanned root, when present).",
        };
        var shard = new Option<string?>("--shard") { Description = "Scan only shard K of N (K/N, e.g. 2/4); combine the reports with 'parascope merge'." };
        var configurations = new Option<string?>("--configurations")
        {
            Description = "Other kernel configurations to parse units again in where their #if lines depend on them, comma-separated " +
                          "(DEVELOPMENT,DEBUG,KASAN), or 'none' (default: every one the tree defines). Findings list them in configurations[].",
        };
        var boards = new Option<string?>("--boards")
        {
            Description = "Other arm64 boards (machine configurations, e.g. T6000,T6041) to parse units again for where their #if lines test a " +
                          "macro the board changes (XNU_MONITOR, CONFIG_SPTM…), or 'none' (default: the tree's first PPL and first SPTM board). " +
                          "Findings list them in platforms[].",
        };
        var timings = new Option<bool>("--timings") { Description = "Report the real wall time in scan.durationMs (otherwise 0, so that reports are reproducible)." };
        var isolate = new Option<bool>("--isolate")
        {
            Description = "Parse in worker processes (one per job), so that a unit that crashes libclang costs that unit, not the scan.",
        };

        var noSupervise = new Option<bool>("--no-supervise")
        {
            Description = "Scan in this one process: a unit that crashes libclang ends the scan (by default the scan runs in a child process " +
                          "that is started again without that unit).",
        };
        var watch = new Option<bool>("--watch")
        {
            Description = "After the scan, keep watching the tree and scan it again in this process each time files change (once they " +
                          "have been quiet for 2 s), writing the reports again and saying what changed; Ctrl-C stops.",
        };
        var parseJournal = new Option<string?>(ParseJournal.Option) { Hidden = true };

        var scan = new Command("scan", "Scan a kernel source tree and report what a Xen port must change.")
        {
            path, arches, target, format, outputFiles, jobs, compileCommands, rulesDirectory, profile, activeOnly, units,
            failOn, baseline, ignoreFile, shard, quiet, timings, tree.UnitTimeout, tree.Cache, tree.NoCache, isolate, configurations, tree.MachineConfig,
            boards, noSupervise, watch, parseJournal,
        };
        scan.SetAction(parse =>
        {
            if (parse.GetValue(jobs) < 1)
            {
                error.WriteLine("parascope: --jobs must be at least 1");
                return ExitCodes.UsageOrInputError;
            }
            if (tree.UnitTimeoutOf(parse) is not { } unitTimeout)
            {
                error.WriteLine("parascope: --unit-timeout must be 0 (no limit) or more seconds");
                return ExitCodes.UsageOrInputError;
            }
            var formatName = parse.GetValue(format);
            ReportFormat? namedFormat = formatName is not null && ReportFormats.TryParse(formatName, out var named) ? named : null;
            var outputs = ReportOutputs.Check(parse.GetValue(outputFiles) ?? [], namedFormat, hasFormatOption: true);
            if (outputs.Error is { } outputError)
            {
                return ExitCodes.InputError(error, outputError);
            }
            (int, int)? shardRange = null;
            if (parse.GetValue(shard) is { } shardText)
            {
                var parts = shardText.Split('/');
                if (parts.Length != 2 || !int.TryParse(parts[0], out var k) || !int.TryParse(parts[1], out var n) || n < 1 || k < 1 || k > n)
                {
                    error.WriteLine($"parascope: --shard {shardText}: expected K/N with 1 <= K <= N, e.g. 2/4");
                    return ExitCodes.UsageOrInputError;
                }
                shardRange = (k, n);
            }
            System.Collections.Immutable.ImmutableArray<string>? chosenConfigurations = null;
            if (parse.GetValue(configurations) is { } configurationText)
            {
                if (NamesOrNone(configurationText) is not { } names || names.Any(n => !KernelConfigurations.Names.Contains(n)))
                {
                    error.WriteLine($"parascope: --configurations {configurationText}: expected 'none' or a comma-separated list of {string.Join(", ", KernelConfigurations.Names)}");
                    return ExitCodes.UsageOrInputError;
                }
                chosenConfigurations = names;
            }
            System.Collections.Immutable.ImmutableArray<string>? chosenBoards = null;
            if (parse.GetValue(boards) is { } boardText)
            {
                if (NamesOrNone(boardText) is not { } names)
                {
                    error.WriteLine($"parascope: --boards {boardText}: expected 'none' or a comma-separated list of boards (e.g. T6000,T6041)");
                    return ExitCodes.UsageOrInputError;
                }
                chosenBoards = names;
            }
            ModelNames.TryParseTarget(parse.GetValue(target)!, out var xenTarget);
            Severity? threshold = parse.GetValue(failOn) is { } level && ModelNames.TryParseSeverity(level, out var severity) ? severity : null;
            var watching = parse.GetValue(watch);
            if (watching && threshold is not null)
            {
                error.WriteLine("parascope: --watch scans until interrupted and exits 130; --fail-on needs a scan that ends (leave one of them out)");
                return ExitCodes.UsageOrInputError;
            }

            var request = new ScanRequest
            {
                Root = parse.GetValue(path)!,
                Arches = [.. tree.ArchesOf(parse)],
                Target = xenTarget,
                Profile = parse.GetValue(profile),
                MachineConfig = parse.GetValue(tree.MachineConfig),
                CompileCommands = parse.GetValue(compileCommands),
                RulesDirectory = parse.GetValue(rulesDirectory),
                Jobs = parse.GetValue(jobs),
                UnitTimeout = unitTimeout,
                ActiveOnly = parse.GetValue(activeOnly),
                IncludeUnits = parse.GetValue(units),
                Shard = shardRange,
                Timings = parse.GetValue(timings),
                IgnoreFile = parse.GetValue(ignoreFile),
                Baseline = parse.GetValue(baseline),
                Configurations = chosenConfigurations,
                Boards = chosenBoards,
                CacheDirectory = tree.CacheOf(parse),
                ResultCache = tree.ResultCacheOf(parse),
                // Set by a supervisor (this scan is its child) that just made the whole-scan look-up itself.
                WholeScanMissed = parse.GetValue(parseJournal) is null ? null : Environment.GetEnvironmentVariable(ScanSupervisor.WholeScanMissedVariable),
                HandedTreeFolder = parse.GetValue(parseJournal),
                // A watch's scans take back the stores the scan before read, decoded, while their files are unchanged.
                DecodedStores = watching ? new Caching.DecodedStores() : null,
            };
            // An unchanged tree with a kept result is answered here, parsing nothing: no child to supervise.
            // A watch scans again in its own process, so that each scan finds the code compiled and the runtime warm.
            var supervise = programArguments is not null && !parse.GetValue(isolate) && !parse.GetValue(noSupervise) && !watching && parse.GetValue(parseJournal) is null;
            var lookup = supervise ? ScanPipeline.TryReuse(request) : null;
            var outcome = lookup?.Outcome;
            if (lookup is { Outcome: null })
            {
                var supervised = ScanSupervisor.Run(WorkerCommand.OfThisProcess(), programArguments!, lookup.Missed, lookup.FewSourcesChanged, lookup.HandOver);
                if (supervised.Error is { } line)
                {
                    error.WriteLine($"parascope: {line}");
                }
                return supervised.ExitCode;
            }
            // Started before the first scan, so that what changes while it runs is scanned again after it.
            var treeWatch = watching
                ? TreeWatch.Start(request.Root, outputs.Value.SelectMany(o => new[] { o.Path, AtomicFile.TemporaryOf(o.Path) }), request.CacheDirectory)
                : default;
            if (treeWatch.Error is { } watchError)
            {
                return ExitCodes.InputError(error, watchError);
            }
            using var changes = treeWatch.Value;
            // A watch's first scan goes through its units (from the cache) even when the tree is the one scanned last: its
            // first re-scan then finds the code run once and the stores read (ScanRequest.TakesWholeScan).
            outcome ??= Scanned(request with { TakesWholeScan = !watching }, parse.GetValue(isolate), parse.GetValue(parseJournal), parse.GetValue(quiet), error);
            if (outcome.Result is not { } result)
            {
                return ExitCodes.InputError(error, outcome.Error!);
            }
            var colour = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected
                         && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
            // Warnings are in every report's data; a person at a console sees them too, without opening the report (a
            // watch says again only those its scan before did not).
            var reportMs = 0L;
            void Report(ScanOutcome scanned, ScanResult? before)
            {
                var reportClock = System.Diagnostics.Stopwatch.StartNew();
                foreach (var warning in scanned.Result!.Warnings.Where(w => before is null || !before.Warnings.Contains(w)))
                {
                    error.WriteLine($"parascope: warning: {warning}");
                }
                ReportOutputs.Write(scanned.Result, outputs.Value, output, namedFormat ?? ReportFormat.Text, colour);
                reportMs = reportClock.ElapsedMilliseconds;
            }
            // Once the cache's writes are done (a watch's scan reports before: ScanOutcome.Finished), the timings say
            // what the scan kept; a watch then reads the stores it left, meanwhile it waits.
            ScanOutcome Settled(ScanOutcome scanned)
            {
                var finished = scanned.Finished();
                if (parse.GetValue(timings) && finished.Statistics is { } statistics)
                {
                    error.WriteLine(Timings.Line(statistics, reportMs));
                    if (!statistics.Memory.IsEmpty)
                    {
                        PhaseMemory[] phases = [.. statistics.Memory, PhaseMemory.Now("report")];
                        error.WriteLine(Timings.MemoryLine(phases));
                        error.WriteLine(Timings.CollectorLine(phases));
                    }
                }
                if (changes is not null)
                {
                    ScanPipeline.ReadStoresAhead(finished, request);
                }
                return finished;
            }
            Report(outcome, null);
            if (changes is not null)
            {
                return Watch(changes, outcome, () => Scanned(request, parse.GetValue(isolate), null, parse.GetValue(quiet), error), Report,
                    scanned => Settled(scanned), error);
            }
            Settled(outcome);
            return FailOn.Fails(result, threshold) ? ExitCodes.FindingsAtOrAboveFailOn : ExitCodes.Done;
        });
        return scan;
    }

    /// <summary>
    /// `--watch`: after the scan FIRST, each change CHANGES reports (once the tree has been quiet for the racy window, so
    /// that what the scan keeps in the cache is kept from a settled tree) is scanned again by SCAN in this process, its
    /// reports written by REPORT and what changed said on stderr; an input error (a tree in the middle of a checkout)
    /// is said and the watch goes on. Only a signal ends it (<see cref="Interrupts"/>: exit 130 or 143). After each scan's
    /// reports and what changed are said, SETTLE waits for the scan's cache writes and reads the stores it left in the
    /// cache (the watch is waiting then: a signal ends it).
    /// </summary>
    private static int Watch(TreeWatch changes, ScanOutcome first, Func<ScanOutcome> scan, Action<ScanOutcome, ScanResult?> report,
        Action<ScanOutcome> settle, TextWriter error)
    {
        var before = first.Result!;
        settle(first);
        error.WriteLine($"parascope: watch: watching {before.Root} for changes (Ctrl-C stops)");
        error.Flush();
        while (true)
        {
            Interrupts.Watch = Interrupts.WatchState.Waiting;
            var changed = changes.NextChange(Caching.TreeSnapshot.RacyWindow);
            Interrupts.Watch = Interrupts.WatchState.Scanning;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var outcome = scan();
            if (outcome.Result is not { } result)
            {
                error.WriteLine($"parascope: {outcome.Error!.Message} (still watching)");
                error.Flush();
                continue;
            }
            report(outcome, before);
            foreach (var line in Reports.Text.WatchSummary.Lines(before, result, changed, clock.Elapsed, outcome.Statistics?.Cache?.Misses))
            {
                error.WriteLine(line);
            }
            error.Flush();
            before = result;
            Interrupts.Watch = Interrupts.WatchState.Waiting;
            settle(outcome);
        }
    }

    /// <summary>The scan run in this process, journalled when a supervisor started it, with the progress bar on a terminal.</summary>
    private static ScanOutcome Scanned(ScanRequest request, bool isolate, string? journalFolder, bool quiet, TextWriter error)
    {
        var journal = journalFolder is not null ? ParseJournal.OpenSupervised(journalFolder) : default;
        if (journal.Error is { } journalError)
        {
            return ScanOutcome.Failure(journalError);
        }
        using var journalled = journal.Value;
        using var progress = ProgressBar.For(error, quiet);
        return ScanPipeline.Run(request with
        {
            ParseWorkers = isolate ? WorkerCommand.OfThisProcess() : null,
            Journal = journalled,
            ProgressDetail = progress is null ? null : progress.Report,
        });
    }

    /// <summary>The names of a comma-separated list option (--configurations, --boards): empty for 'none', null when it names nothing.</summary>
    private static System.Collections.Immutable.ImmutableArray<string>? NamesOrNone(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length == 0 ? null : names is ["none"] ? [] : [.. names];
    }
}

/// <summary>
/// A one-line progress bar on stderr, only when stderr is a terminal, not in CI and not --quiet: units done of the
/// total, units per second, units read from the result cache, and the unit being parsed longest right now.
/// </summary>
internal sealed class ProgressBar : IDisposable
{
    private readonly TextWriter _error;
    private readonly object _gate = new();
    private readonly Timer _timer;
    private ScanProgress? _last;
    private long _drawnAt;
    private bool _drawn;

    private ProgressBar(TextWriter error)
    {
        _error = error;
        // Redrawn twice a second even when no unit finishes, so that a long unit at the tail shows its time growing.
        _timer = new Timer(_ => Draw(force: true), null, 500, 500);
    }

    public static ProgressBar? For(TextWriter error, bool quiet) =>
        quiet || !ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            ? null
            : new ProgressBar(error);

    public void Report(ScanProgress progress)
    {
        lock (_gate)
        {
            _last = progress;
        }
        Draw(force: progress.Done == progress.Total);
    }

    /// <summary>The line for PROGRESS, at most WIDTH characters.</summary>
    public static string Line(ScanProgress progress, int width)
    {
        var percent = progress.Total == 0 ? 100 : progress.Done * 100 / progress.Total;
        var filled = percent * 20 / 100;
        var line = $"[{new string('#', filled)}{new string('.', 20 - filled)}] {progress.Done}/{progress.Total} units, " +
                   $"{progress.UnitsPerSecond:0.0}/s, {progress.Cached} cached";
        if (progress.Slowest is { } slowest)
        {
            line += $", slowest now: {slowest} {progress.SlowestSeconds:0}s";
        }
        return line.Length > width ? line[..Math.Max(0, width - 1)] + "…" : line;
    }

    private void Draw(bool force)
    {
        lock (_gate)
        {
            if (_last is not { } progress || (!force && Environment.TickCount64 - _drawnAt < 200))
            {
                return;
            }
            _drawnAt = Environment.TickCount64;
            var width = 120;
            try
            {
                width = Math.Max(40, Console.WindowWidth);
            }
            catch (IOException)
            {
                // No terminal size to read: 120 columns.
            }
            _error.Write("\r\u001b[2K" + Line(progress, width - 1));
            _drawn = true;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            _last = null;
            if (_drawn)
            {
                _error.Write("\r\u001b[2K");
                _drawn = false;
            }
        }
    }
}

/// <summary>The --timings line on stderr: where the scan's time went (the benchmark reads it).</summary>
internal static class Timings
{
    public static string Line(ScanStatistics statistics, long reportMs)
    {
        var cache = statistics.Cache is { } c
            // Fields added at the end: bench/scan_bench.py and scripts outside read the line's first fields.
            ? $"cache {c.Hits} hits, {c.Misses} misses, {c.Stored} stored, {c.Rejected} rejected, {c.Evicted} evicted, {c.Packed} hits from the pack, {c.GroupPacked} from the configuration groups' packs"
            : "cache off";
        if (statistics.WholeScan != Caching.WholeScanUse.Off)
        {
            cache += statistics.WholeScan switch
            {
                Caching.WholeScanUse.Hit => "; whole scan reused",
                // "whole scan reused" first: bench/scan_bench.py reads it.
                Caching.WholeScanUse.HitByContent => "; whole scan reused (times changed, contents checked)",
                Caching.WholeScanUse.Stored => "; whole scan kept",
                _ => "; whole scan not kept",
            };
            if (statistics.WholeScanLookedUpBySupervisor)
            {
                cache += " (looked up by the supervisor)";
            }
        }
        if (statistics.LexicalScans is var (reused, made))
        {
            cache += $"; lexical scans {reused} reused, {made} made";
        }
        if (statistics.ConfigurationGroups is var (groupsReused, groupsMade))
        {
            cache += $"; configuration groups {groupsReused} reused, {groupsMade} made";
        }
        if (statistics.DiscoveryKept)
        {
            cache += "; discovery kept";
        }
        var peak = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
        return $"parascope: timings: units {statistics.Units}, discover {statistics.DiscoverMs} ms, parse {statistics.ParseMs} ms, " +
               $"detect {statistics.DetectMs} ms, graph {statistics.GraphMs} ms, plan {statistics.PlanMs} ms, report {reportMs} ms, peak {peak} MB; {cache}";
    }

    /// <summary>
    /// The memory line after the timings: at each phase's end the managed heap (after the last collection) / the
    /// collector's committed memory / the resident set / its peak so far, in MB.
    /// </summary>
    public static string MemoryLine(IEnumerable<PhaseMemory> phases) =>
        "parascope: memory (heap/committed/resident/peak MB): " + string.Join(", ", phases.Select(p =>
            $"{p.Phase} {p.HeapBytes >> 20}/{p.CommittedBytes >> 20}/{p.ResidentBytes >> 20}/{p.PeakResidentBytes >> 20}"));

    /// <summary>
    /// The collector's line after the memory line: what each phase allocated on the managed heap (what the collector has
    /// to reclaim), then the collections of the whole process and the time they paused it.
    /// </summary>
    public static string CollectorLine(IReadOnlyList<PhaseMemory> phases) =>
        "parascope: collector: allocated MB " + string.Join(", ", phases.Zip(phases.Prepend<PhaseMemory?>(null), (phase, before) =>
            $"{phase.Phase} {(phase.AllocatedBytes - (before?.AllocatedBytes ?? 0)) >> 20}")) +
        $"; collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen 0/1/2), paused {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms" +
        (System.Runtime.GCSettings.IsServerGC ? "; server collector" : string.Empty);
}
