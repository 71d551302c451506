import XCTest
import ReceptorCore
@testable import ReceptorSMTP

/// Every connector limit the session enforces (reference §3b–§3d).
final class LimitTests: XCTestCase {
    func open(_ configure: (inout ReceiveConnector) -> Void = { _ in }, entries: [PermissionEntry] = []) -> Harness {
        var c = TestWorld.defaultFrontend
        configure(&c)
        return Harness.open(TestWorld.configuration(c, entries: entries))
    }

    func body(size: Int) -> [String] {
        ["Subject: big", ""] + Array(repeating: String(repeating: "x", count: 98), count: size / 100)
    }

    func testMaxMessageSizeAtMailAndAtTheEndOfData() {
        var h = open { $0.maxMessageSize = ByteSize(bytes: 65536) }
        XCTAssertTrue(h.say("EHLO x").contains("250-SIZE 65536"))
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com> SIZE=65537"), ["552 5.3.4 Message size exceeds fixed maximum message size"])
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com> SIZE=65536"), ["250 2.1.0 Sender OK"])
        h.say("RCPT TO:<kate@contoso.test>")
        h.say("DATA")
        XCTAssertEqual(h.message(body(size: 70_000)), ["552 5.3.4 Message size exceeds fixed maximum message size"])
        XCTAssertTrue(h.actions.contains(.messageRejected(.messageTooLarge)))
        XCTAssertTrue(h.delivered.isEmpty)
        // The session carries on; a message within the limit goes through.
        h.beginMessage()
        XCTAssertEqual(h.message(body(size: 60_000)).first?.prefix(9), "250 2.6.0")
    }

    func testBypassMessageSizeLimit() {
        var h = open(
            { $0.maxMessageSize = ByteSize(bytes: 65536) },
            entries: [PermissionEntry(user: .anonymousLogon, extendedRights: [.bypassMessageSizeLimit])])
        h.say("EHLO x")
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com> SIZE=9999999"), ["250 2.1.0 Sender OK"])
        h.say("RCPT TO:<kate@contoso.test>")
        h.say("DATA")
        XCTAssertEqual(h.message(body(size: 100_000)).first?.prefix(9), "250 2.6.0")
        XCTAssertGreaterThan(h.delivered.first?.size ?? 0, 65536)
    }

    func testBDATOverTheLimit() {
        var h = open { $0.maxMessageSize = ByteSize(bytes: 65536) }
        h.say("EHLO x")
        h.say("MAIL FROM:<a@fabrikam.com>")
        h.say("RCPT TO:<kate@contoso.test>")
        h.send("BDAT 40000\r\n" + String(repeating: "a", count: 40000))
        h.send("BDAT 40000\r\n" + String(repeating: "b", count: 40000))
        h.send("BDAT 10 LAST\r\n0123456789")
        XCTAssertEqual(
            Array(h.serverLines.suffix(3)),
            [
                "250 2.0.0 CHUNK received OK, 40000 octets",
                "552 5.3.4 Message size exceeds fixed maximum message size",
                "552 5.3.4 Message size exceeds fixed maximum message size",
            ])
        XCTAssertEqual(h.connection.session.protocolErrorCount, 0)
        XCTAssertFalse(h.connection.session.isInMailTransaction)
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com>"), ["250 2.1.0 Sender OK"])
    }

    func testSizeKeyword() {
        var h = open { $0.sizeEnabled = .enabledWithoutValue }
        XCTAssertEqual(h.say("EHLO x")[1], "250-SIZE")
        var d = open { $0.sizeEnabled = .disabled }
        XCTAssertEqual(d.say("EHLO x")[1], "250-PIPELINING")
    }

    func testMaxHeaderSizeClosesTheConnection() {
        var h = open { $0.maxHeaderSize = ByteSize(bytes: 100) }
        h.beginMessage()
        let lines = h.message(["Subject: " + String(repeating: "s", count: 120), "", "body"])
        XCTAssertEqual(lines, ["552 5.3.4 Header size exceeds fixed maximum size"])
        XCTAssertTrue(h.closed)
        var ok = open { $0.maxHeaderSize = ByteSize(bytes: 100) }
        ok.beginMessage()
        XCTAssertEqual(ok.message(["Subject: short", "", String(repeating: "b", count: 500)]).first?.prefix(9), "250 2.6.0")
    }

    func testMaxRecipientsPerMessage() {
        var h = open { $0.maxRecipientsPerMessage = 2 }
        h.say("EHLO x")
        h.say("MAIL FROM:<a@fabrikam.com>")
        XCTAssertEqual(h.say("RCPT TO:<a@contoso.test>"), ["250 2.1.5 Recipient OK"])
        XCTAssertEqual(h.say("RCPT TO:<b@contoso.test>"), ["250 2.1.5 Recipient OK"])
        XCTAssertEqual(h.say("RCPT TO:<c@contoso.test>"), ["452 4.5.3 Too many recipients"])
        XCTAssertEqual(h.say("RCPT TO:<d@contoso.test>"), ["452 4.5.3 Too many recipients"])
        h.say("DATA")
        XCTAssertEqual(h.message(["Subject: x", "", "y"]).first?.prefix(9), "250 2.6.0")
        XCTAssertEqual(h.delivered.first?.recipients.count, 2)
        XCTAssertEqual(h.delays, [], "4xx replies are not tarpitted")
    }

    func testMaxHopCount() {
        var h = open { $0.maxHopCount = 2 }
        h.beginMessage()
        let received = (1...3).map { "Received: from hop\($0).fabrikam.com by relay\($0).fabrikam.com; Sun, 29 Nov 2026 09:00:00 +0000" }
        XCTAssertEqual(h.message(received + ["Subject: loop", "", "x"]), ["554 5.4.6 Hop count exceeded - possible mail loop"])
        h.beginMessage()
        XCTAssertEqual(h.message(Array(received.prefix(2)) + ["Subject: ok", "", "x"]).first?.prefix(9), "250 2.6.0")
    }

    func testMaxLocalHopCount() {
        let ours = "Received: from a.fabrikam.com (192.0.2.1)\r\n by MBX01.contoso.test (10.0.0.5) with ESMTP; Sun, 29 Nov 2026 09:00:00 +0000"
        let theirs = "Received: from a by relay.fabrikam.com; Sun, 29 Nov 2026 09:00:00 +0000"
        var h = open { $0.maxLocalHopCount = 1 }
        h.beginMessage()
        XCTAssertEqual(h.message([ours, theirs, ours, "Subject: loop", "", "x"]), ["554 5.4.6 Hop count exceeded - possible mail loop"])
        h.beginMessage()
        XCTAssertEqual(h.message([ours, theirs, theirs, "", "x"]).first?.prefix(9), "250 2.6.0")
        var never = open { $0.maxLocalHopCount = 0 }
        never.beginMessage()
        XCTAssertEqual(never.message([ours, ours, ours, "", "x"]).first?.prefix(9), "250 2.6.0")
    }

    func testMaxProtocolErrors() {
        var h = open { $0.maxProtocolErrors = .limited(2) }
        XCTAssertEqual(h.say("FOO"), ["500 5.3.3 Unrecognized command"])
        XCTAssertEqual(h.say("BAR"), ["500 5.3.3 Unrecognized command"])
        XCTAssertEqual(
            h.say("BAZ"), ["500 5.3.3 Unrecognized command", "421 4.7.0 Too many errors on this connection, closing transmission channel"])
        XCTAssertTrue(h.closed)

        var zero = open { $0.maxProtocolErrors = .limited(0) }
        XCTAssertEqual(zero.say("DATA").last, "421 4.7.0 Too many errors on this connection, closing transmission channel")

        var unlimited = open { $0.maxProtocolErrors = .unlimited }
        for _ in 0..<100 { unlimited.say("FOO") }
        XCTAssertFalse(unlimited.closed)
        XCTAssertEqual(unlimited.connection.session.protocolErrorCount, 100)
    }

    func testPolicyRefusalsAreNotProtocolErrors() {
        var h = open { $0.maxProtocolErrors = .limited(0) }
        h.say("EHLO x")
        h.say("MAIL FROM:<a@fabrikam.com>")
        for _ in 0..<5 { XCTAssertEqual(h.say("RCPT TO:<x@fabrikam.com>"), ["550 5.7.1 Unable to relay"]) }
        XCTAssertFalse(h.closed)
    }

    func testTarpitBefore5xxForUnauthenticatedSessionsOnly() {
        var h = open()
        h.say("EHLO x")
        h.say("MAIL FROM:<a@fabrikam.com>")
        h.say("RCPT TO:<x@fabrikam.com>")
        let i = h.actions.firstIndex(of: .reply(.unableToRelay))!
        XCTAssertEqual(h.actions[i - 1], .delay(seconds: 5))
        XCTAssertEqual(h.delays, [5])

        var off = open { $0.tarpitInterval = .zero }
        off.say("FOO")
        XCTAssertEqual(off.delays, [])

        var c = TestWorld.clientFrontend
        c.authMechanism.remove(.basicAuthRequireTLS)
        var auth = Harness.open(TestWorld.configuration(c))
        auth.say("EHLO x")
        auth.say("AUTH PLAIN " + plain("kate@contoso.test", TestWorld.password))
        auth.say("FOO")
        auth.say("MAIL FROM:<ceo@contoso.test>")
        XCTAssertEqual(
            Array(auth.serverLines.suffix(2)),
            ["500 5.3.3 Unrecognized command", "550 5.7.1 Client does not have permissions to send as this sender"])
        XCTAssertEqual(auth.delays, [])
    }

    func testBareLinefeedRejection() {
        var h = open { $0.bareLinefeedRejectionEnabled = true }
        h.beginMessage()
        h.send("Subject: x\r\n\r\nline one\nline two\r\n.\r\n")
        XCTAssertEqual(h.serverLines.last, "550 5.6.11 Message contains bare linefeeds, which are not allowed")
        XCTAssertTrue(h.delivered.isEmpty)
        h.beginMessage()
        h.send("Subject: x\r\n\r\nclean\r\n.\r\n")
        XCTAssertEqual(h.serverLines.last?.prefix(9), "250 2.6.0")

        var off = open()
        off.beginMessage()
        off.send("Subject: x\r\n\r\nline one\nline two\r\n.\r\n")
        XCTAssertEqual(off.serverLines.last?.prefix(9), "250 2.6.0")
        XCTAssertEqual(off.delivered.first?.sawBareLineFeed, true)
    }

    func testInactivityAndConnectionTimeouts() {
        var h = open()
        let idle = TestWorld.start.addingTimeInterval(300)
        XCTAssertEqual(h.connection.nextDeadline, idle)
        h.now = TestWorld.start.addingTimeInterval(120)
        h.say("EHLO x")
        XCTAssertEqual(h.connection.nextDeadline, h.now.addingTimeInterval(300))
        h.now = h.now.addingTimeInterval(299)
        h.event(.timer)
        XCTAssertFalse(h.closed)
        h.now = h.now.addingTimeInterval(1)
        h.event(.timer)
        XCTAssertEqual(h.serverLines.last, "421 4.4.2 mbx01.contoso.test Connection dropped")
        XCTAssertTrue(h.closed)
        XCTAssertNil(h.connection.nextDeadline)

        // ConnectionTimeout (10 min) ends even a busy session; a stalled DATA is cut the same way.
        var busy = open()
        busy.beginMessage()
        for minute in 1...9 {
            busy.now = TestWorld.start.addingTimeInterval(Double(minute * 60))
            busy.send("line \(minute)\r\n")
            busy.event(.timer)
        }
        XCTAssertFalse(busy.closed)
        busy.now = TestWorld.start.addingTimeInterval(600)
        XCTAssertEqual(busy.connection.nextDeadline, busy.now)
        busy.event(.timer)
        XCTAssertTrue(busy.closed)
        XCTAssertTrue(busy.logs.contains { $0.data == "ConnectionTimeout 00:10:00 reached" })
    }

    func testNoTimeoutWhileWaitingForDelivery() {
        var h = open()
        h.autoDeliver = false
        h.beginMessage()
        h.message(["Subject: x", "", "y"])
        XCTAssertNil(h.connection.nextDeadline)
        h.now = TestWorld.start.addingTimeInterval(3600)
        h.event(.timer)
        XCTAssertFalse(h.closed)
        h.event(.deliveryResult(.queued(internalID: 9)))
        XCTAssertEqual(
            h.serverLines.last,
            "250 2.6.0 <08DC3C1A2B4F5E61-1@mbx01.contoso.test> [InternalId=9, Hostname=mbx01.contoso.test] Queued mail for delivery")
    }

    func testMessageRateLimitHook() {
        var limited = Harness.open(TestWorld.configuration(TestWorld.defaultFrontend, rateLimited: true))
        limited.say("EHLO x")
        XCTAssertEqual(
            limited.say("MAIL FROM:<a@fabrikam.com>"), ["421 4.4.2 Message submission rate for this client has exceeded the configured limit"])
        XCTAssertTrue(limited.closed)

        var h = open()
        h.beginMessage()
        h.message(["Subject: x", "", "y"])
        let accepted = h.actions.compactMap { if case .messageAccepted(let m) = $0 { m } else { nil } }
        XCTAssertEqual(accepted.count, 1)
        XCTAssertEqual(accepted.first?.internalID, 1)
        XCTAssertEqual(accepted.first?.sender?.description, "chris@fabrikam.com")
        XCTAssertEqual(accepted.first?.clientAddress.description, "203.0.113.7")
        h.event(.rateLimit(exceeded: true))
        XCTAssertEqual(
            h.say("MAIL FROM:<a@fabrikam.com>").first, "421 4.4.2 Message submission rate for this client has exceeded the configured limit")
    }

    func testLongLinesAndLongAddresses() {
        var h = open()
        h.say("EHLO x")
        XCTAssertEqual(h.say("NOOP " + String(repeating: "a", count: 2043)), ["250 2.0.0 OK"])  // 2048 bytes
        XCTAssertEqual(h.say("NOOP " + String(repeating: "a", count: 2044)), ["500 5.5.2 Line too long"])
        let local = String(repeating: "l", count: 1000)
        XCTAssertEqual(h.say("MAIL FROM:<\(local)@fabrikam.com>"), ["550 5.1.7 Invalid address"])

        var long = open { $0.longAddressesEnabled = true }
        XCTAssertTrue(long.say("EHLO x").contains("250 XLONGADDR"))
        XCTAssertEqual(long.say("NOOP " + String(repeating: "a", count: 7995)), ["250 2.0.0 OK"])
        XCTAssertEqual(long.say("MAIL FROM:<\(local)@fabrikam.com>"), ["250 2.1.0 Sender OK"])
        XCTAssertEqual(long.say("NOOP " + String(repeating: "a", count: 7996)), ["500 5.5.2 Line too long"])
    }

    func testRequireEHLODomain() {
        var h = open { $0.requireEHLODomain = true }
        XCTAssertEqual(h.say("EHLO"), ["501 5.5.4 Invalid domain name"])
        XCTAssertTrue(h.closed)
        var helo = open { $0.requireEHLODomain = true }
        XCTAssertEqual(helo.say("HELO "), ["501 5.5.4 Invalid domain name"])
        XCTAssertTrue(helo.closed)
        var lax = open()
        XCTAssertEqual(lax.say("HELO"), ["250 mbx01.contoso.test Hello [203.0.113.7]"])
        XCTAssertEqual(lax.say("EHLO bad..name"), ["501 5.5.4 Invalid domain name"])
    }

    func testRequireTLS() {
        var h = open { $0.requireTLS = true }
        h.say("EHLO x")
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com>"), ["530 5.7.0 Must issue a STARTTLS command first"])
        XCTAssertEqual(h.say("VRFY kate"), ["530 5.7.0 Must issue a STARTTLS command first"])
        XCTAssertEqual(h.say("NOOP"), ["250 2.0.0 OK"])
        h.say("STARTTLS")
        h.say("EHLO x")
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com>"), ["250 2.1.0 Sender OK"])
    }
}
