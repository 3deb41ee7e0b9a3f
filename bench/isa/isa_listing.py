#!/usr/bin/env python3
"""List every privileged, sensitive, timing and hypercall instruction written in a source tree.

An independent check of the instructions detector, built from the other direction: the instruction and
register lists are the ISA manuals' (x86-instructions.tsv, arm64-instructions.tsv, arm64-sysregs.tsv in this
folder, each row with its section), and every token of every assembler context is matched against them:

  inline-asm    asm / __asm__ / __asm statements in C/C++ (string literals concatenated over lines)
  define-asm    a #define whose body holds an asm statement (reported at the #define line)
  define-body   a #define body of a header, outside any __ASSEMBLER__ test, that reads as one assembler
                statement (osfmk/i386/asm.h's "#define INB inb %dx, %al"; registers or immediates required)
  asm-define    a #define body in an assembler context (.s/.S files, __ASSEMBLER__/ASSEMBLER regions of
                headers; the body is split at ';' and reported at the #define line)
  asm-block     a brace-bodied assembler function or block (old "asm int f() { cli }", "__asm { }")
  gas-macro     a line of a GAS .macro ... .endm body
  asm-header    any other line of an __ASSEMBLER__/ASSEMBLER region of a header
  asm-file      any other line of a .s/.S file

It does not evaluate #if: every branch is read (the detector reports what it finds in skipped branches as
inactive, but only where its lexical passes reach). PowerPC folders (ppc/) are skipped.

Output: TSV, one row per instruction: file, line, arch, mnemonic, register, class, context.
Standard library only. Usage: isa_listing.py ROOT [-o OUT.tsv]
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
C_EXT = {".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".m", ".mm", ".inc"}
ASM_EXT = {".s", ".S"}


# ---- the lists ----------------------------------------------------------------------------------------
def rows(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            yield line.rstrip("\n").split("\t")


X86 = {}  # mnemonic (every suffixed spelling) -> [(base, operand, class)]
for mn, suffixes, operand, cls, _src in rows("x86-instructions.tsv"):
    spellings = {mn} | {mn + s for s in suffixes.split(",") if s not in ("-", "")}
    for s in spellings:
        X86.setdefault(s, []).append((mn, operand, cls))

ARM_INSN = {}  # mnemonic -> {operation or '*' or '-': class}
for mn, op, cls, _src in rows("arm64-instructions.tsv"):
    ARM_INSN.setdefault(mn, {})[op] = cls

SYSREG = {}  # upper-case name -> (min_el, access)
SYSREG_BY_ENC = {}  # (op0, op1, crn, crm, op2) -> name
for name, op0, op1, crn, crm, op2, el, access, _src in rows("arm64-sysregs.tsv"):
    SYSREG[name] = (int(el[2:]), access)
    SYSREG_BY_ENC[(int(op0), int(op1), int(crn[1:]), int(crm[1:]), int(op2))] = name

PSTATE_FIELDS = {"spsel", "daifset", "daifclr", "pan", "uao", "allint", "pm", "dit", "ssbs", "tco",
                 "svcrsm", "svcrza", "svcrsmza"}
SREG = {"cs", "ds", "es", "fs", "gs", "ss"}
SUFFIX_EL = re.compile(r"_el(0|1|2|3|12|02)$", re.I)
GENERIC_ENC = re.compile(r"^s([0-3])_([0-7])_c([0-9]|1[0-5])_c([0-9]|1[0-5])_([0-7])$", re.I)
PARAM = re.compile(r"^(\$\d+|\\\w+|\{\{.*\}\}|\{\w+\}|%\[?\w*\]?)$")
TLBI_OP = re.compile(r"^(vmalle1|vae|vaae|aside|vale|vaale|alle|ipas2|vmalls12|paall|rvae|rvaae|rvale|"
                     r"rvaale|ripas2|vmallws2|rpaos|rpalos)", re.I)
AT_OP = re.compile(r"^s1(2)?e[0-3]", re.I)
ARM_GPR = re.compile(r"^(?:[xw](?:\d+|zr)|sp|lr|fp|[qdsbhv]\d+(?:\.\w+)?)$", re.I)


def sysreg_class(name, write, aliases):
    """Class of an msr/mrs register operand, or None when the access is not sensitive."""
    if "\x01" in name:  # "msr DBGBCR" #n "_EL1": a register pasted from a macro parameter
        return "register-parameter", name.replace("\x01", "{#}")
    seen = set()
    while name.upper() not in SYSREG and name in aliases and name not in seen:
        seen.add(name)
        name = aliases[name]
    if PARAM.match(name):
        return "register-parameter", name
    up = name.upper()
    m = GENERIC_ENC.match(name)
    if m and up not in SYSREG:
        enc = tuple(int(g) for g in m.groups())
        if enc in SYSREG_BY_ENC:
            up = SYSREG_BY_ENC[enc]
        elif enc[0] == 3 and enc[2] in (11, 15):
            return "impdef", name.lower()
        else:
            el = {0: 1, 1: 1, 2: 1, 7: 1, 3: 0, 4: 2, 5: 2, 6: 3}[enc[1]]
            return ("sysreg-el%d" % el, name.lower()) if el else (None, name.lower())
    if up in SYSREG:
        el, access = SYSREG[up]
        if el >= 1:
            return "sysreg-el%d" % el, up.lower()
        if access.startswith("el0-trap") and "not a system resource" not in access:
            return "sysreg-el0-trap", up.lower()
        if access.startswith("el0-read-only") and write:
            return "sysreg-el0-write-el1", up.lower()
        if access == "debug-state-only":
            return "sysreg-debug", up.lower()
        return None, up.lower()
    m = SUFFIX_EL.search(name)
    if m:
        el = {"0": 0, "1": 1, "2": 2, "3": 3, "12": 2, "02": 2}[m.group(1)]
        return ("sysreg-el%d" % el, name.lower()) if el else (None, name.lower())
    if re.match(r"^[A-Za-z_]\w*$", name):
        return "unresolved", name
    return None, name


# ---- statements ---------------------------------------------------------------------------------------
PREFIXES = {"lock", "rep", "repe", "repz", "repne", "repnz", "data16", "data32", "addr16", "addr32",
            "notrack", "cs", "ds", "es", "fs", "gs", "ss"}
LABEL = re.compile(r"^\s*(?:[A-Za-z_.$][\w.$]*|\d+)\s*:(?!:)")


def split_operands(text):
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def statement(text):
    """(mnemonic, operands) of one assembler statement, or None."""
    text = text.strip()
    while True:
        m = LABEL.match(text)
        if not m:
            break
        text = text[m.end():].strip()
    words = text.split(None, 1)
    while words and words[0].lower() in PREFIXES and len(words) > 1:
        words = words[1].split(None, 1)
    if words:
        words[0] = words[0].replace("\x01", "")  # "in" #s: the mnemonic with its pasted suffix
    if not words or not re.match(r"^[A-Za-z][\w.]*$", words[0]):
        return None
    return words[0].lower(), split_operands(words[1]) if len(words) > 1 else []


def looks_arm64(ops):
    return len(ops) >= 3 or any(o.startswith("#") or ARM_GPR.match(o) or o.startswith("[") for o in ops)


def reg(op):
    op = op.strip()
    if op.startswith("%"):
        return op[1:].lower()
    # Intel syntax (.intel_syntax noprefix) names control and debug registers bare
    return op.lower() if re.match(r"^(cr\d+|dr\d)$", op, re.I) else None


def match_x86(mn, ops):
    out = []
    for base, operand, cls in X86.get(mn, ()):
        regs = [reg(o) for o in ops]
        if operand == "*":
            if base == "str" and len(ops) != 1:
                continue
            if base in ("lar", "lsl") and len(ops) != 2:
                continue
            out.append((cls, ""))
        elif operand == "cr":
            r = next((r for r in regs if r and re.match(r"^cr\d+$", r)), None)
            if r:
                out.append((cls, r))
        elif operand == "dr":
            r = next((r for r in regs if r and re.match(r"^d[rb]\d$", r)), None)
            if r:
                out.append((cls, r))
        elif operand == "sreg":
            if len(ops) == 1 and regs[0] in SREG:
                out.append((cls, regs[0]))
        elif operand == "sreg-write":
            if len(ops) == 2 and regs[1] in SREG:
                out.append((cls, regs[1]))
        elif operand == "sreg-read":
            if len(ops) == 2 and regs[0] in SREG:
                out.append((cls, regs[0]))
    return out[:1]


def match_arm64(mn, ops, aliases):
    table = ARM_INSN.get(mn)
    if mn in ("msr", "mrs"):
        if len(ops) != 2:
            return []
        name = ops[0] if mn == "msr" else ops[1]
        imm = mn == "msr" and re.match(r"^#?-?(0x[0-9a-f]+|\d+)$|^#", ops[1].strip(), re.I)
        if imm and name.lower() in PSTATE_FIELDS:
            cls = table.get(name.lower()) if table else None
            return [("pstate", name.lower())] if cls else []
        cls, r = sysreg_class(name.strip(), mn == "msr", aliases)
        return [(cls, r)] if cls else []
    if not table:
        return []
    if "-" in table:
        return [(table["-"], "")] if not ops else []
    if "*" in table:
        if mn in ("hvc", "smc") and not (ops and re.match(r"^#|^\d|^\$|^\\|^%|^\{", ops[0])):
            return []
        if mn == "tlbi" and not (ops and (TLBI_OP.match(ops[0]) or PARAM.match(ops[0]))):
            return []
        if mn == "at" and not (ops and (AT_OP.match(ops[0]) or PARAM.match(ops[0]))):
            return []
        if mn in ("sys", "sysl") and not (ops and re.match(r"^#?\d", ops[0 if mn == "sys" else 1] if len(ops) > 1 else "")):
            return []
        return [(table["*"], ops[0].lower() if ops else "")]
    if ops and ops[0].lower() in table:
        return [(table[ops[0].lower()], ops[0].lower())]
    if ops and PARAM.match(ops[0]):
        return [("register-parameter", ops[0])]  # dc \op / dc $0: the operation is a macro parameter
    return []


C_WORDS = {"int", "str", "in", "out", "at", "dc", "ic", "sys"}


def plausible_asm(text):
    st = statement(text)
    if not st or st[0] in C_WORDS and not st[1]:
        return False
    mn, ops = st
    if not ops:
        return True
    # an indirect operand (ljmp *4f, ljmp *(%rip)) is a star before a register, a memory operand or a label
    return all(re.match(r"^(%|\$|#|\(|\*[%(\d]|[xw]\d|[A-Za-z_]\w*$|\d)", o) for o in ops) and any(
        o.startswith(("%", "$", "#")) or re.match(r"^\*[%(\d]", o) or ARM_GPR.match(o) for o in ops) or mn in ("msr", "mrs", "tlbi", "dc", "ic", "at")


def match(arch, text, aliases):
    st = statement(text)
    if not st:
        return []
    mn, ops = st
    if arch == "x86" and not (mn in ("msr", "mrs") or any(o.startswith("#") for o in ops)):
        return [("x86", mn, r, c) for c, r in match_x86(mn, ops)]
    if arch == "arm64":
        return [("arm64", mn, r, c) for c, r in match_arm64(mn, ops, aliases)]
    first, second = ("arm64", "x86") if looks_arm64(ops) or mn in ("msr", "mrs") else ("x86", "arm64")
    for a in (first, second):
        found = match_arm64(mn, ops, aliases) if a == "arm64" else match_x86(mn, ops)
        if found:
            return [(a, mn, r, c) for c, r in found]
    return []



# ---- instructions written as bytes --------------------------------------------------------------------
# The SDM's opcode map (Vol. 2 Appendix A, Tables and the group tables A-6): the one- and two-byte
# opcodes of the instructions in x86-instructions.tsv, so that ".byte 0xea; .long x; .word cs" (a far jmp
# written as bytes because the assembler of the day could not) is listed like "ljmp".
X86_ONE_BYTE = {0xea: "ljmp $0,$0", 0x9a: "lcall $0,$0", 0xcb: "lret", 0xca: "lret $0", 0xcf: "iret",
                0xfa: "cli", 0xfb: "sti", 0xf4: "hlt", 0x9c: "pushf", 0x9d: "popf", 0xcc: "int3",
                0xcd: "int $0", 0xce: "into", 0xf1: "int1", 0xe4: "inb $0,%al", 0xe5: "inl $0,%eax",
                0xe6: "outb %al,$0", 0xe7: "outl %eax,$0", 0xec: "inb %dx,%al", 0xed: "inl %dx,%eax",
                0xee: "outb %al,%dx", 0xef: "outl %eax,%dx", 0x6c: "insb", 0x6d: "insl", 0x6e: "outsb",
                0x6f: "outsl"}
X86_TWO_BYTE = {0x05: None, 0x06: "clts", 0x07: "sysret", 0x08: "invd", 0x09: "wbinvd", 0x30: "wrmsr",
                0x31: "rdtsc", 0x32: "rdmsr", 0x33: "rdpmc", 0x35: "sysexit", 0xa2: "cpuid",
                0x20: "mov %cr0,%eax", 0x22: "mov %eax,%cr0", 0x21: "mov %dr0,%eax", 0x23: "mov %eax,%dr0"}
X86_0F01_REG = {0: "sgdt (0)", 1: "sidt (0)", 2: "lgdt (0)", 3: "lidt (0)", 4: "smsw (0)", 6: "lmsw (0)",
                7: "invlpg (0)"}
X86_0F01_FULL = {0xf8: "swapgs", 0xf9: "rdtscp", 0xc1: "vmcall", 0xd9: "vmmcall", 0xd1: "xsetbv",
                 0xc8: "monitor", 0xc9: "mwait", 0xca: "clac", 0xcb: "stac", 0xc4: "vmxoff", 0xc2: "vmlaunch",
                 0xc3: "vmresume", 0xd8: "vmrun"}
X86_0F00_REG = {0: "sldt (0)", 1: "str (0)", 2: "lldt (0)", 3: "ltr (0)", 4: "verr (0)", 5: "verw (0)"}
DATA = re.compile(r"^\s*\.(byte|word|short|long|int|value)\s+(.*)$", re.I)
SIZES = {"byte": 1, "word": 2, "short": 2, "value": 2, "long": 4, "int": 4}


def data_bytes(text):
    """The bytes a data directive lays down, up to its first non-constant value; None if not one."""
    m = DATA.match(text)
    if not m:
        return None
    size, out = SIZES[m.group(1).lower()], []
    for item in m.group(2).split(","):
        item = item.strip()
        try:
            value = int(item, 0)
        except ValueError:
            out.append(None)  # a symbol (an address, a selector): an operand, not an opcode
            break
        out.extend((value >> (8 * i)) & 0xff for i in range(size))
    return out


def decode_x86(bs):
    """The instruction a run of bytes starts with, as assembler text, or None."""
    bs = [b for b in bs]
    while bs and bs[0] in (0x66, 0x67, 0xf3, 0xf2, 0xf0, 0x48):  # operand/address-size, rep, lock, REX.W
        bs = bs[1:]
    if not bs or bs[0] is None:
        return None
    if bs[0] != 0x0f:
        return X86_ONE_BYTE.get(bs[0])
    if len(bs) < 2 or bs[1] is None:
        return None
    if bs[1] in (0x00, 0x01):
        if len(bs) < 3 or bs[2] is None:
            return None
        if bs[1] == 0x01 and bs[2] in X86_0F01_FULL:
            return X86_0F01_FULL[bs[2]]
        regfield = (bs[2] >> 3) & 7
        if bs[2] >> 6 == 3 and bs[1] == 0x01:
            return None
        return (X86_0F01_REG if bs[1] == 0x01 else X86_0F00_REG).get(regfield)
    return X86_TWO_BYTE.get(bs[1])


def decode_arm64(word):
    """An A64 instruction word (Arm ARM C4.1: system instructions, exception generation, hints) as text."""
    if word & 0xffd00000 == 0xd5100000:  # MSR/MRS (register): op0 = 2 + o0
        enc = (2 + ((word >> 19) & 1), (word >> 16) & 7, (word >> 12) & 15, (word >> 8) & 15, (word >> 5) & 7)
        name = SYSREG_BY_ENC.get(enc, "s%d_%d_c%d_c%d_%d" % enc)
        return ("mrs x0, %s" if word & (1 << 21) else "msr %s, x0") % name
    if word & 0xfff8f01f == 0xd500401f:  # MSR (immediate): PSTATE fields
        field = {(3, 6): "daifset", (3, 7): "daifclr", (0, 5): "spsel", (0, 4): "pan", (0, 3): "uao"}.get(
            ((word >> 16) & 7, (word >> 5) & 7))
        return "msr %s, #0" % field if field else None
    if word & 0xfff8f000 == 0xd5088000:  # SYS with CRn = 8: TLBI
        return "tlbi vmalle1"
    hints = {0xd503207f: "wfi", 0xd503205f: "wfe", 0xd69f03e0: "eret"}
    if word in hints:
        return hints[word]
    if word & 0xffe0001f == 0xd4000002:
        return "hvc #0"
    if word & 0xffe0001f == 0xd4000003:
        return "smc #0"
    return None


# ---- C text -------------------------------------------------------------------------------------------
TOKEN = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def blank_comments(text, hash_comments=False):
    """Comments replaced by spaces (newlines kept); strings and chars kept as they are."""
    def repl(m):
        s = m.group(0)
        if s.startswith("/"):
            return re.sub(r"[^\n]", " ", s)
        return s
    text = TOKEN.sub(repl, text)
    if hash_comments:  # x86 GAS: '#' after the start of a line begins a comment
        text = re.sub(r"(?m)(?<=\S)([ \t]*)#(?!#)[^\n]*", lambda m: m.group(1), text)
    return text


def logical_lines(text):
    """(first physical line number, joined text) of each logical line (backslash continuation)."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        start, buf = i + 1, lines[i]
        while buf.endswith("\\") and i + 1 < len(lines):
            i += 1
            buf = buf[:-1] + "\n" + lines[i]
        yield start, buf
        i += 1


ASM_KW = re.compile(r"\b(?:__asm__|__asm|asm)\b(?:\s+(?:volatile|__volatile__|__volatile|goto|inline))*\s*\(")
STR_PIECE = re.compile(r'"((?:\\.|[^"\\])*)"|#\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)|(\S)', re.S)


def templates(text):
    """(offset of the first string, [(offset, piece)]) of each asm statement in C text."""
    for m in ASM_KW.finditer(text):
        pos, pieces, depth = m.end(), [], 1
        for t in STR_PIECE.finditer(text, pos):
            if t.group(1) is not None:
                s = t.group(1).encode("latin-1", "replace").decode("unicode_escape", "replace")
                pieces.append((t.start(), s))
            elif t.group(2):
                pieces.append((t.start(), "\x01"))  # #param: pasted text (a size suffix, part of a register)
            elif t.group(3):
                if t.group(3) in ("volatile", "__volatile__"):
                    continue
                pieces.append((t.start(), "{%s}" % t.group(3)))
            else:
                ch = t.group(4)
                if ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
                    if depth == 0:
                        break
                elif ch == ":" and depth == 1:
                    break
        if pieces:
            yield pieces


def template_statements(pieces, text, base_line):
    """(line, statement text) of each statement, the line being that of the string holding its start."""
    cur, cur_line = "", None
    for off, s in pieces:
        line = base_line + text.count("\n", 0, off)
        s = s.replace("%%", "%")
        for ch in s:
            if ch in "\n;":
                if cur.strip():
                    yield cur_line, cur
                cur, cur_line = "", None
            else:
                if cur_line is None and not ch.isspace():
                    cur_line = line
                cur += " " if ch == "\t" else ch
    if cur.strip():
        yield cur_line, cur


ASM_BLOCK = re.compile(r"\b(?:asm|__asm)\b(?:\s+[A-Za-z_][\w\s*]*\([^()]*\))?\s*\{([^{}]*)\}")
ASSEMBLER_COND = re.compile(r"\b(?:__ASSEMBLER__|ASSEMBLER|__ASSEMBLY__)\b")


def region_kind(directive, cond):
    """True: the branch is assembler; False: it is C; None: the condition does not say."""
    if not ASSEMBLER_COND.search(cond):
        return None
    c = cond.strip()
    if directive == "ifdef":
        return True
    if directive == "ifndef":
        return False
    if re.match(r"^!\s*(defined\s*\(?\s*)?(__ASSEMBLER__|ASSEMBLER|__ASSEMBLY__)", c):
        return False
    if "&&" in c or "||" in c:
        return None if re.search(r"!\s*defined", c) else True
    return True


def scan_file(path, rel, arch, aliases, out):
    try:
        with open(path, encoding="latin-1") as f:
            raw = f.read()
    except OSError:
        return
    ext = os.path.splitext(path)[1]
    is_asm = ext in ASM_EXT
    text = blank_comments(raw, hash_comments=is_asm and arch == "x86")
    stack = []  # per #if: [kind of the current branch]
    in_macro = False

    # a header that refuses C ("#ifndef __ASSEMBLER__ / #error ...") is assembler throughout
    asm_only = ext not in (".c", ".cc", ".cpp", ".cxx", ".m", ".mm") and re.search(
        r"#\s*ifndef\s+(?:__ASSEMBLER__|ASSEMBLER)\s*\n\s*#\s*error", text) is not None

    def asm_region():
        if is_asm or asm_only or in_macro:
            return True
        for k in reversed(stack):
            if k is not None:
                return k
        return False

    run = []  # consecutive data directives of an assembler context: [(line, context, bytes)]

    def flush_run():
        if run:
            line, context = run[0][0], run[0][1]
            bs = [b for _, _, part in run for b in part]
            run.clear()
            text_ = decode_x86(bs) if arch != "arm64" else None
            if text_:
                for a, mn, r, c in match("x86", text_, aliases):
                    out.append((rel, line, a, mn, r, c, context))

    def emit(line, stmt_text, context):
        if context != "inline-asm" and context != "define-asm":
            stripped = stmt_text.strip()
            if not stripped:
                return
            bs = data_bytes(stripped)
            if bs is not None:
                kind = DATA.match(stripped).group(1).lower()
                if arch != "x86" and kind in ("long", "int", "word") and len(bs) == 4 and None not in bs:
                    # arm64 .long/.word/.inst: one instruction word
                    text_ = decode_arm64(sum(b << (8 * i) for i, b in enumerate(bs)))
                    if text_:
                        for a, mn, r, c in match("arm64", text_, aliases):
                            out.append((rel, line, a, mn, r, c, context))
                        return
                if run and decode_x86([b for _, _, part in run for b in part]):
                    flush_run()  # the run so far is one whole opcode: this directive starts the next
                if run or kind in ("byte", "word", "short", "value"):
                    run.append((line, context, bs))
                if None in bs:
                    flush_run()
                return
            flush_run()
            if stripped.split(None, 1)[0] in local_functions:
                return  # a use of this file's own function-like #define (LJMP (KERNEL_CS, …)): listed at the #define
            # preprocessed assembler: a word #defined as an object-like macro (i386_lock.s's PUSHF, from
            # pal_lock_asm.h's "#define PUSHF pushf") is a use of the macro, listed at its definition
            w = LABEL.sub("", stmt_text).split(None, 1)
            if w and w[0] in aliases.macros:
                return
        for a, mn, r, c in match(arch, stmt_text, aliases):
            out.append((rel, line, a, mn, r, c, context))

    # function-like macros a .s file defines for itself (#define LJMP(segment,address) .byte 0xea; …)
    local_functions = set(re.findall(r"(?m)^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(", text)) if is_asm else set()
    c_chunk, c_chunk_line = [], None

    def flush_c():
        nonlocal c_chunk, c_chunk_line
        if c_chunk:
            chunk = "\n".join(c_chunk)
            for pieces in templates(chunk):
                for line, st in template_statements(pieces, chunk, c_chunk_line):
                    emit(line, st, "inline-asm")
            # brace-bodied assembler: old-style "asm int f() { pushfl; cli }" functions, "__asm { ... }" blocks
            for m in ASM_BLOCK.finditer(chunk):
                body_line = c_chunk_line + chunk.count("\n", 0, m.start(1))
                for off, phys in enumerate(m.group(1).split("\n")):
                    for part in phys.split(";"):
                        emit(body_line + off, part, "asm-block")
        c_chunk, c_chunk_line = [], None

    for line, ltext in logical_lines(text):
        d = re.match(r"^\s*#\s*(\w+)\s*(.*)$", ltext, re.S)
        if d and d.group(1) in ("if", "ifdef", "ifndef", "elif", "else", "endif", "define", "undef",
                                "include", "import", "error", "warning", "pragma", "line", "include_next"):
            name, rest = d.group(1), d.group(2)
            if name in ("if", "ifdef", "ifndef"):
                stack.append(region_kind(name, rest))
            elif name == "elif" and stack:
                stack[-1] = region_kind("if", rest)
            elif name == "else" and stack:
                stack[-1] = None if stack[-1] is None else not stack[-1]
            elif name == "endif" and stack:
                stack.pop()
            elif name == "define":
                dm = re.match(r"^([A-Za-z_]\w*)(\([^)]*\))?(.*)$", rest, re.S)
                if dm:
                    body = dm.group(3)
                    # the site is the definition: the line of the body that holds the instruction
                    first = line + rest[:dm.start(3)].count("\n")
                    if asm_region():
                        for off, phys in enumerate(body.split("\n")):
                            for part in re.split(r";|%%", phys):
                                emit(first + off, part, "asm-define")
                    else:
                        found = False
                        for pieces in templates(body):
                            for l, st in template_statements(pieces, body, first):
                                found = True
                                emit(l, st, "define-asm")
                        if not found and ext not in (".c", ".cc", ".cpp", ".cxx", ".m", ".mm"):
                            # a header outside any __ASSEMBLER__ test that is only included by assembler
                            # (osfmk/i386/asm.h: "#define INB inb %dx, %al"): a body that reads as an
                            # assembler statement (registers or immediates, or one operand-less mnemonic)
                            for off, phys in enumerate(body.split("\n")):
                                for part in re.split(r";|%%", phys):
                                    if plausible_asm(part) or DATA.match(part):
                                        emit(first + off, part, "define-body")
                    flush_run()
            flush_run()
            flush_c()
            continue
        if not asm_region() and re.match(r"^\s*\.macro\b", ltext):
            in_macro = True  # a GAS .macro in a header without an __ASSEMBLER__ test
        if asm_region():
            flush_c()
            for phys_off, phys in enumerate(ltext.split("\n")):
                s = phys.strip()
                if re.match(r"^\.macro\b", s):
                    in_macro = True
                    continue
                if re.match(r"^\.endm(?:acro)?\b", s):
                    in_macro = False
                    continue
                for part in re.split(r";|%%", s):  # %% separates statements on Darwin arm64
                    emit(line + phys_off, part, "gas-macro" if in_macro else ("asm-file" if is_asm else "asm-header"))
        else:
            if c_chunk_line is None:
                c_chunk_line = line
            c_chunk.append(ltext)  # consecutive lines: a directive flushes the chunk
    flush_run()
    flush_c()


def arch_of(rel):
    parts = rel.lower().split("/")
    if any(p in ("arm64", "arm") or p.startswith("arm64") for p in parts[:-1]):
        return "arm64"
    if any(p in ("i386", "x86_64", "x86") for p in parts[:-1]):
        return "x86"
    return "both"


ALIAS_DEF = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+([A-Za-z_][\w]*)[ \t]*(?://.*|/\*.*)?$", re.M)


OBJECT_MACRO = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?=[ \t]|$)", re.M)


class Aliases(dict):
    """One-token #defines (register aliases) and the names of every object-like macro of the tree."""
    def __init__(self):
        super().__init__()
        self.macros = set()


def walk(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x != "ppc" and not x.startswith("."))
        for fn in sorted(files):
            if os.path.splitext(fn)[1] in C_EXT | ASM_EXT:
                yield os.path.join(d, fn)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    paths = list(walk(root))
    aliases = Aliases()  # NAME -> one-token value, from every #define NAME TOKEN in the tree
    for p in paths:
        try:
            with open(p, encoding="latin-1") as f:
                text = f.read()
        except OSError:
            continue
        for m in ALIAS_DEF.finditer(text):
            aliases.setdefault(m.group(1), m.group(2))
        aliases.macros.update(OBJECT_MACRO.findall(text))
    out = []
    for p in paths:
        rel = os.path.relpath(p, root).replace(os.sep, "/")
        scan_file(p, rel, arch_of(rel), aliases, out)
    f = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    f.write("file\tline\tarch\tmnemonic\tregister\tclass\tcontext\n")
    for row in out:
        f.write("\t".join(str(x) for x in row) + "\n")


if __name__ == "__main__":
    main()
