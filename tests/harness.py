"""The small test runner the end-to-end suites share: runs every test_* function of a module (or those whose
names contain one of the command-line arguments), prints PASS/FAIL lines and the closing
"N passed, N failed" line, and returns the exit status."""
import os
import sys
import time
import traceback


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
