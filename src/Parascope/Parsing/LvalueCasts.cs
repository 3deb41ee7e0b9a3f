using System.Collections.Immutable;
using System.Text;
using Parascope.Clang;
using Parascope.Discovery;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>
/// Apple's GCC accepted casts as lvalues — `(u_int8_t *)p += n`, `*((uint32_t *)p)++ = v`, `++((T *)p)` — and
/// xnu-792's HFS, ISO 9660, AppleTalk and cluster code use them by the hundred; clang rejects each with "assignment
/// to cast is illegal" and drops the statement from the AST. GCC's meaning was `*(T *)&amp;(p)`: each diagnosed cast
/// of the unit's own file is rewritten so, in memory, and the unit parsed again (rewritten lines are longer, so
/// columns after a rewrite on that line refer to the rewritten text). A cast passed as the argument of a macro that
/// assigns to it (xnu-792's `MCLALLOC((caddr_t)t, wait)`) is reported at the macro's name: there each argument that
/// is a cast of a postfix expression is rewritten. Casts inside macro bodies stay diagnosed.
/// </summary>
public static partial class LvalueCasts
{
    public const string Message = "assignment to cast is illegal, lvalue casts are not supported";

    /// <summary>
    /// UNIT parsed again with its lvalue casts rewritten, when ERRORS (of a first parse) name some in its own file;
    /// null otherwise. OVERLAYS are the other in-memory files of the scan.
    /// </summary>
    public static (TranslationUnit Unit, ImmutableArray<ParseDiagnostic> Errors)? Reparse(ClangIndex index, SourceUnit unit,
        ImmutableSortedDictionary<string, string> overlays, ImmutableArray<ParseDiagnostic> errors)
    {
        var path = unit.Path;
        var sites = errors.Where(e => e.Message == Message && e.File == path).Select(e => (e.Line, e.Column)).ToList();
        if (unit.Language != SourceLanguage.C || sites.Count == 0)
        {
            return null;
        }
        return InMemoryRepair.Reparse(index, unit, overlays, text => Rewrite(text, sites));
    }

    /// <summary>TEXT with the casts that start at the 1-based (line, column) SITES rewritten; null when none could be.</summary>
    public static string? Rewrite(string text, IEnumerable<(int Line, int Column)> sites)
    {
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }
        var result = new StringBuilder(text);
        var rewritten = 0;
        // The lowest offset changed so far: a rewrite must end before it, or its offsets into TEXT no longer hold.
        var changedFrom = text.Length;
        var offsets = sites
            .Where(s => s.Line >= 1 && s.Line <= lineStarts.Count && s.Column >= 1)
            .Select(s => lineStarts[s.Line - 1] + s.Column - 1)
            .Distinct()
            .OrderDescending();
        foreach (var open in offsets)
        {
            if (open < text.Length && IsIdentifier(text[open]) && MacroArguments(text, open) is { } arguments)
            {
                // The cast is a macro argument the macro assigns to (xnu-792's `MCLALLOC((caddr_t)t, wait)`, whose body
                // is `(p) = m_mclalloc(how)`): clang reports the macro's name. Each argument that is a cast of an
                // lvalue is rewritten (later ones first, so earlier offsets hold).
                foreach (var (from, to) in arguments.AsEnumerable().Reverse())
                {
                    if (to <= changedFrom && CastOf(text, from, to) is { } cast)
                    {
                        result.Remove(cast.Start, cast.End - cast.Start).Insert(cast.Start, $"(*({cast.Type} *)&({cast.Operand}))");
                        changedFrom = cast.Start;
                        rewritten++;
                    }
                }
                continue;
            }
            if (open >= text.Length || text[open] != '(' || Balanced(text, open) is not { } close)
            {
                continue;
            }
            var start = SkipSpaces(text, close + 1);
            if (PostfixEnd(text, start) is not { } end)
            {
                continue;
            }
            if (end > changedFrom)
            {
                continue;
            }
            var type = text[(open + 1)..close].Trim();
            var operand = text[start..end];
            result.Remove(open, end - open).Insert(open, $"(*({type} *)&({operand}))");
            changedFrom = open;
            rewritten++;
        }
        return rewritten == 0 ? null : result.ToString();
    }

    /// <summary>The [from, to) spans of the arguments of the macro invocation whose name starts at NAME; null if none.</summary>
    private static List<(int From, int To)>? MacroArguments(string text, int name)
    {
        var open = SkipSpaces(text, Identifier(text, name));
        if (open >= text.Length || text[open] != '(' || Balanced(text, open) is not { } close)
        {
            return null;
        }
        var spans = new List<(int, int)>();
        var from = open + 1;
        for (var i = open + 1; i < close; i++)
        {
            if (text[i] is '(' or '[' && Balanced(text, i) is { } inner)
            {
                i = inner;
            }
            else if (text[i] == ',')
            {
                spans.Add((from, i));
                from = i + 1;
            }
        }
        spans.Add((from, close));
        return spans;
    }

    /// <summary>
    /// Where the cast in TEXT[from..to] starts and ends, its type and operand, when the span is exactly `(T) operand`
    /// around spaces, T a plain type name; null otherwise.
    /// </summary>
    private static (int Start, int End, string Type, string Operand)? CastOf(string text, int from, int to)
    {
        var open = SkipSpaces(text, from);
        if (open >= to || text[open] != '(' || Balanced(text, open) is not { } close || close >= to)
        {
            return null;
        }
        var type = text[(open + 1)..close].Trim();
        var start = SkipSpaces(text, close + 1);
        if (!PlainType().IsMatch(type) || PostfixEnd(text, start) is not { } end || text[end..to].Trim().Length > 0)
        {
            return null;
        }
        return (open, end, type, text[start..end]);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:(?:struct|union|enum|const|volatile|unsigned|signed)\s+)*[A-Za-z_][A-Za-z0-9_]*(?:\s*\*)*$")]
    private static partial System.Text.RegularExpressions.Regex PlainType();

    /// <summary>The offset of the parenthesis that closes the one at OPEN, skipping string and character literals.</summary>
    private static int? Balanced(string text, int open)
    {
        var closer = text[open] switch { '(' => ')', '[' => ']', _ => '\0' };
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '"' or '\'')
            {
                for (i++; i < text.Length && text[i] != c && text[i] != '\n'; i++)
                {
                    if (text[i] == '\\')
                    {
                        i++;
                    }
                }
                continue;
            }
            if (c == text[open])
            {
                depth++;
            }
            else if (c == closer && --depth == 0)
            {
                return i;
            }
            else if (c is ';' or '{' or '}')
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>
    /// The end of the postfix expression at START (an identifier or parenthesised expression, then any of `->x`,
    /// `.x`, `[i]`, `(args)`): what a cast applies to, as postfix operators bind tighter than casts. ++/-- are left
    /// outside, since `((T)p)++` increments the cast.
    /// </summary>
    private static int? PostfixEnd(string text, int start)
    {
        int i;
        if (start < text.Length && IsIdentifier(text[start]))
        {
            i = Identifier(text, start);
        }
        else if (start < text.Length && text[start] == '(' && Balanced(text, start) is { } close)
        {
            i = close + 1;
        }
        else
        {
            return null;
        }
        while (true)
        {
            var next = SkipSpaces(text, i);
            if (next + 1 < text.Length && text[next] == '-' && text[next + 1] == '>')
            {
                var member = SkipSpaces(text, next + 2);
                if (member >= text.Length || !IsIdentifier(text[member]))
                {
                    return null;
                }
                i = Identifier(text, member);
            }
            else if (next < text.Length && text[next] == '.' && next + 1 < text.Length && IsIdentifier(text[SkipSpaces(text, next + 1)]))
            {
                i = Identifier(text, SkipSpaces(text, next + 1));
            }
            else if (next < text.Length && text[next] is '[' or '(' && Balanced(text, next) is { } close)
            {
                i = close + 1;
            }
            else
            {
                return i;
            }
        }
    }

    private static bool IsIdentifier(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static int Identifier(string text, int i)
    {
        while (i < text.Length && IsIdentifier(text[i]))
        {
            i++;
        }
        return i;
    }

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }
        return i;
    }
}
