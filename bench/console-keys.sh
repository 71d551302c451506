#!/usr/bin/env bash
# Console responsiveness with 10,000 connectors in the store (issue 4): the time from a keystroke to the
# updated screen, median and p95 over 2,000 keys. The connectors are written straight into a scratch
# store (10,000 Custom connectors on 127.0.0.1, one port each), then consolebench (the console on the
# in-memory screen, a benchmark executable beside the product) measures. Then the same with the Explain view
# open (issue 15) on a second store whose 10,000 connectors all share one binding, each for one remote
# address (10.x.y.1), so the answer lists every one of them as a candidate.
#   bench/console-keys.sh [count]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-10000}
swift build -c release --product receptor >&2
swift build -c release --product consolebench >&2
BIN="$(swift build -c release --show-bin-path)/receptor"
BENCH="$(swift build -c release --show-bin-path)/consolebench"
WORK=$(mktemp -d /tmp/receptor-console-bench.XXXX)
trap 'rm -rf "$WORK"' EXIT
STORE=$WORK/receptor.sqlite
# make_store STORE MODE: MODE ports gives each connector a port of its own; shared binds all of them to
# 127.0.0.1:20000 with a remote address each.
make_store() {
"$BIN" init --store "$1" --server MBX01 --accepted-domain contoso.test --port-offset 10000 >/dev/null
"$BIN" shell --store "$1" -c 'New-ReceiveConnector -Name "Template" -TransportRole FrontendTransport -Custom -Bindings 127.0.0.1:20000 -RemoteIPRanges 10.0.0.1 -PermissionGroups AnonymousUsers' >/dev/null
python3 - "$1" "$COUNT" "$2" <<'PY'
import json, sqlite3, sys, uuid
store, count, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
db = sqlite3.connect(store)
cols = [r[1] for r in db.execute("PRAGMA table_info(connectors)")]
row = dict(zip(cols, db.execute("SELECT * FROM connectors WHERE name = 'Template'").fetchone()))
template = json.loads(row["data"])
for i in range(1, count):
    doc = dict(template)
    doc["name"] = f"Relay {i:05d}"
    doc["guid"] = str(uuid.uuid4()).upper()
    if mode == "ports":
        doc["bindings"] = [f"127.0.0.1:{20000 + i}"]
    else:
        doc["remoteIPRanges"] = [f"10.{i // 256}.{i % 256}.1"]
    values = dict(row, guid=doc["guid"], name=doc["name"], data=json.dumps(doc, sort_keys=True))
    db.execute(f"INSERT INTO connectors ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", [values[c] for c in cols])
db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
db.commit()
PY
}
make_store "$STORE" ports
"$BENCH" --store "$STORE" --keystrokes 2000
make_store "$WORK/explain.sqlite" shared
"$BENCH" --store "$WORK/explain.sqlite" --keystrokes 2000 --explain 10.3.7.1 127.0.0.1:20000
