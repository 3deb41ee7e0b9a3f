using System.CommandLine;
using Parascope.Model;
using Parascope.Reports.Markdown;
using Parascope.Rules;

namespace Parascope.Cli.Commands;

public static class RulesCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var rules = new Command("rules", "List or validate rule files.");

        var rulesDirectory = new Option<string?>("--rules") { Description = "Add the rules in this folder to the built-in ones." };
        var format = new Option<string>("--format")
        {
            Description = "text (one line per rule) or markdown (the Rule reference section of docs/rules.md, with an anchor per rule).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "markdown");
        var list = new Command("list", "List every rule: id, category, arch, severity for xen-pv, title.") { rulesDirectory, format };
        list.SetAction(parse =>
        {
            var loaded = RuleLoader.LoadWith(parse.GetValue(rulesDirectory));
            if (!loaded.Errors.IsEmpty)
            {
                foreach (var problem in loaded.Errors)
                {
                    error.WriteLine(problem);
                }
                return ExitCodes.UsageOrInputError;
            }
            if (parse.GetValue(format) == "markdown")
            {
                output.Write(RuleReferenceWriter.Write(loaded.Rules));
                return ExitCodes.Done;
            }
            foreach (var rule in loaded.Rules)
            {
                output.WriteLine($"{rule.Id,-36} {rule.Category.Name(),-12} {rule.Arch,-6} {rule.For(XenTarget.XenPv).Severity.Name(),-8} {rule.Title}");
            }
            return ExitCodes.Done;
        });

        var directory = new Argument<string?>("dir")
        {
            Description = "Folder of *.yaml rule files (default: the built-in rules).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var validate = new Command("validate", "Check rule files; print each problem as file:line: message.") { directory };
        validate.SetAction(parse =>
        {
            var path = parse.GetValue(directory);
            var loaded = path is null ? RuleLoader.LoadBuiltIn() : RuleLoader.LoadDirectory(path);
            foreach (var problem in loaded.Errors)
            {
                error.WriteLine(problem);
            }
            if (!loaded.Errors.IsEmpty)
            {
                return ExitCodes.UsageOrInputError;
            }
            output.WriteLine($"{loaded.Rules.Length} rules, no problems");
            return ExitCodes.Done;
        });

        rules.Subcommands.Add(list);
        rules.Subcommands.Add(validate);
        return rules;
    }
}
