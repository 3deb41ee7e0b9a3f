namespace Parascope.Discovery;

/// <summary>
/// Files whose #if blocks are never closed (xnu-792.25.20's sys/kpi_socketfilter.h): Apple's old compiler accepted
/// them, clang stops. Counted here, next to <see cref="Conditionals"/>; the XNU profile appends the missing #endifs in memory.
/// </summary>
public static class UnclosedConditionals
{
    private static readonly System.Buffers.SearchValues<char> StateCharacters = System.Buffers.SearchValues.Create("\n\\/\"'");

    /// <summary>
    /// #if/#ifdef/#ifndef directives not closed by an #endif at the end of TEXT. Comments, string and character
    /// literals and line continuations are lexed, so "// see /* below" or a quoted "#if" cannot miscount (a wrong
    /// count appends an #endif a balanced file does not need, and breaks it).
    /// </summary>
    public static int Count(string text)
    {
        var depth = 0;
        var lineStart = true;
        var i = 0;
        while (i < text.Length)
        {
            if (lineStart)
            {
                lineStart = false;
                while (i < text.Length && text[i] is ' ' or '\t')
                {
                    i++;
                }
                if (i < text.Length && text[i] == '#')
                {
                    var word = i + 1;
                    while (word < text.Length && text[word] is ' ' or '\t')
                    {
                        word++;
                    }
                    var directive = text.AsSpan(word);
                    if (directive.StartsWith("if"))
                    {
                        depth++;
                    }
                    else if (directive.StartsWith("endif"))
                    {
                        depth--;
                    }
                    i = word;
                }
                continue;
            }
            // Only these characters change the lexer's state: skip to the next one (most of a file is code and prose).
            var skip = text.AsSpan(i).IndexOfAny(StateCharacters);
            if (skip < 0)
            {
                break;
            }
            i += skip;
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c == '\n')
            {
                lineStart = true;
                i++;
            }
            else if (c == '\\' && next == '\n')
            {
                i += 2;
            }
            else if (c == '/' && next == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else if (c == '/' && next == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i += text[i] == '\\' && i + 1 < text.Length ? 2 : 1;
                }
            }
            else if (c is '"' or '\'')
            {
                i++;
                while (i < text.Length && text[i] != c && text[i] != '\n')
                {
                    i += text[i] == '\\' && i + 1 < text.Length ? 2 : 1;
                }
                if (i < text.Length && text[i] == c)
                {
                    i++;
                }
            }
            else
            {
                i++;
            }
        }
        return depth;
    }
}
