#!/usr/bin/env python3
"""Commit -> applied: N times, a new receive connector on a fresh port from `receptor shell -c` (the shell exits
after its commit), timed from the shell's exit until the new binding accepts a connection, then removed.
Prints median, p95 and worst. Used by bench/run.sh and bench/store-feed.sh.

    bench/reload-latency.py BIN STORE N FIRST_PORT LABEL
"""
import socket
import statistics
import subprocess
import sys
import time

bin_, store, n, base, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
samples = []
for i in range(n):
    port = base + i
    cmd = f'New-ReceiveConnector -Name "R{i}" -TransportRole FrontendTransport -Internet -Bindings 127.0.0.1:{port}'
    subprocess.run([bin_, "shell", "--store", store, "-c", cmd], check=True, capture_output=True)
    committed = time.monotonic()   # the shell exits after its commit
    deadline = committed + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.0005)
    else:
        raise SystemExit(f"{label}: change {i} was not applied within 5 s")
    samples.append((time.monotonic() - committed) * 1000)
    subprocess.run([bin_, "shell", "--store", store, "-c", f'Remove-ReceiveConnector "R{i}" -Confirm:$false'], check=True, capture_output=True)
samples.sort()
p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
print(f"{label}: median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, worst {samples[-1]:.1f} ms, n={len(samples)}")
