using System.Collections.Immutable;
using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parascope.Discovery;
using Parascope.Model;
using Parascope.Parsing;
using Parascope.Reports;

namespace Parascope.Cli.Commands;

/// <summary>
/// Writes the C/C++ units Parascope would parse, with their exact flags, as a compile_commands.json: other
/// tools (clang -fsyntax-only for the benchmark, clang-tidy, clangd) then see the tree the way Parascope does.
/// </summary>
public static class CompileCommandsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var path = new Argument<string>("path") { Description = "Root of the kernel source tree." };
        var arches = new Option<string[]>("--arch") { Description = "Arch to configure for; repeat for several (default x86_64)." };
        arches.AcceptOnlyFromAmong([.. Architecture.Names]);
        var profile = new Option<string?>("--profile") { Description = "Build profile: xnu or generic (default: from the tree's layout)." };
        profile.AcceptOnlyFromAmong("xnu", "generic");
        var machineConfig = new TreeOptions().MachineConfig;
        var outputFile = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };
        var variants = new Option<bool>("--variants")
        {
            Description = "Also list the units a scan parses again in another configuration or for another board (each with its \"configuration\" and, for a board, \"platform\"; \"variant\": true), after the units themselves.",
        };
        var command = new Command("compile-commands", "Print the units and flags Parascope would parse, as compile_commands.json.")
        {
            path, arches, profile, machineConfig, outputFile, variants,
        };
        command.SetAction(parse =>
        {
            var outputPath = parse.GetValue(outputFile);
            if (outputPath is not null && ReportOutputs.Check(outputPath) is { } outputError)
            {
                return ExitCodes.InputError(error, outputError);
            }
            var root = Path.GetFullPath(parse.GetValue(path)!).TrimEnd('/');
            var discovery = UnitDiscovery.Discover(new DiscoveryRequest
            {
                Root = root,
                Arches = parse.GetValue(arches) is { Length: > 0 } given ? [.. given.Distinct()] : [Architecture.Default.Name],
                Profile = parse.GetValue(profile),
                MachineConfig = parse.GetValue(machineConfig),
                CacheDirectory = ScanPipeline.DefaultCacheDirectory(),
                ResourceDirectory = ResourceDirectory.Find(),
                ClangMajorVersion = Libclang.LoadedMajorVersion(),
            });
            if (discovery.Error is { } discoveryError)
            {
                return ExitCodes.InputError(error, discoveryError);
            }
            using var buffer = new MemoryStream();
            Write(parse.GetValue(variants) ? discovery.Units.AddRange(discovery.Variants) : discovery.Units, root, buffer);
            ReportOutputs.WriteText(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), outputPath, output);
            return ExitCodes.Done;
        });
        return command;
    }

    private static void Write(ImmutableArray<SourceUnit> units, string root, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartArray();
        foreach (var unit in units.Where(u => u.Language != SourceLanguage.Assembly))
        {
            json.WriteStartObject();
            json.WriteString("directory", unit.WorkingDirectory ?? root);
            json.WriteString("file", unit.Path);
            json.WriteStartArray("arguments");
            json.WriteStringValue("clang");
            foreach (var argument in unit.Arguments)
            {
                json.WriteStringValue(argument);
            }
            json.WriteStringValue(unit.Path);
            json.WriteEndArray();
            json.WriteString("arch", unit.Arch);
            if (unit.Configuration is not null)
            {
                json.WriteString("configuration", unit.Configuration);
            }
            if (unit.Platform is not null)
            {
                json.WriteString("platform", unit.Platform);
            }
            if (unit.Variant)
            {
                json.WriteBoolean("variant", true);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }
}
