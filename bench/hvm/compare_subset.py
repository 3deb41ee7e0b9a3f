"""Compares the platform findings and readiness items of a whole-tree report with a subset scan's (docs/hvm-readiness.md,
"What the subset measurement missed"): sites by rule, file, line, active, values, panic, verdict and phase; the
readiness list item by item (item, file, line, verdict, phase, sites, boot distance).
usage: python3 bench/hvm/compare_subset.py WHOLE.json SUBSET.json"""
import json, sys

whole, subset = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda f: (f['ruleId'], f['file'], f['line'], f.get('active', True), tuple(f.get('values', [])), f.get('otherwise'),
                 f.get('verdict'), f.get('phase'))
wf = {key(f) for f in whole['findings'] if f['category'] == 'platform'}
sf = {key(f) for f in subset['findings'] if f['category'] == 'platform'}
print('platform sites only in the whole tree', len(wf - sf), '; only in the subset', len(sf - wf))
for k in sorted(wf - sf):
    print('  whole ', k[:4], k[6:])
for k in sorted(sf - wf):
    print('  subset', k[:4], k[6:])
item = lambda r: (r['item'], r['file'], r['line'], r['verdict'], r['phase'], r['sites'], r.get('bootDistance'))
wi = [item(r) for r in whole['plan']['readiness']]
si = [item(r) for r in subset['plan']['readiness']]
print('readiness: same list', wi == si, '; same set', set(wi) == set(si))
for a, b in zip(wi, si):
    if a != b:
        print('  whole ', a, '\n  subset', b)
