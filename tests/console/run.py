#!/usr/bin/env python3
"""End-to-end tests of the real console (ncurses) in tmux: the list, live changes from the shell, the
wizard, the conflict refusal, the edit dialog, resize, and a clean exit that restores the terminal.
Prints "N passed, N failed"."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import assert_eq, assert_in  # noqa: E402,F401

BIN = os.environ.get("RECEPTOR_BIN") or shutil.which("receptor")


class Console:
    def __init__(self, offset=10400, width=100, height=30, role="Mailbox", server="MBX01"):
        self.dir = tempfile.mkdtemp(prefix="receptor-console-")
        self.store = os.path.join(self.dir, "receptor.sqlite")
        self.name = f"rc{os.getpid()}{int(time.time() * 1000) % 100000}"
        args = ["init", "--server", server, "--role", role, "--accepted-domain", "contoso.test"]
        if offset:
            args += ["--port-offset", str(offset)]
        self.receptor(*args)
        # A shell in the pane, so the test can see what the terminal is like after the console exits.
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        "env", "LANG=C.UTF-8", "TERM=tmux-256color", "PS1=$ ", "bash", "--norc", "--noprofile"], check=True)
        self.keys(f"{BIN} console --store {self.store}; echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?echo'", "Enter")
        self.wait_for("Receive connectors")

    def receptor(self, *args):
        p = subprocess.run([BIN, *args, "--store", self.store], capture_output=True, text=True, timeout=60)
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


def test_wizard_creates_the_partner_connector():
    c = Console()
    try:
        c.keys("a"); c.wait_for("step 1 of 4")
        c.text("Fabrikam.com TLS")
        c.keys("Tab", "Tab", "Down")          # Type: Partner
        c.keys("PgDn"); c.wait_for("Network adapter bindings:")
        c.keys("PgDn"); c.wait_for("Remote network settings:")
        c.keys("e"); c.wait_for("Edit IP address")
        c.keys("C-u"); c.text("17.17.17.1/24"); c.keys("Enter")
        c.keys("PgDn"); c.wait_for("The equivalent shell command")
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
        time.sleep(0.3)
        if "Discard" in c.screen() or "discard" in c.screen():
            c.keys("y")
        after = c.shell("Get-ReceiveConnector | ConvertTo-Json -Depth 4")
        if before != after:
            raise AssertionError("the refused wizard wrote to the store")
        c.keys("q")
        time.sleep(0.3)
        if "EXIT=" not in c.screen():
            c.keys("y")
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
        c.wait_for("Mail flow")
        time.sleep(0.3)
        out = c.shell('Get-ReceiveConnector | where {$_.Banner -like "220 hello*"} | Format-List Identity,Banner')
        assert_in("220 hello from the console", out, "Get-ReceiveConnector")
        subprocess.run(["tmux", "resize-window", "-t", c.name, "-x", "80", "-y", "24"], check=True)
        time.sleep(0.5)
        lines = c.screen().splitlines()
        if not lines or "Receptor" not in lines[0] or max(len(l) for l in lines) > 80:
            raise AssertionError("no redraw at 80x24:\n" + c.screen())
        subprocess.run(["tmux", "resize-window", "-t", c.name, "-x", "60", "-y", "20"], check=True)
        c.wait_for("80")   # the too-small message names the minimum size
        subprocess.run(["tmux", "resize-window", "-t", c.name, "-x", "120", "-y", "40"], check=True)
        c.wait_for("Receive connectors")
        c.keys("q")
        c.wait_for("EXIT=0")
        screen = c.screen()
        if "\n-echo" in screen or "-echo\n" in screen:
            raise AssertionError("the terminal was left without echo:\n" + screen)
        assert_in("\necho", "\n" + screen, "stty after exit")
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
        c.keys("C-s"); c.wait_for("Mail flow")
        time.sleep(0.3)
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


if __name__ == "__main__":
    sys.exit(harness.run(globals(), BIN))
