using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Parascope.Model;

namespace Parascope.Discovery;

/// <summary>
/// Units from a compile_commands.json (clang's JSON compilation database): each entry under the root becomes
/// one unit with the entry's own flags. The compiler, the source file, `-c`, `-o FILE` and dependency-file
/// flags are dropped (libclang parses; it writes nothing). The arch comes from the entry's --target/-arch.
/// </summary>
public static class CompileCommandsDiscovery
{
    public const string ProfileName = "compile-commands";

    public static DiscoveryResult Discover(DiscoveryRequest request)
    {
        var database = Path.GetFullPath(request.CompileCommands!);
        if (!File.Exists(database))
        {
            return new DiscoveryResult(ProfileName, [], [], new InputError($"{database}: no such compile_commands.json"));
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(database));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return new DiscoveryResult(ProfileName, [], [], new InputError($"{database}: {FirstLine(exception.Message)}"));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return new DiscoveryResult(ProfileName, [], [], new InputError($"{database}: expected a JSON array of entries"));
            }
            var root = request.Root.EndsWith('/') ? request.Root : request.Root + "/";
            var units = ImmutableArray.CreateBuilder<SourceUnit>();
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                var directory = entry.TryGetProperty("directory", out var d) ? d.GetString() ?? "." : ".";
                if (!entry.TryGetProperty("file", out var f) || f.GetString() is not { } file)
                {
                    continue;
                }
                var path = Path.GetFullPath(Path.Combine(directory, file));
                var language = SourceFiles.LanguageOf(path);
                if (!path.StartsWith(root, StringComparison.Ordinal) || language is null or SourceLanguage.Assembly)
                {
                    continue;
                }
                var words = entry.TryGetProperty("arguments", out var a)
                    ? a.EnumerateArray().Select(w => w.GetString() ?? string.Empty).ToList()
                    : SplitCommand(entry.TryGetProperty("command", out var c) ? c.GetString() ?? string.Empty : string.Empty);
                words = ExpandResponseFiles(words, directory);
                var arguments = Arguments(words, file, path, request.ResourceDirectory);
                var relative = path[root.Length..];
                units.Add(new SourceUnit
                {
                    Path = path,
                    RelativePath = relative,
                    Language = language.Value,
                    // `parascope compile-commands` writes the arch it configured; others say it through --target.
                    Arch = entry.TryGetProperty("arch", out var arch) && arch.GetString() is { Length: > 0 } named
                        ? named
                        : ArchOf(words) ?? request.Arches[0],
                    Arguments = arguments,
                    Subsystem = Subsystems.Of(relative),
                    WorkingDirectory = directory,
                    Origin = "compile_commands.json",
                });
            }
            return new DiscoveryResult(ProfileName, units.ToImmutable(), []);
        }
    }

    private static ImmutableArray<string> Arguments(List<string> words, string file, string path, string? resourceDirectory)
    {
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 1; i < words.Count; i++)
        {
            var word = words[i];
            if (word == file || word == path || word is "-c" or "-MD" or "-MMD" or "-MP")
            {
                continue;
            }
            if (word is "-o" or "-MF" or "-MT" or "-MQ")
            {
                i++;
                continue;
            }
            result.Add(word);
        }
        if (resourceDirectory is not null && !result.Contains("-resource-dir"))
        {
            result.Add("-resource-dir");
            result.Add(resourceDirectory);
        }
        return result.ToImmutable();
    }

    /// <summary>`@FILE` words (response files, relative to the entry's directory) replaced by the words FILE holds.</summary>
    private static List<string> ExpandResponseFiles(List<string> words, string directory, int depth = 0)
    {
        if (depth > 4 || !words.Any(w => w.StartsWith('@')))
        {
            return words;
        }
        var result = new List<string>(words.Count);
        foreach (var word in words)
        {
            var responseFile = word.Length > 1 && word[0] == '@' ? Path.GetFullPath(Path.Combine(directory, word[1..])) : null;
            if (responseFile is not null && File.Exists(responseFile))
            {
                try
                {
                    result.AddRange(ExpandResponseFiles(SplitCommand(File.ReadAllText(responseFile)), directory, depth + 1));
                    continue;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Unreadable: pass the word on; clang will say what is wrong with it.
                }
            }
            result.Add(word);
        }
        return result;
    }

    private static string? ArchOf(List<string> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var target = words[i].StartsWith("--target=", StringComparison.Ordinal) ? words[i]["--target=".Length..]
                : (words[i] is "-target" or "-arch") && i + 1 < words.Count ? words[i + 1] : null;
            if (target is null)
            {
                continue;
            }
            return Architecture.FromCompilerTarget(target).Name;
        }
        return null;
    }

    /// <summary>A shell-style split: whitespace separates words, quotes group, backslash escapes.</summary>
    private static List<string> SplitCommand(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < command.Length; i++)
        {
            var ch = command[i];
            if (quote != '\0')
            {
                if (ch == quote)
                {
                    quote = '\0';
                }
                else if (ch == '\\' && quote == '"' && i + 1 < command.Length)
                {
                    word.Append(command[++i]);
                }
                else
                {
                    word.Append(ch);
                }
            }
            else if (ch is '"' or '\'')
            {
                quote = ch;
                inWord = true;
            }
            else if (ch == '\\' && i + 1 < command.Length)
            {
                word.Append(command[++i]);
                inWord = true;
            }
            else if (char.IsWhiteSpace(ch))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(ch);
                inWord = true;
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
