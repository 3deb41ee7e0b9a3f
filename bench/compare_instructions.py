#!/usr/bin/env python3
"""Compares a parascope JSON report's instruction findings with bench/instruction_listing.py's sites.
Sites are (file, line, occurrence) of counted instructions: two instructions on one line are two sites.
Usage: compare_instructions.py report.json listing.tsv [--show]"""
import collections
import json
import sys

report = json.load(open(sys.argv[1]))
found = collections.Counter()
for f in report["findings"]:
    if f["category"] == "instruction" and f["context"] != "builtin":
        found[(f["file"], f["line"])] += 1
listed = collections.Counter()
for row in open(sys.argv[2]):
    file, line, *_ = row.rstrip("\n").split("\t")
    listed[(file, int(line))] += 1
tp = sum((found & listed).values())
fp = found - listed
fn = listed - found
print(f"detector sites {sum(found.values())}, listing sites {sum(listed.values())}, common {tp}")
print(f"recall {tp / max(1, sum(listed.values())):.4f}  precision {tp / max(1, sum(found.values())):.4f}")
if "--show" in sys.argv:
    print("only in detector:")
    for k, v in sorted(fp.items()):
        print("  ", k, v)
    print("only in listing:")
    for k, v in sorted(fn.items()):
        print("  ", k, v)
