import XCTest
import ReceptorConsole

final class CellWidthTests: XCTestCase {
    func testWidthsOfCharacters() {
        XCTAssertEqual(CellWidth.of("a" as Character), 1)
        XCTAssertEqual(CellWidth.of("é" as Character), 1)  // precomposed
        XCTAssertEqual(CellWidth.of("e\u{301}" as Character), 1)  // e + combining acute: one cluster
        XCTAssertEqual(CellWidth.of("─" as Character), 1)
        XCTAssertEqual(CellWidth.of("日" as Character), 2)
        XCTAssertEqual(CellWidth.of("한" as Character), 2)
        XCTAssertEqual(CellWidth.of("カ" as Character), 2)
        XCTAssertEqual(CellWidth.of("ｶ" as Character), 1)  // halfwidth katakana
        XCTAssertEqual(CellWidth.of("Ａ" as Character), 2)  // fullwidth A
        XCTAssertEqual(CellWidth.of("　" as Character), 2)  // ideographic space
        XCTAssertEqual(CellWidth.of("🙂" as Character), 2)
        XCTAssertEqual(CellWidth.of("☺\u{FE0F}" as Character), 2)  // emoji presentation selector
        XCTAssertEqual(CellWidth.of("☺" as Character), 1)  // text presentation by default
        XCTAssertEqual(CellWidth.of("🇩🇪" as Character), 2)
        XCTAssertEqual(CellWidth.of("👩‍💻" as Character), 2)  // ZWJ sequence
    }

    func testUndrawableCharactersTakeNoCell() {
        XCTAssertEqual(CellWidth.of("\u{7}" as Character), 0)
        XCTAssertEqual(CellWidth.of("\t" as Character), 0)
        XCTAssertEqual(CellWidth.of("\u{200B}" as Character), 0)  // zero-width space
        XCTAssertEqual(CellWidth.of("\u{301}" as Character), 0)  // a stray combining mark
        XCTAssertEqual(CellWidth.of("\u{85}" as Character), 0)  // C1 control
    }

    func testWidthOfStrings() {
        XCTAssertEqual(CellWidth.of("Default Frontend"), 16)
        XCTAssertEqual(CellWidth.of("日本語 ok"), 9)
        XCTAssertEqual(CellWidth.of("日本語 ok", unicode: false), 6)  // "??? ok"
    }

    func testLayoutClipsWholeCharacters() {
        let placements = CellWidth.layout("a日b", column: -1, columns: 3, unicode: true)
        // "a" at -1 is cut; "日" at 0–1; "b" at 2.
        XCTAssertEqual(placements.map(\.column), [0, 2])
        XCTAssertEqual(placements.map(\.character), ["日", "b"])

        // A wide character half outside either edge is left out.
        XCTAssertEqual(CellWidth.layout("日x", column: -1, columns: 5, unicode: true).map(\.character), ["x"])
        XCTAssertEqual(CellWidth.layout("ab日", column: 0, columns: 3, unicode: true).map(\.character), ["a", "b"])
    }

    func testPrefixKeepsWholeCharacters() {
        XCTAssertEqual(CellWidth.prefix("日本語", width: 5), "日本")
        XCTAssertEqual(CellWidth.prefix("abc", width: 10), "abc")
        XCTAssertEqual(CellWidth.prefix("abc", width: 0), "")
    }
}
