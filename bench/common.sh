# Sourced by the bench scripts: the release binary, a benchmark store, waiting for the listener.

# The release build's binary in BIN (building it first unless told not to: `bench_binary --no-build`).
bench_binary() {
  if [ "${1:-}" != --no-build ]; then swift build -c release --static-swift-stdlib --product receptor >&2; fi
  BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/receptor"
  [ -x "$BIN" ] || { echo "bench: no release build; run: swift build -c release --static-swift-stdlib --product receptor" >&2; exit 1; }
}

# bench_need_smtp_source SCRIPT: Postfix's smtp-source on PATH (Debian puts it in /usr/sbin), or a clear
# error naming SCRIPT and the package.
bench_need_smtp_source() {
  command -v smtp-source >/dev/null || PATH=$PATH:/usr/sbin
  command -v smtp-source >/dev/null || { echo "$1: smtp-source is missing (apt-get install postfix)" >&2; exit 1; }
}

# bench_store STORE PORT_OFFSET [more Set-ReceiveConnector parameters]
# A Mailbox server BENCH whose Default Frontend accepts the benchmark's recipient domain (example.com)
# without the per-source connection limits and tarpit, so 50 sessions from 127.0.0.1 are not throttled, and
# the mailbox rcpt@example.com the benchmarks send to (recipient validation is on, as by default).
bench_store() {
  "$BIN" init --store "$1" --server BENCH --accepted-domain example.com --port-offset "$2" >/dev/null
  "$BIN" shell --store "$1" -c "New-Mailbox -Name rcpt -UserPrincipalName rcpt@example.com -Password (ConvertTo-SecureString -String 'Bench-only-1' -AsPlainText -Force)" >/dev/null
  "$BIN" shell --store "$1" -c "Set-ReceiveConnector \"Default Frontend BENCH\" -MaxInboundConnection unlimited -MaxInboundConnectionPerSource unlimited -MaxInboundConnectionPercentagePerSource 100 -TarpitInterval 00:00:00 ${3:-}"
}

# bench_many_connectors STORE COUNT MODE: a store (made with $BIN) whose server MBX01 has its five default
# connectors and COUNT - 1 Frontend relays beside a template (written straight into the store: one by one through
# the shell would take far longer than the benchmarks). MODE ports gives each relay a port of its own on
# 127.0.0.1; shared binds all of them to 127.0.0.1:20000 with a remote address each.
bench_many_connectors() {
  "$BIN" init --store "$1" --server MBX01 --accepted-domain contoso.test --port-offset 10000 >/dev/null
  "$BIN" shell --store "$1" -c 'New-ReceiveConnector -Name "Template" -TransportRole FrontendTransport -Custom -Bindings 127.0.0.1:20000 -RemoteIPRanges 10.0.0.1 -PermissionGroups AnonymousUsers' >/dev/null
  python3 - "$1" "$2" "$3" <<'PY'
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
    if "bindings" in cols:  # schema v4's routing columns (RouteColumns: the JSON's texts joined by ",")
        values.update(bindings=",".join(doc["bindings"]), remote_ip_ranges=",".join(doc["remoteIPRanges"]))
    db.execute(f"INSERT INTO connectors ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", [values[c] for c in cols])
db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
db.commit()
PY
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (5 s at most).
wait_port() {
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# kworker_ticks: "pid ticks" (user + system CPU ticks so far) for each of the kernel's worker threads. The
# writeback threads (kworker/*flush*) do part of every syncfs. Workers come and go, so compare two of these
# with kworker_delta, which counts only the workers present in both (never a negative share).
kworker_ticks() {
  for s in /proc/[0-9]*/stat; do read -r line <"$s" 2>/dev/null || continue; case $line in *"(kworker/"*) echo "$line";; esac; done |
    awk '{print $1, $14 + $15}'
}

# kworker_delta BEFORE AFTER: the ticks the workers present in both snapshots spent in between.
kworker_delta() {
  awk 'NR == FNR {before[$1] = $2; next} ($1 in before) {t += $2 - before[$1]} END {print t + 0}' <(echo "$1") <(echo "$2")
}

# bench_fresh_fs DIR: mounts a new, empty file system on DIR (as root: an ext4 image on a loop device, made for
# the purpose; BENCH_FS=shared, or not root, leaves DIR on the file system it is on). Why: ext4 slows the
# allocation of inodes near ones freed recently (every message's scratch file), so a run that follows another
# run's deletions pays for them — up to a third of the listener's CPU (BENCHMARKS.md, "File system"). The loop
# device's flushes reach the disk beneath, so delivery stays durable; the figures are not comparable with a run
# on the plain disk. bench_unmount_fresh_fs unmounts them all (call it from the script's cleanup).
BENCH_FS=${BENCH_FS:-$([ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null && echo loop || echo shared)}
BENCH_MOUNTS=()
bench_fresh_fs() {
  [ "$BENCH_FS" = loop ] || return 0
  local image=$1.img
  truncate -s "${BENCH_FS_SIZE:-16G}" "$image"
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$image"
  mount -o loop "$image" "$1"
  BENCH_MOUNTS+=("$1")
}
bench_unmount_fresh_fs() {
  local m
  for m in "${BENCH_MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; rm -f "$m.img"; done
  BENCH_MOUNTS=()
}
