#!/usr/bin/env bash
# The listener's memory over many sessions: RSS after each batch of messages, with a connection per message
# and over reused connections. A listener that keeps anything per closed session grows batch after batch
# (the sixth session found one: ~7 KB per connection, 112 MB after 10,000 messages and 390 MB after 50,000);
# a sound one stays flat once its caches are warm.
#
#   bench/memory-growth.sh                    # 5 batches of 10,000 messages, 50 sessions, 1 KB, both modes
#   BATCHES=10 N=20000 MODES=conn bench/memory-growth.sh
#
# Uses the release build (swift build -c release --static-swift-stdlib --product receptor first; never build while this runs).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bench_binary --no-build
bench_need_smtp_source memory-growth
N=${N:-10000}
BATCHES=${BATCHES:-5}
ulimit -n "$(ulimit -Hn)"
for mode in ${MODES:-conn reuse}; do
  WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-memory.XXXX")
  bench_store "$WORK/receptor.sqlite" 30000 "-ProtocolLoggingLevel None"
  "$BIN" listen --store "$WORK/receptor.sqlite" --log-level warning 2>"$WORK/listen.log" &
  LPID=$!
  trap 'kill $LPID 2>/dev/null || true; wait $LPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
  wait_port 30025
  args=""; [ "$mode" = reuse ] && args=-d   # smtp-source -d: don't disconnect, reuse the session
  line="$mode: RSS MB after"
  for i in $(seq "$BATCHES"); do
    # shellcheck disable=SC2086
    timeout 300 smtp-source $args -s 50 -l 1024 -m "$N" -f a@example.com -t rcpt@example.com 127.0.0.1:30025
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$LPID/status")
    line="$line  $((i * N)): $(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')"
  done
  echo "$line"
  kill "$LPID"; wait "$LPID" 2>/dev/null || true
  rm -rf "$WORK"
  trap - EXIT
done
