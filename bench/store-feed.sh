#!/usr/bin/env bash
# Commit -> applied on PostgreSQL beside SQLite (issue 14 item 3; target: median under 50 ms on both).
#
#   bench/store-feed.sh [--no-build] [N]     N changes per backend (default 100)
#
# For each backend: `receptor init`, `receptor listen` (release build), then N times: a new receive connector
# on a fresh port from `receptor shell -c` (the shell exits after its commit), timed from the shell's exit
# until the new binding accepts a connection, then removed. Prints median, p95 and worst per backend.
# PostgreSQL runs on a private throw-away cluster (scripts/test-postgres; stopped on exit whatever happens):
# the listener follows it with LISTEN/NOTIFY, SQLite with inotify. Never run it while something builds.
# Stops everything it starts by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
BUILD=""; N=100
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=--no-build ;;
    [0-9]*) N=$arg ;;
    *) echo "usage: bench/store-feed.sh [--no-build] [N]" >&2; exit 2 ;;
  esac
done
bench_binary $BUILD

WORK=$(mktemp -d "${TMPDIR:-/tmp}/receptor-bench-feed.XXXXXX")
chmod 0755 "$WORK"   # the cluster runs as the postgres user, which must reach $WORK/pg
PG_DIR="$WORK/pg"
LPID=""
cleanup() {
  if [ -n "$LPID" ]; then kill -TERM "$LPID" 2>/dev/null || true; wait "$LPID" 2>/dev/null || true; fi
  scripts/test-postgres stop "$PG_DIR" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PG_ADMIN=$(scripts/test-postgres start "$PG_DIR")
psql "$PG_ADMIN" -qc "CREATE DATABASE receptor_bench"
PG_URI=${PG_ADMIN/\/postgres\?/\/receptor_bench?}

# measure NAME STORE OFFSET
measure() {
  local name=$1 store=$2 offset=$3
  XDG_DATA_HOME="$WORK/xdg-$name" "$BIN" init --store "$store" --server BENCH --port-offset "$offset" >/dev/null
  XDG_DATA_HOME="$WORK/xdg-$name" "$BIN" listen --store "$store" --log-level warning 2>>"$WORK/listen-$name.log" &
  LPID=$!
  wait_port $((25 + offset))
  XDG_DATA_HOME="$WORK/xdg-$name" python3 bench/reload-latency.py "$BIN" "$store" "$N" $((offset + 1000)) "$name commit -> applied"
  kill -TERM "$LPID"; wait "$LPID" 2>/dev/null || true; LPID=""
}

echo "== Commit -> applied, $N changes per backend (release build)"
measure sqlite "$WORK/sqlite/receptor.sqlite" 36000
measure postgresql "$PG_URI" 38000
