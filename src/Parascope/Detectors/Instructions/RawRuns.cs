using System.Globalization;

using Parascope.Model;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// Instructions old assemblers lacked were written as data: one directive (`.byte 0x0f, 0x01, 0xf8`,
/// `.long 0xd518c000`) or a run of them inside a macro (`.byte 0x66; .word 0x010f; .byte 0x15; .long addr`
/// for a 32-bit lgdt, `.byte 0xea; .long addr; .word seg` for ljmp). Pairs each statement with the assembly
/// text it encodes, or null. A run is decoded once, from its first statement, and reported at the statement
/// that holds the opcode; symbolic operands (`.long address-EXT(base)`) only fill their bytes.
/// </summary>
public static class RawRuns
{
    public static IEnumerable<(AsmStatement Statement, string? Decoded)> Decode(IEnumerable<AsmStatement> statements,
        InstructionClassifier classifier, InstructionFamily family)
    {
        var pending = new List<AsmStatement>();
        foreach (var statement in statements)
        {
            if (pending.Count > 0 && !(IsData(statement.Text) || IsBareName(statement.Text)) || pending.Count > 0 && statement.Macro != pending[0].Macro)
            {
                foreach (var item in Flush(pending, classifier, family))
                {
                    yield return item;
                }
            }
            if (IsData(statement.Text) || pending.Count > 0 && IsBareName(statement.Text))
            {
                pending.Add(statement);
                continue;
            }
            if (IsBareName(statement.Text) && family == InstructionFamily.X86)
            {
                pending.Add(statement); // `operand_size_prefix`: a macro for a prefix byte may open a run
                continue;
            }
            yield return (statement, null);
        }
        foreach (var item in Flush(pending, classifier, family))
        {
            yield return item;
        }
    }

    private static IEnumerable<(AsmStatement, string?)> Flush(List<AsmStatement> run, InstructionClassifier classifier, InstructionFamily family)
    {
        if (run.Count == 0)
        {
            yield break;
        }
        var result = new string?[run.Count];
        if (family == InstructionFamily.Arm64 || run.Count == 1)
        {
            for (var i = 0; i < run.Count; i++)
            {
                result[i] = run[i].Text.StartsWith('.') ? classifier.DecodeRaw(run[i].Text, family) : null;
            }
        }
        else
        {
            // x86: one byte stream over the run; the whole-directive table first, then the multi-statement opcodes.
            var single = run.Select(s => s.Text.StartsWith('.') ? classifier.DecodeRaw(s.Text, family) : null).ToArray();
            if (single.Any(d => d is not null))
            {
                result = single;
            }
            else if (DecodeX86Stream(run) is { } decoded)
            {
                result[decoded.Index] = decoded.Text;
            }
        }
        for (var i = 0; i < run.Count; i++)
        {
            yield return (run[i], result[i]);
        }
        run.Clear();
    }

    private static (int Index, string Text)? DecodeX86Stream(List<AsmStatement> run)
    {
        var bytes = new List<(int Value, int Statement)>();
        for (var i = 0; i < run.Count; i++)
        {
            var text = run[i].Text.Trim();
            if (IsBareName(text))
            {
                continue;
            }
            var space = text.IndexOfAny([' ', '\t']);
            if (space < 0)
            {
                continue; // a data directive with no operand (`.byte` alone) emits no byte
            }
            var directive = text[..space].ToLowerInvariant();
            var width = directive switch { ".byte" => 1, ".word" or ".short" or ".value" => 2, ".long" or ".int" => 4, ".quad" => 8, _ => 0 };
            foreach (var item in text[space..].Split(',', StringSplitOptions.TrimEntries))
            {
                var known = TryNumber(item, out var value);
                for (var b = 0; b < width; b++)
                {
                    bytes.Add((known ? (int)((value >> (8 * b)) & 0xff) : -1, i));
                }
            }
        }
        var at = 0;
        while (at < bytes.Count && bytes[at].Value is 0x66 or 0x67)
        {
            at++;
        }
        if (at >= bytes.Count)
        {
            return null;
        }
        var opcode = bytes[at];
        switch (opcode.Value)
        {
            case 0xea when bytes.Count - at >= 5: return (opcode.Statement, "ljmp *(%eax)");
            case 0x9a when bytes.Count - at >= 5: return (opcode.Statement, "lcall *(%eax)");
            case 0x0f when at + 2 < bytes.Count && bytes[at + 1].Value is 0x00 or 0x01 && bytes[at + 2].Value >= 0:
                var reg = (bytes[at + 2].Value >> 3) & 7;
                string? name = bytes[at + 1].Value == 0x01
                    ? reg switch { 0 => "sgdt", 1 => "sidt", 2 => "lgdt", 3 => "lidt", 4 => "smsw", 6 => "lmsw", 7 => "invlpg", _ => null }
                    : reg switch { 0 => "sldt", 1 => "str", 2 => "lldt", 3 => "ltr", 4 => "verr", 5 => "verw", _ => null };
                return name is null || bytes[at + 2].Value >= 0xc0 && bytes[at + 1].Value == 0x01 ? null : (opcode.Statement, name + " (%eax)");
        }
        return null;
    }

    private static bool IsData(string text)
    {
        var lower = text.TrimStart();
        return lower.StartsWith(".byte", StringComparison.OrdinalIgnoreCase) || lower.StartsWith(".word", StringComparison.OrdinalIgnoreCase)
            || lower.StartsWith(".long", StringComparison.OrdinalIgnoreCase) || lower.StartsWith(".short", StringComparison.OrdinalIgnoreCase)
            || lower.StartsWith(".inst", StringComparison.OrdinalIgnoreCase) || lower.StartsWith(".int ", StringComparison.OrdinalIgnoreCase)
            || lower.StartsWith(".quad", StringComparison.OrdinalIgnoreCase) || lower.StartsWith(".value", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsBareName(string text)
    {
        var t = text.Trim();
        return t.Length > 0 && (char.IsAsciiLetter(t[0]) || t[0] == '_') && t.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    private static bool TryNumber(string text, out ulong value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        }
        return ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}
