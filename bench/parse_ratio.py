#!/usr/bin/env python3
"""Parascope's speed measure: wall time of `parascope scan` over the time of `clang -fsyntax-only` on the
same units with the same flags and the same number of jobs, median of several runs.

The machine is shared and noisy, so absolute times mean little; the ratio is what we track.

usage: bench/parse_ratio.py TREE [--arch x86_64] [--runs 3] [--jobs 2] [--clang clang-14]
Prints one Markdown table row per measure and the ratio; nothing is written into TREE.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_cli():
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "--nologo", os.path.join(REPO, "src/Parascope.Cli")],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(REPO, "src/Parascope.Cli/bin/Release/net10.0/parascope")


def clang_once(clang, entries, jobs):
    def run(entry):
        arguments = [clang, "-fsyntax-only"] + entry["arguments"][1:]
        return subprocess.run(arguments, cwd=entry["directory"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        codes = list(pool.map(run, entries))
    return time.monotonic() - start, sum(1 for c in codes if c == 0)


def startup_seconds(clang, runs=20):
    """clang's per-process start-up: -fsyntax-only of an empty C file, median of RUNS."""
    with tempfile.NamedTemporaryFile(suffix=".c") as empty:
        times = []
        for _ in range(runs):
            start = time.monotonic()
            subprocess.run([clang, "-fsyntax-only", empty.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.monotonic() - start)
    return statistics.median(times)


def parascope_once(cli, tree, arch, jobs, out):
    start = time.monotonic()
    subprocess.run([cli, "scan", tree, "--arch", arch, "--jobs", str(jobs), "--format", "json", "--output", out],
                   check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tree")
    parser.add_argument("--arch", default="x86_64")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--clang", default="clang-14")
    args = parser.parse_args()

    cli = build_cli()
    with tempfile.TemporaryDirectory(prefix="parascope-bench-") as scratch:
        commands = os.path.join(scratch, "compile_commands.json")
        subprocess.run([cli, "compile-commands", args.tree, "--arch", args.arch, "--output", commands], check=True)
        with open(commands) as f:
            entries = json.load(f)
        clang_times, parascope_times = [], []
        clean = 0
        for _ in range(args.runs):
            seconds, clean = clang_once(args.clang, entries, args.jobs)
            clang_times.append(seconds)
            parascope_times.append(parascope_once(cli, args.tree, args.arch, args.jobs, os.path.join(scratch, "report.json")))
    clang_median = statistics.median(clang_times)
    parascope_median = statistics.median(parascope_times)
    # One clang process per unit: its start-up is not parsing. Estimated as the empty-file time per unit over the jobs.
    startup = startup_seconds(args.clang) * len(entries) / args.jobs
    print(f"tree: {args.tree}  arch: {args.arch}  C/C++ units: {len(entries)} (clang exit 0: {clean})  jobs: {args.jobs}  runs: {args.runs}")
    print("| measure | runs (s) | median (s) |")
    print("|---|---|---|")
    print(f"| {args.clang} -fsyntax-only | {' '.join(f'{t:.1f}' for t in clang_times)} | {clang_median:.1f} |")
    print(f"| parascope scan | {' '.join(f'{t:.1f}' for t in parascope_times)} | {parascope_median:.1f} |")
    print(f"ratio parascope / clang: {parascope_median / clang_median:.2f}")
    print(f"clang start-up, {len(entries)} processes over {args.jobs} jobs: ~{startup:.1f} s; "
          f"ratio against clang without start-up: {parascope_median / max(0.1, clang_median - startup):.2f}")


if __name__ == "__main__":
    sys.exit(main())
