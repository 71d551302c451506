#!/usr/bin/env bash
# How much of the distance to smtp-sink is durability? Runs, in one interleaved series, the listener as it
# ships (every 250 after a sync), the same listener with every sync turned into a no-op by eatmydata
# (LD_PRELOAD: fsync, fdatasync, sync, syncfs return at once), and smtp-sink (in memory).
#
#   bench/ceiling.sh                        # 50 sessions, 1 KB, both modes, three repeats
#   SESSIONS="1 50" MODES=conn bench/ceiling.sh
#
# The no-sync listener is a measurement, never a way to run Receptor: a crash or power loss loses what it
# acknowledged. Never run this while something builds. Stops everything it starts by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED_BENCH:-$(cd .. && pwd)/shared/bench}
SESSIONS=${SESSIONS:-50}; SIZES=${SIZES:-1024}; MODES=${MODES:-conn reuse}; REPS=${REPS:-3}
if ! command -v eatmydata >/dev/null && [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq eatmydata >/dev/null
fi
command -v eatmydata >/dev/null || { echo "ceiling: eatmydata is missing (apt-get install eatmydata)" >&2; exit 1; }
bench_need_smtp_source ceiling

. bench/common.sh
bench_binary
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-ceiling.XXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

# Two data folders (each listener has its own store, Maildirs and control socket) and two port ranges.
mkdir -p "$WORK/durable" "$WORK/nosync"
bench_store "$WORK/durable/receptor.sqlite" 30000 "-ProtocolLoggingLevel None"
bench_store "$WORK/nosync/receptor.sqlite" 40000 "-ProtocolLoggingLevel None"
"$BIN" listen --store "$WORK/durable/receptor.sqlite" --log-level warning 2>"$WORK/durable.log" &
DURABLE=$!; PIDS+=("$DURABLE")
eatmydata "$BIN" listen --store "$WORK/nosync/receptor.sqlite" --log-level warning 2>"$WORK/nosync.log" &
NOSYNC=$!; PIDS+=("$NOSYNC")
wait_port 30025; wait_port 40025

"$SHARED/smtp-throughput.sh" -r "$REPS" -m 10000 -M 1000 --sink -s "$SESSIONS" -l "$SIZES" -d "$MODES" \
  "127.0.0.1:30025=receptor@$DURABLE" "127.0.0.1:40025=receptor-nosync@$NOSYNC"
