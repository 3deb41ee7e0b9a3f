using System.CommandLine;
using Parascope.Graph;
using Parascope.Model;
using Parascope.Reports;
using Parascope.Reports.Graph;

namespace Parascope.Cli.Commands;

/// <summary>
/// `parascope graph PATH --format dot|graphml [--around FUNCTION] [--depth N] [-o FILE]`: the scan's call graph,
/// whole or around one function, for Graphviz, Gephi or yEd.
/// </summary>
public static class GraphCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var tree = new TreeOptions();
        var (path, arches, jobs, compileCommands, profile, quiet) = (tree.Path, tree.Arches, tree.Jobs, tree.CompileCommands, tree.Profile, tree.Quiet);
        var format = new Option<string>("--format")
        {
            Description = "Graph format: dot (Graphviz) or graphml.",
            DefaultValueFactory = _ => "dot",
        };
        format.AcceptOnlyFromAmong("dot", "graphml");
        var around = new Option<string?>("--around") { Description = "Only this function, its callers and its callees up to --depth calls away." };
        var depth = new Option<int>("--depth") { Description = "How many calls away from --around to go, both ways (default 2).", DefaultValueFactory = _ => 2, CustomParser = WholeNumbers.Parser("--depth", () => 2) };
        var outputFile = new Option<string?>("--output", "-o") { Description = "Write the graph to this file (atomically) instead of standard output." };

        var command = new Command("graph", """
            Export the call graph of a kernel source tree as DOT or GraphML.

            Examples:
              parascope graph ~/src/xnu --format dot -o xnu.dot
              parascope graph ~/src/xnu --arch i386 --format graphml --around pmap_enter --depth 3 -o pmap_enter.graphml
            """)
        {
            path, arches, format, around, depth, outputFile, jobs, compileCommands, profile, quiet, tree.UnitTimeout, tree.Cache, tree.NoCache, tree.MachineConfig,
        };
        command.SetAction(parse =>
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
            if (parse.GetValue(depth) < 0)
            {
                error.WriteLine("parascope: --depth must be 0 or more");
                return ExitCodes.UsageOrInputError;
            }
            var outputPath = parse.GetValue(outputFile);
            if (outputPath is not null && ReportOutputs.Check(outputPath) is { } outputError)
            {
                return ExitCodes.InputError(error, outputError);
            }

            using var progress = ProgressBar.For(error, parse.GetValue(quiet));
            var outcome = ScanPipeline.Run(new ScanRequest
            {
                Root = parse.GetValue(path)!,
                Arches = [.. tree.ArchesOf(parse)],
                Profile = parse.GetValue(profile),
                MachineConfig = parse.GetValue(tree.MachineConfig),
                CompileCommands = parse.GetValue(compileCommands),
                Jobs = parse.GetValue(jobs),
                UnitTimeout = unitTimeout,
                CacheDirectory = tree.CacheOf(parse),
                ResultCache = tree.ResultCacheOf(parse),
                ProgressDetail = progress is null ? null : progress.Report,
            });
            progress?.Dispose();
            if (outcome.Result is null)
            {
                return ExitCodes.InputError(error, outcome.Error!);
            }
            var graph = outcome.Result.CallGraph ?? throw new InvalidOperationException("the scan built no call graph");
            var findings = outcome.Result.Findings;
            CallGraphSlice slice;
            if (parse.GetValue(around) is { } function)
            {
                if (CallGraphSlice.Around(graph, function, parse.GetValue(depth), findings) is not { } neighbourhood)
                {
                    error.WriteLine($"parascope: {function}: no such function in the call graph");
                    return ExitCodes.UsageOrInputError;
                }
                slice = neighbourhood;
            }
            else
            {
                slice = CallGraphSlice.Whole(graph, findings);
            }
            var text = parse.GetValue(format) == "graphml" ? GraphMlWriter.Write(slice) : DotGraphWriter.Write(slice);
            ReportOutputs.WriteText(text, outputPath, output);
            return ExitCodes.Done;
        });
        return command;
    }
}
