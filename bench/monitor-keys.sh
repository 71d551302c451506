#!/usr/bin/env bash
# Monitor responsiveness (issue 5): keystroke to updated screen in the session monitor, attached to a real
# listener over its control socket, first with no sessions (the anchor) and then with 1,000 idle SMTP
# sessions open (the target: median under 20 ms). Each key drains the feed, is handled, and the whole
# 100x30 screen is drawn on the in-memory screen; 2,000 keys alternate Down and Up through the table.
#   bench/monitor-keys.sh [sessions]
# Builds first (never during the measurement); every process it starts is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${1:-1000}
swift build -c release --static-swift-stdlib --product receptor >&2
swift build -c release --static-swift-stdlib --product consolebench >&2
BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/receptor"
BENCH="$(swift build -c release --static-swift-stdlib --show-bin-path)/consolebench"
WORK=$(mktemp -d /tmp/receptor-monitor-bench.XXXX)
LISTENER=""; HOLDER=""
cleanup() {
    [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null || true
    [ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null && wait "$LISTENER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
STORE=$WORK/receptor.sqlite
"$BIN" init --store "$STORE" --server MBX01 --accepted-domain contoso.test --port-offset 12000 >/dev/null
"$BIN" listen --store "$STORE" >"$WORK/listen.log" 2>&1 &
LISTENER=$!
for _ in $(seq 100); do [ -S "$WORK/listener-mbx01.sock" ] && break; sleep 0.1; done

echo "anchor (no sessions):"
"$BENCH" --store "$STORE" --keystrokes 2000 --monitor-sessions 0

# Hold $SESSIONS idle sessions open (at most 15 per source address, under MaxInboundConnectionPerSource),
# for at most 300 s.
python3 - "$SESSIONS" 12025 >"$WORK/holder.out" 2>&1 <<'PY' &
import socket, sys, time
count, port = int(sys.argv[1]), int(sys.argv[2])
held = []
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(f"127.0.{1 + i // 15 // 250}.{2 + (i // 15) % 250}", 0))
    s.recv(512)
    held.append(s)
print("ready", len(held), flush=True)
time.sleep(300)
PY
HOLDER=$!
for _ in $(seq 600); do grep -q ready "$WORK/holder.out" 2>/dev/null && break; sleep 0.1; done
grep ready "$WORK/holder.out" >&2 || { cat "$WORK/holder.out" >&2; exit 1; }

echo "target ($SESSIONS idle sessions):"
"$BENCH" --store "$STORE" --keystrokes 2000 --monitor-sessions "$SESSIONS"

# The same, end to end through a real terminal: the console in tmux (100x30), a key sent with send-keys,
# and the pane polled until the selection marker has moved (tmux's own time is included).
python3 - "$BIN" "$STORE" "$SESSIONS" <<'PY'
import subprocess, sys, time
binary, store, sessions = sys.argv[1], sys.argv[2], int(sys.argv[3])
name = f"monbench{int(time.time())}"
def tmux(*a): return subprocess.run(["tmux", *a], capture_output=True, text=True).stdout
tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "env", "LANG=C.UTF-8", "TERM=tmux-256color", binary, "console", "--store", store)
try:
    def screen(): return tmux("capture-pane", "-p", "-t", name)
    def wait(text, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if text in screen(): return
            time.sleep(0.02)
        raise SystemExit(f"never saw {text!r}:\n{screen()}")
    wait("Receive connectors")
    tmux("send-keys", "-t", name, "m")
    wait(f"SESSIONS: {sessions} live")
    def selected():
        for i, line in enumerate(screen().splitlines()):
            if line.startswith(">"): return i, line.split()[1] if len(line.split()) > 1 else ""
        return None
    samples = []
    for k in range(100):
        before = selected()
        key = "Down" if (k // 10) % 2 == 0 else "Up"
        start = time.perf_counter()
        tmux("send-keys", "-t", name, key)
        end = start + 2
        while time.perf_counter() < end and selected() == before:
            pass
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    print(f"through tmux: {sessions} live sessions, {len(samples)} keys: median {samples[len(samples)//2]:.1f} ms, "
          f"p95 {samples[int(len(samples)*0.95)]:.1f} ms, worst {samples[-1]:.1f} ms")
finally:
    tmux("kill-session", "-t", name)
PY
