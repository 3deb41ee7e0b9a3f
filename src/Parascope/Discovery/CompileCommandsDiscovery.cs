using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Parascope.Files;
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
        var entries = Read(database);
        if (entries.Error is { } error)
        {
            return new DiscoveryResult(ProfileName, [], [], error);
        }
        if (entries.Value.IsEmpty)
        {
            return new DiscoveryResult(ProfileName, [], [], new InputError($"{database}: no entries (an empty compilation database)"));
        }
        var root = request.Root.EndsWith('/') ? request.Root : request.Root + "/";
        var units = ImmutableArray.CreateBuilder<SourceUnit>();
        var outside = new List<CompileCommand>();
        var missing = new List<CompileCommand>();
        foreach (var entry in entries.Value)
        {
            if (!entry.Path.StartsWith(root, StringComparison.Ordinal))
            {
                outside.Add(entry);
                continue;
            }
            if (!RegularFiles.Exists(entry.Path))
            {
                missing.Add(entry);
                continue;
            }
            // Assembly is read lexically from the tree's inventory, headers through the units that include them.
            var language = SourceFiles.LanguageOf(entry.Path);
            if (language is null or SourceLanguage.Assembly)
            {
                continue;
            }
            var words = ExpandResponseFiles(entry.Words, entry.Directory);
            var relative = entry.Path[root.Length..];
            units.Add(new SourceUnit
            {
                Path = entry.Path,
                RelativePath = relative,
                Language = language.Value,
                // `parascope compile-commands` writes the arch it configured; others say it through --target.
                Arch = entry.Arch ?? ArchOf(words) ?? request.Arches[0],
                Arguments = Arguments(words, entry.File, entry.Path, request.ResourceDirectory, entry.Directory),
                Subsystem = Subsystems.Of(relative),
                WorkingDirectory = entry.Directory,
                Origin = "compile_commands.json",
            });
        }
        var unmatched = outside.Count + missing.Count;
        if (unmatched == 0)
        {
            return new DiscoveryResult(ProfileName, units.ToImmutable(), []);
        }
        var example = outside.Concat(missing).OrderBy(e => e.Line).First();
        var why = Mismatch(outside.Count, missing.Count, request.Root);
        if (unmatched == entries.Value.Length)
        {
            // A database for another checkout or another machine: scanning nothing would look like a clean tree.
            return new DiscoveryResult(ProfileName, [], [], new InputError(
                $"{database}: none of its {unmatched} entries names a file under {request.Root} ({why}; e.g. line {example.Line}: {example.Path})"));
        }
        return new DiscoveryResult(ProfileName, units.ToImmutable(),
            [$"{database}: {unmatched} of {entries.Value.Length} entries skipped ({why}; e.g. line {example.Line}: {example.Path})"]);
    }

    private static string Mismatch(int outside, int missing, string root) => (outside, missing) switch
    {
        ( > 0, 0) => $"{outside} outside {root}",
        (0, > 0) => $"{missing} name no existing file",
        _ => $"{outside} outside {root}, {missing} name no existing file",
    };

    /// <summary>One entry of the database, checked: its absolute file, its working directory and its words.</summary>
    public sealed record CompileCommand(int Line, string Directory, string File, string Path, List<string> Words, string? Arch);

    /// <summary>
    /// Every entry of DATABASE, or the first problem as `DATABASE:LINE: reason`: JSON syntax, an entry that is not an
    /// object, one with no `file`, or with neither `arguments` nor `command`, a `command` with an open quote.
    /// A relative `directory` is taken from the database's folder, a relative `file` from the entry's directory.
    /// </summary>
    public static Checked<ImmutableArray<CompileCommand>> Read(string database)
    {
        byte[] bytes;
        try
        {
            if (RegularFiles.Check(database, "compile_commands.json") is { } notAFile)
            {
                return notAFile;
            }
            bytes = File.ReadAllBytes(database);
            if (bytes is [0xEF, 0xBB, 0xBF, ..])
            {
                // A byte-order mark, as some editors write: blank it, so that offsets and lines stay the file's.
                bytes[0] = bytes[1] = bytes[2] = (byte)' ';
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new InputError($"{database}: {FirstLine(exception.Message)}");
        }
        // JSON text is UTF-8; without this check a bad byte inside a string throws when the string is read.
        if (System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out var valid, out _, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            return new InputError($"{database}:{LineOf(bytes, valid)}: not valid UTF-8 (byte {valid + 1})");
        }
        List<long> starts;
        JsonDocument document;
        try
        {
            starts = EntryOffsets(bytes);
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException exception)
        {
            return new InputError($"{database}:{(exception.LineNumber ?? 0) + 1}: not valid JSON: {JsonReason(exception.Message)}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return new InputError($"{database}:1: expected a JSON array of entries");
            }
            var databaseFolder = System.IO.Path.GetDirectoryName(database)!;
            var result = ImmutableArray.CreateBuilder<CompileCommand>();
            var index = 0;
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                var line = index < starts.Count ? LineOf(bytes, starts[index]) : 1;
                index++;
                var where = $"{database}:{line}";
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    return new InputError($"{where}: entry {index} is not an object");
                }
                var directory = databaseFolder;
                if (entry.TryGetProperty("directory", out var d))
                {
                    if (d.ValueKind != JsonValueKind.String || d.GetString() is not { Length: > 0 } named)
                    {
                        return new InputError($"{where}: entry {index}: \"directory\" must be a non-empty string");
                    }
                    directory = System.IO.Path.GetFullPath(named, databaseFolder);
                }
                if (!entry.TryGetProperty("file", out var f) || f.ValueKind != JsonValueKind.String || f.GetString() is not { Length: > 0 } file)
                {
                    return new InputError($"{where}: entry {index} has no \"file\"");
                }
                List<string> words;
                if (entry.TryGetProperty("arguments", out var a))
                {
                    if (a.ValueKind != JsonValueKind.Array || a.EnumerateArray().Any(w => w.ValueKind != JsonValueKind.String))
                    {
                        return new InputError($"{where}: entry {index}: \"arguments\" must be an array of strings");
                    }
                    words = [.. a.EnumerateArray().Select(w => w.GetString()!)];
                }
                else if (entry.TryGetProperty("command", out var c) && c.ValueKind == JsonValueKind.String)
                {
                    var split = SplitCommand(c.GetString()!);
                    if (split.Error is { } quoteError)
                    {
                        return new InputError($"{where}: entry {index}: \"command\" {quoteError.Message}");
                    }
                    words = split.Value!;
                }
                else
                {
                    return new InputError($"{where}: entry {index} has neither \"arguments\" nor \"command\"");
                }
                if (words.Count == 0)
                {
                    return new InputError($"{where}: entry {index}: empty command (no compiler)");
                }
                var arch = entry.TryGetProperty("arch", out var archValue) && archValue.ValueKind == JsonValueKind.String
                    && archValue.GetString() is { Length: > 0 } archName ? archName : null;
                result.Add(new CompileCommand(line, directory, file, System.IO.Path.GetFullPath(file, directory), words, arch));
            }
            return Checked<ImmutableArray<CompileCommand>>.Of(result.ToImmutable());
        }
    }

    /// <summary>Where each top-level array element starts, in bytes: the lines errors name.</summary>
    private static List<long> EntryOffsets(byte[] bytes)
    {
        var starts = new List<long>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
            {
                starts.Add(reader.TokenStartIndex);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        return starts;
    }

    private static int LineOf(byte[] bytes, long offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
            }
        }
        return line;
    }

    /// <summary>System.Text.Json's message without its own position suffix (` LineNumber: 0 | BytePositionInLine: 1.`).</summary>
    private static string JsonReason(string message)
    {
        var first = FirstLine(message);
        var at = first.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at < 0 ? first : first[..at]).TrimEnd(' ', '.');
    }

    /// <summary>
    /// The entry's words as libclang's arguments: the compiler, the source, outputs and dependency files left out, the
    /// resource folder added, and the paths of the flags that name files or folders made absolute from the entry's
    /// DIRECTORY (`-I./include`, `-include ./config.h`: make-based builds write them), as the build resolved them, not
    /// from wherever the scan runs. Not through clang's `-working-directory`: libclang 14's driver then changes the whole
    /// process's current folder (its real file system follows the process's; 22's does not), which moved a relative
    /// `-o` report into the scanned tree.
    /// </summary>
    private static ImmutableArray<string> Arguments(List<string> words, string file, string path, string? resourceDirectory, string directory)
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
            if (IncludeFlags.PathFlags.Contains(word) && i + 1 < words.Count)
            {
                result.Add(word);
                result.Add(Absolute(words[++i], directory));
                continue;
            }
            if (IncludeFlags.JoinedFlagOf(word) is { } joined)
            {
                result.Add(joined + Absolute(word[joined.Length..], directory));
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

    private static string Absolute(string value, string directory) => Path.IsPathRooted(value) ? value : Path.GetFullPath(value, directory);

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
            if (responseFile is not null && RegularFiles.Exists(responseFile))
            {
                try
                {
                    if (SplitCommand(RegularFiles.ReadAllText(responseFile)).Value is { } held)
                    {
                        result.AddRange(ExpandResponseFiles(held, directory, depth + 1));
                        continue;
                    }
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

    /// <summary>
    /// A POSIX shell split, as clang's JSONCompilationDatabase does it: whitespace separates words, quotes group,
    /// a backslash escapes the next character outside quotes and only `\` `"` `$` and a backquote inside double quotes;
    /// single quotes keep everything. An unclosed quote is an error, not a silently merged tail.
    /// </summary>
    public static Checked<List<string>> SplitCommand(string command)
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
                else if (ch == '\\' && quote == '"' && i + 1 < command.Length && command[i + 1] is '\\' or '"' or '$' or '`')
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
        if (quote != '\0')
        {
            return new InputError($"has an unclosed {quote} quote");
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return Checked<List<string>>.Of(words);
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
