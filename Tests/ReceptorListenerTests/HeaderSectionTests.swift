import XCTest
import ReceptorControl
@testable import ReceptorListener

/// The header section the monitor lists for an accepted message: the prepended fields, then the message's own
/// up to the empty line, never more than `MessageSummary.maximumHeaderBytes`.
final class HeaderSectionTests: XCTestCase {
    let prepended = Array("Received: from a\r\nX-Receptor-AuthAs: Anonymous\r\n".utf8)

    func section(_ message: String) -> String {
        SMTPSessionHandler.headerSection(prepended: prepended, message: Array(message.utf8))
    }

    func testTheMessagesOwnFieldsUpToTheEmptyLine() {
        XCTAssertEqual(
            section("Subject: hi\r\nFrom: b@c\r\n\r\nbody\r\n"),
            "Received: from a\r\nX-Receptor-AuthAs: Anonymous\r\nSubject: hi\r\nFrom: b@c\r\n")
        XCTAssertEqual(section("\r\nonly a body\r\n"), "Received: from a\r\nX-Receptor-AuthAs: Anonymous\r\n")
        XCTAssertEqual(
            section("Subject: no body, no empty line\r\n"),
            "Received: from a\r\nX-Receptor-AuthAs: Anonymous\r\nSubject: no body, no empty line\r\n")
        XCTAssertEqual(section("Subject: é\r\n\r\n"), "Received: from a\r\nX-Receptor-AuthAs: Anonymous\r\nSubject: é\r\n")
    }

    func testBoundedByTheLimit() {
        let limit = MessageSummary.maximumHeaderBytes
        let long = "X-Long: " + String(repeating: "y", count: limit * 2) + "\r\n\r\nbody"
        let text = section(long)
        XCTAssertEqual(text.utf8.count, limit)
        XCTAssertTrue(text.hasPrefix("Received: from a\r\nX-Receptor-AuthAs: Anonymous\r\nX-Long: yyy"))
        // A prepended part longer than the limit is cut too, and the message adds nothing.
        let huge = Array(String(repeating: "z", count: limit + 10).utf8)
        XCTAssertEqual(SMTPSessionHandler.headerSection(prepended: huge, message: Array("A: b\r\n\r\n".utf8)).utf8.count, limit)
    }
}
