#!/bin/bash
# The page-table accuracy measurement of docs/accuracy-page-tables.md, end to end, with the XNU profile's own
# flags: `parascope compile-commands` gives every unit's exact command; the pmap-related files below are kept;
# Parascope scans just those units (--compile-commands) and clang's JSON AST (pagetables_oracle.py) lists the
# same units independently. Everything it writes goes to WORK (default /tmp/pagetables-accuracy); the XNU trees
# are only read.
#
# usage: bench/pagetables_accuracy.sh [XNU_DIR] [WORK]        ONLY="792 11a" to run some sets
set -e
XNU=${1:-/work/xnu}
WORK=${2:-/tmp/pagetables-accuracy}
HERE=$(cd "$(dirname "$0")" && pwd)
PARASCOPE=${PARASCOPE:-$HERE/../src/Parascope.Cli/bin/Release/net10.0/parascope}
mkdir -p "$WORK"
T792=$XNU/xnu-792.25.20
T11=$XNU/xnu-11417.121.6

F792="osfmk/i386/pmap.c osfmk/i386/loose_ends.c osfmk/i386/machine_routines.c osfmk/i386/mp.c osfmk/i386/phys.c
 osfmk/i386/startup64.c osfmk/i386/mtrr.c osfmk/i386/acpi.c osfmk/i386/pcb.c osfmk/i386/trap.c osfmk/i386/i386_vm_init.c
 osfmk/i386/cpu.c osfmk/i386/mp_desc.c osfmk/i386/hibernate_i386.c"
F11X="osfmk/i386/pmap_x86_common.c osfmk/x86_64/pmap.c osfmk/x86_64/pmap_pcid.c osfmk/i386/phys.c
 osfmk/i386/machine_routines.c osfmk/i386/i386_init.c osfmk/i386/i386_vm_init.c osfmk/x86_64/copyio.c
 osfmk/x86_64/boot_pt.c osfmk/i386/mp.c osfmk/i386/pmap_common.c osfmk/i386/trap.c osfmk/i386/acpi.c
 osfmk/i386/mtrr.c osfmk/i386/pal_routines.c osfmk/x86_64/loose_ends.c"
# The PPL pmap (osfmk/arm/pmap) and the SPTM pmap (osfmk/arm64/sptm/pmap): no public configuration builds either;
# the profile parses each with the options of its own conf/files line (CONFIG_SPTM for the SPTM one).
F11A="osfmk/arm/pmap/pmap.c osfmk/arm/pmap/pmap_data.c osfmk/arm64/arm_vm_init.c osfmk/arm64/machine_routines.c
 osfmk/arm64/hibernate_arm64.c osfmk/arm/caches.c osfmk/arm/machine_routines_common.c
 osfmk/arm64/sptm/pmap/pmap.c osfmk/arm64/sptm/pmap/pmap_data.c"

for set in 792:$T792:i386 11x:$T11:x86_64 11a:$T11:arm64; do
  IFS=: read -r name tree arch <<< "$set"
  case " ${ONLY:-792 11x 11a} " in *" $name "*) ;; *) continue;; esac
  case $name in 792) files=$F792;; 11x) files=$F11X;; 11a) files=$F11A;; esac
  echo "== $name ($tree, $arch)"
  "$PARASCOPE" compile-commands "$tree" --arch "$arch" -o "$WORK/cc-all-$name.json"
  python3 - "$tree" "$WORK/cc-all-$name.json" "$WORK/cc-$name.json" $files <<'PY'
import json, os, sys
tree, source, target, *files = sys.argv[1:]
wanted = {os.path.join(tree, f) for f in files}
entries = [e for e in json.load(open(source)) if os.path.join(e["directory"], e["file"]) in wanted]
missing = wanted - {os.path.join(e["directory"], e["file"]) for e in entries}
if missing:
    sys.exit(f"not units of the profile: {sorted(missing)}")
json.dump(entries, open(target, "w"), indent=1)
PY
  /usr/bin/time -f "parascope: %e s wall, %M KB" "$PARASCOPE" scan "$tree" --compile-commands "$WORK/cc-$name.json" \
    --arch "$arch" --jobs 1 --units --format json -o "$WORK/parascope-$name.json"
  python3 "$HERE/pagetables_oracle.py" "$WORK/cc-$name.json" "$tree" "$WORK/parascope-$name.json" --list
done
