#!/usr/bin/env bash
# Measure `ospo scan` throughput on a tree and compare it with ripgrep on the same tree.
#
#   bench/run.sh [TREE]          TREE defaults to bench/corpus (run bench/setup.sh first)
#
# Environment:
#   RUNS=3          timed runs per command; the median is reported
#   NO_BUILD=1      skip `cargo build --release` (use the existing target/release/ospo)
#   OSPO=path       binary to measure (default: target/release/ospo; implies NO_BUILD=1)
#   JOBS=N          pass `-j N` to ospo (default: ospo's own default)
#   OSPO_ARGS=...   arguments for `ospo scan` [default: --no-ignore --no-cache] (crates may
#                   ship .gitignore files; compare files_scanned with the find count)
#
# Warm cache: one untimed read of the whole tree comes first, so both tools are
# measured against the page cache, not the disk.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
TREE="${1:-$BENCH/corpus}"
RUNS="${RUNS:-3}"
OUT=/tmp/ospo-bench.json
WORK="$(mktemp -d /tmp/ospo-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

[[ -d "$TREE" ]] || { echo "no such tree: $TREE (run bench/setup.sh first)" >&2; exit 2; }
command -v rg >/dev/null || { echo "rg not found (bench/setup.sh installs it)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "GNU time not found at /usr/bin/time (bench/setup.sh installs it)" >&2; exit 2; }

if [[ -n "${OSPO:-}" ]]; then
    NO_BUILD=1
else
    OSPO="$ROOT/target/release/ospo"
fi
if [[ "${NO_BUILD:-0}" != 1 ]]; then
    echo "== cargo build --release" >&2
    (cd "$ROOT" && cargo build --release --quiet)
fi
[[ -x "$OSPO" ]] || { echo "ospo binary not found: $OSPO" >&2; exit 2; }
JOBS_ARG=()
[[ -n "${JOBS:-}" ]] && JOBS_ARG=(-j "$JOBS")
# rg -uu reads ignored and hidden files; so does ospo with --no-ignore (it always reads hidden ones).
# --no-cache: this measures a cold scan (bench/cache.sh measures the result cache).
read -r -a EXTRA_ARGS <<< "${OSPO_ARGS---no-ignore --no-cache}"

# timed NAME CMD...: run CMD $RUNS times under GNU time; appends "wall_s rss_kb exit" lines
# to $WORK/NAME.times (wall from date +%s%N, peak RSS from GNU time). Output of CMD goes to $WORK/NAME.out/.err (last run).
timed() {
    local name="$1"; shift
    : > "$WORK/$name.times"
    for ((i = 1; i <= RUNS; i++)); do
        local t0 t1 rss code wall
        t0=$(date +%s%N)
        /usr/bin/time -f '%M %x' -o "$WORK/$name.t" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || true
        t1=$(date +%s%N)
        # GNU time's %e has 10 ms resolution: wall time comes from date(1) around it.
        # GNU time writes "Command exited with non-zero status N" before the format line.
        read -r rss code < <(tail -n 1 "$WORK/$name.t")
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
        echo "$wall $rss $code" >> "$WORK/$name.times"
        printf '   %s run %d: wall %ss, peak RSS %s KB, exit %s\n' "$name" "$i" "$wall" "$rss" "$code" >&2
    done
}

echo "== tree: $TREE" >&2
echo "== warm-up (untimed): rg -uu -c SPDX-License-Identifier" >&2
rg -uu -c SPDX-License-Identifier "$TREE" >/dev/null 2>&1 || true

FILES_FIND=$(find "$TREE" -type f | wc -l)
BYTES_DU=$(du -sb "$TREE" | cut -f1)

echo "== ospo scan x$RUNS" >&2
rm -f "$OUT"
timed ospo "$OSPO" scan "$TREE" --format json -o "$OUT" "${JOBS_ARG[@]}" "${EXTRA_ARGS[@]}"
echo "== rg -uu -c SPDX-License-Identifier x$RUNS" >&2
timed rg rg -uu -c SPDX-License-Identifier "$TREE"

DETECT_LINE=""
MIT="$WORK/LICENSE-MIT"
cat > "$MIT" <<'EOF'
MIT License

Copyright (c) 2026 Example Author

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
echo "== ospo detect (one MIT file) x$RUNS" >&2
timed detect "$OSPO" detect "$MIT"

python3 - "$WORK" "$OUT" "$TREE" "$FILES_FIND" "$BYTES_DU" "$RUNS" <<'PY'
import json, statistics, sys
work, out, tree, files_find, bytes_du, runs = sys.argv[1:]
files_find, bytes_du = int(files_find), int(bytes_du)

def load(name):
    rows = []
    for line in open(f"{work}/{name}.times"):
        parts = line.split()
        if len(parts) == 3:
            rows.append((float(parts[0]), int(parts[1]), int(parts[2])))
    return rows

def med(xs):
    return statistics.median(xs) if xs else float("nan")

ospo, rg, det = load("ospo"), load("rg"), load("detect")
ospo_ok = bool(ospo) and all(r[2] == 0 for r in ospo)
summary = {}
try:
    summary = json.load(open(out)).get("summary", {})
except Exception as e:  # missing or invalid output
    ospo_ok = False
    print(f"warning: could not read {out}: {e}", file=sys.stderr)
if not ospo_ok:
    summary = {}
    lines = open(f"{work}/ospo.err", errors="replace").read().strip().splitlines()
    i = next((k for k, l in enumerate(lines) if "panicked at" in l), None)
    err = lines[i:i + 2] if i is not None else lines[-5:]  # first panic, else the tail
    print("warning: ospo scan failed (exit codes %s); last stderr lines:" % [r[2] for r in ospo],
          *("   " + l for l in err), sep="\n", file=sys.stderr)

files = summary.get("files_scanned") or files_find
nbytes = summary.get("bytes_scanned") or bytes_du
mb = nbytes / 1048576
ow, orss = med([r[0] for r in ospo]), med([r[1] for r in ospo]) / 1024
rw = med([r[0] for r in rg])
def rate(x, t):
    return x / t if t > 0 else float("inf")

print()
print(f"tree: {tree}")
print(f"find: {files_find} files, {bytes_du / 1048576:.1f} MB (du -sb)"
      + (f";  ospo summary: files_scanned={summary.get('files_scanned')} "
         f"bytes_scanned={summary.get('bytes_scanned')} "
         f"files_with_licenses={summary.get('files_with_licenses')} "
         f"binary_files={summary.get('binary_files')} skipped_files={summary.get('skipped_files')}"
         if summary else ""))
print(f"median of {runs} warm-cache runs; rg = `rg -uu -c SPDX-License-Identifier TREE`")
print("(-uu: no ignore files, hidden files included: closest to the files ospo reads;")
print(" rg still stops reading a file at its first NUL byte, ospo may not)")
print()
hdr = f"{'files':>8} {'MB':>8} {'ospo s':>8} {'files/s':>9} {'MB/s':>7} {'RSS MB':>7} {'rg s':>7} {'ospo/rg':>8}"
print(hdr)
print("-" * len(hdr))
if ospo_ok:
    print(f"{files:>8} {mb:>8.1f} {ow:>8.2f} {rate(files, ow):>9.0f} {rate(mb, ow):>7.1f} "
          f"{orss:>7.1f} {rw:>7.2f} {rate(ow, rw):>8.1f}")
else:
    print(f"{files:>8} {mb:>8.1f} {'-':>8} {'-':>9} {'-':>7} {'-':>7} {rw:>7.2f} {'-':>8}"
          "   (ospo scan FAILED)")
if det:
    ok = all(r[2] == 0 for r in det)
    print(f"\nospo detect on one MIT file (upper bound of store loading): "
          f"{med([r[0] for r in det]):.3f} s, peak RSS {med([r[1] for r in det]) / 1024:.1f} MB"
          + ("" if ok else "  (exit status non-zero)"))
PY
