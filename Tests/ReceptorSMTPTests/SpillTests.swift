import XCTest
import ReceptorCore
@testable import ReceptorSMTP

/// Large DATA bodies leave the engine as they arrive (`SMTPInputFramer.spillThreshold`, `.spillBody`): the
/// kept head plus the spilled bytes are exactly the body an in-memory framer gives, for every chunking, with
/// dot-unstuffing and bare-LF detection unchanged; the session checks and delivers the head, and counts the rest.
final class SpillTests: XCTestCase {
    /// The body (framed in memory), the kept head, the spilled pieces and the message event, for one chunking.
    struct Framed: Equatable {
        var head: [UInt8]
        var spills: [[UInt8]]
        var firsts: [Bool]
        var message: MessageData?
        var after: [SMTPInputFramer.Event]
    }

    static func frame(_ input: [UInt8], chunk: Int, threshold: Int?, spillChunk: Int, maxBody: Int64 = 1_000_000) -> Framed {
        var framer = SMTPInputFramer()
        framer.spillThreshold = threshold
        framer.spillChunk = spillChunk
        var result = Framed(head: [], spills: [], firsts: [], message: nil, after: [])
        framer.append(Array("DATA\r\n".utf8))
        guard case .line? = framer.next() else { XCTFail("no DATA line"); return result }
        framer.beginData(maxBytes: maxBody)
        for piece in input.chunked(chunk) {
            framer.append(piece)
            while let e = framer.next() {
                switch e {
                case .spill(let bytes, let first):
                    XCTAssertNil(result.message, "a spill after the message")
                    result.spills.append(bytes); result.firsts.append(first)
                case .message(let m) where result.message == nil:
                    result.message = m; result.head = m.bytes
                default:
                    result.after.append(e)
                }
            }
        }
        return result
    }

    /// Dots at line starts (stuffed, lone, `.` before bare LF, `.\r` not followed by LF), bare LFs, long and
    /// empty lines: every path of the DATA scanner, then the end and a pipelined command.
    static let body: [UInt8] = {
        var text = "Subject: spill\r\nX-Test: 1\r\n\r\n"
        for i in 0..<40 {
            switch i % 6 {
            case 0: text += "..stuffed \(i)\r\n"
            case 1: text += ".\n"
            case 2: text += "line \(i) " + String(repeating: "y", count: i * 3) + "\r\n"
            case 3: text += ".\rnot the end\r\n"
            case 4: text += "bare \(i)\n.\r\n"
            default: text += "\r\n"
            }
        }
        return Array((text + ".\r\nQUIT\r\n").utf8)
    }()

    func testSpilledBodyEqualsTheInMemoryBodyForEveryChunkSize() {
        let reference = Self.frame(Self.body, chunk: Self.body.count, threshold: nil, spillChunk: 1)
        guard let whole = reference.message else { return XCTFail("no message") }
        XCTAssertTrue(whole.sawBareLineFeed)
        XCTAssertEqual(reference.after, [.line(Array("QUIT".utf8))])
        for (threshold, spillChunk) in [(0, 1), (16, 8), (29, 64), (100, 7)] {
            for chunk in 1...Self.body.count {
                let got = Self.frame(Self.body, chunk: chunk, threshold: threshold, spillChunk: spillChunk)
                guard let m = got.message else { XCTFail("no message at chunk \(chunk)"); return }
                let label = "threshold \(threshold), spill \(spillChunk), chunk \(chunk)"
                XCTAssertEqual(m.bytes + got.spills.flatMap { $0 }, whole.bytes, label)
                XCTAssertEqual(m.bytes.count, threshold, "the head is the first \(threshold) bytes: \(label)")
                XCTAssertEqual(m.spilledByteCount, Int64(got.spills.reduce(0) { $0 + $1.count }), label)
                XCTAssertEqual(m.size, whole.size, label)
                XCTAssertEqual(m.sawBareLineFeed, whole.sawBareLineFeed, label)
                XCTAssertFalse(m.isTruncated, label)
                XCTAssertEqual(got.firsts, [true] + Array(repeating: false, count: max(0, got.spills.count - 1)), label)
                XCTAssertTrue(got.spills.dropLast().allSatisfy { $0.count >= spillChunk }, "pieces of at least spillChunk: \(label)")
                XCTAssertEqual(got.after, reference.after, "input after the body: \(label)")
                if got.message != nil && got.spills.isEmpty { XCTFail("nothing spilled: \(label)") }
            }
        }
    }

    func testABodyBelowTheThresholdStaysInMemoryUnchanged() {
        let reference = Self.frame(Self.body, chunk: Self.body.count, threshold: nil, spillChunk: 1)
        for chunk in [1, 2, 3, 64, Self.body.count] {
            // Under threshold + spillChunk nothing is spilled, however the body arrived.
            let got = Self.frame(Self.body, chunk: chunk, threshold: 1 << 20, spillChunk: 1 << 20)
            XCTAssertEqual(got, reference, "chunk \(chunk)")
        }
    }

    func testAnOversizeSpilledBodyIsTruncatedNotKept() {
        let got = Self.frame(Self.body, chunk: 5, threshold: 16, spillChunk: 8, maxBody: 100)
        guard let m = got.message else { return XCTFail("no message") }
        XCTAssertTrue(m.isTruncated)
        XCTAssertEqual(m.bytes.count + Int(m.spilledByteCount), 100, "no more than maxBytes kept, spilled or not")
    }

    /// Through the session: `.spillBody` actions carry the body past the head; the header section (in the
    /// head) is checked and firewalled; the envelope keeps the head and counts the rest.
    func testTheSessionDeliversTheHeadAndCountsTheSpilledRest() {
        var conn = SMTPConnection(configuration: TestWorld.configuration(TestWorld.defaultFrontend), spillThreshold: 64)
        var actions = conn.start(at: TestWorld.start)
        actions += conn.receive(Array("EHLO x\r\nMAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\nDATA\r\n".utf8), at: TestWorld.start)
        var text = "Subject: big\r\nX-MS-Exchange-Organization-SCL: -1\r\n\r\n"
        for i in 0..<80_000 { text += (i % 3 == 0 ? ".." : "") + "body line \(i)\r\n" }
        let expectedBody = Array(text.replacingOccurrences(of: "\r\n..", with: "\r\n.").utf8)
        let wire = Array((text + ".\r\n").utf8)
        for piece in wire.chunked(65_521) { actions += conn.receive(piece, at: TestWorld.start) }
        var spilled: [UInt8] = []
        var firsts = 0
        var envelope: Envelope?
        for action in actions {
            if case .spillBody(let bytes, let first) = action { spilled += bytes; if first { firsts += 1 } }
            if case .deliver(let e) = action { envelope = e; XCTAssertFalse(spilled.isEmpty, "spills come before the delivery") }
        }
        guard let envelope else { return XCTFail("no delivery: \(actions)") }
        XCTAssertEqual(firsts, 1)
        XCTAssertEqual(envelope.spilledSize, Int64(spilled.count))
        XCTAssertEqual(envelope.size, Int64(expectedBody.count))
        XCTAssertEqual(envelope.strippedHeaders.map { $0.lowercased() }, ["x-ms-exchange-organization-scl"])
        let withoutField = Array(
            String(decoding: expectedBody, as: UTF8.self)
                .replacingOccurrences(of: "X-MS-Exchange-Organization-SCL: -1\r\n", with: "").utf8)
        XCTAssertEqual(envelope.message + spilled, withoutField, "head after the firewall, then the spilled rest")
        XCTAssertTrue(conn.framer.bufferedByteCount == 0)
    }

    /// A header section that goes on past the kept head is refused whatever MaxHeaderSize says: the header
    /// firewall could not see its end (a Received or X-MS-Exchange-Organization field there would pass).
    func testAHeaderSectionLongerThanTheHeadIsRefused() {
        var connector = TestWorld.defaultFrontend
        connector.maxHeaderSize = ByteSize(bytes: 10_000_000)
        var conn = SMTPConnection(configuration: TestWorld.configuration(connector), spillThreshold: 1024)
        _ = conn.start(at: TestWorld.start)
        _ = conn.receive(Array("EHLO x\r\nMAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\nDATA\r\n".utf8), at: TestWorld.start)
        var actions: [SessionAction] = []
        let fields = (0..<60_000).map { "X-Filler-\($0): value\r\n" }.joined()
        let wire = Array((fields + "X-MS-Exchange-Organization-SCL: -1\r\n\r\nbody\r\n.\r\n").utf8)
        for piece in wire.chunked(65_536) { actions += conn.receive(piece, at: TestWorld.start) }
        XCTAssertTrue(actions.contains { if case .spillBody = $0 { true } else { false } })
        XCTAssertTrue(actions.contains(.messageRejected(.headerTooLarge)))
        XCTAssertFalse(actions.contains { if case .deliver = $0 { true } else { false } })
    }

    /// A spilled body past MaxMessageSize is refused like an in-memory one (the spool is the I/O layer's to drop).
    func testASpilledBodyPastMaxMessageSizeIsRefused() {
        var connector = TestWorld.defaultFrontend
        connector.maxMessageSize = ByteSize(bytes: 65536)
        var conn = SMTPConnection(configuration: TestWorld.configuration(connector), spillThreshold: 64)
        _ = conn.start(at: TestWorld.start)
        _ = conn.receive(Array("EHLO x\r\nMAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\nDATA\r\n".utf8), at: TestWorld.start)
        var actions: [SessionAction] = []
        let wire = Array(("Subject: x\r\n\r\n" + String(repeating: "0123456789\r\n", count: 20_000) + ".\r\n").utf8)
        for piece in wire.chunked(1000) { actions += conn.receive(piece, at: TestWorld.start) }
        XCTAssertTrue(actions.contains(.messageRejected(.messageTooLarge)), "\(actions.filter { if case .spillBody = $0 { false } else { true } })")
        XCTAssertFalse(actions.contains { if case .deliver = $0 { true } else { false } })
    }
}
