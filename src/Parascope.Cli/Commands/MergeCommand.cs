using System.CommandLine;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Reports.Json;
using Parascope.Results;
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
            var outputs = ReportOutputs.Check(parse.GetValue(outputFiles) ?? [], null, hasFormatOption: false);
            if (outputs.Error is { } outputError)
            {
                return ExitCodes.InputError(error, outputError);
            }
            var shards = new List<ScanResult>();
            foreach (var path in parse.GetValue(reports)!)
            {
                var shard = JsonReportReader.Read(path);
                if (shard.Error is { } readError)
                {
                    return ExitCodes.InputError(error, readError);
                }
                shards.Add(shard.Value!);
            }
            var rules = RuleLoader.LoadWith(parse.GetValue(rulesDirectory));
            if (rules.Error is { } ruleError)
            {
                return ExitCodes.InputError(error, ruleError);
            }
            var merged = ReportMerge.Merge(shards, new RuleSet(rules.Rules), rules.Hooks, Graph.PortPhases.BuiltIn());
            if (merged.Error is { } mergeError)
            {
                return ExitCodes.InputError(error, mergeError);
            }
            ReportOutputs.Write(merged.Value!, outputs.Value, output, ReportFormat.Json);
            return ExitCodes.Done;
        });
        return command;
    }
}
