#!/usr/bin/env bash
# The release matrix of docs/ci/release-matrix.yml run locally, the matrix as processes: every TREE:ARCH is scanned
# in N shards (parallel processes), each release's shards merged into one JSON + SARIF, and all releases compared.
# With --check, each release is also scanned whole and the merged reports must be byte-identical to it.
#
#   bench/matrix/matrix.sh [--shards N] [--jobs J] [--out DIR] [--check] TREE:ARCH [TREE:ARCH ...]
#   bench/matrix/matrix.sh --check --shards 3 samples/mini-xnu:x86_64 samples/mini-xnu:arm64     # what CI runs
#
# PARASCOPE names the command to run (default: a Release build of this checkout, made once into DIR/bin).
# Prints the wall time of every job and of the whole run; exits non-zero on any failed step or difference.
set -euo pipefail
cd "$(dirname "$0")/../.."

shards=4 jobs=$(nproc) out="" check=0 pairs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --shards) shards=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --check) check=1; shift ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    -*) echo "matrix: unknown option $1" >&2; exit 2 ;;
    *) pairs+=("$1"); shift ;;
  esac
done
[ ${#pairs[@]} -gt 0 ] || { echo "matrix: give at least one TREE:ARCH" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d)
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -z "${PARASCOPE:-}" ]; then
  dotnet build src/Parascope.Cli -c Release -o "$out/bin" -v q -nologo >/dev/null
  PARASCOPE="dotnet $out/bin/parascope.dll"
fi
export PARASCOPE

now() { date +%s.%N; }
start=$(now)
timings="$out/timings.tsv"
: > "$timings"

# One job per line: name, then the command (the workflow's "Scan one shard" step; a whole scan under --check).
# Every release × arch gets a cache folder of its own, as every job of the workflow starts with an empty one: rows
# never share entries (their trees differ), and one row's entries cannot evict another's while the matrix runs.
# Shards go first, the largest trees first (fewest idle slots at the end); the whole scans of --check run after every
# shard, so each reads its row's units from the cache its shards filled and costs discovery, detection and the plan.
shardjobs="$out/jobs.txt" wholejobs="$out/jobs-whole.txt"
: > "$shardjobs"; : > "$wholejobs"
sized=()
for pair in "${pairs[@]}"; do
  tree=${pair%:*} arch=${pair##*:}
  [ -d "$tree" ] || { echo "matrix: $tree: no such folder" >&2; exit 2; }
  sized+=("$(find "$tree" -type f \( -name '*.c' -o -name '*.cpp' -o -name '*.s' \) | wc -l) $pair")
done
while read -r _ pair; do
  tree=${pair%:*} arch=${pair##*:}
  name="$(basename "$(cd "$tree" && pwd)")-$arch"
  mkdir -p "$out/$name"
  cache="$out/cache/$name"
  for k in $(seq 1 "$shards"); do
    echo "$name/shard-$k scan $tree --arch $arch --jobs 1 --quiet --cache $cache --shard $k/$shards -o $out/$name/shard-$k.json" >> "$shardjobs"
  done
  if [ "$check" = 1 ]; then
    echo "$name/whole scan $tree --arch $arch --jobs 1 --quiet --cache $cache -o $out/$name/whole.json -o $out/$name/whole.sarif" >> "$wholejobs"
  fi
done < <(printf '%s\n' "${sized[@]}" | sort -s -k1,1nr)

run_job() {
  local name=$1; shift
  local t0; t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  if ! $PARASCOPE "$@" > "$OUT/${name//\//_}.log" 2>&1; then
    echo "matrix: $name failed:" >&2; cat "$OUT/${name//\//_}.log" >&2
    echo "$name" >> "$OUT/failed.txt"; return 1
  fi
  printf '%s\t%.1f\n' "$name" "$(awk -v a="$(date +%s.%N)" -v b="$t0" "BEGIN{print a-b}")" >> "$OUT/timings.tsv"
}
export -f run_job
export OUT="$out"
: > "$out/failed.txt"
# A failed job is named (above) and its row left out of the merge; the other rows still finish.
xargs -P "$jobs" -L 1 bash -c 'run_job "$@"' _ < "$shardjobs" || true
xargs -P "$jobs" -L 1 bash -c 'run_job "$@"' _ < "$wholejobs" || true

# The workflow's merge job, per release and arch; then its compare job.
status=0
merged=()
for pair in "${pairs[@]}"; do
  tree=${pair%:*} arch=${pair##*:}
  name="$(basename "$(cd "$tree" && pwd)")-$arch"
  if grep -q "^$name/" "$out/failed.txt"; then
    echo "matrix: $name: not merged (a job of it failed)" >&2; status=1; continue
  fi
  t0=$(now)
  if ! $PARASCOPE merge "$out/$name"/shard-*.json -o "$out/$name.json" -o "$out/$name.sarif"; then
    echo "matrix: $name: merge failed" >&2; status=1; continue
  fi
  printf '%s\t%.1f\n' "$name/merge" "$(awk -v a="$(now)" -v b="$t0" "BEGIN{print a-b}")" >> "$timings"
  merged+=("$out/$name.json")
  if [ "$check" = 1 ]; then
    for ext in json sarif; do
      if cmp -s "$out/$name.$ext" "$out/$name/whole.$ext"; then
        echo "matrix: $name: merged $ext = whole $ext (byte for byte, $shards shards)"
      else
        echo "matrix: $name: merged $ext differs from the whole scan's" >&2; status=1
      fi
    done
  fi
done
if [ ${#merged[@]} -ge 2 ]; then
  $PARASCOPE compare "${merged[@]}" -o "$out/releases.json"
  $PARASCOPE compare "${merged[@]}" -o "$out/releases.html"
fi

sort "$timings" | awk -F'\t' '{printf "  %-50s %8.1f s\n", $1, $2}'
printf '  %-50s %8.1f s\n' "whole matrix (wall)" "$(awk -v a="$(now)" -v b="$start" "BEGIN{print a-b}")"
echo "matrix: reports in $out"
exit "$status"
