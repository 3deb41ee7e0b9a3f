#!/usr/bin/env python3
"""Independent check of Parascope's driver-api member-call resolution, from clang's own AST text dump.

For a random sample of Parascope's method findings (those in a unit's main file, not produced by a macro), runs
`clang-14 -fsyntax-only -Xclang -ast-dump` on that unit with the same flags and reads, with this script's own
parser (not libclang, not Parascope):
  - every CXXRecordDecl (address -> class name, class -> base classes),
  - every CXXMethodDecl (address -> declaring class, via the enclosing record or its `parent` pointer),
  - every CXXMemberCallExpr / static-member CallExpr: the callee's address from its MemberExpr/DeclRefExpr.
A sampled finding is confirmed when clang shows a call at that file:line to that method whose declaring class is
the finding's `class`, and the rule's class is that class or one of its ancestors in clang's hierarchy.
It also reports recall on the sampled units: clang member calls that the rules match (same rules file, matched
by this script) and Parascope did not report.

usage: oracle_calls.py COMPILE_COMMANDS.json SCAN.json RULES.yaml TREE [SAMPLE=100] [SEED=1]
"""
import json, random, re, subprocess, sys, collections
import yaml

cc_path, scan_path, rules_path, tree = sys.argv[1:5]
sample_size = int(sys.argv[5]) if len(sys.argv) > 5 else 100
seed = int(sys.argv[6]) if len(sys.argv) > 6 else 1
tree = tree.rstrip('/') + '/'

commands = {c['file']: c for c in json.load(open(cc_path))}
scan = json.load(open(scan_path))
rules = yaml.safe_load(open(rules_path))['rules']

def rule_patterns():
    methods, classes = [], {}
    for r in rules:
        m = r.get('match', {})
        for e in m.get('methods', []) or []:
            cls, meth = e.rsplit('::', 1)
            methods.append((r['id'], cls, meth))
        for c in m.get('classes', []) or []:
            classes.setdefault(c, r['id'])
    return methods, classes
METHODS, CLASSES = rule_patterns()

def name_matches(pattern, name):
    return name.startswith(pattern[:-1]) if pattern.endswith('*') else name == pattern

LOC = re.compile(r"(<scratch space>|<built-in>|/[^:<>,\s']+):(\d+):(\d+)|line:(\d+):(\d+)|col:(\d+)")
QUOTED = re.compile(r"'[^']*'")
NODE = re.compile(r"^([| `-]*)(\w+) (0x[0-9a-f]+)")

def dump(unit):
    args = commands[unit]['arguments'][1:]
    out = subprocess.run(['clang-14', '-fsyntax-only', '-Xclang', '-ast-dump', '-fno-color-diagnostics'] + args,
                         capture_output=True, text=True).stdout
    records, bases, methods, calls = {}, collections.defaultdict(list), {}, []
    stack = []              # (depth, kind, payload)
    cur_file, cur_line = None, 0
    lines = out.splitlines()
    pending = None          # a call expr waiting for its callee line
    for text in lines:
        m = NODE.match(text)
        first = None
        # Types in quotes may name a file ("unnamed enum at /path:92:1"): they are not printed locations.
        for loc in LOC.finditer(QUOTED.sub("''", text)):
            if loc.group(1):
                cur_file, cur_line = loc.group(1), int(loc.group(2))
            elif loc.group(4):
                cur_line = int(loc.group(4))
            if first is None:
                first = (cur_file, cur_line)
        if not m:
            # base specifiers:  | |-public 'IOService'
            b = re.match(r"^([| `-]*)(?:virtual )?(public|protected|private)(?: virtual)? '([^']+)'", text)
            if b and stack and stack[-1][1] == 'record' and len(b.group(1)) > stack[-1][0]:
                bases[stack[-1][2]].append(b.group(3).split('::')[-1].replace('class ', ''))
            continue
        depth, kind, addr = len(m.group(1)), m.group(2), m.group(3)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if kind == 'CXXRecordDecl':
            n = re.search(r" (?:class|struct) (\w+)(?: definition)?$", text)
            if n:
                records[addr] = n.group(1)
                if text.endswith(' definition'):
                    stack.append((depth, 'record', n.group(1)))
                    continue
        elif kind in ('CXXMethodDecl', 'CXXConstructorDecl', 'CXXDestructorDecl'):
            p = re.search(r" parent (0x[0-9a-f]+)", text)
            enclosing = next((s[2] for s in reversed(stack) if s[1] == 'record'), None)
            methods[addr] = ('@' + p.group(1)) if p else enclosing
        elif kind in ('CXXMemberCallExpr', 'CallExpr', 'RecoveryExpr'):
            # RecoveryExpr: a call clang kept after an error in its arguments (incomplete flags); the callee is resolved.
            pending = (kind, first, depth)
        elif kind == 'MemberExpr' and pending and pending[0] in ('CXXMemberCallExpr', 'RecoveryExpr'):
            c = re.search(r"(?:->|\.)(\w+) (0x[0-9a-f]+)", text)
            if c:
                calls.append((pending[1], c.group(1), c.group(2)))
            pending = None
        elif kind == 'DeclRefExpr' and pending and pending[0] == 'CallExpr':
            c = re.search(r" CXXMethod (0x[0-9a-f]+) '(\w+)'", text)
            if c:
                calls.append((pending[1], c.group(2), c.group(1)))
            pending = None
        stack.append((depth, kind, addr))
    def declaring(addr):
        owner = methods.get(addr)
        if owner and owner.startswith('@'):
            owner = records.get(owner[1:])
        return owner
    resolved = [(f, l, name, declaring(a)) for (f, l), name, a in calls if f]
    return resolved, {k: v for k, v in bases.items()}

def lineage(cls, bases):
    out, i = [cls], 0
    while i < len(out):
        for b in bases.get(out[i], []):
            if b not in out:
                out.append(b)
        i += 1
    return out

def rule_for(method, cls, bases):
    for c in lineage(cls, bases):
        best = [r for r, rc, rm in METHODS if rc == c and name_matches(rm, method)]
        if best:
            return best[0], c
        if c in CLASSES:
            return CLASSES[c], c
    return None

method_findings = [f for f in scan['findings'] if 'class' in f.get('properties', {})]
eligible = [f for f in method_findings if tree + f['file'] in commands and 'macro' not in f['properties']]
random.seed(seed)
sample = random.sample(eligible, min(sample_size, len(eligible)))
by_unit = collections.defaultdict(list)
for f in sample:
    by_unit[tree + f['file']].append(f)

confirmed, confirmed_via_macro, wrong, recall_total, recall_missed, macro_spelled = 0, 0, [], 0, [], 0
reported = {(f['file'], f['line'], f['properties']['method']) for f in method_findings}
for unit, findings in sorted(by_unit.items()):
    calls, bases = dump(unit)
    rel = unit[len(tree):]
    source = open(unit, errors='replace').read().split('\n')
    # clang's dump prints spelling locations: a call written in a macro body (`#define super IOService`, a logging
    # macro) sits at the #define line, while Parascope reports the expansion site that names the macro.
    defines = {}
    for number, text in enumerate(source, 1):
        d = re.match(r"\s*#\s*define\s+(\w+)", text)
        if d:
            defines[number] = d.group(1)
    for f in findings:
        here = [c for c in calls if c[0] == unit and c[1] == f['line'] and c[2] == f['properties']['method']]
        ok = any(c[3] == f['properties']['class'] and f['properties']['rule-class'] in lineage(c[3], bases) for c in here)
        line_text = source[f['line'] - 1] if f['line'] <= len(source) else ''
        via_macro = not ok and any(c[0] == unit and c[1] in defines and c[2] == f['properties']['method']
                                   and c[3] == f['properties']['class'] and re.search(r'\b' + defines[c[1]] + r'\b', line_text)
                                   for c in calls)
        if ok or via_macro:
            confirmed += 1
            confirmed_via_macro += via_macro
        else:
            wrong.append((f['file'], f['line'], f['detail'], f['ruleId'], [(c[2], c[3]) for c in here]))
    for f_, l, name, cls in calls:
        if f_ != unit or cls is None:
            continue
        if rule_for(name, cls, bases):
            if l in defines:
                macro_spelled += 1
                continue
            recall_total += 1
            # A call inside a macro's arguments (panic(...), assert(...)) is reported at the invocation's first line.
            if not any((rel, line, name) in reported for line in range(l - 5, l + 1)):
                recall_missed.append((rel, l, f'{cls}::{name}'))

print(json.dumps({
    'method_findings': len(method_findings),
    'eligible_for_sample': len(eligible),
    'sampled': len(sample),
    'units_dumped': len(by_unit),
    'confirmed': confirmed,
    'confirmed_via_macro_definition': confirmed_via_macro,
    'precision': round(confirmed / len(sample), 4) if sample else None,
    'not_confirmed': wrong,
    'recall_on_sampled_units': {'calls_spelled_in_a_define_not_counted': macro_spelled,
                                'clang_calls_matching_rules': recall_total, 'missed_by_parascope': len(recall_missed),
                                'missed': recall_missed[:40]},
}, indent=1))
