import Foundation
import ReceptorStore
import XCTest

@testable import ReceptorControlLink

/// The TCP control endpoint's challenge–response, without sockets: the server's side (`ControlAuthentication
/// .Server`) against the lines a client writes.
final class ControlAuthenticationTests: XCTestCase {
    let secret = ControlSecret.generate()
    let fingerprint = Array(repeating: UInt8(0xab), count: 32)

    /// The client's answer line to a server's challenge line, as `ControlClient` computes it.
    func answer(to server: ControlAuthentication.Server, secret: ControlSecret, fingerprint: [UInt8]? = nil) throws -> Data {
        let line = try XCTUnwrap(
            ControlAuthentication.answerLine(
                toChallenge: Data(server.challengeLine.utf8), secret: secret, fingerprint: fingerprint ?? self.fingerprint))
        return Data(line.utf8)
    }

    func testTheRightSecretIsAccepted() throws {
        let server = ControlAuthentication.Server(secret: secret, fingerprint: fingerprint)
        XCTAssertTrue(server.accepts(try answer(to: server, secret: secret)))
        // The secret itself is nowhere in what crosses the wire.
        let wire = server.challengeLine + String(decoding: try answer(to: server, secret: secret), as: UTF8.self)
        XCTAssertFalse(wire.contains(secret.stored))
        XCTAssertFalse(wire.contains(Data(secret.bytes).base64EncodedString()))
    }

    func testAWrongSecretIsRefused() throws {
        let server = ControlAuthentication.Server(secret: secret, fingerprint: fingerprint)
        XCTAssertFalse(server.accepts(try answer(to: server, secret: ControlSecret.generate())))
    }

    func testAMissingOrMalformedAnswerIsRefused() throws {
        let server = ControlAuthentication.Server(secret: secret, fingerprint: fingerprint)
        for line in [
            "", "{}", #"{"command":"snapshot"}"#, #"{"command":"subscribe"}"#, #"{"command":"authenticate"}"#,
            #"{"command":"authenticate","answer":""}"#, #"{"command":"authenticate","answer":"not base64!"}"#, "not json at all",
        ] {
            XCTAssertFalse(server.accepts(Data(line.utf8)), line)
        }
        // The right MAC under another command name is not an answer.
        let good = String(decoding: try answer(to: server, secret: secret), as: UTF8.self)
        XCTAssertFalse(server.accepts(Data(good.replacingOccurrences(of: "authenticate", with: "snapshot").utf8)))
    }

    func testAnAnswerReplayedToAnotherNonceIsRefused() throws {
        let first = ControlAuthentication.Server(secret: secret, fingerprint: fingerprint)
        let recorded = try answer(to: first, secret: secret)
        XCTAssertTrue(first.accepts(recorded))
        let second = ControlAuthentication.Server(secret: secret, fingerprint: fingerprint)
        XCTAssertNotEqual(first.nonce, second.nonce, "every connection gets a fresh nonce")
        XCTAssertFalse(second.accepts(recorded), "an answer is good for its own nonce only")
    }

    func testAnAnswerForAnotherCertificateIsRefused() throws {
        // A relay that shows the client another certificate gets an answer bound to that one: useless here.
        let server = ControlAuthentication.Server(secret: secret, fingerprint: fingerprint)
        let relayed = try answer(to: server, secret: secret, fingerprint: Array(repeating: 0xcd, count: 32))
        XCTAssertFalse(server.accepts(relayed))
    }

    func testTheClientAnswersOnlyAChallengeOfItsVersion() {
        XCTAssertNil(ControlAuthentication.answerLine(toChallenge: Data(#"{"type":"snapshot"}"#.utf8), secret: secret, fingerprint: fingerprint))
        let otherVersion = #"{"nonce":"\#(Data(repeating: 1, count: 32).base64EncodedString())","type":"challenge","version":2}"#
        XCTAssertNil(ControlAuthentication.answerLine(toChallenge: Data(otherVersion.utf8), secret: secret, fingerprint: fingerprint))
        let shortNonce = #"{"nonce":"\#(Data(repeating: 1, count: 8).base64EncodedString())","type":"challenge","version":1}"#
        XCTAssertNil(ControlAuthentication.answerLine(toChallenge: Data(shortNonce.utf8), secret: secret, fingerprint: fingerprint))
    }

    func testTheSecretNeverPrintsItself() throws {
        XCTAssertEqual(secret.stored.count, 64)
        XCTAssertEqual(ControlSecret(stored: secret.stored), secret)
        XCTAssertNil(ControlSecret(stored: String(secret.stored.dropLast(2))), "256 bits, not fewer")
        XCTAssertNil(ControlSecret(stored: "zz" + secret.stored.dropFirst(2)))
        for text in ["\(secret)", String(describing: secret), String(reflecting: secret)] {
            XCTAssertFalse(text.contains(secret.stored), text)
        }
        XCTAssertNotEqual(ControlSecret.generate(), ControlSecret.generate())
    }

    // MARK: Which endpoint a console uses

    func testAListenerOnThisHostIsReachedByItsSocketElsewhereByItsEndpoint() {
        let fp = String(repeating: "ab", count: 32)
        let here = ListenerRegistration(
            id: "1", server: "MBX01", pid: 1, host: "mbx01", controlSocket: "/srv/listener-mbx01.sock", startedAt: Date(), heartbeatAt: Date(),
            controlEndpoint: "mbx01.contoso.test:8725", controlFingerprint: fp)
        XCTAssertEqual(
            ControlEndpoint.route(to: here, localHost: "mbx01", socketExists: { _ in true }), .local(socketPath: "/srv/listener-mbx01.sock"))
        // Same host name but no socket to be seen (another user's data directory): the TCP endpoint.
        XCTAssertEqual(
            ControlEndpoint.route(to: here, localHost: "mbx01", socketExists: { _ in false }),
            .remote(host: "mbx01.contoso.test", port: 8725, fingerprint: fp))
        XCTAssertEqual(
            ControlEndpoint.route(to: here, localHost: "console01", socketExists: { _ in true }),
            .remote(host: "mbx01.contoso.test", port: 8725, fingerprint: fp))
        var noEndpoint = here
        noEndpoint.controlEndpoint = nil
        XCTAssertNil(ControlEndpoint.route(to: noEndpoint, localHost: "console01", socketExists: { _ in true }), "no TCP endpoint: unreachable")
        var noFingerprint = here
        noFingerprint.controlFingerprint = "abcd"
        XCTAssertNil(ControlEndpoint.route(to: noFingerprint, localHost: "console01"), "never TCP without a certificate to trust")
    }

    func testEndpointText() throws {
        XCTAssertEqual(ControlEndpoint.text(host: "2001:db8::1", port: 8725), "[2001:db8::1]:8725")
        XCTAssertEqual(ControlEndpoint.parse("[2001:db8::1]:8725")?.host, "2001:db8::1")
        XCTAssertEqual(ControlEndpoint.parse("mbx01.contoso.test:8725")?.port, 8725)
        for bad in ["mbx01", "mbx01:0", "mbx01:70000", ":8725", "2001:db8::1:8725", "[::1]8725"] {
            XCTAssertNil(ControlEndpoint.parse(bad), bad)
        }
    }
}
