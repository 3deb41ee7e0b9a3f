#!/usr/bin/env python3
"""The XNU release matrix of docs/parse-health.md: one tag of every major XNU version, every arch its tree builds.

For each major version from xnu-792 to xnu-11417 (the newest tag of each, from the bare repository's tags), the
tree is unpacked outside this repository (UNPACK/<tag>, default /work/xnu, skipped when already there) and scanned
once per arch it builds, read from the tree itself: an arch is built when `config/MASTER.<arch>` or
`osfmk/conf/MASTER.<arch>` exists (i386, x86_64, arm64; PowerPC is left out). Scans run one at a time with
`--units --quiet --timings`; each row's figures go to OUT/<tag>-<arch>.json (a row already there is not re-run
unless --force; OUT is outside the repository, default /work/matrix-out/results), each scan's full JSON report is
kept as REPORTS/<tag>-<arch>.json (default OUT/../reports) for the accuracy work, and the whole table is printed as Markdown at the end.

  bench/releases/matrix.py [--repo GITDIR] [--unpack DIR] [--out DIR] [--reports DIR] [--parascope CMD] [--jobs N]
                           [--force] [--only TAG[:ARCH]]... [--arch A]... [--machine-config NAME] [--build LABEL]
                           [--deadline HH:MM] [--unit-timeout SECONDS] [--table]

  nice -n 19 bench/releases/matrix.py --parascope src/Parascope.Cli/bin/Release/net10.0/parascope --jobs 2

Columns: units (all .c/.cpp/.s units of the arch), clean (no error), with errors (not fatal), fatal (a fatal error or
a missing #include), failed (no translation unit), in-build clean (over units some configuration of the tree
builds), wall (the scan's own durationMs), CPU (user + sys seconds of the scan process, from getrusage: what the
row costs even when the wall time is stretched by load or nice), and the goal check (>= 95% of all units and >= 98% of in-build units
clean, no failed unit).
"""
import argparse
import calendar
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

ARCHES = ("i386", "x86_64", "arm64")


def major_tags(repo, first=792, last=11417):
    tags = subprocess.run(["git", "--git-dir", repo, "tag"], check=True, capture_output=True, text=True).stdout.split()
    newest = {}
    for tag in tags:
        m = re.fullmatch(r"xnu-(\d+)((?:\.\d+)*)", tag)
        if not m:
            continue
        major = int(m.group(1))
        if not first <= major <= last:
            continue
        key = tuple(int(x) for x in tag[4:].split("."))
        if major not in newest or key > newest[major][0]:
            newest[major] = (key, tag)
    return [newest[m][1] for m in sorted(newest)]


def unpack(repo, tag, unpack_dir):
    tree = os.path.join(unpack_dir, tag)
    if os.path.isdir(os.path.join(tree, "osfmk")):
        return tree
    os.makedirs(tree, exist_ok=True)
    archive = subprocess.Popen(["git", "--git-dir", repo, "archive", tag], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", tree], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"matrix: git archive {tag} failed")
    return tree


def tree_arches(tree):
    """The arches the tree's own configuration files build (a MASTER.<arch>), PowerPC excluded."""
    found = []
    for arch in ARCHES:
        if any(os.path.exists(os.path.join(tree, d, "MASTER." + arch)) for d in ("config", "osfmk/conf")):
            found.append(arch)
    return found


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "—"


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def scan_row(parascope, tree, tag, arch, out, reports, jobs, machine_config, build, deadline, unit_timeout=None):
    report = os.path.join(out, f"{tag}-{arch}.scan.json")
    cmd = parascope + ["scan", tree, "--arch", arch, "--jobs", str(jobs), "--units", "--quiet", "--timings", "-o", report]
    if machine_config:
        cmd += ["--machine-config", machine_config]
    if unit_timeout is not None:
        cmd += ["--unit-timeout", str(unit_timeout)]
    timeout = None
    if deadline is not None:
        timeout = deadline - time.time()
        if timeout <= 0:
            return None
    t0 = time.time()
    cpu0 = children_cpu()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        # subprocess.run kills the scan; the row is "not run", nothing is recorded for it.
        if os.path.exists(report):
            os.remove(report)
        return None
    wall = time.time() - t0
    # CPU time (user + sys) of the scan process and its children: unlike the wall time, not inflated when the
    # scan waits behind other work (nice 19 on a shared machine, or a SIGSTOP while someone else measures).
    cpu = children_cpu() - cpu0
    row = {"tag": tag, "arch": arch, "command": " ".join(cmd), "exit": proc.returncode, "wallSeconds": round(wall, 1),
           "cpuSeconds": round(cpu, 1), "loadAverage": [round(x, 2) for x in os.getloadavg()]}
    if build:
        row["build"] = build
    if proc.returncode not in (0, 1):
        row["error"] = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
        return row
    with open(report) as f:
        data = json.load(f)
    scan = data["scan"]
    units = data.get("units") or []
    counts = scan["units"]
    row.update(
        units=counts["total"], clean=counts["clean"], withErrors=counts["withErrors"] - counts.get("withFatal", 0),
        fatal=counts.get("withFatal", 0), failed=counts["failed"], durationMs=scan.get("durationMs", 0),
        machineConfig=next((m["name"] for m in scan.get("machineConfigs", []) if m["arch"] == arch), None), findings=len(data.get("findings", [])))
    inb = [u for u in units if u.get("inBuild", True)]
    row["inBuild"] = len(inb)
    row["inBuildClean"] = sum(1 for u in inb if u["status"] == "clean")
    # The units that are not clean, most frequent first error first: what the doc's "stays short" names.
    short = {}
    for u in units:
        if u["status"] != "clean":
            key = (u.get("firstError") or u["status"])[:160]
            short.setdefault(key, []).append(u["file"])
    row["notClean"] = [{"firstError": k, "count": len(v), "files": v[:5]}
                       for k, v in sorted(short.items(), key=lambda kv: -len(kv[1]))[:15]]
    if reports:
        # The scan's full JSON report, kept for the accuracy work (findings, units), outside the scanned tree.
        os.makedirs(reports, exist_ok=True)
        kept = os.path.join(reports, f"{tag}-{arch}.json")
        shutil.move(report, kept)
        row["report"] = kept
    else:
        os.remove(report)
    return row


def table(rows):
    lines = ["| release | arch | build | units | clean | with errors | fatal | failed | in-build clean | wall | CPU | goal |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "units" not in r:
            lines.append(f"| {r['tag']} | {r['arch']} | {r.get('build', '')} | scan failed: {' '.join(r.get('error', []))} "
                         f"| | | | | | | | no |")
            continue
        ok = (r["units"] and r["clean"] / r["units"] >= 0.95 and r["inBuild"]
              and r["inBuildClean"] / r["inBuild"] >= 0.98 and r["failed"] == 0)
        lines.append(
            f"| {r['tag']} | {r['arch']}{' (' + r['machineConfig'] + ')' if r.get('machineConfig') else ''} "
            f"| {r.get('build', '')} | {r['units']} "
            f"| {r['clean']} = {pct(r['clean'], r['units'])} | {r['withErrors']} | {r['fatal']} | {r['failed']} "
            f"| {r['inBuildClean']}/{r['inBuild']} = {pct(r['inBuildClean'], r['inBuild'])} "
            f"| {r['durationMs'] / 1000:.0f} s | {str(round(r['cpuSeconds'])) + ' s' if 'cpuSeconds' in r else ''} "
            f"| {'yes' if ok else '**no**'} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", default="/work/.mirror/apple-oss-distributions+xnu/repo")
    ap.add_argument("--unpack", default="/work/xnu")
    ap.add_argument("--out", default="/work/matrix-out/results")
    ap.add_argument("--parascope", default="src/Parascope.Cli/bin/Release/net10.0/parascope")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--machine-config")
    ap.add_argument("--arch", action="append", default=[], help="only these arches")
    ap.add_argument("--table", action="store_true", help="print the table of the rows already in OUT, scan nothing")
    ap.add_argument("--reports", help="keep each scan's full JSON report as REPORTS/<tag>-<arch>.json "
                    "(default OUT/../reports; 'none' keeps nothing)")
    ap.add_argument("--build", help="a label for the build that scanned (e.g. a commit), recorded in each row")
    ap.add_argument("--unit-timeout", type=int, help="passed to the scan: a unit still being read after this many seconds "
                    "of wall time fails (the scan's default, 300 s, can be reached by a unit starved of CPU on a loaded machine)")
    ap.add_argument("--deadline", help="HH:MM (UTC): a scan still running then is stopped and its row not recorded; "
                    "no scan starts after it")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    reports = args.reports or os.path.join(os.path.dirname(os.path.abspath(args.out)), "reports")
    if reports == "none":
        reports = None
    deadline = None
    if args.deadline:
        hh, mm = (int(x) for x in args.deadline.split(":"))
        now = time.gmtime()
        deadline = calendar.timegm((now.tm_year, now.tm_mon, now.tm_mday, hh, mm, 0))
        if deadline < time.time() - 12 * 3600:
            deadline += 24 * 3600
    parascope = args.parascope.split()

    rows = []
    for tag in major_tags(args.repo):
        wanted = [o for o in args.only if o.split(":")[0] == tag]
        if args.only and not wanted:
            continue
        if args.table:
            arches = [a for a in ARCHES if os.path.exists(os.path.join(args.out, f"{tag}-{a}.json"))]
            tree = None
        elif deadline is not None and time.time() >= deadline:
            # Past the deadline nothing is scanned: do not unpack another tree either.
            print(f"matrix: {tag}: not unpacked or run (deadline {args.deadline})", file=sys.stderr, flush=True)
            continue
        else:
            tree = unpack(args.repo, tag, args.unpack)
            arches = tree_arches(tree)
        for arch in arches:
            if args.arch and arch not in args.arch:
                continue
            if wanted and not any(o == tag or o == f"{tag}:{arch}" for o in wanted):
                continue
            path = os.path.join(args.out, f"{tag}-{arch}.json")
            if os.path.exists(path) and (args.table or not args.force):
                with open(path) as f:
                    rows.append(json.load(f))
                continue
            print(f"matrix: {tag} {arch} ...", file=sys.stderr, flush=True)
            row = scan_row(parascope, tree, tag, arch, args.out, reports, args.jobs, args.machine_config, args.build,
                           deadline, args.unit_timeout)
            if row is None:
                print(f"matrix: {tag} {arch}: not run (deadline {args.deadline})", file=sys.stderr, flush=True)
                continue
            with open(path, "w") as f:
                json.dump(row, f, indent=1)
            print(f"matrix: {tag} {arch}: {row.get('clean')}/{row.get('units')} clean, "
                  f"{row.get('inBuildClean')}/{row.get('inBuild')} in build, {row['wallSeconds']} s wall, "
                  f"{row['cpuSeconds']} s CPU",
                  file=sys.stderr, flush=True)
            rows.append(row)
    print(table(rows))


if __name__ == "__main__":
    main()
