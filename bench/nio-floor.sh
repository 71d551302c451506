#!/usr/bin/env bash
# The floor under the listener's event loops: smtp-sink beside niosink (an SMTP sink on SwiftNIO with
# nothing else: no engine, no files; Sources/niosink) and `receptor listen`, in one interleaved run of
# ../shared/bench/smtp-throughput.sh. Whatever niosink cannot do, no change to Receptor's own code can.
#
#   bench/nio-floor.sh                      # 50 sessions, 1 KB, both modes, 3 repeats of 10,000 messages
#   REPS=5 MODES=reuse bench/nio-floor.sh
#
# Builds both in release mode first (never run it while something else builds). Stops what it starts by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED_BENCH:-$(cd .. && pwd)/shared/bench}
. bench/common.sh
bench_binary
swift build -c release --product niosink >&2
NIOSINK="$(swift build -c release --show-bin-path)/niosink"
bench_need_smtp_source nio-floor
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-nio-floor.XXXX")
bench_store "$WORK/receptor.sqlite" 30000 "-ProtocolLoggingLevel None"
ulimit -n "$(ulimit -Hn)"
"$BIN" listen --store "$WORK/receptor.sqlite" --log-level warning 2>"$WORK/listen.log" &
LPID=$!
"$NIOSINK" 2626 &
NPID=$!
trap 'kill $LPID $NPID 2>/dev/null; wait $LPID $NPID 2>/dev/null; rm -rf "$WORK"' EXIT
wait_port 30025; wait_port 2626
"$SHARED/smtp-throughput.sh" -r "${REPS:-3}" -m "${MSGS:-10000}" --sink -s "${SESSIONS:-50}" -l "${SIZE:-1024}" \
  -d "${MODES:-conn reuse}" --idle-wait 60 "127.0.0.1:2626=niosink@$NPID" "127.0.0.1:30025=receptor@$LPID"
