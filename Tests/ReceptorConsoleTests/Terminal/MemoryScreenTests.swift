import XCTest
import ReceptorConsole

final class MemoryScreenTests: XCTestCase {
    func testStartsBlankWithOneLinePerRow() {
        let screen = MemoryScreen(columns: 10, rows: 3)
        XCTAssertEqual(screen.size, ScreenSize(columns: 10, rows: 3))
        XCTAssertEqual(screen.lines, ["", "", ""])
        XCTAssertEqual(screen.dump(), "\n\n\n")
    }

    func testPutClipsAtEveryEdge() {
        let screen = MemoryScreen(columns: 8, rows: 3)
        screen.put("left edge", row: 0, column: -5, style: .normal)  // "edge" survives
        screen.put("overflowing", row: 1, column: 4, style: .normal)  // "over" survives
        screen.put("above", row: -1, column: 0, style: .normal)
        screen.put("below", row: 3, column: 0, style: .normal)
        screen.put("far right", row: 2, column: 8, style: .normal)
        screen.put("corner", row: 2, column: 7, style: .normal)  // "c" in the bottom-right cell
        XCTAssertEqual(screen.lines, ["edge", "    over", "       c"])
    }

    func testTrailingSpacesAreTrimmedButInnerOnesKept() {
        let screen = MemoryScreen(columns: 20, rows: 1)
        screen.put("a   b     ", row: 0, column: 2, style: .normal)
        XCTAssertEqual(screen.lines, ["  a   b"])
    }

    func testWideCharactersTakeTwoCells() {
        let screen = MemoryScreen(columns: 12, rows: 2)
        screen.put("日本|", row: 0, column: 0, style: .normal)
        screen.put("🙂x", row: 1, column: 3, style: .normal)
        XCTAssertEqual(screen.lines, ["日本|", "   🙂x"])
        XCTAssertTrue(screen.cells[0][1].isContinuation)
        XCTAssertEqual(screen.cells[0][4].character, "|")
        XCTAssertEqual(screen.cells[1][5].character, "x")
    }

    func testWideCharacterThatDoesNotFitIsLeftOut() {
        let screen = MemoryScreen(columns: 5, rows: 1)
        screen.put("abcd日", row: 0, column: 0, style: .normal)
        XCTAssertEqual(screen.lines, ["abcd"])
    }

    func testOverwritingHalfAWideCharacterBlanksTheOtherHalf() {
        let screen = MemoryScreen(columns: 6, rows: 2)
        screen.put("日本語", row: 0, column: 0, style: .normal)
        screen.put("x", row: 0, column: 1, style: .normal)  // second half of 日
        screen.put("y", row: 0, column: 2, style: .normal)  // first half of 本
        XCTAssertEqual(screen.lines[0], " xy 語")
        screen.put("日本", row: 1, column: 0, style: .normal)
        screen.put("語", row: 1, column: 1, style: .normal)  // straddles both
        XCTAssertEqual(screen.lines[1], " 語")
        XCTAssertFalse(screen.cells[1][0].isContinuation)
        XCTAssertTrue(screen.cells[1][2].isContinuation)
        XCTAssertEqual(screen.cells[1][3].character, " ")
        XCTAssertFalse(screen.cells[1][3].isContinuation)
    }

    func testStyledDumpMarksRuns() {
        let screen = MemoryScreen(columns: 24, rows: 3)
        screen.put("Receptor", row: 0, column: 0, style: CellStyle(.title, bold: true))
        screen.put(" Default Frontend ", row: 1, column: 1, style: CellStyle(.selection))
        screen.put("q", row: 2, column: 0, style: CellStyle(.hintKey))
        screen.put(" Quit", row: 2, column: 1, style: CellStyle(.hint))
        screen.put("!", row: 2, column: 7, style: CellStyle(reverse: true, underline: true))
        XCTAssertEqual(
            screen.styledDump(),
            """
            [title,bold:Receptor]
             [selection: Default Frontend ]
            [hintKey:q][hint: Quit] [reverse,underline:!]

            """)
        // The plain dump has the same text without marks.
        XCTAssertEqual(screen.lines, ["Receptor", "  Default Frontend", "q Quit !"])
    }

    func testStyledDumpKeepsAWideCharacterInItsRun() {
        let screen = MemoryScreen(columns: 10, rows: 1)
        screen.put("日本", row: 0, column: 1, style: CellStyle(.error))
        XCTAssertEqual(screen.styledLine(row: 0), " [error:日本]")
    }

    func testASCIIScreenShowsNonASCIIAsQuestionMarks() {
        let screen = MemoryScreen(columns: 20, rows: 1, unicode: false)
        screen.put("café 日本", row: 0, column: 0, style: .normal)
        XCTAssertEqual(screen.lines, ["caf? ??"])
    }

    func testUndrawableCharactersAreSkipped() {
        let screen = MemoryScreen(columns: 10, rows: 1)
        screen.put("a\tb\u{7}c", row: 0, column: 0, style: .normal)
        XCTAssertEqual(screen.lines, ["abc"])
    }

    func testClearCursorAndPresent() {
        let screen = MemoryScreen(columns: 10, rows: 2)
        screen.put("text", row: 0, column: 0, style: CellStyle(.field))
        screen.setCursor(row: 0, column: 4)
        XCTAssertEqual(screen.cursor?.row, 0)
        XCTAssertEqual(screen.cursor?.column, 4)
        screen.present()
        screen.present()
        XCTAssertEqual(screen.presentCount, 2)
        screen.hideCursor()
        XCTAssertNil(screen.cursor)
        screen.clear()
        XCTAssertEqual(screen.lines, ["", ""])
        XCTAssertEqual(screen.style(row: 0, column: 0), .normal)
    }

    func testResizeKeepsWhatFits() {
        let screen = MemoryScreen(columns: 6, rows: 3)
        screen.put("abc日", row: 0, column: 0, style: .normal)
        screen.put("row 2", row: 2, column: 0, style: .normal)
        screen.resize(to: ScreenSize(columns: 4, rows: 2))
        XCTAssertEqual(screen.size, ScreenSize(columns: 4, rows: 2))
        XCTAssertEqual(screen.lines, ["abc", ""])  // 日 cut in half at the new edge
        screen.resize(to: ScreenSize(columns: 8, rows: 3))
        XCTAssertEqual(screen.lines, ["abc", "", ""])
        screen.put("wider", row: 2, column: 3, style: .normal)
        XCTAssertEqual(screen.lines[2], "   wider")
    }

    func testStyleDescriptions() {
        XCTAssertEqual(MemoryScreen.describe(.normal), "normal")
        XCTAssertEqual(MemoryScreen.describe(CellStyle(bold: true)), "bold")
        XCTAssertEqual(MemoryScreen.describe(CellStyle(.focusedButton, reverse: true)), "focusedButton,reverse")
    }
}
