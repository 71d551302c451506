#!/usr/bin/env python3
"""End-to-end tests of the real `receptor` binary: init, the EMS shell with the article's commands,
refusals that change nothing, two processes racing on one connector, file modes.

Runs every test_* function; prints one line per failure and a closing "N passed, N failed" line.
RECEPTOR_BIN names the binary. Golden outputs live in tests/cli/fixtures; RECEPTOR_UPDATE_FIXTURES=1
rewrites them for review in git diff.
"""
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import harness  # noqa: E402
from harness import assert_eq, assert_in  # noqa: E402,F401

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
BIN = os.environ.get("RECEPTOR_BIN") or shutil.which("receptor")
UPDATE = os.environ.get("RECEPTOR_UPDATE_FIXTURES") == "1"


class Store:
    """A temporary data directory with a store in it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="receptor-cli-")
        self.path = os.path.join(self.dir, "data", "receptor.sqlite")

    def run(self, *args, stdin=None, env=None, check=None):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTOR_")}
        full_env.update({"RECEPTOR_STORE": self.path, "COLUMNS": "120", "TZ": "UTC"})
        full_env.update(env or {})
        p = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, env=full_env, timeout=120)
        if check is True and p.returncode != 0:
            raise AssertionError(f"receptor {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
        if check is False and p.returncode == 0:
            raise AssertionError(f"receptor {' '.join(args)} should have failed; stdout: {p.stdout.strip()}")
        return p

    def shell(self, line, **kw):
        return self.run("shell", "-c", line, **kw)

    def ok(self, line, **kw):
        return self.shell(line, check=True, **kw)

    def refused(self, line, **kw):
        return self.shell(line, check=False, **kw)

    def json_state(self):
        out = {}
        for cmd in ["Get-ReceiveConnector | ConvertTo-Json -Depth 4", "Get-AcceptedDomain | ConvertTo-Json",
                    "Get-Mailbox | ConvertTo-Json", "Get-ExchangeServer | ConvertTo-Json"]:
            out[cmd] = self.ok(cmd).stdout
        connectors = json.loads(out["Get-ReceiveConnector | ConvertTo-Json -Depth 4"])
        for c in connectors if isinstance(connectors, list) else [connectors]:
            out["perm " + c["Identity"]] = self.ok(f"Get-ADPermission \"{c['Identity']}\" | ConvertTo-Json").stdout
        return out

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def mailbox_store(domain="contoso.test"):
    s = Store()
    s.run("init", "--server", "MBX01", "--accepted-domain", domain, check=True)
    return s


def edge_store():
    s = Store()
    s.run("init", "--server", "EDGE01", "--role", "Edge", "--accepted-domain", "contoso.test", check=True)
    return s


def golden(name, text):
    path = os.path.join(FIXTURES, name)
    if UPDATE or not os.path.exists(path):
        os.makedirs(FIXTURES, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        if not UPDATE:
            raise AssertionError(f"fixture {name} did not exist; written for review")
        return
    with open(path) as f:
        expected = f.read()
    if expected != text:
        import difflib
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), "expected", "actual"))
        raise AssertionError(f"output differs from fixture {name}:\n{diff}")




# ---------------------------------------------------------------- init and the defaults (reference §1)

DEFAULTS_FL = "Get-ReceiveConnector | Format-List Identity,Bindings,RemoteIPRanges,AuthMechanism,PermissionGroups,ProtocolLoggingLevel,TransportRole"


def test_init_mailbox_defaults():
    s = mailbox_store()
    try:
        golden("mailbox-defaults.txt", s.ok(DEFAULTS_FL).stdout)
    finally:
        s.cleanup()


def test_init_edge_default():
    s = edge_store()
    try:
        golden("edge-defaults.txt", s.ok(DEFAULTS_FL).stdout)
        out = s.ok('Get-ReceiveConnector | Format-List Name,DomainSecureEnabled,ConnectionTimeout,ConnectionInactivityTimeout,MessageRateLimit').stdout
        assert_in("DomainSecureEnabled         : True", out)
        assert_in("ConnectionTimeout           : 00:05:00", out)
        assert_in("MessageRateLimit            : 600", out)
    finally:
        s.cleanup()


def test_init_port_offset_and_idempotence():
    s = Store()
    try:
        s.run("init", "--server", "MBX01", "--port-offset", "10000", check=True)
        out = s.ok("Get-ReceiveConnector | Format-Table Name,Bindings -AutoSize").stdout
        for port in ["10025", "10587", "10717", "10465", "12525"]:
            assert_in(f"0.0.0.0:{port}", out)
        before = s.json_state()
        again = s.run("init", "--server", "MBX01", check=True)
        assert_in("already exists", again.stdout)
        assert_eq(s.json_state(), before, "state after a second init")
        # A second server in the same store: added, the first untouched.
        s.run("init", "--server", "MBX02", "--port-offset", "20000", check=True)
        servers = s.ok("Get-ExchangeServer | Format-Table Name,ServerRole").stdout
        assert_in("MBX01", servers); assert_in("MBX02", servers)
        assert_eq(s.ok("Get-ReceiveConnector -Server MBX01 | ConvertTo-Json -Depth 4").stdout,
                  before["Get-ReceiveConnector | ConvertTo-Json -Depth 4"], "MBX01 connectors")
    finally:
        s.cleanup()


def test_store_file_modes():
    s = mailbox_store()
    try:
        mode = os.stat(s.path).st_mode & 0o777
        assert_eq(oct(mode), oct(0o600), "store file mode")
        dmode = os.stat(os.path.dirname(s.path)).st_mode & 0o777
        assert_eq(oct(dmode), oct(0o700), "data directory mode")
        for suffix in ["-wal", "-shm"]:
            if os.path.exists(s.path + suffix):
                assert_eq(oct(os.stat(s.path + suffix).st_mode & 0o077), oct(0), f"{suffix} group/other bits")
    finally:
        s.cleanup()


# ---------------------------------------------------------------- the article (seeds/custom-receive-connectors.md)

def test_article_scenario_1_internet():
    s = mailbox_store()
    try:
        p = s.ok('New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole Frontend -Internet -Bindings 10.10.1.1:25')
        assert_in("10.10.1.1 is not an address of this machine", p.stderr, "warnings")
        before = s.json_state()
        p = s.refused('New-ReceiveConnector -Name "Internet Receive Connector 2" -TransportRole Frontend -Internet -Bindings "0.0.0.0","[::]:"')
        assert_in('"MBX01\\Default Frontend MBX01"', p.stderr, "refusal")
        assert_in("port 25 was assumed", p.stderr, "refusal")
        assert_eq(len(p.stderr.strip().splitlines()), 1, "refusal is one line")
        assert_eq(s.json_state(), before, "state after the refusal")
        golden("scenario1-verify.txt", s.ok("Get-ReceiveConnector | where {$_.Bindings -like '*25' -AND $_.PermissionGroups -like '*AnonymousUsers*'} | Format-List Identity,Bindings,RemoteIPRanges,PermissionGroups").stdout)
    finally:
        s.cleanup()


def test_article_scenario_2_partner():
    s = mailbox_store()
    try:
        s.ok('New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25')
        golden("scenario2-verify.txt", s.ok("Get-ReceiveConnector | where {$_.Bindings -like '*25' -AND $_.PermissionGroups -like '*Partners*'} | Format-List Identity,Bindings,RemoteIPRanges,PermissionGroups").stdout)
    finally:
        s.cleanup()


def test_article_scenario_3_custom():
    s = mailbox_store()
    try:
        s.ok('New-ReceiveConnector -Name "Inbound From Service" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.10.5 -AuthMechanism BasicAuth -PermissionGroups AnonymousUsers')
        golden("scenario3-verify.txt", s.ok("Get-ReceiveConnector | where {$_.Bindings -like '*25'} | Format-List Identity,RemoteIPRanges,PermissionGroups,AuthMechanism").stdout)
    finally:
        s.cleanup()


def test_article_scenario_4_edge_internal():
    s = edge_store()
    try:
        s.ok('New-ReceiveConnector -Name "Inbound From Organization" -Internal -RemoteIPRanges 10.1.2.10,10.1.2.15,10.1.2.20')
        out = s.ok('Get-ReceiveConnector "Inbound From Organization" | Format-List Bindings,RemoteIPRanges,PermissionGroups,AuthMechanism').stdout
        assert_in("Bindings         : {0.0.0.0:25}", out)
        golden("scenario4-verify.txt", s.ok("Get-ReceiveConnector | where {$_.Bindings -like '*25'} | Format-List Identity,RemoteIPRanges,PermissionGroups,AuthMechanism").stdout)
    finally:
        s.cleanup()


def test_anonymous_relay_method_a():
    s = mailbox_store()
    try:
        s.ok('New-ReceiveConnector -Name "Anonymous Relay" -TransportRole FrontendTransport -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.5.10,192.168.5.11')
        s.ok('Set-ReceiveConnector "Anonymous Relay" -PermissionGroups AnonymousUsers')
        s.ok('Get-ReceiveConnector "Anonymous Relay" | Add-ADPermission -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights "Ms-Exch-SMTP-Accept-Any-Recipient"')
        out = s.ok('Get-ADPermission -Identity "Anonymous Relay" -User "NT AUTHORITY\\ANONYMOUS LOGON" | where {($_.Deny -eq $false) -and ($_.IsInherited -eq $false)} | Format-List User,ExtendedRights').stdout
        assert_in("ms-Exch-SMTP-Accept-Any-Recipient", out)
        assert_in("ms-Exch-SMTP-Submit", out)
    finally:
        s.cleanup()


# ---------------------------------------------------------------- Test-ReceiveConnector (issue 15)

def explain(s, args):
    out = json.loads(s.ok(f"Test-ReceiveConnector {args} | ConvertTo-Json -Depth 4").stdout)
    return out, {c["Identity"]: c["Outcome"] for c in out["Candidates"]}


def test_explainer_answers_the_article_scenarios():
    s = mailbox_store()
    try:
        s.ok('New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole Frontend -Internet -Bindings 10.10.1.1:25')
        s.ok('New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25')
        s.ok('New-ReceiveConnector -Name "Inbound From Service" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.10.5 -AuthMechanism BasicAuth -PermissionGroups AnonymousUsers')

        # Scenario 2: the partner lands on its connector; Default Frontend's 0.0.0.0-255.255.255.255 is less specific.
        out, outcomes = explain(s, "-RemoteIPAddress 17.17.17.5 -LocalEndPoint 25")
        assert_eq(out["Connector"], "MBX01\\Fabrikam.com TLS", "scenario 2")
        assert_eq(outcomes["MBX01\\Default Frontend MBX01"], "LessSpecificRange", "scenario 2: Default Frontend")
        assert_eq(out["MatchedRemoteIPRange"], "17.17.17.1/24", "scenario 2 range")
        assert_in("ms-Exch-SMTP-Submit", out["PartnerRights"], "partner rights")

        # Scenario 3: the device needs BasicAuth (offered as LOGIN PLAIN), and may submit anonymously too.
        out, _ = explain(s, "-RemoteIPAddress 192.168.10.5 -LocalEndPoint 0.0.0.0:25")
        assert_eq(out["Connector"], "MBX01\\Inbound From Service", "scenario 3")
        assert_eq(out["AuthMechanismsOffered"], "LOGIN PLAIN", "scenario 3 AUTH")

        # Scenario 1: an Internet client on 10.10.1.1:25 lands on the specific binding over the wildcard.
        out, outcomes = explain(s, "-RemoteIPAddress 203.0.113.9 -LocalEndPoint 10.10.1.1:25")
        assert_eq(out["Connector"], "MBX01\\Internet Receive Connector", "scenario 1")
        assert_eq(outcomes["MBX01\\Default Frontend MBX01"], "WildcardBinding", "scenario 1: Default Frontend")
        assert_eq(out["MatchedBinding"], "10.10.1.1:25", "scenario 1 binding")

        # No connector: Client Frontend's port from outside its remote ranges is everyone's; port 2 is nobody's.
        out, _ = explain(s, "-RemoteIPAddress 203.0.113.9 -LocalEndPoint 2")
        assert_eq(out["Connector"], None, "nothing on port 2")

        # A relay connector: CanRelayAnonymously only with the explicit right, and a deny takes it away.
        s.ok('New-ReceiveConnector -Name "Anonymous Relay" -TransportRole FrontendTransport -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.5.10 -PermissionGroups AnonymousUsers')
        out, _ = explain(s, "192.168.5.10")
        assert_eq((out["Connector"], out["CanRelayAnonymously"]), ("MBX01\\Anonymous Relay", False), "before Add-ADPermission")
        s.ok('Get-ReceiveConnector "Anonymous Relay" | Add-ADPermission -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights "Ms-Exch-SMTP-Accept-Any-Recipient"')
        assert_eq(explain(s, "192.168.5.10")[0]["CanRelayAnonymously"], True, "after Add-ADPermission")
        s.ok('Add-ADPermission "Anonymous Relay" -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights "Ms-Exch-SMTP-Accept-Any-Recipient" -Deny')
        assert_eq(explain(s, "192.168.5.10")[0]["CanRelayAnonymously"], False, "after a deny entry")

        # A range split by the connector that takes each part.
        rows = json.loads(s.ok("Test-ReceiveConnector -RemoteIPRange 192.168.5.0/24 -LocalEndPoint 25 | ConvertTo-Json").stdout)
        assert_eq([(r["RemoteIPRange"], r["Connector"]) for r in rows],
                  [("192.168.5.0-192.168.5.9", "MBX01\\Default Frontend MBX01"), ("192.168.5.10", "MBX01\\Anonymous Relay"),
                   ("192.168.5.11-192.168.5.255", "MBX01\\Default Frontend MBX01")], "split")

        # Bad input is one line, nothing else.
        for args, text in [("-RemoteIPAddress 17.17.17.500", "not a valid IP address"), ("1.2.3.4 -LocalEndPoint 70000", "not between 1 and 65535"),
                           ("1.2.3.4 -Server NOPE", "couldn't be found"), ("1.2.3.4 -LocalEndPoint 10.0.0.1", "port")]:
            p = s.refused(f"Test-ReceiveConnector {args}")
            assert_in(text, p.stderr)
            assert_eq(len(p.stderr.strip().splitlines()), 1, f"one line for {args}")
    finally:
        s.cleanup()


def test_whatif_previews_which_traffic_changes_hands():
    s = mailbox_store()
    try:
        new = 'New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25'
        out = s.ok(new + " -WhatIf").stdout
        assert_in("On 0.0.0.0:25, 17.17.17.0/24 moves from MBX01\\Default Frontend MBX01 to MBX01\\Fabrikam.com TLS.", out)
        s.ok(new)
        out = s.ok('Remove-ReceiveConnector "Fabrikam.com TLS" -WhatIf').stdout
        assert_in("17.17.17.0/24 moves from MBX01\\Fabrikam.com TLS to MBX01\\Default Frontend MBX01.", out)
        # Disabling Default Frontend leaves everyone but the partner with nothing: said under -WhatIf, and
        # warned about when done.
        out = s.ok('Set-ReceiveConnector "Default Frontend MBX01" -Enabled $false -WhatIf').stdout
        assert_in("On 0.0.0.0:25, 0.0.0.0-17.17.16.255 moves from MBX01\\Default Frontend MBX01 to NO connector", out)
        p = s.ok('Set-ReceiveConnector "Default Frontend MBX01" -Enabled $false')
        assert_in("WARNING: On [::]:25, ::/0 moves from MBX01\\Default Frontend MBX01 to NO connector", p.stderr)
    finally:
        s.cleanup()


def test_explainer_on_edge_scenario_4():
    s = edge_store()
    try:
        s.ok('New-ReceiveConnector -Name "Inbound From Organization" -Internal -RemoteIPRanges 10.1.2.10,10.1.2.15,10.1.2.20')
        out, outcomes = explain(s, "-RemoteIPAddress 10.1.2.10 -LocalEndPoint 25")
        assert_eq(out["Connector"], "EDGE01\\Inbound From Organization", "scenario 4")
        assert_eq(outcomes["EDGE01\\Default internal receive connector EDGE01"], "LessSpecificRange", "scenario 4: the default")
    finally:
        s.cleanup()


# ---------------------------------------------------------------- refusals change nothing

REFUSALS = [
    # (command, expected text in the error)
    ('New-ReceiveConnector -Name X -Internet -Partner -Bindings 10.0.0.1:25', "mutually exclusive"),
    ('New-ReceiveConnector -Name X -Bindings 10.0.0.1:25 -RemoteIPRanges 10.0.0.9', "usage type"),
    ('New-ReceiveConnector -Name X -Client -Bindings 10.0.0.1:587 -RemoteIPRanges 10.0.0.9', "-Bindings can't be used with -Client"),
    ('New-ReceiveConnector -Name X -Internet -Bindings 10.0.0.1:25 -RemoteIPRanges 10.0.0.9', "-RemoteIPRanges can't be used"),
    ('New-ReceiveConnector -Name X -Partner -RemoteIPRanges 10.0.0.9', "requires -Bindings"),
    ('New-ReceiveConnector -Name X -TransportRole Frontend -Custom -Bindings 10.0.0.1:25', "requires -RemoteIPRanges"),
    ('New-ReceiveConnector -Name "Default Frontend MBX01" -TransportRole Frontend -Custom -Bindings 10.0.0.1:26 -RemoteIPRanges 10.0.0.9', "already exists"),
    ('New-ReceiveConnector -Name "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" -TransportRole Frontend -Custom -Bindings 10.0.0.1:26 -RemoteIPRanges 10.0.0.9', "maximum is 64"),
    ('New-ReceiveConnector -Name Y -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 10.0.0.9', "different Transport roles"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -AuthMechanism None,Tls', "None must be used alone"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -AuthMechanism BasicAuthRequireTLS', "needs BasicAuth and Tls"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -AuthMechanism ExternalAuthoritative,BasicAuth', "only with Tls"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -AuthMechanism BasicAuth -RequireTLS $true', "RequireTLS"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -AuthMechanism ExternalAuthoritative -PermissionGroups AnonymousUsers', "requires PermissionGroups ExchangeServers"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -AuthMechanism BasicAuth -DomainSecureEnabled $true', "DomainSecureEnabled"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -ChunkingEnabled $false', "BinaryMimeEnabled"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -SuppressXAnonymousTls $true', "UseDowngradedExchangeServerAuth"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -ConnectionInactivityTimeout 00:20:00', "must be less than ConnectionTimeout"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -Banner "hello"', "must start with 220"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -MaxMessageSize 1KB', "MaxMessageSize must be"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -MaxLogonFailures 11', "MaxLogonFailures must be 0 to 10"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -Bindings 10.10.1.300:25', "not a valid"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -RemoteIPRanges 17.17.17.1/33', "prefix length"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -Bindings 0.0.0.0:2525', "different Transport roles"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -Name "Client Frontend MBX01"', "already exists"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -LongAddressesEnabled $true', "LongAddressesEnabled"),
    ('Set-ReceiveConnector "No Such Connector" -Enabled $false', "couldn't be found"),
    ('Set-ReceiveConnector "Default Frontend MBX01" -Bindingz 0.0.0.0:25', "Did you mean -Bindings"),
    ('Get-RecieveConnector', "Did you mean Get-ReceiveConnector"),
    ('Remove-ReceiveConnector "Default Frontend MBX01"', "-Confirm:$false"),
    ('New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password "plain"', "SecureString"),
]


def test_refusals_change_nothing():
    s = mailbox_store()
    try:
        before = s.json_state()
        failures = []
        for command, expected in REFUSALS:
            p = s.shell(command)
            if p.returncode == 0:
                failures.append(f"accepted: {command}")
            elif expected.lower() not in p.stderr.lower():
                failures.append(f"{command}\n    expected {expected!r} in: {p.stderr.strip()}")
            elif len(p.stderr.strip().splitlines()) != 1:
                failures.append(f"{command}\n    not one line: {p.stderr!r}")
        if failures:
            raise AssertionError("\n  ".join(failures))
        assert_eq(s.json_state(), before, "state after all the refusals")
    finally:
        s.cleanup()


def test_partial_overlap_refused():
    s = mailbox_store()
    try:
        s.ok('New-ReceiveConnector -Name "Custom A" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.1.0-192.168.1.255 -PermissionGroups AnonymousUsers')
        s.ok('New-ReceiveConnector -Name "Custom B" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.1.75 -PermissionGroups AnonymousUsers')
        before = s.json_state()
        p = s.refused('New-ReceiveConnector -Name "Custom C" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.1.128/24 -PermissionGroups AnonymousUsers')
        assert_in("Custom A", p.stderr)
        p = s.refused('New-ReceiveConnector -Name "Custom D" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.1.200-192.168.2.10 -PermissionGroups AnonymousUsers')
        assert_in("partly overlaps", p.stderr)
        p = s.refused('Set-ReceiveConnector "Custom B" -RemoteIPRanges 192.168.1.0/24')
        assert_in("Custom A", p.stderr)
        assert_eq(s.json_state(), before, "state after the refusals")
        # Nested ranges on another binding, and the same range on another port, are fine.
        s.ok('New-ReceiveConnector -Name "Custom E" -TransportRole Frontend -Custom -Bindings 0.0.0.0:26 -RemoteIPRanges 192.168.1.0-192.168.1.255 -PermissionGroups AnonymousUsers')
    finally:
        s.cleanup()


def test_edge_refusals():
    s = edge_store()
    try:
        before = s.json_state()
        for command, expected in [
            ('New-ReceiveConnector -Name C -Client -RemoteIPRanges 10.0.0.9', "Client usage type isn't available"),
            ('New-ReceiveConnector -Name C -TransportRole Frontend -Internal -RemoteIPRanges 10.0.0.9', "TransportRole can't be used"),
            ('New-ReceiveConnector -Name C -Internal -Bindings 10.0.0.1:25 -RemoteIPRanges 10.0.0.9', "-Bindings can't be used with -Internal"),
            ('Set-ReceiveConnector "Default internal receive connector EDGE01" -PermissionGroups ExchangeLegacyServers', "ExchangeLegacyServers"),
        ]:
            p = s.refused(command)
            assert_in(expected, p.stderr, command)
        assert_eq(s.json_state(), before, "state after refusals")
    finally:
        s.cleanup()


# ---------------------------------------------------------------- every parameter is visible and round-trips

def test_every_parameter_round_trips():
    s = mailbox_store()
    try:
        s.ok('New-ReceiveConnector -Name RT -TransportRole HubTransport -Custom -Bindings 10.9.9.9:2600 -RemoteIPRanges 10.1.0.0/16 -PermissionGroups ExchangeServers')
        settings = [
            ("Enabled", "$false", "False"), ("Comment", '"for tests"', "for tests"),
            ("AuthMechanism", "Tls,BasicAuth,BasicAuthRequireTLS", "Tls, BasicAuth, BasicAuthRequireTLS"),
            ("PermissionGroups", "AnonymousUsers,ExchangeUsers", "AnonymousUsers, ExchangeUsers"),
            ("RequireTLS", "$true", "True"), ("DomainSecureEnabled", "$true", "True"),
            ("EnableAuthGSSAPI", "$true", "True"), ("ExtendedProtectionPolicy", "Allow", "Allow"),
            ("TlsCertificateName", '"<I>CN=CA<S>CN=mail.contoso.test"', "<I>CN=CA<S>CN=mail.contoso.test"),
            ("TlsDomainCapabilities", '"contoso.com:AcceptCloudServicesMail"', "{contoso.com:AcceptCloudServicesMail}"),
            ("AuthTarpitInterval", "00:00:10", "00:00:10"), ("MaxLogonFailures", "7", "7"),
            ("Banner", '"220 hello there"', "220 hello there"), ("Fqdn", "relay.contoso.test", "relay.contoso.test"),
            ("SizeEnabled", "EnabledWithoutValue", "EnabledWithoutValue"), ("PipeliningEnabled", "$false", "False"),
            ("DeliveryStatusNotificationEnabled", "$false", "False"), ("EnhancedStatusCodesEnabled", "$false", "False"),
            ("EightBitMimeEnabled", "$false", "False"), ("BinaryMimeEnabled", "$false", "False"), ("ChunkingEnabled", "$false", "False"),
            ("LongAddressesEnabled", "$true", "True"), ("OrarEnabled", "$true", "True"), ("RequireEHLODomain", "$true", "True"),
            ("SmtpUtf8Enabled", "$true", "True"), ("BareLinefeedRejectionEnabled", "$true", "True"),
            ("RejectReservedTopLevelRecipientDomains", "$true", "True"), ("RejectReservedSecondLevelRecipientDomains", "$true", "True"),
            ("RejectSingleLabelRecipientDomains", "$true", "True"), ("DefaultDomain", "contoso.test", "contoso.test"),
            ("ServiceDiscoveryFqdn", "sd.contoso.test", "sd.contoso.test"), ("AdvertiseClientSettings", "$true", "True"),
            ("MaxMessageSize", "64MB", "64 MB (67,108,864 bytes)"), ("MaxHeaderSize", "128KB", "128 KB (131,072 bytes)"),
            ("MaxRecipientsPerMessage", "500", "500"), ("MaxHopCount", "60", "60"), ("MaxLocalHopCount", "12", "12"),
            ("MaxInboundConnection", "unlimited", "Unlimited"), ("MaxInboundConnectionPerSource", "50", "50"),
            ("MaxInboundConnectionPercentagePerSource", "10", "10"), ("MaxProtocolErrors", "unlimited", "Unlimited"),
            ("MessageRateLimit", "100", "100"), ("MessageRateSource", "All", "All"),
            ("ConnectionTimeout", "1.00:00:00", "1.00:00:00"), ("ConnectionInactivityTimeout", "00:15:00", "00:15:00"),
            ("TarpitInterval", "00:00:00", "00:00:00"), ("MaxAcknowledgementDelay", "00:00:10", "00:00:10"),
            ("ProtocolLoggingLevel", "Verbose", "Verbose"), ("Bindings", '"10.9.9.9:2601","[::1]:2601"', "{10.9.9.9:2601, [::1]:2601}"),
            ("RemoteIPRanges", "10.1.2.0/24,10.2.0.1-10.2.0.9", "{10.1.2.0/24, 10.2.0.1-10.2.0.9}"),
            ("TransportRole", "HubTransport", "HubTransport"), ("Name", "RT2", "RT2"),
        ]
        s.ok("Set-TransportService -UseDowngradedExchangeServerAuth $true")
        settings.insert(0, ("SuppressXAnonymousTls", "$true", "True"))
        name = "RT"
        for param, value, shown in settings:
            s.ok(f'Set-ReceiveConnector "{name}" -{param} {value}')
            if param == "Name":
                name = "RT2"
            out = s.ok(f'Get-ReceiveConnector "{name}" | Format-List {param}').stdout.strip()
            assert_eq(out.split(":", 1)[1].strip(), shown, f"{param} after Set")
        # Every parameter appears in ConvertTo-Json.
        doc = json.loads(s.ok(f'Get-ReceiveConnector "{name}" | ConvertTo-Json').stdout)
        for param, _, _ in settings:
            if param not in doc:
                raise AssertionError(f"ConvertTo-Json lacks {param}")
        # ... and every parameter ConvertTo-Json shows was set and read back above.
        untested = set(doc) - {p for p, _, _ in settings} - {"Identity", "Server", "Guid", "Revision", "WhenCreated", "WhenChanged"}
        if untested:
            raise AssertionError(f"parameters not round-tripped: {sorted(untested)}")
        for extra in ["Identity", "Server", "Guid", "Revision", "WhenCreated", "WhenChanged"]:
            assert_in(extra, doc.keys(), "ConvertTo-Json keys")
    finally:
        s.cleanup()


# ---------------------------------------------------------------- two processes on one connector

def test_two_processes_conflict():
    s = mailbox_store()
    try:
        env_slow = {"RECEPTOR_TEST_WRITE_DELAY_MS": "1500"}
        base = [BIN, "shell", "-c"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECEPTOR_")}
        env["RECEPTOR_STORE"] = s.path
        slow = subprocess.Popen(base + ['Set-ReceiveConnector "Default Frontend MBX01" -Banner "220 from the slow admin"'],
                                env={**env, **env_slow}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Wait until the slow writer has read the connector (it says so), then change it under its feet.
        said = slow.stderr.readline()
        assert_in("test: read, saving in", said, "the slow writer's hook")
        fast = subprocess.run(base + ['Set-ReceiveConnector "Default Frontend MBX01" -MaxMessageSize 20MB'],
                              env=env, capture_output=True, text=True, timeout=60)
        slow_out, slow_err = slow.communicate(timeout=60)
        assert_eq(fast.returncode, 0, f"the first writer succeeds ({fast.stderr.strip()})")
        assert_eq(slow.returncode != 0, True, "the stale writer is refused")
        assert_in("changed by someone else", slow_err, "stale writer's message")
        out = s.ok('Get-ReceiveConnector "Default Frontend MBX01" | Format-List Banner,MaxMessageSize,Revision').stdout
        assert_in("20 MB", out, "the accepted change is kept")
        if "slow admin" in out:
            raise AssertionError("the refused change was written")
        assert_in("Revision       : 2", out)
    finally:
        s.cleanup()


# ---------------------------------------------------------------- the shell's own behaviour

def test_scripts_run_with_continued_lines_and_stop_at_the_first_error():
    s = mailbox_store()
    try:
        script = os.path.join(s.dir, "setup.ps1")
        with open(script, "w") as f:
            f.write("""# Relay for the printers
$name = "Printer Relay"

New-ReceiveConnector -Name $name -TransportRole Frontend -Custom `
    -Bindings 0.0.0.0:25 `
    -RemoteIPRanges 192.168.5.10,192.168.5.11 -PermissionGroups AnonymousUsers
Set-ReceiveConnector $name -RemoteIPRanges @{
    Add = "192.168.5.12"
} -WhatIf
Get-ReceiveConnector | where {
    $_.Name -like 'Printer*'
} |
    Format-List Identity,RemoteIPRanges
Set-ReceiveConnector "No Such Connector" -Comment x
New-ReceiveConnector -Name "Never Made" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 10.9.9.9
""")
        for args in (["shell", "-File", script], ["shell", script]):
            p = s.run(*args)
            assert_eq(p.returncode, 1, f"{args}: exit status")
            assert_in("setup.ps1:14: The operation couldn't be performed because object 'MBX01\\No Such Connector' couldn't be found.", p.stderr)
            assert_in("RemoteIPRanges : {192.168.5.10, 192.168.5.11}", p.stdout, "the -WhatIf changed nothing")
            assert_in("What if:   On 0.0.0.0:25, 192.168.5.12 moves from", p.stdout)
            s.ok('Remove-ReceiveConnector "Printer Relay" -Confirm:$false')
        assert_eq("Never Made" in s.ok("Get-ReceiveConnector | Format-Table Name").stdout, False, "nothing after the error ran")
        p = s.run("shell", "-File", os.path.join(s.dir, "missing.ps1"))
        assert_eq(p.returncode, 1, "a missing script")
        assert_in("Cannot read the script", p.stderr)
        # Standard input continues commands the same way.
        p = s.run("shell", stdin="Get-ReceiveConnector |\n  where { $_.Name -like 'Client*' } |\n  Format-Table Name\nGet-Nope\n")
        assert_in("Client Frontend MBX01", p.stdout)
        assert_in("line 4:", p.stderr)
    finally:
        s.cleanup()


def test_get_content_import_and_export_csv_round_trip():
    s = mailbox_store()
    try:
        def shell(line):
            return subprocess.run([BIN, "shell", "-c", line], cwd=s.dir, capture_output=True, text=True, timeout=60,
                                  env={**{k: v for k, v in os.environ.items() if not k.startswith("RECEPTOR_")}, "RECEPTOR_STORE": s.path})
        assert_eq(shell('New-ReceiveConnector -Name "Relay" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.5.10 -PermissionGroups AnonymousUsers').returncode, 0, "create")
        with open(os.path.join(s.dir, "ips.txt"), "w") as f:
            f.write("192.168.5.20\r\n192.168.5.21\n")
        assert_eq(shell('Set-ReceiveConnector Relay -RemoteIPRanges @{Add=(Get-Content ips.txt)}').returncode, 0, "@{Add=(Get-Content …)}")
        export = 'Get-ReceiveConnector Relay | Select Identity,Bindings,RemoteIPRanges | Export-Csv relay.csv -NoTypeInformation'
        assert_eq(shell(export).returncode, 0, "export")
        exported = open(os.path.join(s.dir, "relay.csv"), newline="").read()
        assert_eq(exported, '"Identity","Bindings","RemoteIPRanges"\r\n"MBX01\\Relay","0.0.0.0:25","192.168.5.10 192.168.5.20 192.168.5.21"\r\n', "the CSV")
        # Edit, import, apply, export again: the same file.
        edited = exported.replace("192.168.5.10 ", "")
        with open(os.path.join(s.dir, "relay.csv"), "w", newline="") as f:
            f.write(edited)
        p = shell("Import-Csv relay.csv | ForEach-Object { Set-ReceiveConnector $_.Identity -RemoteIPRanges ($_.RemoteIPRanges -split ' ') }")
        assert_eq(p.returncode, 0, f"import and apply: {p.stderr}")
        assert_eq(shell(export).returncode, 0, "export again")
        assert_eq(open(os.path.join(s.dir, "relay.csv"), newline="").read(), edited, "export after import")
        # Out-File, and a missing file is one line that changes nothing.
        assert_eq(shell("Get-ReceiveConnector Relay | Format-List Identity | Out-File report.txt").returncode, 0, "Out-File")
        assert_in("Identity : MBX01\\Relay", open(os.path.join(s.dir, "report.txt")).read())
        before = s.json_state()
        p = shell("Set-ReceiveConnector Relay -RemoteIPRanges (Get-Content missing.txt)")
        assert_eq(p.returncode, 1, "a missing file")
        assert_eq(p.stderr.strip(), "Get-Content: Cannot find path 'missing.txt' because it does not exist.")
        assert_eq(s.json_state(), before, "nothing written")
    finally:
        s.cleanup()


def test_get_help_examples_and_a_script_error_on_line_3():
    """Issue 16's acceptance in the CLI: `Get-Help New-ReceiveConnector -Examples` shows the article's scenario 3
    command as written, and a script run with -File that fails on its third line names `setup.ps1:3`, having
    run its first two lines and nothing after."""
    s = mailbox_store()
    try:
        out = s.ok("Get-Help New-ReceiveConnector -Examples").stdout
        assert_in('New-ReceiveConnector -Name "Inbound From Service" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 '
                  "-RemoteIPRanges 192.168.10.5 -AuthMechanism BasicAuth -PermissionGroups AnonymousUsers", out)
        script = os.path.join(s.dir, "setup.ps1")
        with open(script, "w") as f:
            f.write('Set-ReceiveConnector "Default Frontend MBX01" -Comment "one"\n'
                    "# a comment\n"
                    'Set-ReceiveConnector "Default Frontend MBX01" -MaxMessageSize 3GB\n'
                    'Set-ReceiveConnector "Default Frontend MBX01" -Comment "never"\n')
        p = s.run("shell", "-File", script)
        assert_eq(p.returncode, 1, "exit status")
        assert_in("setup.ps1:3:", p.stderr)
        assert_eq(len(p.stderr.strip().splitlines()), 1, "one line")
        assert_in("Comment : one", s.ok('Get-ReceiveConnector "Default Frontend MBX01" | Format-List Comment').stdout)
    finally:
        s.cleanup()


def test_stdin_mode_stops_at_first_failure():
    s = mailbox_store()
    try:
        script = ('Set-ReceiveConnector "Default Frontend MBX01" -Comment "one"\n'
                  '\n'
                  'Set-ReceiveConnector "Default Frontend MBX01" -Banner "nope"\n'
                  'Set-ReceiveConnector "Default Frontend MBX01" -Comment "never"\n')
        p = s.run("shell", stdin=script)
        assert_eq(p.returncode != 0, True, "exit status")
        assert_in("line 3:", p.stderr)
        out = s.ok('Get-ReceiveConnector "Default Frontend MBX01" | Format-List Comment').stdout
        assert_in("Comment : one", out)
    finally:
        s.cleanup()


def test_missing_store():
    s = Store()
    try:
        p = s.refused("Get-ReceiveConnector")
        assert_in("receptor init", p.stderr)
        if os.path.exists(s.path):
            raise AssertionError("a read created the store")
    finally:
        s.cleanup()


def test_whatif_and_confirm():
    s = mailbox_store()
    try:
        before = s.json_state()
        p = s.ok('Remove-ReceiveConnector "Client Frontend MBX01" -WhatIf')
        assert_in("What if", p.stdout)
        s.ok('New-ReceiveConnector -Name W -TransportRole Frontend -Custom -Bindings 10.0.0.1:26 -RemoteIPRanges 10.0.0.9 -WhatIf')
        assert_eq(s.json_state(), before, "WhatIf writes nothing")
        s.ok('Get-ReceiveConnector "Client Frontend MBX01" | Remove-ReceiveConnector -Confirm:$false')
        out = s.ok("Get-ReceiveConnector | Format-Table Name").stdout
        if "Client Frontend" in out:
            raise AssertionError("Remove-ReceiveConnector -Confirm:$false did not remove")
    finally:
        s.cleanup()


def test_mailboxes_and_accepted_domains():
    s = mailbox_store()
    try:
        s.ok("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'P@ssw0rd!' -AsPlainText -Force)")
        out = s.ok("Get-Mailbox | Format-List Name,UserPrincipalName").stdout
        assert_in("kate@contoso.test", out)
        raw = open(s.path, "rb").read()
        wal = open(s.path + "-wal", "rb").read() if os.path.exists(s.path + "-wal") else b""
        if b"P@ssw0rd!" in raw or b"P@ssw0rd!" in wal:
            raise AssertionError("the password is stored in clear")
        p = s.refused("New-Mailbox -Name kate2 -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'x' -AsPlainText -Force)")
        s.ok("New-AcceptedDomain -Name Fabrikam -DomainName fabrikam.test -DomainType InternalRelay")
        out = s.ok("Get-AcceptedDomain | Format-Table Name,DomainName,DomainType,Default").stdout
        assert_in("fabrikam.test", out); assert_in("InternalRelay", out)
        s.ok("Remove-Mailbox kate -Confirm:$false")
        out = s.ok("Get-Mailbox").stdout
        if "kate" in out:
            raise AssertionError("Remove-Mailbox did not remove")
    finally:
        s.cleanup()


class TmuxShell:
    """`receptor shell` on a real terminal: a tmux session of its own, keys in, the screen out."""

    def __init__(self, store, name, rows=30, cols=120, in_bash=False):
        if not shutil.which("tmux"):
            raise AssertionError("tmux is not installed (scripts/install-deps installs it)")
        self.name = name
        self.store = store
        env = f"RECEPTOR_STORE={store.path} TERM=xterm LANG=C.UTF-8"
        # in_bash: under an interactive bash (job control, for Ctrl-Z and fg); otherwise the shell alone.
        command = f"env {env} PS1='bash$ ' bash --norc --noprofile -i" if in_bash else f"env {env} {BIN} shell"
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", str(cols), "-y", str(rows), command], check=True)
        if in_bash:
            self.wait_for("bash$")
            self.send(f"{BIN} shell", "Enter")

    def screen(self, joined=False):
        """The pane as text; joined: lines the terminal wrapped are joined back into one."""
        args = ["tmux", "capture-pane", "-t", self.name, "-p"] + (["-J"] if joined else [])
        return subprocess.run(args, capture_output=True, text=True).stdout

    def last_line(self, joined=False):
        lines = [line for line in self.screen(joined).splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def wait_for_last_line(self, text, timeout=10, joined=False):
        """Waits until the last non-blank line is `text` (trailing blanks ignored)."""
        end = time.time() + timeout
        while time.time() < end:
            if self.last_line(joined).rstrip() == text:
                return
            time.sleep(0.1)
        raise AssertionError(f"the last line never became {text!r}:\n{self.screen(joined)}")

    def wait_for(self, text, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            if text in self.screen():
                return
            time.sleep(0.1)
        raise AssertionError(f"screen never showed {text!r}:\n{self.screen()}")

    def send(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@contextlib.contextmanager
def interactive_shell(name, **options):
    """`receptor shell` at its prompt in tmux (TmuxShell) on a new mailbox store; both go away afterwards."""
    s = mailbox_store()
    t = None
    try:
        t = TmuxShell(s, f"{name}{os.getpid()}", **options)
        t.wait_for("[PS] MBX01>")
        yield t
    finally:
        if t:
            t.close()
        s.cleanup()


def test_interactive_prompt_with_history():
    """The real binary on a terminal (tmux): a prompt, a command, the Up arrow recalls it, errors don't end the session."""
    with interactive_shell("rcpt") as t:
        t.send("Get-ReceiveConnector | Format-Table Name", "Enter")
        t.wait_for("Client Frontend MBX01")
        t.send("Get-Nothing", "Enter")
        t.wait_for("is not recognized")
        t.send("Up", "Up")
        time.sleep(0.3)
        last = [l for l in t.screen().splitlines() if l.strip()][-1]
        assert_in("Get-ReceiveConnector | Format-Table Name", last, "recalled line")
        t.send("C-u", "exit", "Enter")
        history_path = os.path.join(os.path.dirname(t.store.path), "shell_history")
        end = time.time() + 10
        history = ""
        while time.time() < end and "Format-Table Name" not in history:
            history = open(history_path).read() if os.path.exists(history_path) else ""
            time.sleep(0.1)
        assert_in("Get-ReceiveConnector | Format-Table Name", history, "history file")
        assert_eq(oct(os.stat(os.path.join(os.path.dirname(t.store.path), "shell_history")).st_mode & 0o777), oct(0o600), "history mode")


def test_interactive_prompt_continues_open_commands_and_help():
    """At the prompt (tmux): a line ending in a pipe or with an open brace continues at `>> `; help lists the
    cmdlets; New-ReceiveConnector -? shows its help."""
    with interactive_shell("rcptc", rows=40) as t:
        t.send("Get-ReceiveConnector |", "Enter")
        t.wait_for("\n>>")   # the continuation prompt (capture-pane drops its trailing space)
        t.send("where { $_.Name -like 'Client*'", "Enter")
        time.sleep(0.3)
        t.send("} | Format-Table Name", "Enter")
        t.wait_for("Client Frontend MBX01")
        assert_eq("Default Frontend MBX01" in t.screen(), False, "the filter applied to the continued command")
        t.send("New-ReceiveConnector -?", "Enter")
        t.wait_for("SYNOPSIS")
        t.send("help", "Enter")
        t.wait_for("Out-File ")   # the list's last cmdlet
        t.send("exit", "Enter")


def test_interactive_tab_completion():
    """Tab at the prompt (tmux), as PowerShell: a cmdlet name and cycling through the others on repeated Tab, a
    parameter name, an enumerated value, a connector identity in the quote the user opened, a property of $_
    at the `>> ` prompt (the lines before it are read), and Shift-Tab back."""
    with interactive_shell("rcpttab") as t:
        t.send("Get-Rec", "Tab")
        t.wait_for_last_line("[PS] MBX01> Get-ReceiveConnector")
        t.send("Tab")
        t.wait_for_last_line("[PS] MBX01> Get-ReceiveConnectorUsage")
        t.send("BTab")
        t.wait_for_last_line("[PS] MBX01> Get-ReceiveConnector")
        t.send("C-u", "New-ReceiveConnector -Rem", "Tab")
        t.wait_for_last_line("[PS] MBX01> New-ReceiveConnector -RemoteIPRanges")
        t.send("C-u", "Set-ReceiveConnector x -TransportRole ", "Tab")
        t.wait_for_last_line("[PS] MBX01> Set-ReceiveConnector x -TransportRole FrontendTransport")
        t.send("Tab")
        t.wait_for_last_line("[PS] MBX01> Set-ReceiveConnector x -TransportRole HubTransport")
        t.send("C-u", 'Get-ReceiveConnector "Default F', "Tab")
        t.wait_for_last_line('[PS] MBX01> Get-ReceiveConnector "Default Frontend MBX01"')
        t.send(" | Format-List Identity", "Enter")
        t.wait_for("MBX01\\Default Frontend MBX01")
        t.send("Get-ReceiveConnector |", "Enter")
        t.wait_for("\n>>")
        t.send("where { $_.TransportR", "Tab")
        t.wait_for_last_line(">> where { $_.TransportRole")
        t.send(" -eq 'HubTransport' } | Format-Table Name", "Enter")
        t.wait_for("Default MBX01")
        assert_eq("Client Frontend MBX01" in t.screen(), False, "the completed filter ran")
        t.send("exit", "Enter")


def test_interactive_ctrl_c_abandons_the_command_and_keeps_the_shell():
    """Ctrl-C at the prompt (tmux) abandons the line, and at `>> ` the whole command, without leaving the
    shell: the next command runs."""
    with interactive_shell("rcptcc") as t:
        t.send("Get-ReceiveConnector | Format-Table Na", "C-c")
        t.wait_for_last_line("[PS] MBX01>")
        t.send("Get-ReceiveConnector |", "Enter")
        t.wait_for("\n>>")
        t.send("where {", "C-c")
        t.wait_for_last_line("[PS] MBX01>")
        t.send("Get-AcceptedDomain | Format-List DomainName", "Enter")
        t.wait_for("DomainName : contoso.test")
        screen = t.screen()
        assert_in("Format-Table Na^C", screen, "the abandoned line")
        assert_eq("Client Frontend MBX01" in screen, False, "nothing abandoned ran")
        t.send("exit", "Enter")


def test_interactive_long_line_wraps_and_edits_in_the_middle():
    """A command wider than the 100-column pane (tmux) wraps onto the next row; Ctrl-A and the arrows move
    into its first row and a fix typed there redraws both rows in place; the corrected command runs."""
    with interactive_shell("rcptlong", cols=100) as t:
        typo = "Get-ReceiveConnector | where { $_.Name -like 'Xlient*' -or $_.Name -like 'Outbound*' } | Format-Table Name, Enabled, TransportRole"
        fixed = typo.replace("Xlient", "Client")
        assert len("[PS] MBX01> " + typo) > 100
        t.send(typo)
        t.wait_for_last_line("[PS] MBX01> " + typo, joined=True)
        t.send("C-a", *(["Right"] * (typo.index("Xlient") + 1)), "BSpace", "C")
        t.wait_for_last_line("[PS] MBX01> " + fixed, joined=True)
        rows = [line for line in t.screen().splitlines() if line.strip()]
        assert_eq(rows[-2], ("[PS] MBX01> " + fixed)[:100], "the first row")
        assert_eq(rows[-1].rstrip(), ("[PS] MBX01> " + fixed)[100:], "the wrapped row")
        t.send("End", " -AutoSize", "Enter")
        t.wait_for("Client Frontend MBX01")
        screen = t.screen()
        assert_in("Outbound Proxy Frontend MBX01", screen, "the command as corrected")
        assert_eq("Default Frontend MBX01" in screen, False, "the filter applied")
        t.send("exit", "Enter")


def test_interactive_ctrl_r_finds_an_earlier_command():
    """Ctrl-R searches the history (tmux): typing part of an earlier command brings it back, Enter runs it."""
    with interactive_shell("rcptcr") as t:
        t.send("Get-AcceptedDomain | Format-List DomainName", "Enter")
        t.wait_for("DomainName : contoso.test")
        t.send("Get-ExchangeServer | Format-List Name", "Enter")
        t.wait_for("Name : MBX01")
        t.send("C-r", "Accepted")
        t.wait_for_last_line("bck:Accepted")   # libedit's incremental search, the found line above it
        assert_eq(t.screen().count("Get-AcceptedDomain | Format-List DomainName"), 2, "the earlier command, found")
        t.send("Enter")
        end = time.time() + 10
        while time.time() < end and t.screen().count("DomainName : contoso.test") < 2:
            time.sleep(0.1)
        assert_eq(t.screen().count("DomainName : contoso.test"), 2, "the found command ran again")
        t.send("exit", "Enter")


def test_interactive_ctrl_z_suspends_and_fg_resumes():
    """Ctrl-Z at the prompt (tmux, under bash) stops the shell with the terminal back in its normal modes;
    fg resumes it with the line as it was, still editable."""
    with interactive_shell("rcptcz", in_bash=True) as t:
        t.send("Get-Acc")
        t.wait_for_last_line("[PS] MBX01> Get-Acc")
        t.send("C-z")
        t.wait_for("Stopped")
        t.send("stty -a | grep -o -w -e -icanon -e icanon -e -echo -e echo | tr '\\n' ' '; echo", "Enter")
        t.wait_for("icanon echo")
        t.send("fg", "Enter")
        t.wait_for_last_line("[PS] MBX01> Get-Acc")
        t.send("Tab", " | Format-List DomainName", "Enter")
        t.wait_for("DomainName : contoso.test")
        t.send("exit", "Enter")
        t.wait_for_last_line("bash$")


def test_interactive_cursor_moves_by_terminal_cells():
    """Wide characters at the prompt (tmux): CJK and emoji take two cells, the cursor steps over them by two,
    and text typed between them lands where the cursor shows; the comment is stored as edited."""
    def cells(text):
        return sum(2 if ord(c) >= 0x1100 and (0x2E80 <= ord(c) <= 0xA4CF or 0xAC00 <= ord(c) <= 0xD7A3 or 0xF900 <= ord(c) <= 0xFAFF
                                             or 0xFE30 <= ord(c) <= 0xFE4F or 0xFF00 <= ord(c) <= 0xFF60 or 0x1F300 <= ord(c) <= 0x1FAFF) else 1
                   for c in text)

    def cursor(t):
        return int(subprocess.run(["tmux", "display", "-p", "-t", t.name, "#{cursor_x}"], capture_output=True, text=True).stdout)

    with interactive_shell("rcptwide", cols=100) as t:
        line = 'Set-ReceiveConnector "Client Frontend MBX01" -Comment "日本語 😀 end"'
        t.send(line)
        t.wait_for_last_line("[PS] MBX01> " + line)
        t.send(*(["Left"] * 5))
        time.sleep(0.3)
        before = "[PS] MBX01> " + line[:-5]
        assert_eq(cursor(t), cells(before), "the cursor after the emoji")
        t.send("Left")
        time.sleep(0.3)
        assert_eq(cursor(t), cells(before) - 2, "one step left crosses the emoji's two cells")
        t.send("Right", "X")
        edited = line[:-5] + "X" + line[-5:]
        t.wait_for_last_line("[PS] MBX01> " + edited)
        assert_eq(cursor(t), cells(before) + 1, "after the typed X")
        t.send("Enter")
        t.send('Get-ReceiveConnector "Client Frontend MBX01" | Format-List Comment', "Enter")
        t.wait_for("Comment : 日本語 😀X end")
        t.send("exit", "Enter")


def test_store_copy_moves_an_organization_and_back():
    """Issue 14 item 6: `receptor store copy` takes a whole organization (two servers, the article's connectors, a
    permission, a mailbox) into an empty store — a new SQLite file, and PostgreSQL when the test cluster runs —
    and back; a shell against each copy prints the same `Get-ReceiveConnector | Format-List`, and a store that
    is not empty is refused, untouched. (That the copied hash still verifies the password: the store contract
    tests, on both backends.)"""
    s = mailbox_store()
    try:
        s.run("init", "--server", "EDGE01", "--role", "Edge", check=True)
        s.ok('New-ReceiveConnector -Name "Fabrikam.com TLS" -Server MBX01 -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25')
        s.ok('New-ReceiveConnector -Name "Inbound From Organization" -Server EDGE01 -Internal -RemoteIPRanges 10.1.2.10,10.1.2.15,10.1.2.20')
        s.ok('Get-ReceiveConnector "MBX01\\Fabrikam.com TLS" | Add-ADPermission -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights "Ms-Exch-SMTP-Accept-Any-Recipient"')
        s.ok("New-Mailbox -Name kate -UserPrincipalName kate@contoso.test -Password (ConvertTo-SecureString -String 'S3cret!pw' -AsPlainText -Force)")
        listing = "Get-ReceiveConnector | Format-List"
        original = s.ok(listing).stdout
        assert_in("EDGE01\\Inbound From Organization", original, "both servers listed")

        # The organization's control secret, as the first listener with --control-port makes it: it goes with the
        # copy (consoles holding it still attach), named and never shown.
        secret = os.urandom(32).hex()
        with contextlib.closing(sqlite3.connect(s.path)) as db, db:
            db.execute("INSERT INTO control_secret (id, secret, created_at) VALUES (1, ?, 0)", (secret,))

        def secret_in(path):
            with contextlib.closing(sqlite3.connect(path)) as db:
                return db.execute("SELECT secret FROM control_secret").fetchall()

        copy = os.path.join(s.dir, "copy", "receptor.sqlite")
        p = s.run("store", "copy", "--from", s.path, "--to", copy, check=True)
        assert_in("Copied 2 servers, 8 receive connectors, 1 permission entry, 1 accepted domain, 1 mailbox, the control secret from", p.stdout)
        assert secret not in p.stdout + p.stderr, "the control secret was printed"
        assert_eq(secret_in(copy), [(secret,)], "the copy's control secret")
        assert_eq(oct(os.stat(copy).st_mode & 0o777), oct(0o600), "the new store's mode")
        at_copy = {"RECEPTOR_STORE": copy}
        assert_eq(s.run("shell", "-c", listing, env=at_copy, check=True).stdout, original, "the copy's connectors")
        perms = s.run("shell", "-c", 'Get-ADPermission "MBX01\\Fabrikam.com TLS" | where {-not $_.IsInherited} | Format-List User,ExtendedRights',
                      env=at_copy, check=True).stdout
        assert_in("ms-exch-smtp-accept-any-recipient", perms.lower(), "the explicit permission")

        # Not empty: refused with one line, nothing written.
        before = s.ok(listing).stdout
        p = s.run("store", "copy", "--from", copy, "--to", s.path, check=False)
        assert_eq(p.returncode, 1, "exit status")
        assert_eq(len(p.stderr.strip().splitlines()), 1, "one line")
        assert_in("is not empty (it holds 2 servers, 8 receive connectors, 1 accepted domain, 1 mailbox, the control secret)", p.stderr)
        assert secret not in p.stdout + p.stderr, "the control secret was printed"
        assert_eq(s.ok(listing).stdout, before, "the refused target")
        p = s.run("store", "copy", "--from", os.path.join(s.dir, "nothing.sqlite"), "--to", os.path.join(s.dir, "x.sqlite"), check=False)
        assert_in("No Receptor store at", p.stderr, "a missing source")
        assert_eq(os.path.exists(os.path.join(s.dir, "x.sqlite")), False, "no target made for a missing source")

        pg = os.environ.get("RECEPTOR_TEST_POSTGRES", "")
        if pg and pg != "skip":
            database = "receptor_copy_" + str(os.getpid())
            subprocess.run(["psql", pg, "-q", "-c", f"CREATE DATABASE {database}"], check=True, capture_output=True)
            try:
                uri = pg.replace("/postgres?", f"/{database}?")
                s.run("store", "copy", "--from", copy, "--to", uri, check=True)
                assert_eq(s.run("shell", "-c", listing, env={"RECEPTOR_STORE": uri}, check=True).stdout, original, "the PostgreSQL copy")
                got = subprocess.run(["psql", uri, "-At", "-c", "SELECT secret FROM control_secret"], check=True, capture_output=True, text=True)
                assert_eq(got.stdout.strip(), secret, "the PostgreSQL copy's control secret")
                back = os.path.join(s.dir, "back", "receptor.sqlite")
                p = s.run("store", "copy", "--from", uri, "--to", back, check=True)
                assert secret not in p.stdout + p.stderr, "the control secret was printed"
                assert_eq(s.run("shell", "-c", listing, env={"RECEPTOR_STORE": back}, check=True).stdout, original, "back from PostgreSQL")
                assert_eq(secret_in(back), [(secret,)], "the control secret back from PostgreSQL")
            finally:
                subprocess.run(["psql", pg, "-q", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], capture_output=True)
        else:
            print("    (RECEPTOR_TEST_POSTGRES not set: the PostgreSQL leg of the copy was not run; scripts/test runs it)")
    finally:
        s.cleanup()


def test_init_on_postgresql_creates_the_organization_then_adds_servers():
    """`receptor init` against a PostgreSQL database: the first server creates the store, the next one is added
    to it (the database existed both times, so the file-exists test SQLite uses can't tell)."""
    pg = os.environ.get("RECEPTOR_TEST_POSTGRES", "")
    if not pg or pg == "skip":
        print("    (RECEPTOR_TEST_POSTGRES not set: not run here; scripts/test runs it)")
        return
    s = Store()
    database = "receptor_init_" + str(os.getpid())
    subprocess.run(["psql", pg, "-q", "-c", f"CREATE DATABASE {database}"], check=True, capture_output=True)
    try:
        env = {"RECEPTOR_STORE": pg.replace("/postgres?", f"/{database}?"), "XDG_DATA_HOME": os.path.join(s.dir, "xdg")}
        first = s.run("init", "--server", "MBX01", "--accepted-domain", "contoso.test", env=env, check=True).stdout
        assert_in("Created store", first)
        second = s.run("init", "--server", "EDGE01", "--role", "Edge", env=env, check=True).stdout
        assert_in("Added to store", second)
        assert_in(os.path.join(s.dir, "xdg", "receptor", "edge01"), second, "the server's own data directory")
    finally:
        subprocess.run(["psql", pg, "-q", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], capture_output=True)
        s.cleanup()


def test_man_page_lists_every_option_of_every_command():
    """The man page's synopsis names every option the binary takes (from swift-argument-parser's own
    definitions, --experimental-dump-help), and every value of an enumerated option, so it can't drift."""
    man = open(os.path.join(os.path.dirname(os.path.dirname(HERE)), "assets", "receptor.1")).read()
    synopsis = man[man.index(".SH SYNOPSIS"):man.index(".SH DESCRIPTION")]
    blocks = {}
    for block in synopsis.split(".br"):
        words = [w for w in block.replace(".SH SYNOPSIS", "").split() if w]
        if len(words) >= 2 and words[0] == ".B":
            name = words[2] if len(words) > 2 and words[1] == "receptor" and not words[2].startswith("[") else "console"
            blocks[name] = block
    dump = json.loads(subprocess.run([BIN, "--experimental-dump-help"], capture_output=True, text=True, check=True).stdout)
    for command in dump["command"]["subcommands"]:
        name = command["commandName"]
        if name == "help":
            continue
        assert_in(name, blocks, "commands in the synopsis")
        for argument in command.get("arguments", []):
            for n in argument.get("names", []):
                if n["name"] in ("version", "help", "h", "file"):
                    continue
                written = ("\\-\\-" if n["kind"] == "long" else "\\-") + n["name"].replace("-", "\\-")
                assert_in(written, blocks[name], f"receptor {name}'s synopsis")
            for value in argument.get("allValues", []):
                assert_in(value, blocks[name], f"the values of receptor {name}'s {argument.get('valueName')}")


def test_shipped_completions_match_the_binary():
    """assets/completions are what `receptor --generate-completion-script` prints (regenerate them when
    the command line changes)."""
    assets = os.path.join(os.path.dirname(os.path.dirname(HERE)), "assets", "completions")
    for shell, name in [("bash", "receptor.bash"), ("zsh", "_receptor"), ("fish", "receptor.fish")]:
        p = subprocess.run([BIN, "--generate-completion-script", shell], capture_output=True, text=True, timeout=30)
        assert_eq(p.returncode, 0, f"{shell} completion exit")
        shipped = open(os.path.join(assets, name)).read()
        if p.stdout != shipped:
            raise AssertionError(f"assets/completions/{name} is stale: run receptor --generate-completion-script {shell} > assets/completions/{name}")


if __name__ == "__main__":
    sys.exit(harness.run(globals(), BIN))
