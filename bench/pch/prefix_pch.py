#!/usr/bin/env python3
"""Exact-prefix variant: a unit uses a PCH only of its own leading #include lines (nothing but comments and blank
lines before them), shared with the units whose leading K includes are the same, so the PCH is a prefix of the
unit's own text. Times clang -fsyntax-only with and without, alternating, over the units of the groups.

usage: prefix_pch.py CC.json PATH-PART OUT K MIN-GROUP"""
import json, collections, re, subprocess, sys, time, os, statistics, hashlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from units import CLANG, c_units, flags  # noqa: E402
cc_path, prefix, out, k, minimum = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
clang = CLANG
units = c_units(cc_path, prefix)
def leading(path):
    text = open(path, errors='replace').read()
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    incs = []
    for line in text.split('\n'):
        s = re.sub(r'//.*', '', line).strip()
        if not s: continue
        m = re.match(r'#\s*include\s*([<"][^>"]+[>"])$', s)
        if not m: break
        incs.append(m.group(1))
    return tuple(incs)
groups = collections.defaultdict(list)
for e in units:
    inc = leading(e['file'])
    if len(inc) >= k and all(h.startswith('<') for h in inc[:k]):
        groups[(flags(e), inc[:k])].append(e)
groups = {g: v for g, v in groups.items() if len(v) >= minimum}
os.makedirs(out, exist_ok=True)
rows = []; build_time = 0
for (fl, incs), members in groups.items():
    name = hashlib.sha1(repr((fl, incs)).encode()).hexdigest()[:10]
    hdr = os.path.join(out, name + '.h'); open(hdr, 'w').write(''.join(f'#include {h}\n' for h in incs))
    base = [x for x in fl if x != '-xc']
    t = time.time(); r = subprocess.run([clang, *base, '-x', 'c-header', hdr, '-o', hdr + '.pch'], capture_output=True, cwd=members[0]['directory']); build_time += time.time() - t
    if r.returncode: print('pch failed', incs, file=sys.stderr); continue
    for i, e in enumerate(members):
        res = {}
        for p in ([False, True] if i % 2 == 0 else [True, False]):
            args = [clang, *fl, '-fsyntax-only'] + (['-include-pch', hdr + '.pch'] if p else []) + [e['file']]
            t = time.time(); rr = subprocess.run(args, capture_output=True, text=True, cwd=e['directory']); res[p] = (time.time() - t, rr.returncode, rr.stderr.count(' error: '))
        rows.append((e['file'], res[False], res[True]))
plain = sum(r[1][0] for r in rows); pch = sum(r[2][0] for r in rows)
changed = [r for r in rows if r[1][1:] != r[2][1:]]
print(f'{prefix} k={k}: groups {len(groups)}, units {len(rows)} of {len(units)}; pch builds {build_time:.1f} s; plain {plain:.1f} s, with pch {pch:.1f} s, ratio {pch/plain:.3f}; changed {len(changed)}')
for c in changed[:5]: print('  ', c)
