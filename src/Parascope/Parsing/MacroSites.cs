using Parascope.Clang;
using Parascope.Clang.Interop;

namespace Parascope.Parsing;

/// <summary>
/// Where a piece of macro-body text is written: a position inside a #define (under the root). <see cref="Macro"/>
/// is the macro named at the use site (for nested macros the text may be in a macro that one names).
/// </summary>
public readonly record struct MacroOrigin(string File, int Line, int Column, int EndColumn, string Macro);

/// <summary>
/// Finds where text that a macro's body produced is written, so a finding can be reported once at the #define
/// (the report's contract) with its expansion sites listed, instead of once per use.
/// libclang's file location (<see cref="SourceLocation.Spelling"/>, clang's getFileLoc, the same on 14 and 22) maps
/// every token of a macro body to the expansion site, as the expansion location does, while a token from a macro
/// argument keeps its own written position. So an expression whose first token's spelling
/// and expansion positions agree and sit exactly where a macro expansion starts came from that macro's body;
/// the text is then found by tokenizing the definition (clang gives no position inside a macro body).
/// The walker feeds the unit's top-level MacroExpansion/MacroDefinition cursors, which libclang's
/// clang_visitChildren visits before any declaration, so the index is complete before the first lookup.
/// Nested macros: when the text is not in the outer macro's body, the macros its body names are followed (a few
/// levels, definitions under the root only). What is not found stays at the expansion site, as before.
/// </summary>
public sealed class MacroSites
{
    private const int MaxNesting = 4;

    private readonly AstScope _scope;
    /// <summary>Per file, expansion start offsets and their cursors, in the order the record gives (sorted on demand).</summary>
    private readonly Dictionary<ClangFile, ExpansionList> _expansions = new();
    private readonly List<Cursor> _definitions = new();
    private Dictionary<string, Cursor>? _definitionsByName;
    /// <summary>Body tokens per definition (keyed by its start offset and file), tokenized once per unit.</summary>
    private readonly Dictionary<(ClangFile, int), List<Token>> _bodies = new();
    /// <summary>How many times each (expansion, operator or name) was asked for: the n-th store in one expansion is the n-th operator.</summary>
    private readonly Dictionary<(ClangFile, int, string), int> _uses = new();
    /// <summary>What each macro-body cursor was given by FindNth, per name asked.</summary>
    private readonly Dictionary<(Cursor, string), MacroOrigin?> _answers = new();

    private sealed class ExpansionList
    {
        public readonly List<(int Offset, Cursor Cursor)> Items = new();
        public bool Sorted = true;
    }

    internal MacroSites(AstScope scope) => _scope = scope;

    internal void OnExpansion(Cursor expansion)
    {
        var start = expansion.Extent.Start.Expansion;
        if (start.File.IsNull)
        {
            return;
        }
        if (!_expansions.TryGetValue(start.File, out var list))
        {
            list = new ExpansionList();
            _expansions[start.File] = list;
        }
        if (list.Items.Count > 0 && list.Items[^1].Offset > start.Offset)
        {
            list.Sorted = false;
        }
        list.Items.Add((start.Offset, expansion));
    }

    internal void OnDefinition(Cursor definition) => _definitions.Add(definition);

    /// <summary>
    /// Where the identifier <paramref name="name"/> (a callee) is written when <paramref name="cursor"/> comes
    /// from a macro body; null when it is written out, comes from a macro argument, or is not found.
    /// </summary>
    public MacroOrigin? FindIdentifier(Cursor cursor, string name) =>
        FindNth(cursor, name, (tokens, ordinal) => IndexOf(tokens, token => token.Kind == TokenKind.Identifier && token.Text == name, ordinal));

    /// <summary>
    /// Where the first of <paramref name="words"/> (identifiers or keywords, e.g. an asm statement's `__asm__`) is
    /// written when <paramref name="cursor"/> comes from a macro body; null as for <see cref="FindIdentifier"/>.
    /// </summary>
    public MacroOrigin? FindWord(Cursor cursor, params string[] words) =>
        FindNth(cursor, words[0], (tokens, ordinal) =>
            IndexOf(tokens, token => token.Kind is TokenKind.Identifier or TokenKind.Keyword && words.Contains(token.Text), ordinal));

    /// <summary>
    /// The n-th lookup of WHAT within one expansion finds the n-th occurrence in the body, as for operators: two calls of
    /// one helper in a body (xnu-792's PMAP_SWITCH_CONTEXT stores with pmap_store_pte at two lines) are two sites, not
    /// two lookups of the first. The walk meets a body's calls in the body's order. When the body holds fewer (the rest
    /// come from macros it names), the first one found, as before. The answer is kept per cursor, so that another
    /// collector asking for the same call is given the same place and does not count as the next occurrence.
    /// </summary>
    private MacroOrigin? FindNth(Cursor cursor, string what, Func<List<Token>, int, int> nth)
    {
        if (Expansion(cursor) is not { } expansion)
        {
            return null;
        }
        if (_answers.TryGetValue((cursor, what), out var known))
        {
            return known;
        }
        var start = cursor.Extent.Start.Expansion;
        var key = (start.File, start.Offset, what);
        var ordinal = _uses.GetValueOrDefault(key);
        _uses[key] = ordinal + 1;
        var origin = Search(expansion, 0, tokens => nth(tokens, ordinal)) ?? (ordinal > 0 ? Search(expansion, 0, tokens => nth(tokens, 0)) : null);
        _answers[(cursor, what)] = origin;
        return origin;
    }

    private static int IndexOf(List<Token> tokens, Predicate<Token> match, int ordinal)
    {
        var seen = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (match(tokens[i]) && seen++ == ordinal)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// Where the text starting at <paramref name="location"/> is written when it is not a macro body's: a macro
    /// argument's own position (its spelling, in a file under the root), else the expansion position.
    /// </summary>
    public SourcePosition WrittenAt(SourceLocation location)
    {
        var expansion = location.Expansion;
        var spelling = location.Spelling;
        return spelling.Offset != expansion.Offset && spelling.File.Equals(expansion.File) ? spelling : expansion;
    }

    /// <summary>
    /// The string literals (`"S3_1_c15_c0_0"`) of the object-like macro a name written at <paramref name="position"/>
    /// expands to; null for any other name. clang records the expansion of a macro argument where the argument is
    /// written, so the cursor there is that expansion and its referenced cursor the definition in effect at that use. A
    /// name defined as another name (`#define SREG_ALIAS SREG_PMCR1`) is not followed: clang records no expansion inside
    /// a #define.
    /// </summary>
    public string? StringValueAt(SourcePosition position)
    {
        var expansion = _scope.TranslationUnit.CursorAt(position);
        if (expansion.Kind != CXCursorKind.CXCursor_MacroExpansion)
        {
            return null;
        }
        var definition = expansion.Referenced;
        if (definition.Kind != CXCursorKind.CXCursor_MacroDefinition || definition.IsMacroFunctionLike || Body(definition) is not { Count: > 0 } body)
        {
            return null;
        }
        return body.All(t => t.Kind == TokenKind.Literal && t.Text.StartsWith('"')) ? string.Join(' ', body.Select(t => t.Text)) : null;
    }

    /// <summary>The name of the macro whose body produced <paramref name="cursor"/>'s first token, or null.</summary>
    public string? ExpandedFrom(Cursor cursor) => Expansion(cursor)?.Spelling;

    /// <summary>
    /// Where a store's operator (one of <paramref name="operators"/>, e.g. "=") is written when <paramref name="cursor"/>
    /// comes from a macro body: the n-th lookup within one expansion finds the n-th operator of the body whose left
    /// operand has <paramref name="target"/>'s shape (a dereference, a subscript, a member, a name). The shape keeps
    /// the body's other `=` out of the count: a declaration's initializer and the assignments of non-PTE locals that
    /// come first (xnu-11417's os_atomic_cmpxchgv: `… _r = (e); … _b = …; *(g) = _r;`: the store is the third `=`).
    /// When no operator has the shape, the n-th of all, as before. The position is the start of the operator's left
    /// operand, as for a store written out.
    /// </summary>
    public MacroOrigin? FindOperator(Cursor cursor, Cursor target, params ReadOnlySpan<string> operators)
    {
        if (Expansion(cursor) is not { } expansion)
        {
            return null;
        }
        var shape = ShapeOf(target);
        var start = cursor.Extent.Start.Expansion;
        var wanted = operators.ToArray();
        var shaped = (start.File, start.Offset, operators[0] + "\u0001" + shape);
        var ordinal = _uses.GetValueOrDefault(shaped);
        _uses[shaped] = ordinal + 1;
        var any = (start.File, start.Offset, operators[0]);
        var anyOrdinal = _uses.GetValueOrDefault(any);
        _uses[any] = anyOrdinal + 1;
        return (shape == OperandShape.Other ? null : Search(expansion, 0, tokens => IndexOfOperator(tokens, wanted, ordinal, shape)))
            ?? Search(expansion, 0, tokens => IndexOfOperator(tokens, wanted, anyOrdinal, OperandShape.Other));
    }

    /// <summary>What a store's left operand is, read from the AST (parentheses looked through).</summary>
    private enum OperandShape { Other, Dereference, Subscript, Member, Name }

    private static OperandShape ShapeOf(Cursor target)
    {
        for (var depth = 0; depth < 4 && target.Kind == CXCursorKind.CXCursor_ParenExpr; depth++)
        {
            var children = target.Children();
            if (children.Count != 1)
            {
                break;
            }
            target = children[0];
        }
        return target.Kind switch
        {
            CXCursorKind.CXCursor_UnaryOperator => OperandShape.Dereference,
            CXCursorKind.CXCursor_ArraySubscriptExpr => OperandShape.Subscript,
            CXCursorKind.CXCursor_MemberRefExpr => OperandShape.Member,
            CXCursorKind.CXCursor_DeclRefExpr => OperandShape.Name,
            _ => OperandShape.Other,
        };
    }

    /// <summary>The same, read from the body's tokens between START and END (exclusive): `T x` and `typeof(p) x` are declarations (Other).</summary>
    private static OperandShape ShapeOf(List<Token> tokens, int start, int end)
    {
        while (end - start >= 2 && tokens[start].Text == "(" && Closing(tokens, start) == end - 1)
        {
            start++;
            end--;
        }
        if (end <= start)
        {
            return OperandShape.Other;
        }
        if (tokens[start].Text == "*")
        {
            return OperandShape.Dereference;
        }
        if (tokens[end - 1].Text == "]")
        {
            return OperandShape.Subscript;
        }
        if (end - start == 1)
        {
            return tokens[start].Kind == TokenKind.Identifier ? OperandShape.Name : OperandShape.Other;
        }
        var depth = 0;
        var member = false;
        for (var i = start; i < end; i++)
        {
            var text = tokens[i].Text;
            depth += text is "(" or "[" ? 1 : text is ")" or "]" ? -1 : 0;
            if (depth == 0 && text is "->" or ".")
            {
                member = true;
            }
            // Two names side by side outside brackets (`int x`, `typeof(p) _r`): a declaration.
            if (depth == 0 && i > start && tokens[i].Kind == TokenKind.Identifier && (tokens[i - 1].Kind is TokenKind.Identifier or TokenKind.Keyword || tokens[i - 1].Text == ")"))
            {
                return OperandShape.Other;
            }
        }
        return member ? OperandShape.Member : OperandShape.Other;
    }

    /// <summary>LeftOperand stops at statement punctuation only: the operand starts after `if (c)`, `while (c)`, `else`, `do`.</summary>
    private static int AfterControl(List<Token> tokens, int start, int end)
    {
        while (start < end && tokens[start].Kind == TokenKind.Keyword)
        {
            if (tokens[start].Text is "else" or "do")
            {
                start++;
            }
            else if (tokens[start].Text is "if" or "while" or "for" or "switch" && start + 1 < end && tokens[start + 1].Text == "("
                && Closing(tokens, start + 1) is var close and > 0 && close < end)
            {
                start = close + 1;
            }
            else
            {
                break;
            }
        }
        return start;
    }

    private static int Closing(List<Token> tokens, int open)
    {
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            depth += tokens[i].Text == "(" ? 1 : tokens[i].Text == ")" ? -1 : 0;
            if (depth == 0)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The top-level expansion whose body produced the cursor's first token, or null.</summary>
    private Cursor? Expansion(Cursor cursor)
    {
        var start = cursor.Extent.Start;
        var expansion = start.Expansion;
        if (expansion.File.IsNull || !_expansions.TryGetValue(expansion.File, out var list))
        {
            return null;
        }
        var spelling = start.Spelling;
        if (spelling.Offset != expansion.Offset || !spelling.File.Equals(expansion.File))
        {
            return null;
        }
        if (!list.Sorted)
        {
            list.Items.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            list.Sorted = true;
        }
        var low = 0;
        var high = list.Items.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var offset = list.Items[middle].Offset;
            if (offset == expansion.Offset)
            {
                return list.Items[middle].Cursor;
            }
            if (offset < expansion.Offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return null;
    }

    private MacroOrigin? Search(Cursor expansion, int depth, Func<List<Token>, int> find) =>
        Search(expansion.Referenced, expansion.Spelling, depth, find);

    /// <summary>The text in <paramref name="definition"/>'s body, else in the bodies of the macros it names.</summary>
    private MacroOrigin? Search(Cursor definition, string macro, int depth, Func<List<Token>, int> find)
    {
        if (definition.IsNull || definition.Kind != CXCursorKind.CXCursor_MacroDefinition || Body(definition) is not { } body)
        {
            return null;
        }
        var index = find(body);
        if (index >= 0)
        {
            var position = body[index].Position;
            if (_scope.RelativePath(position.File) is not { } file)
            {
                return null;
            }
            var last = EndOfExpression(body, index);
            var end = body[last].Position;
            var endColumn = end.Line == position.Line ? end.Column + body[last].Text.Length : 0;
            return new MacroOrigin(file, position.Line, position.Column, endColumn, macro);
        }
        if (depth + 1 >= MaxNesting)
        {
            return null;
        }
        foreach (var token in body)
        {
            if (token.Kind == TokenKind.Identifier && DefinitionOf(token.Text) is { } inner && !inner.Equals(definition)
                && Search(inner, macro, depth + 1, find) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>The replacement tokens of a definition: after the name, and after the parameter list of a function-like macro.</summary>
    private List<Token>? Body(Cursor definition)
    {
        var extent = definition.Extent;
        var start = extent.Start.Spelling;
        if (start.File.IsNull)
        {
            return null;
        }
        if (_bodies.TryGetValue((start.File, start.Offset), out var cached))
        {
            return cached;
        }
        var tokens = _scope.TranslationUnit.Tokenize(extent);
        var first = Math.Min(1, tokens.Count);
        if (definition.IsMacroFunctionLike && first < tokens.Count && tokens[first].Text == "(")
        {
            while (first < tokens.Count && tokens[first].Text != ")")
            {
                first++;
            }
            first = Math.Min(first + 1, tokens.Count);
        }
        // clang_tokenize keeps comments; a comment inside a #define is no part of its text.
        var body = tokens.GetRange(first, tokens.Count - first);
        body.RemoveAll(token => token.Kind == TokenKind.Comment);
        _bodies[(start.File, start.Offset)] = body;
        return body;
    }

    private Cursor? DefinitionOf(string name)
    {
        if (_definitionsByName is null)
        {
            _definitionsByName = new Dictionary<string, Cursor>(StringComparer.Ordinal);
            foreach (var definition in _definitions)
            {
                _definitionsByName[definition.Spelling] = definition;
            }
        }
        return _definitionsByName.TryGetValue(name, out var found) ? found : null;
    }

    /// <summary>The start of the left operand of the <paramref name="ordinal"/>-th operator among <paramref name="operators"/>.</summary>
    private static int IndexOfOperator(List<Token> tokens, string[] operators, int ordinal, OperandShape shape)
    {
        var seen = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != TokenKind.Punctuation || Array.IndexOf(operators, tokens[i].Text) < 0)
            {
                continue;
            }
            var start = tokens[i].Text is "++" or "--" && i + 1 < tokens.Count && IsOperandStart(tokens[i + 1]) ? i : AfterControl(tokens, LeftOperand(tokens, i), i);
            var operand = start == i ? ShapeOf(tokens, i + 1, EndOfExpression(tokens, i + 1) + 1) : ShapeOf(tokens, start, i);
            if (shape != OperandShape.Other && operand != shape)
            {
                continue;
            }
            if (seen++ == ordinal)
            {
                return start;
            }
        }
        return -1;
    }

    private static bool IsOperandStart(Token token) =>
        token.Kind is TokenKind.Identifier or TokenKind.Literal || token.Text is "(" or "*";

    /// <summary>Back from an operator over its left operand: stops at an unmatched '(' / '[', or at ';' '{' '}' ',' '=' outside brackets.</summary>
    private static int LeftOperand(List<Token> tokens, int op)
    {
        var depth = 0;
        var i = op - 1;
        for (; i >= 0; i--)
        {
            var text = tokens[i].Text;
            if (text is ")" or "]")
            {
                depth++;
            }
            else if (text is "(" or "[")
            {
                if (depth == 0)
                {
                    break;
                }
                depth--;
            }
            else if (depth == 0 && tokens[i].Kind == TokenKind.Punctuation && text is ";" or "{" or "}" or "," or "=" or "?" or ":")
            {
                break;
            }
        }
        return Math.Min(i + 1, op);
    }

    /// <summary>The last token of the expression that starts at <paramref name="from"/>: up to an unmatched ')' or ']', or ';' ',' outside brackets.</summary>
    private static int EndOfExpression(List<Token> tokens, int from)
    {
        var depth = 0;
        for (var i = from; i < tokens.Count; i++)
        {
            var text = tokens[i].Text;
            if (text is "(" or "[")
            {
                depth++;
            }
            else if (text is ")" or "]")
            {
                if (depth == 0)
                {
                    return Math.Max(from, i - 1);
                }
                depth--;
            }
            else if (depth == 0 && text is ";" or "," or "{" or "}")
            {
                return Math.Max(from, i - 1);
            }
        }
        return tokens.Count - 1;
    }
}

public static class MacroOriginFindings
{
    /// <summary>
    /// The finding moved to where a macro body writes its text: the #define's position, no enclosing function,
    /// and the use it was found at as its expansion site (the same site from every use merges into one finding).
    /// </summary>
    public static Model.Finding AtMacroDefinition(this Model.Finding finding, MacroOrigin origin, string detail) => finding with
    {
        File = origin.File,
        Line = origin.Line,
        Column = origin.Column,
        Function = null,
        Detail = detail,
        Expansions = [new Model.SiteReference(finding.File, finding.Line, finding.Function)],
    };
}
