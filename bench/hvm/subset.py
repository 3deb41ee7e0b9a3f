# Keeps the units of compile_commands.json SRC that the HVM-readiness measurement of docs/hvm-readiness.md scanned
# before whole-tree scans finished: every unit of the arch folders below, and every other unit whose text names a
# platform rule's function, field, reference or macro. usage: python3 bench/hvm/subset.py SRC.json DST.json TREE
import json,sys,re,os
src,dst,tree=sys.argv[1],sys.argv[2],sys.argv[3]
import yaml
rules=os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','..','rules','platform.yaml')
names=set()
for r in yaml.safe_load(open(rules))['rules']:
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
