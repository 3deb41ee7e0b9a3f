using System.Collections.Immutable;

namespace Parascope.Parsing;

/// <summary>Function definitions by file: the AST's answer to "which function is line N in".</summary>
internal sealed class FunctionSpans
{
    private readonly Dictionary<string, FunctionSpan[]> _byFile;

    private FunctionSpans(Dictionary<string, FunctionSpan[]> byFile) => _byFile = byFile;

    /// <summary>The definitions every unit's walk entered.</summary>
    public static FunctionSpans From(ImmutableArray<ParsedUnit> units) => Of(units.SelectMany(u => u.Functions));

    public static FunctionSpans Of(IEnumerable<FunctionSpan> spans) =>
        new(spans
            .GroupBy(f => f.File, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Distinct().OrderBy(f => f.StartLine).ToArray(), StringComparer.Ordinal));

    /// <summary>The innermost function whose lines hold <paramref name="line"/>, or null.</summary>
    public string? At(string file, int line)
    {
        if (!_byFile.TryGetValue(file, out var spans))
        {
            return null;
        }
        FunctionSpan? best = null;
        foreach (var span in spans)
        {
            if (span.StartLine > line)
            {
                break;
            }
            if (line <= span.EndLine && (best is null || span.StartLine >= best.StartLine))
            {
                best = span;
            }
        }
        return best?.Name;
    }
}
