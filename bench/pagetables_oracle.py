#!/usr/bin/env python3
"""Independent oracle for the page-table detector: clang's own JSON AST, processed here, not by Parascope.

For every entry of a compile_commands.json it runs `clang-14 -Xclang -ast-dump=json -fsyntax-only` with the
entry's flags and lists, at expansion positions inside the tree:
  store   an `=`, a compound assignment, or `++`/`--` whose left side has a PTE type (through the typedef
          chain) and is memory: `*p`, `a[i]` (not a local array), or a struct field; a memset-like call whose
          destination points to a PTE type (not `&local`).
  helper  a call of a listed PTE-store helper.
  atomic  an atomic builtin (CallExpr or AtomicExpr) whose pointer argument points to a PTE type.
Then compares with a Parascope JSON report of the same units and prints recall and precision per kind.

usage: pagetables_oracle.py COMPILE_COMMANDS.json TREE PARASCOPE_REPORT.json [--list]
"""
import json
import os
import re
import subprocess
import sys
from collections import Counter

PTE_TYPES = {"pt_entry_t", "pd_entry_t", "pdpt_entry_t", "pml4_entry_t", "pdp_entry_t", "tt_entry_t"}
HELPERS = {"pmap_store_pte", "pmap_update_pte", "pmap_cmpx_pte", "write_pte", "write_pte_fast", "write_pte_strong",
           "pmap_pte_set", "pmap_store_tte", "update_pte", "write_tte", "sptm_map_page", "sptm_map_table",
           "sptm_unmap_table", "sptm_unmap_region", "sptm_unmap_disjoint", "sptm_update_region", "sptm_update_disjoint",
           "sptm_update_disjoint_multipage", "sptm_nest_region", "sptm_unnest_region"}
BULK = {"memset": 0, "memcpy": 0, "memmove": 0, "bzero": 0, "bcopy": 1, "__builtin_memset": 0, "__builtin_memcpy": 0,
        "__builtin_memmove": 0, "__builtin___memset_chk": 0, "__builtin___memcpy_chk": 0, "__builtin___memmove_chk": 0,
        "__nochk_bzero": 0, "__nochk_bcopy": 1, "__nochk_memcpy": 0, "__nochk_memmove": 0}
ATOMIC_PREFIXES = ("__sync_", "__atomic_", "__c11_atomic_", "os_atomic_", "OSCompareAndSwap", "hw_compare_and_store",
                   "hw_atomic_", "atomic_", "OSAdd", "OSBit", "OSIncrement", "OSDecrement")
QUALIFIERS = re.compile(r"\b(const|volatile|restrict|__restrict)\b")


class Walker:
    """Walks the JSON in emission order, tracking clang's elided file/line fields."""

    def __init__(self, tree, directory):
        self.directory = directory
        self.tree = tree.rstrip("/") + "/"
        self.typedefs = {}
        self.file = None
        self.line = None
        self.sites = set()  # (kind, file, line, col)
        self.spelling = None
        self.begin_spelling = None
        self.locals = set()  # ids of local variables

    # -- locations -------------------------------------------------------------------------------------
    def _update(self, loc):
        """Folds one location object into the running file/line state; returns (file, line, col)."""
        if not loc:
            return None
        if "spellingLoc" in loc or "expansionLoc" in loc:
            self.spelling = self._update(loc.get("spellingLoc"))
            return self._update(loc.get("expansionLoc"))
        if "file" in loc:
            self.file = loc["file"]
        if "line" in loc:
            self.line = loc["line"]
        if "col" not in loc:
            return None
        return (self.file, self.line, loc["col"])

    def track(self, node):
        """Advance the state through a node's own loc and range (in emission order); returns range begin."""
        self._update(node.get("loc"))
        rng = node.get("range") or {}
        self.spelling = None
        begin = self._update(rng.get("begin"))
        self.begin_spelling = self.spelling or begin
        self._update(rng.get("end"))
        return begin

    # -- types -----------------------------------------------------------------------------------------
    def pte(self, qual):
        seen = 0
        while qual and seen < 32:
            seen += 1
            q = QUALIFIERS.sub("", qual).strip()
            m = re.fullmatch(r"_Atomic\((.*)\)", q)
            if m:
                q = m.group(1).strip()
            q = q.replace("_Atomic", "").strip()
            if q in PTE_TYPES:
                return q
            if q in self.typedefs:
                qual = self.typedefs[q]
                continue
            return None
        return None

    def pointee_pte(self, qual):
        q = QUALIFIERS.sub("", qual or "").strip()
        seen = 0
        while q in self.typedefs and seen < 32:
            seen += 1
            q = QUALIFIERS.sub("", self.typedefs[q]).strip()
        m = re.fullmatch(r"(.*?)\s*\*", q)
        if m:
            return self.pte(m.group(1))
        m = re.fullmatch(r"(.*?)\s*\[[^\]]*\]", q)
        if m:
            return self.pte(m.group(1))
        return None

    # -- expressions -----------------------------------------------------------------------------------
    @staticmethod
    def qual(node):
        return (node.get("type") or {}).get("qualType", "")

    @staticmethod
    def kids(node):
        return [k for k in node.get("inner", []) if isinstance(k, dict)]

    def strip(self, node, kinds=("ParenExpr",)):
        while node.get("kind") in kinds and self.kids(node):
            node = self.kids(node)[0]
        return node

    def memory(self, lhs):
        e = self.strip(lhs)
        kind = e.get("kind")
        if kind == "UnaryOperator" and e.get("opcode") == "*":
            return True
        if kind == "ArraySubscriptExpr":
            base = self.strip(self.kids(e)[0], ("ParenExpr", "ImplicitCastExpr"))
            if base.get("kind") == "DeclRefExpr":
                decl = base.get("referencedDecl", {})
                if decl.get("id") in self.locals and "[" in self.qual(decl):
                    return False
            return True
        return kind == "MemberExpr"

    def callee(self, call):
        kids = self.kids(call)
        if not kids:
            return None
        c = self.strip(kids[0], ("ParenExpr", "ImplicitCastExpr"))
        if c.get("kind") == "DeclRefExpr":
            return c.get("referencedDecl", {}).get("name")
        return None

    def points_to_pte(self, arg):
        e = arg
        for _ in range(16):
            if self.pointee_pte(self.qual(e)):
                if e.get("kind") == "UnaryOperator" and e.get("opcode") == "&":
                    v = self.strip(self.kids(e)[0], ("ParenExpr", "ImplicitCastExpr"))
                    decl = v.get("referencedDecl", {}) if v.get("kind") == "DeclRefExpr" else {}
                    if decl.get("id") in self.locals and "[" not in self.qual(decl):
                        return False
                return True
            if e.get("kind") in ("ImplicitCastExpr", "CStyleCastExpr", "ParenExpr") and self.kids(e):
                e = self.kids(e)[0]
                continue
            return False
        return False

    def word_at(self, at):
        if not at or not at[0]:
            return ""
        path = at[0] if at[0].startswith("/") else os.path.join(self.directory, at[0])
        try:
            with open(path, errors="replace") as handle:
                text = handle.read().split("\n")[at[1] - 1]
        except (OSError, IndexError):
            return ""
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[at[2] - 1:])
        return m.group(0) if m else ""

    def add(self, kind, at):
        if at and at[0] and not at[0].startswith("/"):
            at = (os.path.normpath(os.path.join(self.directory, at[0])), at[1], at[2])
        if at and at[0] and at[0].startswith(self.tree):
            self.sites.add((kind, at[0][len(self.tree):], at[1], at[2]))

    def walk(self, node, in_function=False):
        kind = node.get("kind")
        at = self.track(node)
        if kind == "TypedefDecl" and "name" in node:
            self.typedefs[node["name"]] = self.qual(node)
        if kind in ("VarDecl", "ParmDecl") and in_function:
            self.locals.add(node.get("id"))
        if kind == "FunctionDecl":
            in_function = True
        kids = self.kids(node)
        if kind == "BinaryOperator" and node.get("opcode") == "=" and kids:
            if self.pte(self.qual(kids[0])) and self.memory(kids[0]):
                self.add("store", at)
        elif kind == "CompoundAssignOperator" and kids:
            if self.pte(self.qual(kids[0])) and self.memory(kids[0]):
                self.add("store", at)
        elif kind == "UnaryOperator" and node.get("opcode") in ("++", "--") and kids:
            if self.pte(self.qual(kids[0])) and self.memory(kids[0]):
                self.add("store", at)
        elif kind == "CallExpr":
            name = self.callee(node)
            args = kids[1:]
            if name in BULK and len(args) > BULK[name] and self.points_to_pte(args[BULK[name]]):
                self.add("store", at)
            elif name and name.startswith(ATOMIC_PREFIXES) and args and self.points_to_pte(args[0]):
                self.add("atomic", at)
            elif name in HELPERS:
                self.add("helper", at)
        elif kind == "AtomicExpr" and kids:
            # clang 14's JSON does not name the builtin: read the identifier written at the expression's start
            # (for a macro, the macro's name). Loads read the entry; they are not updates.
            # Both the written name (a macro's) and the builtin's own spelling count.
            name = self.word_at(at) + " " + self.word_at(self.begin_spelling)
            if "load" not in name and self.points_to_pte(kids[0]):
                self.add("atomic", at)
        for child in kids:
            self.walk(child, in_function)
        # Child order of emission is already followed; nothing after the children carries locations.


def oracle(ccdb, tree):
    sites = set()
    for entry in json.load(open(ccdb)):
        args = [a for a in entry["arguments"][1:] if a not in ("-c", entry["file"])]
        dump = subprocess.run(["clang-14", *args, "-fsyntax-only", "-Xclang", "-ast-dump=json", entry["file"]],
                              cwd=entry["directory"], capture_output=True, text=True).stdout
        walker = Walker(tree, entry["directory"])
        walker.walk(json.loads(dump))
        sites |= walker.sites
        print(f"  oracle: {entry['file']}: {len(walker.sites)} sites", file=sys.stderr)
    return sites


RULE_KIND = {"pt.pte-store": "store", "pt.pte-store-helper": "helper", "pt.pte-atomic": "atomic"}


def main():
    ccdb, tree, report, *rest = sys.argv[1:]
    truth = oracle(ccdb, tree)
    found = set()
    for f in json.load(open(report))["findings"]:
        if f["ruleId"] in RULE_KIND and f.get("active", True):
            found.add((RULE_KIND[f["ruleId"]], f["file"], f["line"], f["column"]))
    # Compare on (kind, file, line): macro sites are reported at the macro name, clang at the expression start.
    t = Counter((k, f, l) for k, f, l, _ in truth)
    p = Counter((k, f, l) for k, f, l, _ in found)
    for kind in ("store", "helper", "atomic"):
        tk = {s: n for s, n in t.items() if s[0] == kind}
        pk = {s: n for s, n in p.items() if s[0] == kind}
        hit = sum(min(n, pk.get(s, 0)) for s, n in tk.items())
        nt, np_ = sum(tk.values()), sum(pk.values())
        recall = hit / nt if nt else 1.0
        precision = hit / np_ if np_ else 1.0
        print(f"{kind:7s} oracle {nt:4d}  parascope {np_:4d}  matched {hit:4d}  recall {recall:.1%}  precision {precision:.1%}")
        if "--list" in rest:
            for s in sorted(set(tk) - set(pk)):
                print("   missed:", s)
            for s in sorted(set(pk) - set(tk)):
                print("   extra: ", s)


if __name__ == "__main__":
    main()
