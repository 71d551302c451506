#!/usr/bin/env bash
# The floor under the listener's per-message file-system cost: a C program doing only the system calls durable
# Maildir delivery needs (create, write, close; one syncfs per round; link into new/, unlink the scratch name),
# beside the CPU the kernel's writeback threads spend for it. Compare with the listener's writer and syncer
# threads (BENCHMARKS.md, "Where the CPU goes"). Then the same for the other durable design, journal first
# (bench/journal-floor.c: an append and a shared fdatasync before the 250, Maildir delivery after it, a syncfs
# per CHECKPOINT messages). Needs a C compiler (cc).
#
#   bench/fs-floor.sh                 # 20,000 messages of 1,200 bytes, rounds of 12 (what 50 sessions give)
#   N=20000 SIZE=1200 ROUND=12 CHECKPOINT=1000 bench/fs-floor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cc >/dev/null || { echo "fs-floor: no C compiler (apt-get install gcc)" >&2; exit 1; }
BUILD=$(mktemp -d)
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-fs-floor.XXXX")
trap 'rm -rf "$BUILD" "$WORK"' EXIT
cc -O2 -o "$BUILD/fs-floor" bench/fs-floor.c
cc -O2 -o "$BUILD/journal-floor" bench/journal-floor.c
. bench/common.sh
# run NAME COMMAND...: a fresh Maildir for COMMAND (MAILDIR in its arguments), and the kworkers' CPU meanwhile.
run() {
  local name=$1; shift
  MAILDIR=$WORK/$name/mailboxes/example.com/rcpt/Maildir
  mkdir -p "$MAILDIR/tmp" "$MAILDIR/new" "$MAILDIR/cur"
  local k0; k0=$(kworker_ticks)
  "$@"
  local k1; k1=$(kworker_ticks)
  python3 -c "print(f'  kernel worker threads meanwhile: {$(kworker_delta "$k0" "$k1") / $(getconf CLK_TCK) / ${N:-20000} * 1e6:.1f} us/msg of CPU (all kworkers, whatever else they did)')"
}
MAILDIR=$WORK/group/mailboxes/example.com/rcpt/Maildir
run group "$BUILD/fs-floor" "$MAILDIR" "${N:-20000}" "${SIZE:-1200}" "${ROUND:-12}"
MAILDIR=$WORK/journal/mailboxes/example.com/rcpt/Maildir
run journal "$BUILD/journal-floor" "$MAILDIR" "$WORK/journal/journal" "${N:-20000}" "${SIZE:-1200}" "${ROUND:-12}" "${CHECKPOINT:-1000}"
