import json,sys,re,os
src,dst,tree=sys.argv[1],sys.argv[2],sys.argv[3]
import yaml
names=set()
for r in yaml.safe_load(open('/work/wt-hvm/rules/platform.yaml'))['rules']:
    m=r['match']
    for k in ('functions','fields','references','macros'):
        names.update(m.get(k,[]))
pat=re.compile(r'\b('+'|'.join(map(re.escape,sorted(names)))+r')\b')
dirs=('osfmk/i386/','osfmk/x86_64/','pexpert/i386/','osfmk/arm/','osfmk/arm64/','pexpert/arm/','pexpert/arm64/','pexpert/gen/')
d=json.load(open(src)); keep=[]
for e in d:
    rel=os.path.relpath(e['file'],tree)
    if rel.startswith(dirs):
        keep.append(e); continue
    try: t=open(e['file'],errors='replace').read()
    except: continue
    if pat.search(t): keep.append(e)
json.dump(keep,open(dst,'w'))
print(len(d),'->',len(keep))
