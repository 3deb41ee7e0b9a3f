#!/bin/bash
# The page-table accuracy measurement of docs/accuracy-page-tables.md, end to end. Everything it writes goes
# to WORK (default /tmp/pagetables-accuracy); the XNU trees are only read.
#
# usage: bench/pagetables_accuracy.sh [XNU_DIR] [WORK]
set -e
XNU=${1:-/work/xnu}
WORK=${2:-/tmp/pagetables-accuracy}
HERE=$(cd "$(dirname "$0")" && pwd)
PARASCOPE=${PARASCOPE:-$HERE/../src/Parascope.Cli/bin/Debug/net10.0/parascope}
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
F11A="osfmk/arm/pmap/pmap.c osfmk/arm/pmap/pmap_data.c osfmk/arm64/arm_vm_init.c osfmk/arm64/machine_routines.c
 osfmk/arm64/hibernate_arm64.c osfmk/arm/caches.c osfmk/arm/machine_routines_common.c"
F11S="osfmk/arm64/sptm/pmap/pmap.c osfmk/arm64/sptm/pmap/pmap_data.c"

SCHED="-DCONFIG_SCHED_TIMESHARE_CORE=1 -DCONFIG_SCHED_CLUTCH=1 -DMAX_CPUS=64 -DMAX_CPU_CLUSTERS=8 -DDEBUG=0 -DXNU_TARGET_OS_OSX=1"
ARM="-DAPPLEAVALANCHE=1 -DMAX_L2_CLINE=7 -D__ARM_16K_PG__=1"
"$HERE/pagetables_flags.sh" "$T792" i386 "$WORK/stubs-792" "" $F792 > "$WORK/flags-792"
"$HERE/pagetables_flags.sh" "$T11" x86_64 "$WORK/stubs-11x" "$SCHED" $F11X > "$WORK/flags-11x"
"$HERE/pagetables_flags.sh" "$T11" arm64 "$WORK/stubs-11a" "$SCHED $ARM" $F11A > "$WORK/flags-11a"
"$HERE/pagetables_flags.sh" "$T11" arm64 "$WORK/stubs-11s" "$SCHED $ARM -DCONFIG_SPTM=1" $F11S > "$WORK/flags-11s"

python3 "$HERE/pagetables_ccdb.py" "$T792" "$WORK/flags-792" "$WORK/cc-792.json" $F792
python3 "$HERE/pagetables_ccdb.py" "$T11" "$WORK/flags-11x" "$WORK/cc-11x.json" $F11X
python3 "$HERE/pagetables_ccdb.py" "$T11" "$WORK/flags-11a" "$WORK/cc-11a.json" $F11A
python3 "$HERE/pagetables_ccdb.py" --append "$T11" "$WORK/flags-11s" "$WORK/cc-11a.json" $F11S

for set in 792:$T792 11x:$T11 11a:$T11; do
  name=${set%%:*}; tree=${set#*:}
  case " ${ONLY:-792 11x 11a} " in *" $name "*) ;; *) continue;; esac
  echo "== $name ($tree)"
  /usr/bin/time -f "parascope: %e s wall, %M KB" "$PARASCOPE" scan "$tree" --compile-commands "$WORK/cc-$name.json" \
    --jobs 1 --format json -o "$WORK/parascope-$name.json"
  python3 "$HERE/pagetables_oracle.py" "$WORK/cc-$name.json" "$tree" "$WORK/parascope-$name.json" --list
done
