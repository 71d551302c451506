#!/usr/bin/env bash
# Two builds of Receptor side by side in one run (what a change that touches the hot path must show against
# the previous commit), plus the new build with connector usage recording off (its cost):
#
#   bench/side-by-side.sh BASE_BINARY [NEW_BINARY]      NEW_BINARY: this tree's release build
#   SESSIONS="50" SIZES="1024 102400" MODES="conn reuse" REPS=6 bench/side-by-side.sh …
#   THROUGHPUT_ARGS="-m 2000 -M 500 --idle-wait 1" bench/side-by-side.sh …   # a short smoke run
#   ORDER=base-first|new-first bench/side-by-side.sh …       # one order for all repeats (default: rotate)
#   BENCH_FS=shared bench/side-by-side.sh …                  # all targets on one file system (not root: always)
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
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  bench_unmount_fresh_fs
  rm -rf "$WORK"
}
trap cleanup EXIT

# Each target gets a file system of its own, freshly made (bench_fresh_fs in bench/common.sh): sharing one
# couples the targets, and the order decided the 100 KB results by more than the 3% a change is judged by.
target_dir() { mkdir -p "$WORK/$1"; bench_fresh_fs "$WORK/$1"; }

start() {   # LABEL BINARY OFFSET [listen options]
  local label=$1 bin=$2 offset=$3; shift 3
  target_dir "$label"
  BIN=$bin bench_store "$WORK/$label/receptor.sqlite" "$offset" "-ProtocolLoggingLevel None"
  ulimit -n "$(ulimit -Hn)"
  "$bin" listen --store "$WORK/$label/receptor.sqlite" --log-level warning "$@" 2>"$WORK/$label.log" &
  PIDS+=("$!")
  wait_port $((offset + 25))
  TARGETS+=("127.0.0.1:$((offset + 25))=$label@$!")
}
TARGETS=()
start base "$BASE" 29000
start new "$NEW" 30000
start new-no-usage "$NEW" 31000 --usage-days 0
echo "side-by-side: targets' file systems: $BENCH_FS; order: ${ORDER:=rotate}" >&2

# Order. Within a repeat the targets run one after the other, and a target may pay for the work the one
# before it left behind (dirty pages being written back, ext4's inode allocation near recently freed inodes:
# BENCHMARKS.md). ORDER=rotate (the default) runs each repeat as its own smtp-throughput.sh pass with the
# targets rotated, so every build runs in every position equally often (REPS a multiple of 3 for that);
# base-first and new-first keep one order for all repeats, as earlier runs did.
REPS=${REPS:-6}
read -r -a EXTRA <<<"${THROUGHPUT_ARGS:-}"   # more smtp-throughput.sh options, e.g. "-m 2000 -M 500"
COMMON=(--sink -s "${SESSIONS:-50}" -l "${SIZES:-1024 102400}" -d "${MODES:-conn reuse}" "${EXTRA[@]}")
if [ "$ORDER" = rotate ]; then
  for rep in $(seq 0 $((REPS - 1))); do
    n=${#TARGETS[@]} rotated=()
    for i in $(seq 0 $((n - 1))); do rotated+=("${TARGETS[$(((i + rep) % n))]}"); done
    echo "side-by-side: repeat $((rep + 1)) of $REPS: ${rotated[*]%%@*}" >&2
    "$SHARED/smtp-throughput.sh" -r 1 "${COMMON[@]}" --csv "$WORK/rep$rep.csv" "${rotated[@]}" >/dev/null
  done
  # Medians over the repeats per build, and the paired figure: in each repeat, the new build's rate divided
  # by the base's (both ran in the same minute), then the median of those ratios.
  python3 - "$WORK"/rep*.csv <<'PY'
import csv, statistics as st, sys
runs = {}
for path in sys.argv[1:]:
    for r in csv.DictReader(open(path)):
        # A run smtp-throughput.sh marked dirty (other processes used the CPU meanwhile, after its retries) is
        # left out; the n column says how many runs are left.
        if r["rc"] != "0" or r["dirty"] != "0": continue
        case = (r["sessions"], r["size"], r["mode"])
        runs.setdefault(case, {}).setdefault(r["label"], {})[path] = float(r["msgs_per_s"])
print("%-14s %4s %7s %-5s %4s %8s %13s %9s" % ("label", "sess", "size", "mode", "n", "msg/s", "min-max", "÷ base"))
for case, by_label in runs.items():
    base = by_label.get("base", {})
    for label in ["smtp-sink", "base", "new", "new-no-usage"]:
        rates = by_label.get(label, {})
        if not rates: continue
        paired = [rates[p] / base[p] for p in rates if p in base and label != "smtp-sink"]
        ratio = "%+.1f%%" % ((st.median(paired) - 1) * 100) if paired and label != "base" else ""
        v = list(rates.values())
        print("%-14s %4s %7s %-5s %4d %8.0f %13s %9s" % (label, *case, len(v), st.median(v), "%.0f-%.0f" % (min(v), max(v)), ratio))
print("new ÷ new-no-usage, paired, median over the repeats (negative: what recording connector usage costs):")
for case, by_label in runs.items():
    on, off = by_label.get("new", {}), by_label.get("new-no-usage", {})
    paired = [on[p] / off[p] for p in on if p in off]
    if paired: print("  %s sessions, %s bytes, %s: %+.1f%%" % (*case, (st.median(paired) - 1) * 100))
PY
else
  [ "$ORDER" = new-first ] && TARGETS=("${TARGETS[1]}" "${TARGETS[2]}" "${TARGETS[0]}")
  "$SHARED/smtp-throughput.sh" -r "$REPS" "${COMMON[@]}" "${TARGETS[@]}"
fi
