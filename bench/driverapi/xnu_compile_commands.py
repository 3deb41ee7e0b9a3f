#!/usr/bin/env python3
"""Hand-written XNU flags for the driver-api measurement (until the XNU profile lands).

Writes a compile_commands.json (Parascope's `--compile-commands` format) for the C/C++ files of chosen folders
of an XNU tree, with KERNEL/PRIVATE defines and the subsystems as include roots, with a stand-in folder
OUTSIDE the tree first on the include path; fill_standins.py then puts an empty header there for every include
clang cannot find (config-step and generated headers). Nothing is written into the tree.

usage: xnu_compile_commands.py TREE ARCH OUT.json STANDINS_DIR FOLDER...
"""
import json, os, re, subprocess, sys

tree, arch, out, standins = sys.argv[1:5]
folders = sys.argv[5:]
tree = os.path.abspath(tree)
standins = os.path.abspath(standins)
os.makedirs(standins, exist_ok=True)
resource = subprocess.run(["clang-14", "-print-resource-dir"], capture_output=True, text=True).stdout.strip()
triple = {"x86_64": "x86_64-apple-macos", "i386": "i386-apple-darwin"}[arch]

includes = [standins, os.path.join(tree, "EXTERNAL_HEADERS")]
for sub in ["osfmk", "osfmk/libsa", "bsd", "iokit", "libkern", "libsa", "pexpert", "security", "san", "EXTERNAL_HEADERS"]:
    p = os.path.join(tree, sub)
    if os.path.isdir(p) and p not in includes:
        includes.append(p)
common = ["-DKERNEL", "-DKERNEL_PRIVATE", "-DPRIVATE", "-DXNU_KERNEL_PRIVATE", "-DAPPLE", "-DNeXT", "-D__MACHO__=1",
          "-DCONFIG_X86_64=1" if arch == "x86_64" else "-DCONFIG_I386=1"]
per_subsystem = {
    "osfmk": ["-DMACH_KERNEL_PRIVATE", "-DMACH_KERNEL"],
    "bsd": ["-DBSD_KERNEL_PRIVATE", "-DBSD_BUILD"],
    "iokit": ["-DIOKIT_KERNEL_PRIVATE", "-DIOMATCHDEBUG=1", "-DIOALLOCDEBUG=1"],
    "pexpert": ["-DPEXPERT_KERNEL_PRIVATE"],
    "libkern": ["-DLIBKERN_KERNEL_PRIVATE"],
}

def args_for(path):
    rel = os.path.relpath(path, tree)
    sub = rel.split("/")[0]
    cxx = path.endswith(".cpp")
    a = ["clang", f"--target={triple}", "-resource-dir", resource, "-nostdinc", "-ffreestanding", "-fblocks",
         "-ferror-limit=0", "-Wno-everything", "-isystem", os.path.join(resource, "include")]
    a += ["-xc++", "-std=gnu++17", "-fno-exceptions", "-fno-rtti"] if cxx else ["-xc", "-std=gnu11"]
    a += common + per_subsystem.get(sub, [])
    a += ["-I" + os.path.dirname(path)] + ["-I" + i for i in includes]
    return a + [path]

units = []
for folder in folders:
    for dirpath, dirs, files in os.walk(os.path.join(tree, folder)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".c", ".cpp")):
                units.append(os.path.join(dirpath, name))

commands = [{"directory": tree, "file": u, "arguments": args_for(u), "arch": arch} for u in units]
with open(out, "w") as f:
    json.dump(commands, f, indent=1)

print(f"{len(commands)} units -> {out}; now run fill_standins.py {out} {standins}", file=sys.stderr)
