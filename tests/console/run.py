#!/usr/bin/env python3
"""End-to-end tests of the real console (ncurses) in tmux: the list, live changes from the shell, the
wizard, the conflict refusal, the edit dialog, resize, and a clean exit that restores the terminal.
Prints "N passed, N failed"."""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import assert_eq, assert_in, PostgresDatabase  # noqa: E402,F401

BIN = os.environ.get("RECEPTOR_BIN") or shutil.which("receptor")


class Console:
    def __init__(self, offset=10400, width=100, height=30, role="Mailbox", server="MBX01", create_store=True, console_args="",
                 console_env="", store=None, env=None):
        """A shell in a tmux pane running the console; with create_store=False the store does not exist yet
        and the caller waits for what the console shows first. console_env ("NAME=value ...") is put in
        front of the console's command line, in its environment only. store: a store other than an SQLite file
        in the test's folder (a postgresql:// URI); env: variables for every receptor the test runs, the
        console's included."""
        self.dir = tempfile.mkdtemp(prefix="receptor-console-")
        self.store = store or os.path.join(self.dir, "receptor.sqlite")
        self.env = dict(os.environ, **(env or {}))
        console_env = " ".join([f"{k}={v}" for k, v in (env or {}).items()] + ([console_env] if console_env else []))
        self.name = f"rc{os.getpid()}{int(time.time() * 1000) % 100000}"
        if create_store:
            args = ["init", "--server", server, "--role", role, "--accepted-domain", "contoso.test"]
            if offset:
                args += ["--port-offset", str(offset)]
            self.receptor(*args)
        # A shell in the pane, so the test can see what the terminal is like after the console exits.
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        "env", "LANG=C.UTF-8", "TERM=tmux-256color", "PS1=$ ", "bash", "--norc", "--noprofile"], check=True)
        prefix = f"env {console_env} " if console_env else ""
        self.keys(f"{prefix}{BIN} console --store {shlex.quote(self.store)}{console_args}; echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?echo'", "Enter")
        if create_store:
            self.wait_for("Receive connectors")

    def receptor(self, *args):
        p = subprocess.run([BIN, *args, "--store", self.store], capture_output=True, text=True, timeout=60, env=self.env)
        if p.returncode != 0:
            raise AssertionError(f"receptor {' '.join(args)}: {p.stderr}")
        return p.stdout

    def shell(self, line):
        return self.receptor("shell", "-c", line)

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def text(self, *keys):
        subprocess.run(["tmux", "send-keys", "-l", "-t", self.name, *keys], check=True)

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-t", self.name, "-p"], capture_output=True, text=True).stdout

    def wait_for(self, text, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            if text in self.screen():
                return time.time()
            time.sleep(0.05)
        raise AssertionError(f"the screen never showed {text!r}:\n{self.screen()}")

    def wait_until(self, predicate, what, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"never saw {what}:\n{self.screen()}")

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)



def test_list_and_a_change_from_the_shell_within_a_second():
    c = Console()
    try:
        screen = c.screen()
        for name in ["Default Frontend MBX01", "Client Frontend MBX01", "Outbound Proxy Frontend MBX01", "Client Proxy MBX01", "Default MBX01"]:
            assert_in(name, screen)
        assert_in("No listener is running for MBX01", screen)
        start = time.time()
        c.shell('Set-ReceiveConnector "Default Frontend MBX01" -Enabled $false')
        shown = c.wait_for("Disabled", timeout=3)
        if shown - start > 1.5:   # the shell's own run is part of this
            raise AssertionError(f"the change took {shown - start:.2f}s to appear")
        c.keys("q")
        c.wait_for("EXIT=0")
    finally:
        c.close()


def partner_wizard_to_summary(c):
    """The article's scenario 2 typed into the wizard, up to its summary page."""
    c.keys("a"); c.wait_for("step 1 of 4")
    c.text("Fabrikam.com TLS")
    c.keys("Tab", "Tab", "Down")          # Type: Partner
    c.keys("PgDn"); c.wait_for("Network adapter bindings:")
    c.keys("PgDn"); c.wait_for("Remote network settings:")
    c.keys("e"); c.wait_for("Edit IP address")
    c.keys("C-u"); c.text("17.17.17.1/24"); c.keys("Enter")
    c.keys("PgDn"); c.wait_for("The equivalent shell command")


def test_wizard_creates_the_partner_connector():
    c = Console()
    try:
        partner_wizard_to_summary(c)
        assert_in('New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole FrontendTransport -Partner', c.screen())
        c.keys("C-s")
        c.wait_for("Fabrikam.com TLS ")
        out = c.shell('Get-ReceiveConnector "Fabrikam.com TLS" | Format-List Bindings,RemoteIPRanges,PermissionGroups,AuthMechanism,TransportRole')
        for line in ["Bindings         : {0.0.0.0:25}", "RemoteIPRanges   : {17.17.17.1/24}", "PermissionGroups : Partners",
                     "AuthMechanism    : Tls", "TransportRole    : FrontendTransport"]:
            assert_in(line, out, "Get-ReceiveConnector")
        c.keys("q")
        c.wait_for("EXIT=0")
    finally:
        c.close()


def write_usage(c, guid, identity, rows):
    """Usage the listener would have recorded today for one connector: [(address, sessions)]."""
    import datetime
    import json
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    folder = os.path.join(c.dir, "usage")
    os.makedirs(folder, exist_ok=True)
    data = [{"connectorGUID": guid.lower(), "connector": identity, "day": now.strftime("%Y-%m-%d"), "remoteAddress": a,
             "heloNames": ["mail.fabrikam.test"], "accounts": [], "sessions": n, "tlsSessions": 0, "messages": n, "relayed": 0,
             "rejected": 0, "firstSeen": stamp, "lastSeen": stamp} for a, n in rows]
    with open(os.path.join(folder, f"usage-{now.strftime('%Y-%m-%d')}.json"), "w") as f:
        json.dump(data, f)


def test_wizard_summary_at_80x24_shows_the_impact_preview_and_u_shows_usage():
    c = Console(offset=0, width=80, height=24)   # Default Frontend on port 25, where the partner connector goes
    try:
        guid = c.shell('Get-ReceiveConnector "Default Frontend MBX01" | Select-Object -ExpandProperty Guid').strip()
        write_usage(c, guid, "MBX01\\Default Frontend MBX01", [("17.17.17.5", 400), ("17.17.17.6", 10), ("17.17.17.200", 2), ("192.0.2.7", 9)])
        partner_wizard_to_summary(c)
        c.wait_for("Traffic that changes hands:")
        screen = c.screen()
        flat = " ".join(screen.replace("│", " ").split())
        assert_in("17.17.17.0/24 moves from MBX01\\Default Frontend MBX01 to MBX01\\Fabrikam.com TLS.", flat, "the summary")
        assert_in("received 412 sessions from 3 addresses in 17.17.17.0/24 in the last 7 days; they will go to MBX01\\Fabrikam.com TLS.",
                  flat, "the summary")
        c.keys("Escape"); c.wait_for("Discard this new connector?"); c.keys("y")
        c.wait_for("nothing was written")
        c.keys("Down", "Down", "u"); c.wait_for("Usage of MBX01\\Default Frontend MBX01")
        c.wait_for("17.17.17.200")
        screen = c.screen()
        assert_in("4 remote addresses, 421 sessions, newest first; from the usage files", " ".join(screen.replace("│", " ").split()), "the usage view")
        c.keys("Escape"); c.wait_for("Receive connectors")
        c.wait_for("421 sessions in 30 days")   # the details pane's usage in brief, read in the background
        c.keys("q")
        c.wait_for("EXIT=0")
    finally:
        c.close()


def test_internet_on_all_ipv4_port_25_conflicts_and_writes_nothing():
    c = Console(offset=0)
    try:
        before = c.shell("Get-ReceiveConnector | ConvertTo-Json -Depth 4")
        c.keys("a"); c.wait_for("step 1 of 4")
        c.text("Internet Receive Connector")
        c.keys("Tab", "Tab", "Down", "Down", "Down", "Down")   # Type: Internet
        c.keys("PgDn"); c.wait_for("Network adapter bindings:")
        c.keys("C-s")
        c.wait_for("Default Frontend MBX01")
        screen = c.screen()
        assert_in("conflict", screen)
        c.keys("Escape")
        c.wait_for("Discard this new connector?")
        c.keys("y")
        c.wait_for("nothing was written")
        after = c.shell("Get-ReceiveConnector | ConvertTo-Json -Depth 4")
        if before != after:
            raise AssertionError("the refused wizard wrote to the store")
        c.keys("q")
        c.wait_for("EXIT=0")
    finally:
        c.close()


def test_edit_dialog_changes_the_banner_and_resize_and_exit_restore_the_terminal():
    c = Console()
    try:
        # Outbound Proxy Frontend is the last row: End, then Enter opens the edit dialog on General.
        c.keys("End"); c.keys("Enter"); c.wait_for("[ General ]")
        for _ in range(9):
            c.keys("Down")
        c.text("220 hello from the console")
        c.keys("C-s")
        c.wait_for('Saved "Outbound Proxy Frontend')
        out = c.shell('Get-ReceiveConnector | where {$_.Banner -like "220 hello*"} | Format-List Identity,Banner')
        assert_in("220 hello from the console", out, "Get-ReceiveConnector")
        subprocess.run(["tmux", "resize-window", "-t", c.name, "-x", "80", "-y", "24"], check=True)
        def redrawn_at_80x24():
            lines = c.screen().splitlines()
            return bool(lines) and "Receptor" in lines[0] and max(len(l) for l in lines) <= 80 and len(lines) <= 24
        c.wait_until(redrawn_at_80x24, "a redraw at 80x24")
        subprocess.run(["tmux", "resize-window", "-t", c.name, "-x", "60", "-y", "20"], check=True)
        c.wait_for("80")   # the too-small message names the minimum size
        subprocess.run(["tmux", "resize-window", "-t", c.name, "-x", "120", "-y", "40"], check=True)
        c.wait_for("Receive connectors")
        c.keys("q")
        c.wait_for("EXIT=0")
        # The helper's command line prints stty's echo flag after EXIT: wait for that line too.
        end = time.time() + 5
        while time.time() < end and not any(l.strip() in ("echo", "-echo") for l in c.screen().splitlines()):
            time.sleep(0.05)
        screen = c.screen()
        if "\n-echo" in screen or "-echo\n" in screen:
            raise AssertionError("the terminal was left without echo:\n" + screen)
        assert_in("\necho", "\n" + screen, "stty after exit")
    finally:
        c.close()


def test_lines_and_columns_in_the_environment_do_not_pin_the_size():
    # bash exports LINES and COLUMNS when it inherited them (so do script and CI runners); ncurses would
    # take them as the terminal's size and never follow a resize.
    c = Console(width=100, height=30, console_env="LINES=30 COLUMNS=100")
    try:
        subprocess.run(["tmux", "resize-window", "-t", c.name, "-x", "120", "-y", "40"], check=True)
        def redrawn_at_120x40():
            lines = c.screen().splitlines()
            if len(lines) < 40 or "Receptor" not in lines[0] or "Server: MBX01" not in lines[0]:
                return False
            # The title bar's right end ("Server: MBX01 (Mailbox) [s] ") follows the width, the hint bar the
            # height; nothing of the 100x30 frame is left (its details box ended on row 28).
            return len(lines[0].rstrip()) > 110 and "q Quit" in lines[39] and "q Quit" not in lines[29]
        c.wait_until(redrawn_at_120x40, "a redraw at 120x40", timeout=5)
        c.keys("q")
        c.wait_for("EXIT=0")
    finally:
        c.close()


def test_article_scenario_1_internet_on_a_specific_address_at_120x40():
    c = Console(width=120, height=40)
    try:
        c.keys("a"); c.wait_for("step 1 of")
        c.text("Internet Receive Connector")
        c.keys("Tab", "Tab", "Down", "Down", "Down", "Down", "PgDn"); c.wait_for("Network adapter bindings:")
        c.keys("Enter"); c.wait_for("Edit IP address")
        c.keys("Down"); c.text("10.10.1.1"); c.keys("C-s")
        c.keys("PgDn"); c.wait_for("The equivalent shell command")
        c.keys("C-s"); c.wait_for("Internet Receive Connector ")
        out = c.shell('Get-ReceiveConnector "Internet Receive Connector" | Format-List Bindings,RemoteIPRanges,PermissionGroups,TransportRole')
        for line in ["Bindings         : {10.10.1.1:25}", "RemoteIPRanges   : {0.0.0.0-255.255.255.255}",
                     "PermissionGroups : AnonymousUsers", "TransportRole    : FrontendTransport"]:
            assert_in(line, out, "Get-ReceiveConnector")
        c.keys("q"); c.wait_for("EXIT=0")
    finally:
        c.close()


def test_article_scenario_3_custom_then_security_tab_at_80x24():
    c = Console(width=80, height=24)
    try:
        c.keys("a"); c.wait_for("step 1 of")
        c.text("Inbound From Service")
        c.keys("Tab", "Tab", "PgDn", "PgDn"); c.wait_for("Remote network settings:")
        c.keys("d", "a"); c.text("192.168.10.5"); c.keys("Enter")
        c.keys("PgDn"); c.wait_for("The equivalent shell command")
        c.keys("C-s"); c.wait_for("Inbound From Service ")
        c.keys("Enter"); c.wait_for("General")
        c.keys("PgDn"); c.wait_for("Basic authentication")
        c.keys("Tab", "Space")                      # TLS off
        c.keys("Tab", "Tab", "Space")               # Basic authentication on
        for _ in range(5):
            c.keys("Tab")
        c.keys("Space")                             # Anonymous users
        c.keys("C-s"); c.wait_for('Saved "Inbound From Service"')
        out = c.shell('Get-ReceiveConnector "Inbound From Service" | Format-List RemoteIPRanges,PermissionGroups,AuthMechanism')
        for line in ["RemoteIPRanges   : {192.168.10.5}", "PermissionGroups : AnonymousUsers", "AuthMechanism    : BasicAuth"]:
            assert_in(line, out, "Get-ReceiveConnector")
        c.keys("q"); c.wait_for("EXIT=0")
    finally:
        c.close()


def test_article_scenario_4_internal_on_edge_at_80x24():
    c = Console(width=80, height=24, role="Edge", server="EDGE01")
    try:
        c.keys("a"); c.wait_for("step 1 of")
        c.text("Inbound From Organization")
        c.keys("Tab", "Down", "Down", "Down", "PgDn"); c.wait_for("Remote network settings:")
        c.keys("d")
        for ip in ["10.1.2.10", "10.1.2.15", "10.1.2.20"]:
            c.keys("a"); c.text(ip); c.keys("Enter")
        c.keys("PgDn"); c.wait_for("The equivalent shell command")
        c.keys("C-s"); c.wait_for("Inbound From Organization ")
        out = c.shell('Get-ReceiveConnector "Inbound From Organization" | Format-List Bindings,RemoteIPRanges,PermissionGroups,AuthMechanism')
        for line in ["Bindings         : {0.0.0.0:25}", "RemoteIPRanges   : {10.1.2.10, 10.1.2.15, 10.1.2.20}",
                     "PermissionGroups : ExchangeServers", "AuthMechanism    : Tls, ExchangeServer"]:
            assert_in(line, out, "Get-ReceiveConnector")
        c.keys("q"); c.wait_for("EXIT=0")
    finally:
        c.close()


def test_explain_view_answers_the_partner_and_the_relay_at_80x24():
    c = Console(offset=0, width=80, height=24)   # Default Frontend on port 25 itself, as in the article (nothing listens)
    try:
        c.shell('New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25')
        c.shell('New-ReceiveConnector -Name "Anonymous Relay" -TransportRole FrontendTransport -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.5.10 -PermissionGroups AnonymousUsers')
        c.shell('Get-ReceiveConnector "Anonymous Relay" | Add-ADPermission -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights "Ms-Exch-SMTP-Accept-Any-Recipient"')
        c.wait_for("Fabrikam.com TLS ")
        c.keys("x"); c.wait_for("Remote address:")
        c.text("17.17.17.5"); c.keys("Enter")
        c.wait_for("Connector:           MBX01\\Fabrikam.com TLS")
        screen = c.screen()
        assert_in("Matched range:       17.17.17.1/24", screen, "the partner's range")
        assert_in("Must authenticate: yes", screen, "nothing before AUTH on the partner connector")
        c.keys("PgDn"); c.wait_for("Default Frontend MBX01 — LessSpecificRange")
        # The relay: Add-ADPermission's Accept-Any-Recipient makes anonymous relay possible.
        c.keys("C-u"); c.text("192.168.5.10"); c.keys("Enter")
        c.wait_for("Connector:           MBX01\\Anonymous Relay")   # the label: the old answer names it as a candidate
        assert_in("May relay:         yes", c.screen(), "the relay connector")
        # Bad input: one line, no answer.
        c.keys("Tab", "C-u"); c.text("70000"); c.keys("Enter")
        c.wait_for("Error: Local endpoint: the port 70000 is not between 1 and 65535.")
        assert_eq("Connector:" in c.screen(), False, "no answer under an error")
        c.keys("Escape"); c.wait_for("Mail flow › Receive connectors")
        c.keys("q"); c.wait_for("EXIT=0")
    finally:
        c.close()


def test_mouse_click_selects_a_row_and_ctrl_z_fg_redraws():
    c = Console(offset=10800)
    try:
        # Job control needs the console as the shell's job itself, not inside the helper's command list
        # (bash goes on with a list when one of its commands stops).
        c.keys("q")
        c.wait_for("EXIT=0")
        c.keys("clear", "Enter")
        c.keys("clear", "Enter")
        c.wait_until(lambda: "EXIT=0" not in c.screen(), "the screen cleared")
        c.keys(f"{BIN} console --store {c.store}; echo EXIT=$?", "Enter")
        c.wait_for("Receive connectors")
        lines = c.screen().splitlines()
        row = next(i for i, l in enumerate(lines) if l.startswith(" Default MBX01"))
        # An X10 mouse report, as a terminal sends it for a click (button 1 press, then release) at
        # column 6 of that row: ESC [ M, then button + 32, column + 32 and row + 32 (1-based).
        press = "\x1b[M" + chr(32) + chr(32 + 6) + chr(32 + row + 1)
        release = "\x1b[M" + chr(35) + chr(32 + 6) + chr(32 + row + 1)
        c.text(press + release)
        c.wait_for("Default MBX01 - Enabled")
        assert_in(">Default MBX01", c.screen(), "the clicked row is selected")
        # Ctrl-Z gives the shell back with the terminal restored; fg redraws the console as it was.
        c.keys("C-z")
        c.wait_for("Stopped")
        c.text("stty -a | tr ' ' '\\n' | grep -x -- '-\\?echo' | sed 's/^/STTY:/'")
        c.keys("Enter")
        end = time.time() + 5
        while time.time() < end and not any(l.startswith("STTY:") for l in c.screen().splitlines()):
            time.sleep(0.05)
        stopped = c.screen()
        if "STTY:-echo" in stopped:
            raise AssertionError(f"the terminal was left without echo while stopped:\n{stopped}")
        assert_in("STTY:echo", stopped, "stty while stopped")
        c.text("fg")
        c.keys("Enter")
        c.wait_for(">Default MBX01")
        c.keys("q")
        end = time.time() + 5
        while time.time() < end and "Receive connectors" in c.screen():
            time.sleep(0.05)
        c.text("echo AFTER=$?")
        c.keys("Enter")
        c.wait_for("AFTER=0")
    finally:
        c.close()


def test_without_a_store_the_console_offers_to_create_one():
    c = Console(create_store=False, console_args=" --server TESTHOST")
    try:
        c.wait_for(f"No Receptor store at {c.store}.")
        assert_in(f"receptor init --store {c.store} --server TESTHOST", c.screen(), "the equivalent command")
        if os.getuid() != 0:
            assert_in("--port-offset 10000", c.screen(), "a non-root user is offered a port offset")
        c.keys("y", "Enter")
        # init prints the new connectors too ("TESTHOST\Default Frontend TESTHOST"): wait for the console's
        # own header, and only then read its list (a first RSA key takes a moment under load).
        c.wait_for("Server: TESTHOST (Mailbox)", timeout=30)
        c.wait_for("Default Frontend TESTHOST")
        c.keys("q")
        c.wait_for("EXIT=0")
        assert_eq(oct(os.stat(c.store).st_mode & 0o777), oct(0o600), "store file mode")
    finally:
        c.close()


# --- The live session monitor (issue 5) ---

def listener_pids(c):
    import json
    # `receptor status` exits 3 when no listener runs (as systemctl is-active); its JSON still lists them.
    p = subprocess.run([BIN, "status", "--json", "--store", c.store], capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 3), f"receptor status --json: {p.returncode} {p.stderr}"
    return [l["pid"] for l in json.loads(p.stdout)["listeners"]]


def stop_listeners(c):
    import signal
    for pid in listener_pids(c):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    end = time.time() + 20
    while time.time() < end and any(os.path.exists(f"/proc/{p}") for p in listener_pids(c)):
        time.sleep(0.1)


def counters_row(screen, connector):
    """The numbers of a connector's row in the monitor's counters table."""
    for line in screen.splitlines():
        if line.strip().startswith(connector) and "  " in line:
            return line[len(connector) + 1:].split()
    raise AssertionError(f"no counters row for {connector}:\n{screen}")


def test_monitor_shows_sessions_tls_auth_relay_and_the_received_header():
    import smtplib
    import socket
    import ssl
    import threading
    c = Console(offset=10600, width=120, height=50)
    clients = []
    try:
        c.shell("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)")
        c.shell("New-Mailbox -Name ben -UserPrincipalName ben@contoso.test -Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)")
        # A new user: the monitor says how to start a listener, and l starts it.
        c.keys("m")
        c.wait_for("No listener is running for this store")
        c.keys("l")
        c.wait_for("Listeners: MBX01 live", timeout=20)
        c.wait_for("attached to the listener")
        front, client = 10600 + 25, 10600 + 587
        # 20 sessions: some stop after EHLO, some in the middle of a transaction, one in DATA.
        def open_session(i):
            s = socket.create_connection(("127.0.0.1", front), timeout=10, source_address=(f"127.0.0.{2 + i % 5}", 0))
            f = s.makefile("rb")
            f.readline()
            def say(line):
                s.sendall(line.encode() + b"\r\n")
                while True:
                    reply = f.readline()
                    if reply[3:4] != b"-":
                        return reply
            say(f"EHLO client{i}.fabrikam.test")
            if i % 4 >= 1:
                say("MAIL FROM:<sender@fabrikam.test>")
            if i % 4 >= 2:
                say("RCPT TO:<kate@contoso.test>")
            if i % 4 == 3:
                say("DATA")
                s.sendall(b"Subject: half a message\r\n")
            return s
        for i in range(20):
            clients.append(open_session(i))
        c.wait_for("SESSIONS: 20 live", timeout=10)
        screen = c.screen()
        for state in ["EHLO", "MAIL", "RCPT", "DATA"]:
            assert_in(f" {state} ", screen, "session states")
        assert_in("127.0.0.3:", screen, "remote endpoints")
        # A session changes state while watched: the first one (EHLO only) starts a transaction.
        first = f"127.0.0.2:{clients[0].getsockname()[1]}"
        def state_of(remote):
            for line in c.screen().splitlines():
                if remote in line:
                    return line.split(remote, 1)[1].split()[0]
            return None
        assert_eq(state_of(first), "EHLO", f"state of {first}")
        clients[0].sendall(b"MAIL FROM:<late@fabrikam.test>\r\n")
        end = time.time() + 5
        while time.time() < end and state_of(first) != "MAIL":
            time.sleep(0.05)
        assert_eq(state_of(first), "MAIL", f"state of {first} after MAIL FROM")
        # STARTTLS + AUTH on Client Frontend: the row shows TLS and the account.
        tls = smtplib.SMTP("127.0.0.1", client, timeout=30)
        tls.ehlo("laptop.contoso.test")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        tls.starttls(context=ctx)
        tls.ehlo("laptop.contoso.test")
        tls.login("kate@contoso.test", "P@ssw0rd!")
        end = time.time() + 5
        row = []
        while time.time() < end and not row:
            row = [l for l in c.screen().splitlines() if "kate@contoso.test" in l and "Client Frontend" in l]
            time.sleep(0.05)
        if not row or "TLS1_" not in row[0]:
            raise AssertionError(f"the STARTTLS + AUTH session's row lacks TLS:\n{c.screen()}")
        tls.sendmail("kate@contoso.test", ["ben@contoso.test"], "Subject: over TLS\r\n\r\nhello\r\n")
        # A refused relay (anonymous, to a domain outside the accepted ones) is counted.
        relay = smtplib.SMTP("127.0.0.1", front, timeout=30)
        relay.ehlo("outsider.test")
        relay.mail("someone@outsider.test")
        code, _ = relay.rcpt("victim@elsewhere.test")
        assert_eq(code, 550, "relay refused")
        end = time.time() + 5
        while time.time() < end and counters_row(c.screen(), "Default Frontend MBX01")[4] != "1":
            time.sleep(0.1)
        assert_eq(counters_row(c.screen(), "Default Frontend MBX01")[4], "1", "DENIED counter")
        relay.quit()
        # Sessions go: ended rows linger dimmed, then leave.
        for s in clients[:10]:
            s.close()
        c.wait_for("just ended", timeout=5)
        c.wait_for("SESSIONS: 11 live", timeout=15)   # ten left of the twenty, and the TLS session
        # The message view: the Received header of the message sent over STARTTLS, with version and cipher.
        c.keys("Tab")
        c.wait_for("RECENT MESSAGES")
        c.keys("Enter")
        c.wait_for("as stored")
        screen = c.screen()
        assert_in("with ESMTPSA (version=TLS1_", screen, "Received header")
        assert_in("cipher=TLS_", screen, "Received header")
        assert_in("X-Receptor-AuthAs: kate@contoso.test", screen)
        # And the session's transcript, AUTH redacted.
        c.keys("t")
        c.wait_for("Transcript of session")
        def unwrapped():   # long protocol-log lines continue on the next screen line, indented
            return c.screen().replace("\n   ", "")
        import re
        if not re.search(r",<,AUTH PLAIN ?\*\*\*\*,", unwrapped()):   # (a space at a wrap point is trimmed by tmux)
            raise AssertionError(f"the transcript's end lacks the redacted AUTH line:\n{c.screen()}")
        c.keys("Home")
        c.wait_for("lines 1-")
        screen = unwrapped()
        assert_in(",<,STARTTLS,", screen, "transcript")
        if "UDBAc3N3MHJkIQ" in screen or "P@ssw0rd!" in screen:
            raise AssertionError("AUTH data appears in the transcript")
        tls.quit()
        c.keys("Escape", "Escape", "Escape")
        c.wait_for("Receive connectors")
        c.keys("q")
        c.wait_for("EXIT=0")
    finally:
        for s in clients:
            s.close()
        stop_listeners(c)
        c.close()


def test_monitor_follows_a_listener_restart():
    import subprocess as sp
    c = Console(offset=10700)
    listener = None
    try:
        log = open(os.path.join(c.dir, "listen.log"), "w")
        listener = sp.Popen([BIN, "listen", "--store", c.store], stdout=log, stderr=sp.STDOUT)
        c.keys("m")
        c.wait_for("Listeners: MBX01 live", timeout=15)
        listener.terminate()
        listener.wait(timeout=30)
        c.wait_for("MBX01 lost", timeout=5)
        c.wait_for("lost the listener")
        listener = sp.Popen([BIN, "listen", "--store", c.store], stdout=log, stderr=sp.STDOUT)
        c.wait_for("Listeners: MBX01 live", timeout=15)
        import socket
        s = socket.create_connection(("127.0.0.1", 10725), timeout=5)
        s.recv(512)
        c.wait_for("SESSIONS: 1 live", timeout=5)
        # The list's details pane shows the selected connector's live sessions too.
        c.keys("Escape"); c.wait_for("Receive connectors")
        c.keys("Down", "Down")                # Default Frontend MBX01
        c.wait_for("1 session now", timeout=5)
        s.close()
        c.wait_for("0 sessions now", timeout=10)
        c.keys("q")
        c.wait_for("EXIT=0")
    finally:
        if listener and listener.poll() is None:
            listener.terminate()
            listener.wait(timeout=30)
        c.close()


def test_organization_view_on_postgresql_two_servers_listeners_and_a_change_from_another_host():
    """s on a PostgreSQL store: every server with its role, connectors and listeners alive of registered; the
    header shows the URI without its password; a server added from "another host" and a listener started or
    killed there appear within a second or two; Enter shows a server's connectors, Esc goes back."""
    db = PostgresDatabase()
    parts = urllib.parse.urlsplit(db.uri)
    # A password in the URI (the test cluster trusts loopback, so any will do): it must never reach the screen.
    store = parts._replace(netloc=f"{parts.username}:Sekr1t-pw@{parts.hostname}:{parts.port}").geturl()
    work = tempfile.mkdtemp(prefix="receptor-console-org-")
    env = {"XDG_DATA_HOME": os.path.join(work, "xdg")}
    listeners = {}
    c = None

    def listen(server):
        log = open(os.path.join(work, f"{server}.log"), "w")
        listeners[server] = subprocess.Popen([BIN, "listen", "--store", store, "--server", server], stdout=log, stderr=log,
                                             env=dict(os.environ, **env), start_new_session=True)

    def row(server):
        return next((l for l in c.screen().splitlines() if l[1:].startswith(server + " ")), "")

    try:
        c = Console(offset=11100, server="MBX01", store=store, env=env, console_args=" --server MBX01")
        c.receptor("init", "--server", "MBX02", "--port-offset", "11200")
        listen("MBX01")
        c.keys("s"); c.wait_for("Organization › Servers")
        c.wait_until(lambda: "1 of 1 alive" in row("MBX01"), "MBX01's listener alive")
        screen = c.screen()
        assert_in("Store: postgresql://postgres@127.0.0.1:", screen, "header")
        assert_eq("Sekr1t" in screen, False, "the password on the screen")
        assert_in("MBX01 (shown)", row("MBX01"), "the server shown")
        assert_in("Mailbox", row("MBX02"))
        assert_in("none registered", row("MBX02"))
        assert_eq(row("MBX01").split()[3], "5", "MBX01's connectors")
        # Another host adds a server: it appears within a second of its commit (the LISTEN/NOTIFY feed).
        c.receptor("init", "--server", "EDGE01", "--role", "Edge", "--port-offset", "11300")
        done = time.time()
        shown = c.wait_for("EDGE01 ", timeout=3)
        if shown - done > 1.0:
            raise AssertionError(f"EDGE01 took {shown - done:.2f}s to appear")
        assert_in("Edge", row("EDGE01"))
        assert_in("none registered", row("EDGE01"))
        # MBX02's listener starts, then is killed (SIGKILL: it never unregisters): alive, then gone.
        listen("MBX02")
        c.wait_until(lambda: "1 of 1 alive" in row("MBX02"), "MBX02's listener alive", timeout=15)
        listeners["MBX02"].kill(); listeners["MBX02"].wait()
        c.wait_until(lambda: "none registered" in row("MBX02"), "MBX02's killed listener forgotten", timeout=5)
        # The pane below shows the selected server's listeners in receptor status's words.
        c.keys("Home"); c.wait_until(lambda: row("MBX01").startswith(">"), "MBX01 selected")
        c.wait_for(": running")
        # Enter on MBX02 shows its connectors; s and Esc go back without changing the server.
        c.keys("Down"); c.wait_until(lambda: row("MBX02").startswith(">"), "MBX02 selected")
        c.keys("Enter"); c.wait_for("Default Frontend MBX02")
        assert_in("Server: MBX02 (Mailbox)", c.screen(), "header after Enter")
        c.keys("s"); c.wait_for("MBX02 (shown)")
        c.keys("Escape"); c.wait_for("Mail flow › Receive connectors")
        assert_in("Default Frontend MBX02", c.screen(), "Esc kept MBX02")
        c.keys("q"); c.wait_for("EXIT=0")
    finally:
        for p in listeners.values():
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill(); p.wait()
        if c:
            c.close()
        db.drop()
        shutil.rmtree(work, ignore_errors=True)


def test_monitor_attaches_through_the_tcp_control_endpoint():
    """Issue 14: the console on another host watches a listener through its TCP control endpoint (TLS, the
    store's control secret). The listener's registration is made to look as if it came from another host, so
    the console can't use the Unix socket: with the store's secret the monitor is live over TCP (a connection
    to the control port, the sessions); with another secret in the store it is refused and stays lost."""
    import socket
    import sqlite3
    import subprocess as sp
    c = Console(offset=10900)
    listener = None
    others = []
    try:
        log = open(os.path.join(c.dir, "listen.log"), "w")
        listener = sp.Popen([BIN, "listen", "--store", c.store, "--control-port", "0", "--control-address", "127.0.0.1"],
                            stdout=log, stderr=sp.STDOUT)
        con = sqlite3.connect(c.store, timeout=10)
        end = time.time() + 30
        row = None
        while time.time() < end:
            row = con.execute("SELECT control_endpoint FROM listeners WHERE control_endpoint IS NOT NULL").fetchone()
            if row:
                break
            time.sleep(0.1)
        assert row, "the listener registered no control endpoint"
        port = int(row[0].rsplit(":", 1)[1])
        right = con.execute("SELECT secret FROM control_secret").fetchone()[0]
        con.execute("UPDATE listeners SET host = 'mbx01.elsewhere.test'")
        con.execute("UPDATE control_secret SET secret = ?", ("11" * 32,))
        con.commit()

        # The console already running reads the (wrong) secret when it first needs it: refused, never live.
        c.keys("m")
        c.wait_for("MBX01 lost", timeout=15)
        time.sleep(2)
        if "MBX01 live" in c.screen():
            raise AssertionError(f"live with a wrong secret:\n{c.screen()}")
        c.keys("Escape"); c.wait_for("Receive connectors")
        c.keys("q"); c.wait_for("EXIT=0")

        # Another console, with the right secret back in the store.
        con.execute("UPDATE control_secret SET secret = ?", (right,))
        con.commit()
        c.keys("clear", "Enter")
        c.wait_until(lambda: "EXIT=0" not in c.screen(), "the screen cleared")
        c.keys(f"{BIN} console --store {c.store}; echo EXIT=$?", "Enter")
        c.wait_for("Receive connectors")
        c.keys("m")
        c.wait_for("Listeners: MBX01 live", timeout=15)
        end = time.time() + 10
        connections = ""
        while time.time() < end and not connections.strip():
            connections = sp.run(["ss", "-Htn", "state", "established", f"( dport = :{port} )"], capture_output=True, text=True).stdout
            time.sleep(0.1)
        if not connections.strip():
            raise AssertionError(f"no connection to the control port {port}")
        s = socket.create_connection(("127.0.0.1", 10925), timeout=5)
        others.append(s)
        s.recv(512)
        c.wait_for("SESSIONS: 1 live", timeout=10)
        c.keys("Escape"); c.wait_for("Receive connectors")
        c.keys("q"); c.wait_for("EXIT=0")
        con.close()
    finally:
        for s in others:
            s.close()
        if listener and listener.poll() is None:
            listener.terminate()
            listener.wait(timeout=30)
        c.close()


if __name__ == "__main__":
    sys.exit(harness.run(globals(), BIN))
