import XCTest
import ReceptorCore
@testable import ReceptorSMTP

/// Issue 13 item 1 at the engine: once STARTTLS is accepted, nothing the client sent before the TLS handshake
/// completed is ever taken as a command, whichever wait held it back (a tarpit delay, a password check, a
/// delivery waiting for its sync). The I/O layer used to feed such bytes in after the `startTLS` action — the
/// handler's tarpit kept what arrived during the delay and handed it over once the delay ended — and the
/// engine answered them inside TLS (the CVE-2011-0411 class).
final class STARTTLSInjectionTests: XCTestCase {
    private func replies(_ actions: [SessionAction]) -> [String] {
        actions.flatMap { action -> [String] in if case .reply(let r) = action { r.textLines() } else { [] } }
    }

    private func startsTLS(_ actions: [SessionAction]) -> Bool {
        actions.contains { if case .startTLS = $0 { true } else { false } }
    }

    /// Feeds `injected` after STARTTLS was accepted and before the handshake completes, then completes it:
    /// the session must answer nothing, and start over at EHLO.
    private func assertInjectionIgnored(_ conn: inout SMTPConnection, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(conn.session.activity, "STARTTLS", file: file, line: line)
        let during = conn.receive(Array("EHLO injected.test\r\nMAIL FROM:<injected@fabrikam.com>\r\n".utf8), at: TestWorld.start)
        XCTAssertEqual(replies(during), [], "answered before the handshake", file: file, line: line)
        let after = conn.handle(.tlsEstablished(TestWorld.tls), at: TestWorld.start)
        XCTAssertEqual(replies(after), [], "input sent before the handshake was answered inside TLS", file: file, line: line)
        XCTAssertFalse(conn.session.hasGreeted, "an injected EHLO was taken", file: file, line: line)
        XCTAssertFalse(conn.session.isInMailTransaction, "an injected MAIL was taken", file: file, line: line)
        XCTAssertEqual(conn.framer.bufferedByteCount, 0, file: file, line: line)
        let ehlo = conn.receive(Array("EHLO after.test\r\n".utf8), at: TestWorld.start)
        XCTAssertEqual(replies(ehlo).first, "250-mbx01.contoso.test Hello [203.0.113.7]", file: file, line: line)
    }

    func testInputAfterATarpittedSTARTTLSIsDiscarded() {
        var conn = SMTPConnection(configuration: TestWorld.configuration(TestWorld.defaultFrontend))
        _ = conn.start(at: TestWorld.start)
        _ = conn.receive(Array("EHLO client.test\r\n".utf8), at: TestWorld.start)
        let actions = conn.receive(Array("RCPT TO:<kate@contoso.test>\r\nSTARTTLS\r\n".utf8), at: TestWorld.start)
        XCTAssertEqual(actions.first { if case .delay = $0 { true } else { false } }, .delay(seconds: 5), "the 503 is tarpitted")
        XCTAssertTrue(startsTLS(actions))
        assertInjectionIgnored(&conn)
    }

    func testInputAfterSTARTTLSBehindAPasswordCheckIsDiscarded() {
        var connector = TestWorld.clientFrontend
        connector.authMechanism = [.tls, .basicAuth]
        var conn = SMTPConnection(configuration: TestWorld.configuration(connector))
        _ = conn.start(at: TestWorld.start)
        _ = conn.receive(Array("EHLO client.test\r\n".utf8), at: TestWorld.start)
        let credentials = Data("\0kate@contoso.test\0wrong".utf8).base64EncodedString()
        let auth = conn.receive(Array("AUTH PLAIN \(credentials)\r\nSTARTTLS\r\n".utf8), at: TestWorld.start)
        XCTAssertTrue(auth.contains { if case .authenticate = $0 { true } else { false } })
        XCTAssertFalse(startsTLS(auth), "STARTTLS waits behind the password check")
        let result = conn.handle(.authenticationResult(.rejected), at: TestWorld.start)
        XCTAssertTrue(result.contains(.delay(seconds: 5)), "AuthTarpitInterval")
        XCTAssertTrue(startsTLS(result))
        assertInjectionIgnored(&conn)
    }

    func testInputAfterSTARTTLSBehindADeliveryIsDiscarded() {
        var conn = SMTPConnection(configuration: TestWorld.configuration(TestWorld.defaultFrontend))
        _ = conn.start(at: TestWorld.start)
        let message = "EHLO client.test\r\nMAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\nDATA\r\nSubject: x\r\n\r\ny\r\n.\r\n"
        let sent = conn.receive(Array((message + "RCPT TO:<kate@contoso.test>\r\nSTARTTLS\r\n").utf8), at: TestWorld.start)
        XCTAssertTrue(sent.contains { if case .deliver = $0 { true } else { false } })
        let result = conn.handle(.deliveryResult(.queued(internalID: 1)), at: TestWorld.start)
        XCTAssertTrue(result.contains(.delay(seconds: 5)), "the 503 is tarpitted")
        XCTAssertTrue(startsTLS(result))
        assertInjectionIgnored(&conn)
    }
}
