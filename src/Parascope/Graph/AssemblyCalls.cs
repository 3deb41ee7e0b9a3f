using System.Collections.Immutable;
using Parascope.Detectors.Instructions;
using Parascope.Discovery;
using Parascope.Model;
using Parascope.Parsing;

namespace Parascope.Graph;

/// <summary>
/// The call graph's part of one .s/.S unit. Functions are the symbols the file defines (ENTRY(x)-style macros and
/// non-local labels, Mach-O's underscore removed: `_foo:` is C `foo`); a symbol no entry macro or `.globl` exports is
/// private to its file and named "symbol@file" like a C static. Each function spans from its symbol to the line before
/// the next one. Edges, from the enclosing symbol: `call`/`jmp`/`jcc` (x86) and `bl`/`b`/`b.cond`/`cbz`/`tbz` (arm64)
/// to a symbol (kind asm), falling through into the next symbol of the text section (asm), and each symbol a
/// `.long`/`.quad` table holds (kind indirect: trap and interrupt vectors). Function-like #defines of the file are
/// expanded where used (xnu-792's idt.s writes its vector table and handlers through EXCEPTION(n, name)).
/// </summary>
internal static class AssemblyCalls
{
    private const int MaxExpansionDepth = 6;

    public static (ImmutableArray<CallEdge> Calls, ImmutableArray<FunctionSpan> Functions) Of(AssemblyScope assembly)
    {
        var unit = assembly.Unit.Unit;
        var family = FamilyHints.OfArch(unit.Arch);
        if (FamilyHints.OfPath(unit.RelativePath) is { } pathFamily && pathFamily != family || FamilyHints.IsForeignPath(unit.RelativePath))
        {
            return ([], []); // as the instruction detector: an arm64 file is not assembled for x86_64, and the reverse
        }
        var defines = Conditionals.Predefined(unit.Arch).SetItems(assembly.Defines);
        var reader = new Reader(unit.RelativePath, family, MacroParameters(assembly.Text.Text));
        // The scan reports symbols through its callback and yields statements; both go to one list, in file order.
        var events = new List<(int Line, string Text, bool Exported, AsmStatement? Statement)>();
        foreach (var statement in AssemblySourceScanner.Scan(assembly.Text.Text, family, defines,
                     (line, symbol, fromMacro) => events.Add((line, symbol, fromMacro, null)), assembly.Compiled))
        {
            if (!statement.Active)
            {
                continue;
            }
            if (statement.Context == SourceContext.AsmMacro && statement.Macro is { } macro)
            {
                reader.AddMacroStatement(macro, statement.Text);
            }
            else if (statement.Context == SourceContext.AsmFile)
            {
                events.Add((statement.Line, statement.Text, false, statement));
            }
        }
        foreach (var (line, text, exported, statement) in events)
        {
            if (statement is null)
            {
                reader.Symbol(line, text, exported);
            }
            else
            {
                reader.Statement(line, text, 0);
            }
        }
        return reader.Complete(assembly.Text.Text.Count(c => c == '\n') + 1);
    }

    /// <summary>The parameters of each function-like #define in the text (`#define EXCEPTION(n,name) \`).</summary>
    private static Dictionary<string, string[]> MacroParameters(string text)
    {
        var macros = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimStart();
            if (!line.StartsWith('#'))
            {
                continue;
            }
            var rest = line[1..].TrimStart();
            if (!rest.StartsWith("define", StringComparison.Ordinal))
            {
                continue;
            }
            rest = rest["define".Length..].TrimStart();
            var name = AssemblySourceScanner.Word(rest);
            if (name.Length == 0 || name.Length >= rest.Length || rest[name.Length] != '(')
            {
                continue;
            }
            var close = rest.IndexOf(')', name.Length);
            if (close < 0)
            {
                continue;
            }
            macros.TryAdd(name, [.. rest[(name.Length + 1)..close].Split(',').Select(p => p.Trim())]);
        }
        return macros;
    }

    private sealed class Reader(string file, InstructionFamily family, Dictionary<string, string[]> parameters)
    {
        private readonly Dictionary<string, List<string>> _bodies = new(StringComparer.Ordinal);
        private readonly List<(string Name, int Line)> _symbols = new();
        private readonly HashSet<string> _exported = new(StringComparer.Ordinal);
        private readonly HashSet<(string Caller, string Callee, CallKind Kind)> _calls = new();
        private string? _text;
        private string? _data;
        private bool _inData;
        private bool _textOpen;      // the text symbol's last instruction may fall through into the next symbol
        private bool _dataEmpty = true;

        public void AddMacroStatement(string macro, string text)
        {
            if (parameters.ContainsKey(macro))
            {
                if (!_bodies.TryGetValue(macro, out var body))
                {
                    _bodies[macro] = body = new List<string>();
                }
                body.Add(text);
            }
        }

        public void Symbol(int line, string name, bool exported)
        {
            if (name.Length == 0)
            {
                return;
            }
            if (exported)
            {
                _exported.Add(name);
            }
            _symbols.Add((name, line));
            if (_inData)
            {
                if (_data is { } previous && _dataEmpty)
                {
                    _calls.Add((previous, name, CallKind.Asm)); // two labels on one address: the first is an alias
                }
                _data = name;
                _dataEmpty = true;
            }
            else
            {
                if (_text is { } previous && _textOpen)
                {
                    _calls.Add((previous, name, CallKind.Asm));
                }
                _text = name;
                _textOpen = true;
            }
        }

        /// <summary>One statement of the file, or of a macro's body expanded at <paramref name="line"/>.</summary>
        public void Statement(int line, string text, int depth)
        {
            var rest = text.Trim();
            while (AssemblySourceScanner.LeadingLabel(rest, out var label, out var after))
            {
                if (depth > 0 && !AssemblySourceScanner.IsLocalLabel(label))
                {
                    Symbol(line, AssemblySourceScanner.CName(label), exported: false);
                }
                rest = after.TrimStart();
            }
            var first = AssemblySourceScanner.Word(rest);
            if (first.Length == 0)
            {
                return;
            }
            if (rest.Length > first.Length && rest[first.Length] == '(')
            {
                var arguments = Arguments(rest, first.Length);
                if (rest.TrimEnd().EndsWith(':') && arguments.Length == 1)
                {
                    Symbol(line, arguments[0], exported: false); // `EXT(x):`, a label written through a macro
                }
                else if (depth < MaxExpansionDepth && _bodies.TryGetValue(first, out var body))
                {
                    // The file's own macro, even one named like an entry macro (idt.s's IDT_ENTRY writes a table entry).
                    Expand(line, first, body, arguments, depth);
                }
                else if (depth > 0 && AssemblySourceScanner.IsEntryMacro(first) && arguments.Length > 0)
                {
                    Symbol(line, arguments[0], exported: true);
                }
                return;
            }
            Instruction(rest, first);
        }

        private void Expand(int line, string macro, List<string> body, string[] arguments, int depth)
        {
            var names = parameters[macro];
            foreach (var statement in body)
            {
                var expanded = Substitute(statement, names, arguments);
                foreach (var part in expanded.Split(';'))
                {
                    Statement(line, part, depth + 1);
                }
            }
        }

        private void Instruction(string statement, string first)
        {
            var mnemonic = first.ToLowerInvariant();
            var operands = statement[first.Length..].Trim();
            switch (mnemonic)
            {
                case ".text":
                    _inData = false;
                    return;
                case ".data" or ".const" or ".const_data" or ".bss" or ".rodata":
                    _inData = true;
                    return;
                case ".section":
                    _inData = !operands.Contains("text", StringComparison.OrdinalIgnoreCase);
                    return;
                case ".globl" or ".global" or ".private_extern":
                    if (Symbol(operands, cName: false) is { } exported)
                    {
                        _exported.Add(exported);
                    }
                    return;
                case ".long" or ".quad" or ".int" or ".4byte" or ".8byte" or ".word" or ".dword" or ".xword":
                    // x86's .word is 16 bits: no address fits.
                    if (mnemonic == ".word" && family == InstructionFamily.X86)
                    {
                        return;
                    }
                    Table(operands);
                    return;
            }
            if (mnemonic.StartsWith('.'))
            {
                return;
            }
            if (_inData)
            {
                _dataEmpty = false;
            }
            if (_text is not { } caller || _inData)
            {
                return;
            }
            var transfer = IsTransfer(mnemonic);
            _textOpen = !IsUnconditional(mnemonic);
            if (!transfer)
            {
                return;
            }
            // The target is the last operand (arm64 cbz x0, label; tbz x0, #3, label); `call *%eax`, `br x16` have none.
            var target = operands.Contains(',') ? operands[(operands.LastIndexOf(',') + 1)..].Trim() : operands;
            if (target.StartsWith('*') || target.StartsWith('%') || target.StartsWith('$'))
            {
                return;
            }
            if (Symbol(target, cName: false) is { } callee)
            {
                _calls.Add((caller, callee, CallKind.Asm));
            }
        }

        private void Table(string operands)
        {
            var owner = _inData ? _data : _text;
            if (_inData)
            {
                _dataEmpty = false;
            }
            if (owner is null)
            {
                return;
            }
            foreach (var operand in operands.Split(','))
            {
                if (Symbol(operand, cName: false) is { } entry)
                {
                    _calls.Add((owner, entry, CallKind.Indirect));
                }
            }
        }

        /// <summary>
        /// The first symbol an operand names, as a C name: `_foo` and `EXT(foo)` are `foo`; `foo@PLT`, `foo+4`,
        /// `EXT(vec) - EXT(base) + OFFSET` name `foo` and `vec`. Numbers, local labels (1f, L_x, .Lx) and registers give null.
        /// </summary>
        private static string? Symbol(string operand, bool cName)
        {
            var depth = 0;
            var i = 0;
            while (i < operand.Length)
            {
                var c = operand[i];
                if (c == '(')
                {
                    depth++;
                    i++;
                    continue;
                }
                if (c == ')')
                {
                    depth--;
                    i++;
                    continue;
                }
                if (c == '%' || char.IsAsciiDigit(c))
                {
                    // A register or a number (1f, 0x20): skip the whole token.
                    i++;
                    while (i < operand.Length && (char.IsAsciiLetterOrDigit(operand[i]) || operand[i] == '_'))
                    {
                        i++;
                    }
                    continue;
                }
                if (char.IsAsciiLetter(c) || c is '_' or '.')
                {
                    var start = i;
                    while (i < operand.Length && (char.IsAsciiLetterOrDigit(operand[i]) || operand[i] is '_' or '.' or '$'))
                    {
                        i++;
                    }
                    var word = operand[start..i];
                    if (i < operand.Length && operand[i] == '(')
                    {
                        continue; // a macro such as EXT(x): its argument is the symbol, already a C name
                    }
                    if (word == "." || AssemblySourceScanner.IsLocalLabel(word))
                    {
                        return null;
                    }
                    return depth > 0 || cName ? word : AssemblySourceScanner.CName(word);
                }
                i++;
            }
            return null;
        }

        private bool IsTransfer(string mnemonic) => family == InstructionFamily.X86
            ? mnemonic is "call" or "calll" or "callq" or "jmp" or "jmpl" or "jmpq" || mnemonic.Length > 1 && mnemonic[0] == 'j'
            : mnemonic is "bl" or "b" or "cbz" or "cbnz" or "tbz" or "tbnz" || mnemonic.StartsWith("b.", StringComparison.Ordinal);

        private bool IsUnconditional(string mnemonic) => family == InstructionFamily.X86
            ? mnemonic is "jmp" or "jmpl" or "jmpq" or "ret" or "retl" or "retq" or "iret" or "iretl" or "iretq" or "sysret" or "sysretq"
                or "sysexit" or "lret" or "lretq" or "ud2"
            : mnemonic is "b" or "br" or "ret" or "eret" or "retab" or "eretab" or "braa" or "brab" or "udf";

        private static string[] Arguments(string text, int open)
        {
            var arguments = new List<string>();
            var depth = 0;
            var start = open + 1;
            for (var i = open; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && --depth == 0)
                {
                    arguments.Add(text[start..i].Trim());
                    break;
                }
                else if (c == ',' && depth == 1)
                {
                    arguments.Add(text[start..i].Trim());
                    start = i + 1;
                }
            }
            return [.. arguments];
        }

        /// <summary>The body with each parameter replaced by its argument, `##` pasting the two sides.</summary>
        private static string Substitute(string body, string[] names, string[] arguments)
        {
            var text = new System.Text.StringBuilder(body.Length + 16);
            var i = 0;
            while (i < body.Length)
            {
                var c = body[i];
                if (char.IsAsciiLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < body.Length && (char.IsAsciiLetterOrDigit(body[i]) || body[i] == '_'))
                    {
                        i++;
                    }
                    var word = body[start..i];
                    var index = Array.IndexOf(names, word);
                    text.Append(index >= 0 && index < arguments.Length ? arguments[index] : word);
                    continue;
                }
                text.Append(c);
                i++;
            }
            return System.Text.RegularExpressions.Regex.Replace(text.ToString(), @"\s*##\s*", string.Empty);
        }

        public (ImmutableArray<CallEdge> Calls, ImmutableArray<FunctionSpan> Functions) Complete(int lastLine)
        {
            var defined = _symbols.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            string Node(string symbol) => defined.Contains(symbol) && !_exported.Contains(symbol) ? AstWalker.StaticNode(symbol, file) : symbol;
            var ordered = _symbols.OrderBy(s => s.Line).ToList();
            var spans = new List<FunctionSpan>();
            var end = lastLine;
            for (var index = ordered.Count - 1; index >= 0; index--)
            {
                var (name, line) = ordered[index];
                spans.Add(new FunctionSpan(file, line, Math.Max(line, end), name) { Node = Node(name) });
                // The symbol ends the one before it, unless both are on one line (a macro defining several).
                if (index > 0 && ordered[index - 1].Line < line)
                {
                    end = line - 1;
                }
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var functions = spans.AsEnumerable().Reverse().Where(span => seen.Add(span.Name)).ToImmutableArray();
            var calls = _calls.Where(c => c.Caller != c.Callee)
                .Select(c => new CallEdge(Node(c.Caller), Node(c.Callee), c.Kind)).ToImmutableArray();
            return (calls, functions);
        }
    }
}
