#!/bin/sh
# `ospo audit` with every dataset on 10,000 components: time and peak RSS.
# usage: bench/audit-10k.sh [OSPO_BINARY]   (default target/release/ospo)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/target/release/ospo}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/bench/audit_data.py" "$work"
for format in json openvex; do
  /usr/bin/time -v "$bin" audit --from "$work/scan.json" --db "$work/data" --vex "$work/vex.json" \
    --format "$format" -q -o "$work/out.$format" 2> "$work/time.$format" || true
  printf '%s: %s s, %s KiB peak RSS\n' "$format" \
    "$(grep 'Elapsed (wall clock)' "$work/time.$format" | awk '{print $NF}')" \
    "$(grep 'Maximum resident set size' "$work/time.$format" | awk '{print $NF}')"
done
