#!/usr/bin/env python3
"""Compare an isa_listing.py listing with a Parascope JSON report's instruction findings.

A site is (file, line), counted once per instruction on the line, on both sides: a macro's finding is at its
#define line (its uses are its expansions[]) on both sides. Builtin findings (context "builtin") are left out:
the listing reads assembler contexts only.

  recall    = sites common to both / listing sites
  precision = sites common to both / report sites

Every difference is printed, with the explanation it matches in the explained-differences files (TSV:
side, file, line, what, class, reason; side is listing-only or report-only; file, line and what are
fnmatch patterns; what is "mnemonic register" of a listing row or "ruleId detail" of a finding).
Exit status 1 when a difference matches no explanation (with --check), else 0.

Usage: compare_isa.py LISTING.tsv REPORT.json [--explained FILE]... [--check] [--quiet] [--prefix DIR/]
"""
import argparse
import collections
import fnmatch
import json
import sys


def load_listing(path):
    out = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            row["line"] = int(row["line"])
            row["what"] = (row["mnemonic"] + " " + row["register"]).strip()
            out.append(row)
    return out


def load_report(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for x in data.get("findings", []):
        if x.get("category") != "instruction" or x.get("context") == "builtin":
            continue
        out.append({"file": x["file"], "line": int(x["line"]), "what": "%s %s" % (x["ruleId"], x.get("detail", "")),
                    "context": x.get("context", ""), "class": x.get("subcategory", ""),
                    "expansions": len(x.get("expansions") or [])})
    return out


def load_explained(paths):
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.startswith("#") or not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 6:
                    sys.exit("%s:%d: want 6 tab-separated columns (side file line what class reason), got %d"
                             % (p, n, len(cols)))
                out.append(dict(zip(("side", "file", "line", "what", "class", "reason"), cols), where="%s:%d" % (p, n)))
    return out


def explain(side, row, explained):
    for e in explained:
        if e["side"] == side and fnmatch.fnmatchcase(row["file"], e["file"]) \
                and fnmatch.fnmatchcase(str(row["line"]), e["line"]) and fnmatch.fnmatchcase(row["what"], e["what"]):
            return e
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("listing")
    ap.add_argument("report")
    ap.add_argument("--explained", action="append", default=[])
    ap.add_argument("--check", action="store_true", help="exit 1 on an unexplained difference")
    ap.add_argument("--quiet", action="store_true", help="print the figures and the unexplained differences only")
    ap.add_argument("--prefix", default="", help="put PREFIX before every file path of both sides (a folder name)")
    args = ap.parse_args()

    listing, report, explained = load_listing(args.listing), load_report(args.report), load_explained(args.explained)
    for r in listing + report:
        r["file"] = args.prefix + r["file"]
    by_site = collections.defaultdict(lambda: ([], []))
    for r in listing:
        by_site[(r["file"], r["line"])][0].append(r)
    for r in report:
        by_site[(r["file"], r["line"])][1].append(r)

    common, diffs = 0, []
    for site in sorted(by_site):
        lst, rep = by_site[site]
        common += min(len(lst), len(rep))
        if len(lst) > len(rep):
            # the listing rows left over: those whose mnemonic the report's details do not name first
            named = " ".join(r["what"].lower() for r in rep)
            rest = sorted(lst, key=lambda r: r["mnemonic"] in named)[: len(lst) - len(rep)]
            diffs += [("listing-only", r) for r in rest]
        elif len(rep) > len(lst):
            named = " ".join(r["mnemonic"] for r in lst)
            rest = sorted(rep, key=lambda r: any(w in r["what"] for w in named.split()))[: len(rep) - len(lst)]
            diffs += [("report-only", r) for r in rest]

    n_l, n_r = len(listing), len(report)
    print("listing sites %d, report sites %d, common %d" % (n_l, n_r, common))
    print("recall %.1f%% (%d/%d), precision %.1f%% (%d/%d)"
          % (100.0 * common / max(n_l, 1), common, n_l, 100.0 * common / max(n_r, 1), common, n_r))
    classes = collections.Counter()
    unexplained = []
    for side, row in diffs:
        e = explain(side, row, explained)
        if e:
            classes[(side, e["class"])] += 1
        else:
            unexplained.append((side, row))
        if not args.quiet or not e:
            print("%s\t%s:%d\t%s\t%s\t%s" % (side, row["file"], row["line"], row["what"], row.get("context", ""),
                                             ("explained: " + e["class"]) if e else "UNEXPLAINED"))
    for (side, cls), n in sorted(classes.items()):
        print("explained\t%s\t%s\t%d" % (side, cls, n))
    n_lo = sum(1 for s, _ in diffs if s == "listing-only")
    n_ro = len(diffs) - n_lo
    print("differences %d (listing-only %d, report-only %d), unexplained %d" % (len(diffs), n_lo, n_ro, len(unexplained)))
    if args.check and unexplained:
        sys.exit(1)


if __name__ == "__main__":
    main()
