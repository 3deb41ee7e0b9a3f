#!/usr/bin/env python3
"""Quick parse-health sample: clang -fsyntax-only over every Nth unit of a compile_commands.json written by
`parascope compile-commands`, counting units with no error, units with a missing include, and the most
frequent missing headers and errors. Nothing is written into the tree.

usage: bench/discovery/sample_health.py CC.json [--every N] [--jobs 2] [--clang clang-14] [--subsystems a,b]
"""
import argparse, collections, concurrent.futures, json, re, subprocess

ap = argparse.ArgumentParser()
ap.add_argument("db")
ap.add_argument("--every", type=int, default=1)
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--clang", default="clang-14")
ap.add_argument("--show", type=int, default=25)
ap.add_argument("--list", action="store_true")
a = ap.parse_args()
entries = [e for i, e in enumerate(json.load(open(a.db))) if i % a.every == 0]
missing_re = re.compile(r"fatal error: '([^']+)' file not found")
error_re = re.compile(r"^(\S+?):\d+:\d+: (?:fatal )?error: (.*)$", re.M)

def run(e):
    r = subprocess.run([a.clang, "-fsyntax-only"] + e["arguments"][1:], capture_output=True, text=True, cwd=e["directory"])
    return e, r.stderr

clean = fatal = 0
missing = collections.Counter(); errors = collections.Counter(); bad = []
with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
    for e, err in pool.map(run, entries):
        errs = error_re.findall(err)
        miss = missing_re.findall(err)
        if not errs:
            clean += 1
        else:
            bad.append((e["file"], errs[0]))
        if miss:
            fatal += 1
        for h in set(miss):
            missing[h] += 1
        for f, m in {(f, m) for f, m in errs if "file not found" not in m}:
            errors[re.sub(r"'[^']*'", "'X'", m)] += 1
n = len(entries)
print(f"{n} units: {clean} clean ({100*clean/max(n,1):.1f}%), {fatal} with a missing include ({100*fatal/max(n,1):.1f}%)")
print("missing:", missing.most_common(a.show))
print("errors:", errors.most_common(a.show))
if a.list:
    for f, e in bad:
        print(f, e)
