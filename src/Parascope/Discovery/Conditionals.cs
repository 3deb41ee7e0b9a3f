using System.Collections.Immutable;
using System.Globalization;

using Parascope.Model;

namespace Parascope.Discovery;

/// <summary>
/// The #if/#ifdef/#elif/#else/#endif stack of a file read lexically: the innermost condition around a line
/// (as written), and whether the branch is taken under a set of defines (cpp semantics: an unknown name is 0).
/// </summary>
public sealed class Conditionals
{
    private sealed class Frame
    {
        public required string Condition;
        public required bool Taken;
        public required bool AnyTaken;
        public required bool ParentActive;
    }

    private readonly List<Frame> _frames = new();
    private readonly Dictionary<string, string> _defines;

    public Conditionals(IReadOnlyDictionary<string, string> defines) => _defines = new Dictionary<string, string>(defines, StringComparer.Ordinal);

    public bool Active => _frames.Count == 0 || _frames[^1].ParentActive && _frames[^1].Taken;

    /// <summary>The macros defined at this point: the initial ones with every active #define and #undef applied.</summary>
    public IReadOnlyDictionary<string, string> Defines => _defines;

    /// <summary>The innermost condition as written (`#else` of `X` is `!(X)`), or null outside any conditional.</summary>
    public string? Condition => _frames.Count == 0 ? null : _frames[^1].Condition;

    /// <summary>Every enclosing condition, outermost first.</summary>
    public IEnumerable<string> Conditions => _frames.Select(f => f.Condition);

    public void Define(string name, string value)
    {
        if (Active)
        {
            _defines[name] = value;
        }
    }

    public void Undefine(string name)
    {
        if (Active)
        {
            _defines.Remove(name);
        }
    }

    /// <summary>Applies one conditional directive; false when <paramref name="keyword"/> is not one.</summary>
    public bool Apply(string keyword, string argument)
    {
        var text = argument.Trim();
        switch (keyword)
        {
            case "if":
                Push(text, Evaluate(text));
                return true;
            case "ifdef":
                Push($"defined({text})", _defines.ContainsKey(FirstWord(text)));
                return true;
            case "ifndef":
                Push($"!defined({text})", !_defines.ContainsKey(FirstWord(text)));
                return true;
            case "elif":
            case "elifdef":
            case "elifndef":
                if (_frames.Count == 0)
                {
                    return true;
                }
                var frame = _frames[^1];
                var value = keyword switch
                {
                    "elifdef" => _defines.ContainsKey(FirstWord(text)),
                    "elifndef" => !_defines.ContainsKey(FirstWord(text)),
                    _ => Evaluate(text),
                };
                frame.Condition = keyword == "elif" ? text : keyword == "elifdef" ? $"defined({text})" : $"!defined({text})";
                frame.Taken = !frame.AnyTaken && value;
                frame.AnyTaken |= value;
                return true;
            case "else":
                if (_frames.Count == 0)
                {
                    return true;
                }
                var top = _frames[^1];
                top.Condition = $"!({top.Condition})";
                top.Taken = !top.AnyTaken;
                top.AnyTaken = true;
                return true;
            case "endif":
                if (_frames.Count > 0)
                {
                    _frames.RemoveAt(_frames.Count - 1);
                }
                return true;
            default:
                return false;
        }
    }

    private void Push(string condition, bool value) =>
        _frames.Add(new Frame { Condition = condition, Taken = value, AnyTaken = value, ParentActive = Active });

    private static string FirstWord(string text)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
        {
            end++;
        }
        return text[..end];
    }

    private bool Evaluate(string text)
    {
        try
        {
            var parser = new ExpressionParser(text, _defines);
            return parser.Parse() != 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Predefined macros of the compiler for a scan arch (what cpp gives a .S file before any -D).</summary>
    public static ImmutableDictionary<string, string> Predefined(string arch) =>
        (Architecture.Find(arch) ?? Architecture.Default).PredefinedMacros;

    /// <summary>A recursive-descent reader of #if expressions: defined, !, ~, arithmetic, comparisons, &amp;&amp;, ||, ?:.</summary>
    private sealed class ExpressionParser(string text, IReadOnlyDictionary<string, string> defines, int depth = 0)
    {
        private int _at;

        public long Parse()
        {
            var value = Conditional();
            Skip();
            if (_at < text.Length)
            {
                throw new FormatException("trailing text");
            }
            return value;
        }

        private long Conditional()
        {
            var condition = Binary(0);
            Skip();
            if (Peek('?'))
            {
                _at++;
                var whenTrue = Conditional();
                Expect(':');
                var whenFalse = Conditional();
                return condition != 0 ? whenTrue : whenFalse;
            }
            return condition;
        }

        private static readonly string[][] Levels =
        [
            ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<=", ">=", "<", ">"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
        ];

        private long Binary(int level)
        {
            if (level == Levels.Length)
            {
                return Unary();
            }
            var left = Binary(level + 1);
            while (true)
            {
                Skip();
                var op = Levels[level].FirstOrDefault(o => string.CompareOrdinal(text, _at, o, 0, o.Length) == 0
                    && !(o is "|" or "&" && _at + 1 < text.Length && text[_at + 1] == o[0])
                    && !(o is "<" or ">" && _at + 1 < text.Length && (text[_at + 1] == '=' || text[_at + 1] == o[0])));
                if (op is null)
                {
                    return left;
                }
                _at += op.Length;
                var right = Binary(level + 1);
                left = op switch
                {
                    "||" => left != 0 || right != 0 ? 1 : 0,
                    "&&" => left != 0 && right != 0 ? 1 : 0,
                    "|" => left | right,
                    "^" => left ^ right,
                    "&" => left & right,
                    "==" => left == right ? 1 : 0,
                    "!=" => left != right ? 1 : 0,
                    "<=" => left <= right ? 1 : 0,
                    ">=" => left >= right ? 1 : 0,
                    "<" => left < right ? 1 : 0,
                    ">" => left > right ? 1 : 0,
                    "<<" => left << (int)right,
                    ">>" => left >> (int)right,
                    "+" => left + right,
                    "-" => left - right,
                    "*" => left * right,
                    "/" => right == 0 ? 0 : left / right,
                    _ => right == 0 ? 0 : left % right,
                };
            }
        }

        private long Unary()
        {
            Skip();
            if (_at >= text.Length)
            {
                throw new FormatException("unexpected end");
            }
            var c = text[_at];
            switch (c)
            {
                case '!': _at++; return Unary() == 0 ? 1 : 0;
                case '~': _at++; return ~Unary();
                case '-': _at++; return -Unary();
                case '+': _at++; return Unary();
                case '(':
                    _at++;
                    var inner = Conditional();
                    Expect(')');
                    return inner;
            }
            if (char.IsAsciiDigit(c))
            {
                var start = _at;
                while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] == 'x' || text[_at] == 'X'))
                {
                    _at++;
                }
                return Number(text[start.._at]);
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var name = Identifier();
                if (name == "defined")
                {
                    Skip();
                    var parenthesised = Peek('(');
                    if (parenthesised)
                    {
                        _at++;
                    }
                    Skip();
                    var macro = Identifier();
                    if (parenthesised)
                    {
                        Expect(')');
                    }
                    return defines.ContainsKey(macro) ? 1 : 0;
                }
                Skip();
                if (Peek('('))
                {
                    // A function-like macro we cannot expand (e.g. __has_feature(x)): skip its arguments, value 0.
                    var level = 0;
                    do
                    {
                        if (text[_at] == '(') level++;
                        else if (text[_at] == ')') level--;
                        _at++;
                    }
                    while (_at < text.Length && level > 0);
                    return 0;
                }
                if (defines.TryGetValue(name, out var value) && depth < 8)
                {
                    if (value.Trim().Length == 0)
                    {
                        return 0;
                    }
                    try
                    {
                        return new ExpressionParser(value, defines, depth + 1).Parse();
                    }
                    catch (FormatException)
                    {
                        return 0;
                    }
                }
                return 0;
            }
            if (c == '\'')
            {
                var end = text.IndexOf('\'', _at + 1);
                if (end < 0)
                {
                    throw new FormatException("bad char");
                }
                var value = end > _at + 1 ? text[_at + 1] : 0;
                _at = end + 1;
                return value;
            }
            throw new FormatException($"unexpected '{c}'");
        }

        private static long Number(string literal)
        {
            var digits = literal.TrimEnd('u', 'U', 'l', 'L');
            if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return long.TryParse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : 0;
            }
            if (digits.Length > 1 && digits[0] == '0')
            {
                try
                {
                    return Convert.ToInt64(digits, 8);
                }
                catch (FormatException)
                {
                    return 0;
                }
            }
            return long.TryParse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
        }

        private string Identifier()
        {
            var start = _at;
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] == '_'))
            {
                _at++;
            }
            if (start == _at)
            {
                throw new FormatException("identifier expected");
            }
            return text[start.._at];
        }

        private void Skip()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        private bool Peek(char c) => _at < text.Length && text[_at] == c;

        private void Expect(char c)
        {
            Skip();
            if (!Peek(c))
            {
                throw new FormatException($"'{c}' expected");
            }
            _at++;
        }
    }
}
