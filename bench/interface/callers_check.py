#!/usr/bin/env python3
"""Check the call graph's callers of N functions against a text search of the tree (docs/interface.md).

    bench/interface/callers_check.py REPORT.json TREE [--count 20] [--graph GRAPH.graphml]

The functions are the report's most-used implementations and wrappers (interface.implementations[] by uses, then
interface.hooks[].wrappers[]), the ones whose callers a porter relies on. For each, the text side is every line of a
C, C++ or assembly file under TREE that names the function followed by '(' (or, in .s files, after call/jmp/bl/b),
outside comments, minus its definitions and declarations; the enclosing function is taken from the nearest preceding
line that opens a function body at column 0 (C) or a global label (asm); a call inside a #define body is
attributed to the functions that use the macro. The graph side is the callers in `parascope graph --format graphml`
(with --graph; a static's node `name@file` counts as `name`), else the report's callerFunctions of a finding in
that function. The script prints both caller sets and their differences; the
differences are then read by hand (docs/interface.md says what they were).
It shares no code or tables with Parascope: it reads only the report's JSON and the tree's text.
"""
import json, os, re, sys

def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)

# A function definition opens at column 0: "type name(args)", or K&R/XNU style "name(" alone on its line.
FUNC_OPEN = re.compile(r'^(?:[A-Za-z_][\w\s\*:<>,~]*?[\s\*])?([A-Za-z_][\w:~]*)\s*\([^;{}]*$')
ASM_LABEL = re.compile(r'^\s*(?:ENTRY|Entry|LEAF|NESTED|ENTRY2)\(\s*(\w+)|^_?(\w+):')

def text_callers(tree, name, depth=1):
    """Enclosing functions of each call; a call written in a #define body is attributed to the macro's own users."""
    call = re.compile(r'(?<![\w.>])' + re.escape(name) + r'\s*\(' if depth == 1 else r'(?<![\w.>])' + re.escape(name) + r'\b')
    asm_call = re.compile(r'\b(?:call|calll|callq|jmp|bl|b)\s+_?' + re.escape(name) + r'\b')
    callers = {}
    for folder, _, files in os.walk(tree):
        for file in files:
            ext = os.path.splitext(file)[1]
            if ext not in ('.c', '.cpp', '.h', '.s', '.S', '.hpp'):
                continue
            path = os.path.join(folder, file)
            try:
                text = open(path, encoding='latin-1').read()
            except OSError:
                continue
            if name not in text:
                continue
            lines = strip_comments(text).split('\n')
            current = None
            in_define = None
            for number, line in enumerate(lines, 1):
                if in_define is None and line.lstrip().startswith('#define'):
                    in_define = line.split()[1].split('(')[0] if len(line.split()) > 1 else '?'
                define_here = in_define
                if in_define is not None and not line.rstrip().endswith('\\'):
                    in_define = None
                if define_here is not None:
                    if define_here != name and call.search(line):
                        callers.setdefault('<macro ' + define_here + '>', []).append(f'{os.path.relpath(path, tree)}:{number}')
                    continue
                if ext in ('.s', '.S'):
                    label = ASM_LABEL.match(line)
                    if label:
                        current = label.group(1) or label.group(2)
                    if asm_call.search(line):
                        callers.setdefault(current or '<file scope>', []).append(f'{os.path.relpath(path, tree)}:{number}')
                    continue
                if line and not line[0].isspace() and line[0] not in '#}':
                    opened = FUNC_OPEN.match(line)
                    if opened:
                        current = opened.group(1)
                if not call.search(line):
                    continue
                stripped = line.strip()
                # A definition or declaration of the function itself names it at the start of its declarator.
                if re.match(r'^(?:extern\s+|static\s+|inline\s+|__inline__\s+|__private_extern__\s+)*(?:[\w\*]+[\s\*]+)+' + re.escape(name) + r'\s*\(', stripped) \
                        and (stripped.endswith(';') or stripped.endswith('{') or stripped.endswith(')') or stripped.endswith(',')) \
                        and not re.search(r'(=|return|\(|,)\s*' + re.escape(name) + r'\s*\(', stripped):
                    continue
                if depth > 1 and current == name:
                    continue
                callers.setdefault(current or '<file scope>', []).append(f'{os.path.relpath(path, tree)}:{number}')
    if depth == 1:
        for macro in [c[len('<macro '):-1] for c in list(callers) if c.startswith('<macro ')]:
            for caller, where in text_callers(tree, macro, depth=2).items():
                if not caller.startswith('<'):
                    callers.setdefault(caller, []).extend(where)
    return callers

def main():
    report, tree = sys.argv[1], sys.argv[2]
    count = int(sys.argv[sys.argv.index('--count') + 1]) if '--count' in sys.argv else 20
    data = json.load(open(report))
    interface = data['interface']
    chosen = [i['function'] for i in interface.get('implementations', [])]
    chosen += [w['function'] for h in interface['hooks'] for w in h['wrappers']]
    seen, functions = set(), []
    for f in chosen:
        if f not in seen and '::' not in f and '@' not in f:
            seen.add(f); functions.append(f)
    functions = functions[:count]
    by_function = {}
    for finding in data['findings']:
        if finding.get('function') in seen and 'callerFunctions' in finding:
            by_function.setdefault(finding['function'], set()).update(finding['callerFunctions'])
    if '--graph' in sys.argv:
        import xml.etree.ElementTree as ET
        edges = {}
        for edge in ET.parse(sys.argv[sys.argv.index('--graph') + 1]).getroot().iter('{http://graphml.graphdrawing.org/xmlns}edge'):
            edges.setdefault(edge.get('target').split('@')[0], set()).add(edge.get('source').split('@')[0])
        graph_callers_of = lambda f: edges.get(f, set())
    else:
        graph_callers_of = lambda f: {c.split('@')[0] for c in by_function.get(f, set())}
    total_text = total_graph = total_both = 0
    for f in functions:
        text = text_callers(tree, f)
        text_names = {c for c in text if not c.startswith('<')}
        graph = graph_callers_of(f)
        both = text_names & graph
        total_text += len(text_names); total_graph += len(graph); total_both += len(both)
        print(f'{f}: text {len(text_names)}, graph {len(graph)}, both {len(both)}')
        for c in sorted(text_names - graph):
            print(f'   text only: {c}  ({", ".join(text[c][:3])})')
        for c in sorted(graph - text_names):
            print(f'   graph only: {c}')
        for c in sorted(c for c in text if c.startswith('<')):
            print(f'   {c}: {", ".join(text[c][:3])}')
    print(f'TOTAL over {len(functions)} functions: text {total_text}, graph {total_graph}, both {total_both}')

if __name__ == '__main__':
    main()
