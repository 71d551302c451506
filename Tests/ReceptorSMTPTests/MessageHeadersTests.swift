import XCTest
@testable import ReceptorSMTP

/// The header scanner and field values, on bytes (they run for every accepted message).
final class MessageHeadersTests: XCTestCase {
    func testFieldsValuesAndTheEndOfTheHeaderSection() {
        let text =
            "Received: from a.test\r\n\tby b.test; Sun, 29 Nov 2026 12:00:00 +0000\r\n"
            + "Message-ID:\r\n   <m1@fabrikam.test>  \r\nSubject: \t\r\nX-Odd: caf\u{e9}\n\r\nbody: not a field\r\n"
        let bytes = Array(text.utf8)
        let headers = MessageHeaders(scanning: bytes)
        XCTAssertEqual(headers.fields.map(\.name), ["received", "message-id", "subject", "x-odd"])
        XCTAssertEqual(headers.size, text.utf8.count - "\r\nbody: not a field\r\n".utf8.count)
        let value = { (name: String) in headers.value(of: headers.fields(named: name)[0], in: bytes) }
        XCTAssertEqual(value("Received"), "from a.test\tby b.test; Sun, 29 Nov 2026 12:00:00 +0000", "unfolded, the fold's tab kept")
        XCTAssertEqual(value("message-id"), "<m1@fabrikam.test>", "folded onto the next line, trimmed")
        XCTAssertEqual(value("subject"), "", "blank")
        XCTAssertEqual(value("x-odd"), "caf\u{e9}", "UTF-8 and a bare LF line end")
    }
}
