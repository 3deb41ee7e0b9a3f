using System.Collections.Immutable;
using System.Text;

namespace Parascope.Detectors.PageTables;

/// <summary>One operand of an extended asm statement as written: `[name] "constraint" (expression)`.</summary>
public sealed record AsmOperand(string? Name, string Constraint, string Expression, bool Output)
{
    /// <summary>An "m"-class constraint: the operand is the memory itself, not a register holding a value or an address.</summary>
    public bool IsMemory => Constraint.TrimStart('=', '+', '&').IndexOfAny(MemoryLetters) >= 0;

    // m o V: memory (x86 and arm64); Q: a memory reference by a single base register (arm64's usual form for atomics).
    private static readonly char[] MemoryLetters = ['m', 'o', 'V', 'Q'];
}

/// <summary>
/// An extended asm statement read from its text: the template (string literals joined, `%%` unescaped), the
/// operands in order (outputs, then inputs: the order in which clang gives their expressions), the clobbers, and
/// where each template piece is written. Only what deciding a store needs; see <see cref="InlineAsmStore"/>.
/// </summary>
public sealed record AsmText(ImmutableArray<AsmTemplateLine> Lines, ImmutableArray<AsmOperand> Operands, ImmutableArray<string> Clobbers)
{
    public bool ClobbersMemory => Clobbers.Contains("memory");

    /// <summary>
    /// Reads the statement whose asm keyword starts at <paramref name="start"/> in <paramref name="text"/> (a file, or a
    /// #define body with its line continuations); null when it is not an asm statement with an operand list.
    /// </summary>
    public static AsmText? Read(string text, int start)
    {
        var i = start;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }
        i = SkipTrivia(text, i);
        while (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
        {
            var word = i;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }
            if (text[word..i] is not ("volatile" or "__volatile__" or "__volatile" or "goto" or "inline" or "__inline"))
            {
                return null;
            }
            i = SkipTrivia(text, i);
        }
        if (i >= text.Length || text[i] != '(')
        {
            return null;
        }
        i++;
        // The template: string literals (and macro names between them, kept as written) up to the first ':'.
        var lines = ImmutableArray.CreateBuilder<AsmTemplateLine>();
        var piece = new StringBuilder();
        var pieceAt = -1;
        void Flush()
        {
            var statement = piece.ToString().Replace("%%", "%", StringComparison.Ordinal).Trim();
            if (statement.Length > 0)
            {
                lines.Add(new AsmTemplateLine(statement, pieceAt));
            }
            piece.Clear();
            pieceAt = -1;
        }
        while (true)
        {
            i = SkipTrivia(text, i);
            if (i >= text.Length)
            {
                return null;
            }
            var c = text[i];
            if (c == '"')
            {
                var end = StringEnd(text, i);
                for (var k = i + 1; k < end - 1; k++)
                {
                    if (text[k] == '\\' && k + 1 < end - 1)
                    {
                        var escaped = text[++k];
                        if (escaped == 'n' || escaped == ';')
                        {
                            Flush();
                            continue;
                        }
                        if (escaped is '\n' or '\r')
                        {
                            continue;
                        }
                        piece.Append(escaped == 't' ? ' ' : escaped);
                        continue;
                    }
                    if (text[k] == ';')
                    {
                        Flush();
                        continue;
                    }
                    if (pieceAt < 0 && !char.IsWhiteSpace(text[k]))
                    {
                        pieceAt = k;
                    }
                    piece.Append(text[k]);
                }
                piece.Append(' ');
                i = end;
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var word = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                piece.Append(text, word, i - word).Append(' ');
                continue;
            }
            if (c == ':')
            {
                break;
            }
            // A basic asm statement (no operands) or something that is not a template.
            return null;
        }
        Flush();
        var operands = ImmutableArray.CreateBuilder<AsmOperand>();
        var clobbers = ImmutableArray.CreateBuilder<string>();
        var section = 0;
        while (i < text.Length && text[i] == ':' && section < 3)
        {
            i = SkipTrivia(text, i + 1);
            section++;
            if (section == 3)
            {
                // Clobbers: string literals separated by commas.
                while (i < text.Length && text[i] == '"')
                {
                    var end = StringEnd(text, i);
                    clobbers.Add(text[(i + 1)..(end - 1)].Trim());
                    i = SkipTrivia(text, end);
                    if (i < text.Length && text[i] == ',')
                    {
                        i = SkipTrivia(text, i + 1);
                    }
                }
                break;
            }
            while (i < text.Length && text[i] is '[' or '"')
            {
                string? name = null;
                if (text[i] == '[')
                {
                    var close = text.IndexOf(']', i);
                    if (close < 0)
                    {
                        return null;
                    }
                    name = text[(i + 1)..close].Trim();
                    i = SkipTrivia(text, close + 1);
                }
                var constraint = new StringBuilder();
                while (i < text.Length && text[i] == '"')
                {
                    var end = StringEnd(text, i);
                    constraint.Append(text, i + 1, end - i - 2);
                    i = SkipTrivia(text, end);
                }
                if (i >= text.Length || text[i] != '(')
                {
                    return null;
                }
                var expressionEnd = Close(text, i);
                operands.Add(new AsmOperand(name, constraint.ToString(), text[(i + 1)..(expressionEnd - 1)].Trim(), section == 1));
                i = SkipTrivia(text, expressionEnd);
                if (i < text.Length && text[i] == ',')
                {
                    i = SkipTrivia(text, i + 1);
                }
            }
        }
        return new AsmText(lines.ToImmutable(), operands.ToImmutable(), clobbers.ToImmutable());
    }

    private static int SkipTrivia(string text, int i)
    {
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '\n' or '\r')
            {
                i += 2;
            }
            else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                var end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end + 1;
            }
            else
            {
                break;
            }
        }
        return i;
    }

    /// <summary>Just after the closing quote of the string literal opening at <paramref name="quote"/>.</summary>
    private static int StringEnd(string text, int quote)
    {
        var i = quote + 1;
        while (i < text.Length && text[i] != '"')
        {
            i += text[i] == '\\' ? 2 : 1;
        }
        return Math.Min(i + 1, text.Length);
    }

    /// <summary>Just after the parenthesis that closes the one at <paramref name="open"/>.</summary>
    private static int Close(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"' or '\'':
                    var quote = text[i];
                    i++;
                    while (i < text.Length && text[i] != quote)
                    {
                        i += text[i] == '\\' ? 2 : 1;
                    }
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth == 0)
                    {
                        return i + 1;
                    }
                    break;
            }
        }
        return text.Length;
    }
}

/// <summary>One instruction of a template and the offset in the text of its first character (-1 when unknown).</summary>
public readonly record struct AsmTemplateLine(string Text, int Offset);

/// <summary>
/// Whether an asm statement stores into a page-table entry: an instruction that writes memory (mov, xchg,
/// cmpxchg, cmpxchg8b/16b, a read-modify-write ALU op, lock-prefixed or not; arm64 str/stp/stlr/stxr, swp, cas,
/// the LSE ld&lt;op&gt;/st&lt;op&gt;) whose memory operand is the PTE: a memory operand (%N, %[name]) that is a
/// PTE lvalue, or an address taken from a PTE-pointer operand ((%N), 4(%N), [%N]) when the statement clobbers
/// "memory". A load through the pointer, or a store to a register, is not a store.
/// </summary>
public static class InlineAsmStore
{
    /// <summary>What the template does to the PTE: the instruction that stores and whether it is atomic.</summary>
    public readonly record struct Store(AsmTemplateLine Line, string Mnemonic, bool Atomic);

    /// <param name="asm">The statement.</param>
    /// <param name="memoryOperands">Indices of operands that are PTE lvalues (meaningful with a memory constraint).</param>
    /// <param name="pointerOperands">Indices of operands that point to PTEs.</param>
    public static Store? Find(AsmText asm, IReadOnlySet<int> memoryOperands, IReadOnlySet<int> pointerOperands)
    {
        var memory = memoryOperands.Where(i => i < asm.Operands.Length && asm.Operands[i].IsMemory).ToHashSet();
        var pointers = asm.ClobbersMemory ? pointerOperands.Where(i => i < asm.Operands.Length && !asm.Operands[i].IsMemory).ToHashSet() : [];
        if (memory.Count == 0 && pointers.Count == 0)
        {
            return null;
        }
        var lockPrefix = false;
        foreach (var line in asm.Lines)
        {
            if (Instruction(line.Text) is not { } instruction)
            {
                continue;
            }
            // `lock; orq %1, %0`: the prefix written as a statement of its own applies to the next instruction.
            if (instruction.Mnemonic == "lock" && instruction.Operands.Count == 0)
            {
                lockPrefix = true;
                continue;
            }
            instruction.Atomic |= lockPrefix;
            lockPrefix = false;
            foreach (var destination in Destinations(instruction.Mnemonic, instruction.Operands))
            {
                if (Refers(asm, destination, memory, pointers))
                {
                    return new Store(line, instruction.Mnemonic, instruction.Atomic);
                }
            }
        }
        return null;
    }

    private sealed record ParsedInstruction(string Mnemonic, List<string> Operands)
    {
        public bool Atomic { get; set; }
    }

    private static ParsedInstruction? Instruction(string text)
    {
        var rest = text.Trim();
        // Local labels ("1:") and a lock prefix written as its own statement or before the mnemonic.
        while (true)
        {
            var colon = rest.IndexOf(':');
            if (colon > 0 && rest[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '$'))
            {
                rest = rest[(colon + 1)..].TrimStart();
                continue;
            }
            break;
        }
        var locked = false;
        if (rest.StartsWith("lock", StringComparison.Ordinal) && rest.Length > 4 && !char.IsAsciiLetterOrDigit(rest[4]))
        {
            locked = true;
            rest = rest[4..].TrimStart(' ', '\t', ';');
        }
        var space = rest.IndexOfAny([' ', '\t']);
        var mnemonic = (space < 0 ? rest : rest[..space]).ToLowerInvariant();
        if (mnemonic.Length == 0)
        {
            return null;
        }
        var operands = new List<string>();
        if (space > 0)
        {
            var depth = 0;
            var from = space + 1;
            for (var i = from; i <= rest.Length; i++)
            {
                if (i == rest.Length || (rest[i] == ',' && depth == 0))
                {
                    var operand = rest[from..i].Trim();
                    if (operand.Length > 0)
                    {
                        operands.Add(operand);
                    }
                    from = i + 1;
                    continue;
                }
                depth += rest[i] is '(' or '[' ? 1 : rest[i] is ')' or ']' ? -1 : 0;
            }
        }
        return new ParsedInstruction(mnemonic, operands) { Atomic = locked || IsAtomicMnemonic(mnemonic) };
    }

    private static bool IsAtomicMnemonic(string m) =>
        m.StartsWith("xchg", StringComparison.Ordinal) || m.StartsWith("cmpxchg", StringComparison.Ordinal)
        || m.StartsWith("xadd", StringComparison.Ordinal)
        || m.StartsWith("stxr", StringComparison.Ordinal) || m.StartsWith("stlxr", StringComparison.Ordinal)
        || m.StartsWith("stxp", StringComparison.Ordinal) || m.StartsWith("stlxp", StringComparison.Ordinal)
        || m.StartsWith("swp", StringComparison.Ordinal) || m.StartsWith("cas", StringComparison.Ordinal)
        || IsLseOp(m);

    private static readonly string[] LseOps = ["add", "clr", "eor", "set", "smax", "smin", "umax", "umin"];

    /// <summary>arm64 LSE atomics: ld&lt;op&gt;[a][l][b|h] and st&lt;op&gt;[l][b|h].</summary>
    private static bool IsLseOp(string m) =>
        (m.StartsWith("ld", StringComparison.Ordinal) || m.StartsWith("st", StringComparison.Ordinal))
        && LseOps.Any(op => m.AsSpan(2).StartsWith(op, StringComparison.Ordinal));

    // x86 (AT&T: the destination is the last operand) instructions that write their destination.
    private static readonly string[] X86Writes = ["mov", "add", "sub", "and", "or", "xor", "adc", "sbb", "inc", "dec", "not",
        "neg", "bts", "btr", "btc", "shl", "shr", "sal", "sar", "rol", "ror", "xadd", "cmpxchg", "xchg", "stos", "set"];

    /// <summary>The operands an instruction writes to memory through (empty when it writes none).</summary>
    private static IEnumerable<string> Destinations(string mnemonic, List<string> operands)
    {
        if (operands.Count == 0)
        {
            yield break;
        }
        if (mnemonic.StartsWith("cmpxchg8b", StringComparison.Ordinal) || mnemonic.StartsWith("cmpxchg16b", StringComparison.Ordinal))
        {
            yield return operands[0];
            yield break;
        }
        if (mnemonic.StartsWith("xchg", StringComparison.Ordinal))
        {
            foreach (var operand in operands)
            {
                yield return operand;
            }
            yield break;
        }
        // arm64: a store's address is its bracketed operand (str x1, [x0]; stp x1, x2, [x0]; swp x1, x2, [x0]).
        if (mnemonic.StartsWith("st", StringComparison.Ordinal) || mnemonic.StartsWith("swp", StringComparison.Ordinal)
            || mnemonic.StartsWith("cas", StringComparison.Ordinal) || IsLseOp(mnemonic))
        {
            if (!mnemonic.StartsWith("stos", StringComparison.Ordinal))
            {
                foreach (var operand in operands.Where(o => o.StartsWith('[')))
                {
                    yield return operand;
                }
                // A "Q"/"m" operand stands for the whole address: `stxr %w0, %2, %1`.
                yield return operands[^1];
                yield break;
            }
        }
        if (X86Writes.Any(w => mnemonic.StartsWith(w, StringComparison.Ordinal)))
        {
            yield return operands[^1];
        }
    }

    /// <summary>Whether a destination names a PTE memory operand, or an address formed from a PTE-pointer operand.</summary>
    private static bool Refers(AsmText asm, string destination, HashSet<int> memory, HashSet<int> pointers)
    {
        var text = destination.Trim().TrimStart('*');
        var inside = text.Contains('(') || text.Contains('[');
        foreach (var index in inside ? pointers : memory)
        {
            if (Mentions(text, index, asm.Operands[index].Name, requireAlone: !inside))
            {
                return true;
            }
        }
        // `(%0)` where %0 is itself a memory operand reads an address out of memory: not this PTE.
        return false;
    }

    /// <summary>`%N`, `%kN`/`%qN`/`%xN`/`%wN` (operand modifiers), or `%[name]` in <paramref name="text"/>.</summary>
    private static bool Mentions(string text, int index, string? name, bool requireAlone)
    {
        for (var at = text.IndexOf('%'); at >= 0; at = text.IndexOf('%', at + 1))
        {
            var i = at + 1;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }
            var matched = false;
            var end = i;
            if (i < text.Length && text[i] == '[')
            {
                var close = text.IndexOf(']', i);
                matched = close > i && name is not null && text[(i + 1)..close].Trim() == name;
                end = close + 1;
            }
            else
            {
                var digits = i;
                while (end < text.Length && char.IsAsciiDigit(text[end]))
                {
                    end++;
                }
                matched = end > digits && int.Parse(text.AsSpan(digits, end - digits), System.Globalization.CultureInfo.InvariantCulture) == index;
            }
            if (matched)
            {
                return !requireAlone || (text[..at].Trim().Length == 0 && text[end..].Trim().Length == 0);
            }
        }
        return false;
    }
}
