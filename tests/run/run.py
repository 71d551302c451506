#!/usr/bin/env python3
"""End-to-end test of the README's run command, `scripts/run`, on a fresh data directory: everything but
opening the console (`scripts/run --no-console`). It builds, creates the store, starts the listener in the
background and confirms it runs; a second run finds it running and starts no other.

Runs every test_* function; prints one line per failure and a closing "N passed, N failed" line.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import harness  # noqa: E402
from harness import assert_eq, assert_in  # noqa: E402


def receptor_bin():
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    return os.path.join(out, "receptor")


def test_run_creates_the_store_and_starts_one_listener():
    home = tempfile.mkdtemp(prefix="receptor-run-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTOR_")}
    # A fresh user's data directory; ports well below the ephemeral range, away from the real 25 and 587.
    env.update({"HOME": home, "XDG_DATA_HOME": os.path.join(home, "data"), "RECEPTOR_PORT_OFFSET": "19000"})
    store = os.path.join(home, "data", "receptor", "receptor.sqlite")
    pids = []
    try:
        first = subprocess.run([os.path.join(ROOT, "scripts", "run"), "--no-console"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=1800)
        assert_eq(first.returncode, 0, f"scripts/run exit status (stderr: {first.stderr[-2000:]})")
        assert_in("Listener started in the background", first.stderr)
        assert_eq(os.path.exists(store), True, "store created")

        binary = receptor_bin()
        status = subprocess.run([binary, "status", "--store", store, "--json"], env=env, capture_output=True, text=True)
        assert_eq(status.returncode, 0, "receptor status exit status with the listener running")
        listeners = json.loads(status.stdout)["listeners"]
        assert_eq(len(listeners), 1, "listeners registered")
        pids.append(listeners[0]["pid"])
        assert_eq(listeners[0]["responding"], True, "responding")

        # The default connectors listen at the offset ports.
        bindings = {b["endpoint"]: b["state"] for b in listeners[0]["status"]["bindings"]}
        assert_eq(bindings.get("0.0.0.0:19025"), "listening", f"Default Frontend's socket ({bindings})")

        second = subprocess.run([os.path.join(ROOT, "scripts", "run"), "--no-console"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=600)
        assert_eq(second.returncode, 0, f"second scripts/run exit status (stderr: {second.stderr[-2000:]})")
        assert_in("already running", second.stderr)
        status = subprocess.run([binary, "status", "--store", store, "--json"], env=env, capture_output=True, text=True)
        assert_eq(len(json.loads(status.stdout)["listeners"]), 1, "listeners after a second run")
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(200):
                    os.kill(pid, 0)
                    time.sleep(0.1)
            except ProcessLookupError:
                pass
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    # The "binary" under test is scripts/run itself; it builds receptor.
    sys.exit(harness.run(globals(), os.path.join(ROOT, "scripts", "run")))
