import XCTest
@testable import ReceptorSMTP

/// The framer alone. A tiny "session" decides modes as a real one would: `DATA` starts a body, `BDAT n
/// [LAST]` a chunk; every input is fed in every chunk size and must give the same events.
final class FramerTests: XCTestCase {
    /// Runs the framer over `input` cut into `chunk`-byte pieces, entering DATA/BDAT mode after such lines.
    static func events(_ input: [UInt8], chunk: Int, maxLine: Int = 2048, maxBody: Int64 = 1_000_000) -> [SMTPInputFramer.Event] {
        var framer = SMTPInputFramer(maxLineLength: maxLine)
        var events: [SMTPInputFramer.Event] = []
        for piece in input.chunked(chunk) {
            // Odd sizes feed slices (the generic path), even ones arrays (adopted when nothing is pending):
            // every size must give the same events, so both paths are held to each other.
            if chunk % 2 == 0 { framer.append(Array(piece)) } else { framer.append(piece) }
            while let e = framer.next() {
                events.append(e)
                if case .line(let bytes) = e {
                    let text = String(decoding: bytes, as: UTF8.self).uppercased()
                    if text == "DATA" { framer.beginData(maxBytes: maxBody) }
                    let words = text.split(separator: " ")
                    if words.first == "BDAT", words.count >= 2, let n = Int64(words[1]) {
                        framer.beginChunk(size: n, last: words.count == 3, maxBytes: maxBody)
                    }
                }
            }
        }
        return events
    }

    /// The events, checked to be identical for every chunk size 1…input.count.
    static func invariantEvents(
        _ text: String, maxLine: Int = 2048, maxBody: Int64 = 1_000_000,
        file: StaticString = #filePath, line: UInt = #line
    ) -> [SMTPInputFramer.Event] {
        let input = Transcript.unescape(text)
        let reference = events(input, chunk: max(1, input.count), maxLine: maxLine, maxBody: maxBody)
        for size in 1...max(1, input.count) {
            let got = events(input, chunk: size, maxLine: maxLine, maxBody: maxBody)
            if got != reference {
                XCTFail("chunk size \(size) gives \(got), whole input gives \(reference)", file: file, line: line)
                break
            }
        }
        return reference
    }

    static func line(_ s: String) -> SMTPInputFramer.Event { .line(Array(s.utf8)) }

    func testLinesWithCRLFAndBareLF() {
        let e = Self.invariantEvents("EHLO a\\r\\nNOOP\\nRSET\\r\\n\\r\\nQUIT")
        XCTAssertEqual(e, [Self.line("EHLO a"), Self.line("NOOP"), Self.line("RSET"), Self.line("")])
    }

    func testBareCRIsContentNotATerminator() {
        XCTAssertEqual(Self.invariantEvents("NO\\rOP\\r\\n"), [.line([78, 79, 13, 79, 80])])
    }

    func testNULBytesArePassedToTheParser() {
        XCTAssertEqual(Self.invariantEvents("HE\\0LO\\r\\n"), [.line([72, 69, 0, 76, 79])])
    }

    func testLineAtTheLimitIsKeptAndOneByteMoreIsDropped() {
        let ok = String(repeating: "a", count: 10)
        XCTAssertEqual(Self.invariantEvents(ok + "\\r\\n", maxLine: 10), [Self.line(ok)])
        XCTAssertEqual(Self.invariantEvents(ok + "\\n", maxLine: 10), [Self.line(ok)])
        XCTAssertEqual(Self.invariantEvents(ok + "b\\r\\nNOOP\\r\\n", maxLine: 10), [.lineTooLong(length: 11), Self.line("NOOP")])
        XCTAssertEqual(Self.invariantEvents(ok + "b\\nNOOP\\n", maxLine: 10), [.lineTooLong(length: 11), Self.line("NOOP")])
    }

    func testOverlongLineIsNeverBuffered() {
        var framer = SMTPInputFramer(maxLineLength: 2048)
        for _ in 0..<1000 {
            framer.append([UInt8](repeating: 65, count: 1000))
            XCTAssertNil(framer.next())
            XCTAssertLessThan(framer.bufferedByteCount, 2100)
        }
        framer.append(Array("\r\nNOOP\r\n".utf8))
        XCTAssertEqual(framer.next(), .lineTooLong(length: 1_000_000))
        XCTAssertEqual(framer.next(), Self.line("NOOP"))
        XCTAssertNil(framer.next())
        XCTAssertEqual(framer.bufferedByteCount, 0)
    }

    func testDataUnstuffsAndEndsAtCRLFDotCRLF() {
        let e = Self.invariantEvents("DATA\\r\\nSubject: x\\r\\n\\r\\n..dot\\r\\n.\\r\\nQUIT\\r\\n")
        XCTAssertEqual(
            e,
            [
                Self.line("DATA"),
                .message(MessageData(kind: .data, bytes: Array("Subject: x\r\n\r\n.dot\r\n".utf8), size: 20)),
                Self.line("QUIT"),
            ])
    }

    func testEmptyBody() {
        XCTAssertEqual(
            Self.invariantEvents("DATA\\r\\n.\\r\\n"),
            [Self.line("DATA"), .message(MessageData(kind: .data, bytes: [], size: 0))])
    }

    func testBareLFInDataIsReportedAndNeverEndsTheMessage() {
        // "\n.\n", "\n.\r\n" and "\r\n.\n" are content: only CRLF . CRLF ends DATA (no SMTP smuggling).
        let e = Self.invariantEvents("DATA\\r\\na\\n.\\nb\\n.\\r\\nc\\r\\n.\\nd\\r\\n.\\r\\n")
        XCTAssertEqual(e.count, 2)
        guard case .message(let m) = e[1] else { return XCTFail() }
        XCTAssertTrue(m.sawBareLineFeed)
        XCTAssertEqual(String(decoding: m.bytes, as: UTF8.self), "a\n.\nb\n.\r\nc\r\n.\nd\r\n")
    }

    func testDotFollowedByBareCR() {
        let e = Self.invariantEvents("DATA\\r\\n.\\rx\\r\\n.\\r\\n")
        guard case .message(let m) = e[1] else { return XCTFail() }
        XCTAssertEqual(m.bytes, Array("\rx\r\n".utf8))
        XCTAssertFalse(m.sawBareLineFeed)
    }

    func testOversizeBodyIsCountedNotKept() {
        let body = String(repeating: "0123456789\\r\\n", count: 10)  // 120 bytes
        let e = Self.invariantEvents("DATA\\r\\n" + body + ".\\r\\nNOOP\\r\\n", maxBody: 50)
        guard case .message(let m) = e[1] else { return XCTFail() }
        XCTAssertEqual(m.size, 120)
        XCTAssertEqual(m.bytes.count, 50)
        XCTAssertTrue(m.isTruncated)
        XCTAssertEqual(e[2], Self.line("NOOP"))
    }

    func testBDATTakesExactlyNBytes() {
        let e = Self.invariantEvents("BDAT 5\\r\\nQUIT\\nBDAT 0 LAST\\r\\nNOOP\\r\\n")
        XCTAssertEqual(
            e,
            [
                Self.line("BDAT 5"), .message(MessageData(kind: .chunk(last: false), bytes: Array("QUIT\n".utf8), size: 5)),
                Self.line("BDAT 0 LAST"), .message(MessageData(kind: .chunk(last: true), bytes: [], size: 0)),
                Self.line("NOOP"),
            ])
    }

    func testBDATKeepsAtMostItsMaximum() {
        let e = Self.invariantEvents("BDAT 10 LAST\\r\\n0123456789NOOP\\r\\n", maxBody: 4)
        XCTAssertEqual(e[1], .message(MessageData(kind: .chunk(last: true), bytes: Array("0123".utf8), size: 10)))
        XCTAssertEqual(e[2], Self.line("NOOP"))
    }

    func testDiscardBufferedInput() {
        var f = SMTPInputFramer()
        f.append(Array("STARTTLS\r\nMAIL FROM:<a@b>\r\npartial".utf8))
        XCTAssertEqual(f.next(), Self.line("STARTTLS"))
        XCTAssertEqual(f.discardBufferedInput(), 24)
        XCTAssertNil(f.next())
        f.append(Array("EHLO x\r\n".utf8))
        XCTAssertEqual(f.next(), Self.line("EHLO x"))
    }

    func testLargeBodyInSmallPiecesStaysLinear() {
        var f = SMTPInputFramer()
        f.append(Array("DATA\r\n".utf8))
        XCTAssertEqual(f.next(), Self.line("DATA"))
        f.beginData(maxBytes: 10_000_000)
        let line = Array("x".utf8) + Array(repeating: 65, count: 70) + [13, 10]
        for _ in 0..<50_000 { f.append(line); XCTAssertNil(f.next()) }
        f.append(Array(".\r\n".utf8))
        guard case .message(let m)? = f.next() else { return XCTFail() }
        XCTAssertEqual(m.size, Int64(50_000 * line.count))
        XCTAssertEqual(f.bufferedByteCount, 0)
    }
}
