#!/usr/bin/env bash
# A ladder from the floor to the listener, in one interleaved run of ../shared/bench/smtp-throughput.sh:
# smtp-sink; niosink (an SMTP sink on SwiftNIO with nothing else: no engine, no files; Sources/niosink);
# niosink-engine (the same pipeline running Receptor's SMTP engine, every message "queued" without a file);
# niosink-floor (no engine; the least a group commit can do: a plain scratch file per message written on a
# writer thread, one syncfs per round, a link into new/, then the 250 — no message store of this design does
# less); niosink-journal (no engine; the other design, Exchange's: each message appended to one journal file,
# one fdatasync per round, the 250, then Maildir delivery off the 250's path); niosink-durable (no engine, each message through Receptor's message store: Maildir, sealed scratch
# names, group commit, the 250 once durable); niosink-engine-durable (both); and `receptor listen` (all that plus the listener's
# bookkeeping). Each step's loss is what that layer costs; whatever niosink cannot do, no change to Receptor's
# own code can.
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
swift build -c release --static-swift-stdlib --product niosink >&2
NIOSINK="$(swift build -c release --static-swift-stdlib --show-bin-path)/niosink"
bench_need_smtp_source nio-floor
WORK=$(mktemp -d "${BENCH_DIR:-}/receptor-nio-floor.XXXX")
mkdir -p "$WORK/floor" "$WORK/journal" "$WORK/durable" "$WORK/engine-durable"
bench_store "$WORK/receptor.sqlite" 30000 "-ProtocolLoggingLevel None"
ulimit -n "$(ulimit -Hn)"
"$BIN" listen --store "$WORK/receptor.sqlite" --log-level warning 2>"$WORK/listen.log" &
LPID=$!
"$NIOSINK" 2626 &
NPID=$!
"$NIOSINK" 2627 engine &
EPID=$!
NIOSINK_DATA=$WORK/floor "$NIOSINK" 2630 floor-writer &
FPID=$!
NIOSINK_DATA=$WORK/journal "$NIOSINK" 2631 journal &
JPID=$!
NIOSINK_DATA=$WORK/durable "$NIOSINK" 2628 durable &
DPID=$!
NIOSINK_DATA=$WORK/engine-durable "$NIOSINK" 2629 engine durable &
EDPID=$!
trap 'kill $LPID $NPID $EPID $FPID $JPID $DPID $EDPID 2>/dev/null || true; wait $LPID $NPID $EPID $FPID $JPID $DPID $EDPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_port 30025; wait_port 2626; wait_port 2627; wait_port 2628; wait_port 2629; wait_port 2630; wait_port 2631
"$SHARED/smtp-throughput.sh" -r "${REPS:-3}" -m "${MSGS:-10000}" --sink -s "${SESSIONS:-50}" -l "${SIZE:-1024}" \
  -d "${MODES:-conn reuse}" --idle-wait 60 "127.0.0.1:2626=niosink@$NPID" \
  "127.0.0.1:2627=niosink-engine@$EPID" "127.0.0.1:2630=niosink-floor@$FPID" \
  "127.0.0.1:2631=niosink-journal@$JPID" "127.0.0.1:2628=niosink-durable@$DPID" \
  "127.0.0.1:2629=niosink-engine-durable@$EDPID" "127.0.0.1:30025=receptor@$LPID"
