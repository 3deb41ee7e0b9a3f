import json,sys
for n in sys.argv[1:]:
    d=json.load(open(f'/tmp/hvm-scans/r-{n}.json'))
    u=d['scan']['units']; plat=[f for f in d['findings'] if f['category']=='platform']
    print(f"== {n} units {u['total']} ({u['withErrors']} with errors, {u['failed']} failed); platform findings {len(plat)}; readiness items {len(d['plan']['readiness'])}")
    hv=sorted({v for f in plat if f.get('subcategory')=='hypervisor' for v in f.get('values',[]) if v.startswith('"')})
    print('hypervisors:',hv)
    for r in d['plan']['readiness']:
        print(f"{r['verdict']} | {r['item']} | {r['file']}:{r['line']} {r['function']} | {r['phase']} | {', '.join(r['values'][:16])}{' …' if len(r['values'])>16 else ''} | {r['otherwise'] or ''} | {r['sites']}")
