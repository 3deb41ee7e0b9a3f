#!/usr/bin/env python3
"""Independent listing of IOService subclasses by text (no clang): `class X : public Y` in headers and sources,
and `OSDefineMetaClassAnd*Structors*(X, Y)`, comments removed, closed over the base relation. Compared with the
`drivers` array of a Parascope JSON report.

usage: oracle_inventory.py TREE SCAN.json FOLDER...
"""
import json, os, re, sys
tree, scan_path, folders = sys.argv[1], sys.argv[2], sys.argv[3:]
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
CLASS = re.compile(r"\b(?:class|struct)\s+(?:__attribute__\s*\(\(.*?\)\)\s*)?(\w+)\s*(?:final\s*)?:\s*(?:public|protected|private)?\s*(?:virtual\s+)?(\w+)")
META = re.compile(r"\bOSDefineMetaClassAnd\w*Structors\w*\s*\(\s*(\w+)\s*,\s*(\w+)")
base, where, meta = {}, {}, set()
for folder in folders:
    for dirpath, dirs, files in os.walk(os.path.join(tree, folder)):
        for name in files:
            if not name.endswith(('.h', '.cpp', '.hpp')):
                continue
            path = os.path.join(dirpath, name)
            text = COMMENT.sub(' ', open(path, errors='replace').read())
            for m in CLASS.finditer(text):
                base.setdefault(m.group(1), m.group(2))
                where.setdefault(m.group(1), os.path.relpath(path, tree))
            for m in META.finditer(text):
                if m.group(1) != 'className':
                    base.setdefault(m.group(1), m.group(2))
                    where.setdefault(m.group(1), os.path.relpath(path, tree))
                    meta.add(m.group(1))

def is_service(c):
    seen = set()
    while c in base and c not in seen:
        seen.add(c)
        c = base[c]
        if c == 'IOService':
            return True
    return False

oracle = {c for c in base if is_service(c)}
scan = {d['name'] for d in json.load(open(scan_path))['drivers']}
print(json.dumps({
    'oracle_ioservice_subclasses': len(oracle),
    'parascope_drivers': len(scan),
    'in_both': len(oracle & scan),
    'only_oracle': sorted(f'{c} ({where[c]})' for c in oracle - scan),
    'only_parascope': sorted(scan - oracle),
}, indent=1))
