#!/usr/bin/env bash
# The SMTP engine's cost per message without sockets or files (framer, parser, session, reply encoding):
# the quick, low-noise loop for engine work. The best of RUNS runs of each shape, in microseconds.
#
#   bench/engine.sh              # builds enginebench in release mode first
#   RUNS=11 N=200000 bench/engine.sh --no-build
#
# reuse: one connection, MAIL / RCPT / DATA / 1 KB per message (smtp-source -d); conn: a connection per
# message (banner, EHLO, one transaction, QUIT). A figure is CPU on one core, not throughput: compare it
# before and after a change in the same minute (the machine is shared; the best run is the least disturbed).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != --no-build ]; then swift build -c release --static-swift-stdlib --product enginebench >&2; fi
BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/enginebench"
[ -x "$BIN" ] || { echo "engine: no release build; run: swift build -c release --static-swift-stdlib --product enginebench" >&2; exit 1; }
N=${N:-100000}
for mode in reuse conn; do
  n=$N; [ "$mode" = conn ] && n=$((N / 4))
  for _ in $(seq "${RUNS:-7}"); do "$BIN" "$n" "$mode"; done | sort -t' ' -k2 -n | head -1
done
