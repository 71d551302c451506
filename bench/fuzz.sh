#!/usr/bin/env bash
# The long fuzzing run the README records: every fuzz target for 10 minutes (or $1 seconds) from its
# committed seeds, with a fixed seed. scripts/test runs the same targets for 30 seconds each.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/fuzz "${1:-600}"
