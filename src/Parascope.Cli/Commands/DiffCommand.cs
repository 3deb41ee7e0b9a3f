using System.CommandLine;
using Parascope.Reports.Diff;
using Parascope.Reports.Json;
using Parascope.Results;

namespace Parascope.Cli.Commands;

/// <summary>parascope diff old.json new.json : two scans compared by category, subsystem and rule.</summary>
public static class DiffCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var oldReport = new Argument<string>("old") { Description = "The earlier JSON report." };
        var newReport = new Argument<string>("new") { Description = "The later JSON report." };
        var format = new Option<string>("--format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("diff", "Compare two JSON reports (e.g. of xnu-792 and xnu-11417) by category, subsystem and rule.") { oldReport, newReport, format };
        command.SetAction(parse =>
        {
            var old = JsonReportReader.Read(parse.GetValue(oldReport)!);
            var current = JsonReportReader.Read(parse.GetValue(newReport)!);
            if ((old.Error ?? current.Error) is { } readError)
            {
                return ExitCodes.InputError(error, readError);
            }
            var diff = ReportDiff.Compare(old.Value!, current.Value!);
            if (parse.GetValue(format) == "json")
            {
                using var buffer = new MemoryStream();
                DiffWriter.WriteJson(diff, buffer);
                output.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                DiffWriter.WriteText(diff, output);
            }
            output.Flush();
            return ExitCodes.Done;
        });
        return command;
    }
}
