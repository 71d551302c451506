import XCTest
import ReceptorCore
@testable import ReceptorSMTP

final class SessionTests: XCTestCase {
    func open(_ configure: (inout ReceiveConnector) -> Void = { _ in }, certificate: Bool = true) -> Harness {
        var c = TestWorld.defaultFrontend
        configure(&c)
        return Harness.open(TestWorld.configuration(c, certificate: certificate))
    }

    // MARK: Banner and EHLO

    func testBanner() {
        XCTAssertEqual(open().serverLines, ["220 mbx01.contoso.test Receptor ESMTP MAIL Service ready at Sun, 29 Nov 2026 10:00:00 +0000"])
        XCTAssertEqual(open { $0.banner = "220 changed" }.serverLines, ["220 changed"])
        XCTAssertEqual(open { $0.fqdn = "mail.contoso.test" }.serverLines.first?.hasPrefix("220 mail.contoso.test Receptor"), true)
        XCTAssertEqual(DateText.rfc5322(Date(timeIntervalSince1970: 1_470_439_481), utcOffsetSeconds: -7 * 3600), "Fri, 5 Aug 2016 16:24:41 -0700")
        XCTAssertEqual(DateText.rfc5322(Date(timeIntervalSince1970: 0)), "Thu, 1 Jan 1970 00:00:00 +0000")
        XCTAssertEqual(DateText.rfc5322(Date(timeIntervalSince1970: 951_782_400)), "Tue, 29 Feb 2000 00:00:00 +0000")
        XCTAssertEqual(DateText.iso8601(Date(timeIntervalSince1970: 1_709_647_331.48)), "2024-03-05T14:02:11.480Z")
    }

    func testEHLOKeywordsFollowTheConnector() {
        var all = open {
            $0.longAddressesEnabled = true
            $0.orarEnabled = true
            $0.smtpUtf8Enabled = true
            $0.authMechanism = [.tls, .basicAuth]
            $0.maxMessageSize = .megabytes(10)
        }
        XCTAssertEqual(
            all.say("EHLO mail.fabrikam.com"),
            [
                "250-mbx01.contoso.test Hello [203.0.113.7]", "250-SIZE 10485760", "250-PIPELINING", "250-DSN",
                "250-ENHANCEDSTATUSCODES", "250-STARTTLS", "250-AUTH LOGIN PLAIN", "250-8BITMIME", "250-BINARYMIME", "250-CHUNKING",
                "250-XLONGADDR", "250-XORAR", "250 SMTPUTF8",
            ])
        var none = open {
            $0.pipeliningEnabled = false
            $0.deliveryStatusNotificationEnabled = false
            $0.enhancedStatusCodesEnabled = false
            $0.eightBitMimeEnabled = false
            $0.chunkingEnabled = false
            $0.sizeEnabled = .disabled
            $0.authMechanism = [.integrated, .exchangeServer]
        }
        XCTAssertEqual(none.say("EHLO mail.fabrikam.com"), ["250 mbx01.contoso.test Hello [203.0.113.7]"])
        var noCert = open(certificate: false)
        XCTAssertEqual(noCert.say("STARTTLS"), ["503 5.5.2 Send hello first"])
        XCTAssertFalse(noCert.say("EHLO x").contains("250-STARTTLS"))
        XCTAssertEqual(noCert.say("STARTTLS"), ["454 4.7.0 TLS not available due to temporary reason"])
        var noTls = open { $0.authMechanism = [.basicAuth] }
        noTls.say("EHLO x")
        XCTAssertEqual(noTls.say("STARTTLS"), ["500 5.3.3 Unrecognized command"])
    }

    func testHELOAndIPv6Client() {
        var h = Harness.open(
            TestWorld.configuration(
                TestWorld.defaultFrontend,
                remote: SMTPEndpoint(address: try! IPAddress(parsing: "::ffff:198.51.100.9"), port: 4000)))
        XCTAssertEqual(h.say("HELO old.fabrikam.com"), ["250 mbx01.contoso.test Hello [198.51.100.9]"])
        var v6 = Harness.open(
            TestWorld.configuration(
                TestWorld.defaultFrontend,
                remote: SMTPEndpoint(address: try! IPAddress(parsing: "2001:db8::7"), port: 4000)))
        XCTAssertEqual(v6.say("HELO x").first, "250 mbx01.contoso.test Hello [2001:db8::7]")
        XCTAssertEqual(v6.logs.first?.remoteEndpoint, "[2001:db8::7]:4000")
    }

    func testEnhancedStatusCodesDisabled() {
        var h = open { $0.enhancedStatusCodesEnabled = false }
        h.say("EHLO x")
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com>"), ["250 Sender OK"])
        XCTAssertEqual(h.say("RCPT TO:<x@fabrikam.com>"), ["550 Unable to relay"])
    }

    func testOtherCommands() {
        var h = open { $0.maxProtocolErrors = .unlimited }
        XCTAssertEqual(h.say("VRFY kate"), ["252 2.1.5 Cannot VRFY user"])
        XCTAssertEqual(h.say("EXPN staff"), ["502 5.3.3 Command not implemented"])
        XCTAssertEqual(
            h.say("HELP"), ["214-This server supports the following commands:", "214 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT"])
        XCTAssertEqual(h.say("NOOP"), ["250 2.0.0 OK"])
        XCTAssertEqual(h.say("RSET"), ["250 2.0.0 Resetting"])
        XCTAssertEqual(h.say("DATA"), ["503 5.5.2 Send hello first"])
        h.say("EHLO x")
        XCTAssertEqual(h.say("DATA"), ["503 5.5.2 Need mail command"])
        h.say("MAIL FROM:<a@fabrikam.com>")
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com>"), ["503 5.5.2 Sender already specified"])
        XCTAssertEqual(h.say("DATA"), ["503 5.5.2 Need rcpt command"])
        XCTAssertEqual(h.say("AUTH LOGIN"), ["503 5.5.2 AUTH not allowed during a mail transaction"])
        XCTAssertEqual(h.say("EHLO x").first, "250-mbx01.contoso.test Hello [203.0.113.7]")
        XCTAssertFalse(h.connection.session.isInMailTransaction, "EHLO resets the transaction")
        XCTAssertEqual(h.say("NO\0OP"), ["500 5.5.2 Syntax error, NUL character in command"])
        XCTAssertEqual(h.say("QUIT"), ["221 2.0.0 Service closing transmission channel"])
        XCTAssertTrue(h.closed)
    }

    func testExtensionParametersNeedTheirSwitch() {
        var h = open {
            $0.maxProtocolErrors = .unlimited
            $0.deliveryStatusNotificationEnabled = false
            $0.eightBitMimeEnabled = false
            $0.binaryMimeEnabled = false
        }
        h.say("EHLO x")
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com> RET=FULL"), ["501 5.5.4 Unrecognized parameter"])
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com> BODY=8BITMIME"), ["501 5.5.4 Unrecognized parameter"])
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com> BODY=BINARYMIME"), ["501 5.5.4 Unrecognized parameter"])
        XCTAssertEqual(h.say("MAIL FROM:<kåte@fabrikam.com> SMTPUTF8"), ["501 5.5.4 Unrecognized parameter"])
        XCTAssertEqual(h.say("MAIL FROM:<a@fabrikam.com> BODY=7BIT"), ["250 2.1.0 Sender OK"])
        XCTAssertEqual(h.say("RCPT TO:<kate@contoso.test> NOTIFY=NEVER"), ["501 5.5.4 Unrecognized parameter"])
        XCTAssertEqual(h.say("RCPT TO:<kate@contoso.test> ORAR=x"), ["501 5.5.4 Unrecognized parameter"])

        var utf8 = open {
            $0.smtpUtf8Enabled = true; $0.orarEnabled = true
        }
        utf8.say("EHLO x")
        XCTAssertEqual(utf8.say("MAIL FROM:<kåte@fabrikam.com> SMTPUTF8"), ["250 2.1.0 Sender OK"])
        XCTAssertEqual(utf8.say("RCPT TO:<jörg@contoso.test> ORAR=rfc822;jorg"), ["250 2.1.5 Recipient OK"])
    }

    // MARK: Messages

    func testReceivedAndReceptorHeaders() throws {
        var h = open()
        h.say("EHLO mail.fabrikam.com")
        h.say("MAIL FROM:<chris@fabrikam.com> BODY=8BITMIME ENVID=abc RET=HDRS")
        h.say("RCPT TO:<kate@contoso.test> ORCPT=rfc822;kate@contoso.test")
        h.say("DATA")
        h.now = TestWorld.start.addingTimeInterval(65)
        h.message(["Subject: hi", "", "body"])
        let env = try XCTUnwrap(h.delivered.first)
        XCTAssertEqual(
            String(decoding: env.prependedHeaderBytes, as: UTF8.self),
            "Received: from mail.fabrikam.com (203.0.113.7)\r\n by mbx01.contoso.test (10.0.0.5)\r\n with ESMTP\r\n via MBX01\\Default Frontend MBX01; Sun, 29 Nov 2026 10:01:05 +0000\r\n"
                + "X-Receptor-AuthAs: Anonymous\r\n"
                + "X-Receptor-AuthMechanism: None\r\n"
                + "X-Receptor-Connector: MBX01\\Default Frontend MBX01\r\n"
                + "Message-ID: <08DC3C1A2B4F5E61-1@mbx01.contoso.test>\r\n")
        XCTAssertEqual(env.fullMessage, env.prependedHeaderBytes + Array("Subject: hi\r\n\r\nbody\r\n".utf8))
        XCTAssertEqual(env.mail.envelopeID, "abc")
        XCTAssertEqual(env.mail.ret, .headers)
        XCTAssertEqual(env.mail.body, .eightBitMIME)
        XCTAssertEqual(env.recipients.first?.originalRecipient, "rfc822;kate@contoso.test")
        XCTAssertEqual(env.recipients.first?.acceptedDomain?.domainName, "contoso.test")
        XCTAssertEqual(env.heloName, "mail.fabrikam.com")
        XCTAssertEqual(env.receivedAt, h.now)
        XCTAssertEqual(env.transactionNumber, 1)

        var helo = open()
        helo.say("HELO old")
        helo.beginMessage()
        helo.message(["", "x"])
        XCTAssertTrue(helo.delivered[0].headersToPrepend[0].value.contains(" with SMTP\r\n"))
        helo.beginMessage()
        helo.message(["", "y"])
        XCTAssertEqual(helo.delivered[1].messageID, "<08DC3C1A2B4F5E61-2@mbx01.contoso.test>")
    }

    func testHeaderFirewall() throws {
        let headers = [
            "Received: from evil by somewhere; Sun, 29 Nov 2026 09:00:00 +0000",
            "Resent-From: someone@fabrikam.com",
            "X-MS-Exchange-Organization-AuthAs: Internal",
            "X-MS-Exchange-Organization-SCL:",
            "  -1",
            "X-MS-Exchange-Forest-RulesExecuted: x",
            "X-Receptor-AuthAs: kate@contoso.test",
            "Subject: spoof",
            "", "body", "X-MS-Exchange-Organization-AuthAs: in the body stays",
        ]
        // Anonymous on Default Frontend: routing headers stay (Accept-Headers-Routing), org/forest go.
        var anon = open()
        anon.beginMessage()
        anon.message(headers)
        let a = try XCTUnwrap(anon.delivered.first)
        XCTAssertEqual(
            String(decoding: a.message, as: UTF8.self),
            "Received: from evil by somewhere; Sun, 29 Nov 2026 09:00:00 +0000\r\nResent-From: someone@fabrikam.com\r\nSubject: spoof\r\n\r\nbody\r\nX-MS-Exchange-Organization-AuthAs: in the body stays\r\n"
        )
        XCTAssertEqual(
            Set(a.strippedHeaders),
            [
                "x-ms-exchange-organization-authas", "x-ms-exchange-organization-scl",
                "x-ms-exchange-forest-rulesexecuted", "x-receptor-authas",
            ])
        XCTAssertEqual(a.size, Int64(headers.map { $0.utf8.count + 2 }.reduce(0, +)))

        // Without Accept-Headers-Routing, Received and Resent-* go too.
        var c = TestWorld.customRelayConnector()
        c.permissionGroups = .none
        var bare = Harness.open(
            TestWorld.configuration(c, entries: [PermissionEntry(user: .anonymousLogon, extendedRights: [.submit, .acceptAnySender])]))
        bare.beginMessage()
        bare.message(headers)
        XCTAssertEqual(
            String(decoding: try XCTUnwrap(bare.delivered.first).message, as: UTF8.self),
            "Subject: spoof\r\n\r\nbody\r\nX-MS-Exchange-Organization-AuthAs: in the body stays\r\n")

        // With every header right (an explicit grant), nothing is stripped.
        let all = PermissionEntry(
            user: .anonymousLogon,
            extendedRights: [.submit, .acceptAnySender, .acceptHeadersRouting, .acceptHeadersOrganization, .acceptHeadersForest])
        var trusted = Harness.open(TestWorld.configuration(c, entries: [all]))
        trusted.beginMessage()
        trusted.message(headers)
        XCTAssertEqual(try XCTUnwrap(trusted.delivered.first).strippedHeaders, [])
    }

    func testDeliveryWaitsAndPipelinedCommandsStayInOrder() {
        var h = open()
        h.autoDeliver = false
        h.say("EHLO x")
        h.send(lines: ["MAIL FROM:<a@fabrikam.com>", "RCPT TO:<kate@contoso.test>", "DATA"])
        h.send("Subject: 1\r\n\r\nbody\r\n.\r\nMAIL FROM:<b@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\nQUIT\r\n")
        XCTAssertEqual(
            Array(h.serverLines.suffix(3)), ["250 2.1.0 Sender OK", "250 2.1.5 Recipient OK", "354 Start mail input; end with <CRLF>.<CRLF>"])
        XCTAssertEqual(h.delivered.count, 1)
        XCTAssertFalse(h.connection.session.acceptsInput)
        XCTAssertFalse(h.closed)
        h.event(.deliveryResult(.failed(nil)))
        XCTAssertEqual(
            Array(h.serverLines.suffix(4)),
            [
                "451 4.3.0 Temporary server error. Please try again later", "250 2.1.0 Sender OK",
                "250 2.1.5 Recipient OK", "221 2.0.0 Service closing transmission channel",
            ])
        XCTAssertTrue(h.actions.contains(.messageRejected(.temporaryDeliveryFailure)))
        XCTAssertTrue(h.closed)
    }

    func testPipelinedFloodIsAnsweredInOrder() {
        let h = open {
            $0.maxProtocolErrors = .unlimited; $0.tarpitInterval = .zero
        }
        var lines = ["EHLO flood.fabrikam.com"]
        var expected = h.serverLines + ["250-mbx01.contoso.test Hello [203.0.113.7]"]
        for i in 0..<300 {
            switch i % 6 {
            case 0: lines.append("MAIL FROM:<a\(i)@fabrikam.com>"); expected.append("250 2.1.0 Sender OK")
            case 1: lines.append("RCPT TO:<kate@contoso.test>"); expected.append("250 2.1.5 Recipient OK")
            case 2: lines.append("RCPT TO:<x\(i)@fabrikam.com>"); expected.append("550 5.7.1 Unable to relay")
            case 3: lines.append("NOOP \(i)"); expected.append("250 2.0.0 OK")
            case 4: lines.append("BOGUS \(i)"); expected.append("500 5.3.3 Unrecognized command")
            default: lines.append("RSET"); expected.append("250 2.0.0 Resetting")
            }
        }
        lines.append("QUIT")
        expected.append("221 2.0.0 Service closing transmission channel")
        let stream = Array(lines.map { $0 + "\r\n" }.joined().utf8)
        for size in [1, 2, 3, 7, 64, 1000, stream.count] {
            var run = open {
                $0.maxProtocolErrors = .unlimited; $0.tarpitInterval = .zero
            }
            for piece in stream.chunked(size) { run.send(Array(piece)) }
            let got = run.serverLines.filter { !$0.hasPrefix("250-") || $0.hasPrefix("250-mbx01") }.filter { !$0.hasPrefix("250 CHUNKING") }
            XCTAssertEqual(got, expected, "chunk size \(size)")
            XCTAssertTrue(run.closed)
        }
    }

    func testShutdownLetsTheMessageInFlightFinish() {
        var idle = open()
        idle.say("EHLO x")
        idle.event(.shutdown)
        XCTAssertEqual(idle.serverLines.last, "421 4.3.2 Service not available, closing transmission channel")
        XCTAssertTrue(idle.closed)

        var busy = open()
        busy.beginMessage()
        busy.send("Subject: in flight\r\n")
        busy.event(.shutdown)
        XCTAssertFalse(busy.closed)
        busy.send("\r\nbody\r\n.\r\nMAIL FROM:<a@fabrikam.com>\r\n")
        XCTAssertEqual(
            Array(busy.serverLines.suffix(2)),
            [
                "250 2.6.0 <08DC3C1A2B4F5E61-1@mbx01.contoso.test> [InternalId=1, Hostname=mbx01.contoso.test] Queued mail for delivery",
                "421 4.3.2 Service not available, closing transmission channel",
            ])
        XCTAssertTrue(busy.closed)
    }

    func testRemoteCloseAndTLSFailure() {
        var h = open()
        h.say("EHLO x")
        h.event(.remoteClosed)
        XCTAssertEqual(h.logs.last?.kind, .disconnect)
        XCTAssertEqual(h.logs.last?.context, "Remote")
        XCTAssertFalse(h.actions.contains(.close))
        XCTAssertEqual(h.say("NOOP"), [])

        var conn = SMTPConnection(configuration: TestWorld.configuration(TestWorld.defaultFrontend))
        _ = conn.start(at: TestWorld.start)
        let actions = conn.receive(Array("EHLO x\r\nSTARTTLS\r\nplaintext injection\r\n".utf8), at: TestWorld.start)
        XCTAssertEqual(actions.filter { if case .startTLS = $0 { true } else { false } }.count, 1)
        XCTAssertEqual(conn.framer.bufferedByteCount, 0, "input pipelined after STARTTLS is dropped")
        XCTAssertTrue(conn.handle(.tlsFailed(reason: "handshake failure"), at: TestWorld.start).contains(.close))
        XCTAssertTrue(conn.isClosed)
    }

    // MARK: Protocol log

    func testProtocolLog() {
        var h = open()
        h.say("EHLO mail.fabrikam.com")
        h.say("QUIT")
        let logs = h.logs
        XCTAssertEqual(logs.map(\.sequenceNumber), Array(0..<logs.count))
        XCTAssertEqual(logs.first?.kind, .connect)
        XCTAssertEqual(logs[1].context, "Set Session Permissions")
        XCTAssertEqual(
            logs[1].data,
            "ms-Exch-Accept-Headers-Routing ms-Exch-SMTP-Accept-Any-Sender ms-Exch-SMTP-Accept-Authoritative-Domain-Sender ms-Exch-SMTP-Submit")
        XCTAssertEqual(
            logs[2].csvLine,
            "2026-11-29T10:00:00.000Z,MBX01\\Default Frontend MBX01,08DC3C1A2B4F5E61,2,10.0.0.5:25,203.0.113.7:51234,>,\"220 mbx01.contoso.test Receptor ESMTP MAIL Service ready at Sun, 29 Nov 2026 10:00:00 +0000\","
        )
        XCTAssertEqual(
            logs[3].csvLine,
            "2026-11-29T10:00:00.000Z,MBX01\\Default Frontend MBX01,08DC3C1A2B4F5E61,3,10.0.0.5:25,203.0.113.7:51234,<,EHLO mail.fabrikam.com,")
        XCTAssertEqual(logs.filter { $0.kind == .send }.count, 1 + 9 + 1)
        XCTAssertEqual(
            logs.last?.csvLine,
            "2026-11-29T10:00:00.000Z,MBX01\\Default Frontend MBX01,08DC3C1A2B4F5E61,\(logs.count - 1),10.0.0.5:25,203.0.113.7:51234,-,,Local")

        // Protocol logging follows the connector's level unless overridden.
        var quiet = Harness.open(TestWorld.configuration(TestWorld.clientFrontend, logging: nil))
        quiet.say("EHLO x")
        XCTAssertEqual(quiet.logs, [])
    }

    func testSessionIsAValue() {
        var a = open()
        a.say("EHLO x")
        var b = a  // a copy: each goes its own way
        b.say("MAIL FROM:<a@fabrikam.com>")
        XCTAssertFalse(a.connection.session.isInMailTransaction)
        XCTAssertTrue(b.connection.session.isInMailTransaction)
        XCTAssertEqual(a.connection.session.activity, "EHLO")
        XCTAssertEqual(b.connection.session.activity, "MAIL")
        b.say("RCPT TO:<kate@contoso.test>")
        XCTAssertEqual(b.connection.session.activity, "RCPT")
        b.say("DATA")
        XCTAssertEqual(b.connection.session.activity, "DATA")
    }
}
