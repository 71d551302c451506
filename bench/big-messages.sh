#!/usr/bin/env bash
# The listener's memory while large messages arrive (issue 13 item 4): SESSIONS sessions each send one
# SIZE_MB message at once; prints the listener's RSS before, its peak (VmHWM) and the messages stored.
# With bodies held whole in memory each 30 MB message cost 60-100 MB; spooled past 1 MB
# (SMTPSessionHandler.spillThreshold) the peak must stay under 300 MB at 50 x 30 MB.
#
#   bench/big-messages.sh                       # 50 sessions x 30 MB, release build
#   SESSIONS=10 SIZE_MB=30 BIN=.build/debug/receptor bench/big-messages.sh
#
# Bounded: the sending is given LIMIT seconds (default 600); the listener is stopped by its PID and the work
# folder removed on every exit. Needs about SESSIONS x SIZE_MB x 2 of free disk while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
if [ -z "${BIN:-}" ]; then bench_binary --no-build; fi
SESSIONS=${SESSIONS:-50}
SIZE_MB=${SIZE_MB:-30}
LIMIT=${LIMIT:-600}
OFFSET=${OFFSET:-30500}
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/receptor-big.XXXX")
LPID=""
cleanup() {
  if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null || true; wait "$LPID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
bench_store "$WORK/receptor.sqlite" "$OFFSET" "-ProtocolLoggingLevel None"
"$BIN" shell --store "$WORK/receptor.sqlite" -c "Set-RecipientFilterConfig -RecipientValidationEnabled \$false" >/dev/null
"$BIN" listen --store "$WORK/receptor.sqlite" --log-level warning 2>"$WORK/listen.log" &
LPID=$!
PORT=$((25 + OFFSET))
wait_port "$PORT"
kb() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$LPID/status"; }
before=$(kb VmRSS)
start=$(date +%s.%N)
timeout "$LIMIT" python3 - "$PORT" "$SESSIONS" "$SIZE_MB" <<'PY'
import socket, sys, threading
port, sessions, size_mb = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
line = b"x" * 76 + b"\r\n"
body = b"From: big@example.com\r\nTo: rcpt@example.com\r\nSubject: big\r\n\r\n" + line * (size_mb * 1024 * 1024 // len(line))
go = threading.Barrier(sessions)
codes = []
def one(i):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=300) as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(b"EHLO bench.test\r\n")
            while not f.readline().startswith(b"250 "):
                pass
            go.wait()
            s.sendall(b"MAIL FROM:<big@example.com>\r\nRCPT TO:<user%d@example.com>\r\nDATA\r\n" % i)
            replies = [f.readline() for _ in range(3)]
            assert replies[2].startswith(b"354"), replies
            view = memoryview(body)
            for k in range(0, len(view), 65536):
                s.sendall(view[k:k + 65536])
            s.sendall(b".\r\n")
            codes.append(f.readline()[:3].decode())
            s.sendall(b"QUIT\r\n")
    except Exception as e:
        codes.append(f"error: {e}")
threads = [threading.Thread(target=one, args=(i,)) for i in range(sessions)]
for t in threads: t.start()
for t in threads: t.join()
ok = codes.count("250")
print(f"replies: {ok} x 250 of {sessions}" + ("" if ok == sessions else f"; others: {sorted(set(c for c in codes if c != '250'))}"))
sys.exit(0 if ok == sessions else 1)
PY
end=$(date +%s.%N)
peak=$(kb VmHWM)
stored=$(find "$WORK/mailboxes" -path '*/new/*' -type f | wc -l)
left=$(find "$WORK/spool" -type f 2>/dev/null | wc -l)
awk -v b="$before" -v p="$peak" -v n="$SESSIONS" -v s="$SIZE_MB" -v t0="$start" -v t1="$end" -v st="$stored" -v l="$left" 'BEGIN {
  printf "%d sessions x %d MB at once: listener RSS before %.0f MB, peak %.0f MB (+%.0f MB); %d stored, %d spool files left, %.1f s\n",
    n, s, b / 1024, p / 1024, (p - b) / 1024, st, l, t1 - t0 }'
