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

    // MARK: BDAT

    /// Sends `message` in BDAT chunks of the given sizes (the last with LAST), each chunk's bytes split into
    /// reads of `read` bytes; returns every action.
    static func sendInChunks(
        _ message: [UInt8], chunkSizes: [Int], read: Int, on conn: inout SMTPConnection
    ) -> [SessionAction] {
        var actions: [SessionAction] = []
        var offset = 0
        for (i, size) in chunkSizes.enumerated() {
            let last = i == chunkSizes.count - 1
            let command = Array("BDAT \(size)\(last ? " LAST" : "")\r\n".utf8)
            let wire = command + Array(message[offset..<(offset + size)])
            offset += size
            for piece in wire.chunked(read) { actions += conn.receive(piece, at: TestWorld.start) }
        }
        return actions
    }

    static let chunkedMessage: [UInt8] = {
        var text = "Subject: chunks\r\nX-MS-Exchange-Organization-SCL: -1\r\n\r\n"
        for i in 0..<3000 { text += "line \(i) of a message sent in BDAT chunks\r\n" }
        return Array(text.utf8)
    }()

    /// A message sent in BDAT chunks spills past the threshold as a DATA body does, across chunk boundaries
    /// and inside one chunk: the head after the header firewall plus the spilled pieces are the message, the
    /// first piece alone says `first`, and the envelope counts the spilled rest.
    func testAMessageInChunksSpillsPastTheThreshold() {
        let message = Self.chunkedMessage
        let stripped = Array(
            String(decoding: message, as: UTF8.self).replacingOccurrences(of: "X-MS-Exchange-Organization-SCL: -1\r\n", with: "").utf8)
        let n = message.count
        for (threshold, chunkSizes, read) in [
            (1024, [n], 4096), (1024, [100, 2000, n - 2100], 777), (64, [10, 20, 30, n - 60], 1), (4096, [3000, 1096, n - 4096], 65536),
            (100_000_000, [n / 2, n - n / 2], 1000),
        ] {
            var conn = SMTPConnection(configuration: TestWorld.configuration(TestWorld.defaultFrontend), spillThreshold: threshold)
            _ = conn.start(at: TestWorld.start)
            _ = conn.receive(Array("EHLO x\r\nMAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\n".utf8), at: TestWorld.start)
            let actions = Self.sendInChunks(message, chunkSizes: chunkSizes, read: read, on: &conn)
            let label = "threshold \(threshold), chunks \(chunkSizes), reads of \(read)"
            var spilled: [UInt8] = []
            var firsts: [Bool] = []
            var envelope: Envelope?
            for action in actions {
                if case .spillBody(let bytes, let first) = action {
                    XCTAssertNil(envelope, "a spill after the delivery: \(label)")
                    spilled += bytes; firsts.append(first)
                }
                if case .deliver(let e) = action { envelope = e }
            }
            guard let envelope else { XCTFail("no delivery: \(label)"); continue }
            XCTAssertEqual(envelope.size, Int64(n), label)
            XCTAssertEqual(envelope.spilledSize, Int64(spilled.count), label)
            XCTAssertEqual(envelope.message + spilled, stripped, label)
            XCTAssertLessThanOrEqual(envelope.message.count, threshold, "the head in memory: \(label)")
            XCTAssertEqual(firsts, spilled.isEmpty ? [] : [true] + Array(repeating: false, count: firsts.count - 1), label)
            XCTAssertEqual(spilled.isEmpty, threshold >= n, "spilled only past the threshold: \(label)")
            XCTAssertEqual(conn.framer.bufferedByteCount, 0, label)
        }
    }

    /// One BDAT chunk of 20 MB never sits in memory: a session reading it holds the head and at most a spill
    /// piece and a read at any time.
    func testOneLargeChunkIsNotHeldInMemory() {
        var conn = SMTPConnection(configuration: TestWorld.configuration(TestWorld.defaultFrontend), spillThreshold: 1 << 20)
        _ = conn.start(at: TestWorld.start)
        _ = conn.receive(Array("EHLO x\r\nMAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\n".utf8), at: TestWorld.start)
        let size = 20 << 20
        _ = conn.receive(Array("BDAT \(size) LAST\r\nSubject: large\r\n\r\n".utf8), at: TestWorld.start)
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 65_536)
        var sent = "Subject: large\r\n\r\n".utf8.count
        var spilled = 0
        var delivered: Envelope?
        while sent < size {
            let part = piece.prefix(min(piece.count, size - sent))
            sent += part.count
            for action in conn.receive(part, at: TestWorld.start) {
                if case .spillBody(let bytes, _) = action { spilled += bytes.count }
                if case .deliver(let e) = action { delivered = e }
            }
            XCTAssertLessThan(conn.framer.bufferedByteCount, 1 << 17, "unread input stays small")
        }
        guard let delivered else { return XCTFail("no delivery") }
        XCTAssertEqual(delivered.message.count, 1 << 20, "only the head stays in memory")
        XCTAssertEqual(Int(delivered.spilledSize), spilled)
        XCTAssertEqual(delivered.message.count + spilled, size)
    }

    /// Past MaxMessageSize a chunked message is refused and the I/O layer told to drop its spool; the next
    /// message of the session starts a new spool (`first`).
    func testAChunkedMessagePastMaxMessageSizeIsRefusedAndTheNextStartsAfresh() {
        var connector = TestWorld.defaultFrontend
        connector.maxMessageSize = ByteSize(bytes: 4096)
        var conn = SMTPConnection(configuration: TestWorld.configuration(connector), spillThreshold: 64)
        _ = conn.start(at: TestWorld.start)
        _ = conn.receive(Array("EHLO x\r\nMAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\n".utf8), at: TestWorld.start)
        let message = Self.chunkedMessage
        var actions = Self.sendInChunks(Array(message.prefix(6000)), chunkSizes: [3000, 3000], read: 500, on: &conn)
        XCTAssertTrue(actions.contains(.messageRejected(.messageTooLarge)))
        XCTAssertFalse(actions.contains { if case .deliver = $0 { true } else { false } })
        actions = conn.receive(Array("MAIL FROM:<a@fabrikam.com>\r\nRCPT TO:<kate@contoso.test>\r\n".utf8), at: TestWorld.start)
        actions += Self.sendInChunks(Array(message.prefix(2000)), chunkSizes: [1000, 1000], read: 300, on: &conn)
        let firsts = actions.compactMap { if case .spillBody(_, let first) = $0 { first } else { nil } }
        XCTAssertEqual(firsts.first, true, "the second message's spool starts afresh")
        XCTAssertEqual(firsts.filter { $0 }.count, 1)
        XCTAssertTrue(actions.contains { if case .deliver(let e) = $0 { e.size == 2000 } else { false } })
    }
}
