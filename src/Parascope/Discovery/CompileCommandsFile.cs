using System.Collections.Immutable;
using System.Text.Json;
using Parascope.Model;

namespace Parascope.Discovery;

/// <summary>
/// Units from a compile_commands.json (the format `parascope compile-commands` writes: directory, file,
/// arguments or command, and an optional arch). Files outside the root are left out; the compiler, the
/// source file, -c and -o are dropped from the arguments.
/// </summary>
public static class CompileCommandsFile
{
    public static DiscoveryResult Read(DiscoveryRequest request, string path)
    {
        if (!File.Exists(path))
        {
            return new DiscoveryResult("compile-commands", [], [], $"{path}: no such compile_commands.json");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException exception)
        {
            return new DiscoveryResult("compile-commands", [], [], $"{path}: not valid JSON ({exception.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return new DiscoveryResult("compile-commands", [], [], $"{path}: expected a JSON array of commands");
            }
            var root = request.Root.EndsWith('/') ? request.Root : request.Root + "/";
            var units = ImmutableArray.CreateBuilder<SourceUnit>();
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                if (Unit(request, root, entry) is { } unit)
                {
                    units.Add(unit);
                }
            }
            return new DiscoveryResult("compile-commands", units.ToImmutable(), []);
        }
    }

    private static SourceUnit? Unit(DiscoveryRequest request, string root, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("file", out var fileElement))
        {
            return null;
        }
        var directory = entry.TryGetProperty("directory", out var dir) ? dir.GetString() ?? root : root;
        var file = Path.GetFullPath(Path.Combine(directory, fileElement.GetString() ?? string.Empty));
        if (!file.StartsWith(root, StringComparison.Ordinal) || SourceFiles.LanguageOf(file) is not { } language || language == SourceLanguage.Assembly)
        {
            return null;
        }
        List<string> words;
        if (entry.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.Array)
        {
            words = arguments.EnumerateArray().Select(a => a.GetString() ?? string.Empty).ToList();
        }
        else if (entry.TryGetProperty("command", out var command))
        {
            words = (command.GetString() ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        else
        {
            return null;
        }
        var kept = new List<string>();
        for (var i = 1; i < words.Count; i++)
        {
            var word = words[i];
            if (word == "-c")
            {
                continue;
            }
            if (word == "-o")
            {
                i++;
                continue;
            }
            if (Path.GetFullPath(Path.Combine(directory, word)) == file)
            {
                continue;
            }
            kept.Add(word);
        }
        if (request.ResourceDirectory is not null && !kept.Contains("-resource-dir"))
        {
            kept.Add("-resource-dir");
            kept.Add(request.ResourceDirectory);
        }
        var arch = entry.TryGetProperty("arch", out var archElement) ? archElement.GetString() ?? request.Arches[0] : request.Arches[0];
        var relative = SourceFiles.Relative(request.Root, file);
        return new SourceUnit
        {
            Path = file,
            RelativePath = relative,
            Language = language,
            Arch = arch,
            Arguments = [.. kept],
            Subsystem = SourceFiles.SubsystemOf(relative),
            WorkingDirectory = directory,
            Origin = "compile_commands.json",
        };
    }
}
