#!/usr/bin/env bash
# Measure the result cache (docs/cache.md) on a tree, against ripgrep reading every byte:
#   cold scan (no cache), first scan filling the local cache, warm rescan (local cache),
#   warm rescan from PostgreSQL with an empty local cache, the cache's size on disk, and a
#   rescan after touching 1% of the files (on a copy of the tree, made in /tmp and removed).
#
#   bench/cache.sh [TREE]        TREE defaults to bench/corpus (run bench/setup.sh first)
#
# Environment: OSPO=path (default target/release/ospo, built unless NO_BUILD=1),
#   NO_COPY=1 skips the 1% test (it needs the tree's size free in /tmp),
#   NO_PG=1 skips PostgreSQL (needs /usr/lib/postgresql/*/bin).
# Every scan is `scan --no-ignore --no-caches --format json` (rg -uu reads ignored files
# too); the outputs of the warm scans are compared with the cold one, byte for byte.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
TREE="$(cd "${1:-$BENCH/corpus}" && pwd)"
WORK="$(mktemp -d /tmp/ospo-cache-bench.XXXXXX)"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
AS_PG=()
[[ "$(id -u)" == 0 ]] && AS_PG=(runuser -u postgres --)
cleanup() {
    if [[ -f "$WORK/pg/db/postmaster.pid" ]]; then
        "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg/db" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
export SOURCE_DATE_EPOCH=1700000000

OSPO="${OSPO:-$ROOT/target/release/ospo}"
if [[ "${NO_BUILD:-0}" != 1 && "$OSPO" == "$ROOT/target/release/ospo" ]]; then
    (cd "$ROOT" && cargo build --release --quiet)
fi
command -v rg >/dev/null || { echo "rg not found (bench/setup.sh installs it)" >&2; exit 2; }

# timed NAME CMD...: one run; prints and remembers its wall time in seconds.
declare -A T
timed() {
    local name="$1"; shift
    local t0 t1
    t0=$(date +%s%N)
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || { echo "$name failed:" >&2; tail -5 "$WORK/$name.err" >&2; exit 1; }
    t1=$(date +%s%N)
    T[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    printf '%-34s %8ss\n' "$name" "${T[$name]}"
}
scan() { # scan TREE OUT extra-args...
    local tree="$1" out="$2"; shift 2
    "$OSPO" scan "$tree" --no-ignore --no-caches --format json -v -o "$out" "$@"
}
rgscan() { rg -uu -c zzzqqq "$1" || [[ $? == 1 ]]; } # 1: no match, as expected
same() { cmp -s "$1" "$2" && echo "   output identical to cold" || { echo "   OUTPUT DIFFERS from cold" >&2; exit 1; }; }
note() { grep -h 'cache:' "$WORK/$1.err" | sed 's/^/   /' || true; }

files=$(find "$TREE" -type f | wc -l)
bytes=$(du -sb "$TREE" | cut -f1)
echo "tree: $TREE ($files files, $((bytes >> 20)) MiB)"
rg -uu -c zzzqqq "$TREE" >/dev/null || true # page cache
timed "rg -uu -c zzzqqq" rgscan "$TREE"
timed "cold (--no-cache)" scan "$TREE" "$WORK/cold.json" --no-cache
timed "first scan, filling the cache" scan "$TREE" "$WORK/fill.json" --cache-dir "$WORK/local"
same "$WORK/cold.json" "$WORK/fill.json"
timed "warm rescan (local cache)" scan "$TREE" "$WORK/warm.json" --cache-dir "$WORK/local"
same "$WORK/cold.json" "$WORK/warm.json"; note "warm rescan (local cache)"
timed "warm rescan --verify" scan "$TREE" "$WORK/verify.json" --cache-dir "$WORK/local" --verify
same "$WORK/cold.json" "$WORK/verify.json"
echo "local cache on disk: $(du -sb "$WORK/local" | cut -f1) bytes ($("$OSPO" cache stats --cache-dir "$WORK/local" | grep files))"

if [[ "${NO_PG:-0}" != 1 && -n "$PGBIN" ]]; then
    mkdir -p "$WORK/pg"; chmod 755 "$WORK"
    [[ "$(id -u)" == 0 ]] && chown postgres "$WORK/pg"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${AS_PG[@]}" "$PGBIN/initdb" -A trust -U ospo --no-sync -D "$WORK/pg/db" >/dev/null
    "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg/db" -l "$WORK/pg/log" -w \
        -o "-p $port -k $WORK/pg -c listen_addresses=127.0.0.1" start >/dev/null
    url="postgres://ospo@127.0.0.1:$port/postgres"
    timed "first scan, filling PostgreSQL" scan "$TREE" "$WORK/pgfill.json" --no-cache --cache-url "$url"
    same "$WORK/cold.json" "$WORK/pgfill.json"
    timed "warm from PostgreSQL, empty local" scan "$TREE" "$WORK/pgwarm.json" --cache-dir "$WORK/empty" --cache-url "$url"
    same "$WORK/cold.json" "$WORK/pgwarm.json"; note "warm from PostgreSQL, empty local"
    echo "PostgreSQL table: $("${AS_PG[@]}" "$PGBIN/../bin/psql" -h "$WORK/pg" -p "$port" -U ospo -d postgres -Atc \
        "SELECT count(*) || ' rows, ' || pg_total_relation_size('ospo_outcome') || ' bytes' FROM ospo_outcome" 2>/dev/null || echo '?')"
fi

if [[ "${NO_COPY:-0}" != 1 ]]; then
    cp -a "$TREE" "$WORK/copy"
    timed "copy: first scan, filling the cache" scan "$WORK/copy" "$WORK/copy1.json" --cache-dir "$WORK/local2"
    find "$WORK/copy" -type f | awk 'NR % 100 == 0' | xargs -d '\n' touch
    echo "touched $(find "$WORK/copy" -type f | awk 'NR % 100 == 0' | wc -l) files"
    timed "copy: rescan after touching 1%" scan "$WORK/copy" "$WORK/copy2.json" --cache-dir "$WORK/local2"
    same "$WORK/copy1.json" "$WORK/copy2.json"; note "copy: rescan after touching 1%"
    echo "local cache on disk after: $(du -sb "$WORK/local2" | cut -f1) bytes"
    rm -rf "$WORK/copy"
fi

awk -v w="${T[warm rescan (local cache)]}" -v r="${T[rg -uu -c zzzqqq]}" \
    'BEGIN { printf "warm rescan / rg: %.2f (goal: at most 0.5)\n", w / r }'
