using System.Globalization;

namespace Parascope.Detectors.Instructions;

/// <summary>
/// Decodes the arm64 system-instruction encodings a kernel writes as `.long`/`.inst` words when its assembler
/// lacks a register name (Arm ARM C5.2: MSR/MRS register form, MSR immediate, SYS aliases, hints, exception
/// generation, ERET), to assembly text. System registers come out in the generic s&lt;op0&gt;_&lt;op1&gt;_c&lt;n&gt;_c&lt;m&gt;_&lt;op2&gt;
/// form, with the few whose EL decides a rule named (an EL1 register needs no name to be EL1: op1 0 is EL1).
/// </summary>
public static class Arm64Encoding
{
    public static string? Decode(uint word)
    {
        switch (word)
        {
            case 0xd503207f: return "wfi";
            case 0xd503205f: return "wfe";
            case 0xd69f03e0: return "eret";
        }
        if ((word & 0xffe0001f) == 0xd4000002)
        {
            return $"hvc #{(word >> 5) & 0xffff}";
        }
        if ((word & 0xffe0001f) == 0xd4000003)
        {
            return $"smc #{(word >> 5) & 0xffff}";
        }
        var top = word & 0xfff00000;
        if (top is 0xd5100000 or 0xd5300000)
        {
            var op0 = 2 + ((word >> 19) & 1);
            var register = SystemRegister(op0, (word >> 16) & 7, (word >> 12) & 15, (word >> 8) & 15, (word >> 5) & 7);
            var rt = word & 31;
            return top == 0xd5100000 ? $"msr {register}, x{rt}" : $"mrs x{rt}, {register}";
        }
        if ((word & 0xfff80000) == 0xd5080000)
        {
            // SYS #op1, Cn, Cm, #op2: CRn 8 is tlbi, CRn 7 is dc/ic/at by CRm.
            var op1 = (word >> 16) & 7;
            var crn = (word >> 12) & 15;
            var crm = (word >> 8) & 15;
            var op2 = (word >> 5) & 7;
            if (crn == 8)
            {
                return $"tlbi sys_{op1}_c{crn}_c{crm}_{op2}";
            }
            if (crn == 7)
            {
                var setWay = op1 == 0 && crm is 6 or 10 or 14 && op2 == 2;
                var name = crm switch
                {
                    5 or 1 => "ic",
                    8 or 9 => "at",
                    _ => "dc",
                };
                return setWay ? $"dc {(crm == 6 ? "isw" : crm == 10 ? "csw" : "cisw")}, x{word & 31}" : $"{name} sys_{op1}_c{crn}_c{crm}_{op2}";
            }
        }
        if ((word & 0xfff8f01f) == 0xd500401f)
        {
            // MSR (immediate): PSTATE fields; op1 3 op2 6/7 are DAIFSet/DAIFClr.
            var op1 = (word >> 16) & 7;
            var op2 = (word >> 5) & 7;
            var field = (op1, op2) switch
            {
                (3, 6) => "daifset",
                (3, 7) => "daifclr",
                (0, 5) => "spsel",
                (0, 4) => "pan",
                (0, 3) => "uao",
                _ => null,
            };
            return field is null ? null : $"msr {field}, #{(word >> 8) & 15}";
        }
        return null;
    }

    private static readonly System.Text.RegularExpressions.Regex Generic = new(
        @"^s([0-3])_([0-7])_c([0-9]+)_c([0-9]+)_([0-7])$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>A generic register name written in source (`s3_0_c2_c0_0`) with its EL made explicit, so EL rules see it.</summary>
    public static string QualifyGeneric(string lower)
    {
        if (lower.Length < 12 || lower[0] != 's')
        {
            return lower;
        }
        var match = Generic.Match(lower);
        if (!match.Success)
        {
            return lower;
        }
        uint Part(int i) => uint.Parse(match.Groups[i].Value, CultureInfo.InvariantCulture);
        return SystemRegister(Part(1), Part(2), Part(3), Part(4), Part(5));
    }

    private static string SystemRegister(uint op0, uint op1, uint crn, uint crm, uint op2)
    {
        var generic = string.Create(CultureInfo.InvariantCulture, $"s{op0}_{op1}_c{crn}_c{crm}_{op2}");
        if (op0 == 3 && crn == 15)
        {
            return generic; // implementation defined
        }
        // The EL is in op1 for op0 3: 0-2 EL1, 3 EL0, 4 EL2, 5 EL12 aliases, 6 EL3.
        return (op0, op1) switch
        {
            (3, 3) when crn == 14 && crm == 2 => $"cntp_{generic}",
            (3, 3) when crn == 14 && crm == 3 => $"cntv_{generic}",
            (3, 3) => $"{generic}_el0",
            (_, 0 or 1 or 2) => $"{generic}_el1",
            (_, 4) => $"{generic}_el2",
            (_, 5) => $"{generic}_el12",
            (_, 6) => $"{generic}_el3",
            _ => generic,
        };
    }
}
