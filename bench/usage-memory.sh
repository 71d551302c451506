#!/usr/bin/env bash
# Connector usage recording under many distinct remote addresses (issue 15's target: its memory stays bounded
# under 100,000). Sessions (banner, EHLO, QUIT) from N distinct loopback source addresses (127.1.0.1 and on),
# 50 at a time; the listener's RSS after each quarter, beside the same run with recording off (--usage-days 0),
# and the size of the day's usage file. Recording keeps at most ConnectorUsage.rowsPerDay rows a day (past
# that, one "(other addresses)" row per connector), so RSS must flatten once that many addresses were seen.
#
#   bench/usage-memory.sh                 # N=100000
#   N=30000 RECEPTOR_BIN=/path/to/receptor bench/usage-memory.sh
#
# Uses the release build (swift build -c release --static-swift-stdlib --product receptor first; never build while this runs).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
if [ -n "${RECEPTOR_BIN:-}" ]; then BIN=$RECEPTOR_BIN; else bench_binary --no-build; fi
N=${N:-100000}
ulimit -n "$(ulimit -Hn)"
for usage_days in 30 0; do
  WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-usage.XXXX")
  bench_store "$WORK/receptor.sqlite" 30000 "-ProtocolLoggingLevel None"
  "$BIN" listen --store "$WORK/receptor.sqlite" --log-level warning --usage-days "$usage_days" 2>"$WORK/listen.log" &
  LPID=$!
  trap 'kill $LPID 2>/dev/null || true; wait $LPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
  wait_port 30025
  python3 - "$N" "$LPID" "$usage_days" <<'PY'
import socket, sys, threading, time
n, pid, days = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024

def source(i):   # 127.1.0.1 onwards, skipping .0 and .255 in the last byte
    i = i // 254 * 256 + i % 254 + 1
    return f"127.{1 + i // 65536}.{i // 256 % 256}.{i % 256}"

next_index, lock, failures = [0], threading.Lock(), [0]
def worker(limit):
    while True:
        with lock:
            i = next_index[0]
            if i >= limit:
                return
            next_index[0] += 1
        try:
            with socket.create_connection(("127.0.0.1", 30025), timeout=10, source_address=(source(i), 0)) as s:
                f = s.makefile("rb")
                f.readline()
                s.sendall(b"EHLO usage.test\r\n")
                while not f.readline().startswith(b"250 "):
                    pass
                s.sendall(b"QUIT\r\n")
                f.readline()
        except OSError:
            with lock:
                failures[0] += 1

line = [f"usage-days {days:>2}: RSS MB {rss_mb():.1f} at 0"]
start = time.time()
for quarter in range(1, 5):
    limit = n * quarter // 4
    threads = [threading.Thread(target=worker, args=(limit,)) for _ in range(50)]
    for t in threads: t.start()
    for t in threads: t.join()
    time.sleep(3)   # the recorder writes what changed within 2 s
    line.append(f"{rss_mb():.1f} at {limit}")
print(", ".join(line) + f"  ({n / (time.time() - start):.0f} sessions/s, {failures[0]} failed)")
PY
  if [ "$usage_days" != 0 ]; then
    du -k "$WORK"/usage/*.json 2>/dev/null | awk '{printf "usage file: %.1f MB (%s)\n", $1 / 1024, $2}' | sed "s|$WORK/||"
  fi
  kill "$LPID"; wait "$LPID" 2>/dev/null || true
  rm -rf "$WORK"
  trap - EXIT
done
