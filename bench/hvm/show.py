"""Prints the HVM readiness of parascope JSON reports (scanned with --target xen-hvm): units, platform findings,
readiness items by verdict, recognised hypervisors, then each readiness item in boot order.
usage: python3 bench/hvm/show.py REPORT.json [REPORT.json ...]"""
import collections, json, sys

for path in sys.argv[1:]:
    d = json.load(open(path))
    u = d['scan']['units']
    plat = [f for f in d['findings'] if f['category'] == 'platform']
    active = [f for f in plat if f.get('active', True)]
    items = d['plan']['readiness']
    verdicts = collections.Counter(r['verdict'] for r in items)
    print(f"== {path}: units {u['total']} ({u['withErrors']} with errors, {u['failed']} failed); "
          f"platform findings {len(plat)} ({len(active)} active); readiness items {len(items)} "
          f"({', '.join(f'{v} {n}' for v, n in sorted(verdicts.items()))})")
    print('rules:', ', '.join(f'{r} {n}' for r, n in sorted(collections.Counter(f['ruleId'] for f in active).items())))
    hv = sorted({v for f in active if f.get('subcategory') == 'hypervisor' for v in f.get('values', []) if v.startswith('"')})
    print('hypervisors:', hv)
    for r in items:
        vals = ', '.join(r['values'][:16]) + (' …' if len(r['values']) > 16 else '')
        print(f"{r['verdict']} | {r['item']} | {r['file']}:{r['line']} {r['function']} | {r['phase']} | {vals} | "
              f"{r['otherwise'] or ''} | {r['sites']}")
