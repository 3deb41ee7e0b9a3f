#!/usr/bin/env python3
"""Creates empty stand-ins for every header a compile_commands.json's units include but cannot find, in one pass:
`clang -M -MG` lists missing headers instead of stopping at the first. Stand-ins go to STANDINS_DIR (outside the tree).

usage: fill_standins.py COMPILE_COMMANDS.json STANDINS_DIR
"""
import json, os, subprocess, sys
cc, standins = sys.argv[1], os.path.abspath(sys.argv[2])
missing = set()
for c in json.load(open(cc)):
    r = subprocess.run(['clang-14', '-M', '-MG'] + c['arguments'][1:], capture_output=True, text=True)
    deps = r.stdout.replace('\\\n', ' ').split(':', 1)[-1].split()
    missing.update(d for d in deps if not d.startswith('/'))
for h in sorted(missing):
    p = os.path.join(standins, h)
    if not os.path.exists(p):
        os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, 'w').write('/* empty stand-in written by bench/driverapi/fill_standins.py */\n')
print(f'{len(missing)} missing headers given stand-ins in {standins}', file=sys.stderr)
