#!/usr/bin/env python3
"""Write a compile_commands.json for a list of files of a kernel tree, with the same flags for every file.

Used by the page-table accuracy measurement (docs/accuracy-page-tables.md): the flags file holds one line of
compiler flags; the database is written outside the tree (never into it).

usage: pagetables_ccdb.py [--append] TREE FLAGS_FILE OUT.json FILE...
  --append adds the entries to an existing OUT.json (files that need other flags, e.g. another config).
"""
import json
import shlex
import sys

args = sys.argv[1:]
append = args[:1] == ["--append"]
tree, flags_file, out, *files = args[1:] if append else args
flags = shlex.split(open(flags_file).read())
entries = json.load(open(out)) if append else []
entries += [{"directory": tree, "file": f, "arguments": ["clang-14", *flags, "-c", f]} for f in files]
with open(out, "w") as handle:
    json.dump(entries, handle, indent=1)
