using System.Collections.Immutable;
using System.CommandLine;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Reports.Json;
using Parascope.Reports.Text;

namespace Parascope.Cli.Commands;

public static class ScanCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var path = new Argument<string>("path") { Description = "Root of the kernel source tree." };
        var arches = new Option<string[]>("--arch")
        {
            Description = "Arch to parse for; repeat for several (x86_64, i386, arm64). Default: x86_64.",
            AllowMultipleArgumentsPerToken = false,
        };
        arches.AcceptOnlyFromAmong("x86_64", "i386", "arm64");
        var target = new Option<string>("--target")
        {
            Description = "Xen guest mode to plan for.",
            DefaultValueFactory = _ => "xen-pv",
        };
        target.AcceptOnlyFromAmong("xen-pv", "xen-pvh", "xen-hvm");
        var format = new Option<string?>("--format") { Description = "Report format: text or json (default: text, or the --output file's extension)." };
        format.AcceptOnlyFromAmong("text", "json");
        var outputFile = new Option<string?>("--output", "-o") { Description = "Write the report to this file (atomically) instead of standard output." };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = "Units parsed at once (default: the number of cores).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var compileCommands = new Option<string?>("--compile-commands") { Description = "Take unit flags from this compile_commands.json." };
        var rulesDirectory = new Option<string?>("--rules") { Description = "Add the rules in this folder to the built-in ones." };
        var profile = new Option<string?>("--profile") { Description = "Build profile: xnu or generic (default: chosen from the tree's layout)." };
        profile.AcceptOnlyFromAmong("xnu", "generic");
        var activeOnly = new Option<bool>("--active-only") { Description = "Hide findings in preprocessor branches this configuration does not compile." };
        var units = new Option<bool>("--units") { Description = "List every unit with its parse status in the JSON report." };

        var scan = new Command("scan", "Scan a kernel source tree and report what a Xen port must change.")
        {
            path, arches, target, format, outputFile, jobs, compileCommands, rulesDirectory, profile, activeOnly, units,
        };
        scan.SetAction(parse =>
        {
            if (parse.GetValue(jobs) < 1)
            {
                error.WriteLine("parascope: --jobs must be at least 1");
                return ExitCodes.UsageOrInputError;
            }
            var outputPath = parse.GetValue(outputFile);
            var formatName = parse.GetValue(format);
            var reportFormat = formatName is not null && ReportFormats.TryParse(formatName, out var named)
                ? named
                : outputPath is not null && ReportFormats.FromExtension(outputPath) is { } fromExtension ? fromExtension : ReportFormat.Text;
            if (outputPath is not null && !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(outputPath))))
            {
                error.WriteLine($"parascope: {outputPath}: the folder to write the report into does not exist");
                return ExitCodes.UsageOrInputError;
            }
            ModelNames.TryParseTarget(parse.GetValue(target)!, out var xenTarget);
            var chosenArches = parse.GetValue(arches) is { Length: > 0 } given
                ? given.Distinct(StringComparer.Ordinal).ToImmutableArray()
                : ImmutableArray.Create("x86_64");

            var outcome = ScanPipeline.Run(new ScanRequest
            {
                Root = parse.GetValue(path)!,
                Arches = chosenArches,
                Target = xenTarget,
                Profile = parse.GetValue(profile),
                CompileCommands = parse.GetValue(compileCommands),
                RulesDirectory = parse.GetValue(rulesDirectory),
                Jobs = parse.GetValue(jobs),
                ActiveOnly = parse.GetValue(activeOnly),
                IncludeUnits = parse.GetValue(units),
            });
            if (outcome.Result is null)
            {
                error.WriteLine($"parascope: {outcome.Error}");
                return ExitCodes.UsageOrInputError;
            }
            Write(outcome.Result, reportFormat, outputPath, output);
            return ExitCodes.Done;
        });
        return scan;
    }

    private static void Write(ScanResult result, ReportFormat format, string? outputPath, TextWriter output)
    {
        Action<Stream> write = format switch
        {
            ReportFormat.Json => stream => JsonReportWriter.Write(result, stream),
            _ => stream =>
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                TextReportWriter.Write(result, writer);
            },
        };
        if (outputPath is not null)
        {
            AtomicFile.Write(outputPath, write);
            return;
        }
        using var buffer = new MemoryStream();
        write(buffer);
        output.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        output.Flush();
    }
}
