#!/bin/bash
# Page-table store recall and precision against bench/pagetables_independent.py (clang's AST for active code, clang -E
# plus a text pass for inactive code), on the units the listing reads: every C/C++ unit of the XNU profile whose own
# text names a PTE type or a store helper. Parascope scans the same units (--compile-commands), so both sides see the
# same headers. BEFORE (optional) is another parascope binary to compare with, e.g. main's.
#
# usage: bench/pagetables_independent.sh TREE ARCH WORK            PARASCOPE=… BEFORE=… to choose binaries,
#        EXTRA="osfmk/i386/acpi.c …" to add units by path (relative to TREE), JOBS=N clang jobs for the listing
set -e
TREE=$1 ARCH=$2 WORK=$3
HERE=$(cd "$(dirname "$0")" && pwd)
PARASCOPE=${PARASCOPE:-$HERE/../src/Parascope.Cli/bin/Release/net10.0/parascope}
mkdir -p "$WORK"
NAME=$(basename "$TREE")-$ARCH
[ -f "$WORK/cc-all-$NAME.json" ] || "$PARASCOPE" compile-commands "$TREE" --arch "$ARCH" -o "$WORK/cc-all-$NAME.json"
HERE=$HERE python3 - "$WORK/cc-all-$NAME.json" "$WORK/cc-$NAME.json" "$TREE" $EXTRA <<'PY'
import json, os, sys
sys.path.insert(0, os.environ.get("HERE", "."))
from pagetables_independent import SELECT
source, target, tree, *extra = sys.argv[1:]
extra = {os.path.normpath(os.path.join(tree, f)) for f in extra}
kept = []
for e in json.load(open(source)):
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if e["file"].endswith((".c", ".cpp")) and (path in extra or SELECT.search(open(path, errors="replace").read())):
        kept.append(e)
json.dump(kept, open(target, "w"), indent=1)
print(f"{len(kept)} units", file=sys.stderr)
PY
for side in before after; do
  bin=$PARASCOPE; [ $side = before ] && bin=$BEFORE
  [ -n "$bin" ] || continue
  /usr/bin/time -f "$side: %e s" "$bin" scan "$TREE" --compile-commands "$WORK/cc-$NAME.json" --arch "$ARCH" -j 2 -q \
    --format json -o "$WORK/$side-$NAME.json"
  echo "== $side"
  python3 "$HERE/pagetables_independent.py" "$WORK/cc-$NAME.json" "$TREE" "$WORK/$side-$NAME.json" --list \
    --listing "$WORK/listing-$NAME.json"
done
