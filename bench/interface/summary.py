#!/usr/bin/env python3
"""One row per JSON report of the port's interface and plan, as docs/interface.md tabulates them.

    bench/interface/summary.py R1.json [R2.json ...]
"""
import json, sys

print('| report | findings (active) | hooks | changes | scattered | wrappers | uses (instr./pt + driver-API) | min cut / functions holding changes | pal_*: present, through / around | effort v2 xen-pv / pvh / hvm | work items |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for path in sys.argv[1:]:
    r = json.load(open(path))
    i, p = r['interface'], r['plan']
    active = [f for f in r['findings'] if f['active']]
    uses_hw = sum(1 for f in active if f.get('role') == 'use' and f['category'] != 'driver-api')
    uses_drv = sum(1 for f in active if f.get('role') == 'use' and f['category'] == 'driver-api')
    pal = next((l for l in i['existingLayers'] if l['id'] == 'xnu-pal'), None)
    effort = {t['target']: t['effort'] for t in p['targets']}
    print(f"| {path} | {len(r['findings']):,} ({len(active):,}) | {i['hookCount']} | {sum(h['sites'] for h in i['hooks'])} "
          f"| {sum(h['scatteredSites'] for h in i['hooks'])} | {sum(len(h['wrappers']) for h in i['hooks'])} | {uses_hw} + {uses_drv} "
          f"| {i['minCut']['size']} / {i['minCut']['functionsWithSites']} "
          f"| {len(pal['functionsPresent']) if pal else '-'}, {pal['sitesThrough'] if pal else '-'} / {pal['sitesBypassing'] if pal else '-'} "
          f"| {effort.get('xen-pv')} / {effort.get('xen-pvh')} / {effort.get('xen-hvm')} | {len(p['workItems'])} |")
