using System.Collections.Concurrent;
using Parascope.Discovery;
using Parascope.Files;

namespace Parascope.Parsing;

/// <summary>A file's text with a line index, read once per scan however many units include it.</summary>
public sealed class SourceText
{
    public string Path { get; }
    public string Text { get; }
    private int[]? _lineStarts;

    public SourceText(string path, string text)
    {
        Path = path;
        Text = text;
    }

    /// <summary>Offsets where each line starts; index 0 is line 1.</summary>
    public int[] LineStarts => _lineStarts ??= ComputeLineStarts(Text);

    public int LineCount => LineStarts.Length;

    /// <summary>1-based line of a 0-based character offset.</summary>
    public int LineOf(int offset)
    {
        var index = Array.BinarySearch(LineStarts, offset);
        return index >= 0 ? index + 1 : ~index;
    }

    /// <summary>The text of a 1-based line, without its newline.</summary>
    public ReadOnlySpan<char> Line(int line)
    {
        var starts = LineStarts;
        if (line < 1 || line > starts.Length)
        {
            return ReadOnlySpan<char>.Empty;
        }
        var start = starts[line - 1];
        var end = line < starts.Length ? starts[line] : Text.Length;
        var span = Text.AsSpan(start, end - start);
        return span.TrimEnd("\r\n");
    }

    private static int[] ComputeLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }
        return starts.ToArray();
    }
}

/// <summary>Reads source files once per scan; shared by every unit and detector. Never writes.</summary>
public sealed class SourceTexts
{
    private readonly ConcurrentDictionary<string, SourceText?> _texts = new(StringComparer.Ordinal);

    /// <summary>The file's text, or null when it cannot be read.</summary>
    public SourceText? Get(string absolutePath) => _texts.GetOrAdd(absolutePath, static path =>
    {
        try
        {
            return new SourceText(path, RegularFiles.ReadAllText(path));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    });
}
