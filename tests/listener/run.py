#!/usr/bin/env python3
"""Integration tests of `receptor listen` on loopback with real clients (Python smtplib, swaks).

Each test makes a store with `receptor init --port-offset N`, starts the listener, talks SMTP, and stops the
listener by its PID. Every loop is bounded in count and time. Prints "N passed, N failed".
"""
import glob
import json
import os
import resource
import shutil
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import assert_eq, assert_in, psql, PostgresDatabase  # noqa: E402,F401

BIN = os.environ.get("RECEPTOR_BIN") or shutil.which("receptor")
_offsets = iter(range(20000, 40000, 137))


class Listener:
    def __init__(self, role="Mailbox", server="MBX01", recipient_validation=False, store=None, env=None):
        """A store with one server. Most tests send to made-up local parts of contoso.test, so recipient
        validation (on by default in the product) is turned off unless the test is about it. `store` is an
        SQLite file in a temporary folder (the data directory) unless given (a PostgreSQL URI: the data directory
        is then $XDG_DATA_HOME/receptor/<server>, with XDG_DATA_HOME in the temporary folder)."""
        self.dir = tempfile.mkdtemp(prefix="receptor-listen-")
        self.env = dict(env or {})
        if store is None:
            self.store = os.path.join(self.dir, "receptor.sqlite")
            self.data_dir = self.dir
        else:
            self.store = store
            self.env["XDG_DATA_HOME"] = os.path.join(self.dir, "xdg")
            self.data_dir = os.path.join(self.dir, "xdg", "receptor", server.lower())
        self.offset = next(_offsets)
        self.proc = None
        self.run("init", "--server", server, "--role", role, "--accepted-domain", "contoso.test", "--port-offset", str(self.offset))
        if not recipient_validation:
            self.shell("Set-RecipientFilterConfig -RecipientValidationEnabled $false")

    def port(self, p):
        return p + self.offset

    def run(self, *args, check=True):
        p = subprocess.run([BIN, *args, "--store", self.store], capture_output=True, text=True, env=self.child_env(), timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"receptor {' '.join(args)}: {p.stderr.strip()}")
        return p

    def shell(self, line, check=True):
        return self.run("shell", "-c", line, check=check)

    def change(self, line):
        """Runs a configuration command and waits until the listener has applied it."""
        out = self.shell(line)
        self.wait_applied()
        return out

    def child_env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTOR_") and k != "XDG_DATA_HOME"}
        env.update(self.env)
        return env

    def store_generation(self):
        if self.store.startswith("postgresql://"):
            return int(psql(self.store, "SELECT generation FROM store_generation"))
        con = sqlite3.connect(f"file:{self.store}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        finally:
            con.close()

    def control(self, command):
        path = glob.glob(os.path.join(self.data_dir, "listener-*.sock"))[0]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(path)
            s.sendall(json.dumps({"command": command}).encode() + b"\n")
            return json.loads(s.makefile("r").readline())

    def wait_applied(self, timeout=15):
        """Waits until the listener runs the store's current generation (a fixed sleep is a race on a busy CI)."""
        want = self.store_generation()
        end = time.time() + timeout
        while time.time() < end:
            if self.control("snapshot")["generation"] >= want:
                return
            time.sleep(0.02)
        raise AssertionError(f"the listener did not apply generation {want} within {timeout}s; log:\n{self.log_text()}")

    def wait_status(self, text, timeout=20):
        """Polls `receptor status` (fed by the listener's heartbeat, every 5 s) until it shows text."""
        end = time.time() + timeout
        status = ""
        while time.time() < end:
            status = self.run("status").stdout
            if text in status:
                return status
            time.sleep(0.5)
        raise AssertionError(f"`receptor status` never showed {text!r}:\n{status}")

    def start(self, *listen_args, preexec_fn=None):
        self.log = open(os.path.join(self.dir, "listen.log"), "w")
        self.proc = subprocess.Popen([BIN, "listen", "--store", self.store, *listen_args], stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=preexec_fn, env=self.child_env())
        self.wait_port(self.port(25))
        return self

    def wait_port(self, port, host="127.0.0.1", timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            try:
                with socket.create_connection((host, port), timeout=1) as s:
                    s.recv(512)
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"nothing listens on {host}:{port}; log:\n{self.log_text()}")

    def rss_kb(self):
        """The listener process's resident memory, in KB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    def log_text(self):
        try:
            return open(os.path.join(self.dir, "listen.log")).read()[-3000:]
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def maildir(self, address):
        local, domain = address.split("@")
        return sorted(glob.glob(os.path.join(self.data_dir, "mailboxes", domain, local, "Maildir", "new", "*")))

    def protocol_log(self, service="FrontEnd"):
        text = ""
        for f in sorted(glob.glob(os.path.join(self.data_dir, "logs", service, "ProtocolLog", "SmtpReceive", "*.log"))):
            text += open(f).read()
        return text


def wait_closed_port(port, timeout):
    """Until 127.0.0.1:port refuses connections (a removed connector's socket closed)."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            time.sleep(0.02)
        except OSError:
            return
    raise AssertionError(f"127.0.0.1:{port} still accepts connections after {timeout}s")


def smtp(port, source="127.0.0.1", host="127.0.0.1"):
    c = smtplib.SMTP(timeout=10, source_address=(source, 0))
    c.connect(host, port)
    return c




def expect_reply(reply, code, text, what):
    got_code, got_text = reply[0], reply[1].decode() if isinstance(reply[1], bytes) else reply[1]
    if got_code != code or text not in got_text:
        raise AssertionError(f"{what}: expected {code} {text!r}, got {got_code} {got_text!r}")


# --------------------------------------------------------------------------------------------- tests

def test_telnet_transcript_and_maildir():
    l = Listener().start()
    try:
        out = subprocess.run(["swaks", "--server", f"127.0.0.1:{l.port(25)}", "--to", "someone@contoso.test",
                              "--from", "chris@fabrikam.test", "--timeout", "10"], capture_output=True, text=True, timeout=30)
        assert_eq(out.returncode, 0, f"swaks exit ({out.stdout[-800:]})")
        assert_in("220 mbx01.contoso.test Receptor ESMTP MAIL Service ready at", out.stdout)
        assert_in("250-mbx01.contoso.test Hello [127.0.0.1]", out.stdout)
        assert_in("250 2.1.0 Sender OK", out.stdout)
        assert_in("250 2.1.5 Recipient OK", out.stdout)
        assert_in("354 Start mail input; end with <CRLF>.<CRLF>", out.stdout)
        assert_in("Queued mail for delivery", out.stdout)
        assert_in("221 2.0.0 Service closing transmission channel", out.stdout)
        files = l.maildir("someone@contoso.test")
        assert_eq(len(files), 1, "messages in Maildir")
        text = open(files[0]).read()
        assert_in("Received: from ", text)
        assert_in("by mbx01.contoso.test", text)
        assert_in("Default Frontend MBX01", text)
        assert_in("X-Receptor-AuthAs: Anonymous", text)
        assert_eq(oct(os.stat(files[0]).st_mode & 0o777), oct(0o600), "message file mode")
        # `receptor status` reports durable delivery (the next heartbeat publishes it).
        l.wait_status("delivery: 1 message durable in ")
    finally:
        l.cleanup()


def test_no_relay_without_permission_on_any_default_connector():
    l = Listener().start()
    try:
        for port in [25, 587, 717, 465, 2525]:
            c = smtp(l.port(port))
            c.ehlo("client.fabrikam.test")
            code, msg = c.mail("a@fabrikam.test")
            if code == 250:
                code, msg = c.rcpt("b@elsewhere.test")
                expect_reply((code, msg), 550, "5.7.1 Unable to relay", f"relay on port {port}")
            else:
                expect_reply((code, msg), 530, "5.7.1 Client was not authenticated", f"MAIL on port {port}")
            c.quit()
    finally:
        l.cleanup()


def test_relay_connector_with_add_adpermission():
    l = Listener().start()
    try:
        l.shell(f'New-ReceiveConnector -Name Relay -TransportRole FrontendTransport -Custom -Bindings 0.0.0.0:{l.port(25)} '
                f'-RemoteIPRanges 127.0.0.5 -PermissionGroups AnonymousUsers')
        l.change('Get-ReceiveConnector Relay | Add-ADPermission -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights ms-Exch-SMTP-Accept-Any-Recipient')
        c = smtp(l.port(25), source="127.0.0.5")
        c.ehlo("app.contoso.test")
        expect_reply(c.mail("app@contoso.test"), 250, "Sender OK", "MAIL from the relay host")
        expect_reply(c.rcpt("someone@elsewhere.test"), 250, "Recipient OK", "relay from inside the range")
        expect_reply(c.data(b"Subject: relayed\r\n\r\nhello\r\n"), 250, "Queued mail for delivery", "relayed DATA")
        c.quit()
        queued = glob.glob(os.path.join(l.dir, "queue", "relay", "*.eml"))
        assert_eq(len(queued), 1, "relay queue files")
        c = smtp(l.port(25), source="127.0.0.6")
        c.ehlo("outsider.test")
        c.mail("x@outsider.test")
        expect_reply(c.rcpt("someone@elsewhere.test"), 550, "5.7.1 Unable to relay", "relay from outside the range")
        c.quit()
    finally:
        l.cleanup()


def test_banner_reload_keeps_open_sessions():
    l = Listener().start()
    try:
        before = smtp(l.port(25))
        banner_before = before.ehlo_resp  # not greeted yet
        l.shell('Set-ReceiveConnector "MBX01\\Default Frontend MBX01" -Banner "220 changed"')
        deadline = time.time() + 1.0
        seen = None
        while time.time() < deadline:
            s = socket.create_connection(("127.0.0.1", l.port(25)), timeout=2)
            seen = s.recv(512).decode()
            s.close()
            if seen.startswith("220 changed"):
                break
            time.sleep(0.02)
        assert_eq(seen.strip(), "220 changed", "banner within a second")
        # The session opened before the change still works with its own settings.
        code, _ = before.ehlo("old.session.test")
        assert_eq(code, 250, "old session EHLO")
        expect_reply(before.mail("a@fabrikam.test"), 250, "Sender OK", "old session MAIL")
        before.quit()
    finally:
        l.cleanup()


def test_new_connector_listens_and_remove_closes():
    l = Listener().start()
    try:
        port = l.port(2600)
        start = time.time()
        l.shell(f'New-ReceiveConnector -Name Extra -TransportRole FrontendTransport -Internet -Bindings 127.0.0.1:{port}')
        l.wait_port(port, timeout=1)
        took = time.time() - start
        l.shell('Remove-ReceiveConnector Extra -Confirm:$false')
        wait_closed_port(port, 1.0)
        status = l.run("status").stdout
        assert_in("listening", status)
        if took > 2:
            raise AssertionError(f"new binding took {took:.2f}s")
    finally:
        l.cleanup()


def test_protocol_log_format():
    l = Listener().start()
    try:
        l.shell('New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String "S3cret!pw" -AsPlainText -Force)')
        l.change('Set-ReceiveConnector "Client Frontend MBX01" -ProtocolLoggingLevel Verbose -AuthMechanism Tls,BasicAuth')
        c = smtp(l.port(587))
        c.ehlo("client.test")
        try:
            c.login("kate@contoso.test", "S3cret!pw")
        except smtplib.SMTPException as e:
            raise AssertionError(f"AUTH failed: {e}")
        c.quit()
        c = smtp(l.port(25))
        c.ehlo("x.test")
        c.quit()
        # The log is written a moment after the session ends: wait for both sessions' disconnect lines.
        end = time.time() + 10
        log = ""
        while time.time() < end and sum(",-," in x for x in log.splitlines()) < 2:
            time.sleep(0.05)
            log = l.protocol_log("FrontEnd")
        assert_in("#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context", log)
        assert_in("#Log-type: SMTP Receive Protocol Log", log)
        lines = [x for x in log.splitlines() if x and not x.startswith("#")]
        for x in lines[:5]:
            if len(next(__import__("csv").reader([x]))) != 9:
                raise AssertionError(f"not nine fields: {x}")
        events = {next(__import__("csv").reader([x]))[6] for x in lines}
        for e in "+-<>":
            assert_in(e, events, "event symbols")
        if "S3cret!pw" in log or "UzNjcmV0IXB3" in log:
            raise AssertionError("AUTH data in the protocol log")
        assert_in("Client Frontend MBX01", log)
    finally:
        l.cleanup()


def test_a_delivery_that_cannot_be_written_gets_451_and_others_go_on():
    """A mailbox folder that cannot be created (a file is in its way): that message gets 451 4.3.0, the
    session goes on, and messages to other mailboxes in the same moment are delivered."""
    l = Listener().start()
    try:
        os.makedirs(os.path.join(l.dir, "mailboxes", "contoso.test"), exist_ok=True)
        open(os.path.join(l.dir, "mailboxes", "contoso.test", "blocked"), "w").close()
        results = {}

        def send(n):
            c = smtp(l.port(25))
            c.ehlo(f"sender{n}.test")
            for i in range(5):
                try:
                    c.sendmail("a@fabrikam.test", [f"user{n}@contoso.test"], f"Subject: {n}-{i}\r\n\r\nbody\r\n")
                    results[(n, i)] = 250
                except smtplib.SMTPDataError as e:
                    results[(n, i)] = e.smtp_code
            c.quit()

        threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        c = smtp(l.port(25))
        c.ehlo("blocked.test")
        c.mail("a@fabrikam.test")
        c.rcpt("blocked@contoso.test")
        code, msg = c.data(b"Subject: nowhere to go\r\n\r\nbody\r\n")
        if code != 451 or b"4.3.0" not in msg:
            raise AssertionError(f"expected 451 4.3.0 for the undeliverable message, got {code} {msg!r}")
        expect_reply(c.noop(), 250, "", "the session after the failure")
        c.sendmail("a@fabrikam.test", ["kate@contoso.test"], "Subject: after\r\n\r\nstill fine\r\n")
        c.quit()
        for t in threads:
            t.join(timeout=30)
        assert_eq(sorted(set(results.values())), [250], "messages to other mailboxes meanwhile")
        for n in range(4):
            assert_eq(len(l.maildir(f"user{n}@contoso.test")), 5, f"user{n}'s Maildir")
        assert_eq(len(l.maildir("kate@contoso.test")), 1, "the message after the failure")
        assert_in("delivery of", l.log_text(), "the failure is logged")
        # 21 durable, 1 failed, as `receptor status` counts them.
        status = l.wait_status(", 1 failed; sync ")
        assert_in("delivery: 21 messages durable in ", status)
    finally:
        l.cleanup()


def test_sigkill_durability():
    """Every message that got 250 is complete in Maildir after SIGKILL during a load."""
    sigkill_during_load()


def test_sigkill_durability_with_sync_per_file():
    """The same with `--sync file` (an fsync per file and folder instead of syncfs)."""
    sigkill_during_load("--sync", "file")


def sigkill_during_load(*listen_args):
    l = Listener().start(*listen_args)
    accepted = []
    stop = threading.Event()

    def sender(n):
        for i in range(200):
            if stop.is_set():
                return
            body = f"Subject: m{n}-{i}\r\nX-Seq: {n}-{i}\r\n\r\n" + ("line of text\r\n" * 50) + f"END {n}-{i}\r\n"
            try:
                c = smtp(l.port(25))
                c.sendmail("a@fabrikam.test", ["bulk@contoso.test"], body)
                accepted.append(f"{n}-{i}")
                c.quit()
            except Exception:
                return

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
    try:
        for t in threads:
            t.start()
        time.sleep(1.5)
        l.proc.send_signal(signal.SIGKILL)
        l.proc.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        if len(accepted) < 5:
            raise AssertionError(f"only {len(accepted)} messages accepted before the kill; log:\n{l.log_text()}")
        check_every_accepted_message(l, accepted)
        # The next start finishes what the kill interrupted: the scratch files left in tmp/ (named messages
        # whose scratch names were not yet removed, messages written but never acknowledged) are gone, and
        # nothing acknowledged is lost or doubled.
        tmp = os.path.join(l.dir, "mailboxes", "contoso.test", "bulk", "Maildir", "tmp")
        new = os.path.join(os.path.dirname(tmp), "new")
        left = [n for n in os.listdir(tmp) if ",RS=" in n]
        # A power loss can also take a final name given just before it (the 250 was sent, the next sync had
        # not run): take away the final names whose scratch files remain, and the restart must give them back.
        taken = [n.split(",RS=")[0] for n in left if os.path.exists(os.path.join(new, n.split(",RS=")[0]))]
        for name in taken:
            os.unlink(os.path.join(new, name))
        print(f"  {len(left)} scratch files after the kill, {len(taken)} final names taken away", flush=True)
        l.start(*listen_args)
        for name in taken:
            if not os.path.exists(os.path.join(new, name)):
                raise AssertionError(f"{name} was not named again at the restart; log:\n{l.log_text()}")
        still = [n for n in os.listdir(tmp) if ",RS=" in n]
        if still:
            raise AssertionError(f"{len(still)} of {len(left)} scratch files left after the restart; log:\n{l.log_text()}")
        check_every_accepted_message(l, accepted)
    finally:
        stop.set()
        l.cleanup()


def check_every_accepted_message(l, accepted):
    stored = {}
    for f in l.maildir("bulk@contoso.test"):
        text = open(f).read()
        for line in text.splitlines():
            if line.startswith("X-Seq: "):
                if line[7:] in stored:
                    raise AssertionError(f"message {line[7:]} is in Maildir twice")
                stored[line[7:]] = text
    for seq in accepted:
        if seq not in stored:
            raise AssertionError(f"message {seq} got 250 but is not in Maildir")
        if f"END {seq}" not in stored[seq]:
            raise AssertionError(f"message {seq} is incomplete")


def test_reloads_under_load_drop_nothing():
    """100 reloads while clients keep sending: no refused connection to an unchanged binding, no dropped session."""
    l = Listener().start()
    errors = []
    sent = [0]
    stop = threading.Event()

    def client():
        deadline = time.time() + 60
        while not stop.is_set() and time.time() < deadline:
            try:
                c = smtp(l.port(25))
                c.sendmail("a@fabrikam.test", ["load@contoso.test"], "Subject: load\r\n\r\nx\r\n")
                c.quit()
                sent[0] += 1
            except Exception as e:
                errors.append(repr(e))
                return

    threads = [threading.Thread(target=client) for _ in range(3)]
    try:
        for t in threads:
            t.start()
        for i in range(100):
            l.shell(f'Set-ReceiveConnector "MBX01\\Default Frontend MBX01" -Comment "reload {i}"')
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        if errors:
            raise AssertionError(f"{len(errors)} client errors, first: {errors[0]}")
        if sent[0] < 10:
            raise AssertionError(f"only {sent[0]} messages sent during the reloads")
        log = l.log_text()
        applied = log.count("config applied")
        if applied < 10:
            raise AssertionError(f"only {applied} reloads applied:\n{log[-1500:]}")
    finally:
        stop.set()
        l.cleanup()


def test_invalid_config_keeps_last_good():
    l = Listener().start()
    try:
        # Write an invalid connector straight into the store file, as another version might.
        import sqlite3
        db = sqlite3.connect(l.store)
        row = db.execute("SELECT guid, data FROM connectors WHERE name LIKE 'Default Frontend%'").fetchone()
        import json
        doc = json.loads(row[1])
        doc["requireTLS"] = True
        doc["authMechanism"] = ["BasicAuth"]
        db.execute("UPDATE connectors SET data = ? WHERE guid = ?", (json.dumps(doc), row[0]))
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        db.commit()
        db.close()
        l.wait_status("last config refused")   # the next heartbeat publishes it
        l.wait_port(l.port(25))  # still serving with the last good config
    finally:
        l.cleanup()


def test_header_size_hop_counts_and_logon_failures():
    """MaxHeaderSize, MaxHopCount, MaxLocalHopCount and MaxLogonFailures over real connections."""
    l = Listener()
    try:
        l.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)")
        l.shell(f'New-ReceiveConnector -Name Hops -TransportRole FrontendTransport -Custom -Bindings 127.0.0.1:{l.port(2800)} '
                f'-RemoteIPRanges 127.0.0.0-127.255.255.255 -PermissionGroups AnonymousUsers -TarpitInterval 00:00:00 '
                f'-MaxHeaderSize 2KB -MaxHopCount 3 -MaxLocalHopCount 1')
        l.shell(f'New-ReceiveConnector -Name Logons -TransportRole FrontendTransport -Custom -Bindings 127.0.0.1:{l.port(2801)} '
                f'-RemoteIPRanges 127.0.0.0-127.255.255.255 -AuthMechanism BasicAuth -PermissionGroups ExchangeUsers '
                f'-MaxLogonFailures 2 -AuthTarpitInterval 00:00:00 -TarpitInterval 00:00:00')
        l.start()
        port = l.port(2800)
        l.wait_port(port)
        c = smtp(port)
        c.ehlo("hops.test")
        # MaxHeaderSize 2 KB: a 3 KB header section is refused, the body does not count.
        c.mail("a@fabrikam.test"); c.rcpt("kate@contoso.test")
        big = "Subject: big header\r\n" + "".join(f"X-Filler-{i}: {'x' * 90}\r\n" for i in range(32)) + "\r\nbody\r\n"
        expect_reply(c.data(big.encode()), 552, "5.3.4 Header size exceeds fixed maximum size", "3 KB of headers")
        try:   # and, as Exchange does, the connection closes (reference §3, MaxHeaderSize)
            c.noop()
            raise AssertionError("the session went on after an oversized header")
        except smtplib.SMTPServerDisconnected:
            pass
        c = smtp(port)
        c.ehlo("hops.test")
        c.mail("a@fabrikam.test"); c.rcpt("kate@contoso.test")
        small = "Subject: small header\r\n\r\n" + ("a long body line\r\n" * 400)
        expect_reply(c.data(small.encode()), 250, "2.6.0", "a small header with an 8 KB body")
        # MaxHopCount 3: four Received fields are a loop.
        def with_received(names):
            return ("".join(f"Received: from relay{i}.fabrikam.test by {n}; Sun, 29 Nov 2026 10:00:0{i} +0000\r\n" for i, n in enumerate(names))
                    + "Subject: hops\r\n\r\nx\r\n").encode()
        c.mail("a@fabrikam.test"); c.rcpt("kate@contoso.test")
        expect_reply(c.data(with_received(["a.fabrikam.test"] * 4)), 554, "5.4.6 Hop count exceeded", "four hops")
        c.mail("a@fabrikam.test"); c.rcpt("kate@contoso.test")
        expect_reply(c.data(with_received(["a.fabrikam.test"] * 3)), 250, "2.6.0", "three hops")
        # MaxLocalHopCount 1: two Received fields naming this server are a local loop.
        c.mail("a@fabrikam.test"); c.rcpt("kate@contoso.test")
        expect_reply(c.data(with_received(["mbx01.contoso.test", "mbx01.contoso.test"])), 554, "5.4.6", "two local hops")
        c.quit()
        # MaxLogonFailures 2: the second wrong password ends the session with 421.
        port = l.port(2801)
        l.wait_port(port)
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"EHLO logons.test\r\n")
        while f.readline()[3:4] == b"-":
            pass
        import base64
        wrong = base64.b64encode(b"\0kate@contoso.test\0wrong").decode()
        s.sendall(f"AUTH PLAIN {wrong}\r\n".encode())
        first = f.readline()
        assert_eq(first[:3], b"535", f"first failure: {first!r}")
        s.sendall(f"AUTH PLAIN {wrong}\r\n".encode())
        replies = [f.readline(), f.readline()]
        assert_eq(replies[0][:3], b"535", f"second failure: {replies!r}")
        assert_eq(replies[1][:3], b"421", f"then the session ends: {replies!r}")
        assert_eq(f.readline(), b"", "the connection is closed")
        s.close()
        # A right password on a new session still works (the limit is per session).
        c = smtp(port)
        c.ehlo("logons.test")
        c.login("kate@contoso.test", "P@ssw0rd!")
        c.quit()
    finally:
        l.cleanup()


def test_protocol_log_settings_apply_without_restart():
    """Set-FrontendTransportService -ReceiveProtocolLog*: a new folder and rotation at the new size, live."""
    l = Listener().start()
    try:
        folder = os.path.join(l.dir, "fe-logs")
        l.shell(f"Set-FrontendTransportService MBX01 -ReceiveProtocolLogPath {folder} -ReceiveProtocolLogMaxFileSize 4KB "
                f"-ReceiveProtocolLogMaxDirectorySize 1MB -ReceiveProtocolLogMaxAge 7.00:00:00")
        out = l.shell("Get-FrontendTransportService MBX01 | Format-List ReceiveProtocolLog*").stdout
        assert_in("ReceiveProtocolLogMaxFileSize      : 4 KB (4,096 bytes)", out, "Get-FrontendTransportService")
        l.wait_applied()
        for i in range(8):
            c = smtp(l.port(25))
            c.ehlo(f"rotate{i}.test")
            c.quit()
        end = time.time() + 5
        files = []
        while time.time() < end:
            files = sorted(glob.glob(os.path.join(folder, "RECV*.log")))
            if len(files) >= 2 and all(os.path.getsize(f) > 0 for f in files):
                break
            time.sleep(0.1)
        if len(files) < 2:
            raise AssertionError(f"no rotation at 4 KB in {folder}: {files}")
        for f in files:
            size = os.path.getsize(f)
            if size > 4096:
                raise AssertionError(f"{f} is {size} bytes, over ReceiveProtocolLogMaxFileSize")
            assert_in("#Fields: date-time,connector-id,session-id", open(f).read(), f)
            assert_eq(oct(os.stat(f).st_mode & 0o777), oct(0o600), f"{f} mode")
        text = "".join(open(f).read() for f in files)
        assert_in("rotate7.test", text, "the last session's EHLO")
    finally:
        l.cleanup()


def test_connection_limits_timeouts_and_tarpits():
    """MaxInboundConnection, MaxInboundConnectionPercentagePerSource, ConnectionTimeout, TarpitInterval and
    AuthTarpitInterval over real connections."""
    l = Listener()
    try:
        l.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)")
        common = "-RemoteIPRanges 127.0.0.0-127.255.255.255 -TransportRole FrontendTransport -Custom"
        l.shell(f"New-ReceiveConnector -Name Total {common} -Bindings 127.0.0.1:{l.port(2900)} -PermissionGroups AnonymousUsers "
                f"-MaxInboundConnection 3 -MaxInboundConnectionPerSource unlimited -MaxInboundConnectionPercentagePerSource 100")
        l.shell(f"New-ReceiveConnector -Name Share {common} -Bindings 127.0.0.1:{l.port(2901)} -PermissionGroups AnonymousUsers "
                f"-MaxInboundConnection 10 -MaxInboundConnectionPerSource unlimited -MaxInboundConnectionPercentagePerSource 20")
        l.shell(f"New-ReceiveConnector -Name Slow {common} -Bindings 127.0.0.1:{l.port(2902)} -PermissionGroups AnonymousUsers,ExchangeUsers "
                f"-AuthMechanism BasicAuth -ConnectionTimeout 00:00:04 -ConnectionInactivityTimeout 00:00:03 "
                f"-TarpitInterval 00:00:02 -AuthTarpitInterval 00:00:02")
        l.start()
        for port in (l.port(2900), l.port(2901), l.port(2902)):
            l.wait_port(port)
        time.sleep(0.3)   # the readiness probes' sessions end

        def banner(port, source):
            s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
            return s, s.makefile("rb").readline().decode()

        # MaxInboundConnection 3: the fourth connection, from any address, is refused.
        held = [banner(l.port(2900), f"127.0.0.{10 + i}") for i in range(3)]
        for s, line in held:
            assert_in("220 ", line, "within MaxInboundConnection")
        s, line = banner(l.port(2900), "127.0.0.20")
        assert_in("421 4.3.2 The maximum number of concurrent connections has exceeded a limit", line, "fourth connection")
        s.close()
        for s, _ in held:
            s.close()
        # MaxInboundConnectionPercentagePerSource 20 of 10: two per address, others still welcome.
        held = [banner(l.port(2901), "127.0.0.30") for _ in range(2)]
        s, line = banner(l.port(2901), "127.0.0.30")
        assert_in("421 4.3.2", line, "third connection from one address")
        s.close()
        other, line = banner(l.port(2901), "127.0.0.31")
        assert_in("220 ", line, "another address")
        other.close()
        for s, _ in held:
            s.close()

        # TarpitInterval 2 s: a refused relay is answered after the delay.
        c = smtp(l.port(2902))
        c.ehlo("tarpit.test")
        c.mail("a@fabrikam.test")
        start = time.time()
        code, _ = c.rcpt("victim@elsewhere.test")
        waited = time.time() - start
        assert_eq(code, 550, "relay refused")
        if not 1.8 <= waited < 5:
            raise AssertionError(f"the 550 came after {waited:.2f}s, not the 2 s TarpitInterval")
        c.close()
        # AuthTarpitInterval 2 s: a wrong password is answered after the delay.
        c = smtp(l.port(2902))
        c.ehlo("tarpit.test")
        import base64
        start = time.time()   # one attempt (smtplib.login would try every mechanism in turn)
        code, _ = c.docmd("AUTH", "PLAIN " + base64.b64encode(b"\0kate@contoso.test\0wrong").decode())
        assert_eq(code, 535, "wrong password")
        waited = time.time() - start
        if not 1.8 <= waited < 5:
            raise AssertionError(f"the 535 came after {waited:.2f}s, not the 2 s AuthTarpitInterval")
        c.close()
        # ConnectionTimeout 4 s: a client that keeps talking is still disconnected after 4 s.
        s = socket.create_connection(("127.0.0.1", l.port(2902)), timeout=10, source_address=("127.0.0.40", 0))
        f = s.makefile("rb")
        f.readline()
        start = time.time()
        last = b""
        while time.time() - start < 8:
            s.sendall(b"NOOP\r\n")
            last = f.readline()
            if not last.startswith(b"250"):
                break
            time.sleep(0.5)
        elapsed = time.time() - start
        if not last.startswith(b"421") or not 3 <= elapsed < 6:
            raise AssertionError(f"ConnectionTimeout: {last!r} after {elapsed:.1f}s of activity")
        s.close()
    finally:
        l.cleanup()


def test_control_socket_snapshot_and_events():
    import json
    l = Listener().start()
    try:
        path = os.path.join(l.dir, "listener-mbx01.sock")
        assert_eq(oct(os.stat(path).st_mode & 0o777), oct(0o600), "control socket mode")
        sub = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sub.settimeout(5)
        sub.connect(path)
        sub.sendall(b'{"command":"subscribe"}\n')
        reader = sub.makefile("r")
        first = json.loads(reader.readline())
        assert_eq(first["type"], "snapshot", "first line")
        assert_eq(first["server"], "MBX01", "snapshot server")
        if not any(b["state"] == "listening" for b in first["bindings"]):
            raise AssertionError(f"no listening binding in {first['bindings']}")
        c = smtp(l.port(25))
        c.ehlo("watch.test")
        c.mail("a@fabrikam.test")
        c.rcpt("someone@elsewhere.test")  # refused relay, counted
        types = []
        end = time.time() + 10
        while time.time() < end and "relayDenied" not in types:
            types.append(json.loads(reader.readline())["type"])
        assert_in("sessionOpened", types, "events")
        assert_in("relayDenied", types, "events")
        assert_in("transcript", types, "events (the monitor's live transcript)")
        c.rset()
        c.sendmail("a@fabrikam.test", ["kate@contoso.test"], "Subject: watched\r\n\r\nhello\r\n")
        # Read until the first tick *after* messageAccepted: a tick may already be queued
        # ahead of the event (ticks are sent each second, whatever the session does).
        events = []
        end = time.time() + 5
        seen_accepted = False
        while time.time() < end:
            event = json.loads(reader.readline())
            events.append(event)
            seen_accepted = seen_accepted or event["type"] == "messageAccepted"
            if seen_accepted and event["type"] == "tick":
                break
        accepted = [e for e in events if e["type"] == "messageAccepted"]
        if not accepted or "Received: from watch.test" not in accepted[0]["message"]["headers"]:
            raise AssertionError(f"messageAccepted without the stored headers: {accepted}")
        assert_eq(accepted[0]["message"]["recipients"], ["kate@contoso.test"], "message recipients")
        lines = [l["text"] for e in events if e["type"] == "transcript" for l in e["lines"]]
        if any(len(e["lines"]) > 1 for e in events if e["type"] == "transcript") is False:
            raise AssertionError("transcript lines are not batched per burst of work")
        if not any(",<,DATA," in t.upper() or ",<,data," in t for t in lines):
            raise AssertionError(f"no DATA line in the transcript events: {lines}")
        tick = events[-1]
        assert_eq(tick["type"], "tick", "a tick each second")
        if tick["counters"]["MBX01\\Default Frontend MBX01"]["messagesAccepted"] < 1:
            raise AssertionError(f"tick counters: {tick}")
        c.quit()
        snap = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        snap.settimeout(5)
        snap.connect(path)
        snap.sendall(b'{"command":"snapshot"}\n')
        doc = json.loads(snap.makefile("r").readline())
        counters = doc["counters"]["MBX01\\Default Frontend MBX01"]
        if counters["relayDenied"] < 1 or counters["connectionsTotal"] < 1:
            raise AssertionError(f"counters: {counters}")
        assert_eq([m["from"] for m in doc["recentMessages"]], ["a@fabrikam.test"], "recent messages in the snapshot")
        snap.close()
        sub.close()
    finally:
        l.cleanup()


def test_disabled_connector_finishes_message_then_421():
    l = Listener().start()
    try:
        c = smtp(l.port(25))
        c.ehlo("inflight.test")
        expect_reply(c.mail("a@fabrikam.test"), 250, "Sender OK", "MAIL")
        expect_reply(c.rcpt("someone@contoso.test"), 250, "Recipient OK", "RCPT")
        l.change('Set-ReceiveConnector "MBX01\\Default Frontend MBX01" -Enabled $false')
        expect_reply(c.data(b"Subject: in flight\r\n\r\nstill delivered\r\n"), 250, "Queued mail for delivery", "the message in flight")
        code, msg = c.docmd("NOOP")
        if code != 421 or b"4.3.2" not in msg:
            raise AssertionError(f"expected 421 4.3.2 after the message, got {code} {msg!r}")
        assert_eq(len(l.maildir("someone@contoso.test")), 1, "message in Maildir")
        try:
            socket.create_connection(("127.0.0.1", l.port(25)), timeout=1).close()
            raise AssertionError("the disabled connector's binding still accepts")
        except OSError:
            pass
    finally:
        l.cleanup()


def test_specific_address_beside_wildcard_on_one_port():
    l = Listener().start()
    try:
        l.shell(f'New-ReceiveConnector -Name "Loopback Only" -TransportRole FrontendTransport -Internet -Bindings 127.0.0.1:{l.port(25)} -Banner "220 loopback only"')
        l.wait_applied()
        s = socket.create_connection(("127.0.0.1", l.port(25)), timeout=2)
        assert_eq(s.recv(512).decode().strip(), "220 loopback only", "connection to the specific address")
        s.close()
        s = socket.create_connection(("127.0.0.2", l.port(25)), timeout=2)
        banner = s.recv(512).decode()
        s.close()
        assert_in("Receptor ESMTP MAIL Service ready", banner, "connection to another loopback address")
    finally:
        l.cleanup()


def test_binding_failure_is_reported_and_others_serve():
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l = Listener()
    try:
        blocker.bind(("0.0.0.0", l.port(717)))
        blocker.listen(1)
        l.start()
        l.wait_status(f"0.0.0.0:{l.port(717)}  failed: the address is in use by another program")
        l.wait_port(l.port(587))
    finally:
        blocker.close()
        l.cleanup()


def test_starttls_auth_and_received_header():
    l = Listener()
    try:
        l.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)")
        l.start()
        cert = glob.glob(os.path.join(l.dir, "certs", "*.pem"))[0]
        # The self-signed certificate made by init verifies for the server's FQDN.
        out = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", f"127.0.0.1:{l.port(25)}", "-crlf",
                              "-nocommands", "-CAfile", cert, "-verify_hostname", "mbx01.contoso.test", "-verify_return_error"],
                             input="", capture_output=True, text=True, timeout=20)
        assert_in("Verify return code: 0 (ok)", out.stdout, "openssl s_client")
        # Client Frontend: basic authentication only after STARTTLS.
        c = smtp(l.port(587))
        c.ehlo("client.test")
        if c.has_extn("auth"):
            raise AssertionError("AUTH offered before STARTTLS on a BasicAuthRequireTLS connector")
        expect_reply(c.docmd("AUTH", "PLAIN AGthdGVAY29udG9zby50ZXN0AFBAc3N3MHJkIQ=="), 530, "5.7.0", "AUTH before TLS")
        import ssl
        ctx = ssl.create_default_context(cafile=cert)
        c._host = "mbx01.contoso.test"  # the name the certificate must match
        c.starttls(context=ctx)
        c.ehlo("client.test")
        if not c.has_extn("auth") or c.has_extn("starttls"):
            raise AssertionError(f"after STARTTLS: {c.esmtp_features}")
        try:
            c.login("kate@contoso.test", "wrong password")
            raise AssertionError("a wrong password was accepted")
        except smtplib.SMTPAuthenticationError as e:
            assert_eq(e.smtp_code, 535, "wrong password reply")
        c.login("kate@contoso.test", "P@ssw0rd!")
        c.sendmail("kate@contoso.test", ["partner@fabrikam.test"], "Subject: over TLS\r\n\r\nhello\r\n")
        c.quit()
        queued = glob.glob(os.path.join(l.dir, "queue", "relay", "*.eml"))
        assert_eq(len(queued), 1, "relayed message (authenticated users may relay)")
        text = open(queued[0]).read()
        assert_in("with ESMTPSA (version=TLS1_", text, "Received header")
        assert_in("cipher=TLS_", text, "Received header")
        assert_in("X-Receptor-AuthAs: kate@contoso.test", text)
    finally:
        l.cleanup()


def test_require_tls():
    l = Listener()
    try:
        l.shell('Set-ReceiveConnector "Default Frontend MBX01" -RequireTLS $true')
        l.start()
        c = smtp(l.port(25))
        c.ehlo("plain.test")
        code, msg = c.mail("a@fabrikam.test")
        if code != 530 or b"STARTTLS" not in msg:
            raise AssertionError(f"MAIL without TLS: {code} {msg!r}")
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c._host = "mbx01.contoso.test"
        c.starttls(context=ctx)
        c.ehlo("tls.test")
        expect_reply(c.mail("a@fabrikam.test"), 250, "Sender OK", "MAIL over TLS")
        c.quit()
    finally:
        l.cleanup()


def test_partner_domain_security_scenario():
    """Article scenario 2 end to end: a Partner connector for the partner's addresses, TLS with a client
    certificate from the partner's CA, the domain on the domain-secure list: the session is a partner."""
    l = Listener()
    try:
        certs = os.path.join(l.dir, "pki")
        os.makedirs(certs)
        def ossl(*args):
            subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=certs, timeout=30)
        ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
             "-out", "ca.pem", "-days", "30", "-subj", "/CN=Fabrikam Test CA")
        ossl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "client.key",
             "-out", "client.csr", "-subj", "/CN=mail.fabrikam.com")
        with open(os.path.join(certs, "ext.cnf"), "w") as f:
            f.write("subjectAltName=DNS:mail.fabrikam.com\nextendedKeyUsage=clientAuth,serverAuth\n")
        ossl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "client.pem", "-days", "30", "-extfile", "ext.cnf")
        shutil.copy(os.path.join(certs, "ca.pem"), os.path.join(l.dir, "certs", "trusted", "fabrikam-ca.pem"))
        l.shell(f'New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 127.0.0.7 -Bindings 0.0.0.0:{l.port(25)}')
        l.shell('Set-ReceiveConnector "Fabrikam.com TLS" -DomainSecureEnabled $true -RequireTLS $true')
        l.shell('Set-TransportConfig -TLSReceiveDomainSecureList fabrikam.com')
        l.start()
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.load_cert_chain(os.path.join(certs, "client.pem"), os.path.join(certs, "client.key"))
        c = smtp(l.port(25), source="127.0.0.7")
        c.ehlo("mail.fabrikam.com")
        c._host = "mbx01.contoso.test"
        c.starttls(context=ctx)
        c.ehlo("mail.fabrikam.com")
        c.sendmail("kate@fabrikam.com", ["someone@contoso.test"], "Subject: from the partner\r\n\r\nhello\r\n")
        c.quit()
        text = open(l.maildir("someone@contoso.test")[0]).read()
        assert_in("X-Receptor-AuthAs: Partner", text, "delivered message")
        assert_in("Fabrikam.com TLS", text, "delivered message")
        assert_in("version=TLS1_", text, "Received header")
        # Another address is not the partner: it lands on Default Frontend, anonymous.
        c = smtp(l.port(25), source="127.0.0.9")
        c.ehlo("elsewhere.test")
        c.sendmail("x@elsewhere.test", ["someone@contoso.test"], "Subject: not a partner\r\n\r\nhello\r\n")
        c.quit()
        texts = [open(f).read() for f in l.maildir("someone@contoso.test")]
        if not any("X-Receptor-AuthAs: Anonymous" in t and "Default Frontend" in t for t in texts):
            raise AssertionError("the non-partner message did not arrive anonymously on Default Frontend")
    finally:
        l.cleanup()


def test_internal_servers_relay_when_externally_secured():
    """Article scenario 4 on a Mailbox server plus anonymous relay method B: an Internal connector for the
    listed servers, externally secured, relays; other addresses can't."""
    l = Listener()
    try:
        l.shell(f'New-ReceiveConnector -Name "Inbound From Organization" -TransportRole FrontendTransport -Usage Internal -Bindings 0.0.0.0:{l.port(25)} -RemoteIPRanges 127.0.0.10,127.0.0.15,127.0.0.20')
        l.shell('Set-ReceiveConnector "Inbound From Organization" -AuthMechanism ExternalAuthoritative -PermissionGroups ExchangeServers')
        l.start()
        c = smtp(l.port(25), source="127.0.0.15")
        c.ehlo("mbx02.contoso.test")
        expect_reply(c.mail("app@contoso.test"), 250, "Sender OK", "MAIL from a listed server")
        expect_reply(c.rcpt("someone@elsewhere.test"), 250, "Recipient OK", "relay from a listed server")
        c.data(b"Subject: internal\r\n\r\nhello\r\n")
        c.quit()
        text = open(glob.glob(os.path.join(l.dir, "queue", "relay", "*.eml"))[0]).read()
        assert_in("X-Receptor-AuthAs: Internal", text)
        c = smtp(l.port(25), source="127.0.0.16")
        c.ehlo("outsider.test")
        c.mail("x@outsider.test")
        expect_reply(c.rcpt("someone@elsewhere.test"), 550, "5.7.1 Unable to relay", "relay from an unlisted address")
        c.quit()
    finally:
        l.cleanup()


def test_limits():
    l = Listener()
    try:
        l.shell(f'New-ReceiveConnector -Name Limits -TransportRole FrontendTransport -Custom -Bindings 127.0.0.1:{l.port(2700)} '
                f'-RemoteIPRanges 127.0.0.0-127.255.255.255 -PermissionGroups AnonymousUsers -MaxRecipientsPerMessage 2 '
                f'-MaxMessageSize 64KB -MaxInboundConnectionPerSource 2 -MaxProtocolErrors 2 -TarpitInterval 00:00:00 '
                f'-ConnectionTimeout 00:00:06 -ConnectionInactivityTimeout 00:00:02 -MessageRateLimit 2')
        l.start()
        port = l.port(2700)
        l.wait_port(port)
        # MaxRecipientsPerMessage
        c = smtp(port)
        c.ehlo("limits.test")
        c.mail("a@fabrikam.test")
        c.rcpt("one@contoso.test"); c.rcpt("two@contoso.test")
        expect_reply(c.rcpt("three@contoso.test"), 452, "4.5.3 Too many recipients", "third recipient")
        c.rset()
        # MaxMessageSize: by SIZE, then by the data itself
        expect_reply(c.docmd("MAIL FROM:<a@fabrikam.test> SIZE=200000"), 552, "5.3.4", "SIZE over the limit")
        c.mail("a@fabrikam.test"); c.rcpt("one@contoso.test")
        # smtplib.data returns the reply to the final dot (it raises only when DATA itself is refused).
        expect_reply(c.data(b"Subject: big\r\n\r\n" + b"x" * 100 + b"\r\n" + (b"y" * 998 + b"\r\n") * 80),
                     552, "5.3.4 Message size exceeds fixed maximum message size", "oversize DATA")
        c.quit()
        # MaxInboundConnectionPerSource: the third connection from one address is refused
        a, b = smtp(port), smtp(port)
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
        first = s.recv(512).decode()
        s.close()
        assert_in("421 4.3.2", first, "third connection")
        a.quit(); b.quit()
        # MaxProtocolErrors: the third bad command ends the session
        s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.3", 0))
        f = s.makefile("rb")
        f.readline()
        for _ in range(3):
            s.sendall(b"BOGUS\r\n")
        replies = [f.readline() for _ in range(4)]
        if not any(r.startswith(b"421") for r in replies):
            raise AssertionError(f"no 421 after protocol errors: {replies}")
        s.close()
        # ConnectionInactivityTimeout: an idle client is disconnected
        s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.4", 0))
        f = s.makefile("rb")
        f.readline()
        start = time.time()
        line = f.readline()
        waited = time.time() - start
        if not line.startswith(b"421") or not (1.5 < waited < 5):
            raise AssertionError(f"inactivity: {line!r} after {waited:.1f}s")
        s.close()
        # MessageRateLimit 2 per minute per address: the third message is refused
        c = smtp(port, source="127.0.0.5")
        for i in range(2):
            c.sendmail("a@fabrikam.test", ["one@contoso.test"], f"Subject: {i}\r\n\r\nx\r\n")
        code, msg = c.mail("a@fabrikam.test")
        if code < 400:
            raise AssertionError(f"third message in a minute accepted at MAIL: {code} {msg!r}")
        c.close()
    finally:
        l.cleanup()


def test_bad_input_keeps_serving_others():
    l = Listener()
    try:
        l.shell('Set-ReceiveConnector "Default Frontend MBX01" -TarpitInterval 00:00:00 -BareLinefeedRejectionEnabled $true')
        l.start()
        port = l.port(25)
        # A client that stalls mid-DATA.
        staller = socket.create_connection(("127.0.0.1", port), timeout=5)
        sf = staller.makefile("rb")
        sf.readline()
        staller.sendall(b"EHLO stall.test\r\nMAIL FROM:<a@fabrikam.test>\r\nRCPT TO:<someone@contoso.test>\r\nDATA\r\nSubject: half\r\n")
        # Over-long line, NUL bytes, garbage AUTH, out-of-order commands, bare LF, a pipelined flood.
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"EHLO " + b"a" * 5000 + b"\r\n")
        r = f.readline()
        if not r.startswith(b"5"):
            raise AssertionError(f"over-long line: {r!r}")
        s.sendall(b"NOOP\x00\r\n")
        r = f.readline()
        if not r.startswith(b"5"):
            raise AssertionError(f"NUL byte: {r!r}")
        s.close()
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"RCPT TO:<x@contoso.test>\r\n")
        assert_in(b"503", f.readline(), "RCPT before EHLO")
        s.sendall(b"EHLO ok.test\r\n")
        while not f.readline().startswith(b"250 "):
            pass
        s.sendall(b"AUTH PLAIN !!!notbase64!!!\r\n")
        r = f.readline()
        if not r[:1] in (b"5", b"4"):
            raise AssertionError(f"garbage AUTH: {r!r}")
        s.close()
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = s.makefile("rb")
        f.readline()
        flood = b"EHLO flood.test\r\n" + b"NOOP\r\n" * 200 + b"QUIT\r\n"
        s.sendall(flood)
        lines = []
        while True:
            x = f.readline()
            if not x:
                break
            lines.append(x)
        noops = [x for x in lines if x.startswith(b"250 2.0.0")]
        if not lines[-1].startswith(b"221") or len(noops) < 5:
            raise AssertionError(f"pipelined flood: {len(lines)} replies, last {lines[-1] if lines else None!r}")
        s.close()
        # Bare LF in DATA is refused on this connector.
        c = smtp(port)
        c.ehlo("lf.test")
        c.mail("a@fabrikam.test"); c.rcpt("someone@contoso.test")
        c.putcmd("DATA"); c.getreply()
        c.send(b"Subject: bare\nbody with bare LF\n\r\n.\r\n")
        code, msg = c.getreply()
        if code < 500:
            raise AssertionError(f"bare LF accepted: {code} {msg!r}")
        c.close()
        # Meanwhile a normal client is served while the staller still holds its session.
        c = smtp(port)
        c.sendmail("a@fabrikam.test", ["someone@contoso.test"], "Subject: normal\r\n\r\nfine\r\n")
        c.quit()
        staller.close()
    finally:
        l.cleanup()


def test_curl_submission_over_starttls():
    """curl as a mail client: STARTTLS required (--ssl-reqd), AUTH PLAIN, a message to a local mailbox."""
    if not shutil.which("curl"):
        raise AssertionError("curl is not installed (scripts/install-deps installs it)")
    l = Listener()
    try:
        l.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)")
        l.start()
        cert = glob.glob(os.path.join(l.dir, "certs", "*.pem"))[0]
        msg = os.path.join(l.dir, "msg.txt")
        with open(msg, "w") as f:
            f.write("From: kate@contoso.test\r\nTo: bob@contoso.test\r\nSubject: curl\r\n\r\nsent with curl\r\n")
        p = subprocess.run(["curl", "-sS", "--ssl-reqd", "--cacert", cert, "--resolve", f"mbx01.contoso.test:{l.port(587)}:127.0.0.1",
                            f"smtp://mbx01.contoso.test:{l.port(587)}", "--user", "kate@contoso.test:P@ssw0rd!",
                            "--mail-from", "kate@contoso.test", "--mail-rcpt", "bob@contoso.test", "--upload-file", msg],
                           capture_output=True, text=True, timeout=30)
        assert_eq(p.returncode, 0, f"curl exit ({p.stderr.strip()})")
        text = open(l.maildir("bob@contoso.test")[0]).read()
        assert_in("sent with curl", text)
        assert_in("ESMTPSA", text)
    finally:
        l.cleanup()


def test_memory_stays_flat_over_many_connections():
    """Nothing is kept per closed session: the listener's RSS after 3,000 more connections is what it was
    after the first 500 (a handler kept by its NIO context once leaked ~7 KB per connection: 21 MB here)."""
    l = Listener().start()
    try:
        def sessions(count):
            for _ in range(count):
                with socket.create_connection(("127.0.0.1", l.port(25)), timeout=10) as s:
                    f = s.makefile("rb")
                    assert_in("220 ", f.readline().decode())
                    s.sendall(b"EHLO client.test\r\n")
                    while not f.readline().startswith(b"250 "):
                        pass
                    s.sendall(b"QUIT\r\n")
                    assert_in("221 ", f.readline().decode())

        sessions(500)   # caches and allocator arenas warm
        before = l.rss_kb()
        sessions(3000)
        time.sleep(0.5)
        grown = l.rss_kb() - before
        if grown > 6 * 1024:
            raise AssertionError(f"RSS grew {grown} KB over 3,000 closed sessions")
        assert_eq(l.control("snapshot")["sessions"], [], "no session left behind")
    finally:
        l.cleanup()


def test_more_sessions_than_the_default_open_file_limit():
    """Started with a soft open-file limit of 256 (Linux starts processes at 1,024), the listener raises it to
    the hard limit: 400 sessions held open at once all get their banner."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 1024:
        raise AssertionError(f"the hard open-file limit ({hard}) is too low for this test")
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096, hard))
    l = Listener()
    l.shell('Set-ReceiveConnector "Default Frontend MBX01" -MaxInboundConnectionPerSource unlimited -MaxInboundConnectionPercentagePerSource 100')
    l.start(preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard)))
    sockets = []
    try:
        limits = open(f"/proc/{l.proc.pid}/limits").read()
        line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
        assert_eq(line.split()[3], line.split()[4], f"soft limit raised to the hard one ({line})")
        for _ in range(400):
            s = socket.create_connection(("127.0.0.1", l.port(25)), timeout=10)
            sockets.append(s)
        for s in sockets:
            assert_in("220 ", s.makefile("rb").readline().decode())
        assert_eq(len(l.control("snapshot")["sessions"]), 400, "sessions held")
    finally:
        for s in sockets:
            s.close()
        l.cleanup()


def test_protocol_log_escapes_control_characters():
    """A client's terminal escape sequences never reach the protocol log raw (`tail` would replay them)."""
    l = Listener().start()
    try:
        l.change('Set-ReceiveConnector "Default Frontend MBX01" -TarpitInterval 00:00:00')  # the EHLO earns a 501
        with socket.create_connection(("127.0.0.1", l.port(25)), timeout=10) as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(b"EHLO \x1b[2J\x1b]0;owned\x07bell\x08\x7f.test\r\nQUIT\r\n")
            while not f.readline().startswith(b"221"):
                pass
        end = time.time() + 20
        log = b""
        while time.time() < end and b",<,QUIT," not in log:
            time.sleep(0.05)
            log = l.protocol_log("FrontEnd").encode()
        if b",<,QUIT," not in log:
            files = [os.path.relpath(os.path.join(d, f), l.dir) for d, _, fs in os.walk(l.dir) for f in fs]
            raise AssertionError(f"the session never reached the protocol log; files: {files}; log: {l.log_text()}")
        assert_in(b"EHLO \\x1B[2J\\x1B]0;owned\\x07bell\\x08\\x7F.test", log, "the escaped EHLO line")
        for byte in range(0x20):
            if byte not in (0x0A, 0x0D) and bytes([byte]) in log:
                raise AssertionError(f"control byte {byte:#04x} written raw to the protocol log")
        if b"\x7f" in log:
            raise AssertionError("DEL written raw to the protocol log")
    finally:
        l.cleanup()


class RawReplies:
    """Reads SMTP replies from a socket without reading past them (a file object would buffer ahead, and the
    socket may be handed to TLS right after the 220)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise AssertionError(f"the server closed the connection (pending: {self.buffer!r})")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode()

    def reply(self):
        """The lines of one reply, the last one (`250 …`) last."""
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return lines


def insecure_tls_context():
    import ssl
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def wait_closed(sock, limit):
    """Seconds until the server closes the connection (EOF or reset), reading whatever it sends meanwhile;
    None if it is still open after `limit` seconds."""
    start = time.time()
    sock.settimeout(0.2)
    while time.time() - start < limit:
        try:
            if not sock.recv(4096):
                return time.time() - start
        except socket.timeout:
            continue
        except OSError:   # a reset, or a TLS alert on a TLS socket: closed either way
            return time.time() - start
    return None


def test_starttls_discards_plaintext_sent_during_a_tarpit():
    """Issue 13 item 1, the CVE-2011-0411 class through the tarpit: RCPT before MAIL earns a tarpitted 503
    (TarpitInterval 5 s on Default Frontend), STARTTLS is pipelined behind it, and while the delay runs the
    client injects plaintext commands. Nothing sent before the TLS handshake may be answered inside TLS."""
    l = Listener().start()
    try:
        s = socket.create_connection(("127.0.0.1", l.port(25)), timeout=15)
        replies = RawReplies(s)
        assert_in("220 ", replies.line(), "banner")
        s.sendall(b"EHLO client.test\r\n")
        assert_in("STARTTLS", " ".join(replies.reply()), "EHLO keywords")
        start = time.time()
        s.sendall(b"RCPT TO:<someone@contoso.test>\r\nSTARTTLS\r\n")
        time.sleep(1)   # the tarpit is running: the 503 and the 220 are held back
        s.sendall(b"EHLO injected.test\r\nMAIL FROM:<injected@fabrikam.test>\r\n")
        rcpt, starttls = replies.reply(), replies.reply()
        waited = time.time() - start
        assert_in("503 5.5.2", rcpt[-1], "RCPT before MAIL")
        assert_in("220 2.0.0", starttls[-1], "STARTTLS")
        if waited < 4:
            raise AssertionError(f"the 503 came after {waited:.1f}s: no tarpit, so the test proves nothing")
        t = insecure_tls_context().wrap_socket(s, server_hostname="mbx01.contoso.test")
        t.settimeout(2)
        try:
            unsolicited = t.recv(4096)
        except socket.timeout:
            unsolicited = b""
        if unsolicited:
            raise AssertionError(f"plaintext sent before the handshake was answered inside TLS: {unsolicited!r}")
        t.settimeout(15)
        tls_replies = RawReplies(t)
        t.sendall(b"EHLO after.test\r\n")
        ehlo = tls_replies.reply()
        assert_in("Hello [127.0.0.1]", ehlo[0], "EHLO over TLS")
        t.sendall(b"QUIT\r\n")
        assert_in("221 ", tls_replies.reply()[-1], "QUIT")
        t.close()
        time.sleep(0.3)   # the protocol log is written within 20 ms
        log = l.protocol_log()
        if "injected.test" in log:
            raise AssertionError("the injected EHLO reached the session (protocol log):\n" + log[-2000:])
    finally:
        l.cleanup()


def test_control_socket_answers_one_request_at_a_time():
    """100 snapshot requests that the client never reads must not make 100 snapshots in the listener's memory
    (each holds the last 50 messages' headers: ~2 MB here; the previous build grew by ~200 MB)."""
    l = Listener().start()
    try:
        # Fill the snapshot's recent messages with big header sections (32 KB kept per message at most).
        c = smtp(l.port(25))
        filler = "".join(f"X-Filler-{i}: {'x' * 900}\r\n" for i in range(36))
        for n in range(50):
            c.sendmail("sender@fabrikam.test", ["kate@contoso.test"], f"Subject: {n}\r\n{filler}\r\nbody\r\n")
        c.quit()
        one = len(json.dumps(l.control("snapshot")))
        assert one > 1_000_000, f"the snapshot is {one} bytes; the test needs a big one"

        path = glob.glob(os.path.join(l.dir, "listener-*.sock"))[0]
        before = l.rss_kb()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(path)
            s.sendall(b'{"command":"snapshot"}\n' * 100)
            time.sleep(2)
            grown = (l.rss_kb() - before) / 1024
            if grown > 40:
                raise AssertionError(f"the listener grew {grown:.0f} MB for 100 unread requests")
            # Every request is still answered, in order, once the client reads.
            s.settimeout(30)
            f = s.makefile("rb")
            answers = [json.loads(f.readline()) for _ in range(100)]
            assert_eq({a["type"] for a in answers}, {"snapshot"}, "answers")
    finally:
        l.cleanup()


def test_recipient_validation():
    """An Authoritative domain's recipient must be a mailbox (550 5.1.1 at RCPT, no folder made); its addresses
    compare as one mailbox; an InternalRelay domain passes unknown recipients to the relay queue; with
    validation off, a local part that can't be a folder is refused at RCPT, never with 451 after DATA."""
    l = Listener(recipient_validation=True)
    try:
        l.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -EmailAddresses smtp:k.smith@contoso.test "
                "-Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)")
        l.shell("New-AcceptedDomain -Name Fabrikam -DomainName fabrikam.test -DomainType InternalRelay")
        l.shell('Set-ReceiveConnector "Default Frontend MBX01" -TarpitInterval 00:00:00')
        l.start()

        def rcpt(address):
            c = smtp(l.port(25))
            try:
                c.ehlo("client.test")
                c.mail("sender@woodgrove.test")
                return c.rcpt(address)
            finally:
                c.close()

        code, text = rcpt("nobody@contoso.test")
        assert_eq((code, text), (550, b"5.1.1 User unknown"), "an unknown recipient")
        assert_eq(os.path.exists(os.path.join(l.dir, "mailboxes", "contoso.test", "nobody")), False, "a folder for nobody")
        assert_eq(rcpt("x" * 300 + "@contoso.test")[0], 550, "a 300-character unknown local part")

        # One mailbox, however it is written: case, a trailing dot, quotes around a dot-atom, another address.
        c = smtp(l.port(25))
        c.sendmail("sender@woodgrove.test", ['"Kate"@Contoso.Test.', "k.smith@contoso.test", "someone@fabrikam.test"],
                   "Subject: one mailbox\r\n\r\nhello\r\n")
        c.quit()
        assert_eq(len(l.maildir("kate@contoso.test")), 1, "kate's copies (one per message)")
        users = sorted(os.listdir(os.path.join(l.dir, "mailboxes", "contoso.test")))
        assert_eq(users, ["kate"], "mailbox folders")
        relayed = glob.glob(os.path.join(l.dir, "queue", "relay", "*.json"))
        assert_eq(len(relayed), 1, "the relay queue's envelopes")
        assert_eq(json.load(open(relayed[0]))["recipients"], ["someone@fabrikam.test"], "the relayed recipient")

        # Validation off: the catch-all, with a warning; an impossible folder name is refused at RCPT.
        out = l.shell("Set-RecipientFilterConfig -RecipientValidationEnabled $false")
        assert_in("Recipient validation is off", out.stderr)
        l.wait_applied()
        assert_eq(rcpt("nobody@contoso.test")[0], 250, "an unknown recipient with validation off")
        code, text = rcpt("x" * 300 + "@contoso.test")
        assert_eq((code, text[:5]), (501, b"5.1.3"), "a local part too long for a folder, with validation off")
    finally:
        l.cleanup()


def test_status_exit_status_and_a_killed_listener_is_forgotten():
    """`receptor status` exits 0 only while a listener runs (3 otherwise, as systemctl is-active), and a
    listener killed with SIGKILL, which never unregisters, is forgotten at once on its own host."""
    l = Listener()
    try:
        before = l.run("status", check=False)
        assert_eq(before.returncode, 3, "status exit status with no listener")
        assert_in("No listener is running", before.stdout)
        l.start()
        end = time.time() + 15
        while l.run("status", check=False).returncode != 0 and time.time() < end:
            time.sleep(0.1)
        running = l.run("status", check=False)
        assert_eq(running.returncode, 0, f"status exit status with the listener running:\n{running.stdout}")
        assert_in(f"pid {l.proc.pid} on ", running.stdout)
        assert_in(", running, ", running.stdout)
        assert_eq(l.run("status", "--server", "MBX02", check=False).returncode, 3, "status of a server without a listener")

        l.proc.send_signal(signal.SIGKILL)
        l.proc.wait()
        after = l.run("status", check=False)
        assert_eq(after.returncode, 3, f"status exit status after SIGKILL:\n{after.stdout}")
        assert_in("No listener is running", after.stdout)
        con = sqlite3.connect(f"file:{l.store}?mode=ro", uri=True, timeout=10)
        try:
            assert_eq(con.execute("SELECT COUNT(*) FROM listeners").fetchone()[0], 0, "registrations left in the store")
        finally:
            con.close()
    finally:
        l.cleanup()


def test_a_pending_starttls_handshake_and_a_tarpit_are_bounded_by_the_timeouts():
    """Issue 13 item 2: EHLO, STARTTLS, then silence must not hold a session forever. A 2 s
    ConnectionInactivityTimeout closes it; a 3 s ConnectionTimeout closes one that was busy until STARTTLS,
    and one whose STARTTLS waits behind a tarpit (TarpitInterval 5 s)."""
    l = Listener()
    try:
        l.shell('Set-ReceiveConnector "Default Frontend MBX01" -ConnectionInactivityTimeout 00:00:02 -ConnectionTimeout 00:00:03')
        l.start()
        time.sleep(0.3)   # the readiness probe's session ends

        def greet(busy_for=0.0):
            """Connects and says EHLO, then NOOP every 0.3 s for busy_for seconds from the connect."""
            s = socket.create_connection(("127.0.0.1", l.port(25)), timeout=10)
            connected = time.time()
            replies = RawReplies(s)
            replies.line()
            s.sendall(b"EHLO silent.test\r\n")
            replies.reply()
            while time.time() - connected < busy_for:
                s.sendall(b"NOOP\r\n")
                replies.reply()
                time.sleep(0.3)
            return s, connected, replies

        def starttls_then_silence(busy_for=0.0):
            s, connected, replies = greet(busy_for)
            s.sendall(b"STARTTLS\r\n")
            assert_in("220 2.0.0", replies.reply()[-1], "STARTTLS")
            return s, connected

        # ConnectionInactivityTimeout: the handshake never starts.
        s, _ = starttls_then_silence()
        start = time.time()
        closed = wait_closed(s, 8)
        s.close()
        if closed is None or not 1.5 <= closed < 3.5:
            raise AssertionError(f"a session waiting for the TLS handshake was closed after {closed} s, not the 2 s ConnectionInactivityTimeout")

        # ConnectionTimeout: busy for 1.8 s (inactivity would only end it at 3.8 s), then STARTTLS and silence.
        s, connected = starttls_then_silence(busy_for=1.8)
        closed = wait_closed(s, 8)
        s.close()
        since_connect = time.time() - connected
        if closed is None or not 2.7 <= since_connect < 3.6:
            raise AssertionError(f"ConnectionTimeout 3 s: closed {since_connect:.1f} s after the connect (waited {closed})")

        # ConnectionTimeout while STARTTLS waits behind the tarpit of a 503 (it would end at 6.8 s).
        s, connected, _ = greet(busy_for=1.8)
        s.sendall(b"RCPT TO:<someone@contoso.test>\r\nSTARTTLS\r\n")
        closed = wait_closed(s, 8)
        s.close()
        since_connect = time.time() - connected
        if closed is None or not 2.7 <= since_connect < 3.6:
            raise AssertionError(f"tarpit and pending STARTTLS: closed {since_connect:.1f} s after the connect (waited {closed})")

        end = time.time() + 5
        log = ""
        while time.time() < end:
            log = l.protocol_log()
            if log.count("ConnectionTimeout 00:00:03 reached") >= 2 and "ConnectionInactivityTimeout 00:00:02 reached" in log:
                break
            time.sleep(0.1)
        assert_in("TLS negotiation not completed: ConnectionInactivityTimeout 00:00:02 reached", log, "protocol log")
        assert_in("TLS negotiation not completed: ConnectionTimeout 00:00:03 reached", log, "protocol log")
    finally:
        l.cleanup()



def test_a_client_that_never_reads_its_replies_is_still_disconnected():
    """Issue 13 item 2, the last state: a session the engine has ended keeps its connection until its final
    reply is written, which a client that keeps sending and never reads holds off for good (its replies fill
    the socket buffers; EHLO's reply is 20 times its command). ConnectionTimeout (8 s) ends the session; its
    connection must be gone a ConnectionInactivityTimeout (2 s) later."""
    l = Listener()
    try:
        l.shell('Set-ReceiveConnector "Default Frontend MBX01" -ConnectionInactivityTimeout 00:00:02 -ConnectionTimeout 00:00:08 '
                '-ProtocolLoggingLevel None')
        l.start()
        time.sleep(0.3)   # the readiness probe's session ends
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(5)
        s.connect(("127.0.0.1", l.port(25)))
        connected = time.time()
        chunk = b"EHLO x\r\n" * 10000
        try:
            while time.time() - connected < 6:
                s.sendall(chunk)
        except OSError:   # the server is slower than the flood: its buffers are full
            pass
        ended = gone = None   # seconds after the connect: the engine ended the session; its connection went
        while time.time() - connected < 30:
            try:
                sessions = l.control("snapshot")["sessions"]
            except OSError:   # the listener is still busy answering the flood
                continue
            if not sessions:
                gone = time.time() - connected
                break
            if ended is None and sessions[0]["state"] == "Closed":
                ended = time.time() - connected
            time.sleep(0.25)
        s.close()
        if ended is None:
            raise AssertionError(f"inconclusive: the server could write every reply (the connection went after {gone} s)")
        if gone is None or gone - ended > 4:
            raise AssertionError(f"the session ended {ended:.1f} s after the connect, but its connection was still open "
                                 f"{time.time() - connected:.1f} s after it (gone: {gone})")
    finally:
        l.cleanup()



def test_input_during_a_tarpit_is_not_buffered_without_bound():
    """What a client sends while a tarpit holds its reply back waits in the listener's memory: reading stops
    at SMTPLimits.maxPendingInput (256 KB) instead of taking all it is sent (at most 64 MB here; the socket
    buffers take the rest until the client blocks)."""
    l = Listener()
    try:
        l.shell('Set-ReceiveConnector "Default Frontend MBX01" -TarpitInterval 00:00:08 -ProtocolLoggingLevel None')
        l.start()
        time.sleep(0.3)

        s = socket.create_connection(("127.0.0.1", l.port(25)), timeout=10)
        replies = RawReplies(s)
        replies.line()
        s.sendall(b"EHLO flood.test\r\n")
        replies.reply()
        before = l.rss_kb()
        s.sendall(b"RCPT TO:<someone@contoso.test>\r\n")   # a tarpitted 503: 8 s
        start = time.time()
        s.settimeout(2)
        junk = b"x" * (1 << 20)   # one endless line, cheap for the session once the delay ends
        sent = 0
        try:
            while sent < 64 << 20 and time.time() - start < 5:
                s.sendall(junk)
                sent += len(junk)
        except OSError:   # blocked: the listener stopped reading
            pass
        grown = l.rss_kb() - before
        s.close()
        if grown > 24 * 1024:
            raise AssertionError(f"the listener's RSS grew {grown} KB while a tarpitted client sent {sent >> 20} MB")
    finally:
        l.cleanup()


def test_replies_a_client_never_reads_are_not_buffered_without_bound():
    """Issue 13 item 3: pipelined EHLOs whose replies the client never reads (each ~250 bytes of reply for 17
    of command) must not pile up in the listener: it stops reading once its unsent replies pass the channel's
    bound (the previous build grew ~73 MB for 5 MB of EHLOs)."""
    l = Listener()
    try:
        l.shell('Set-ReceiveConnector "Default Frontend MBX01" -ProtocolLoggingLevel None -MaxProtocolErrors unlimited')
        l.start()
        time.sleep(0.3)

        s = socket.create_connection(("127.0.0.1", l.port(25)), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.recv(512)
        before = l.rss_kb()
        chunk = b"EHLO flood.test\r\n" * 4096
        sent = 0
        s.settimeout(30)   # a debug build reads slowly: give the previous build time to take it all
        start = time.time()
        try:
            while sent < 5 << 20 and time.time() - start < 40:
                s.sendall(chunk)
                sent += len(chunk)
        except OSError:   # blocked: the listener stopped reading
            pass
        time.sleep(5)   # what it did read, it has answered by now (a debug build is slow)
        grown = l.rss_kb() - before
        s.close()
        if grown > 24 * 1024:
            raise AssertionError(f"the listener's RSS grew {grown} KB for {sent >> 10} KB of EHLOs whose replies were never read")
    finally:
        l.cleanup()


def test_auth_failures_are_limited_per_source_across_sessions():
    """Issue 13 item 8: MaxLogonFailures ends a session, but a client can open another; after 10 failed
    logons from one address within 10 minutes, every AUTH from it gets 454 4.7.0 without a password check,
    even with the right password."""
    l = Listener()
    try:
        l.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'S3cret!pw' -AsPlainText -Force)")
        l.shell('Set-ReceiveConnector "Client Frontend MBX01" -AuthMechanism Tls,BasicAuth -AuthTarpitInterval 00:00:00 -TarpitInterval 00:00:00')
        l.start()

        def attempt(password):
            """One AUTH PLAIN (smtplib's login would try every mechanism: two failures per wrong password)."""
            c = smtp(l.port(587))
            try:
                c.ehlo("client.test")
                token = __import__("base64").b64encode(b"\0kate@contoso.test\0" + password.encode()).decode()
                return c.docmd("AUTH", "PLAIN " + token)[0]
            finally:
                c.close()

        assert_eq(attempt("S3cret!pw"), 235, "the right password before any failure")
        codes = [attempt("wrong") for _ in range(10)]
        assert_eq(codes, [535] * 10, "ten failed logons over ten sessions")
        assert_eq(attempt("S3cret!pw"), 454, "the right password from a source over the limit")
        log = l.log_text()
        assert_in("answered 454 without a check", log)
    finally:
        l.cleanup()


def test_concurrent_password_checks_are_bounded():
    """Issue 13 item 8: at most max(4, 2 × cores) password checks run at once; AUTH beyond that gets 454 4.7.0
    at once instead of queueing another slow hash (each session here is ready before any AUTH is sent)."""
    import base64
    import threading
    l = Listener()
    try:
        l.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'S3cret!pw' -AsPlainText -Force)")
        l.shell('Set-ReceiveConnector "Client Frontend MBX01" -AuthMechanism Tls,BasicAuth -MaxInboundConnectionPerSource 100')
        l.start()
        clients = []
        for _ in range(16):
            c = smtp(l.port(587))
            c.ehlo("client.test")
            clients.append(c)
        token = base64.b64encode(b"\0kate@contoso.test\0S3cret!pw").decode()
        codes = []
        go = threading.Event()

        def auth(c):
            go.wait()
            codes.append(c.docmd("AUTH", "PLAIN " + token)[0])

        threads = [threading.Thread(target=auth, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        go.set()
        for t in threads:
            t.join(60)
        for c in clients:
            c.close()
        assert_eq(len(codes), 16, "answers")
        assert_eq(set(codes) <= {235, 454}, True, f"only 235 and 454: {codes}")
        if codes.count(454) == 0:
            raise AssertionError(f"16 simultaneous password checks all ran: {codes}")
        if codes.count(235) < 4:
            raise AssertionError(f"fewer checks ran than the bound allows: {codes}")
    finally:
        l.cleanup()


def test_explainer_agrees_with_the_listener():
    """Issue 15: Test-ReceiveConnector's answer for an address is the connector the running listener gives a
    real connection from it (clients bind 127.0.0.x source addresses), or no connector at all."""
    l = Listener()
    try:
        port = l.port(25)
        # Three connectors on Default Frontend's port, from the widest range to one address.
        l.shell(f'New-ReceiveConnector -Name "Loop Wide" -TransportRole Frontend -Custom -Bindings 127.0.0.1:{port} -RemoteIPRanges 127.0.0.0/29 -Banner "220 loop-wide"')
        l.shell(f'New-ReceiveConnector -Name "Loop Narrow" -TransportRole Frontend -Custom -Bindings 127.0.0.1:{port} -RemoteIPRanges 127.0.0.4/30 -Banner "220 loop-narrow"')
        l.shell(f'New-ReceiveConnector -Name "Loop One" -TransportRole Frontend -Custom -Bindings 0.0.0.0:{port} -RemoteIPRanges 127.0.0.6 -Banner "220 loop-one"')
        l.start()
        for last in range(2, 11):
            source = f"127.0.0.{last}"
            answer = json.loads(l.shell(f"Test-ReceiveConnector -RemoteIPAddress {source} -LocalEndPoint 127.0.0.1:{port} | ConvertTo-Json -Depth 4").stdout)
            with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
                banner = s.makefile("rb").readline().decode().strip()
            undated = lambda text: text.split(" ready at ")[0]   # the default banner carries the time
            assert_eq(undated(banner), undated(answer["Banner"]), f"{source}: the listener's banner and Test-ReceiveConnector's ({answer['Connector']})")
    finally:
        l.cleanup()


def big_message(size, tag):
    """A message of about `size` bytes in its DATA form (dot-stuffed) and as it must be stored: a header
    section with a field the header firewall removes, then lines of every length that start with dots now and
    then, so stuffed dots fall on every kind of read boundary."""
    header = (f"From: big@fabrikam.test\r\nTo: someone@contoso.test\r\nSubject: {tag}\r\n"
              "X-MS-Exchange-Organization-Spoof: yes\r\n\r\n").encode()
    stored_header = (f"From: big@fabrikam.test\r\nTo: someone@contoso.test\r\nSubject: {tag}\r\n\r\n").encode()
    lines = []
    n = 0
    total = len(header)
    while total < size:
        line = (b"." if n % 7 == 0 else b"") + (b"%08d " % n) + b"x" * (n % 997)
        lines.append(line)
        total += len(line) + 2
        n += 1
    body = b"\r\n".join(lines) + b"\r\n"
    wire = header + b"\r\n".join((b"." + x if x.startswith(b".") else x) for x in lines) + b"\r\n"
    return wire, stored_header + body


def begin_transaction(s, rcpt, then=()):
    """On a new connection `s`: the banner, EHLO, MAIL FROM big@fabrikam.test and RCPT TO `rcpt`, then the
    (command, expected reply code) pairs of `then`; returns the connection's reader."""
    f = s.makefile("rb")
    assert_in("220 ", f.readline().decode())
    s.sendall(b"EHLO client.test\r\n")
    while not f.readline().startswith(b"250 "):
        pass
    for command, code in ((b"MAIL FROM:<big@fabrikam.test>", b"250"), (b"RCPT TO:<" + rcpt.encode() + b">", b"250"), *then):
        s.sendall(command + b"\r\n")
        reply = f.readline()
        assert reply.startswith(code), f"{command!r}: {reply!r}"
    return f


def send_raw_message(port, wire, rcpt="someone@contoso.test", piece=65536, timeout=120):
    """One session that sends `wire` as its DATA body in pieces; returns the reply to the final dot."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        f = begin_transaction(s, rcpt, then=((b"DATA", b"354"),))
        view = memoryview(wire)
        for i in range(0, len(view), piece):
            s.sendall(view[i:i + piece])
        s.sendall(b".\r\n")
        reply = f.readline().decode()
        s.sendall(b"QUIT\r\n")
        return reply


def test_a_30_mb_message_is_stored_byte_identical():
    """A DATA body far past what the listener keeps in memory (the rest is spooled as it arrives) lands in the
    Maildir whole: the prepended fields, the header firewall applied to its header section, dot-unstuffing
    across every read, the body byte for byte; and no spool file stays behind."""
    l = Listener().start()
    try:
        wire, stored = big_message(30 * 1024 * 1024, "thirty megabytes")
        reply = send_raw_message(l.port(25), wire, piece=65521)
        assert_in("250 2.6.0", reply)
        files = l.maildir("someone@contoso.test")
        assert_eq(len(files), 1, "messages in Maildir")
        data = open(files[0], "rb").read()
        own = data.index(b"From: big@fabrikam.test\r\n")
        prepended = data[:own].decode()
        assert_in("Received: from client.test", prepended)
        assert_in("X-Receptor-AuthAs: Anonymous", prepended)
        assert_in("Message-ID: <", prepended)
        if data[own:] != stored:
            first = next((i for i, (a, b) in enumerate(zip(data[own:], stored)) if a != b), min(len(data) - own, len(stored)))
            raise AssertionError(f"stored message differs from byte {first} (stored {len(data) - own}, sent {len(stored)})")
        leftovers = os.listdir(os.path.join(l.dir, "spool")) if os.path.isdir(os.path.join(l.dir, "spool")) else []
        assert_eq(leftovers, [], "spool files left")

        # Past MaxMessageSize the spooled part is dropped with the message; a session cut off mid-body drops its own.
        l.change('Set-ReceiveConnector "Default Frontend MBX01" -MaxMessageSize 2MB')
        reply = send_raw_message(l.port(25), wire[:5 * 1024 * 1024] + b"\r\n", rcpt="other@contoso.test")
        assert_in("552 5.3.4", reply)
        with socket.create_connection(("127.0.0.1", l.port(25)), timeout=30) as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(b"EHLO c\r\nMAIL FROM:<a@fabrikam.test>\r\nRCPT TO:<other@contoso.test>\r\nDATA\r\n")
            while not f.readline().startswith(b"354"):
                pass
            s.sendall(wire[:1536 * 1024])
            time.sleep(0.5)
        end = time.time() + 10
        while time.time() < end and os.listdir(os.path.join(l.dir, "spool")):
            time.sleep(0.1)
        assert_eq(os.listdir(os.path.join(l.dir, "spool")), [], "spool files left after a refusal and a cut-off session")
        assert_eq(l.maildir("other@contoso.test"), [], "nothing stored for the refused and cut-off messages")
    finally:
        l.cleanup()


def ten_large_messages_at_once(l, send, stored, what):
    """Ten sessions each send one large message at once (`send(i)` sends user{i}'s and returns the final
    reply); every message must be stored whole, and the listener's peak RSS (VmHWM) must grow by well under
    150 MB. Held whole in memory, each message costs its size at least twice."""
    def status(field):
        with open(f"/proc/{l.proc.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

    before = status("VmRSS")
    replies = []

    def one(i):
        try:
            replies.append(send(i))
        except Exception as e:  # noqa: BLE001
            replies.append(f"failed: {e}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    peak = status("VmHWM")
    assert_eq(len(replies), 10, "sessions finished")
    for r in replies:
        assert_in("250 2.6.0", r)
    for i in range(10):
        files = l.maildir(f"user{i}@contoso.test")
        assert_eq(len(files), 1, f"user{i}'s messages")
        assert_eq(os.path.getsize(files[0]) > len(stored), True, f"user{i}'s message is whole")
    grown_mb = (peak - before) / 1024
    print(f"    listener RSS before {before / 1024:.0f} MB, peak {peak / 1024:.0f} MB (+{grown_mb:.0f} MB for 10 x {what})")
    if grown_mb > 150:
        raise AssertionError(f"peak RSS grew {grown_mb:.0f} MB while 10 sessions sent {what} each")


def send_bdat_message(port, payload, chunk_sizes, rcpt="someone@contoso.test", piece=65536, timeout=120):
    """One session that sends `payload` in BDAT chunks of the given sizes (the last with LAST); returns the
    reply to the last chunk (the earlier ones must each get 250)."""
    assert sum(chunk_sizes) == len(payload)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        f = begin_transaction(s, rcpt)
        view = memoryview(payload)
        offset = 0
        reply = ""
        for i, size in enumerate(chunk_sizes):
            last = i == len(chunk_sizes) - 1
            s.sendall(b"BDAT %d%s\r\n" % (size, b" LAST" if last else b""))
            for j in range(offset, offset + size, piece):
                s.sendall(view[j:min(j + piece, offset + size)])
            offset += size
            reply = f.readline().decode()
            if not last:
                assert reply.startswith("250"), f"BDAT chunk {i}: {reply!r}"
        s.sendall(b"QUIT\r\n")
        return reply


def test_bdat_messages_are_spooled_not_held_in_memory():
    """Issue 13 item 4 for BDAT: a message sent in chunks spills past the threshold as a DATA body does. A
    30 MB message in three chunks is stored byte for byte (header firewall applied, no spool file left);
    ten sessions each sending one 30 MB chunk at once grow the listener's peak RSS by well under 150 MB
    (held in memory, each chunk cost 30-60 MB: 300 MB or more)."""
    l = Listener().start()
    try:
        wire, stored = big_message(30 * 1024 * 1024, "thirty megabytes in chunks")
        header_end = wire.index(b"\r\n\r\n") + 4
        stored_header_end = stored.index(b"\r\n\r\n") + 4
        payload = wire[:header_end] + stored[stored_header_end:]   # BDAT is not dot-stuffed
        n = len(payload)
        reply = send_bdat_message(l.port(25), payload, [700_000, 12 * 1024 * 1024, n - 700_000 - 12 * 1024 * 1024], piece=65521)
        assert_in("250 2.6.0", reply)
        files = l.maildir("someone@contoso.test")
        assert_eq(len(files), 1, "messages in Maildir")
        data = open(files[0], "rb").read()
        own = data.index(b"From: big@fabrikam.test\r\n")
        if data[own:] != stored:
            first = next((i for i, (a, b) in enumerate(zip(data[own:], stored)) if a != b), min(len(data) - own, len(stored)))
            raise AssertionError(f"stored message differs from byte {first} (stored {len(data) - own}, sent {len(stored)})")
        spool = os.path.join(l.dir, "spool")
        assert_eq(os.listdir(spool) if os.path.isdir(spool) else [], [], "spool files left")

        ten_large_messages_at_once(
            l, lambda i: send_bdat_message(l.port(25), payload, [n], rcpt=f"user{i}@contoso.test"), stored, "one 30 MB BDAT chunk")
    finally:
        l.cleanup()


def test_connector_usage_is_recorded_kept_across_restarts_and_pruned():
    """Issue 15 item 4: who used each connector (per remote address: sessions, HELO, account, messages, relayed),
    from Get-ReceiveConnectorUsage; still there after a restart, counting on; days past retention are gone."""
    import base64
    import datetime
    l = Listener()
    try:
        port = l.port(25)
        l.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'S3cret!pw' -AsPlainText -Force)")
        l.shell('Set-ReceiveConnector "Client Frontend MBX01" -AuthMechanism Tls,BasicAuth')
        l.shell(f'New-ReceiveConnector -Name "Anonymous Relay" -TransportRole Frontend -Custom -Bindings 0.0.0.0:{port} -RemoteIPRanges 127.0.0.4 -PermissionGroups AnonymousUsers')
        l.shell('Get-ReceiveConnector "Anonymous Relay" | Add-ADPermission -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights "Ms-Exch-SMTP-Accept-Any-Recipient"')
        old_day = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=40)).strftime("%Y-%m-%d")
        os.makedirs(os.path.join(l.dir, "usage"), exist_ok=True)
        with open(os.path.join(l.dir, "usage", f"usage-{old_day}.json"), "w") as f:
            json.dump([{"connectorGUID": "00000000-0000-0000-0000-000000000000", "connector": "MBX01\\Gone", "day": old_day,
                        "remoteAddress": "192.0.2.1", "heloNames": [], "accounts": [], "sessions": 1, "tlsSessions": 0, "messages": 0,
                        "relayed": 0, "rejected": 0, "firstSeen": f"{old_day}T00:00:00Z", "lastSeen": f"{old_day}T00:00:00Z"}], f)
        l.start()

        def send(source, to, helo, port=port, login=False):
            c = smtplib.SMTP(timeout=10, source_address=(source, 0))
            c.connect("127.0.0.1", port)
            c.ehlo(helo)
            if login:
                token = base64.b64encode(b"\0kate@contoso.test\0S3cret!pw").decode()
                assert_eq(c.docmd("AUTH", "PLAIN " + token)[0], 235, "AUTH")
            c.sendmail("kate@contoso.test" if login else "someone@woodgrove.test", [to], "Subject: usage\r\n\r\nhi\r\n")
            c.quit()

        send("127.0.0.2", "kate@contoso.test", "anon.test")
        send("127.0.0.3", "kate@contoso.test", "laptop.test", port=l.port(587), login=True)
        send("127.0.0.4", "someone@fabrikam.test", "app.test")

        def usage(identity, days=30):
            end = time.time() + 10
            while True:
                out = l.shell(f'Get-ReceiveConnectorUsage "{identity}" -Days {days} | ConvertTo-Json -Depth 3').stdout.strip()
                rows = json.loads(out) if out else []
                rows = rows if isinstance(rows, list) else [rows]
                if rows or time.time() > end:
                    return {r["RemoteIPAddress"]: r for r in rows}
                time.sleep(0.2)

        def wait_for(identity, address, key, value):
            end = time.time() + 10
            while time.time() < end:
                row = usage(identity).get(address)
                if row and row[key] == value:
                    return row
                time.sleep(0.2)
            raise AssertionError(f"{identity} {address}: {key} never became {value}: {usage(identity)}")

        row = wait_for("Default Frontend MBX01", "127.0.0.2", "Messages", 1)
        assert_eq((row["Sessions"], row["HeloNames"], row["Accounts"], row["Relayed"]), (1, ["anon.test"], [], 0), "anonymous sender")
        row = wait_for("Client Frontend MBX01", "127.0.0.3", "Messages", 1)
        assert_eq((row["Accounts"], row["HeloNames"]), (["kate@contoso.test"], ["laptop.test"]), "authenticated sender")
        row = wait_for("Anonymous Relay", "127.0.0.4", "Relayed", 1)
        assert_eq(row["Messages"], 1, "relay messages")

        # A restart keeps today's rows and counts on; the day past retention is gone.
        l.stop()
        l.start()
        send("127.0.0.2", "kate@contoso.test", "anon.test")
        row = wait_for("Default Frontend MBX01", "127.0.0.2", "Messages", 2)
        assert_eq(row["Sessions"], 2, "sessions after the restart")
        assert_eq(os.path.exists(os.path.join(l.dir, "usage", f"usage-{old_day}.json")), False, "the file past retention")
        everything = json.loads(l.shell("Get-ReceiveConnectorUsage -Days 60 | ConvertTo-Json -Depth 3").stdout)
        assert_eq(any(r["RemoteIPAddress"] == "192.0.2.1" for r in everything), False, "rows past retention")
    finally:
        l.cleanup()


def test_large_messages_at_once_keep_the_listener_small():
    """Ten sessions each send a 30 MB message at once. Held whole in memory, each costs 60-100 MB (the body
    doubling as it grows, then copied at its end): 600 MB or more. Spooled past the threshold, the listener's
    peak RSS (VmHWM) grows by well under 150 MB, and every message is stored whole."""
    l = Listener().start()
    try:
        wire, stored = big_message(30 * 1024 * 1024, "ten at once")
        ten_large_messages_at_once(l, lambda i: send_raw_message(l.port(25), wire, rcpt=f"user{i}@contoso.test"), stored, "30 MB")
    finally:
        l.cleanup()


def test_listener_on_postgresql_applies_notified_changes_and_survives_a_terminated_backend():
    """receptor listen on a PostgreSQL store: its data directory is $XDG_DATA_HOME/receptor/mbx01 (a URI names
    no folder); a change from `receptor shell -c` is applied within a second (NOTIFY); with every backend of
    the listener terminated (pg_terminate_backend) as a change is committed, the change is still applied (the
    feed reconnects and reads the generation again); while the database refuses the listener, it keeps
    serving, its control socket says "unreachable", and it catches up once the database is back."""
    db = PostgresDatabase()
    l = None
    try:
        l = Listener(store=db.uri).start()
        assert_eq(glob.glob(os.path.join(l.data_dir, "listener-*.sock")), [os.path.join(l.data_dir, "listener-mbx01.sock")],
                  "control socket in the server's data directory")
        port = l.port(2610)
        start = time.time()
        l.shell(f'New-ReceiveConnector -Name PgExtra -TransportRole FrontendTransport -Internet -Bindings 127.0.0.1:{port}')
        l.wait_port(port, timeout=1)
        took = time.time() - start
        if took > 1.5:
            raise AssertionError(f"the new binding took {took:.2f}s from the shell's start (the shell itself included)")

        killed = db.terminate_backends()
        if killed < 2:
            raise AssertionError(f"expected the listener's feed and store connections to be terminated, got {killed}")
        l.shell('Remove-ReceiveConnector PgExtra -Confirm:$false')
        l.wait_applied(timeout=5)
        wait_closed_port(port, 2)
        l.wait_port(l.port(25))
        snapshot = l.control("snapshot")
        assert_eq(snapshot.get("storeUnreachableSince"), None, "reachable again in the control socket's snapshot")
        log = l.log_text()
        assert_in("lost the store's change feed", log, "listener log")
        assert_in("the store's change feed is back", log, "listener log")
        status = l.run("status").stdout
        assert_in("listening", status)
        assert_eq("unreachable" in status, False, "status once the store is back")

        # The database refuses the listener for a while: it keeps serving, says so, and catches up after.
        generation = l.control("snapshot")["generation"]
        db.allow_connections(False)
        db.terminate_backends()
        end = time.time() + 10
        while l.control("snapshot").get("storeUnreachableSince") is None:
            if time.time() > end:
                raise AssertionError(f"the control socket never said the store is unreachable; log:\n{l.log_text()}")
            time.sleep(0.05)
        assert_in("store unreachable since ", l.log_text(), "listener log")
        # `receptor status` can't read the store either: it says so and shows what this host's listener reports.
        p = l.run("status", check=False)
        assert_eq(p.returncode, 1, f"status exit while the store refuses connections ({p.stderr.strip()})")
        assert_in("Listener for MBX01 on this host", p.stdout, "status from the control socket")
        assert_in("Listeners on other hosts can't be listed while the store can't be read; only this host's listeners are shown",
                  p.stdout.splitlines()[0], "status's first line while the store refuses connections")
        assert_in("store unreachable since ", p.stdout, "status while the store refuses connections")
        l.wait_port(l.port(25))
        assert_eq(l.control("snapshot")["generation"], generation, "the last good config stays in force")
        db.allow_connections(True)
        l.shell(f'New-ReceiveConnector -Name PgAfter -TransportRole FrontendTransport -Internet -Bindings 127.0.0.1:{port}')
        l.wait_port(port, timeout=10)
        end = time.time() + 10
        while l.control("snapshot").get("storeUnreachableSince") is not None:
            if time.time() > end:
                raise AssertionError("the control socket still says the store is unreachable")
            time.sleep(0.05)
    finally:
        if l:
            l.cleanup()
        db.allow_connections(True)
        db.drop()


def test_two_servers_on_one_postgresql_each_apply_only_their_own_changes():
    """Issue 14's organization end to end: MBX01 and EDGE02 initialised on one PostgreSQL database, each host's
    listener (`listen --server NAME`) serving its own server's connectors; a connector added to EDGE02 from
    "another host" (MBX01's shell) is applied by EDGE02's listener within a second and left alone by MBX01's;
    `Get-ReceiveConnector` without -Server lists both servers, `status` both listeners. The URI carries a
    password (the test cluster trusts loopback, so any password connects): it appears in no output of any
    command or listener log."""
    db = PostgresDatabase()
    password = "Pw-e2e-" + uuid.uuid4().hex[:12]
    uri = db.uri.replace("postgresql://postgres@", f"postgresql://postgres:{password}@")
    mbx = edge = None
    outputs = []
    try:
        mbx = Listener(server="MBX01", store=uri)
        edge = Listener(server="EDGE02", role="Edge", store=uri)
        mbx.start("--server", "MBX01")
        edge.start("--server", "EDGE02")
        mbx_generation = mbx.control("snapshot")["generation"]
        mbx_bindings = mbx.control("snapshot")["bindings"]

        port = edge.port(2611)
        start = time.time()
        outputs.append(mbx.shell(f'New-ReceiveConnector -Name Branch -Server EDGE02 -Internet -Bindings 127.0.0.1:{port}').stdout)
        committed = time.time()
        edge.wait_port(port, timeout=2)
        applied = time.time() - committed
        if applied > 1.0:
            raise AssertionError(f"EDGE02's listener applied the change {applied:.2f}s after the shell returned (the "
                                 f"shell itself took {committed - start:.2f}s)")
        mbx.wait_applied(timeout=5)   # MBX01's listener read the new generation too...
        snapshot = mbx.control("snapshot")
        assert_eq(snapshot["generation"] > mbx_generation, True, "MBX01 follows the organization's generation")
        assert_eq(snapshot["bindings"], mbx_bindings, "...and serves only its own server's connectors")
        c = smtp(port)
        assert_eq(c.ehlo("client.fabrikam.test")[0], 250, "EHLO on EDGE02's new connector")
        c.quit()

        listing = mbx.shell("Get-ReceiveConnector | Format-Table Identity").stdout
        outputs.append(listing)
        assert_in("MBX01\\Default Frontend MBX01", listing, "Get-ReceiveConnector without -Server")
        assert_in("EDGE02\\Branch", listing, "Get-ReceiveConnector without -Server")
        status = mbx.run("status")
        outputs += [status.stdout, status.stderr]
        assert_in("MBX01", status.stdout, "status lists MBX01's listener")
        assert_in("EDGE02", status.stdout, "status lists EDGE02's listener")
        bad = mbx.run("shell", "-c", "Get-ReceiveConnector -Server NOSUCH", check=False)
        outputs += [bad.stdout, bad.stderr]
    finally:
        for l in (mbx, edge):
            if l:
                l.stop()
                outputs.append(l.log_text())
                for name in os.listdir(l.dir):
                    path = os.path.join(l.dir, name)
                    if name.endswith(".log") and os.path.isfile(path):
                        outputs.append(open(path, errors="replace").read())
                l.cleanup()
        db.drop()
    leaked = [o for o in outputs if password in o]
    assert_eq(len(leaked), 0, f"outputs showing the store's password: {[o[:200] for o in leaked]}")


def test_listener_on_postgresql_keeps_serving_through_a_database_restart():
    """The database server restarted under a running listener (pg_ctl restart of the test cluster), just after
    it started: SMTP goes on meanwhile with the last good configuration, a change committed after the restart is
    applied, and the listener is registered. (Before the fix, a restart during the listener's first
    registration stopped it, and blocking store calls on the Swift concurrency pool could stall the feed.)"""
    cluster = os.environ.get("RECEPTOR_TEST_POSTGRES_DIR", "")
    if not cluster:
        raise AssertionError("RECEPTOR_TEST_POSTGRES_DIR is not set, so the database restart was NOT tested "
                             "(scripts/test sets it to the test cluster's folder)")
    script = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts", "test-postgres")
    db = PostgresDatabase()
    l = None
    try:
        l = Listener(store=db.uri).start()
        restart = subprocess.Popen([script, "restart", cluster], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # SMTP while the database goes down and comes back: every session served.
        sent = 0
        while restart.poll() is None and sent < 200:
            try:
                c = smtp(l.port(25))
                c.sendmail("chris@fabrikam.test", [f"restart{sent}@contoso.test"], b"Subject: during the restart\r\n\r\nbody\r\n")
                c.quit()
            except (OSError, smtplib.SMTPException) as e:
                raise AssertionError(f"message {sent} during the restart: {e!r}; log:\n{l.log_text()}")
            sent += 1
        out, err = restart.communicate(timeout=60)
        assert_eq(restart.returncode, 0, f"scripts/test-postgres restart ({err.strip()})")
        assert_eq(sent > 0, True, "messages sent while the database restarted")
        port = l.port(2612)
        end = time.time() + 20
        while True:   # the shell itself needs the database back
            p = l.shell(f'New-ReceiveConnector -Name AfterRestart -TransportRole FrontendTransport -Internet -Bindings 127.0.0.1:{port}', check=False)
            if p.returncode == 0:
                break
            if time.time() > end:
                raise AssertionError(f"the shell could not write after the restart: {p.stderr.strip()}")
            time.sleep(0.2)
        l.wait_port(port, timeout=10)
        assert_eq(l.control("snapshot").get("storeUnreachableSince"), None, "reachable after the restart")
        # Registered in the store (even when the restart came just as it first registered: the heartbeat does).
        end = time.time() + 20
        while True:
            status = l.run("status", check=False)
            if status.returncode == 0 and "listening" in status.stdout:
                break
            if time.time() > end:
                raise AssertionError(f"receptor status after the restart (exit {status.returncode}):\n{status.stdout}{status.stderr}")
            time.sleep(0.5)
    finally:
        if l:
            l.cleanup()
        db.drop()


def test_two_shells_racing_on_one_binding_on_postgresql_one_wins():
    """Two `receptor shell` processes at once, each adding a connector that conflicts with the other's (same
    binding, same remote ranges): exactly one is saved, the other refused with one line; five rounds."""
    db = PostgresDatabase()
    l = None
    try:
        l = Listener(store=db.uri)
        for round in range(5):
            port = l.port(2620 + round)
            procs = [subprocess.Popen([BIN, "shell", "--store", l.store, "-c",
                                       f'New-ReceiveConnector -Name "Race {round}{side}" -TransportRole FrontendTransport -Custom '
                                       f'-Bindings 127.0.0.1:{port} -RemoteIPRanges 10.{round}.0.0/16'],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=l.child_env())
                     for side in "ab"]
            results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs]
            winners = [r for r in results if r[0] == 0]
            losers = [r for r in results if r[0] != 0]
            assert_eq(len(winners), 1, f"round {round}: shells that saved their connector ({results})")
            error = losers[0][2].strip()
            assert_eq(len(error.splitlines()), 1, f"round {round}: the refusal is one line ({error!r})")
            names = l.shell(f"Get-ReceiveConnector | where {{$_.Name -like 'Race {round}*'}} | Format-Table Name").stdout
            assert_eq(sum(1 for line in names.splitlines() if line.strip().startswith(f"Race {round}")), 1,
                      f"round {round}: connectors in the store ({names!r})")
    finally:
        if l:
            l.cleanup()
        db.drop()


def control_endpoint_exchange(host, port, fingerprint, secret_hex, request='{"command":"snapshot"}'):
    """The console's side of the TCP control endpoint, written from the decision note, not from the Swift code:
    TLS (the certificate must be the registered one), the challenge, HMAC-SHA256(secret, label | nonce |
    SHA-256 of the certificate), then one request. Returns (lines after the answer, seconds the verdict took)."""
    import base64
    import hashlib
    import hmac
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # trust comes from the registered fingerprint, checked below
    with socket.create_connection((host, port), timeout=10) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
        assert_eq(hashlib.sha256(der).hexdigest(), fingerprint, "the certificate is the one the store registered")
        assert_eq(tls.version(), "TLSv1.3", "TLS version")
        reader = tls.makefile("r")
        challenge = json.loads(reader.readline())
        assert_eq((challenge["type"], challenge["version"]), ("challenge", 1), f"challenge: {challenge}")
        nonce = base64.b64decode(challenge["nonce"])
        mac = hmac.new(bytes.fromhex(secret_hex), b"receptor-control-v1" + nonce + der_digest(der), hashlib.sha256).digest()
        tls.sendall(json.dumps({"command": "authenticate", "answer": base64.b64encode(mac).decode()}).encode() + b"\n")
        started = time.time()
        verdict = reader.readline()
        took = time.time() - started
        lines = [verdict.strip()]
        if json.loads(verdict).get("type") == "authenticated":
            tls.sendall(request.encode() + b"\n")
            lines.append(reader.readline().strip())
        else:
            lines.append(reader.read())  # nothing more: the close
        return lines, took


def der_digest(der):
    import hashlib
    return hashlib.sha256(der).digest()


def check_control_endpoint(l, secret):
    """The TCP control endpoint of a running listener `l` (started with --control-port 0 on 127.0.0.1)."""
    status = json.loads(l.run("status", "--json").stdout)
    listener = status["listeners"][0]
    endpoint, fingerprint = listener.get("controlEndpoint"), listener.get("controlFingerprint")
    if not endpoint or not fingerprint:
        raise AssertionError(f"status --json shows no control endpoint: {listener}")
    host, port = endpoint.rsplit(":", 1)
    assert_eq(host, "127.0.0.1", "the endpoint's host (the bind address)")
    text = l.run("status").stdout
    assert_in(f"control endpoint {endpoint} (TLS only; certificate SHA-256 {fingerprint})", text)
    if len(secret) != 64:
        raise AssertionError(f"the control secret is not 256 bits of hex: {len(secret)} characters")

    lines, _ = control_endpoint_exchange(host, int(port), fingerprint, secret)
    assert_eq(lines[0], '{"type":"authenticated"}', "verdict with the right secret")
    snapshot = json.loads(lines[1])
    assert_eq((snapshot["type"], snapshot["server"]), ("snapshot", "MBX01"), "the snapshot over TLS")

    wrong = "00" * 32
    lines, took = control_endpoint_exchange(host, int(port), fingerprint, wrong)
    assert_eq(lines, ['{"error":"not authorized","type":"error"}', ""], "a wrong secret: one refusal line, then the close")
    if took < 0.9:
        raise AssertionError(f"the refusal came after {took:.2f}s; it waits a second")

    # A plaintext client: no JSON byte, the close.
    with socket.create_connection((host, int(port)), timeout=15) as s:
        s.sendall(b'{"command":"snapshot"}\n')
        got = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except ConnectionResetError:
            pass
        if b"{" in got or b"MBX01" in got:
            raise AssertionError(f"a plaintext client got protocol bytes: {got!r}")

    # The secret is in no output: status (text and JSON) and the listener's log.
    for where, out in [("status", text), ("status --json", json.dumps(status)), ("the listener's log", l.log_text())]:
        if secret in out:
            raise AssertionError(f"the control secret appears in {where}")


def test_control_endpoint_over_tls_with_the_organization_secret():
    """receptor listen --control-port: status shows the endpoint and the certificate's SHA-256; a client holding
    the store's secret gets the snapshot through TLS; a wrong secret gets one refusal line a second later; a
    plaintext client gets no protocol byte; the secret appears in no output."""
    l = Listener()
    try:
        l.start("--control-port", "0", "--control-address", "127.0.0.1")
        l.wait_status("control endpoint 127.0.0.1:")
        con = sqlite3.connect(f"file:{l.store}?mode=ro", uri=True, timeout=10)
        try:
            secret = con.execute("SELECT secret FROM control_secret").fetchone()[0]
        finally:
            con.close()
        check_control_endpoint(l, secret)

        # As `receptor status` on another host sees it (the registration's host is not this one): it attaches
        # through the endpoint with the store's secret, and says so; with another secret in the store, it can't.
        con = sqlite3.connect(l.store, timeout=10)
        try:
            con.execute("UPDATE listeners SET host = 'mbx01.elsewhere.test'")
            con.commit()
            status = l.run("status").stdout
            assert_in(": a console here can attach (generation ", status)
            con.execute("UPDATE control_secret SET secret = ?", ("00" * 32,))
            con.commit()
            status = l.run("status").stdout
            assert_in(": a console here can't attach (", status)
            assert_in("refused: the listener does not accept this store's control secret", status)
            if secret in status or "00" * 32 in status:
                raise AssertionError("a secret appears in status")
        finally:
            con.close()
    finally:
        l.cleanup()


def test_control_endpoint_on_postgresql():
    """The same on a PostgreSQL store: the secret and the registration's endpoint and fingerprint in the database."""
    db = PostgresDatabase()
    l = None
    try:
        l = Listener(store=db.uri)
        l.start("--control-port", "0", "--control-address", "127.0.0.1")
        l.wait_status("control endpoint 127.0.0.1:")
        check_control_endpoint(l, psql(db.uri, "SELECT secret FROM control_secret"))
    finally:
        if l:
            l.cleanup()
        db.drop()


if __name__ == "__main__":
    sys.exit(harness.run(globals(), BIN))
