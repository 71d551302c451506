#!/usr/bin/env bash
# What watching costs the listener (issue 5): messages per second with smtp-source (50 sessions, 1 KB, a
# new connection per message) against Default Frontend as `receptor init` leaves it (protocol logging
# Verbose), alternating runs without and with a control-socket subscriber that reads every event (what the
# monitor does), three of each; medians. Builds first; stops what it starts by PID.
#   bench/monitor-overhead.sh [messages]
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${1:-10000}
. bench/common.sh
bench_need_smtp_source monitor-overhead
bench_binary
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-overhead.XXXX")
LISTENER=""; SUB=""
cleanup() {
    [ -n "$SUB" ] && kill "$SUB" 2>/dev/null || true
    [ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null && wait "$LISTENER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
bench_store "$WORK/r.db" 31000
"$BIN" listen --store "$WORK/r.db" --log-level warning 2>"$WORK/listen.log" &
LISTENER=$!
for _ in $(seq 100); do [ -S "$WORK/listener-bench.sock" ] && break; sleep 0.1; done

run() {  # prints msg/s of one smtp-source run
    local start end
    start=$(date +%s.%N)
    timeout 300 smtp-source -s 50 -l 1024 -m "$MESSAGES" -f a@example.com -t b@example.com 127.0.0.1:31025
    end=$(date +%s.%N)
    python3 -c "print(round($MESSAGES / ($end - $start)))"
}
plain=(); watched=()
for _ in 1 2 3; do
    plain+=("$(run)")
    python3 - "$WORK/listener-bench.sock" >"$WORK/sub.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'{"command":"subscribe"}\n')
n = 0
while True:
    d = s.recv(1 << 20)
    if not d: break
    n += d.count(b"\n")
PY
    SUB=$!
    sleep 0.5
    watched+=("$(run)")
    kill "$SUB"; wait "$SUB" 2>/dev/null || true; SUB=""
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "Default Frontend, Verbose, 50 sessions, 1 KB, $MESSAGES messages per run:"
echo "  no monitor:        ${plain[*]} msg/s, median $(median "${plain[@]}")"
echo "  a subscriber reads every event: ${watched[*]} msg/s, median $(median "${watched[@]}")"
