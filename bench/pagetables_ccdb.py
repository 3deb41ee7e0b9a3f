#!/usr/bin/env python3
"""Write a compile_commands.json for a list of files of a kernel tree, with the same flags for every file.

Used by the page-table accuracy measurement (docs/accuracy-page-tables.md): the flags file holds one line of
compiler flags; the database is written outside the tree (never into it).

usage: pagetables_ccdb.py TREE FLAGS_FILE OUT.json FILE...
"""
import json
import shlex
import sys

tree, flags_file, out, *files = sys.argv[1:]
flags = shlex.split(open(flags_file).read())
entries = [{"directory": tree, "file": f, "arguments": ["clang-14", *flags, "-c", f]} for f in files]
with open(out, "w") as handle:
    json.dump(entries, handle, indent=1)
