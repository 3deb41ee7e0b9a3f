using System.CommandLine;
using Parascope.Cli;
using Parascope.Cli.Commands;

// Registered before anything touches the console: setting up Console.Error sets up the runtime's own signal handling,
// and from then until the registration a SIGTERM does nothing (.NET 10 no longer ends a process on it by default), so
// a scan signalled in its first milliseconds could run on to its end (InterruptTests saw it once, exit 0 after 16 s).
using (Interrupts.Register(() => Console.Error))
{
    // The program itself: a scan may run supervised, as a child process of this one.
    return CommandLine.Run(args, Console.Out, Console.Error, programArguments: args);
}

namespace Parascope.Cli
{
    /// <summary>Exit codes, documented in the README; scripts depend on them.</summary>
    public static class ExitCodes
    {
        public const int Done = 0;
        public const int FindingsAtOrAboveFailOn = 1;
        public const int UsageOrInputError = 2;
        public const int InternalError = 3;

        /// <summary>Prints an input error as its one line and gives exit 2.</summary>
        public static int InputError(TextWriter error, Model.InputError problem)
        {
            error.WriteLine($"parascope: {problem.Message}");
            return UsageOrInputError;
        }
    }

    public static class CommandLine
    {
        /// <summary>The commands; PROGRAMARGUMENTS: this process is the program run with them (not a test), so a scan may supervise.</summary>
        public static RootCommand Build(TextWriter output, TextWriter error, IReadOnlyList<string>? programArguments = null)
        {
            var root = new RootCommand(
                """
                Parascope finds what a port of the XNU/Darwin kernel to Xen (PV, PVH, HVM) must change:
                privileged instructions, page-table writes and driver-API call sites.

                Examples:
                  parascope scan ~/src/xnu
                  parascope scan ~/src/xnu --arch x86_64 --arch arm64 --target xen-pvh --format json --output plan.json
                  parascope scan ~/src/xnu -o report.json -o report.sarif -o report.html -o summary.md
                  parascope scan ~/src/xnu --baseline main.json --fail-on error
                  parascope scan ~/src/xnu -o report.json --watch   (scans again on every change until Ctrl-C)
                  parascope scan ~/src/xnu --shard 1/4 -o s1.json   (then: parascope merge s1.json s2.json s3.json s4.json -o all.json)
                  parascope diff xnu-792.json xnu-11417.json
                  parascope rules list
                  parascope rules validate my-rules/
                  parascope graph ~/src/xnu --format dot --around pmap_enter --depth 2
                """);
            // The default --version reads the entry assembly, which is the test host under tests: print ours.
            foreach (var option in root.Options.OfType<VersionOption>())
            {
                option.Action = new PrintVersion(output);
            }
            root.Subcommands.Add(ScanCommand.Create(output, error, programArguments));
            root.Subcommands.Add(RulesCommand.Create(output, error));
            root.Subcommands.Add(CompileCommandsCommand.Create(output, error));
            root.Subcommands.Add(MergeCommand.Create(output, error));
            root.Subcommands.Add(DiffCommand.Create(output, error));
            root.Subcommands.Add(CompareCommand.Create(output, error));
            root.Subcommands.Add(ExplainCommand.Create(output, error));
            root.Subcommands.Add(GraphCommand.Create(output, error));
            root.Subcommands.Add(CacheCommand.Create(output, error));
            root.Subcommands.Add(WorkerCommandLine.Create());
            return root;
        }

        public static int Run(string[] args, TextWriter output, TextWriter error, IReadOnlyList<string>? programArguments = null)
        {
            try
            {
                var root = Build(output, error, programArguments);
                var parsed = root.Parse(args);
                if (parsed.Errors.Count > 0)
                {
                    error.WriteLine($"parascope: {parsed.Errors[0].Message} (see 'parascope --help')");
                    return ExitCodes.UsageOrInputError;
                }
                return parsed.Invoke(new InvocationConfiguration
                {
                    EnableDefaultExceptionHandler = false,
                    Output = output,
                    Error = error,
                });
            }
            catch (Exception exception)
            {
                error.WriteLine($"parascope: internal error: {exception.GetType().Name}: {FirstLine(exception.Message)} (please report it)");
                return ExitCodes.InternalError;
            }
        }

        private sealed class PrintVersion(TextWriter output) : System.CommandLine.Invocation.SynchronousCommandLineAction
        {
            public override int Invoke(ParseResult parseResult)
            {
                output.WriteLine(Parascope.ScanPipeline.ToolVersion);
                return ExitCodes.Done;
            }
        }

        private static string FirstLine(string text)
        {
            var newline = text.IndexOf('\n');
            return newline < 0 ? text : text[..newline];
        }
    }
}
