#!/usr/bin/env bash
# The listener's CPU per message for two builds, in user space and in the kernel, from perf's cpu-clock
# samples of the listener process only (all its threads): a figure that the machine's noise and the file
# system's state hardly move in user space, where throughput runs (bench/side-by-side.sh) cannot resolve a few
# percent. The kernel's share is shown too but follows the file system's state (BENCHMARKS.md).
#
#   bench/cpu-per-message.sh BASE_BINARY NEW_BINARY
#   SIZE=102400 SOURCE_ARGS=-d N=5000 REPS=3 bench/cpu-per-message.sh …    # 100 KB over reused connections
#
# Defaults: 1 KB messages, a connection per message, 50 sessions, N=20000, REPS=3 (builds alternate, the
# order swapped every repeat). Needs root and perf (apt-get install linux-perf). Never run it while building.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
BASE=${1:?usage: bench/cpu-per-message.sh BASE_BINARY NEW_BINARY}
NEW=${2:?usage: bench/cpu-per-message.sh BASE_BINARY NEW_BINARY}
bench_need_smtp_source cpu-per-message
command -v perf >/dev/null || { echo "cpu-per-message: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
N=${N:-20000} SIZE=${SIZE:-1024} REPS=${REPS:-3} HZ=2000
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-cpu.XXXX")
LPID=""
cleanup() { [ -n "$LPID" ] && kill "$LPID" 2>/dev/null; wait 2>/dev/null || true; bench_unmount_fresh_fs; rm -rf "$WORK"; }
trap cleanup EXIT

one() {   # LABEL BINARY REP: prints "LABEL user_us kernel_us" per message
  local label=$1 bin=$2 dir=$WORK/$1-$3
  mkdir -p "$dir"
  bench_fresh_fs "$dir"   # each run on a new file system: the kernel's share no longer depends on the last run
  BIN=$bin bench_store "$dir/receptor.sqlite" 32000 "-ProtocolLoggingLevel None"
  "$bin" listen --store "$dir/receptor.sqlite" --log-level warning 2>"$dir/listen.log" &
  LPID=$!
  wait_port 32025
  smtp-source -s 10 -l 1024 -m 500 -f a@example.com -t rcpt@example.com 127.0.0.1:32025   # warm-up
  # shellcheck disable=SC2086
  perf record -q -e cpu-clock -F "$HZ" -p "$LPID" -o "$dir/perf.data" -- \
    timeout 300 smtp-source ${SOURCE_ARGS:-} -s 50 -l "$SIZE" -m "$N" -f a@example.com -t rcpt@example.com 127.0.0.1:32025 2>/dev/null
  kill "$LPID"; wait "$LPID" 2>/dev/null || true; LPID=""
  perf report -i "$dir/perf.data" --sort dso -n -q -g none --stdio 2>/dev/null |
    awk -v l="$label" -v n="$N" -v hz="$HZ" '{ if ($3 ~ /kernel/) k += $2; else u += $2 }
      END { printf "%s %.1f %.1f\n", l, u / hz / n * 1e6, k / hz / n * 1e6 }' >>"$WORK/results"
  bench_unmount_fresh_fs
  rm -rf "$dir"
}
for rep in $(seq 1 "$REPS"); do
  if (( rep % 2 )); then one base "$BASE" "$rep"; one new "$NEW" "$rep"; else one new "$NEW" "$rep"; one base "$BASE" "$rep"; fi
done
echo "listener CPU per message, µs (median of $REPS; $N messages of $SIZE bytes, 50 sessions ${SOURCE_ARGS:-conn})"
python3 - "$WORK/results" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for label in ("base", "new"):
    u = [float(r[1]) for r in rows if r[0] == label]; k = [float(r[2]) for r in rows if r[0] == label]
    med[label] = (st.median(u), st.median(k))
    print("%-5s user %7.1f (%s)   kernel %7.1f (%s)" % (label, med[label][0], " ".join("%.1f" % x for x in u),
                                                       med[label][1], " ".join("%.1f" % x for x in k)))
print("new ÷ base: user %+.1f%%, kernel %+.1f%%" % ((med["new"][0] / med["base"][0] - 1) * 100,
                                                   (med["new"][1] / med["base"][1] - 1) * 100))
PY
