import XCTest

@testable import EMSLanguage

final class WildcardTests: XCTestCase {
    private func like(_ text: String, _ pattern: String, caseSensitive: Bool = false) throws -> Bool {
        try WildcardPattern(pattern, caseSensitive: caseSensitive).matches(text)
    }

    func testStarAndQuestionMark() throws {
        XCTAssertTrue(try like("", "*"))
        XCTAssertTrue(try like("abc", "*"))
        XCTAssertTrue(try like("abc", "a*c"))
        XCTAssertTrue(try like("abbbc", "a*b*c"))
        XCTAssertFalse(try like("abc", "a*d"))
        XCTAssertTrue(try like("abc", "a?c"))
        XCTAssertFalse(try like("ac", "a?c"))
        XCTAssertFalse(try like("abcd", "abc"))  // whole-string match
        XCTAssertTrue(try like("AnonymousUsers, ExchangeUsers", "*AnonymousUsers*"))
        XCTAssertTrue(try like("mississippi", "*sip*"))
        XCTAssertTrue(try like("aaa", "a**a"))
    }

    func testCharacterSetsAndRanges() throws {
        XCTAssertTrue(try like("b", "[abc]"))
        XCTAssertFalse(try like("d", "[abc]"))
        XCTAssertTrue(try like("Server7", "Server[0-9]"))
        XCTAssertFalse(try like("ServerX", "Server[0-9]"))
        XCTAssertTrue(try like("x-1", "x[-_]1"))
        XCTAssertTrue(try like("Q", "[a-z]"))
        XCTAssertFalse(try like("Q", "[a-z]", caseSensitive: true))
        XCTAssertThrowsError(try WildcardPattern("[abc"))
    }

    func testBacktickEscapes() throws {
        XCTAssertTrue(try like("a*b", "a`*b"))
        XCTAssertFalse(try like("aXb", "a`*b"))
        XCTAssertTrue(try like("[x]", "`[x`]"))
        XCTAssertTrue(try like("what?", "what`?"))
    }

    func testCaseSensitivity() throws {
        XCTAssertTrue(try like("Relay", "relay"))
        XCTAssertFalse(try like("Relay", "relay", caseSensitive: true))
        XCTAssertTrue(WildcardPattern.hasWildcards("Na*"))
        XCTAssertFalse(WildcardPattern.hasWildcards("Name"))
    }
}
