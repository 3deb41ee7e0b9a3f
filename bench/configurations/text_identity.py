#!/usr/bin/env python3
"""Upper bound of issue 18's "no second parse where the text is the same" lever for configurations.

A scan parses a unit again in another configuration (DEVELOPMENT, DEBUG, KASAN) or for another board when the file
tests a macro that configuration changes. A variant parse could be skipped, with no change to any report, when its
preprocessed text is the text of a parse the scan already makes of the same file. This counts how often that holds,
with clang's own preprocessor (an independent reading: `clang -E`, line markers kept so that positions count), over
the units `parascope compile-commands --variants` lists. The configuration folders of the stand-in headers differ by
name only (…/config-development/… against …/config-debug/…) and are made equal before comparing.

usage: parascope compile-commands TREE --arch ARCH --variants -o cc.json
       bench/configurations/text_identity.py cc.json [--clang clang-14] [--jobs 2] [--json OUT]
"""
import argparse
import collections
import concurrent.futures
import hashlib
import json
import re
import subprocess

CONFIG_FOLDER = re.compile(rb"/config-[a-z0-9_-]+/")


def preprocessed_digest(clang, entry):
    arguments = [a for a in entry["arguments"][1:] if a != "-fsyntax-only"]
    result = subprocess.run([clang, "-E"] + arguments, cwd=entry["directory"], capture_output=True)
    return hashlib.sha256(CONFIG_FOLDER.sub(b"/config-X/", result.stdout)).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("commands")
    parser.add_argument("--clang", default="clang-14")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    with open(args.commands) as f:
        entries = json.load(f)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        digests = list(pool.map(lambda e: preprocessed_digest(args.clang, e), entries))
    parses = collections.defaultdict(list)
    for entry, digest in zip(entries, digests):
        parses[(entry["file"], entry["arch"])].append((entry, digest))
    total, same, rows = collections.Counter(), collections.Counter(), []
    for (file, arch), group in sorted(parses.items()):
        seen = {}
        # Main units come first in the listing; a variant may share the text of the main parse or of an earlier variant.
        for entry, digest in group:
            name = entry.get("configuration", "") + ("/" + entry["platform"] if entry.get("platform") else "")
            if entry.get("variant"):
                total[name] += 1
                if digest in seen:
                    same[name] += 1
                    rows.append({"file": file, "arch": arch, "parse": name, "sameTextAs": seen[digest]})
            seen.setdefault(digest, name)
    print(f"variant parses: {sum(total.values())} {dict(total)}")
    print(f"with the preprocessed text of another parse of the same file: {sum(same.values())} {dict(same)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"variants": dict(total), "sameText": dict(same), "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
