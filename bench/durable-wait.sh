#!/usr/bin/env bash
# What a 1 KB message waits for before its 250, at growing numbers of sessions over reused connections:
# the listener's own delivery statistics (the control socket's snapshot, as `receptor status` shows them)
# read before and after each smtp-source run. With few sessions the wait is the sync's latency; with many,
# rounds grow and the wait with them. The last column is the wait's share of a session's message cycle
# (sessions / rate): where it is large, the senders wait for the disk, not for the CPU.
#
#   bench/durable-wait.sh                  # 10, 50 and 100 sessions, 20,000 messages each
#   SESSIONS="50 200" MSGS=30000 bench/durable-wait.sh
#
# Builds the release binary first (never run it while something else builds). Stops what it starts by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bench_binary
bench_need_smtp_source durable-wait
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-durable-wait.XXXX")
bench_store "$WORK/receptor.sqlite" 30000 "-ProtocolLoggingLevel None"
ulimit -n "$(ulimit -Hn)"
"$BIN" listen --store "$WORK/receptor.sqlite" --log-level warning 2>"$WORK/listen.log" &
LPID=$!
trap 'kill $LPID 2>/dev/null || true; wait $LPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_port 30025
SOCKET=$WORK/listener-bench.sock
delivery() {
  python3 - "$SOCKET" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'{"command":"snapshot"}\n')
line = s.makefile().readline()
print(json.dumps(json.loads(line)["delivery"]))
PY
}
# Warm up (the writer and syncer threads start with the first message).
smtp-source -s 5 -l 1024 -m 100 -f a@example.com -t rcpt@example.com 127.0.0.1:30025
printf "%9s %9s %10s %9s %9s %10s %10s\n" sessions "msg/s" "msgs/sync" "sync ms" "wait ms" "cycle ms" "wait share"
for sessions in ${SESSIONS:-10 50 100}; do
  before=$(delivery); start=$(date +%s.%N)
  timeout 300 smtp-source -d -s "$sessions" -l 1024 -m "${MSGS:-20000}" -f a@example.com -t rcpt@example.com 127.0.0.1:30025
  end=$(date +%s.%N); after=$(delivery)
  python3 - "$sessions" "$start" "$end" "$before" "$after" <<'PY'
import json, sys
n, start, end = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
a, b = json.loads(sys.argv[4]), json.loads(sys.argv[5])
d = {k: b[k] - a[k] for k in ("messages", "syncs", "syncSeconds", "waitSeconds")}
rate = d["messages"] / (end - start)
wait = d["waitSeconds"] / d["messages"]; cycle = n / rate
print(f"{n:9d} {rate:9.0f} {d['messages'] / d['syncs']:10.1f} {d['syncSeconds'] / d['syncs'] * 1e3:9.2f} "
      f"{wait * 1e3:9.2f} {cycle * 1e3:10.2f} {wait / cycle:10.0%}")
PY
  sleep 1
done
