using System.Collections.Immutable;
using Parascope.Discovery;
using Parascope.Parsing;

namespace Parascope.Detectors.PageTables;

/// <summary>What a lexical store candidate needs its name to be for it to be a PTE store.</summary>
public enum LexicalShape : byte
{
    /// <summary>`*p`, `*(p + i)`: p must point to PTEs.</summary>
    Deref,
    /// <summary>`p[i]`: p must be a PTE pointer, or a PTE array that is not a function's local.</summary>
    Index,
    /// <summary>`x->f`, `x.f`: the field f must be of a PTE type.</summary>
    Field,
    /// <summary>`x->f[i]`, `*x->f`: the field f must point to PTEs or be a PTE array.</summary>
    FieldPointer,
    /// <summary>`*(T *)va`, `((T *)va)[i]`: T must be a PTE type.</summary>
    Cast,
    /// <summary>A call of a PTE-store helper: the name is the callee's, no type needed.</summary>
    Helper,
}

/// <summary>
/// A store candidate read from the text: where, what it stores through, and what kind of page-table site it would be
/// (an assignment, a bulk or atomic call, a helper call). Whether it is one is decided once every file's
/// declarations are known (<see cref="LexicalPageTableStores"/>).
/// </summary>
public sealed record LexicalStoreCandidate(int Line, int Column, int EndColumn, PageTableKind Kind, string Form, LexicalShape Shape,
    string Name, string? Callee, int FunctionId, string? Function, string? Condition);

/// <summary>A declaration read from the text: `T *name`, `T name[N]`, `T name`; <see cref="FunctionId"/> -1 at file or struct level.</summary>
public readonly record struct LexicalDeclaration(string Type, string Name, byte Pointers, bool Array, int FunctionId);

/// <summary>One file's lexical page-table scan: candidates, declarations and `typedef A B;` pairs (B → A).</summary>
public sealed record LexicalPageTableScan(ImmutableArray<LexicalStoreCandidate> Candidates, ImmutableArray<LexicalDeclaration> Declarations,
    ImmutableArray<(string Name, string Target)> Typedefs)
{
    public static readonly LexicalPageTableScan Empty = new([], [], []);
}

/// <summary>
/// Reads a C/C++ file's text for PTE stores without a parse, every preprocessor branch alike: code a unit's
/// configuration skipped never reaches the AST, so this is how stores in other configurations (XNU_MONITOR, KASAN,
/// `#if 0`) are found. Assignments and `++`/`--` are candidates only when their left side is memory reached through a
/// name (`*p`, `p[i]`, `x->f`, a cast to a PTE pointer); comparisons are other tokens (`==`, `&lt;=`) and never match.
/// Declarations are kept per function so a candidate's name is resolved against the function that writes it.
/// #define bodies are not read (their parameters have no types). Conditions come from <see cref="Conditionals"/>,
/// as for the instruction detector's lexical sites.
/// </summary>
public static class LexicalPageTableScanner
{
    private readonly record struct Tok(int Start, int End, TokKind Kind);

    private enum TokKind : byte { Word, Number, String, Punct }

    /// <summary>C's multi-character punctuators the scan tells apart (the rest are one character).</summary>
    internal static readonly string[] Punctuators = ["<<=", ">>=", "...", "->", "++", "--", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "::"];

    /// <summary>
    /// The length of the punctuator at AT, the longest of <see cref="Punctuators"/> that matches (`&lt;&lt;=` before `&lt;&lt;`
    /// and `&lt;=`), else 1: decided on the next two characters, as a third of a C file's tokens are punctuation.
    /// </summary>
    internal static int PunctuatorLength(string text, int at)
    {
        var next = at + 1 < text.Length ? text[at + 1] : '\0';
        var third = at + 2 < text.Length ? text[at + 2] : '\0';
        return text[at] switch
        {
            '<' => next == '<' ? (third == '=' ? 3 : 2) : next == '=' ? 2 : 1,
            '>' => next == '>' ? (third == '=' ? 3 : 2) : next == '=' ? 2 : 1,
            '.' => next == '.' && third == '.' ? 3 : 1,
            '-' => next is '>' or '-' or '=' ? 2 : 1,
            '+' => next is '+' or '=' ? 2 : 1,
            '&' => next is '&' or '=' ? 2 : 1,
            '|' => next is '|' or '=' ? 2 : 1,
            ':' => next == ':' ? 2 : 1,
            '=' or '!' or '*' or '/' or '%' or '^' => next == '=' ? 2 : 1,
            _ => 1,
        };
    }

    private static readonly HashSet<string> Assignments = new(StringComparer.Ordinal) { "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=" };

    private static readonly HashSet<string> StatementWords = new(StringComparer.Ordinal)
    {
        "if", "while", "for", "switch", "return", "else", "do", "case", "default", "goto", "sizeof", "__typeof__", "typeof",
    };

    private static readonly HashSet<string> NotTypes = new(StringComparer.Ordinal)
    {
        "return", "else", "do", "case", "goto", "sizeof", "if", "while", "for", "switch", "default", "break", "continue",
    };

    /// <param name="text">The file.</param>
    /// <param name="helpers">Function and macro names whose call is a PTE-store helper site.</param>
    /// <param name="atomics">Atomic operation names (pt.pte-atomic's functions).</param>
    /// <param name="bulk">memset-like names (pt.pte-store's functions).</param>
    public static LexicalPageTableScan Scan(string text, NameSet helpers, NameSet atomics, NameSet bulk)
    {
        var scanner = new Scanner(text, helpers, atomics, bulk);
        scanner.Run();
        return scanner.Candidates.Count == 0 && scanner.Typedefs.Count == 0 && scanner.Declarations.Count == 0
            ? LexicalPageTableScan.Empty
            : new LexicalPageTableScan(scanner.Candidates.ToImmutableArray(), scanner.Declarations.ToImmutableArray(), scanner.Typedefs.ToImmutableArray());
    }

    private sealed class Scanner(string text, NameSet helpers, NameSet atomics, NameSet bulk)
    {
        public readonly List<LexicalStoreCandidate> Candidates = new();
        public readonly List<LexicalDeclaration> Declarations = new();
        public readonly List<(string, string)> Typedefs = new();

        // The token buffers are the thread's, reused scan after scan: grown afresh for each file they doubled and
        // copied, and the large arrays' collections were two thirds of the scan's time (bench/micro lex).
        [ThreadStatic]
        private static List<Tok>? t_tokens;
        [ThreadStatic]
        private static List<string?>? t_conditions;

        private readonly List<Tok> _tokens = Reused(ref t_tokens);
        private readonly List<string?> _conditions = Reused(ref t_conditions);

        private static List<T> Reused<T>(ref List<T>? buffer)
        {
            buffer ??= new List<T>();
            buffer.Clear();
            return buffer;
        }
        // The line index SourceText keeps for every file (Parsing), over this text.
        private readonly SourceText _lines = new(string.Empty, text);
        private readonly Conditionals _conditionals = new(ImmutableDictionary<string, string>.Empty);
        // Brace and paren depth at each open #if, restored at #elif/#else: the branches of one conditional often
        // open a block each (`#if A \n if (x) { \n #else \n if (y) { \n #endif`). After #endif the depth is the
        // deepest any of its branches ended at (a lone #if: where it ended), since a block one branch opens is closed
        // by a later conditional of the same test (xnu-4903 arm_vm_init: `#if !TWO_LEVEL \n while (…) { \n #else \n
        // … \n #endif` … `#if !TWO_LEVEL \n } \n #endif`). Keeping the #else branch's depth there closed the function
        // early, and the stores in a skipped branch after it lost the function's declarations.
        private readonly Stack<(int Braces, int Parens, int DeepestBraces, int DeepestParens)> _branchDepths = new();
        private int _braces;
        private int _parens;

        public void Run()
        {
            Lex();
            Walk();
        }

        private string Text(int index) => text[_tokens[index].Start.._tokens[index].End];

        private bool Is(int index, string value) =>
            index >= 0 && index < _tokens.Count && _tokens[index].End - _tokens[index].Start == value.Length
            && string.CompareOrdinal(text, _tokens[index].Start, value, 0, value.Length) == 0;

        private bool IsWord(int index) => index >= 0 && index < _tokens.Count && _tokens[index].Kind == TokKind.Word;

        // ---- lexing ------------------------------------------------------------------------------------------

        private void Lex()
        {
            var i = 0;
            var atLineStart = true;
            string? condition = null;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\n')
                {
                    atLineStart = true;
                    i++;
                    continue;
                }
                if (char.IsWhiteSpace(c) || (c == '\\' && i + 1 < text.Length && text[i + 1] is '\n' or '\r'))
                {
                    i++;
                    continue;
                }
                if (c == '#' && atLineStart)
                {
                    i = Directive(i);
                    condition = _conditionals.Condition;
                    continue;
                }
                atLineStart = false;
                if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
                {
                    var end = text.IndexOf('\n', i);
                    i = end < 0 ? text.Length : end;
                    continue;
                }
                if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
                {
                    var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = end < 0 ? text.Length : end + 2;
                    continue;
                }
                var start = i;
                TokKind kind;
                if (c is '"' or '\'')
                {
                    i++;
                    while (i < text.Length && text[i] != c && text[i] != '\n')
                    {
                        i += text[i] == '\\' ? 2 : 1;
                    }
                    i = Math.Min(i + 1, text.Length);
                    kind = TokKind.String;
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }
                    kind = TokKind.Word;
                }
                else if (char.IsAsciiDigit(c))
                {
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                    {
                        i++;
                    }
                    kind = TokKind.Number;
                }
                else
                {
                    i = start + PunctuatorLength(text, start);
                    kind = TokKind.Punct;
                }
                _tokens.Add(new Tok(start, i, kind));
                _conditions.Add(condition);
            }
        }

        /// <summary>A preprocessor line: conditionals are tracked (and marked in the stream), everything else skipped.</summary>
        private int Directive(int hash)
        {
            var end = hash;
            while (end < text.Length && text[end] != '\n')
            {
                if (text[end] == '\\' && end + 1 < text.Length && text[end + 1] is '\n' or '\r')
                {
                    end += text[end + 1] == '\r' && end + 2 < text.Length && text[end + 2] == '\n' ? 3 : 2;
                    continue;
                }
                if (text[end] == '/' && end + 1 < text.Length && text[end + 1] == '*')
                {
                    var close = text.IndexOf("*/", end + 2, StringComparison.Ordinal);
                    end = close < 0 ? text.Length : close + 2;
                    continue;
                }
                end++;
            }
            var i = hash + 1;
            while (i < end && text[i] is ' ' or '\t')
            {
                i++;
            }
            var keywordStart = i;
            while (i < end && char.IsAsciiLetter(text[i]))
            {
                i++;
            }
            var keyword = text[keywordStart..i];
            if (keyword is "if" or "ifdef" or "ifndef" or "elif" or "else" or "endif")
            {
                var argument = text[i..end].Replace("\\\r\n", " ", StringComparison.Ordinal).Replace("\\\n", " ", StringComparison.Ordinal);
                var comment = argument.IndexOf("//", StringComparison.Ordinal);
                if (comment >= 0)
                {
                    argument = argument[..comment];
                }
                _conditionals.Apply(keyword, StripBlockComments(argument));
                // A marker token so the walk can restore depths at branch boundaries.
                _tokens.Add(new Tok(hash, hash, TokKind.Punct));
                _conditions.Add(keyword);
            }
            return end;
        }

        private static string StripBlockComments(string argument)
        {
            while (argument.IndexOf("/*", StringComparison.Ordinal) is var open and >= 0)
            {
                var close = argument.IndexOf("*/", open + 2, StringComparison.Ordinal);
                argument = close < 0 ? argument[..open] : argument[..open] + " " + argument[(close + 2)..];
            }
            return argument.Trim();
        }

        // ---- walking -----------------------------------------------------------------------------------------

        private int _functionId = -1;
        private int _functionBrace = -1;
        private string? _function;
        private int _nextFunctionId;
        private readonly List<LexicalDeclaration> _pendingParameters = new();
        private string? _candidateFunction;

        private void Walk()
        {
            for (var k = 0; k < _tokens.Count; k++)
            {
                var token = _tokens[k];
                if (token.Start == token.End)
                {
                    Branch(_conditions[k]!);
                    continue;
                }
                if (token.Kind == TokKind.Word)
                {
                    OnWord(k);
                    continue;
                }
                if (token.Kind != TokKind.Punct)
                {
                    continue;
                }
                var value = Text(k);
                switch (value)
                {
                    case "(":
                        _parens++;
                        break;
                    case ")":
                        _parens = Math.Max(0, _parens - 1);
                        break;
                    case "{":
                        if (_function is null && _candidateFunction is not null && _parens == 0 && Is(PreviousCode(k), ")"))
                        {
                            _function = _candidateFunction;
                            _functionId = _nextFunctionId++;
                            _functionBrace = _braces;
                            foreach (var parameter in _pendingParameters)
                            {
                                Declarations.Add(parameter with { FunctionId = _functionId });
                            }
                        }
                        _pendingParameters.Clear();
                        _candidateFunction = null;
                        _braces++;
                        break;
                    case "}":
                        _braces = Math.Max(0, _braces - 1);
                        if (_function is not null && _braces == _functionBrace)
                        {
                            _function = null;
                            _functionId = -1;
                            _functionBrace = -1;
                        }
                        break;
                    case ";":
                        if (_function is null && _parens == 0)
                        {
                            _pendingParameters.Clear();
                            _candidateFunction = null;
                        }
                        break;
                    case "++" or "--":
                        OnIncrement(k);
                        break;
                    default:
                        if (Assignments.Contains(value))
                        {
                            OnAssignment(k);
                        }
                        break;
                }
            }
        }

        private void Branch(string keyword)
        {
            switch (keyword)
            {
                case "if" or "ifdef" or "ifndef":
                    _branchDepths.Push((_braces, _parens, int.MinValue, int.MinValue));
                    break;
                case "elif" or "else":
                    if (_branchDepths.TryPop(out var saved))
                    {
                        _branchDepths.Push((saved.Braces, saved.Parens, Math.Max(saved.DeepestBraces, _braces), Math.Max(saved.DeepestParens, _parens)));
                        (_braces, _parens) = (saved.Braces, saved.Parens);
                        if (_function is not null && _braces <= _functionBrace)
                        {
                            _function = null;
                            _functionId = -1;
                            _functionBrace = -1;
                        }
                    }
                    break;
                case "endif":
                    if (_branchDepths.TryPop(out var open))
                    {
                        _braces = Math.Max(_braces, open.DeepestBraces);
                        _parens = Math.Max(_parens, open.DeepestParens);
                    }
                    break;
            }
        }

        /// <summary>The previous token that is not a conditional marker.</summary>
        private int PreviousCode(int k)
        {
            var j = k - 1;
            while (j >= 0 && _tokens[j].Start == _tokens[j].End)
            {
                j--;
            }
            return j;
        }

        private int NextCode(int k)
        {
            var j = k + 1;
            while (j < _tokens.Count && _tokens[j].Start == _tokens[j].End)
            {
                j++;
            }
            return j;
        }

        private void OnWord(int k)
        {
            var word = Text(k);
            var next = NextCode(k);
            if (word == "typedef")
            {
                ReadTypedef(k);
                return;
            }
            if (Is(next, "(") && !StatementWords.Contains(word))
            {
                if (_function is null && _parens == 0 && _braces == 0)
                {
                    _candidateFunction = word;
                    _pendingParameters.Clear();
                }
                if (_function is not null && !IsDeclarator(k))
                {
                    OnCall(k, word, next);
                }
                return;
            }
            // A declaration: TYPE [*…] NAME followed by ; = , ) [ — TYPE a word that is not a statement keyword.
            if (NotTypes.Contains(word))
            {
                return;
            }
            var j = next;
            byte pointers = 0;
            while (Is(j, "*") || Is(j, "const") || Is(j, "volatile") || Is(j, "__restrict") || Is(j, "restrict"))
            {
                if (Is(j, "*"))
                {
                    pointers++;
                }
                j = NextCode(j);
            }
            if (!IsWord(j) || NotTypes.Contains(Text(j)))
            {
                return;
            }
            var after = NextCode(j);
            if (!(Is(after, ";") || Is(after, "=") || Is(after, ",") || Is(after, ")") || Is(after, "[")))
            {
                return;
            }
            // `a * b;` is no statement anyone writes; `return x;` and `case X:` are excluded above.
            var previous = PreviousCode(k);
            if (previous >= 0 && _tokens[previous].Kind == TokKind.Punct && !(Is(previous, ";") || Is(previous, "{") || Is(previous, "}")
                || Is(previous, "(") || Is(previous, ",") || Is(previous, ")") || Is(previous, ":")))
            {
                return;
            }
            var declaration = new LexicalDeclaration(word, Text(j), pointers, Is(after, "["), _function is null ? -1 : _functionId);
            if (_function is null && _parens > 0)
            {
                _pendingParameters.Add(declaration);
            }
            else
            {
                Declarations.Add(declaration);
            }
        }

        /// <summary>A name right after a type word (`void write_pte(`, `pt_entry_t *f(`): a declaration, not a call.</summary>
        private bool IsDeclarator(int k)
        {
            var previous = PreviousCode(k);
            while (Is(previous, "*"))
            {
                previous = PreviousCode(previous);
            }
            return IsWord(previous) && !StatementWords.Contains(Text(previous));
        }

        private void ReadTypedef(int k)
        {
            // typedef A B; (the last two words before the ';', no '*', no '(' or '{' in between).
            var words = new List<string>();
            for (var j = NextCode(k); j < _tokens.Count; j = NextCode(j))
            {
                if (Is(j, ";"))
                {
                    if (words.Count >= 2)
                    {
                        Typedefs.Add((words[^1], words[^2]));
                    }
                    return;
                }
                if (!IsWord(j))
                {
                    return;
                }
                words.Add(Text(j));
            }
        }

        private void OnCall(int k, string name, int open)
        {
            var close = Matching(open);
            if (close < 0)
            {
                return;
            }
            if (helpers.Contains(name))
            {
                Add(k, close, PageTableKind.Helper, "call", LexicalShape.Helper, name, name);
                return;
            }
            var isAtomic = atomics.Contains(name) && !name.Contains("load", StringComparison.Ordinal);
            var isBulk = !isAtomic && bulk.Contains(name);
            if (!isAtomic && !isBulk)
            {
                return;
            }
            var arguments = Arguments(open, close);
            var index = name.Contains("bcopy", StringComparison.Ordinal) ? 1
                : name.StartsWith("OSCompareAndSwap", StringComparison.Ordinal) || name.StartsWith("hw_compare_and_store", StringComparison.Ordinal) ? 2
                : 0;
            if (index >= arguments.Count || Address(arguments[index].Start, arguments[index].End) is not { } target)
            {
                return;
            }
            Add(k, close, isAtomic ? PageTableKind.Atomic : PageTableKind.Store, isAtomic ? "atomic" : "bulk", target.Shape, target.Name, name);
        }

        private List<(int Start, int End)> Arguments(int open, int close)
        {
            var result = new List<(int, int)>();
            var depth = 0;
            var from = open + 1;
            for (var j = open + 1; j < close; j++)
            {
                if (Is(j, "(") || Is(j, "[") || Is(j, "{"))
                {
                    depth++;
                }
                else if (Is(j, ")") || Is(j, "]") || Is(j, "}"))
                {
                    depth--;
                }
                else if (depth == 0 && Is(j, ","))
                {
                    result.Add((from, j));
                    from = j + 1;
                }
            }
            result.Add((from, close));
            return result;
        }

        /// <summary>An argument that is a PTE address: `p`, `&amp;p[i]`, `&amp;x->f`, `x->f`, `(T *)e`, `p + i`.</summary>
        private (LexicalShape Shape, string Name)? Address(int start, int end)
        {
            (start, end) = StripParens(start, end);
            if (start >= end)
            {
                return null;
            }
            if (Is(start, "&"))
            {
                return Lvalue(start + 1, end);
            }
            if (CastType(start, end) is { } cast)
            {
                return (LexicalShape.Cast, cast);
            }
            // p, p + i: the pointer itself; x->f: a field holding the pointer.
            var last = end - 1;
            if (IsWord(start) && (end - start == 1 || Is(start + 1, "+")))
            {
                return (LexicalShape.Deref, Text(start));
            }
            if (IsWord(last) && last - 1 > start && (Is(last - 1, "->") || Is(last - 1, ".")))
            {
                return (LexicalShape.FieldPointer, Text(last));
            }
            return null;
        }

        private void OnAssignment(int k)
        {
            if (_function is null)
            {
                return;
            }
            var start = LvalueStart(k);
            if (start < 0 || start >= k)
            {
                return;
            }
            // A declaration with an initializer: `pt_entry_t *p = …`, `int x = …`.
            if (IsWord(start) && (IsWord(start + 1) || Is(start + 1, "*")) && start + 1 < k)
            {
                return;
            }
            if (Lvalue(start, k) is { } target)
            {
                var form = Text(k) == "=" ? "assignment" : "compound";
                // Quoted to the end of the statement (the value stored) when that is on the same line.
                var end = k;
                for (var depth = 0; end + 1 < _tokens.Count && _tokens[end + 1].Start != _tokens[end + 1].End; end++)
                {
                    var next = Text(end + 1);
                    if (depth == 0 && next is ";" or "," or ")" or "}")
                    {
                        break;
                    }
                    depth += next is "(" or "[" ? 1 : next is ")" or "]" ? -1 : 0;
                }
                Add(start, end, PageTableKind.Store, form, target.Shape, target.Name, null);
            }
        }

        private void OnIncrement(int k)
        {
            if (_function is null)
            {
                return;
            }
            var previous = PreviousCode(k);
            if (previous >= 0 && (IsWord(previous) || Is(previous, ")") || Is(previous, "]")))
            {
                var start = LvalueStart(k);
                if (start >= 0 && start < k && Lvalue(start, k) is { } target)
                {
                    Add(start, k, PageTableKind.Store, "increment", target.Shape, target.Name, null);
                }
                return;
            }
            // Prefix: the operand runs to the end of the expression.
            var end = k + 1;
            var depth = 0;
            while (end < _tokens.Count && !(depth == 0 && (Is(end, ";") || Is(end, ",") || Is(end, ")"))))
            {
                depth += Is(end, "(") || Is(end, "[") ? 1 : Is(end, ")") || Is(end, "]") ? -1 : 0;
                end++;
            }
            if (end > k + 1 && Lvalue(k + 1, end) is { } prefixed)
            {
                Add(k, end - 1, PageTableKind.Store, "increment", prefixed.Shape, prefixed.Name, null);
            }
        }

        /// <summary>Back from an operator to where its left operand starts (after `;` `{` `}` `,` `(` or a control statement's `)`).</summary>
        private int LvalueStart(int k)
        {
            var j = k - 1;
            while (j >= 0)
            {
                if (_tokens[j].Start == _tokens[j].End)
                {
                    return j + 1; // a conditional directive lies between statements (inside one, the left side is cut short)
                }
                var value = Text(j);
                if (value is ")" or "]")
                {
                    var open = MatchingBack(j);
                    if (open < 0)
                    {
                        return -1;
                    }
                    var before = PreviousCode(open);
                    if (value == ")" && IsWord(before) && Text(before) is "if" or "while" or "for" or "switch")
                    {
                        return j + 1;
                    }
                    j = open - 1;
                    continue;
                }
                if (value is ";" or "{" or "}" or "," or "(" or "[" or ":" or "?" || Assignments.Contains(value)
                    || (IsWord(j) && value is "else" or "do" or "return"))
                {
                    return j + 1;
                }
                if (_tokens[j].Kind == TokKind.Punct && value is not ("*" or "->" or "." or "&"))
                {
                    return -1; // `a + *p = …` is not C; some other operator means we misread the statement
                }
                j--;
            }
            return 0;
        }

        /// <summary>The name a left side (tokens [start, end)) stores through, and what it must be.</summary>
        private (LexicalShape Shape, string Name)? Lvalue(int start, int end)
        {
            (start, end) = StripParens(start, end);
            if (start >= end)
            {
                return null;
            }
            var last = end - 1;
            if (Is(start, "*"))
            {
                var (innerStart, innerEnd) = StripParens(start + 1, end);
                if (innerStart >= innerEnd)
                {
                    return null;
                }
                if (CastType(innerStart, innerEnd) is { } cast)
                {
                    return (LexicalShape.Cast, cast);
                }
                var innerLast = innerEnd - 1;
                if (IsWord(innerStart) && (innerEnd - innerStart == 1 || Is(innerStart + 1, "+") || Is(innerStart + 1, "-")))
                {
                    return (LexicalShape.Deref, Text(innerStart));
                }
                if (IsWord(innerLast) && innerLast - 1 > innerStart && (Is(innerLast - 1, "->") || Is(innerLast - 1, ".")))
                {
                    return (LexicalShape.FieldPointer, Text(innerLast));
                }
                return null;
            }
            if (Is(last, "]"))
            {
                var open = MatchingBack(last);
                if (open <= start)
                {
                    return null;
                }
                var (baseStart, baseEnd) = StripParens(start, open);
                if (baseStart >= baseEnd)
                {
                    return null;
                }
                if (CastType(baseStart, baseEnd) is { } cast)
                {
                    return (LexicalShape.Cast, cast);
                }
                if (baseEnd - baseStart == 1 && IsWord(baseStart))
                {
                    return (LexicalShape.Index, Text(baseStart));
                }
                var baseLast = baseEnd - 1;
                if (IsWord(baseLast) && baseLast - 1 > baseStart && (Is(baseLast - 1, "->") || Is(baseLast - 1, ".")))
                {
                    return (LexicalShape.FieldPointer, Text(baseLast));
                }
                return null;
            }
            if (IsWord(last) && last - 1 > start && (Is(last - 1, "->") || Is(last - 1, ".")))
            {
                return (LexicalShape.Field, Text(last));
            }
            return null;
        }

        /// <summary>`(T *) e` or `(T *)` alone: T when the tokens start with a cast to a single pointer to a word.</summary>
        private string? CastType(int start, int end)
        {
            if (!Is(start, "(") || !IsWord(start + 1))
            {
                return null;
            }
            var j = start + 2;
            while (Is(j, "const") || Is(j, "volatile"))
            {
                j++;
            }
            return Is(j, "*") && Is(j + 1, ")") && j + 2 <= end ? Text(start + 1) : null;
        }

        private (int Start, int End) StripParens(int start, int end)
        {
            while (end - start >= 2 && Is(start, "(") && Matching(start) == end - 1)
            {
                start++;
                end--;
            }
            return (start, end);
        }

        private int Matching(int open)
        {
            var depth = 0;
            for (var j = open; j < _tokens.Count; j++)
            {
                if (Is(j, "(") || Is(j, "["))
                {
                    depth++;
                }
                else if ((Is(j, ")") || Is(j, "]")) && --depth == 0)
                {
                    return j;
                }
                else if (Is(j, ";") || Is(j, "{") || Is(j, "}"))
                {
                    return -1;
                }
            }
            return -1;
        }

        private int MatchingBack(int close)
        {
            var depth = 0;
            for (var j = close; j >= 0; j--)
            {
                if (Is(j, ")") || Is(j, "]"))
                {
                    depth++;
                }
                else if ((Is(j, "(") || Is(j, "[")) && --depth == 0)
                {
                    return j;
                }
                else if (Is(j, ";") || Is(j, "{") || Is(j, "}"))
                {
                    return -1;
                }
            }
            return -1;
        }

        private void Add(int first, int last, PageTableKind kind, string form, LexicalShape shape, string name, string? callee)
        {
            var start = _tokens[first].Start;
            var line = LineOf(start);
            var column = start - _lines.LineStarts[line - 1] + 1;
            var end = _tokens[last].End;
            var endColumn = LineOf(end) != line ? 0 : end - _lines.LineStarts[line - 1] + 1;
            Candidates.Add(new LexicalStoreCandidate(line, column, endColumn, kind, form, shape, name, callee, _functionId, _function, _conditions[first]));
        }

        private int LineOf(int offset) => _lines.LineOf(offset);
    }
}
