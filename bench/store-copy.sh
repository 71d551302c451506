#!/usr/bin/env bash
# `receptor store copy` of one server's many connectors, SQLite to SQLite, timed with /usr/bin/time, for each
# binary given, in one run (an old build beside a new one). The stores are made once by the first binary
# (bench_many_connectors: MBX01's five default connectors and COUNT - 5 relays beside a template); each copy
# goes into a new file. Shapes: shared (every relay on 127.0.0.1:20000, one remote address each: they all meet
# on one binding, the harder case for the validation) and ports (a port each).
#
#   bench/store-copy.sh [-n "2005 10005"] [-s "shared ports"] BIN [BIN…]
#
# Say which build the binaries are (debug or release). Measure on a quiet machine (`uptime` load under 1,
# nothing building).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
COUNTS="2005 10005"; SHAPES="shared"
while getopts "n:s:" opt; do
  case $opt in
    n) COUNTS=$OPTARG ;;
    s) SHAPES=$OPTARG ;;
    *) echo "usage: bench/store-copy.sh [-n COUNTS] [-s SHAPES] BIN [BIN…]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: bench/store-copy.sh [-n COUNTS] [-s SHAPES] BIN [BIN…]" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/receptor-store-copy.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BIN=$1

echo "load at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %7s  %-30s %9s %9s %9s %8s\n' shape count binary "wall s" "user s" "sys s" "max MB"
for shape in $SHAPES; do
  for count in $COUNTS; do
    store=$WORK/$shape-$count.sqlite
    # The template and the defaults make six; COUNT counts them all.
    bench_many_connectors "$store" $((count - 5)) "$shape"
    for bin in "$@"; do
      target=$WORK/copy-$RANDOM$RANDOM.sqlite
      /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$bin" store copy --from "$store" --to "$target" >"$WORK/out"
      grep -q "^Copied 1 server, $count receive connectors" "$WORK/out" || { echo "unexpected: $(cat "$WORK/out")" >&2; exit 1; }
      read -r wall user sys kb <"$WORK/time"
      printf '%-8s %7s  %-30s %9s %9s %9s %8s\n' "$shape" "$count" "$bin" "$wall" "$user" "$sys" $((kb / 1024))
      rm -f "$target"
    done
  done
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
