import XCTest
import ReceptorCore
@testable import ReceptorSMTP

final class AuthenticationTests: XCTestCase {
    /// Client Frontend after STARTTLS and EHLO: ready for AUTH.
    func clientSession(_ configure: (inout ReceiveConnector) -> Void = { _ in }) -> Harness {
        var c = TestWorld.clientFrontend
        configure(&c)
        var h = Harness.open(TestWorld.configuration(c))
        h.say("EHLO laptop")
        if c.authMechanism.contains(.basicAuthRequireTLS) {
            XCTAssertEqual(h.say("STARTTLS"), ["220 2.0.0 SMTP server ready"])
            h.say("EHLO laptop")
        }
        return h
    }

    func testPlainAndLoginSucceed() {
        var h = clientSession()
        XCTAssertEqual(h.say("AUTH PLAIN " + plain("kate@contoso.test", TestWorld.password)), ["235 2.7.0 Authentication successful"])
        guard case .account(let principals) = h.connection.session.authentication else { return XCTFail() }
        XCTAssertTrue(principals.contains(SecurityPrincipal("kate@contoso.test")))
        XCTAssertTrue(principals.contains(SecurityPrincipal("CONTOSO\\kate")))

        var l = clientSession()
        XCTAssertEqual(l.say("AUTH LOGIN " + b64("kate@contoso.test")), ["334 UGFzc3dvcmQ6"])
        XCTAssertEqual(l.say(b64(TestWorld.password)), ["235 2.7.0 Authentication successful"])
        XCTAssertEqual(l.say("MAIL FROM:<kate@contoso.test>"), ["250 2.1.0 Sender OK"])
    }

    func testAuthBeforeTLSRefusedWithBasicAuthRequireTLS() {
        var h = Harness.open(TestWorld.configuration(TestWorld.clientFrontend))
        h.say("EHLO laptop")
        XCTAssertFalse(h.serverLines.contains { $0.contains("AUTH") })
        XCTAssertEqual(h.say("AUTH PLAIN " + plain("kate@contoso.test", TestWorld.password)), ["530 5.7.0 Must issue a STARTTLS command first"])
        XCTAssertEqual(h.say("AUTH LOGIN"), ["530 5.7.0 Must issue a STARTTLS command first"])
        XCTAssertFalse(h.actions.contains { if case .authenticate = $0 { true } else { false } })

        // Without BasicAuthRequireTLS, AUTH is offered and works in the clear.
        var c = TestWorld.clientFrontend
        c.authMechanism.remove(.basicAuthRequireTLS)
        var clear = Harness.open(TestWorld.configuration(c))
        XCTAssertTrue(clear.say("EHLO laptop").contains("250-AUTH LOGIN PLAIN"))
        XCTAssertEqual(clear.say("AUTH PLAIN " + plain("kate@contoso.test", TestWorld.password)), ["235 2.7.0 Authentication successful"])
    }

    func testAuthWithoutBasicAuthOrWithUnknownMechanism() {
        var h = Harness.open(TestWorld.configuration(TestWorld.connector("Default internal receive connector"), server: TestWorld.edge))
        h.say("EHLO x")
        XCTAssertEqual(h.say("AUTH PLAIN " + plain("kate@contoso.test", "x")), ["504 5.7.4 Unrecognized authentication type"])
        var c = clientSession()
        XCTAssertEqual(c.say("AUTH NTLM"), ["504 5.7.4 Unrecognized authentication type"])
        XCTAssertEqual(c.say("AUTH GSSAPI"), ["504 5.7.4 Unrecognized authentication type"])
        XCTAssertEqual(c.say("AUTH CRAM-MD5"), ["504 5.7.4 Unrecognized authentication type"])
        var before = Harness.open(TestWorld.configuration(TestWorld.clientFrontend))
        XCTAssertEqual(before.say("AUTH LOGIN"), ["503 5.5.2 Send hello first"])
    }

    func testGarbageAndAbortedResponses() {
        var h = clientSession()
        XCTAssertEqual(h.say("AUTH PLAIN !!!notbase64"), ["501 5.5.2 Cannot decode response"])
        XCTAssertEqual(h.say("AUTH PLAIN " + b64("no-nul-bytes")), ["501 5.5.2 Cannot decode response"])
        XCTAssertEqual(h.say("AUTH PLAIN ="), ["501 5.5.2 Cannot decode response"])
        XCTAssertEqual(h.say("AUTH LOGIN"), ["334 VXNlcm5hbWU6"])
        XCTAssertEqual(h.say("%%%"), ["501 5.5.2 Cannot decode response"])
        XCTAssertEqual(h.say("AUTH LOGIN"), ["334 VXNlcm5hbWU6"])
        XCTAssertEqual(h.say("*"), ["501 5.7.0 Authentication aborted"])
        XCTAssertEqual(h.say("AUTH PLAIN"), ["334 "])
        XCTAssertEqual(h.say("*"), ["501 5.7.0 Authentication aborted"])
        XCTAssertEqual(h.connection.session.logonFailureCount, 0)
        XCTAssertEqual(h.connection.session.protocolErrorCount, 4)
        XCTAssertFalse(h.closed)
        // A different authorization identity is a failed logon, not an impersonation.
        XCTAssertEqual(
            h.say("AUTH PLAIN " + plain("kate@contoso.test", TestWorld.password, authz: "ceo@contoso.test")),
            ["535 5.7.3 Authentication unsuccessful"])
        // The session can still log on afterwards.
        XCTAssertEqual(
            h.say("AUTH PLAIN " + plain("KATE@contoso.test", TestWorld.password, authz: "kate@contoso.test")),
            ["235 2.7.0 Authentication successful"])
    }

    func testMaxLogonFailuresDisconnects() {
        var h = clientSession()
        XCTAssertEqual(h.say("AUTH PLAIN " + plain("kate@contoso.test", "1")), ["535 5.7.3 Authentication unsuccessful"])
        XCTAssertEqual(h.say("AUTH LOGIN " + b64("kate@contoso.test")), ["334 UGFzc3dvcmQ6"])
        XCTAssertEqual(h.say(b64("2")), ["535 5.7.3 Authentication unsuccessful"])
        XCTAssertFalse(h.closed)
        XCTAssertEqual(
            h.say("AUTH PLAIN " + plain("kate@contoso.test", "3")),
            ["535 5.7.3 Authentication unsuccessful", "421 4.7.0 Too many failed logon attempts, closing transmission channel"])
        XCTAssertTrue(h.closed)
        XCTAssertEqual(h.say("NOOP"), [])
        // AuthTarpitInterval (5 s) before every failure reply; the tarpit for 5xx is not added on top.
        XCTAssertEqual(h.delays, [5, 5, 5])

        var never = clientSession {
            $0.maxLogonFailures = 0; $0.authTarpitInterval = .zero
        }
        for i in 0..<20 { never.say("AUTH PLAIN " + plain("kate@contoso.test", "\(i)")) }
        XCTAssertFalse(never.closed)
        XCTAssertEqual(never.connection.session.logonFailureCount, 20)
        XCTAssertEqual(never.delays, [])
    }

    func testAccountWithoutSubmitRightFailsAuth() {
        // Default Frontend grants nothing to Authenticated Users: AUTH succeeds at the store, fails here.
        var h = Harness.open(TestWorld.configuration(TestWorld.defaultFrontend))
        h.say("EHLO x")
        h.say("STARTTLS")
        XCTAssertTrue(h.say("EHLO x").contains("250-AUTH LOGIN PLAIN"))
        XCTAssertEqual(h.say("AUTH PLAIN " + plain("kate@contoso.test", TestWorld.password)), ["535 5.7.3 Authentication unsuccessful"])
        XCTAssertEqual(h.connection.session.authentication, .anonymous)
    }

    func testStoreUnavailable() {
        var c = TestWorld.clientFrontend
        c.authMechanism.remove(.basicAuthRequireTLS)
        var conn = SMTPConnection(configuration: TestWorld.configuration(c))
        _ = conn.start(at: TestWorld.start)
        _ = conn.receive(Array("EHLO x\r\nAUTH PLAIN \(plain("kate@contoso.test", "x"))\r\nNOOP\r\n".utf8), at: TestWorld.start)
        XCTAssertFalse(conn.session.acceptsInput, "waits for the verdict; NOOP stays buffered")
        let actions = conn.handle(.authenticationResult(.unavailable), at: TestWorld.start)
        let replies = actions.compactMap { if case .reply(let r) = $0 { r.description } else { nil } }
        XCTAssertEqual(replies, ["454 4.7.0 Temporary authentication failure", "250 2.0.0 OK"])
    }

    /// The password and the AUTH payloads never reach a log record or any action's description.
    func testAuthIsRedactedEverywhere() {
        var h = clientSession()
        let secretPlain = plain("kate@contoso.test", TestWorld.password)
        h.say("AUTH PLAIN " + plain("kate@contoso.test", "WrongSecret"))
        h.say("AUTH LOGIN")
        h.say(b64("kate@contoso.test"))
        h.say(b64("AnotherWrong"))
        h.say("AUTH PLAIN")
        h.say(secretPlain)
        XCTAssertEqual(h.serverLines.last, "235 2.7.0 Authentication successful")
        let secrets = [
            TestWorld.password, "WrongSecret", "AnotherWrong", secretPlain, b64(TestWorld.password), b64("AnotherWrong"),
            plain("kate@contoso.test", "WrongSecret"), b64("kate@contoso.test"),
        ]
        let logText = h.logs.map(\.csvLine).joined(separator: "\n")
        let everything = h.actions.map { "\($0)" }.joined(separator: "\n") + "\(h.actions)" + String(reflecting: h.actions)
        for s in secrets {
            XCTAssertFalse(logText.contains(s), "log shows \(s)")
            XCTAssertFalse(everything.contains(s), "an action's description shows \(s)")
        }
        let received = h.logs.filter { $0.kind == .receive }.map(\.data)
        XCTAssertTrue(received.contains("AUTH PLAIN ****"))
        XCTAssertTrue(received.contains("AUTH LOGIN"))
        XCTAssertEqual(received.filter { $0 == "****" }.count, 3)
        XCTAssertTrue(h.logs.contains { $0.kind == .information && $0.data == "kate@contoso.test" && $0.context == "authenticated" })
        // The credentials themselves reach the I/O layer intact.
        let creds = h.actions.compactMap { if case .authenticate(let c) = $0 { c } else { nil } }
        XCTAssertEqual(creds.map(\.password), ["WrongSecret", "AnotherWrong", TestWorld.password])
        XCTAssertEqual(creds.map(\.mechanism), [.plain, .login, .plain])
    }

    func testSTARTTLSForgetsAnEarlierLogon() {
        var c = TestWorld.clientFrontend
        c.authMechanism.remove(.basicAuthRequireTLS)
        var h = Harness.open(TestWorld.configuration(c))
        h.say("EHLO x")
        h.say("AUTH PLAIN " + plain("kate@contoso.test", TestWorld.password))
        XCTAssertNotNil(h.connection.session.account)
        h.say("STARTTLS")
        XCTAssertNil(h.connection.session.account)
        XCTAssertEqual(h.connection.session.authentication, .anonymous)
        XCTAssertEqual(h.say("MAIL FROM:<kate@contoso.test>"), ["503 5.5.2 Send hello first"])
    }
}

extension AuthenticationTests {
    func testInvalidUTF8InCredentialsIsRefused() {
        var h = clientSession()
        let bad = Data([0] + Array("kate@contoso.test".utf8) + [0, 0xff, 0xfe]).base64EncodedString()
        XCTAssertEqual(h.say("AUTH PLAIN " + bad), ["501 5.5.2 Cannot decode response"])
        XCTAssertFalse(h.actions.contains { if case .authenticate = $0 { true } else { false } })
    }
}
