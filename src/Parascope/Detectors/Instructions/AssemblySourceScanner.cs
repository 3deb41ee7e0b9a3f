using System.Collections.Immutable;
using System.Text;
using Parascope.Discovery;
using Parascope.Model;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// Reads a .s/.S file the way cpp and the assembler would, without running either: comments of both families
/// (/* */, //; `#` to end of line on x86 when it is not a directive; `;` to end of line on Darwin arm64, where
/// `%%` separates statements and `;` separates them on x86), string directives, labels and ENTRY(name)-style
/// macros for the enclosing symbol, #define and .macro bodies (context asm-macro), #if conditions evaluated
/// with the unit's defines. Yields every statement; classification is the caller's.
/// </summary>
public static class AssemblySourceScanner
{
    private static readonly HashSet<string> Directives = new(StringComparer.Ordinal)
    {
        "if", "ifdef", "ifndef", "elif", "elifdef", "elifndef", "else", "endif", "define", "undef", "include",
        "include_next", "import", "error", "warning", "pragma", "line", "ident",
    };

    /// <summary>Macros that open a function in XNU's assembly (ENTRY(name), LEAF(name, …), LEXT(name), Entry(name)…).</summary>
    internal static bool IsEntryMacro(string word) =>
        word.Contains("ENTRY", StringComparison.OrdinalIgnoreCase) || word.Contains("LEAF", StringComparison.Ordinal)
        || word is "LEXT" or "NESTED" or "LABEL" or "BEGIN_FUNC" or "ALIGNED_LEAF" or "GLOBAL" or "FUNCTION" or "TRAMP_ENTRY";

    /// <summary>The paths a file names in #include lines (`&lt;arm64/proc_reg.h&gt;` → arm64/proc_reg.h), conditions ignored.</summary>
    public static IEnumerable<string> Includes(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimStart();
            if (!line.StartsWith('#'))
            {
                continue;
            }
            var rest = line[1..].TrimStart();
            if (!rest.StartsWith("include", StringComparison.Ordinal))
            {
                continue;
            }
            var open = rest.IndexOfAny(['<', '"']);
            if (open < 0)
            {
                continue;
            }
            var close = rest.IndexOfAny(['>', '"'], open + 1);
            if (close > open + 1)
            {
                yield return rest[(open + 1)..close];
            }
        }
    }

    /// <param name="onSymbol">
    /// Told of each symbol the file defines in active code, where the scan meets it: its line, its C name, and whether an
    /// entry macro (ENTRY(x)…) defined it rather than a plain label (the call graph's assembly nodes).
    /// </param>
    /// <param name="compiled">
    /// Whether the preprocessor compiled a line (1-based), when it ran over the file (<see cref="Parsing.AssemblyScope.Compiled"/>):
    /// it then decides what is active, and <paramref name="defines"/> only what a statement's condition is written as.
    /// Without it the conditionals are evaluated with <paramref name="defines"/>, which knows no macro a header defines.
    /// </param>
    public static IEnumerable<AsmStatement> Scan(string text, InstructionFamily family, IReadOnlyDictionary<string, string> defines,
        Action<int, string, bool>? onSymbol = null, Func<int, bool>? compiled = null)
    {
        var conditionals = new Conditionals(defines);
        bool Active(int line) => compiled?.Invoke(line) ?? conditionals.Active;
        var lines = text.Split('\n');
        var inComment = false;
        string? function = null;
        string? gasMacro = null;
        var gasParameters = ImmutableArray<string>.Empty;
        var intel = false;
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].TrimEnd('\r');
            var lineNumber = index + 1;
            if (!inComment && line.TrimStart().StartsWith('#'))
            {
                var directive = line.TrimStart()[1..].TrimStart();
                var keyword = Word(directive);
                if (Directives.Contains(keyword))
                {
                    // Join continuation lines of the directive.
                    var parts = new List<(int Line, string Text)> { (lineNumber, line) };
                    while (parts[^1].Text.EndsWith('\\') && index + 1 < lines.Length)
                    {
                        index++;
                        parts.Add((index + 1, lines[index].TrimEnd('\r')));
                    }
                    var argument = string.Join(' ', parts.Select(p => p.Text.TrimEnd('\\'))).TrimStart()[1..].TrimStart()[keyword.Length..];
                    if (conditionals.Apply(keyword, StripComments(argument)))
                    {
                        continue;
                    }
                    if (keyword == "define")
                    {
                        foreach (var statement in DefineBody(parts, family, conditionals, Active(lineNumber), function))
                        {
                            yield return statement;
                        }
                    }
                    else if (keyword == "undef")
                    {
                        conditionals.Undefine(Word(argument.Trim()));
                    }
                    continue;
                }
                if (Architecture.SyntaxOf(family).LineComment == '#' || keyword.Length == 0 || !char.IsAsciiLetter(keyword[0]))
                {
                    continue; // a `#` comment line (x86), or cpp line markers
                }
            }
            var code = RemoveComments(line, family, ref inComment, out var columns);
            foreach (var (start, statementText) in SplitStatements(code, family))
            {
                var trimmed = statementText.Trim();
                if (trimmed.Length == 0)
                {
                    continue;
                }
                var column = columns[start + (statementText.Length - statementText.TrimStart().Length)] + 1;
                // Labels and entry macros give the enclosing symbol.
                var rest = trimmed;
                while (LeadingLabel(rest, out var label, out var after))
                {
                    if (!IsLocalLabel(label) && gasMacro is null)
                    {
                        function = CName(label);
                        if (Active(lineNumber))
                        {
                            onSymbol?.Invoke(lineNumber, function, false);
                        }
                    }
                    rest = after.TrimStart();
                }
                var first = Word(rest);
                if (first.Length > 0 && rest.Length > first.Length && rest[first.Length] == '(' && IsEntryMacro(first))
                {
                    var close = rest.IndexOfAny([',', ')'], first.Length + 1);
                    if (close > first.Length + 1)
                    {
                        // ENTRY(x) and friends take the C name and add Mach-O's underscore themselves (EXT(x) is _x).
                        function = rest[(first.Length + 1)..close].Trim();
                        if (Active(lineNumber) && gasMacro is null)
                        {
                            onSymbol?.Invoke(lineNumber, function, true);
                        }
                    }
                    continue;
                }
                var lower = first.ToLowerInvariant();
                if (lower == ".intel_syntax")
                {
                    intel = true;
                    continue;
                }
                if (lower == ".att_syntax")
                {
                    intel = false;
                    continue;
                }
                if (lower == ".macro")
                {
                    var header = rest[first.Length..].TrimStart().TrimStart(',');
                    gasMacro = Word(header);
                    gasParameters = GasParameters(header[gasMacro.Length..]);
                    continue;
                }
                if (lower is ".endm" or ".endmacro")
                {
                    gasMacro = null;
                    gasParameters = [];
                    continue;
                }
                if (rest.Length == 0)
                {
                    continue;
                }
                yield return new AsmStatement
                {
                    Line = lineNumber,
                    Column = column,
                    Text = rest,
                    Context = gasMacro is null ? SourceContext.AsmFile : SourceContext.AsmMacro,
                    Macro = gasMacro,
                    MacroParameters = gasMacro is null ? [] : UsedParameters(rest, gasParameters),
                    InGasMacro = gasMacro is not null,
                    Function = gasMacro is null ? function : null,
                    Condition = conditionals.Condition,
                    Conditions = conditionals.Conditions.ToImmutableArray(),
                    Active = Active(lineNumber),
                    IntelSyntax = intel,
                };
            }
        }
    }

    private static IEnumerable<AsmStatement> DefineBody(List<(int Line, string Text)> parts, InstructionFamily family, Conditionals conditionals, bool active, string? function)
    {
        // `#define NAME(args) body`: find where the body starts on the first line.
        var first = parts[0].Text;
        var at = first.IndexOf("define", StringComparison.Ordinal) + "define".Length;
        while (at < first.Length && char.IsWhiteSpace(first[at])) at++;
        var nameStart = at;
        while (at < first.Length && (char.IsAsciiLetterOrDigit(first[at]) || first[at] == '_')) at++;
        var name = first[nameStart..at];
        var parameters = ImmutableArray<string>.Empty;
        if (at < first.Length && first[at] == '(')
        {
            var close = first.IndexOf(')', at);
            if (close > at)
            {
                parameters = first[(at + 1)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
            }
            at = close < 0 ? first.Length : close + 1;
        }
        var bodyFirst = first[at..];
        var objectLike = parts.Count == 1;
        conditionals.Define(name, objectLike ? StripComments(bodyFirst).Trim() : "1");
        var inComment = false;
        for (var i = 0; i < parts.Count; i++)
        {
            var (lineNumber, raw) = parts[i];
            var offset = i == 0 ? at : 0;
            var segment = raw[offset..].TrimEnd();
            if (segment.EndsWith('\\'))
            {
                segment = segment[..^1];
            }
            var code = RemoveComments(segment, family, ref inComment, out var columns);
            foreach (var (start, statementText) in SplitStatements(code, family))
            {
                var trimmed = statementText.Trim();
                if (trimmed.Length == 0)
                {
                    continue;
                }
                var column = offset + columns[start + (statementText.Length - statementText.TrimStart().Length)] + 1;
                yield return new AsmStatement
                {
                    Line = lineNumber,
                    Column = column,
                    Text = trimmed,
                    Context = SourceContext.AsmMacro,
                    Macro = name,
                    MacroParameters = parameters.Any(p => ContainsWord(trimmed, p)) ? parameters : [],
                    Function = null,
                    Condition = conditionals.Condition,
                    Conditions = conditionals.Conditions.ToImmutableArray(),
                    Active = active,
                };
            }
        }
    }

    /// <summary>
    /// The parameters of `.macro NAME a, b=1, c:vararg` as they are written in the body (`\a`); a macro with none
    /// takes Apple as's positional `$0`…`$9`.
    /// </summary>
    private static ImmutableArray<string> GasParameters(string list)
    {
        var names = list.Split([',', ' ', '\t'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', ':')[0].Trim())
            .Where(p => p.Length > 0 && (char.IsAsciiLetter(p[0]) || p[0] == '_'))
            .Select(p => "\\" + p)
            .ToImmutableArray();
        return names.IsEmpty ? Enumerable.Range(0, 10).Select(n => "$" + n).ToImmutableArray() : names;
    }

    private static ImmutableArray<string> UsedParameters(string text, ImmutableArray<string> parameters) =>
        parameters.Any(p => text.Contains(p, StringComparison.Ordinal) && (p[0] != '$' || ContainsWord(text, p))) ? parameters : [];

    /// <summary>WORD stands alone in TEXT (not part of a longer identifier or number).</summary>
    internal static bool ContainsWord(string text, string word)
    {
        for (var at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !(char.IsAsciiLetterOrDigit(text[at - 1]) || text[at - 1] == '_');
            var end = at + word.Length;
            var after = end >= text.Length || !(char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_');
            if (before && after)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The C name of an assembly symbol: Mach-O prefixes one underscore to every C name (`_foo` is `foo`, `__foo` is `_foo`).</summary>
    public static string CName(string symbol) => symbol.StartsWith('_') ? symbol[1..] : symbol;

    internal static bool LeadingLabel(string text, out string label, out string after)
    {
        var i = 0;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '$'))
        {
            i++;
        }
        if (i > 0 && i < text.Length && text[i] == ':' && (i + 1 >= text.Length || text[i + 1] != ':'))
        {
            label = text[..i];
            after = text[(i + 1)..];
            return true;
        }
        label = after = string.Empty;
        return false;
    }

    /// <summary>Mach-O local labels (L…, .L…) and numeric labels do not name a function.</summary>
    internal static bool IsLocalLabel(string label) =>
        label.Length == 0 || char.IsAsciiDigit(label[0]) || label[0] == 'L' || label.StartsWith(".L", StringComparison.Ordinal)
        || label[0] == '.';

    internal static string Word(string text)
    {
        var i = 0;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.'))
        {
            i++;
        }
        return text[..i];
    }

    private static string StripComments(string text)
    {
        var inComment = false;
        return RemoveComments(text, InstructionFamily.Arm64, ref inComment, out _);
    }

    /// <summary>Each column its own: the map of a line that loses at most its line comment (shared, never written).</summary>
    private static readonly int[] SameColumns = [.. Enumerable.Range(0, 1024)];

    /// <summary>
    /// The line with comments blanked out (strings kept), and for each kept character its column in the line.
    /// </summary>
    internal static string RemoveComments(string line, InstructionFamily family, ref bool inComment, out int[] columns)
    {
        var lineComment = Architecture.SyntaxOf(family).LineComment;
        if (!inComment && line.Length < SameColumns.Length && CodeBeforeLineComment(line, lineComment) is { } cut)
        {
            // Most lines have no block comment and no string: the code is the line up to its line comment, each kept
            // character in its own column. No copy of the line and no map made (the unread files' sweep made them for
            // every line of every assembly file, scan after scan).
            columns = SameColumns;
            return cut == line.Length ? line : line[..cut];
        }
        var builder = new StringBuilder(line.Length);
        var map = new List<int>(line.Length + 1);
        var i = 0;
        while (i < line.Length)
        {
            if (inComment)
            {
                var end = line.IndexOf("*/", i, StringComparison.Ordinal);
                if (end < 0)
                {
                    i = line.Length;
                    break;
                }
                inComment = false;
                builder.Append(' ');
                map.Add(i);
                i = end + 2;
                continue;
            }
            var c = line[i];
            if (c == '/' && i + 1 < line.Length && line[i + 1] == '*')
            {
                inComment = true;
                i += 2;
                continue;
            }
            if (c == '/' && i + 1 < line.Length && line[i + 1] == '/')
            {
                break;
            }
            if (c == lineComment)
            {
                break;
            }
            if (c == '"')
            {
                var end = i + 1;
                while (end < line.Length && line[end] != '"')
                {
                    end += line[end] == '\\' ? 2 : 1;
                }
                end = Math.Min(end + 1, line.Length);
                for (var k = i; k < end; k++)
                {
                    builder.Append(line[k]);
                    map.Add(k);
                }
                i = end;
                continue;
            }
            builder.Append(c);
            map.Add(i);
            i++;
        }
        map.Add(line.Length);
        columns = map.ToArray();
        return builder.ToString();
    }

    /// <summary>
    /// Where LINE's code ends (its line comment's start, or its length) when nothing before that opens a block comment or
    /// a string; null otherwise.
    /// </summary>
    private static int? CodeBeforeLineComment(string line, char lineComment)
    {
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            var slashNext = c == '/' && i + 1 < line.Length;
            if (c == '"' || (slashNext && line[i + 1] == '*'))
            {
                return null;
            }
            if ((slashNext && line[i + 1] == '/') || c == lineComment)
            {
                return i;
            }
        }
        return line.Length;
    }

    /// <summary>Statements of a comment-free line: `;` separates them on x86, `%%` on Darwin arm64. Strings are not split.</summary>
    internal static IEnumerable<(int Start, string Text)> SplitStatements(string code, InstructionFamily family)
    {
        var separator = Architecture.SyntaxOf(family).StatementSeparator;
        var start = 0;
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '"')
            {
                i++;
                while (i < code.Length && code[i] != '"')
                {
                    i += code[i] == '\\' ? 2 : 1;
                }
                i++;
                continue;
            }
            if (string.CompareOrdinal(code, i, separator, 0, separator.Length) == 0)
            {
                yield return (start, code[start..i]);
                start = i + separator.Length;
                i += separator.Length - 1;
            }
            i++;
        }
        if (start < code.Length)
        {
            yield return (start, code[start..]);
        }
    }
}
