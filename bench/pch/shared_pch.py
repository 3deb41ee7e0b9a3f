#!/usr/bin/env python3
"""Feasibility of a shared precompiled header for one subsystem's units (issue 18's 'big lever').
Takes the units of CC.json under PREFIX that share the most common flag set, builds a PCH of the headers most of them
include directly (most common first-include order), and times clang -fsyntax-only of each unit with and without
-include-pch, alternating the order per unit. Prints totals, medians, the PCH build time and exit-status changes.

usage: shared_pch.py CC.json PATH-PART OUT [SHARE=0.3]    CC.json from `parascope compile-commands` (with a libclang
       whose clang is on PATH as $CLANG, default clang-14); PATH-PART e.g. /osfmk/; SHARE: the fraction of the units
       that must include a header directly for it to go into the PCH. Not semantics-preserving: a unit that defines
       macros before its includes, or needs another order, changes (they are counted)."""
import json, collections, re, subprocess, sys, time, os, statistics
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from units import CLANG, c_units, flags  # noqa: E402
cc_path, prefix, out, share = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0.3
clang = CLANG
units = c_units(cc_path, prefix)
common = collections.Counter(flags(e) for e in units).most_common(1)[0][0]
units = [e for e in units if flags(e) == common]
inc = re.compile(r'^\s*#\s*include\s*([<"][^>"]+[>"])', re.M)
freq = collections.Counter(); pos = collections.defaultdict(list)
for e in units:
    seen = []
    for m in inc.finditer(open(e['file'], errors='replace').read()):
        h = m.group(1)
        if h not in seen: seen.append(h)
    for i, h in enumerate(seen):
        freq[h] += 1; pos[h].append(i)
chosen = [h for h, c in freq.items() if c >= share * len(units) and h.startswith('<')]
chosen.sort(key=lambda h: statistics.mean(pos[h]))
os.makedirs(out, exist_ok=True)
hdr = os.path.join(out, 'prefix.h')
base = [x for x in common if x != '-xc']
def build(headers):
    open(hdr, 'w').write(''.join(f'#include {h}\n' for h in headers))
    t = time.time()
    r = subprocess.run([clang, *base, '-x', 'c-header', hdr, '-o', hdr + '.pch'], capture_output=True, text=True, cwd=units[0]['directory'])
    return r, time.time() - t
r, tb = build(chosen)
while r.returncode != 0 and chosen:
    # drop the header the first error names, else the last one
    m = re.search(r'In file included from [^:]*prefix.h:(\d+)', r.stderr)
    bad = chosen[int(m.group(1)) - 1] if m else chosen[-1]
    print('dropping', bad, file=sys.stderr); chosen.remove(bad)
    r, tb = build(chosen)
print(f'units {len(units)}, pch headers {len(chosen)}: {" ".join(chosen)}')
print(f'pch build {tb:.2f} s, size {os.path.getsize(hdr + ".pch") / 1e6:.1f} MB')
def run(e, pch):
    args = [clang, *common, '-fsyntax-only'] + (['-include-pch', hdr + '.pch'] if pch else []) + [e['file']]
    t = time.time(); r = subprocess.run(args, capture_output=True, text=True, cwd=e['directory']); dt = time.time() - t
    return dt, r.returncode, r.stderr.count(' error: ')
rows = []
for i, e in enumerate(units):
    order = [False, True] if i % 2 == 0 else [True, False]
    res = {p: run(e, p) for p in order}
    rows.append((e['file'], res[False], res[True]))
plain = [r[1][0] for r in rows]; pch = [r[2][0] for r in rows]
print(f'plain total {sum(plain):.1f} s, median {statistics.median(plain):.3f}; with pch total {sum(pch):.1f} s, median {statistics.median(pch):.3f}; ratio {sum(pch)/sum(plain):.3f}')
changed = [(f, a[1], b[1], a[2], b[2]) for f, a, b in rows if a[1] != b[1] or a[2] != b[2]]
print(f'units whose exit status or error count changed with the pch: {len(changed)}')
for c in changed[:15]: print('  ', c)
json.dump(rows, open(os.path.join(out, 'rows.json'), 'w'))
