#!/usr/bin/env python3
"""Compares a parascope JSON report's builtin findings with bench/builtin_listing.py's call sites.
Usage: compare_builtins.py report.json calls.tsv [--show]"""
import collections
import json
import sys

report = json.load(open(sys.argv[1]))
found = collections.Counter((f["file"], f["line"]) for f in report["findings"] if f["context"] == "builtin")
listed = collections.Counter()
for row in open(sys.argv[2]):
    file, line, _name, _register, kind = row.rstrip("\n").split("\t")
    if kind == "call":
        listed[(file, int(line))] += 1
common = sum((found & listed).values())
print(f"detector sites {sum(found.values())}, listing call sites {sum(listed.values())}, common {common}")
print(f"recall {common / max(1, sum(listed.values())):.4f}")
if "--show" in sys.argv:
    print("only in detector:", sorted((found - listed).items()))
    print("only in listing:", sorted((listed - found).items()))
