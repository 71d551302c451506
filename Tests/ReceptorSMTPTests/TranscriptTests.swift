import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorSMTP

/// Every script in Fixtures/Transcripts, fed with every chunk size (per flight, and as one pipelined stream
/// where the script allows), must produce exactly the expected replies.
final class TranscriptTests: XCTestCase {
    static func load(_ name: String) throws -> Transcript {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Fixtures/Transcripts"))
        return Transcript(name: name, try String(contentsOf: url, encoding: .utf8))
    }

    func testEveryFixtureIsRun() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Transcripts", withExtension: nil, subdirectory: "Fixtures"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }
        let covered: Set<String> = [
            "telnet-default-frontend", "relay-refused", "relay-method-a", "relay-method-b", "starttls-reset",
            "auth-client-frontend", "bdat", "bad-input",
        ]
        XCTAssertEqual(Set(names), covered, "a fixture without a test, or a test without a fixture")
    }

    func testTelnetTranscriptOfReference10() throws {
        let h = try XCTUnwrap(Self.load("telnet-default-frontend").runEveryChunking())
        XCTAssertEqual(h.delivered.count, 1)
        let env = try XCTUnwrap(h.delivered.first)
        XCTAssertEqual(env.sender?.description, "chris@contoso.com")
        XCTAssertEqual(env.recipients.map(\.address.description), ["kate@contoso.test"])
        XCTAssertEqual(env.recipients.first?.notify, .on(success: true, failure: true, delay: false))
        XCTAssertEqual(String(decoding: env.message, as: UTF8.self), "Subject: Test from Contoso\r\n\r\nThis is a test message\r\n")
        XCTAssertEqual(
            env.headersToPrepend.map(\.name), ["Received", "X-Receptor-AuthAs", "X-Receptor-AuthMechanism", "X-Receptor-Connector", "Message-ID"])
    }

    func testRelayRefused() throws { _ = try XCTUnwrap(Self.load("relay-refused").runEveryChunking()) }

    func testRelayMethodA() throws {
        let h = try XCTUnwrap(Self.load("relay-method-a").runEveryChunking())
        let env = try XCTUnwrap(h.delivered.first)
        XCTAssertTrue(env.recipients[0].isRelay)
        XCTAssertEqual(
            String(decoding: env.message, as: UTF8.self),
            "Subject: scan\r\nMessage-ID: <scan-1@printer.contoso.test>\r\n\r\n.a line that starts with a dot\r\n")
        XCTAssertEqual(env.authAs, "Anonymous")
    }

    func testRelayMethodB() throws {
        let h = try XCTUnwrap(Self.load("relay-method-b").runEveryChunking())
        XCTAssertEqual(h.delivered.first?.authAs, "Internal")
        XCTAssertEqual(h.delivered.first?.authMechanism, "ExternalAuthoritative")
    }

    func testSTARTTLSResetsTheSession() throws {
        let h = try XCTUnwrap(Self.load("starttls-reset").runEveryChunking())
        XCTAssertNotNil(h.connection.session.tls)
    }

    func testAuthOnClientFrontend() throws {
        let h = try XCTUnwrap(Self.load("auth-client-frontend").runEveryChunking())
        let env = try XCTUnwrap(h.delivered.first)
        XCTAssertEqual(env.authAs, "kate@contoso.test")
        XCTAssertEqual(env.authMechanism, "Plain")
        XCTAssertTrue(env.headersToPrepend[0].value.contains("with ESMTPSA (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384)"))
        XCTAssertEqual(h.connection.session.logonFailureCount, 2)
    }

    func testBDAT() throws {
        let h = try XCTUnwrap(Self.load("bdat").runEveryChunking())
        let env = try XCTUnwrap(h.delivered.first)
        XCTAssertEqual(env.transport, .bdat)
        XCTAssertEqual(env.message, Array("Subject: chunked\r\n\r\n.x\n".utf8) + [0, 0xff] + Array(".\r\n.\r\n".utf8))
        XCTAssertEqual(env.size, 31)
    }

    func testBadInput() throws {
        let h = try XCTUnwrap(Self.load("bad-input").runEveryChunking())
        XCTAssertTrue(h.closed)
    }
}

/// Scripts built in code (inputs too long or too binary for a fixture), run every way too.
final class InlineTranscriptTests: XCTestCase {
    func testOverlongLinesNULAndBareLFInData() throws {
        let long = String(repeating: "A", count: 2049)
        let script = """
            !connector Default Frontend
            !set BareLinefeedRejectionEnabled $true
            !set MaxProtocolErrors unlimited
            S: 220 mbx01.contoso.test Receptor ESMTP MAIL Service ready at Sun, 29 Nov 2026 10:00:00 +0000
            C: HELO mail.fabrikam.com
            S: 250 mbx01.contoso.test Hello [203.0.113.7]
            C: NOOP \(long)
            S: 500 5.5.2 Line too long
            C~ NOOP\\n
            S: 250 2.0.0 OK
            C: MA\\0IL FROM:<chris@fabrikam.com>
            S: 500 5.5.2 Syntax error, NUL character in command
            C: MAIL FROM:<chris@fabrikam.com>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<kate@contoso.test>
            S: 250 2.1.5 Recipient OK
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C~ Subject: bare\\r\\n\\r\\nline\\n.\\nstill data\\n.\\r\\nand more\\r\\n.\\r\\n
            S: 550 5.6.11 Message contains bare linefeeds, which are not allowed
            C: RCPT TO:<kate@contoso.test>
            S: 503 5.5.2 Need mail command
            C: \(long)\(long)
            S: 500 5.5.2 Line too long
            C: QUIT
            S: 221 2.0.0 Service closing transmission channel
            X: closed
            """
        let t = Transcript(name: "inline-bad-input", script)
        // Every chunking of each flight; the whole stream at a spread of sizes (it is long).
        for size in 1...t.flights.map(\.client.count).max()! {
            guard t.run(chunkSize: size, wholeStream: false) != nil else { return }
        }
        for size in [1, 2, 3, 5, 8, 13, 100, 1000, 2047, 2048, 2049, 2050, 4096, t.clientBytes.count] {
            guard t.run(chunkSize: size, wholeStream: true) != nil else { return }
        }
        let h = try XCTUnwrap(t.run(chunkSize: 1, wholeStream: true))
        XCTAssertEqual(h.connection.session.protocolErrorCount, 4)
        XCTAssertTrue(h.actions.contains(.messageRejected(.bareLinefeedsRejected)))
    }
}
