using System.CommandLine;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Reports.Json;
using Parascope.Rules;

namespace Parascope.Cli.Commands;

/// <summary>parascope merge a.json b.json … : the shard reports of one scan → the report of the whole scan.</summary>
public static class MergeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var reports = new Argument<string[]>("reports") { Description = "JSON reports of the shards (scan --shard K/N --format json).", Arity = ArgumentArity.OneOrMore };
        var outputFiles = new Option<string[]>("--output", "-o") { Description = "Write the merged report here (format from the extension; repeatable). Default: JSON on standard output." };
        var rulesDirectory = new Option<string?>("--rules") { Description = "The --rules folder the shards were scanned with (for the plan's weights and SARIF descriptors)." };
        var command = new Command("merge", "Merge the JSON reports of the shards of one scan into one report.") { reports, outputFiles, rulesDirectory };
        command.SetAction(parse =>
        {
            var shards = new List<Model.ScanResult>();
            foreach (var path in parse.GetValue(reports)!)
            {
                var (shard, readError) = JsonReportReader.Read(path);
                if (shard is null)
                {
                    error.WriteLine($"parascope: {readError}");
                    return ExitCodes.UsageOrInputError;
                }
                shards.Add(shard);
            }
            var rules = RuleLoader.LoadWith(parse.GetValue(rulesDirectory));
            if (!rules.Errors.IsEmpty)
            {
                error.WriteLine($"parascope: {rules.Errors[0]}");
                return ExitCodes.UsageOrInputError;
            }
            var (merged, mergeError) = ReportMerge.Merge(shards, new RuleSet(rules.Rules).Rules, Graph.PortPhases.BuiltIn().Phases);
            if (merged is null)
            {
                error.WriteLine($"parascope: {mergeError}");
                return ExitCodes.UsageOrInputError;
            }
            return ReportOutputs.Write(merged, parse.GetValue(outputFiles) ?? [], ReportFormat.Json, output, error);
        });
        return command;
    }
}

/// <summary>Writes a result to the --output files (format from each extension) or to standard output.</summary>
internal static class ReportOutputs
{
    public static int Write(Model.ScanResult result, string[] paths, ReportFormat standardFormat, TextWriter output, TextWriter error)
    {
        var targets = new List<(string, ReportFormat)>();
        foreach (var path in paths)
        {
            if (ReportFormats.FromExtension(path) is not { } format)
            {
                error.WriteLine($"parascope: {path}: cannot tell the format from the extension; use .json, .sarif, .html, .md or .txt");
                return ExitCodes.UsageOrInputError;
            }
            if (!Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(path))))
            {
                error.WriteLine($"parascope: {path}: the folder to write the report into does not exist");
                return ExitCodes.UsageOrInputError;
            }
            targets.Add((path, format));
        }
        if (targets.Count == 0)
        {
            output.Write(ReportWriter.ToText(result, standardFormat));
            output.Flush();
        }
        foreach (var (path, format) in targets)
        {
            ReportWriter.WriteFile(result, format, path);
        }
        return ExitCodes.Done;
    }
}
