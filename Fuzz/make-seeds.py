#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Corpus/<target>/) from the project's own material: the SMTP test
transcripts, the EMS commands of the seed article, the README and the CLI tests' fixtures, addresses from
the reference, and control-socket lines. Run it again after adding transcripts; the files are committed."""
import glob
import hashlib
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def write(target, data):
    folder = os.path.join(HERE, "Corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def smtp():
    for path in sorted(glob.glob(os.path.join(ROOT, "Tests/ReceptorSMTPTests/Fixtures/Transcripts/*.txt"))):
        client = [line[3:] for line in open(path).read().splitlines() if line.startswith("C: ")]
        stream = "".join(line.replace("\\r\\n", "\r\n") + "\r\n" for line in client).encode()
        client_frontend = "Client Frontend" in open(path).read()
        for mode, chunk in [(0 if client_frontend else 1, 255), (2 if client_frontend else 3, 7), (16, 0)]:
            write("FuzzSMTP", bytes([mode, chunk]) + stream)


def ems():
    lines = set()
    texts = [open(p).read() for p in [os.path.join(ROOT, "README.md"),
                                     os.path.join(ROOT, "..", "shared", "seeds", "custom-receive-connectors.md")]
             if os.path.exists(p)]
    for text in texts:
        for m in re.finditer(r"((?:New|Set|Get|Remove|Add)-[A-Za-z]+[^\n`]*)", text):
            line = m.group(1).strip().rstrip("'\"")
            if len(line) < 400:
                lines.add(line)
    lines.update([
        "Get-Thing | where {$_.Count -gt 1 -and $_.Name -like 'Thing*'} | Format-List Name,Count",
        "Get-Thing | Sort-Object Count -Descending | Select-Object -First 2 | ConvertTo-Json",
        "$x = @{Add='a','b'; Remove='c'}; $x",
        "Get-Thing | ForEach-Object { $_.Tags } | Measure-Object",
        "1..5 | where { $_ % 2 -eq 0 }",
        "'a,b' -split ',' -join ';'",
        "Get-Thing | ft Name,@{n='Twice';e={$_.Count * 2}}",
    ])
    for line in sorted(lines):
        write("FuzzEMS", line)


def addresses():
    for text in ["10.10.1.1", "0.0.0.0", "::", "[::]:", "[::]:25", "0.0.0.0:25", "10.10.1.1:25", "17.17.17.1/24",
                 "192.168.10.5", "10.1.2.10-10.1.2.20", "2001:db8::/32", "[2001:db8::1]:587", "::ffff:10.0.0.1",
                 "fe80::1%eth0", "10.0.0.0/255.255.0.0", "36MB", "10 MB (10,485,760 bytes)", "unlimited",
                 "00:05:00", "1.00:00:00", "7.00:00:00", "MBX01\\Default Frontend MBX01", "Relay [old]"]:
        write("FuzzAddresses", text)


def control():
    snapshot = {"type": "snapshot", "server": "MBX01", "pid": 42, "generation": 7, "bindings": [{"endpoint": "0.0.0.0:25", "state": "listening"}],
                "sessions": [{"id": "08DC", "connector": "MBX01\\Default Frontend MBX01", "remote": "203.0.113.7:51234",
                              "local": "10.0.0.5:25", "state": "DATA", "messages": 1, "bytes": 1024,
                              "startedAt": "2026-11-29T10:00:00Z", "lastActivity": "2026-11-29T10:00:01Z"}],
                "counters": {"MBX01\\Default Frontend MBX01": {"connectionsNow": 1, "connectionsTotal": 9, "messagesAccepted": 3,
                                                              "messagesRejected": 0, "relayDenied": 0, "authFailures": 0,
                                                              "tarpitted": 0, "bytes": 4096}}}
    write("FuzzControlWire", json.dumps(snapshot))
    write("FuzzControlWire", json.dumps({"type": "transcript", "sessionID": "08DC", "lines": [
        {"time": "2026-11-29T10:00:00.000Z", "sequence": 3, "event": "<", "data": "EHLO x", "context": ""}]}))
    write("FuzzControlWire", json.dumps({"type": "tick", "time": "2026-11-29T10:00:00Z", "counters": {}, "sessions": [],
                                         "delivery": {"syncMode": "filesystem", "messages": 3, "failures": 0, "syncs": 1,
                                                      "syncSeconds": 0.001, "longestSync": 0.001, "waitSeconds": 0.003,
                                                      "longestWait": 0.001}}))
    write("FuzzControlWire", json.dumps({"generation": 3, "bindings": [{"endpoint": "[::]:25", "state": "failed", "reason": "in use"}],
                                         "sessions": 2, "configError": "bad"}))


smtp()
ems()
addresses()
control()
