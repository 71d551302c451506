#!/usr/bin/env bash
# What connector usage recording costs the listener, as a share of its CPU: perf samples the listener (all its
# threads, with call stacks) under 1 KB messages, a connection per message, 50 sessions, and counts the samples
# whose stack passes through the recording (`recordUsage`, `ConnectorUsageRecorder`), inclusive of everything
# they call (the lock, hashing, the row update). A share of the CPU is what throughput loses when the listener
# is CPU-bound, and unlike throughput runs it hardly moves with the machine's noise.
#
#   bench/usage-cost.sh [BINARY]             # default: this tree's release build
#   N=20000 REPS=3 SOURCE_ARGS=-d bench/usage-cost.sh …    # over reused connections
#
# Needs root and perf (apt-get install linux-perf). Never run it while building.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
if [ -n "${1:-}" ]; then BIN=$1; else bench_binary --no-build; fi
bench_need_smtp_source usage-cost
command -v perf >/dev/null || { echo "usage-cost: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
N=${N:-20000} REPS=${REPS:-3} HZ=4000
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-usage-cost.XXXX")
LPID=""
cleanup() { [ -n "$LPID" ] && kill "$LPID" 2>/dev/null; wait 2>/dev/null || true; bench_unmount_fresh_fs; rm -rf "$WORK"; }
trap cleanup EXIT

for rep in $(seq 1 "$REPS"); do
  dir=$WORK/$rep
  mkdir -p "$dir"
  bench_fresh_fs "$dir"
  bench_store "$dir/receptor.sqlite" 32000 "-ProtocolLoggingLevel None"
  "$BIN" listen --store "$dir/receptor.sqlite" --log-level warning 2>"$dir/listen.log" &
  LPID=$!
  wait_port 32025
  smtp-source -s 10 -l 1024 -m 500 -f a@example.com -t rcpt@example.com 127.0.0.1:32025   # warm-up
  # shellcheck disable=SC2086
  perf record -q -e cpu-clock -F "$HZ" --call-graph fp -p "$LPID" -o "$dir/perf.data" -- \
    timeout 300 smtp-source ${SOURCE_ARGS:-} -s 50 -l 1024 -m "$N" -f a@example.com -t rcpt@example.com 127.0.0.1:32025 2>/dev/null
  kill "$LPID"; wait "$LPID" 2>/dev/null || true; LPID=""
  # One line per sample: does its stack pass through the recording? (user-space samples only: the kernel's
  # share follows the file system, not this code.)
  perf script -i "$dir/perf.data" -F ip,sym 2>/dev/null | awk -v r="$rep" '
    /^$/ { if (n) { total++; if (hit) usage++ }; n = 0; hit = 0; kernel = 0; next }
    { if (n == 0 && $0 ~ /\[unknown\]|kallsyms|^ *ffffffff/) kernel = 1; n++; if ($0 ~ /ConnectorUsageRecorder|11recordUsage/) hit = 1 }
    END { if (n) { total++; if (hit) usage++ }; printf "%s %d %d\n", r, usage, total }' >>"$WORK/results"
  bench_unmount_fresh_fs
  rm -rf "$dir"
done
echo "connector usage recording, share of the listener's CPU samples ($N messages of 1 KB, 50 sessions, ${SOURCE_ARGS:-a connection per message})"
python3 - "$WORK/results" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
shares = [int(u) / int(t) * 100 for _, u, t in rows if int(t)]
for (rep, u, t), s in zip(rows, shares):
    print("repeat %s: %s of %s samples = %.2f%%" % (rep, u, t, s))
print("median %.2f%%" % st.median(shares))
PY
