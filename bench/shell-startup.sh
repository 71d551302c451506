#!/usr/bin/env bash
# The shell as scripts use it: `receptor shell -c 'Get-ReceiveConnector'` from process start to exit (median
# and worst of 20), on a store with the 5 default connectors and on one with 10,000; and with 10,000, the
# explainer (Test-ReceiveConnector) and the -WhatIf impact previews of New, Set and Remove. Release build
# (--static-swift-stdlib, as scripts/run builds it); never run it while something builds.
#
#   bench/shell-startup.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
BIN=${BIN:-}; [ -n "$BIN" ] || bench_binary --no-build
RUNS=${1:-20}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export RECEPTOR_STORE=$WORK/receptor.sqlite

timed() {   # LABEL COMMAND…: median and worst wall time of RUNS runs, output discarded
  python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, label, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    times.append((time.perf_counter() - start) * 1000)
    if p.returncode != 0:
        sys.exit(f"{label}: exit {p.returncode}: {p.stderr.decode()[:300]}")
print(f"{label:<58} median {statistics.median(times):7.1f} ms   worst {max(times):7.1f} ms   ({runs} runs)")
PY
}

"$BIN" init --server MBX01 --accepted-domain contoso.test >/dev/null
timed "Get-ReceiveConnector, 5 connectors" "$BIN" shell -c 'Get-ReceiveConnector'
timed "receptor status, 5 connectors" sh -c "\"$BIN\" status >/dev/null; true"

# 10,000 more: copies of a custom connector, each for one 10.x.y.1 address on 0.0.0.0:25 (written straight
# into the store: inserting them one by one through the shell would take far longer than the benchmark).
"$BIN" shell -c 'New-ReceiveConnector -Name "Relay 0" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 10.0.0.1 -PermissionGroups AnonymousUsers' >/dev/null
python3 - "$RECEPTOR_STORE" <<'PY'
import json, sqlite3, sys, uuid
con = sqlite3.connect(sys.argv[1])
# The routing columns beside the JSON (schema v4) are copied too, so the route read takes them, as it does for
# connectors written by Receptor.
(guid, server, data, created, changed, enabled, role, bindings, ranges) = con.execute(
    "SELECT guid, server, data, created_at, changed_at, enabled, transport_role, bindings, remote_ip_ranges FROM connectors WHERE name = 'Relay 0'").fetchone()
template = json.loads(data)
rows = []
for n in range(1, 10000):
    c = dict(template)
    g = str(uuid.uuid4()).upper()
    for key in list(c):
        if key.lower() == "guid": c[key] = g
        if key.lower() == "name": c[key] = f"Relay {n}"
    address = f"10.{n // 256}.{n % 256}.1"
    text = json.dumps(c, sort_keys=True).replace("10.0.0.1", address)
    rows.append((g if "-" in guid and guid.isupper() else g.lower(), server, f"Relay {n}", 1, text, created, changed,
                 enabled, role, bindings, ranges.replace("10.0.0.1", address)))
con.executemany("""INSERT INTO connectors (guid, server, name, revision, data, created_at, changed_at, enabled, transport_role, bindings,
                   remote_ip_ranges) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
con.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
con.commit()
PY
count=$("$BIN" shell -c '(Get-ReceiveConnector | Measure-Object).Count')
echo "store: $count connectors"
timed "Get-ReceiveConnector, 10,005 connectors" "$BIN" shell -c 'Get-ReceiveConnector'
timed "Test-ReceiveConnector, 10,005 connectors" "$BIN" shell -c 'Test-ReceiveConnector -RemoteIPAddress 10.3.7.1 -LocalEndPoint 25'
timed "New-ReceiveConnector -WhatIf (impact preview), 10,005" "$BIN" shell -c 'New-ReceiveConnector -Name "Wide" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 10.0.0.0/8 -PermissionGroups AnonymousUsers -WhatIf'
timed "Set-ReceiveConnector -WhatIf (impact preview), 10,005" "$BIN" shell -c 'Set-ReceiveConnector "Relay 775" -RemoteIPRanges 10.3.0.0/16 -WhatIf'
timed "Remove-ReceiveConnector -WhatIf (impact preview), 10,005" "$BIN" shell -c 'Remove-ReceiveConnector "Relay 775" -WhatIf'
