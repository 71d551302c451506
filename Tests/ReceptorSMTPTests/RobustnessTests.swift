import XCTest
import ReceptorCore
@testable import ReceptorSMTP

/// Random and hostile input: the engine never traps, never buffers without bound, and answers every
/// complete command line in order.
final class RobustnessTests: XCTestCase {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        "EHLO x\r\n", "HELO y\n", "MAIL FROM:<a@fabrikam.com>\r\n", "MAIL FROM:<>\r\n", "RCPT TO:<kate@contoso.test>\r\n",
        "RCPT TO:<x@fabrikam.com>\r\n", "DATA\r\n", "Subject: x\r\n\r\nbody\r\n", ".\r\n", "..\r\n", "\r\n.\r\n", "BDAT 3\r\n",
        "BDAT 0 LAST\r\n", "abc", "RSET\r\n", "NOOP\r\n", "AUTH PLAIN\r\n", "AUTH LOGIN\r\n", "*\r\n", "=\r\n", "STARTTLS\r\n",
        "\0", "\r", "\n", "QUIT\r\n", "VRFY a\r\n", String(repeating: "Z", count: 3000), "BDAT 99999999999\r\n",
    ]

    func testRandomStreamsNeverTrap() {
        var rng = SplitMix64(state: 42)
        for round in 0..<300 {
            var c = TestWorld.defaultFrontend
            c.maxProtocolErrors = round % 2 == 0 ? .unlimited : .limited(5)
            c.authMechanism = [.tls, .basicAuth]
            var conn = SMTPConnection(configuration: TestWorld.configuration(c, logging: round % 3 == 0))
            _ = conn.start(at: TestWorld.start)
            var stream: [UInt8] = []
            for _ in 0..<Int.random(in: 5...60, using: &rng) {
                if Int.random(in: 0..<10, using: &rng) == 0 {
                    stream += (0..<Int.random(in: 1...50, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                } else {
                    stream += Array(Self.fragments.randomElement(using: &rng)!.utf8)
                }
            }
            var offset = 0
            while offset < stream.count && !conn.isClosed {
                let n = min(stream.count - offset, Int.random(in: 1...200, using: &rng))
                var follow = conn.receive(stream[offset..<(offset + n)], at: TestWorld.start)
                offset += n
                // Answer whatever the session asks for, as the I/O layer would.
                while let action = follow.first {
                    follow.removeFirst()
                    switch action {
                    case .startTLS: follow += conn.handle(.tlsEstablished(TestWorld.tls), at: TestWorld.start)
                    case .authenticate: follow += conn.handle(.authenticationResult(.rejected), at: TestWorld.start)
                    case .deliver: follow += conn.handle(.deliveryResult(.queued(internalID: 1)), at: TestWorld.start)
                    default: break
                    }
                }
                XCTAssertLessThan(conn.framer.bufferedByteCount, 4200, "round \(round)")
            }
        }
    }

    func testBackpressureWhileWaitingForDelivery() {
        var conn = SMTPConnection(configuration: TestWorld.configuration(TestWorld.defaultFrontend, logging: false))
        _ = conn.start(at: TestWorld.start)
        _ = conn.receive(
            Array("EHLO x\r\nMAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\nDATA\r\nSubject: x\r\n\r\ny\r\n.\r\n".utf8),
            at: TestWorld.start)
        XCTAssertFalse(conn.session.acceptsInput)
        XCTAssertTrue(conn.wantsInput)
        let noop = Array(String(repeating: "NOOP\r\n", count: 10_000).utf8)
        var fed = 0
        while conn.wantsInput {
            XCTAssertEqual(conn.receive(noop, at: TestWorld.start), [])
            fed += noop.count
        }
        XCTAssertGreaterThanOrEqual(conn.framer.bufferedByteCount, SMTPLimits.maxPendingInput)
        let actions = conn.handle(.deliveryResult(.queued(internalID: 5)), at: TestWorld.start)
        let replies = actions.compactMap { if case .reply(let r) = $0 { r } else { nil } }
        XCTAssertEqual(replies.count, 1 + fed / 6)
        XCTAssertEqual(replies.first?.code, 250)
        XCTAssertTrue(replies.dropFirst().allSatisfy { $0 == .ok })
        XCTAssertEqual(conn.framer.bufferedByteCount, 0)
    }
}
