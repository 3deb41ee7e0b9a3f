using System.CommandLine;
using Parascope.Results;
using Parascope.Model;
using Parascope.Reports;

namespace Parascope.Cli.Commands;

public static class ScanCommand
{
    public static Command Create(TextWriter output, TextWriter error)
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
        var timings = new Option<bool>("--timings") { Description = "Report the real wall time in scan.durationMs (otherwise 0, so that reports are reproducible)." };

        var scan = new Command("scan", "Scan a kernel source tree and report what a Xen port must change.")
        {
            path, arches, target, format, outputFiles, jobs, compileCommands, rulesDirectory, profile, activeOnly, units,
            failOn, baseline, ignoreFile, shard, quiet, timings, tree.UnitTimeout, tree.MachineConfig,
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
            ModelNames.TryParseTarget(parse.GetValue(target)!, out var xenTarget);
            Severity? threshold = parse.GetValue(failOn) is { } level && ModelNames.TryParseSeverity(level, out var severity) ? severity : null;

            using var progress = ProgressBar.For(error, parse.GetValue(quiet));
            var outcome = ScanPipeline.Run(new ScanRequest
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
                Progress = progress is null ? null : progress.Report,
            });
            progress?.Dispose();
            if (outcome.Result is not { } result)
            {
                return ExitCodes.InputError(error, outcome.Error!);
            }
            // Warnings are in every report's data; a person at a console sees them too, without opening the report.
            foreach (var warning in result.Warnings)
            {
                error.WriteLine($"parascope: warning: {warning}");
            }
            var colour = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected
                         && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
            ReportOutputs.Write(result, outputs.Value, output, namedFormat ?? ReportFormat.Text, colour);
            return FailOn.Fails(result, threshold) ? ExitCodes.FindingsAtOrAboveFailOn : ExitCodes.Done;
        });
        return scan;
    }
}

/// <summary>A one-line progress bar on stderr, only when stderr is a terminal, not in CI and not --quiet.</summary>
internal sealed class ProgressBar : IDisposable
{
    private readonly TextWriter _error;
    private readonly object _gate = new();
    private int _lastPercent = -1;
    private bool _drawn;

    private ProgressBar(TextWriter error) => _error = error;

    public static ProgressBar? For(TextWriter error, bool quiet) =>
        quiet || !ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            ? null
            : new ProgressBar(error);

    public void Report(int done, int total)
    {
        var percent = total == 0 ? 100 : done * 100 / total;
        lock (_gate)
        {
            if (percent == _lastPercent)
            {
                return;
            }
            _lastPercent = percent;
            var filled = percent * 30 / 100;
            _error.Write($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {done}/{total} units");
            _drawn = true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_drawn)
            {
                _error.Write("\r\u001b[2K");
                _drawn = false;
            }
        }
    }
}
