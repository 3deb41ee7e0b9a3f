#!/usr/bin/env python3
"""Independent listing of privileged/sensitive instruction sites in a kernel tree, for measuring the
instructions detector (docs/accuracy-instructions.md). Written separately from the C# scanners: it
tokenises C with one regular expression, reads assembly line by line with its own comment rules, and
decides "counted" from its own mnemonic tables. It does not evaluate #if: every site, active or not,
is listed as (file, line, mnemonic). Usage:
    instruction_listing.py ROOT [--family x86|arm64|auto] > sites.tsv
"""
import os
import re
import sys

X86_PLAIN = {
    "lgdt", "lidt", "lldt", "ltr", "lmsw", "clts", "invd", "wbinvd", "wbnoinvd", "invlpg", "invlpga", "invpcid", "hlt",
    "rdmsr", "wrmsr", "swapgs", "sysret", "sysexit", "xsetbv", "monitor", "mwait", "cli", "sti", "in", "out", "ins",
    "outs", "sgdt", "sidt", "sldt", "str", "smsw", "pushf", "popf", "lar", "lsl", "verr", "verw", "lcall", "ljmp",
    "lret", "int", "iret", "iretd", "cpuid", "rdtsc", "rdtscp", "rdpmc",
}
X86_NO_OPERANDS = {"cli", "sti", "hlt", "clts", "invd", "wbinvd", "swapgs", "sysret", "sysexit", "iret", "cpuid",
                   "rdtsc", "rdtscp", "rdpmc", "rdmsr", "wrmsr", "xsetbv", "pushf", "popf", "lret"}
X86_ONE_OPERAND = {"sgdt", "sidt", "sldt", "str", "smsw", "lgdt", "lidt", "lldt", "ltr", "lmsw", "invlpg", "verr", "verw", "int"}
SEGMENTS = {"cs", "ds", "es", "fs", "gs", "ss"}
X86_PREFIX = {"lock", "rep", "repe", "repz", "repne", "repnz", "data16", "data32", "addr32"}

ARM_PLAIN = {"tlbi", "dc", "ic", "at", "eret", "eretaa", "eretab", "hvc", "smc", "wfi", "wfe", "wfit", "wfet"}
APPLE_IMPDEF = re.compile(r"^(arm64_reg_\w+|hid\d+|ehid\d+|cpu_cfg|cpu_ovrd|acc_cfg|acc_ovrd|eblk_ovrd|cyc_cfg|cyc_ovrd|"
                          r"lsu_err_\w+|l2c_err_\w+|dbgdtr0|apctl_el1|apsts_el1|kernkey\w*|jctl_el1|pmcr\d(_el1)?|upm\w+|pmsr|pmesr\w*|"
                          r"ctrr_\w+|s3_\d_c15_c\d+_\d\w*)$")


def x86_register(op):
    op = op.strip().lstrip("*").lstrip("%").lower()
    return op if re.fullmatch(r"[a-z][a-z0-9]{1,5}", op) else None


def x86_counted(stmt):
    s = stmt.strip()
    while True:
        m = re.match(r"^([A-Za-z0-9_.$]+):(?!:)\s*", s)
        if not m:
            break
        s = s[m.end():]
    words = s.split(None, 1)
    while words and words[0].lower() in X86_PREFIX and len(words) > 1:
        words = words[1].split(None, 1)
    if not words:
        return None
    mn = words[0].lower()
    if not re.fullmatch(r"[a-z][a-z0-9]*", mn):
        return None
    ops = [o.strip() for o in re.split(r",(?![^(]*\))", words[1])] if len(words) > 1 and words[1].strip() else []
    base = mn if mn in X86_PLAIN or mn in ("mov", "push", "pop") else (mn[:-1] if mn[-1:] in "bwlqd" and len(mn) > 2 else None)
    if base is None:
        return None
    if base in ("mov", "push", "pop"):
        regs = [x86_register(o) for o in ops]
        if base in ("push", "pop"):
            return mn if len(regs) == 1 and regs[0] in SEGMENTS else None
        if len(ops) != 2:
            return None
        if any(r and re.fullmatch(r"(cr[02348]|dr[0-7]|db[0-7])", r) for r in regs):
            return mn
        intel = not any(c in "".join(ops) for c in "%$(")
        dest = regs[0] if intel else regs[1]
        return mn if dest in SEGMENTS - {"cs"} else None
    if base not in X86_PLAIN:
        return None
    if base in X86_NO_OPERANDS and ops:
        return None
    if base in X86_ONE_OPERAND and len(ops) != 1:
        return None
    return mn


def arm_counted(stmt):
    s = stmt.strip()
    while True:
        m = re.match(r"^([A-Za-z0-9_.$]+):(?!:)\s*", s)
        if not m:
            break
        s = s[m.end():]
    words = s.split(None, 1)
    if not words:
        return None
    mn = words[0].lower()
    ops = [o.strip().lower() for o in words[1].split(",")] if len(words) > 1 else []
    if mn in ARM_PLAIN:
        return mn
    if mn not in ("msr", "mrs") or len(ops) != 2:
        return None
    reg = ops[0] if mn == "msr" else ops[1]
    if APPLE_IMPDEF.match(reg):
        return mn
    if re.fullmatch(r"\w+_el[123]\w*|\w+_el12|\w+_el02|sp_el0|spsel|pan|uao|currentel|cnt[pv]_\w+|cntpct_el0|cntpctss_el0", reg):
        return mn
    if mn == "msr" and reg in ("daifset", "daifclr", "daif"):
        return mn
    m = re.fullmatch(r"s([0-3])_([0-7])_c(\d+)_c(\d+)_([0-7])", reg)
    if m and not (m.group(2) == "3"):
        return mn
    return None


C_TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|[A-Za-z_]\w*|\\\n|\n|.', re.S)
UNESCAPE = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "r": " "}


def c_sites(text):
    """(line, statement) for every asm statement's template pieces, by tokens."""
    toks = []
    line = 1
    for m in C_TOKEN.finditer(text):
        t = m.group(0)
        toks.append((t, line))
        line += t.count("\n")
    out = []
    i = 0
    n = len(toks)
    while i < n:
        t, ln = toks[i]
        if t in ("asm", "__asm", "__asm__"):
            j = i + 1
            while j < n and (toks[j][0].isspace() or toks[j][0] == "\\\n" or toks[j][0].startswith("/*") or toks[j][0].startswith("//")
                             or toks[j][0] in ("volatile", "__volatile__", "__volatile", "goto", "inline")):
                j += 1
            if j < n and toks[j][0] == "(":
                j += 1
                pieces = []  # (text, line)
                depth = 1
                while j < n and depth:
                    tt, tl = toks[j]
                    if tt == "(":
                        depth += 1
                    elif tt == ")":
                        depth -= 1
                    elif tt == ":" and depth == 1:
                        break
                    elif tt.startswith('"'):
                        body = re.sub(r"\\(.)", lambda m: UNESCAPE.get(m.group(1), m.group(1)), tt[1:-1])
                        pieces.append((body, tl))
                    elif re.fullmatch(r"[A-Za-z_]\w*", tt):
                        pieces.append((tt, tl))
                    j += 1
                # join pieces; statement line = line of the piece where the statement's first char is
                chars = []
                for body, tl in pieces:
                    for ch in body + " ":
                        chars.append((ch, tl))
                cur = []
                for ch, tl in chars + [("\n", 0)]:
                    if ch in "\n;":
                        stmt = "".join(c for c, _ in cur)
                        stripped = stmt.lstrip()
                        if stripped:
                            first_line = cur[len(stmt) - len(stripped)][1]
                            stmt = re.sub(r"#\s.*$|^\s*#.*$", "", stmt).replace("%%", "%")
                            out.append((first_line, stmt))
                        cur = []
                    else:
                        cur.append((ch, tl))
                i = j
                continue
        i += 1
    return out


DEFINE_FN = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)\(([^)]*)\)((?:[^\n]*\\\n)*[^\n]*)", re.M)


def parametric_uses(text):
    """(line, statement) at each invocation of a #define whose asm template names one of its parameters
    (`#define SREG_READ(SR) … "mrs %0, " SR …`), with string-literal arguments pasted in."""
    out = []
    macros = {}
    for m in DEFINE_FN.finditer(text):
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        body = m.group(3)
        for ln, stmt in c_sites("void f(void){" + body.replace("\\\n", " ") + "}"):
            used = [p for p in params if re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", stmt)]
            if used:
                macros.setdefault(m.group(1), []).append((params, stmt))
    if not macros:
        return out
    # invocations are searched in the text with comments blanked (strings kept: they are the arguments)
    text = re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"',
                  lambda m: m.group(0) if m.group(0).startswith('"') else re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    for name, stmts in macros.items():
        for m in re.finditer(r"(?<![\w#])" + re.escape(name) + r"\s*\(", text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if re.match(r"\s*#\s*define", text[line_start:m.start()]):
                continue
            # arguments up to the matching parenthesis
            depth, i, args, cur = 0, m.end(), [], ""
            while i < len(text):
                c = text[i]
                if c == '"':
                    e = i + 1
                    while e < len(text) and text[e] != '"':
                        e += 2 if text[e] == "\\" else 1
                    cur += text[i:e + 1]
                    i = e + 1
                    continue
                if c == "(":
                    depth += 1
                elif c == ")":
                    if depth == 0:
                        break
                    depth -= 1
                elif c == "," and depth == 0:
                    args.append(cur.strip())
                    cur = ""
                    i += 1
                    continue
                cur += c
                i += 1
            args.append(cur.strip())
            line = text.count("\n", 0, m.start()) + 1
            for params, stmt in stmts:
                for p, a in zip(params, args):
                    lits = re.findall(r'"((?:\\.|[^"\\])*)"', a)
                    value = "".join(lits) if lits and not re.sub(r'"(?:\\.|[^"\\])*"', "", a).strip() else a
                    stmt = re.sub(r"(?<!\w)" + re.escape(p) + r"(?!\w)", lambda _: value, stmt)
                out.append((line, stmt))
    return out


def asm_sites(text, family):
    out = []
    in_comment = False
    lines = text.split("\n")
    k = 0
    while k < len(lines):
        raw = lines[k]
        ln = k + 1
        k += 1
        s = raw
        # block comments
        res = ""
        idx = 0
        while idx < len(s):
            if in_comment:
                e = s.find("*/", idx)
                if e < 0:
                    idx = len(s)
                    break
                in_comment = False
                idx = e + 2
                res += " "
                continue
            if s.startswith("/*", idx):
                in_comment = True
                idx += 2
                continue
            if s[idx] == '"':
                e = idx + 1
                while e < len(s) and s[e] != '"':
                    e += 2 if s[e] == "\\" else 1
                res += s[idx:e + 1]
                idx = e + 1
                continue
            res += s[idx]
            idx += 1
        s = res
        s = re.sub(r"//.*$", "", s)
        st = s.strip()
        is_define = False
        if st.startswith("#"):
            word = re.match(r"#\s*(\w*)", st).group(1)
            if word == "define":
                is_define = True
                m = re.match(r"\s*#\s*define\s+\w+(\([^)]*\))?", s)
                s = " " * m.end() + s[m.end():]
            elif word in ("if", "ifdef", "ifndef", "elif", "else", "endif", "include", "undef", "error", "pragma", "warning", "line"):
                while raw.rstrip().endswith("\\") and k < len(lines):
                    raw = lines[k]
                    k += 1
                continue
            elif family == "x86" or not word or not word[0].isalpha():
                continue
        if family == "x86":
            s = re.sub(r"#.*$", "", s)
        else:
            s = re.sub(r";.*$", "", s)
        s = s.rstrip().rstrip("\\")
        parts = re.split(r";" if family == "x86" else r"%%", s)
        for p in parts:
            p2 = p.strip()
            if not p2 or p2.startswith("."):
                continue
            out.append((ln, p2))
        # continuation lines of a #define are handled as following lines naturally
    return out


def assembler_regions(text):
    """The text with every line outside an `#if*` region that requires ASSEMBLER/__ASSEMBLER__ blanked (line
    numbers kept), so headers' assembly parts can be read as assembly. Own stack, own negation rules."""
    out = []
    stack = []  # True = this branch requires the assembler, False = excludes it, None = unrelated
    for line in text.split("\n"):
        m = re.match(r"\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b(.*)", line)
        if m:
            kw, arg = m.group(1), m.group(2)
            mentions = "ASSEMBLER" in arg
            if kw == "ifdef":
                stack.append(True if mentions else None)
            elif kw == "ifndef":
                stack.append(False if mentions else None)
            elif kw == "if":
                stack.append((not re.search(r"!\s*(defined\s*\(?\s*)?_*ASSEMBLER", arg)) if mentions else None)
            elif kw == "elif" and stack:
                stack[-1] = None
            elif kw == "else" and stack:
                stack[-1] = None if stack[-1] is None else (not stack[-1])
            elif kw == "endif" and stack:
                stack.pop()
            out.append("")
            continue
        inside = False
        for v in reversed(stack):
            if v is not None:
                inside = v
                break
        out.append(line if inside else "")
    return "\n".join(out)


def family_of(path, default):
    parts = path.split("/")
    if any(p in ("i386", "x86_64") for p in parts):
        return "x86"
    if any(p in ("arm", "arm64") for p in parts):
        return "arm64"
    return default


def main():
    root = sys.argv[1]
    default = "x86"
    if "--family" in sys.argv:
        default = sys.argv[sys.argv.index("--family") + 1]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            ext = os.path.splitext(name)[1]
            try:
                text = open(path, encoding="utf-8", errors="replace").read()
            except OSError:
                continue
            if any(p in ("ppc", "ppc64") for p in rel.split("/")):
                continue  # PowerPC code: neither family
            fam = family_of(rel, default)
            if ext in (".s", ".S"):
                for ln, stmt in asm_sites(text, fam):
                    mn = x86_counted(stmt) if fam == "x86" else arm_counted(stmt)
                    if mn:
                        print(f"{rel}\t{ln}\t{mn}\t{stmt}")
            elif ext in (".c", ".h", ".cpp", ".hpp", ".cc", ".inc"):
                if ext == ".h" and "ASSEMBLER" in text:
                    for ln, stmt in asm_sites(assembler_regions(text), fam):
                        mn = x86_counted(stmt) if fam == "x86" else arm_counted(stmt)
                        if mn:
                            print(f"{rel}\t{ln}\t{mn}\t{stmt}")
                if "asm" not in text:
                    continue
                for ln, stmt in c_sites(text) + parametric_uses(text):
                    # C text: try the file's family first, then the other (arch-conditional code)
                    mn = x86_counted(stmt) if fam == "x86" else arm_counted(stmt)
                    other = arm_counted(stmt) if fam == "x86" else x86_counted(stmt)
                    if mn or other:
                        print(f"{rel}\t{ln}\t{mn or other}\t{stmt.strip()}")


if __name__ == "__main__":
    main()
