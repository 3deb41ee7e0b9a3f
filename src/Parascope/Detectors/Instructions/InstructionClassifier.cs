using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Parascope.Model;
using Parascope.Rules;

namespace Parascope.Detectors.Instructions;

/// <summary>One instruction statement matched to a rule: the mnemonic as written and the register that decided it.</summary>
public sealed record InstructionMatch(Rule Rule, string Mnemonic, string? Register);

/// <summary>
/// The one place assembly text becomes rule matches. Given one statement (labels, prefixes and operands as
/// written) and its instruction family it returns the first rule of that family whose match keys all hold,
/// in the order the rules are written (specific rules first, so `s3_0_c15_c0_0_el1` is impdef, not EL1).
/// Inline asm, asm macros, .s files, inactive code, raw-byte encodings and builtins all come through here.
/// </summary>
public sealed partial class InstructionClassifier
{
    private readonly ImmutableArray<CompiledRule> _x86;
    private readonly ImmutableArray<CompiledRule> _arm64;
    private readonly ImmutableArray<BuiltinRule> _builtins;
    private readonly Dictionary<string, string> _x86Encodings;

    /// <summary>x86 instructions that take no operands: `hlt #0` (an arm64 breakpoint) or `str w0, [x1]` is not one of them.</summary>
    private static readonly FrozenSetOfStrings X86NoOperands = new(
        "cli", "sti", "hlt", "clts", "invd", "wbinvd", "wbnoinvd", "swapgs", "sysret", "sysexit", "iret", "iretd",
        "cpuid", "rdtsc", "rdtscp", "rdpmc", "rdmsr", "wrmsr", "wrmsrns", "xsetbv", "pushf", "popf", "lret", "retf",
        "int3", "int1", "icebp", "into", "stac", "clac", "vmxoff", "vmlaunch", "vmresume", "vmfunc", "stgi", "clgi");

    /// <summary>x86 instructions that take exactly one operand (mode-dependent forms of str/sldt/smsw take a register or memory).</summary>
    private static readonly FrozenSetOfStrings X86OneOperand = new(
        "sgdt", "sidt", "sldt", "str", "smsw", "lgdt", "lidt", "lldt", "ltr", "lmsw", "invlpg", "verr", "verw", "int");

    private static readonly FrozenSetOfStrings X86Prefixes = new(
        "lock", "rep", "repe", "repz", "repne", "repnz", "data16", "data32", "addr16", "addr32", "notrack", "rex", "rex.w",
        "rex64", "cs", "ds", "es", "fs", "gs", "ss");

    public InstructionClassifier(RuleSet rules)
    {
        var instructionRules = rules.OfCategory(FindingCategory.Instruction)
            .Where(rule => rule.Match.Builtins.IsEmpty && rule.Match["encodings"].IsEmpty)
            .OrderBy(rule => OriginFile(rule.Origin), StringComparer.Ordinal)
            .ThenBy(rule => OriginLine(rule.Origin))
            .ToList();
        _x86 = instructionRules.Where(r => r.Arch == Architecture.RuleName(InstructionFamily.X86) && !r.Match.Mnemonics.IsEmpty).Select(r => new CompiledRule(r)).ToImmutableArray();
        _arm64 = instructionRules.Where(r => r.Arch == Architecture.RuleName(InstructionFamily.Arm64) && !r.Match.Mnemonics.IsEmpty).Select(r => new CompiledRule(r)).ToImmutableArray();
        _builtins = rules.OfCategory(FindingCategory.Instruction)
            .Where(rule => !rule.Match.Builtins.IsEmpty)
            .Select(rule => new BuiltinRule(rule))
            .ToImmutableArray();
        _x86Encodings = rules.OfCategory(FindingCategory.Instruction)
            .Where(rule => rule.Arch == Architecture.RuleName(InstructionFamily.X86))
            .SelectMany(rule => rule.Match["encodings"])
            .Select(entry => entry.Split(": ", 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim().ToLowerInvariant(), parts => parts[1].Trim(), StringComparer.Ordinal);
        BuiltinNames = _builtins.SelectMany(b => b.Names.Items).ToImmutableHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every builtin or intrinsic name some rule in rules/builtins.yaml lists.</summary>
    public ImmutableHashSet<string> BuiltinNames { get; }

    /// <summary>
    /// The rule one statement matches, or null. <paramref name="intelSyntax"/> is the assembler's mode
    /// (.intel_syntax); a statement whose operands carry no AT&amp;T sigils is read as Intel anyway.
    /// </summary>
    public InstructionMatch? Classify(string statement, InstructionFamily family, bool intelSyntax = false)
    {
        var parsed = ParsedStatement.Parse(statement, family);
        if (parsed is null)
        {
            return null;
        }
        var (mnemonic, operands) = parsed.Value;
        var lower = mnemonic.ToLowerInvariant();
        if (family == InstructionFamily.X86)
        {
            return ClassifyX86(mnemonic, lower, operands, intelSyntax);
        }
        return ClassifyArm64(mnemonic, lower, operands);
    }

    private InstructionMatch? ClassifyX86(string mnemonic, string lower, List<string> operands, bool intelSyntax)
    {
        var intel = intelSyntax || LooksIntel(operands);
        string? destination = null;
        var sources = new List<string>();
        var registers = new List<string>();
        for (var i = 0; i < operands.Count; i++)
        {
            var register = X86Register(operands[i]);
            if (register is not null)
            {
                registers.Add(register);
            }
            var isDestination = intel ? i == 0 : i == operands.Count - 1;
            if (operands.Count >= 2 && isDestination)
            {
                destination = register;
            }
            else if (register is not null)
            {
                sources.Add(register);
            }
        }
        foreach (var rule in _x86)
        {
            var matched = rule.MatchMnemonic(lower, allowSuffix: true);
            if (matched is null)
            {
                continue;
            }
            if (X86NoOperands.Contains(matched) && operands.Count > 0)
            {
                continue;
            }
            if (X86OneOperand.Contains(matched) && operands.Count != 1)
            {
                continue;
            }
            var register = rule.MatchRegisters(destination, sources, registers);
            if (register is null && rule.NeedsRegister)
            {
                continue;
            }
            return new InstructionMatch(rule.Rule, mnemonic, register);
        }
        return null;
    }

    private InstructionMatch? ClassifyArm64(string mnemonic, string lower, List<string> operands)
    {
        string? destination = null;
        var sources = new List<string>();
        var names = new List<string>();
        for (var i = 0; i < operands.Count; i++)
        {
            var name = Arm64Name(operands[i]);
            if (name is null)
            {
                continue;
            }
            names.Add(name);
        }
        // msr <sysreg>, Xt writes the system register; mrs Xt, <sysreg> reads it.
        if (lower == "msr" && operands.Count == 2)
        {
            destination = Arm64Name(operands[0]);
        }
        else if (lower == "mrs" && operands.Count == 2 && Arm64Name(operands[1]) is { } read)
        {
            sources.Add(read);
        }
        foreach (var rule in _arm64)
        {
            if (rule.MatchMnemonic(lower, allowSuffix: false) is null)
            {
                continue;
            }
            var register = rule.MatchRegisters(destination, sources, names);
            if (register is null && rule.NeedsRegister)
            {
                continue;
            }
            return new InstructionMatch(rule.Rule, mnemonic, register);
        }
        return null;
    }

    /// <summary>
    /// A builtin call: the rule that describes the builtin, and the instruction rule of what it emits.
    /// <paramref name="registerName"/> is the evaluated string argument for system-register builtins.
    /// </summary>
    public (Rule Builtin, InstructionMatch Instruction)? ClassifyBuiltin(string name, string? registerName)
    {
        foreach (var builtin in _builtins)
        {
            if (!builtin.Names.Contains(name))
            {
                continue;
            }
            foreach (var emitted in builtin.Rule.Match["emits"])
            {
                // `text: name name` emits text for the names listed; a bare template applies to every builtin of the rule.
                var statement = emitted;
                var colon = emitted.LastIndexOf(": ", StringComparison.Ordinal);
                if (colon >= 0)
                {
                    if (!emitted[(colon + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(name, StringComparer.Ordinal))
                    {
                        continue;
                    }
                    statement = emitted[..colon];
                }
                if (statement.Contains("{register}", StringComparison.Ordinal))
                {
                    if (string.IsNullOrEmpty(registerName))
                    {
                        continue;
                    }
                    statement = statement.Replace("{register}", registerName, StringComparison.Ordinal);
                }
                var match = Classify(statement, builtin.Family);
                if (match is not null)
                {
                    return (builtin.Rule, match with { Register = match.Register ?? registerName });
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The instruction a raw-data directive encodes (`.byte 0x0f, 0x01, 0xf8` → swapgs on x86; `.long 0xd5182000`
    /// → an msr on arm64), as assembly text for <see cref="Classify"/>; null when it is data or an unknown encoding.
    /// </summary>
    public string? DecodeRaw(string statement, InstructionFamily family)
    {
        var text = statement.Trim();
        var space = text.IndexOfAny([' ', '\t']);
        if (space < 0)
        {
            return null;
        }
        var directive = text[..space].ToLowerInvariant();
        var values = new List<ulong>();
        foreach (var item in text[space..].Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryNumber(item, out var value))
            {
                return null;
            }
            values.Add(value);
        }
        if (family == InstructionFamily.X86 && directive == ".byte" && values.All(v => v <= 0xff))
        {
            var key = string.Join(' ', values.Select(v => v.ToString("x2", CultureInfo.InvariantCulture)));
            return _x86Encodings.TryGetValue(key, out var decoded) ? decoded : null;
        }
        if (family == InstructionFamily.Arm64 && directive is ".long" or ".word" or ".inst" or ".int" && values.Count == 1)
        {
            return Arm64Encoding.Decode((uint)values[0]);
        }
        return null;
    }

    private static bool TryNumber(string text, out ulong value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        }
        return ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Which argument of a builtin names its system register (register-argument), or -1.</summary>
    public int RegisterArgument(string name)
    {
        foreach (var builtin in _builtins)
        {
            if (builtin.Names.Contains(name))
            {
                return builtin.RegisterArgument;
            }
        }
        return -1;
    }

    private static bool LooksIntel(List<string> operands)
    {
        if (operands.Count == 0)
        {
            return false;
        }
        foreach (var operand in operands)
        {
            if (operand.Contains('%') || operand.Contains('$') || operand.Contains('('))
            {
                return false;
            }
        }
        return operands.Any(operand => X86Register(operand) is not null);
    }

    [GeneratedRegex(@"^[a-z][a-z0-9]{1,5}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegisterName();

    /// <summary>The register an x86 operand names (`%cr3`, `%%cr3`, `cr3`, `*%rax`), lower-case; null for memory and immediates.</summary>
    internal static string? X86Register(string operand)
    {
        var text = operand.Trim().TrimStart('*').TrimStart('%').ToLowerInvariant();
        return RegisterName().IsMatch(text) ? text : null;
    }

    /// <summary>A system-register or operation name in an arm64 operand (`ttbr0_el1`, `daifset`, `civac`), lower-case.</summary>
    internal static string? Arm64Name(string operand)
    {
        var text = operand.Trim().ToLowerInvariant();
        if (text.Length == 0 || !(char.IsAsciiLetter(text[0]) || text[0] == '_'))
        {
            return null;
        }
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return null;
            }
        }
        return Arm64Encoding.QualifyGeneric(text);
    }

    private static string OriginFile(string origin) => origin[..origin.LastIndexOf(':')];

    private static int OriginLine(string origin) => int.Parse(origin[(origin.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>Prefix words an x86 statement may start with before its mnemonic.</summary>
    internal static bool IsX86Prefix(string word) => X86Prefixes.Contains(word.ToLowerInvariant());

    private sealed class CompiledRule
    {
        public Rule Rule { get; }
        private readonly FrozenSetOfStrings _mnemonics;
        private readonly Glob[] _writes;
        private readonly Glob[] _reads;
        private readonly Glob[] _operands;

        public CompiledRule(Rule rule)
        {
            Rule = rule;
            _mnemonics = new FrozenSetOfStrings(rule.Match.Mnemonics.Select(m => m.ToLowerInvariant()).ToArray());
            _writes = rule.Match.Writes.Select(g => new Glob(g)).ToArray();
            _reads = rule.Match.Reads.Select(g => new Glob(g)).ToArray();
            _operands = rule.Match.Operands.Select(g => new Glob(g)).ToArray();
        }

        public bool NeedsRegister => _writes.Length + _reads.Length + _operands.Length > 0;

        /// <summary>The rule's mnemonic the written one is (itself, or with an operand-size suffix b/w/l/q/d dropped).</summary>
        public string? MatchMnemonic(string lower, bool allowSuffix)
        {
            if (_mnemonics.Contains(lower))
            {
                return lower;
            }
            if (allowSuffix && lower.Length > 2 && lower[^1] is 'b' or 'w' or 'l' or 'q' or 'd' && _mnemonics.Contains(lower[..^1]))
            {
                return lower[..^1];
            }
            return null;
        }

        /// <summary>The register that satisfies the rule's writes/reads/operands keys (all given keys must hold), or null.</summary>
        public string? MatchRegisters(string? destination, List<string> sources, List<string> all)
        {
            string? found = null;
            if (_writes.Length > 0)
            {
                if (destination is null || !_writes.Any(g => g.IsMatch(destination)))
                {
                    return null;
                }
                found = destination;
            }
            if (_reads.Length > 0)
            {
                var read = sources.FirstOrDefault(s => _reads.Any(g => g.IsMatch(s)));
                if (read is null)
                {
                    return null;
                }
                found ??= read;
            }
            if (_operands.Length > 0)
            {
                var any = all.FirstOrDefault(s => _operands.Any(g => g.IsMatch(s)));
                if (any is null)
                {
                    return null;
                }
                found ??= any;
            }
            return found;
        }
    }

    private sealed class BuiltinRule
    {
        public Rule Rule { get; }
        public FrozenSetOfStrings Names { get; }
        public int RegisterArgument { get; }
        public InstructionFamily Family { get; }

        public BuiltinRule(Rule rule)
        {
            Rule = rule;
            Names = new FrozenSetOfStrings(rule.Match.Builtins.ToArray(), ignoreCase: false);
            RegisterArgument = rule.Match["register-argument"] is [var index, ..] && int.TryParse(index, CultureInfo.InvariantCulture, out var n) ? n : -1;
            Family = rule.Arch == Architecture.RuleName(InstructionFamily.Arm64) ? InstructionFamily.Arm64 : InstructionFamily.X86;
        }
    }
}

/// <summary>A shell-style pattern over register names: `*`, `?` and `[0-7]` classes, case-insensitive.</summary>
internal sealed class Glob
{
    private readonly Regex _regex;

    public Glob(string pattern)
    {
        var builder = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*': builder.Append(".*"); break;
                case '?': builder.Append('.'); break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        builder.Append(@"\[");
                        break;
                    }
                    builder.Append('[').Append(pattern, i + 1, close - i - 1).Append(']');
                    i = close;
                    break;
                default: builder.Append(Regex.Escape(c.ToString())); break;
            }
        }
        // Interpreted, not compiled: each detector of a scan (the own units' and each configuration group's) compiles its
        // rules, and a compiled regex costs ~0.6 ms of code generation at its first match; the ~110 globs of the rules
        // cost ~65 ms a detector that way, against ~60 ns a match interpreted (register names are short).
        _regex = new Regex(builder.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    public bool IsMatch(string text) => _regex.IsMatch(text);
}

/// <summary>A small immutable string set (the rule tables are tiny; this keeps lookups allocation-free).</summary>
internal sealed class FrozenSetOfStrings
{
    private readonly HashSet<string> _set;

    public FrozenSetOfStrings(params string[] items) : this(items, ignoreCase: true)
    {
    }

    public FrozenSetOfStrings(string[] items, bool ignoreCase) =>
        _set = new HashSet<string>(items, ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    public bool Contains(string item) => _set.Contains(item);

    public IEnumerable<string> Items => _set;
}

/// <summary>One assembly statement split into mnemonic and operands (labels and x86 prefixes dropped).</summary>
internal static class ParsedStatement
{
    public static (string Mnemonic, List<string> Operands)? Parse(string statement, InstructionFamily family)
    {
        var text = statement.AsSpan().Trim();
        // Labels: `name:` and `1:` (not `::`), possibly several.
        while (true)
        {
            var i = 0;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '$'))
            {
                i++;
            }
            if (i > 0 && i < text.Length && text[i] == ':' && (i + 1 >= text.Length || text[i + 1] != ':'))
            {
                text = text[(i + 1)..].TrimStart();
                continue;
            }
            break;
        }
        while (true)
        {
            var word = Word(text, out var rest);
            if (word.Length == 0)
            {
                return null;
            }
            if (word[0] == '.')
            {
                return null; // a directive, not an instruction
            }
            if (family == InstructionFamily.X86 && InstructionClassifier.IsX86Prefix(word) && rest.Trim().Length > 0 && !rest.TrimStart().StartsWith(":") && char.IsAsciiLetter(rest.TrimStart()[0]))
            {
                text = rest.TrimStart();
                continue;
            }
            // `ENTRY(name)`: a macro invocation, not a mnemonic followed by operands.
            if (rest.Length > 0 && rest[0] == '(')
            {
                return null;
            }
            var operands = SplitOperands(rest);
            return (word, operands);
        }
    }

    private static string Word(ReadOnlySpan<char> text, out ReadOnlySpan<char> rest)
    {
        var i = 0;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.'))
        {
            i++;
        }
        rest = text[i..];
        if (i == 0)
        {
            return string.Empty;
        }
        // A mnemonic is followed by blank, end, or (arm64 condition forms) nothing else.
        if (rest.Length > 0 && !char.IsWhiteSpace(rest[0]) && rest[0] != '(')
        {
            return string.Empty;
        }
        return text[..i].ToString();
    }

    private static List<string> SplitOperands(ReadOnlySpan<char> rest)
    {
        var operands = new List<string>();
        var text = rest.Trim();
        if (text.Length == 0)
        {
            return operands;
        }
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(' or '[' or '{': depth++; break;
                case ')' or ']' or '}': depth--; break;
                case ',' when depth == 0:
                    operands.Add(text[start..i].Trim().ToString());
                    start = i + 1;
                    break;
            }
        }
        operands.Add(text[start..].Trim().ToString());
        return operands;
    }
}
