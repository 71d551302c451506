import XCTest
import ReceptorCore
@testable import ReceptorSMTP

/// Issue 13 item 2 at the engine: whatever a session waits for, ConnectionTimeout (from the connect) and
/// ConnectionInactivityTimeout (from the client's last input) bound it. A session waiting for the client's
/// TLS handshake had no deadline at all, and NIOSSL has none of its own: `EHLO`, `STARTTLS`, then silence
/// held the connection forever.
///
/// The states: the banner, commands, an AUTH exchange (334 and the client's answer), DATA and BDAT, and the
/// STARTTLS handshake wait on the client: both timeouts apply. A password check waits on this server: only
/// ConnectionTimeout applies (the client is not idle, it waits for us). A delivery waiting for its sync is
/// exempt (`LimitTests.testNoTimeoutWhileWaitingForDelivery`): a `421` then could make the client send a
/// message again that is already stored; the deadline applies again as soon as the result is in.
final class PendingStateTimeoutTests: XCTestCase {
    let start = TestWorld.start

    func open(_ connector: ReceiveConnector = TestWorld.defaultFrontend) -> Harness {
        Harness.open(TestWorld.configuration(connector))
    }

    func testEveryStateTheClientOwesSomethingInHasTheInactivityDeadline() {
        var h = open()
        XCTAssertEqual(h.connection.nextDeadline, start.addingTimeInterval(300), "banner")
        h.now = start.addingTimeInterval(10)
        h.say("EHLO x")
        XCTAssertEqual(h.connection.nextDeadline, h.now.addingTimeInterval(300), "commands")
        h.now = start.addingTimeInterval(20)
        h.beginMessage()
        XCTAssertEqual(h.connection.nextDeadline, h.now.addingTimeInterval(300), "DATA")
        h.send("Subject: x\r\n\r\ny\r\n.\r\n")
        h.now = start.addingTimeInterval(30)
        h.say("MAIL FROM:<a@fabrikam.com>")
        h.say("RCPT TO:<kate@contoso.test>")
        h.send("BDAT 100\r\n")
        XCTAssertEqual(h.connection.session.activity, "DATA")
        XCTAssertEqual(h.connection.nextDeadline, h.now.addingTimeInterval(300), "BDAT chunk")

        var auth = open(TestWorld.clientFrontend)
        auth.say("EHLO x")
        auth.say("STARTTLS")
        auth.say("EHLO x")
        auth.now = start.addingTimeInterval(40)
        XCTAssertEqual(auth.say("AUTH LOGIN"), ["334 VXNlcm5hbWU6"])
        XCTAssertEqual(auth.connection.nextDeadline, auth.now.addingTimeInterval(300), "AUTH exchange")
        auth.now = start.addingTimeInterval(340)
        auth.event(.timer)
        XCTAssertTrue(auth.closed)
        XCTAssertEqual(auth.serverLines.last, "421 4.4.2 mbx01.contoso.test Connection dropped")
    }

    func testAPendingTLSHandshakeEndsAtConnectionInactivityTimeout() {
        var h = open()
        h.say("EHLO x")
        h.send("STARTTLS\r\n")  // answered; the client never starts the handshake
        XCTAssertEqual(h.serverLines.last, "220 2.0.0 SMTP server ready")
        XCTAssertEqual(h.connection.session.activity, "STARTTLS")
        XCTAssertEqual(h.connection.nextDeadline, start.addingTimeInterval(300))
        let replies = h.serverLines.count
        h.now = start.addingTimeInterval(299)
        h.event(.timer)
        XCTAssertFalse(h.closed)
        h.now = start.addingTimeInterval(300)
        h.event(.timer)
        XCTAssertTrue(h.closed, "a session waiting for the TLS handshake outlived ConnectionInactivityTimeout")
        XCTAssertEqual(h.serverLines.count, replies, "no plaintext reply once TLS has begun")
        XCTAssertTrue(
            h.logs.contains { $0.data == "TLS negotiation not completed: ConnectionInactivityTimeout 00:05:00 reached" },
            "\(h.logs.map(\.data))")
        XCTAssertNil(h.connection.nextDeadline)
    }

    func testAPendingTLSHandshakeEndsAtConnectionTimeout() {
        var h = open()
        h.say("EHLO x")
        for minute in 1...9 {
            h.now = start.addingTimeInterval(Double(minute * 60))
            h.say("NOOP")
        }
        h.now = start.addingTimeInterval(570)
        h.send("STARTTLS\r\n")  // inactivity would end it at 14:30; ConnectionTimeout is 10:00
        XCTAssertEqual(h.connection.nextDeadline, start.addingTimeInterval(600))
        h.now = start.addingTimeInterval(600)
        h.event(.timer)
        XCTAssertTrue(h.closed)
        XCTAssertTrue(
            h.logs.contains { $0.data == "TLS negotiation not completed: ConnectionTimeout 00:10:00 reached" },
            "\(h.logs.map(\.data))")
    }

    func testAPasswordCheckIsBoundedByConnectionTimeoutOnly() {
        var connector = TestWorld.clientFrontend
        connector.authMechanism = [.tls, .basicAuth]
        var conn = SMTPConnection(configuration: TestWorld.configuration(connector))
        _ = conn.start(at: start)
        _ = conn.receive(Array("EHLO x\r\n".utf8), at: start)
        let asked = start.addingTimeInterval(590)
        let credentials = Data("\0kate@contoso.test\0\(TestWorld.password)".utf8).base64EncodedString()
        let actions = conn.receive(Array("AUTH PLAIN \(credentials)\r\n".utf8), at: asked)
        XCTAssertTrue(actions.contains { if case .authenticate = $0 { true } else { false } })
        // The client waits for us: not idle; but the connection's whole life is still bounded.
        XCTAssertEqual(conn.nextDeadline, start.addingTimeInterval(600))
        XCTAssertEqual(conn.handle(.timer, at: asked.addingTimeInterval(9)).filter { if case .close = $0 { true } else { false } }, [])
        let ended = conn.handle(.timer, at: start.addingTimeInterval(600))
        XCTAssertTrue(ended.contains(.close))
        XCTAssertTrue(ended.contains(.reply(.connectionDropped(fqdn: "mbx01.contoso.test"))))
        XCTAssertEqual(
            conn.handle(.authenticationResult(.accepted(TestWorld.kate)), at: start.addingTimeInterval(601)), [],
            "a verdict after the end is ignored")
    }
}
