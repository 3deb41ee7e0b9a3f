using System.CommandLine;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Reports.Compare;
using Parascope.Reports.Json;
using Parascope.Results;
using Parascope.Rules;

namespace Parascope.Cli.Commands;

/// <summary>parascope compare R1.json R2.json … : the port across releases (reports of different trees).</summary>
public static class CompareCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var reports = new Argument<string[]>("reports") { Description = "JSON reports of the releases (merged or whole scans), any order.", Arity = ArgumentArity.OneOrMore };
        var outputFiles = new Option<string[]>("--output", "-o") { Description = "Write the comparison here: .json, .md or .html (repeatable). Default: text on standard output." };
        var rulesDirectory = new Option<string?>("--rules") { Description = "The --rules folder the reports were scanned with (for the plan's effort)." };
        var command = new Command("compare", """
            Compare the port across releases: per hook its sites and wrappers in each release and what appeared or went,
            per phase the changes and effort, and the work per release (a chart in HTML).

            Example:
              parascope compare xnu-792.json xnu-2050.json xnu-11417.json -o releases.html -o releases.json
            """) { reports, outputFiles, rulesDirectory };
        command.SetAction(parse =>
        {
            // Every output checked (format, folder, writable) before any report is read: no work is lost to a bad -o.
            var writers = new List<(string Path, Action<ReleaseComparison, Stream> Write)>();
            foreach (var path in parse.GetValue(outputFiles) ?? [])
            {
                Action<ReleaseComparison, Stream>? writeFile = Path.GetExtension(path).ToLowerInvariant() switch
                {
                    ".json" => CompareWriter.WriteJson,
                    ".md" or ".markdown" => (c, s) => WriteText(s, w => CompareWriter.WriteMarkdown(c, w)),
                    ".html" or ".htm" => (c, s) => WriteText(s, w => CompareWriter.WriteHtml(c, w)),
                    _ => null,
                };
                if (writeFile is null)
                {
                    return ExitCodes.InputError(error, new InputError($"{path}: unknown format (use .json, .md or .html)"));
                }
                if (ReportOutputs.Check(path) is { } unwritable)
                {
                    return ExitCodes.InputError(error, unwritable);
                }
                writers.Add((path, writeFile));
            }
            var results = new List<ScanResult>();
            foreach (var report in parse.GetValue(reports)!)
            {
                var read = JsonReportReader.Read(report);
                if (read.Error is { } readError)
                {
                    return ExitCodes.InputError(error, readError);
                }
                results.Add(read.Value!);
            }
            var rules = RuleLoader.LoadWith(parse.GetValue(rulesDirectory));
            if (rules.Error is { } ruleError)
            {
                return ExitCodes.InputError(error, ruleError);
            }
            var comparison = ReleaseComparison.Compare(results, rules.Rules);
            if (comparison.Error is { } compareError)
            {
                return ExitCodes.InputError(error, compareError);
            }
            if (writers.Count == 0)
            {
                CompareWriter.WriteText(comparison.Value!, output);
                output.Flush();
            }
            foreach (var (path, write) in writers)
            {
                AtomicFile.Write(path, stream => write(comparison.Value!, stream));
            }
            return ExitCodes.Done;
        });
        return command;
    }

    private static void WriteText(Stream stream, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        write(writer);
    }
}
