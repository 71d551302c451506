"""The small test runner the end-to-end suites share: runs every test_* function of a module (or those whose
names contain one of the command-line arguments), prints PASS/FAIL lines and the closing
"N passed, N failed" line, and returns the exit status."""
import os
import subprocess
import sys
import time
import traceback
import urllib.parse
import uuid


def assert_in(needle, haystack, what="output"):
    if needle not in haystack:
        raise AssertionError(f"{what} does not contain {needle!r}:\n{haystack}")


def assert_eq(a, b, what="value"):
    if a != b:
        raise AssertionError(f"{what}: {a!r} != {b!r}")


def run(namespace, binary):
    if not binary or not os.path.exists(binary):
        print("RECEPTOR_BIN is not set to the receptor binary", file=sys.stderr)
        return 2
    tests = [(n, f) for n, f in sorted(namespace.items()) if n.startswith("test_") and callable(f)]
    only = sys.argv[1:]
    passed = failed = 0
    for name, fn in tests:
        if only and not any(o in name for o in only):
            continue
        start = time.time()
        try:
            fn()
            passed += 1
            print(f"PASS {name} ({time.time() - start:.1f}s)", flush=True)
        except Exception as e:
            failed += 1
            print(f"FAIL {name}: {e}", flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def psql(uri, sql):
    """One statement on a PostgreSQL database; its first value (psql -tA)."""
    p = subprocess.run(["psql", uri, "-v", "ON_ERROR_STOP=1", "-tAc", sql], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise AssertionError(f"psql {sql}: {p.stderr.strip()}")
    return p.stdout.strip()


class PostgresDatabase:
    """A database of its own on the test cluster scripts/test starts (RECEPTOR_TEST_POSTGRES; a cluster of your
    own: scripts/test-postgres start DIR, then export the URI it prints), dropped by drop()."""

    def __init__(self):
        self.admin = os.environ.get("RECEPTOR_TEST_POSTGRES", "")
        if not self.admin:
            raise AssertionError("RECEPTOR_TEST_POSTGRES is not set, so this test on PostgreSQL did NOT run "
                                 "(scripts/test sets it; or scripts/test-postgres start DIR and export the URI it prints)")
        self.name = "receptor_e2e_" + uuid.uuid4().hex
        psql(self.admin, f"CREATE DATABASE {self.name}")
        self.uri = urllib.parse.urlunsplit(urllib.parse.urlsplit(self.admin)._replace(path="/" + self.name))

    def terminate_backends(self):
        """pg_terminate_backend on every connection to the database (the listener's feed and its store)."""
        return int(psql(self.admin, f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{self.name}'"))

    def allow_connections(self, allowed):
        psql(self.admin, f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS {'true' if allowed else 'false'}")

    def drop(self):
        end = time.time() + 30
        while True:   # a test that restarted the cluster may end before it accepts connections again
            try:
                return psql(self.admin, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            except AssertionError:
                if time.time() > end:
                    raise
                time.sleep(0.2)
