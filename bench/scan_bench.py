#!/usr/bin/env python3
"""Parascope's speed benchmark: one command, one tree, every figure docs/speed.md records.

On a hard-linked COPY of TREE (edits replace a file, so the tree itself is never written), with the same units,
flags and jobs on both sides, it measures:
  clang     `clang -fsyntax-only` over the units of `parascope compile-commands` (the clang of the loaded
            libclang's major version, clang-22 for the bundled one), one process per unit, JOBS at once
  cold      `parascope scan` with an empty result cache (it fills it)
  nocache   `parascope scan --no-cache` (what a scan costs without the cache)
  warm      the same scan again, nothing changed (the whole-scan entry is reused: a file listing and a look-up)
  touched   after changing only one header's modification time (the whole-scan entry is found by the tree's
            contents: the look-up plus that header's reading; before 2026-12-05 it missed and every unit entry was used)
  touched-all  last (after the edits and one settled scan that keeps the whole scan again): every file of the copy
            given a new time, the same bytes, a minute old: a fresh clone of the same commit (CI on every push), a
            checkout back and forth (the entry found by the contents, every file read)
  edit-c    after appending a comment to one .c unit
  edit-c-variant  the same for a .c unit another configuration or board parses again (its groups are detected again)
  edit-h    after appending a comment to one header (only the units that include it are parsed again)
  watch     `parascope scan --watch` on the copy, the edit-c unit edited --watch-edits times: each scan the watch makes
            again in its one process (its own time, reports written) and the time from the edit to its line; then its
            last report against a scan by a process of its own (checked identical)
each with its phases (discover, parse, detect, graph, report: parascope's --timings line), units per second (over
the run's wall time; before 2026-12-04 over its parse phase), peak
memory and the result cache's hits and misses, then the ratios. The load average is printed before each side; on a
shared machine, measure anyway and say so. The warm and cold reports must be byte-identical (checked).

usage: bench/scan_bench.py TREE [--arch x86_64]... [--jobs 2] [--runs 1] [--clang clang-22] [--cli PATH]
                         [--edit-c REL] [--edit-c-variant REL] [--edit-h REL] [--no-clang] [--json OUT]
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parse_ratio import build_cli, clang_once  # noqa: E402  (one clang side and one build for both benchmarks)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMINGS = re.compile(r"parascope: timings: units (\d+), discover (\d+) ms, parse (\d+) ms, detect (\d+) ms, graph (\d+) ms, "
                     r"(?:plan (\d+) ms, )?report (\d+) ms, peak (\d+) MB; (.*)")
CACHE = re.compile(r"cache (\d+) hits, (\d+) misses, (\d+) stored, (\d+) rejected, (\d+) evicted")
WHOLE = re.compile(r"whole scan (reused(?: \(times changed, contents checked\))?|kept|not kept)")


def load():
    return os.getloadavg()[0]


def copy_tree(tree, scratch):
    """A hard-linked copy: cheap, and an edit (write a new file, rename it over) never touches TREE's files."""
    copy = os.path.join(scratch, "tree")
    subprocess.run(["cp", "-al", tree, copy], check=True)
    return copy


def rewrite(copy, relative, addition=b""):
    """The copy's file replaced by a new one (its text plus ADDITION), so that TREE's file, a hard link of the old one,
    keeps its content and its modification time."""
    path = os.path.join(copy, relative)
    with open(path, "rb") as f:
        text = f.read()
    temporary = path + ".bench-edit"
    with open(temporary, "wb") as f:
        f.write(text + addition)
    os.replace(temporary, path)


def fresh_clone(copy):
    """Every file of the copy replaced by a new one with the same bytes, a minute old (settled): what a fresh clone of the
    same commit looks like to a scan. New files, not os.utime: the copy's files are hard links of TREE's."""
    settled = time.time() - 60
    for folder, _, names in os.walk(copy):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            rewrite(copy, os.path.relpath(path, copy))
            os.utime(path, (settled, settled))


def edit(copy, relative):
    rewrite(copy, relative, b"\n/* parascope bench: an edit that changes no finding */\n")


SHARD = []


def scan(cli, copy, arches, jobs, cache, out, extra=()):
    command = [cli, "scan", copy, "--jobs", str(jobs), "--format", "json", "--output", out, "--timings", "--quiet"] + SHARD
    for arch in arches:
        command += ["--arch", arch]
    command += ["--cache", cache] + list(extra)
    before = load()
    start = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if done.returncode not in (0, 1):
        sys.exit(f"scan_bench: {' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    match = TIMINGS.search(done.stderr)
    print(f"scan_bench: {' '.join(extra) or 'scan'} {wall:.1f} s (load {before:.1f}): "
          f"{match.group(0) if match else done.stderr[-300:]}", file=sys.stderr, flush=True)
    if match is None:
        sys.exit("scan_bench: no --timings line from parascope (is it older than the result cache?)")
    units, discover, parse, detect, graph, plan, report, peak = (int(g or 0) for g in match.groups()[:8])
    cache_match = CACHE.search(match.group(9))
    hits, misses = (int(cache_match.group(1)), int(cache_match.group(2))) if cache_match else (0, units)
    whole = WHOLE.search(match.group(9))
    return {
        "wallS": round(wall, 2), "loadBefore": round(before, 1), "units": units,
        "phasesMs": {"discover": discover, "parse": parse, "detect": detect, "graph": graph, "plan": plan, "report": report},
        # Over the whole run: a warm scan parses nothing, and units over its parse phase (0 ms) read 777,000 a second.
        "unitsPerSecond": round(units / max(wall, 1e-3), 1), "peakMB": peak, "cacheHits": hits, "cacheMisses": misses,
        "wholeScan": whole.group(1) if whole else "off",
    }


WATCHED = re.compile(r"^parascope: watch: .* scanned again in ([0-9.]+) s")


def watch_edits(cli, copy, arches, jobs, cache, out, relative, count):
    """`parascope scan --watch` on the copy, then COUNT edits of RELATIVE (a comment appended, as for edit-c): the time of
    each scan the watch makes again (its own figure, reports written) and from the edit to its summary line (that plus
    the 2 s the tree must be quiet first). Ended by SIGINT, which must give 130."""
    command = [cli, "scan", copy, "--watch", "--jobs", str(jobs), "--format", "json", "--output", out, "--timings", "--quiet",
               "--cache", cache] + SHARD
    for arch in arches:
        command += ["--arch", arch]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
    lines = []

    def next_line(pattern):
        while True:
            line = process.stderr.readline()
            if not line:
                sys.exit(f"scan_bench: the watch ended (exit {process.wait()}) before saying: {pattern.pattern}\n" + "".join(lines[-20:]))
            lines.append(line)
            match = pattern.search(line)
            if match:
                return match

    rescans, latencies, peaks = [], [], []
    try:
        next_line(re.compile(r"^parascope: watch: watching "))
        for _ in range(count):
            before = load()
            edit(copy, relative)
            edited = time.monotonic()
            # The watch's own line comes once the reports are written; the scan's --timings line after it, once the
            # cache's writes are done.
            rescan = float(next_line(WATCHED).group(1))
            latencies.append(round(time.monotonic() - edited, 2))
            peaks.append(int(next_line(TIMINGS).group(8)))
            rescans.append(rescan)
            print(f"scan_bench: watch: scanned again in {rescan:.2f} s, {latencies[-1]:.2f} s after the edit (load {before:.1f})",
                  file=sys.stderr, flush=True)
            time.sleep(0.5)
    finally:
        process.send_signal(2)
        code = process.wait(timeout=60)
    if code != 130:
        sys.exit(f"scan_bench: the watch exited {code} on SIGINT, not 130")
    return {"rescanS": round(statistics.median(rescans), 2), "rescanRuns": rescans, "latencyS": round(statistics.median(latencies), 2),
            "peakMB": max(peaks), "file": relative}


def report_bytes(path):
    with open(path) as f:
        report = json.load(f)
    report.get("scan", {}).pop("durationMs", None)
    report.get("scan", {}).pop("root", None)
    return json.dumps(report, sort_keys=True)


def in_shard(relative):
    """Whether parascope's --shard K/N scans RELATIVE: FNV-1a of the path, as ScanPipeline.ShardOf."""
    if not SHARD:
        return True
    index, count = (int(n) for n in SHARD[1].split("/"))
    value = 2166136261
    for c in relative:
        value = ((value ^ ord(c)) * 16777619) & 0xFFFFFFFF
    return value % count == index - 1


def pick_header(entries, copy, arch):
    """A header under the tree that units of ARCH include: its proc_reg.h (osfmk/i386 for x86), else a unit's first local include."""
    own = {"arm64": ("osfmk/arm64/proc_reg.h", "osfmk/arm/proc_reg.h")}.get(arch, ("osfmk/i386/proc_reg.h",))
    for candidate in own:
        if os.path.exists(os.path.join(copy, candidate)):
            return candidate
    for entry in entries:
        with open(os.path.join(entry["directory"], entry["file"]), errors="replace") as f:
            for line in f:
                found = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if found:
                    header = os.path.normpath(os.path.join(os.path.dirname(entry["file"]), found.group(1)))
                    relative = os.path.relpath(os.path.join(entry["directory"], header), copy)
                    if os.path.exists(os.path.join(copy, relative)):
                        return relative
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tree")
    parser.add_argument("--arch", action="append")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1, help="cold and clang runs, alternated; the median is reported with the spread")
    parser.add_argument("--clang", default=None, help="default: clang-22 (the bundled libclang's), else clang-14")
    parser.add_argument("--cli", default=None, help="a parascope binary (default: build this repository's Release one)")
    parser.add_argument("--edit-c", default=None, help="the .c unit to edit (default: the first osfmk unit, else the first)")
    parser.add_argument("--edit-c-variant", default=None,
                        help="the .c unit with variants to edit (default: the first osfmk unit another configuration parses again, if any)")
    parser.add_argument("--edit-h", default=None, help="the header to edit (default: the first arch's proc_reg.h, else a local include)")
    parser.add_argument("--no-clang", action="store_true", help="skip clang (CI smoke run)")
    parser.add_argument("--clang-variants", action="store_true",
                        help="also time clang over the other configurations' and boards' units the scan parses again "
                             "(compile-commands --variants), so that a ratio over the same parses is given too")
    parser.add_argument("--shard", default=None, help="K/N: scan only that shard of the units (parascope scan --shard), to measure part of a big tree on a busy machine")
    parser.add_argument("--skip-nocache", action="store_true", help="skip the --no-cache scan (saves a whole scan on a big tree)")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--watch-edits", type=int, default=5,
                        help="edits of the .c unit under `parascope scan --watch`, each scanned again in that one process (0: none)")
    args = parser.parse_args()
    arches = args.arch or ["x86_64"]
    if args.shard:
        SHARD.extend(["--shard", args.shard])
    clang = args.clang or (shutil.which("clang-22") and "clang-22") or "clang-14"
    cli = args.cli or build_cli()
    tree = os.path.abspath(args.tree).rstrip("/")

    with tempfile.TemporaryDirectory(prefix="parascope-bench-") as scratch:
        copy = copy_tree(tree, scratch)
        entries, variant_entries = [], []
        for arch in arches:
            commands = os.path.join(scratch, f"cc-{arch}.json")
            # With the variants always: the edit of a unit with variants is chosen among them.
            subprocess.run([cli, "compile-commands", copy, "--arch", arch, "--output", commands, "--variants"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(commands) as f:
                listed = json.load(f)
            entries += [e for e in listed if not e.get("variant")]
            variant_entries += [e for e in listed if e.get("variant")]
        c_entries = [e for e in entries if e["file"].endswith((".c", ".cpp", ".cc"))
                     and in_shard(os.path.relpath(os.path.join(e["directory"], e["file"]), copy))]
        figures = {"tree": tree, "arches": arches, "jobs": args.jobs, "clangCommand": clang, "units": len(entries),
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        variant_files = {os.path.relpath(os.path.join(e["directory"], e["file"]), copy) for e in variant_entries}
        if args.clang_variants:
            figures["variantUnits"] = len(variant_entries)
        else:
            variant_entries = []
        cold_runs, clang_runs, nocache_runs, variant_runs = [], [], [], []
        for run in range(args.runs):
            if not args.no_clang:
                before = load()
                seconds, clean = clang_once(clang, entries, args.jobs)
                clang_runs.append({"wallS": round(seconds, 2), "loadBefore": round(before, 1), "clean": clean})
                print(f"scan_bench: {clang} -fsyntax-only {seconds:.1f} s (load {before:.1f}), {clean} exit 0", file=sys.stderr, flush=True)
                if variant_entries:
                    before = load()
                    seconds, clean = clang_once(clang, variant_entries, args.jobs)
                    variant_runs.append({"wallS": round(seconds, 2), "loadBefore": round(before, 1), "clean": clean})
                    print(f"scan_bench: {clang} -fsyntax-only, variant units {seconds:.1f} s (load {before:.1f}), {clean} exit 0",
                          file=sys.stderr, flush=True)
            cache = os.path.join(scratch, f"cache-{run}")
            cold_runs.append(scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "cold.json")))
            if not args.skip_nocache:
                nocache_runs.append(scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "nocache.json"), ["--no-cache"]))
        cache = os.path.join(scratch, f"cache-{args.runs - 1}")
        figures["cold"] = min(cold_runs, key=lambda r: r["wallS"]) if len(cold_runs) == 1 else sorted(cold_runs, key=lambda r: r["wallS"])[len(cold_runs) // 2]
        figures["coldRuns"] = [r["wallS"] for r in cold_runs]
        if nocache_runs:
            figures["nocache"] = sorted(nocache_runs, key=lambda r: r["wallS"])[len(nocache_runs) // 2]
        if clang_runs:
            figures["clang"] = sorted(clang_runs, key=lambda r: r["wallS"])[len(clang_runs) // 2]
            figures["clangRuns"] = [r["wallS"] for r in clang_runs]
        if variant_runs:
            figures["clangVariants"] = sorted(variant_runs, key=lambda r: r["wallS"])[len(variant_runs) // 2]
            figures["clangVariantsRuns"] = [r["wallS"] for r in variant_runs]
        warm_runs = [scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "warm.json")) for _ in range(max(3, args.runs))]
        figures["warm"] = sorted(warm_runs, key=lambda r: r["wallS"])[len(warm_runs) // 2]
        figures["warmRuns"] = [r["wallS"] for r in warm_runs]
        edit_h = args.edit_h or pick_header(c_entries, copy, arches[0])
        if edit_h:
            # A new file with the same text (a new time, the same content): os.utime on the hard link would change
            # TREE's own file's time too.
            rewrite(copy, edit_h)
            figures["touched"] = dict(scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "touched.json")), file=edit_h)
        reports = [report_bytes(os.path.join(scratch, name + ".json")) for name in ("cold", "warm", "nocache", "touched") if name in figures]
        figures["identical"] = all(r == reports[0] for r in reports)
        edit_c = args.edit_c or next((os.path.relpath(os.path.join(e["directory"], e["file"]), copy) for e in c_entries
                                      if os.path.relpath(os.path.join(e["directory"], e["file"]), copy).startswith("osfmk/")),
                                     c_entries[0]["file"] if c_entries else None)
        if edit_c:
            edit(copy, edit_c)
            figures["editC"] = dict(scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "edit-c.json")), file=edit_c)
        edit_v = args.edit_c_variant or next((relative for relative in (os.path.relpath(os.path.join(e["directory"], e["file"]), copy) for e in c_entries)
                                              if relative.startswith("osfmk/") and relative in variant_files), None)
        if edit_v:
            edit(copy, edit_v)
            figures["editCVariant"] = dict(scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "edit-c-variant.json")), file=edit_v)
        if edit_h:
            edit(copy, edit_h)
            figures["editH"] = dict(scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "edit-h.json")), file=edit_h)
        # Last, so that the edits above are measured as before: what a touch leaves for the next scan that runs the stages
        # (the discovery memo's files digested again, once) is not theirs. The edits' own files were written just now,
        # so the tree's whole scan was not kept: one settled scan keeps it first.
        time.sleep(2.5)
        figures["settled"] = scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "settled.json"))
        fresh_clone(copy)
        figures["touchedAll"] = scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "touchedAll.json"))
        figures["identical"] = figures["identical"] and report_bytes(os.path.join(scratch, "settled.json")) == report_bytes(
            os.path.join(scratch, "touchedAll.json"))
        if edit_c and args.watch_edits > 0:
            figures["watchEditC"] = watch_edits(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "watch.json"), edit_c, args.watch_edits)
            # The watch's last report against a scan of the same tree by a process of its own.
            time.sleep(2.5)
            figures["afterWatch"] = scan(cli, copy, arches, args.jobs, cache, os.path.join(scratch, "after-watch.json"))
            figures["identical"] = figures["identical"] and report_bytes(os.path.join(scratch, "watch.json")) == report_bytes(
                os.path.join(scratch, "after-watch.json"))

    cold = figures["cold"]["wallS"]
    ratios = {"warmOverCold": round(figures["warm"]["wallS"] / cold, 3)}
    if "touched" in figures:
        ratios["touchedOverCold"] = round(figures["touched"]["wallS"] / cold, 3)
    ratios["touchedAllOverCold"] = round(figures["touchedAll"]["wallS"] / cold, 3)
    if "clang" in figures:
        ratios["coldOverClang"] = round(cold / figures["clang"]["wallS"], 2)
        if "clangVariants" in figures:
            # The scan parses the variants too: against clang over every parse the scan makes, same flags each.
            ratios["coldOverClangSameParses"] = round(cold / (figures["clang"]["wallS"] + figures["clangVariants"]["wallS"]), 2)
        if "nocache" in figures:
            ratios["nocacheOverClang"] = round(figures["nocache"]["wallS"] / figures["clang"]["wallS"], 2)
    if "editC" in figures:
        ratios["editCOverCold"] = round(figures["editC"]["wallS"] / cold, 3)
    if "editCVariant" in figures:
        ratios["editCVariantOverCold"] = round(figures["editCVariant"]["wallS"] / cold, 3)
    if "editH" in figures:
        ratios["editHOverCold"] = round(figures["editH"]["wallS"] / cold, 3)
    if "watchEditC" in figures:
        ratios["watchEditCOverCold"] = round(figures["watchEditC"]["rescanS"] / cold, 3)
    figures["ratios"] = ratios

    print(f"{tree} {' '.join(arches)}, {figures['units']} units, --jobs {args.jobs}, {figures['date']}")
    print("| run | wall s | load before | discover | parse | detect | graph | plan | report (ms) | units/s | peak MB | cached | parsed | whole scan |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    if "clang" in figures:
        print(f"| {clang} -fsyntax-only | {figures['clang']['wallS']} | {figures['clang']['loadBefore']} | | | | | | | | | | {len(entries)} |")
    if "clangVariants" in figures:
        print(f"| {clang} -fsyntax-only, variant units | {figures['clangVariants']['wallS']} | {figures['clangVariants']['loadBefore']} "
              f"| | | | | | | | | | {len(variant_entries)} |")
    for name in ("cold", "nocache", "warm", "touched", "editC", "editCVariant", "editH", "settled", "touchedAll"):
        if name not in figures:
            continue
        r = figures[name]
        p = r["phasesMs"]
        label = name + (f" ({r['file']})" if "file" in r else "")
        print(f"| {label} | {r['wallS']} | {r['loadBefore']} | {p['discover']} | {p['parse']} | {p['detect']} | {p['graph']} | {p['plan']} | {p['report']} "
              f"| {r['unitsPerSecond']} | {r['peakMB']} | {r['cacheHits']} | {r['cacheMisses']} | {r['wholeScan']} |")
    if "watchEditC" in figures:
        w = figures["watchEditC"]
        print(f"watch ({w['file']}): scanned again in {w['rescanS']} s (median of {' '.join(str(r) for r in w['rescanRuns'])}), "
              f"{w['latencyS']} s after the edit (the 2 s quiet period included), peak {w['peakMB']} MB")
    for name in ("cold", "warm", "clang", "clangVariants"):
        if f"{name}Runs" in figures and len(figures[f"{name}Runs"]) > 1:
            runs = figures[f"{name}Runs"]
            print(f"{name} runs (s): {' '.join(str(r) for r in runs)}; median {statistics.median(runs):.2f}, spread {min(runs)}-{max(runs)}")
    print("ratios: " + ", ".join(f"{k} {v}" for k, v in ratios.items()) + f"; reports identical: {figures['identical']}")
    print(json.dumps(figures))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    return 0 if figures["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
