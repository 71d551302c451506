#!/usr/bin/env bash
# Console responsiveness with 10,000 connectors in the store (issue 4; on PostgreSQL, issue 14): the time
# from a keystroke to the updated screen, median and p95 over 2,000 keys, on SQLite and on PostgreSQL side by
# side (target under 10 ms on both: the console never queries the database per keystroke). The connectors are
# written straight into a scratch SQLite store (10,000 Custom connectors on 127.0.0.1, one port each), copied
# into a PostgreSQL database with `receptor store copy`, then consolebench (the console on the in-memory
# screen, a benchmark executable beside the product) measures each: the model, layout and drawing alone, then
# one turn of the console's run loop per key (what it reads from the store meanwhile is counted).
#
#   bench/console-keys.sh [--no-build] [count] [postgresql://ADMIN-URI]
#
# Without a URI a private throw-away cluster is started (scripts/test-postgres, under /tmp; stopped on exit
# whatever happens); with one, a scratch database is created on that server and dropped afterwards. Release
# build; measure on a quiet machine (nothing building).
# A second part opens the Explain view (issue 15) on a second SQLite store whose 10,000 connectors all share one
# binding, each for one remote address (10.x.y.1), so the answer lists every one of them as a candidate; a
# third part times the delete and disable confirmations with their impact preview (d, Space) on that store.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
COUNT=10000; BUILD=1; PG_ADMIN=""
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    [0-9]*) COUNT=$arg ;;
    postgres://*|postgresql://*) PG_ADMIN=$arg ;;
    *) echo "usage: bench/console-keys.sh [--no-build] [count] [postgresql://ADMIN-URI]" >&2; exit 2 ;;
  esac
done
if [ "$BUILD" -eq 1 ]; then
  swift build -c release --static-swift-stdlib --product receptor >&2
  swift build -c release --static-swift-stdlib --product consolebench >&2
fi
BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/receptor"
BENCH="$(swift build -c release --static-swift-stdlib --show-bin-path)/consolebench"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/receptor-console-bench.XXXXXX")
chmod 0755 "$WORK"   # a private cluster runs as the postgres user, which must reach $WORK/pg
PG_DIR=""; DB=receptor_console_bench_$$
cleanup() {
  if [ -n "$PG_ADMIN" ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; fi
  if [ -n "$PG_DIR" ]; then scripts/test-postgres stop "$PG_DIR" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "$PG_ADMIN" ]; then
  PG_DIR="$WORK/pg"
  PG_ADMIN=$(scripts/test-postgres start "$PG_DIR")
fi

STORE=$WORK/receptor.sqlite
bench_many_connectors "$STORE" "$COUNT" ports

psql "$PG_ADMIN" -qc "CREATE DATABASE $DB" >/dev/null
PG_URI=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p._replace(path="/" + sys.argv[2]).geturl())' "$PG_ADMIN" "$DB")
copy_start=$(date +%s.%N)
"$BIN" store copy --from "$STORE" --to "$PG_URI" >/dev/null
echo "receptor store copy of $COUNT connectors into PostgreSQL: $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$copy_start" "$(date +%s.%N)")"

echo "== SQLite ($STORE)"
"$BENCH" --store "$STORE" --keystrokes 2000 | tee "$WORK/sqlite.txt"
echo "== PostgreSQL"
"$BENCH" --store "$PG_URI" --keystrokes 2000 | tee "$WORK/postgresql.txt"

echo "== Side by side ($COUNT connectors, 2,000 keys each; milliseconds)"
python3 - "$WORK/sqlite.txt" "$WORK/postgresql.txt" <<'PY'
import re, sys
def figures(path):
    out = {}
    for line in open(path):
        m = re.search(r"median ([\d.]+) ms, p95 ([\d.]+) ms, worst ([\d.]+) ms", line)
        if m and line.startswith("console keystroke"):
            out["keystroke (model, layout, drawing)"] = m.groups()
        elif m and line.startswith("console run loop"):
            out["run-loop turn per key (poll included)"] = m.groups()
        m = re.search(r"first frame.*: ([\d.]+) ms", line)
        if m:
            out["first frame"] = (m.group(1), "", "")
        m = re.search(r"store reads during those \d+ keys \(([\d.]+) s\): (\d+) generation, (\d+) snapshot, (\d+) listener", line)
        if m:
            out["store reads during the keys"] = (f"{m.group(2)} gen", f"{m.group(3)} snap", f"{m.group(4)} lsnr in {m.group(1)} s")
    return out
a, b = figures(sys.argv[1]), figures(sys.argv[2])
print(f"{'':40} {'SQLite median / p95 / worst':>32}   {'PostgreSQL median / p95 / worst':>36}")
for key in a:
    fa, fb = a[key], b.get(key, ("?", "?", "?"))
    print(f"{key:40} {' / '.join(x for x in fa if x):>32}   {' / '.join(x for x in fb if x):>36}")
PY

echo "== SQLite, the Explain view open over $COUNT candidates"
bench_many_connectors "$WORK/explain.sqlite" "$COUNT" shared
"$BENCH" --store "$WORK/explain.sqlite" --keystrokes 2000 --explain 10.3.7.1 127.0.0.1:20000

echo "== SQLite, the delete and disable confirmations' impact preview over the same $COUNT connectors"
"$BENCH" --store "$WORK/explain.sqlite" --keystrokes 200 --impact
