#!/usr/bin/env bash
# Run the ISA listing over the instruction fixtures and samples/mini-xnu, scan the same folders with
# Parascope, and fail on any difference not recorded in bench/isa/explained-differences.tsv.
# Usage: bench/isa/check.sh [PARASCOPE]   (default: the Debug build of src/Parascope.Cli)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PYTHONDONTWRITEBYTECODE=1
parascope=${1:-src/Parascope.Cli/bin/Debug/net10.0/parascope}
if [ ! -x "$parascope" ]; then
  echo "isa-check: $parascope: not built (run dotnet build Analyzer.sln first)" >&2
  exit 2
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for dir in tests/Parascope.Tests/Fixtures/instructions-* samples/mini-xnu; do
  name=$(basename "$dir")
  arches=x86_64
  if [ -f "$dir/arches" ]; then arches=$(grep -v '^\s*$' "$dir/arches" | paste -sd, -); fi
  args=()
  IFS=, read -ra list <<<"$arches"
  for a in "${list[@]}"; do args+=(--arch "$a"); done
  "$parascope" scan "$dir" "${args[@]}" --profile generic --jobs 2 --quiet -o "$out/$name.json" || true
  if [ ! -s "$out/$name.json" ]; then echo "isa-check: $name: the scan wrote no report" >&2; status=1; continue; fi
  python3 bench/isa/isa_listing.py "$dir" -o "$out/$name.tsv"
  echo "== $name"
  if ! python3 bench/isa/compare_isa.py "$out/$name.tsv" "$out/$name.json" --prefix "$name/" \
      --explained bench/isa/explained-differences.tsv --check --quiet; then
    status=1
  fi
done
if [ "$status" -ne 0 ]; then echo "isa-check: FAILED (an unexplained difference, or a scan that failed)" >&2; fi
exit "$status"
