#!/usr/bin/env bash
# Receptor's benchmarks beside the anchors, in one run (numbers from different runs are not comparable on
# these shared machines). Writes its figures to standard output; BENCHMARKS.md records a run.
#
#   bench/run.sh [--quick] [--throughput-only | --idle-only]
#   SESSIONS="50" SIZES="1024" bench/run.sh --throughput-only    # one case, three repeats
#   SYNC=file ...                                                # receptor listen --sync file (fsync per file)
#   MODES=conn ...                                               # only a connection per message (default both)
#
# 1. Throughput: Postfix's smtp-source against `receptor listen` (durable: every 250 after the message and its
#    Maildir name are synced), smtp-sink (in memory) and a private Postfix instance (durable queue), 1 and
#    50 sessions, 1 KB and 100 KB messages, a new connection per message and one per session.
# 2. Idle connections: 10,000 idle sessions held open; the listener's resident memory, beside aiosmtpd's.
# 3. Reload latency: store commit to the new binding accepting, median and worst of 100.
#
# Needs root (the anchors), the shared bench scripts in ../shared/bench, postfix and time (apt), aiosmtpd
# (pip). Never run it while something builds. Stops everything it starts by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED_BENCH:-$(cd .. && pwd)/shared/bench}
QUICK=""; ONLY=""
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK="--quick" ;;
    --throughput-only) ONLY=throughput ;;
    --idle-only) ONLY=idle ;;
    *) echo "usage: bench/run.sh [--quick] [--throughput-only | --idle-only]" >&2; exit 2 ;;
  esac
done
SESSIONS=${SESSIONS:-1 50}; SIZES=${SIZES:-1024 102400}; MODES=${MODES:-conn reuse}

need() { command -v "$1" >/dev/null || { echo "bench: $1 is missing ($2)" >&2; exit 1; }; }
if [ "$(id -u)" -eq 0 ]; then
  command -v smtp-source >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix time >/dev/null; }
  python3 -c 'import aiosmtpd' 2>/dev/null || pip install -q aiosmtpd
fi
need smtp-source "apt-get install postfix"; need /usr/bin/time "apt-get install time"

. bench/common.sh
bench_binary
# A folder of its own at the top of the file system, not under /tmp beside the anchors' state (/tmp/anchors)
# nor where the previous run's files were just deleted: see "File system" in BENCHMARKS.md.
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-bench.XXXX")
STORE=$WORK/receptor.sqlite
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  "$SHARED/anchors.sh" stop all >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

bench_store "$STORE" 30000 "-ProtocolLoggingLevel None"
ulimit -n "$(ulimit -Hn)"   # 10,000 idle connections need more than the usual 1024 descriptors
"$BIN" listen --store "$STORE" --log-level warning ${SYNC:+--sync "$SYNC"} 2>"$WORK/listen.log" &
LPID=$!; PIDS+=("$LPID")
wait_port 30025

if [ "$ONLY" != idle ]; then
echo "== Throughput (messages per second; medians)"
"$SHARED/anchors.sh" start postfix >/dev/null
PF_PID=$("$SHARED/anchors.sh" pids | awk '$1=="postfix" && $2=="pid" {print $3}' | head -1)
"$SHARED/smtp-throughput.sh" ${QUICK:--r 3 -m 5000 -M 1000} --sink -s "$SESSIONS" -l "$SIZES" -d "$MODES" \
  "127.0.0.1:30025=receptor@$LPID" "127.0.0.1:2526=postfix${PF_PID:+@$PF_PID}"
"$SHARED/anchors.sh" stop postfix >/dev/null
fi
[ "$ONLY" = throughput ] && exit 0

echo
echo "== Idle connections (10,000), on a freshly started listener (aiosmtpd starts fresh too)"
kill -TERM "$LPID"; wait "$LPID" 2>/dev/null || true
"$BIN" listen --store "$STORE" --log-level warning 2>>"$WORK/listen.log" &
LPID=$!; PIDS+=("$LPID")
wait_port 30025
python3 "$SHARED/idle-conns.py" 127.0.0.1 30025 10000 "$LPID" --hold 5
"$SHARED/anchors.sh" start aiosmtpd >/dev/null
AIO_PID=$("$SHARED/anchors.sh" pids | awk '$1=="aiosmtpd" && $2=="pid" {print $3}' | head -1)
python3 "$SHARED/idle-conns.py" 127.0.0.1 2527 10000 ${AIO_PID:-} --hold 5
"$SHARED/anchors.sh" stop aiosmtpd >/dev/null
[ "$ONLY" = idle ] && exit 0

echo
echo "== Reload latency (store commit to the new binding accepting), 100 reloads"
python3 bench/reload-latency.py "$BIN" "$STORE" 100 31000 "reload latency"
