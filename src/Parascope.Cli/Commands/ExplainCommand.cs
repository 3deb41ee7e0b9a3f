using System.CommandLine;
using Parascope.Discovery;
using Parascope.Discovery.Xnu;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Cli.Commands;

/// <summary>
/// `parascope explain FILE`: the exact flags Parascope parses one unit with and its first diagnostics, to see why
/// a unit does not parse cleanly and to rerun it by hand with clang -fsyntax-only.
/// </summary>
public static class ExplainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "A .c/.cpp/.s file of the tree." };
        var arch = new Option<string?>("--arch") { Description = "Arch to configure for (default: the first that compiles the file, x86_64 first)." };
        arch.AcceptOnlyFromAmong([.. Architecture.Names]);
        var root = new Option<string?>("--root") { Description = "Root of the tree (default: the nearest ancestor laid out like XNU)." };
        var profile = new Option<string?>("--profile") { Description = "Build profile: xnu or generic (default: from the tree's layout)." };
        profile.AcceptOnlyFromAmong("xnu", "generic");
        var compileCommands = new Option<string?>("--compile-commands") { Description = "Take the flags from this compile_commands.json." };
        var machineConfig = new TreeOptions().MachineConfig;
        var limit = new Option<int>("--diagnostics") { Description = "How many diagnostics to print.", DefaultValueFactory = _ => 10, CustomParser = WholeNumbers.Parser("--diagnostics", () => 10) };
        var command = new Command("explain", "Print the flags Parascope parses one unit with and its first diagnostics.")
        {
            file, arch, root, profile, compileCommands, machineConfig, limit,
        };
        command.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(file)!);
            if (!File.Exists(path))
            {
                error.WriteLine($"parascope: {path}: no such file");
                return ExitCodes.UsageOrInputError;
            }
            var rootPath = parse.GetValue(root) is { } given ? Path.GetFullPath(given).TrimEnd('/') : XnuProfile.FindRoot(path);
            if (rootPath is null)
            {
                error.WriteLine($"parascope: {path}: no ancestor folder looks like an XNU tree (osfmk/, bsd/, iokit/ or libkern/); give --root");
                return ExitCodes.UsageOrInputError;
            }
            string[] arches = parse.GetValue(arch) is { } one ? [one] : [.. Architecture.Names];
            var explained = default(Checked<UnitExplanation>);
            foreach (var candidate in arches)
            {
                explained = UnitExplainer.Explain(new DiscoveryRequest
                {
                    Root = rootPath,
                    Arches = [candidate],
                    Profile = parse.GetValue(profile),
                    MachineConfig = parse.GetValue(machineConfig),
                    CompileCommands = parse.GetValue(compileCommands),
                    CacheDirectory = ScanPipeline.DefaultCacheDirectory(),
                    ResourceDirectory = ResourceDirectory.Find(),
                    ClangMajorVersion = Libclang.LoadedMajorVersion(),
                }, path, Math.Max(0, parse.GetValue(limit)));
                if (explained.Value is not null)
                {
                    break;
                }
            }
            if (explained.Value is not { } explanation)
            {
                return ExitCodes.InputError(error, explained.Error!);
            }
            Write(output, rootPath, explanation);
            return ExitCodes.Done;
        });
        return command;
    }

    private static void Write(TextWriter output, string root, UnitExplanation explanation)
    {
        var unit = explanation.Unit;
        output.WriteLine($"unit:     {unit.RelativePath}");
        output.WriteLine($"root:     {root}");
        output.WriteLine($"arch:     {unit.Arch}");
        output.WriteLine($"profile:  {explanation.Profile} (flags from {unit.Origin})");
        if (unit.Configuration is not null)
        {
            var built = unit.InBuild switch
            {
                true => "a configuration that builds the file",
                false => "no configuration builds the file",
                null => "no build lists to tell",
            };
            var own = unit.OwnOptions.IsEmpty ? string.Empty : $"; with its own conf/files line's options {string.Join(' ', unit.OwnOptions)}";
            output.WriteLine($"config:   {unit.Configuration} ({built}{own})");
        }
        if (explanation.Machine is { } machine)
        {
            var flags = machine.Defines.IsEmpty ? "no flag" : string.Join(' ', machine.Defines) + (machine.FlagsFrom is { } from ? $" from {from}" : string.Empty);
            output.WriteLine($"machine:  {machine.Name} ({machine.Source}; {flags})");
            if (machine.SocHeader is not null)
            {
                output.WriteLine($"soc:      {machine.SocHeader}");
            }
            if (!machine.Known.IsEmpty)
            {
                output.WriteLine($"          the tree also knows: {string.Join(", ", machine.Known.Where(k => k != machine.Name))} (--machine-config NAME)");
            }
        }
        output.WriteLine("command:");
        output.WriteLine($"  {Libclang.MatchingClang()} -fsyntax-only " + string.Join(" \\\n    ", unit.Arguments.Select(Quote)) + " \\\n    " + Quote(unit.Path));
        foreach (var repair in explanation.Repairs)
        {
            output.WriteLine($"repaired in memory (the command above reads the file as it is): {repair}");
        }
        if (unit.Language == SourceLanguage.Assembly)
        {
            output.WriteLine("status:   assembly (read by Parascope's own scanner with the -D flags above; not parsed by clang)");
            return;
        }
        var fatal = explanation.Diagnostics.Any(ParsedUnit.IsFatal);
        output.WriteLine(explanation.Status switch
        {
            UnitStatus.Clean => "status:   clean",
            UnitStatus.Failed => "status:   failed (no translation unit)",
            _ => $"status:   {explanation.ErrorCount} error(s){(fatal ? ", fatal (a missing #include or a fatal error)" : string.Empty)}",
        });
        foreach (var diagnostic in explanation.Diagnostics)
        {
            var where = diagnostic.Line > 0 ? $"{Relative(root, diagnostic.File)}:{diagnostic.Line}:{diagnostic.Column}: " : string.Empty;
            // Parascope's own reading of "fatal" (ParsedUnit.IsFatal), which counts a missing #include.
            var level = ParsedUnit.IsFatal(diagnostic) ? "fatal" : diagnostic.Level.ToString().ToLowerInvariant();
            output.WriteLine($"  {where}{level}: {diagnostic.Message}");
        }
        if (explanation.ErrorCount > explanation.Diagnostics.Length)
        {
            output.WriteLine($"  … and {explanation.ErrorCount - explanation.Diagnostics.Length} more");
        }
    }

    private static string Relative(string root, string file) =>
        file.StartsWith(root + "/", StringComparison.Ordinal) ? file[(root.Length + 1)..] : file;

    private static string Quote(string word) =>
        word.Length > 0 && word.All(ch => char.IsAsciiLetterOrDigit(ch) || "-_=+/.,:@%".Contains(ch)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
