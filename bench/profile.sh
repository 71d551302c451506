#!/usr/bin/env bash
# The listener's CPU per message under smtp-source, optionally with a system-wide perf profile: the quick
# loop for throughput work (bench/run.sh gives the figures to compare; this one gives the cost).
#
#   bench/profile.sh [cpu|threads|perf|perfstat]      # default cpu
#   N=20000 SOURCE_ARGS=-d LISTEN_ARGS="--sync file" bench/profile.sh perf
#   RECEPTOR_BIN=/path/to/other/receptor SIZE=102400 bench/profile.sh     # another build, 100 KB messages
#
# cpu       messages per second and the listener's CPU per message (all its threads, from /proc)
# threads   the same, split by thread (event loops, writer, syncer) into user and system time, beside the
#           kernel's worker threads (writeback) and smtp-source, in microseconds per message
# perf      the same, plus `perf record -a -g` for 6 s into bench/perf.data (read it with
#           `perf report -i bench/perf.data --sort comm` and `--comm receptor-write` etc.)
# perfstat  page faults, context switches and migrations of the listener
#
# Uses the release build (swift build -c release --static-swift-stdlib --product receptor first; never build while this runs).
# Sessions 50, 1 KB messages (SIZE=102400 for others), smtp-source as the client; SOURCE_ARGS=-d reuses each
# session's connection.
# The data folder is new, at the top of the file system, and removed at the end: on this machine's ext4
# without a journal, wait a few minutes between runs of many messages (BENCHMARKS.md, "File system").
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-cpu}
. bench/common.sh
if [ -n "${RECEPTOR_BIN:-}" ]; then BIN=$RECEPTOR_BIN; else bench_binary --no-build; fi
bench_need_smtp_source profile
if [ "$MODE" != cpu ]; then command -v perf >/dev/null || { echo "profile: perf is missing (apt-get install linux-perf)" >&2; exit 1; }; fi
N=${N:-10000}
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-profile.XXXX")
STORE=$WORK/receptor.sqlite
bench_store "$STORE" 30000 "-ProtocolLoggingLevel None"
ulimit -n "$(ulimit -Hn)"
# shellcheck disable=SC2086
"$BIN" listen --store "$STORE" --log-level warning ${LISTEN_ARGS:-} 2>"$WORK/listen.log" &
LPID=$!
AUX=""
cleanup() {
  [ -n "$AUX" ] && kill "$AUX" 2>/dev/null
  kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_port 30025
# A few messages first, so the writer and syncer threads exist before the measurement.
smtp-source -s 5 -l 1024 -m 50 -f a@example.com -t rcpt@example.com 127.0.0.1:30025
case $MODE in
  perf) perf record -F 999 -g -a -o bench/perf.data -- sleep 6 >/dev/null 2>&1 & AUX=$! ;;
  perfstat) perf stat -e page-faults,context-switches,cpu-migrations -p "$LPID" -o "$WORK/stat.txt" -- sleep 4 & AUX=$! ;;
esac
T0=$(cut -d' ' -f14,15 "/proc/$LPID/stat")
# Per thread of the listener: "name|utime stime".
threads() {
  for t in /proc/"$LPID"/task/*; do echo "$(cat "$t/comm")|$(cut -d' ' -f14,15 "$t/stat" 2>/dev/null)"; done
}
[ "$MODE" = threads ] && { THREADS0=$(threads); KWORKERS0=$(kworker_ticks); }
S=$(date +%s.%N)
# shellcheck disable=SC2086
SOURCE_TIMES=$WORK/source.times
timeout 300 /usr/bin/time -f "%U %S" -o "$SOURCE_TIMES" smtp-source ${SOURCE_ARGS:-} -s 50 -l "${SIZE:-1024}" -m "$N" -f a@example.com -t rcpt@example.com 127.0.0.1:30025
E=$(date +%s.%N)
[ "$MODE" = threads ] && THREADS1="$(threads)
kernel workers|0 $(kworker_delta "$KWORKERS0" "$(kworker_ticks)")"   # kernel threads: all system time
T1=$(cut -d' ' -f14,15 "/proc/$LPID/stat")
python3 - "$S" "$E" "$T0" "$T1" "$N" "$(getconf CLK_TCK)" <<'PY'
import sys
s, e = float(sys.argv[1]), float(sys.argv[2])
t0, t1 = sum(map(int, sys.argv[3].split())), sum(map(int, sys.argv[4].split()))
n, tck = int(sys.argv[5]), int(sys.argv[6])
wall, cpu = e - s, (t1 - t0) / tck
print(f"{n / wall:.0f} msg/s; listener CPU {cpu / n * 1000:.3f} ms/msg ({cpu / wall:.2f} cores)")
PY
if [ "$MODE" = threads ]; then
  python3 - "$N" "$(getconf CLK_TCK)" "$THREADS0" "$THREADS1" "$(cat "$SOURCE_TIMES")" <<'PY'
import sys
n, tck = int(sys.argv[1]), int(sys.argv[2])
def parse(text):
    totals = {}
    for line in text.strip().splitlines():
        name, _, times = line.partition("|")
        if not times.strip(): continue
        u, s = map(int, times.split())
        t = totals.setdefault(name, [0, 0]); t[0] += u; t[1] += s
    return totals
before, after = parse(sys.argv[3]), parse(sys.argv[4])
us = lambda ticks: ticks / tck / n * 1e6
print(f"{'thread':18s} {'user':>7s} {'system':>7s}  (us per message)")
listener = [0, 0]
for name in sorted(after):
    u = after[name][0] - before.get(name, [0, 0])[0]; s = after[name][1] - before.get(name, [0, 0])[1]
    if u + s == 0: continue
    print(f"{name:18s} {us(u):7.1f} {us(s):7.1f}")
    if name != "kernel workers": listener[0] += u; listener[1] += s
print(f"{'listener, all':18s} {us(listener[0]):7.1f} {us(listener[1]):7.1f}")
su, ss = map(float, sys.argv[5].split())
print(f"{'smtp-source':18s} {su / n * 1e6:7.1f} {ss / n * 1e6:7.1f}")
PY
fi
if [ -n "$AUX" ]; then wait "$AUX" || true; AUX=""; fi
[ "$MODE" = perfstat ] && grep -E "faults|switches|migrations" "$WORK/stat.txt"
exit 0
