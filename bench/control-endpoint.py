#!/usr/bin/env python3
"""What attaching through the TCP control endpoint costs beside the Unix control socket (issue 14 item 5).

    RECEPTOR_BIN=path/to/receptor bench/control-endpoint.py [N]      (default: the debug build; N = 200)

Makes a store in a temporary folder, starts `receptor listen --control-port 0 --control-address 127.0.0.1`, then N
times each, one connection per request: a snapshot over the Unix socket, and a snapshot over the TCP endpoint
(TLS 1.3 handshake, the certificate checked against the registered SHA-256, the challenge, the HMAC answer, the
verdict, the request) with Python's ssl as the client. Prints median, p95 and worst of each. Stops the listener
it starts by its PID.
"""
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "listener"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
import run as listener_tests  # noqa: E402  (control_endpoint_exchange: the client written from the decision note)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
BIN = os.environ.get("RECEPTOR_BIN") or subprocess.run(
    ["swift", "build", "--show-bin-path"], cwd=os.path.dirname(HERE), capture_output=True, text=True, check=True).stdout.strip() + "/receptor"


def summary(name, seconds):
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name}: median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, worst {ms[-1]:.2f} ms ({len(ms)} requests)")


def main():
    work = tempfile.mkdtemp(prefix="receptor-bench-control-")
    store = os.path.join(work, "receptor.sqlite")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTOR_")}
    proc = None
    try:
        subprocess.run([BIN, "init", "--store", store, "--server", "MBX01", "--port-offset", "23000"], check=True, capture_output=True, env=env)
        log = open(os.path.join(work, "listen.log"), "w")
        proc = subprocess.Popen([BIN, "listen", "--store", store, "--control-port", "0", "--control-address", "127.0.0.1"],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
        endpoint = None
        end = time.time() + 60
        while endpoint is None and time.time() < end:
            status = json.loads(subprocess.run([BIN, "status", "--json", "--store", store], capture_output=True, text=True, env=env).stdout or "{}")
            listeners = status.get("listeners") or []
            if listeners and listeners[0].get("controlEndpoint"):
                endpoint, fingerprint = listeners[0]["controlEndpoint"], listeners[0]["controlFingerprint"]
            else:
                time.sleep(0.2)
        if endpoint is None:
            raise SystemExit("the listener registered no control endpoint")
        host, port = endpoint.rsplit(":", 1)
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        secret = con.execute("SELECT secret FROM control_secret").fetchone()[0]
        con.close()
        path = os.path.join(work, "listener-mbx01.sock")

        unix, tcp = [], []
        for _ in range(N):
            started = time.perf_counter()
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
                s.sendall(b'{"command":"snapshot"}\n')
                if '"snapshot"' not in s.makefile("r").readline():
                    raise SystemExit("no snapshot over the Unix socket")
            unix.append(time.perf_counter() - started)
            started = time.perf_counter()
            lines, _ = listener_tests.control_endpoint_exchange(host, int(port), fingerprint, secret)
            if '"snapshot"' not in lines[1]:
                raise SystemExit(f"no snapshot over the TCP endpoint: {lines}")
            tcp.append(time.perf_counter() - started)
        print(f"receptor: {BIN}")
        summary("snapshot over the Unix socket", unix)
        summary("snapshot over the TCP endpoint (TLS 1.3 + challenge-response)", tcp)
    finally:
        if proc and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=40)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
