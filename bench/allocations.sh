#!/usr/bin/env bash
# Heap allocations per message in the listener, by thread: exact counts (a perf uprobe on glibc's malloc),
# not samples, so a change that saves allocations shows even when throughput runs are too noisy to.
#
#   bench/allocations.sh                 # 2,000 messages of 1 KB, 10 sessions, a connection per message
#   SOURCE_ARGS=-d bench/allocations.sh  # over one connection per session
#   RECEPTOR_BIN=/path/to/other/receptor SIZE=102400 bench/allocations.sh    # another build, 100 KB messages
#   LISTEN_ARGS="--usage-days 0" bench/allocations.sh                        # connector usage recording off
#
# Uses the release build (swift build -c release --static-swift-stdlib --product receptor first; never build while this runs).
# Needs root (uprobes) and perf (apt-get install linux-perf).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
if [ -n "${RECEPTOR_BIN:-}" ]; then BIN=$RECEPTOR_BIN; else bench_binary --no-build; fi
bench_need_smtp_source allocations
command -v perf >/dev/null || { echo "allocations: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
LIBC=$(ldd "$BIN" | awk '$1 ~ /^libc\.so/ {print $3}')
perf probe -q -x "$LIBC" malloc 2>/dev/null || perf probe -l 2>/dev/null | grep -q 'probe_libc:malloc' \
  || { echo "allocations: can't place a uprobe on malloc in $LIBC (root?)" >&2; exit 1; }
N=${N:-2000}
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-allocations.XXXX")
bench_store "$WORK/receptor.sqlite" 30000 "-ProtocolLoggingLevel None"
# shellcheck disable=SC2086
"$BIN" listen --store "$WORK/receptor.sqlite" --log-level warning ${LISTEN_ARGS:-} 2>"$WORK/listen.log" &
LPID=$!
cleanup() {
  kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_port 30025
# A few messages first: the writer and syncer threads exist and the caches are warm before counting.
smtp-source -s 5 -l 1024 -m 50 -f a@example.com -t rcpt@example.com 127.0.0.1:30025
# The listener's allocations counted for exactly as long as smtp-source runs.
# shellcheck disable=SC2086
perf stat -e probe_libc:malloc --per-thread -p "$LPID" -o "$WORK/stat.txt" -- \
  timeout 300 smtp-source ${SOURCE_ARGS:-} -s 10 -l "${SIZE:-1024}" -m "$N" -f a@example.com -t rcpt@example.com 127.0.0.1:30025
# Thread names: NIO-ELT-* are the event loops, receptor-write and receptor-sync the group commit.
awk -v n="$N" '/probe_libc:malloc/ && $2 ~ /^[0-9]+$/ {
    name = $1; sub(/-[0-9]+$/, "", name); count[name] += $2; if (name ~ /^NIO-ELT/) loops += $2
  }
  END {
    for (t in count) if (count[t] > 0) printf "%-24s %8.1f per message\n", t, count[t] / n
    printf "%-24s %8.1f per message\n", "event loops together", loops / n
  }' "$WORK/stat.txt" | sort
