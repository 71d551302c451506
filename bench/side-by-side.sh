#!/usr/bin/env bash
# Two builds of Receptor side by side in one run (what a change that touches the hot path must show against
# the previous commit), plus the new build with connector usage recording off (its cost):
#
#   bench/side-by-side.sh BASE_BINARY [NEW_BINARY]      NEW_BINARY: this tree's release build
#   SESSIONS="50" SIZES="1024 102400" MODES="conn reuse" REPS=3 bench/side-by-side.sh …
#   ORDER=new-first bench/side-by-side.sh …                  # the new build runs first in each repeat
#
# Each listener gets a store of its own (bench_store: Default Frontend without throttling, the mailbox the
# load sends to) and its own port; smtp-throughput.sh interleaves the targets so they share the machine's
# noise, beside smtp-sink. Never run it while something builds. Stops everything it starts by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED_BENCH:-$(cd .. && pwd)/shared/bench}
BASE=${1:?usage: bench/side-by-side.sh BASE_BINARY [NEW_BINARY]}
. bench/common.sh
if [ -n "${2:-}" ]; then BIN=$2; else bench_binary --no-build; fi
NEW=$BIN
bench_need_smtp_source bench/side-by-side.sh

WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-side.XXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

start() {   # LABEL BINARY OFFSET [listen options]
  local label=$1 bin=$2 offset=$3; shift 3
  BIN=$bin bench_store "$WORK/$label/receptor.sqlite" "$offset" "-ProtocolLoggingLevel None"
  ulimit -n "$(ulimit -Hn)"
  "$bin" listen --store "$WORK/$label/receptor.sqlite" --log-level warning "$@" 2>"$WORK/$label.log" &
  PIDS+=("$!")
  wait_port $((offset + 25))
  TARGETS+=("127.0.0.1:$((offset + 25))=$label@$!")
}
TARGETS=()
# Each repeat runs the targets in this order, and a target may pay for the file-system work of the one before
# it (ext4's inode allocation slows after many files; BENCHMARKS.md): ORDER=new-first runs the new build first.
if [ "${ORDER:-base-first}" = new-first ]; then
  start new "$NEW" 30000
  start new-no-usage "$NEW" 31000 --usage-days 0
  start base "$BASE" 29000
else
  start base "$BASE" 29000
  start new "$NEW" 30000
  start new-no-usage "$NEW" 31000 --usage-days 0
fi
"$SHARED/smtp-throughput.sh" -r "${REPS:-3}" --sink -s "${SESSIONS:-50}" -l "${SIZES:-1024 102400}" -d "${MODES:-conn reuse}" "${TARGETS[@]}"
