#!/usr/bin/env python3
"""Independent listing of builtin/intrinsic calls that emit a counted instruction (docs/accuracy-instructions.md).
Lexical: strips comments and strings, finds NAME( for the builtin names, takes the first argument, resolves a
macro argument through the tree's `#define NAME "..."` lines, and decides with bench/instruction_listing.py's
own arm64 table. Calls written inside a #define body are listed with kind=in-macro (the detector reports
those at each expansion site). Usage: builtin_listing.py ROOT > calls.tsv"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from instruction_listing import arm_counted  # noqa: E402  (the listing's own table, not the detector's)

READ = {"__builtin_arm_rsr", "__builtin_arm_rsr64", "__builtin_arm_rsrp", "__arm_rsr", "__arm_rsr64", "__arm_rsrp"}
WRITE = {"__builtin_arm_wsr", "__builtin_arm_wsr64", "__builtin_arm_wsrp", "__arm_wsr", "__arm_wsr64", "__arm_wsrp"}
PLAIN = {"__builtin_arm_wfi", "__wfi", "__builtin_arm_wfe", "__wfe", "__hvc", "__smc",
         "__builtin_ia32_rdtsc", "__rdtsc", "_rdtsc", "__builtin_ia32_rdtscp", "__rdtscp", "__builtin_ia32_rdpmc",
         "__rdpmc", "__cpuid", "__cpuid_count", "__get_cpuid", "__get_cpuid_count", "__builtin_ia32_wbinvd", "_wbinvd",
         "__builtin_ia32_xsetbv", "_xsetbv", "__readeflags", "__writeeflags"}
NAMES = READ | WRITE | PLAIN
CALL = re.compile(r"\b(" + "|".join(sorted(NAMES, key=len, reverse=True)) + r")\s*\(")
STRIP = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"', re.S)


def main():
    root = sys.argv[1]
    files = []
    defines = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if os.path.splitext(name)[1] in (".c", ".h", ".cpp", ".hpp"):
                path = os.path.join(dirpath, name)
                text = open(path, encoding="utf-8", errors="replace").read()
                files.append((os.path.relpath(path, root), text))
                for m in re.finditer(r'^\s*#\s*define\s+(\w+)\s+"([^"]*)"', text, re.M):
                    defines.setdefault(m.group(1), m.group(2))
    for rel, text in files:
        if not CALL.search(text):
            continue
        # blank comments (keep strings: they are the register names)
        blanked = re.sub(r'//[^\n]*|/\*.*?\*/', lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
        lines = blanked.split("\n")
        in_define = False
        for i, line in enumerate(lines):
            starts_define = re.match(r"\s*#\s*define\b", line) is not None
            macro = in_define or starts_define
            in_define = macro and line.rstrip().endswith("\\")
            for m in CALL.finditer(line):
                name = m.group(1)
                if re.match(r"\s*#\s*define\s+" + re.escape(name) + r"\b", line):
                    continue  # a definition of the name itself
                arg = line[m.end():].split(",")[0].split(")")[0].strip()
                reg = None
                if name in READ or name in WRITE:
                    if arg.startswith('"'):
                        reg = arg.strip('"')
                    elif arg in defines:
                        reg = defines[arg]
                    else:
                        print(f"{rel}\t{i + 1}\t{name}\t{arg}\t{'in-macro' if macro else 'unresolved'}")
                        continue
                    stmt = f"mrs x0, {reg}" if name in READ else f"msr {reg}, x0"
                    if not arm_counted(stmt):
                        continue
                print(f"{rel}\t{i + 1}\t{name}\t{reg or ''}\t{'in-macro' if macro else 'call'}")


if __name__ == "__main__":
    main()
