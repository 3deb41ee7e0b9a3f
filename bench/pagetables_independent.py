#!/usr/bin/env python3
"""An independent listing of page-table stores, active and inactive, built without Parascope's code.

Active code (what the unit's configuration compiles): clang's own JSON AST (`clang-14 -Xclang -ast-dump=json
-fsyntax-only` with each unit's flags), walked by pagetables_oracle.Walker (C stores, bulk and atomic calls, helper
calls) plus GCC asm statements: an asm whose operand is a PTE lvalue with an "m"-class constraint, or a PTE pointer
with a "memory" clobber, and whose template holds an instruction writing that operand's memory (mov/xchg/cmpxchg*/
read-modify-write ops; arm64 st*/swp/cas/LSE). Positions are spelling positions when they are in the tree (text a
macro body produced is counted at the #define, text from a macro argument at its use).

Inactive code (lines no selected unit compiles): `clang-14 -E` with the same flags says which lines of each file the
unit compiled (from the line markers); every other line of every file a unit read is inactive for that unit, and a
line is inactive when it is inactive in every unit that read its file. A text pass with regular expressions over
those lines lists stores through names declared (anywhere in the files read) with a PTE type or a typedef of one,
casts to a PTE pointer, and calls of the listed helpers, atomics and memset-like functions on PTE pointers.

Units: every C/C++ entry of CC.json (bench/pagetables_independent.sh keeps the units whose own text names a PTE type
or a helper, and the files given in EXTRA). Only sites in files those units read are compared.

usage: pagetables_independent.py CC.json TREE REPORT.json [--list] [--cache DIR]
"""
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pagetables_oracle import Walker, PTE_TYPES, HELPERS, BULK, ATOMIC_PREFIXES  # noqa: E402

SELECT = re.compile(r"\b(" + "|".join(sorted(PTE_TYPES | HELPERS)) + r")\b")
STORE_MNEMONICS = re.compile(r"^(lock\s+)?(mov|add|sub|and|or|xor|adc|sbb|inc|dec|not|neg|bts|btr|btc|xadd|cmpxchg|xchg)[a-z0-9]*$")
ARM_STORES = re.compile(r"^(st[a-z]*|swp[a-z]*|cas[a-z]*|ld(add|clr|eor|set|smax|smin|umax|umin)[a-z]*)$")
MEMORY_CONSTRAINT = re.compile(r"[moVQ]")


class AsmWalker(Walker):
    """The oracle's walker, plus GCC asm statements and spelling positions for macro-body text."""

    def __init__(self, tree, directory):
        super().__init__(tree, directory)
        self.texts = {}

    def text(self, path):
        if path not in self.texts:
            try:
                with open(path, errors="replace") as handle:
                    self.texts[path] = handle.read()
            except OSError:
                self.texts[path] = ""
        return self.texts[path]

    def add(self, kind, at):
        spelled = self.begin_spelling
        # A helper macro (pmap_update_pte) is counted where it is used, as a call is; other macro-body text at the #define.
        if kind == "helper" and self.word_at(at) in HELPERS:
            spelled = None
        if spelled and spelled[0]:
            path = spelled[0] if spelled[0].startswith("/") else os.path.join(self.directory, spelled[0])
            if os.path.normpath(path).startswith(self.tree):
                at = spelled
        super().add(kind, at)

    def walk(self, node, in_function=False):
        if node.get("kind") == "GCCAsmStmt":
            at = self.track(node)
            spelled = self.begin_spelling
            rng = node.get("range", {}).get("begin", {})
            offset = (rng.get("spellingLoc") or rng).get("offset")
            kids = self.kids(node)
            self.asm(kids, spelled, offset)
            for child in kids:
                Walker.walk(self, child, in_function)
            return
        Walker.walk(self, node, in_function)

    def asm(self, operands, spelled, offset):
        if not spelled or not spelled[0] or offset is None:
            return
        path = spelled[0] if spelled[0].startswith("/") else os.path.join(self.directory, spelled[0])
        path = os.path.normpath(path)
        text = self.text(path)
        m = re.compile(r"(?:__asm__|__asm|asm)\b").match(text, offset)
        if not m:
            return
        body = text[m.end():m.end() + 4000].replace("\\\n", " \n")
        # Template literals up to the first ':' outside strings; then operand sections.
        i = body.find("(")
        if i < 0:
            return
        parts, depth, j, current = [], 1, i + 1, ""
        sections = [[]]
        strings = []
        while j < len(body) and depth > 0:
            c = body[j]
            if c == '"':
                k = j + 1
                while k < len(body) and body[k] != '"':
                    k += 2 if body[k] == "\\" else 1
                strings.append((len(sections) - 1, body[j + 1:k], j))
                j = k + 1
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == ":" and depth == 1:
                sections.append([])
            elif depth == 1 and c == ",":
                pass
            j += 1
        template = [(s, at) for sec, s, at in strings if sec == 0]
        constraints = [s for sec, s, _ in strings if sec in (1, 2)]
        clobbers = [s for sec, s, _ in strings if sec == 3]
        if len(constraints) != len(operands):
            return
        memory, pointers = set(), set()
        for n, (constraint, operand) in enumerate(zip(constraints, operands)):
            qual = self.qual(operand)
            if MEMORY_CONSTRAINT.search(constraint.lstrip("=+&")) and self.pte(qual) and self.memory(operand):
                memory.add(n)
            elif not MEMORY_CONSTRAINT.search(constraint.lstrip("=+&")) and "memory" in clobbers and self.points_to_pte(operand):
                pointers.add(n)
        if not memory and not pointers:
            return
        lock = False
        for literal, at in template:
            for piece in re.split(r"\\n|;", literal):
                piece = re.sub(r"^\s*(\w+:\s*)+", "", piece.replace("\\t", " ")).strip().replace("%%", "%")
                if not piece:
                    continue
                words = piece.split(None, 1)
                mnemonic = words[0].lower()
                if mnemonic == "lock" and len(words) == 1:
                    lock = True
                    continue
                args = [a.strip() for a in re.split(r",(?![^(\[]*[)\]])", words[1])] if len(words) > 1 else []
                if not args:
                    continue
                if re.match(r"cmpxchg(8|16)b", mnemonic) or mnemonic.startswith("xchg"):
                    targets = args
                elif ARM_STORES.match(mnemonic) and not mnemonic.startswith("stos"):
                    targets = [a for a in args if a.startswith("[")] + [args[-1]]
                elif STORE_MNEMONICS.match(mnemonic):
                    targets = [args[-1]]
                else:
                    continue
                for target in targets:
                    refs = {int(x) for x in re.findall(r"%[a-z]?(\d+)", target)}
                    inside = "(" in target or "[" in target
                    if (inside and refs & pointers) or (not inside and refs & memory):
                        absolute = m.end() + at
                        line = text.count("\n", 0, absolute) + 1
                        self.sites.add(("store", path[len(self.tree):], line, 0))
                        return
                lock = False


def preprocessed_lines(entry, args):
    """(file → set of line numbers) the unit compiled, from clang -E's line markers."""
    out = subprocess.run(["clang-14", *args, "-E", entry["file"]], cwd=entry["directory"], capture_output=True, text=True,
                         errors="replace").stdout
    active = defaultdict(set)
    current, line = None, 0
    for text in out.split("\n"):
        if text.startswith("# ") and len(text) > 2 and text[2].isdigit():
            parts = text.split('"')
            number = text[2:].split(" ", 1)[0]
            if len(parts) >= 2:
                name = parts[1]
                current = os.path.normpath(name if name.startswith("/") else os.path.join(entry["directory"], name))
                line = int(number)
            continue
        if current is not None and text.strip():
            active[current].add(line)
        line += 1
    return active


COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
ASSIGN = r"(?:=(?!=)|\|=|&=|\^=|\+=|-=|<<=|>>=)"
TYPEDEF = re.compile(r"\btypedef\s+(?:(?:const|volatile|unsigned|signed|struct|union)\s+)*(\w+)\s+(\w+)\s*;")
DECLARATION = re.compile(r"\b(\w+)\s*(\**)\s*(\w+)\s*(\[)?")


def inactive_stores(tree, files, active_by_unit, helpers):
    """Text pass over lines no unit compiled. Returns {(kind, file, line)}."""
    texts = {}
    for path in files:
        try:
            with open(path, errors="replace") as handle:
                texts[path] = handle.read()
        except OSError:
            pass
    # PTE types: the rule types and every typedef of one, through chains.
    types = set(PTE_TYPES)
    pairs = [(m.group(2), m.group(1)) for text in texts.values() for m in TYPEDEF.finditer(COMMENT.sub(" ", text))]
    changed = True
    while changed:
        changed = False
        for name, target in pairs:
            if target in types and name not in types:
                types.add(name)
                changed = True
    type_re = "|".join(sorted(types, key=len, reverse=True))
    decl = re.compile(r"\b(" + type_re + r")\s*(\*?)\s*(?:const\s+)?(\w+)\s*(\[)?")
    other = re.compile(r"\b(\w+)\s*(\*?)\s*(\w+)\s*[;,)\[=]")
    sites = set()
    for path, raw in texts.items():
        # Names: which the file (and the tree's read files, for fields) declare with a PTE type; a name also declared
        # with another type in the same file is ambiguous and left out.
        clean = STRING.sub('""', COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), raw))
        pointers, values, others = set(), set(), set()
        for m in decl.finditer(clean):
            if m.group(3) in types:
                continue
            (pointers if m.group(2) or m.group(4) else values).add(m.group(3))
        ptr_fields = {n for n in pointers}
        lines = clean.split("\n")
        compiled = set()
        seen_in = [u for u in active_by_unit if path in u["files"]]
        for u in seen_in:
            compiled |= u["active"].get(path, set())
        in_define = False
        for number, line in enumerate(lines, 1):
            stripped = line.strip()
            if in_define or stripped.startswith("#"):
                in_define = stripped.endswith("\\")
                continue
            if number in compiled or not stripped:
                continue
            rel = path[len(tree):]
            # Declarations with initializers are not stores.
            # (the declarator is cut, its initializer kept: a helper call there is still a call)
            body = re.sub(r"^\s*(?:static\s+|register\s+|const\s+|volatile\s+)*\w+(?:\s+|\s*\*+\s*)\w+\s*(\[[^\]]*\])?\s*=(?!=)", " ", line)
            body = re.sub(r"\b(?:const\s+)?\w+\s*\*+\s*\w+\s*=(?!=)", " ", body)  # for (T *p = …; a * b = … is no C
            found = None
            for m in re.finditer(r"(?<![\w)\]])\*\s*(?:(\w+)|\(\s*(\w+)\s*(?:[+-][^=;()]*)?\))\s*" + ASSIGN, body):
                if (m.group(1) or m.group(2)) in pointers:
                    found = "store"
            for m in re.finditer(r"\b(\w+)\s*\[[^\]]*\]\s*" + ASSIGN, body):
                if m.group(1) in pointers and not re.search(r"(->|\.)\s*$", body[:m.start()]):
                    found = "store"
            for m in re.finditer(r"(?:->|\.)\s*(\w+)\s*(\[[^\]]*\])?\s*" + ASSIGN, body):
                if (m.group(2) and m.group(1) in ptr_fields) or (not m.group(2) and m.group(1) in values - pointers):
                    found = "store"
            if re.search(r"\*\s*\(\s*\(?\s*(?:" + type_re + r")\s*\*\s*\)[^;=]*\)?\s*" + ASSIGN, body):
                found = "store"
            for m in re.finditer(r"\b(\w+)\s*\(\s*(&?)\s*\(?\s*([\w>.\-\[\]]*)", body):
                name, target = m.group(1), m.group(3)
                if name in BULK and BULK[name] == 1:
                    # bcopy(src, dst, n): the destination is the second argument.
                    rest_args = body[m.end():].split(",", 1)
                    second = re.match(r"\s*(&?)\s*\(?\s*([\w>.\-\[\]]*)", rest_args[1]) if len(rest_args) > 1 else None
                    if not second:
                        continue
                    target = second.group(2)
                root = re.split(r"->|\.|\[", target)[-1] if "->" in target or "." in target else target.split("[")[0]
                if name in helpers and not re.search(r"\b(void|int|boolean_t|inline|static)\s*\**\s*$", body[:m.start()]):
                    sites.add(("helper", rel, number))
                elif name in BULK or name.startswith(ATOMIC_PREFIXES):
                    if "load" in name or "read" in name:
                        continue
                    if root in pointers or (m.group(2) and root in values):
                        found = "store"
            if found:
                sites.add((found, rel, number))
    return sites


def main():
    ccdb, tree, report, *rest = sys.argv[1:]
    tree = os.path.normpath(tree) + "/"
    # --listing FILE: keep the listing (it does not depend on the report), to compare several reports without clang again.
    saved = rest[rest.index("--listing") + 1] if "--listing" in rest else None
    if saved and os.path.exists(saved):
        data = json.load(open(saved))
        active_sites = {tuple(s) for s in data["active"]}
        units = [{"files": set(u["files"]), "active": {f: set(l) for f, l in u["active"].items()}} for u in data["units"]]
    else:
        active_sites, units = listing(ccdb, tree)
        if saved:
            json.dump({"active": sorted(active_sites),
                       "units": [{"files": sorted(u["files"]), "active": {f: sorted(l) for f, l in u["active"].items()}}
                                 for u in units]}, open(saved, "w"))
    read_files = set().union(*(u["files"] for u in units)) if units else set()
    inactive = inactive_stores(tree, sorted(read_files), units, HELPERS) - active_sites
    if os.path.exists(report):
        compare(active_sites, inactive, report, "--list" in rest, {f[len(tree):] for f in read_files})


def listing(ccdb, tree):
    entries = [e for e in json.load(open(ccdb)) if e["file"].endswith((".c", ".cpp"))]
    # The caller chooses the units (bench/pagetables_independent.sh keeps those whose text names a PTE type or a
    # helper, plus any listed in EXTRA); every C/C++ entry of CC.json is read.
    selected = entries
    print(f"units: {len(entries)}, selected: {len(selected)}", file=sys.stderr)
    active_sites = set()
    units = []
    read_files = set()
    def unit_args(e):
        args = [a for a in e["arguments"][1:] if a not in ("-c", e["file"])]
        if "-o" in args:
            i = args.index("-o")
            del args[i:i + 2]
        return args

    def run(e):
        args = unit_args(e)
        dump = subprocess.run(["clang-14", *args, "-fsyntax-only", "-Xclang", "-ast-dump=json", e["file"]],
                              cwd=e["directory"], capture_output=True, text=True, errors="replace").stdout
        return dump, preprocessed_lines(e, args)

    from concurrent.futures import ThreadPoolExecutor
    pool = ThreadPoolExecutor(int(os.environ.get("JOBS", "3")))
    for e, (dump, lines) in zip(selected, pool.map(run, selected)):
        print(f"  {e['file']}", file=sys.stderr)
        walker = AsmWalker(tree, e["directory"])
        try:
            walker.walk(json.loads(dump))
        except json.JSONDecodeError:
            print(f"  no AST: {e['file']}", file=sys.stderr)
        active_sites |= {(("store" if k == "atomic" else k), f, l) for k, f, l, _ in walker.sites}
        files = {p for p in lines if p.startswith(tree) and p.endswith((".c", ".h", ".cpp"))}
        files.add(os.path.normpath(os.path.join(e["directory"], e["file"])))
        units.append({"files": files, "active": lines})
        read_files |= files
        lines = {f: l for f, l in lines.items() if f in files}
        units[-1]["active"] = lines
    return active_sites, units


def compare(active_sites, inactive, report, show, read_files):

    kinds = {"pt.pte-store": "store", "pt.pte-atomic": "store", "pt.pte-store-helper": "helper"}
    found = {True: set(), False: set()}
    for f in json.load(open(report))["findings"]:
        # Only files the listing's units read: a site elsewhere is outside what was listed.
        if f["ruleId"] in kinds and f["file"] in read_files:
            found[f.get("active", True)].add((kinds[f["ruleId"]], f["file"], f["line"]))
    for label, truth, reported in (("active", active_sites, found[True]), ("inactive", inactive, found[False])):
        for kind in ("store", "helper"):
            t = {s for s in truth if s[0] == kind}
            p = {s for s in reported if s[0] == kind}
            hit = len(t & p)
            recall = hit / len(t) if t else 1.0
            precision = hit / len(p) if p else 1.0
            print(f"{label:8s} {kind:6s} listing {len(t):4d}  parascope {len(p):4d}  matched {hit:4d}  "
                  f"recall {recall:.1%}  precision {precision:.1%}")
            if show:
                for s in sorted(t - p):
                    print("   missed:", label, s)
                for s in sorted(p - t):
                    print("   extra: ", label, s)


if __name__ == "__main__":
    main()
