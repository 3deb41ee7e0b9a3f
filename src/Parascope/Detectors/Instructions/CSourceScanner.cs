using System.Collections.Immutable;
using System.Text;
using Parascope.Discovery;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// Finds GCC-style asm statements (asm/__asm/__asm__, qualifiers, basic and extended) in C and C++ text by
/// reading it lexically: comments, strings and character literals outside asm are skipped, the template is the
/// string literals before the first `:` (pieces over several lines, macro names between them kept as written),
/// then split at `\n` and `;` with `%%` unescaped. Asm in a #define body is reported with the macro's name
/// (context asm-macro). One scan per file serves every unit that includes it, active code and skipped code alike;
/// which lines a unit compiled is the unit's business (its inactive ranges).
/// </summary>
public static class CSourceScanner
{
    public sealed record Result(ImmutableArray<AsmStatement> Statements, ImmutableHashSet<string> AsmMacros)
    {
        /// <summary>Calls of builtin names found lexically (for code the AST did not see: skipped branches, failed parses).</summary>
        public ImmutableArray<LexicalCall> Calls { get; init; } = [];
        /// <summary>`#define NAME "text"` lines of the file (to resolve a register given through a macro, lexically).</summary>
        public ImmutableDictionary<string, string> StringMacros { get; init; } = ImmutableDictionary<string, string>.Empty;
    }

    /// <summary>A call of a builtin name written in the file: where, the name, its first argument as written.</summary>
    public sealed record LexicalCall(int Line, int Column, string Name, ImmutableArray<string> Arguments, string? Function, ImmutableArray<string> Conditions, string? Condition)
    {
        public string FirstArgument => Arguments.IsEmpty ? string.Empty : Arguments[0];
        /// <summary>An invocation of one of the file's own asm macros whose text uses a parameter (not a builtin).</summary>
        public bool IsAsmMacro { get; init; }
    }

    public static readonly Result Empty = new([], []);

    public static Result Scan(string text) => Scan(text, null);

    public static Result Scan(string text, IReadOnlySet<string>? builtinNames)
    {
        var hasBuiltins = builtinNames is { Count: > 0 } && text.Contains("__", StringComparison.Ordinal);
        if (!text.Contains("asm", StringComparison.Ordinal) && !hasBuiltins)
        {
            return Empty;
        }
        var scanner = new Scanner(text, hasBuiltins ? builtinNames : null);
        scanner.Run();
        return scanner.Statements.Count == 0 && scanner.Calls.Count == 0
            ? Empty
            : new Result(scanner.Statements.ToImmutableArray(), scanner.Statements.Where(s => s.Macro is not null).Select(s => s.Macro!).ToImmutableHashSet(StringComparer.Ordinal))
            {
                Calls = scanner.Calls.ToImmutableArray(),
                StringMacros = scanner.StringMacros.ToImmutableDictionary(StringComparer.Ordinal),
            };
    }

    private sealed class Scanner(string text, IReadOnlySet<string>? builtinNames)
    {
        public readonly List<AsmStatement> Statements = new();
        public readonly List<LexicalCall> Calls = new();
        public readonly Dictionary<string, string> StringMacros = new(StringComparer.Ordinal);
        private readonly Conditionals _conditionals = new(ImmutableDictionary<string, string>.Empty);
        // The line index SourceText keeps for every file (Parsing), over this text.
        private readonly SourceText _lines = new(string.Empty, text);

        // Lexical function tracking: the last `name(` at file/class level, and the brace that opened a body.
        private string? _candidate;
        private ImmutableArray<string> _parameters = [];
        private readonly HashSet<string> _parametricMacros = new(StringComparer.Ordinal);
        private bool _sawCloseParen;
        private int _braceDepth;
        private int _functionBrace = -1;
        private string? _function;
        private int _parenDepth;

        public void Run()
        {
            var i = 0;
            var atLineStart = true;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\n')
                {
                    atLineStart = true;
                    i++;
                    continue;
                }
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }
                if (c == '#' && atLineStart)
                {
                    i = Directive(i);
                    atLineStart = true;
                    continue;
                }
                atLineStart = false;
                if (c == '/' && Peek(i + 1) == '/')
                {
                    i = SkipLineComment(i);
                    continue;
                }
                if (c == '/' && Peek(i + 1) == '*')
                {
                    i = SkipBlockComment(i);
                    continue;
                }
                if (c == '"' || c == '\'')
                {
                    i = SkipQuoted(i, text.Length);
                    continue;
                }
                if (char.IsAsciiLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }
                    var word = text[start..i];
                    if (IsAsmKeyword(word))
                    {
                        i = AsmFunctionAt(i) ?? AsmStatementAt(i, text.Length, null);
                        continue;
                    }
                    if (builtinNames is not null && word[0] == '_' && builtinNames.Contains(word))
                    {
                        RecordCall(start, i, word, false);
                    }
                    else if (_parametricMacros.Count > 0 && _parametricMacros.Contains(word))
                    {
                        RecordCall(start, i, word, true);
                    }
                    if (_function is null && _parenDepth == 0)
                    {
                        var next = SkipSpace(i, text.Length);
                        if (next < text.Length && text[next] == '(' && !IsKeyword(word))
                        {
                            _candidate = QualifiedName(start, word);
                            _sawCloseParen = false;
                        }
                    }
                    continue;
                }
                switch (c)
                {
                    case '(':
                        _parenDepth++;
                        break;
                    case ')':
                        _parenDepth = Math.Max(0, _parenDepth - 1);
                        if (_parenDepth == 0)
                        {
                            _sawCloseParen = true;
                        }
                        break;
                    case ';' or '=' when _parenDepth == 0 && _function is null:
                        _candidate = null;
                        break;
                    case '{':
                        if (_function is null && _candidate is not null && _sawCloseParen && _parenDepth == 0)
                        {
                            _function = _candidate;
                            _functionBrace = _braceDepth;
                        }
                        _candidate = null;
                        _braceDepth++;
                        break;
                    case '}':
                        _braceDepth = Math.Max(0, _braceDepth - 1);
                        if (_function is not null && _braceDepth == _functionBrace)
                        {
                            _function = null;
                            _functionBrace = -1;
                        }
                        _candidate = null;
                        break;
                }
                i++;
            }
        }

        private void RecordCall(int start, int end, string name, bool asmMacro)
        {
            var open = SkipTrivia(end, text.Length);
            if (open >= text.Length || text[open] != '(')
            {
                return;
            }
            var arguments = ImmutableArray.CreateBuilder<string>();
            var argumentStart = open + 1;
            var at = open + 1;
            var depth = 0;
            while (at < text.Length)
            {
                var c = text[at];
                if (c == '"' || c == '\'')
                {
                    at = SkipQuoted(at, text.Length);
                    continue;
                }
                if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && depth-- == 0)
                {
                    break;
                }
                else if (c == ',' && depth == 0)
                {
                    arguments.Add(text[argumentStart..at].Trim());
                    argumentStart = at + 1;
                }
                at++;
            }
            arguments.Add(text[argumentStart..Math.Min(at, text.Length)].Trim());
            var line = LineOf(start);
            Calls.Add(new LexicalCall(line, start - _lines.LineStarts[line - 1] + 1, name, arguments.ToImmutable(), _function,
                _conditionals.Conditions.ToImmutableArray(), _conditionals.Condition)
            { IsAsmMacro = asmMacro });
        }

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

        private static bool IsAsmKeyword(string word) => word is "asm" or "__asm" or "__asm__";

        private static bool IsKeyword(string word) => word is "if" or "while" or "for" or "switch" or "return" or "sizeof"
            or "__attribute__" or "__typeof__" or "typeof" or "defined" or "__declspec" or "alignof" or "_Alignof" or "decltype";

        private string QualifiedName(int start, string word)
        {
            var i = start;
            while (i >= 2 && text[i - 1] == ':' && text[i - 2] == ':')
            {
                var j = i - 2;
                while (j > 0 && (char.IsAsciiLetterOrDigit(text[j - 1]) || text[j - 1] is '_' or '~'))
                {
                    j--;
                }
                if (j == i - 2)
                {
                    break;
                }
                i = j;
            }
            return text[i..start] + word;
        }

        /// <summary>A preprocessor line (with continuations): conditionals are tracked, #define bodies searched for asm.</summary>
        private int Directive(int hash)
        {
            var end = hash;
            while (end < text.Length && text[end] != '\n')
            {
                if (text[end] == '\\' && end + 1 < text.Length && (text[end + 1] == '\n' || text[end + 1] == '\r' && Peek(end + 2) == '\n'))
                {
                    end += text[end + 1] == '\r' ? 3 : 2;
                    continue;
                }
                if (text[end] == '/' && Peek(end + 1) == '*')
                {
                    end = SkipBlockComment(end);
                    continue;
                }
                end++;
            }
            var i = SkipSpace(hash + 1, end);
            var keywordStart = i;
            while (i < end && char.IsAsciiLetter(text[i]))
            {
                i++;
            }
            var keyword = text[keywordStart..i];
            if (keyword == "define")
            {
                i = SkipSpace(i, end);
                var nameStart = i;
                while (i < end && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                var name = text[nameStart..i];
                _parameters = [];
                if (i < end && text[i] == '(')
                {
                    var close = text.IndexOf(')', i);
                    if (close > i && close < end)
                    {
                        _parameters = text[(i + 1)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
                    }
                    i = close < 0 || close > end ? end : close + 1;
                }
                var before = Statements.Count;
                ScanMacroBody(i, end, name);
                if (Statements.Skip(before).Any(st => !st.MacroParameters.IsEmpty))
                {
                    _parametricMacros.Add(name);
                }
                _parameters = [];
                var value = text[i..end].Trim();
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"' && value.IndexOf('"', 1) == value.Length - 1)
                {
                    StringMacros.TryAdd(name, value[1..^1]);
                }
            }
            else if (keyword.Length > 0)
            {
                var argument = text[i..end].Replace("\\\r\n", " ", StringComparison.Ordinal).Replace("\\\n", " ", StringComparison.Ordinal);
                _conditionals.Apply(keyword, RemoveComments(argument));
            }
            return end;
        }

        private static string RemoveComments(string argument)
        {
            var inComment = false;
            return AssemblySourceScanner.RemoveComments(argument, InstructionFamily.Arm64, ref inComment, out _);
        }

        private void ScanMacroBody(int start, int end, string name)
        {
            var i = start;
            while (i < end)
            {
                var c = text[i];
                if (c == '/' && Peek(i + 1) == '/')
                {
                    i = Math.Min(SkipLineComment(i), end);
                    continue;
                }
                if (c == '/' && Peek(i + 1) == '*')
                {
                    i = SkipBlockComment(i);
                    continue;
                }
                if (c == '"' || c == '\'')
                {
                    i = SkipQuoted(i, end);
                    continue;
                }
                if (char.IsAsciiLetter(c) || c == '_')
                {
                    var wordStart = i;
                    while (i < end && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }
                    if (IsAsmKeyword(text[wordStart..i]))
                    {
                        i = AsmStatementAt(i, end, name);
                    }
                    continue;
                }
                i++;
            }
        }

        /// <summary>
        /// An old-style assembler function (`asm int intr_disable() { pushfl; cli }`, pre-GCC compilers): its body is
        /// assembly, one statement per line or `;`. Returns where reading stopped, or null when the text is not one.
        /// </summary>
        private int? AsmFunctionAt(int afterKeyword)
        {
            var i = SkipTrivia(afterKeyword, text.Length);
            string? name = null;
            var words = 0;
            while (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                name = text[start..i];
                words++;
                i = SkipTrivia(i, text.Length);
            }
            if (words < 2 || i >= text.Length || text[i] != '(' || name is "volatile" or "__volatile__" or "goto")
            {
                return null;
            }
            var close = text.IndexOf(')', i);
            if (close < 0)
            {
                return null;
            }
            var open = SkipTrivia(close + 1, text.Length);
            if (open >= text.Length || text[open] != '{')
            {
                return null;
            }
            var end = text.IndexOf('}', open);
            if (end < 0)
            {
                return null;
            }
            var template = new StringBuilder();
            var origins = new List<int>();
            for (var k = open + 1; k < end; k++)
            {
                if (text[k] == '/' && Peek(k + 1) == '*')
                {
                    k = SkipBlockComment(k) - 1;
                    continue;
                }
                template.Append(text[k]);
                origins.Add(k);
            }
            var outer = _function;
            _function = name;
            Emit(template.ToString(), origins, null);
            _function = outer;
            return end + 1;
        }

        /// <summary>Reads `(qualifiers) ( "template" … : …)` after an asm keyword; returns where reading stopped.</summary>
        private int AsmStatementAt(int afterKeyword, int limit, string? macro)
        {
            var i = SkipTrivia(afterKeyword, limit);
            while (i < limit && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
            {
                var start = i;
                while (i < limit && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                var qualifier = text[start..i];
                if (qualifier is not ("volatile" or "__volatile__" or "__volatile" or "goto" or "inline" or "__inline"))
                {
                    return start;
                }
                i = SkipTrivia(i, limit);
            }
            if (i >= limit || text[i] != '(')
            {
                return i;
            }
            i++;
            var template = new StringBuilder();
            var origins = new List<int>();
            var depth = 1;
            while (i < limit && depth > 0)
            {
                i = SkipTrivia(i, limit);
                if (i >= limit)
                {
                    break;
                }
                var c = text[i];
                if (c == '"')
                {
                    var quote = i;
                    i = DecodeString(i, limit, template, origins, quote);
                    continue;
                }
                if (c == '(')
                {
                    depth++;
                }
                else if (c == ')')
                {
                    depth--;
                    if (depth == 0)
                    {
                        i++;
                        break;
                    }
                }
                else if (c == ':' && depth == 1)
                {
                    i = SkipToClose(i, limit);
                    break;
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    // A macro name between pieces ("msr " SR ", %0"): kept as written, so the statement reads as in source.
                    var start = i;
                    while (i < limit && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }
                    foreach (var ch in text[start..i])
                    {
                        template.Append(ch);
                        origins.Add(start);
                    }
                    continue;
                }
                else if (c == '#')
                {
                    // #param stringification inside a macro body ("msr DBGBCR" #n "_EL1"): the argument's text pasted
                    // between the pieces, marked ##n## so an expansion can put its argument there.
                    var name = SkipTrivia(i + 1, limit);
                    var nameEnd = name;
                    while (nameEnd < limit && (char.IsAsciiLetterOrDigit(text[nameEnd]) || text[nameEnd] == '_'))
                    {
                        nameEnd++;
                    }
                    if (nameEnd > name && macro is not null)
                    {
                        if (template.Length > 0 && template[^1] == ' ')
                        {
                            template.Length--;
                            origins.RemoveAt(origins.Count - 1);
                        }
                        foreach (var ch in "##" + text[name..nameEnd] + "##")
                        {
                            template.Append(ch);
                            origins.Add(i);
                        }
                        i = nameEnd;
                        continue;
                    }
                    template.Append(' ');
                    origins.Add(i);
                }
                i++;
            }
            Emit(template.ToString(), origins, macro);
            return i;
        }

        private int SkipToClose(int i, int limit)
        {
            var depth = 1;
            while (i < limit && depth > 0)
            {
                var c = text[i];
                if (c == '"' || c == '\'')
                {
                    i = SkipQuoted(i, limit);
                    continue;
                }
                if (c == '(') depth++;
                else if (c == ')') depth--;
                i++;
            }
            return i;
        }

        private int DecodeString(int quote, int limit, StringBuilder template, List<int> origins, int origin)
        {
            var i = quote + 1;
            while (i < limit && text[i] != '"')
            {
                var c = text[i];
                if (c == '\\' && i + 1 < limit)
                {
                    var e = text[i + 1];
                    i += 2;
                    switch (e)
                    {
                        case 'n': template.Append('\n'); break;
                        case 't': template.Append('\t'); break;
                        case 'r': template.Append(' '); break;
                        case '\n': continue; // line continuation inside a string in a macro body
                        case '\r': if (Peek(i) == '\n') i++; continue;
                        default: template.Append(e); break;
                    }
                    origins.Add(origin);
                    continue;
                }
                if (c == '\n')
                {
                    break;
                }
                template.Append(c);
                origins.Add(origin);
                i++;
            }
            template.Append(' ');
            origins.Add(origin);
            return Math.Min(i + 1, limit);
        }

        private void Emit(string template, List<int> origins, string? macro)
        {
            var start = 0;
            for (var i = 0; i <= template.Length; i++)
            {
                if (i < template.Length && template[i] is not ('\n' or ';'))
                {
                    continue;
                }
                var piece = template[start..i];
                var comment = piece.IndexOf("//", StringComparison.Ordinal);
                if (comment >= 0)
                {
                    piece = piece[..comment];
                }
                // `# text` starts an x86 comment; `#3` is an arm64 immediate and stays.
                for (var hash = piece.IndexOf('#'); hash >= 0; hash = piece.IndexOf('#', hash + 1))
                {
                    if (hash + 1 < piece.Length && piece[hash + 1] == '#')
                    {
                        hash++; // ##n##: a pasted macro parameter, not a comment
                        continue;
                    }
                    if (hash + 1 >= piece.Length || char.IsWhiteSpace(piece[hash + 1]) || piece[..hash].Trim().Length == 0)
                    {
                        piece = piece[..hash];
                        break;
                    }
                }
                var lead = 0;
                while (lead < piece.Length && char.IsWhiteSpace(piece[lead]))
                {
                    lead++;
                }
                var statement = piece.Trim().Replace("%%", "%", StringComparison.Ordinal);
                if (statement.Length > 0)
                {
                    var offset = origins[start + lead];
                    var line = LineOf(offset);
                    Statements.Add(new AsmStatement
                    {
                        Line = line,
                        Column = offset - _lines.LineStarts[line - 1] + 1,
                        Text = statement,
                        Context = macro is null ? SourceContext.InlineAsm : SourceContext.AsmMacro,
                        Macro = macro,
                        MacroParameters = macro is not null && _parameters.Any(p => ContainsWord(statement, p)) ? _parameters : [],
                        Function = macro is null ? _function : null,
                        Condition = _conditionals.Condition,
                        Conditions = _conditionals.Conditions.ToImmutableArray(),
                        Active = _conditionals.Active,
                    });
                }
                start = i + 1;
            }
        }

        private int SkipTrivia(int i, int limit)
        {
            while (i < limit)
            {
                if (char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
                else if (text[i] == '\\' && (Peek(i + 1) == '\n' || Peek(i + 1) == '\r'))
                {
                    i += 2;
                }
                else if (text[i] == '/' && Peek(i + 1) == '*')
                {
                    i = SkipBlockComment(i);
                }
                else if (text[i] == '/' && Peek(i + 1) == '/')
                {
                    i = SkipLineComment(i);
                }
                else
                {
                    break;
                }
            }
            return i;
        }

        private int SkipSpace(int i, int limit)
        {
            while (i < limit && text[i] is ' ' or '\t')
            {
                i++;
            }
            return i;
        }

        private int SkipLineComment(int i)
        {
            var end = text.IndexOf('\n', i);
            return end < 0 ? text.Length : end;
        }

        private int SkipBlockComment(int i)
        {
            var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
            return end < 0 ? text.Length : end + 2;
        }

        private int SkipQuoted(int i, int limit)
        {
            var quote = text[i];
            i++;
            while (i < limit && text[i] != quote && text[i] != '\n')
            {
                i += text[i] == '\\' ? 2 : 1;
            }
            return Math.Min(i + 1, limit);
        }

        private char Peek(int i) => i < text.Length ? text[i] : '\0';

        private int LineOf(int offset) => _lines.LineOf(offset);
    }
}
