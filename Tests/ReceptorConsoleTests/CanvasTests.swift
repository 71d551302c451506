import XCTest
@testable import ReceptorConsole

/// Text is measured in terminal cells, not characters: wide characters take two, so columns stay aligned;
/// without Unicode the console's typographic characters become ASCII look-alikes of the same width.
final class CanvasTests: XCTestCase {
    /// A text that fits is given back whole; spaces at the ends or doubled, and line breaks, go through the
    /// word wrap (which drops and joins them) whether the text fits or not.
    func testWrapGivesBackWhatFitsAndNormalizesTheRest() {
        XCTAssertEqual(Canvas.wrap("MBX01\\Relay 7 — RemoteRangeDoesNotMatch", 60), ["MBX01\\Relay 7 — RemoteRangeDoesNotMatch"])
        XCTAssertEqual(Canvas.wrap("", 5), [""])
        XCTAssertEqual(Canvas.wrap("a  b", 10), ["a b"])
        XCTAssertEqual(Canvas.wrap(" a", 10), ["a"])
        XCTAssertEqual(Canvas.wrap("a ", 10), ["a"])
        XCTAssertEqual(Canvas.wrap("a\nb", 10), ["a", "b"])
        XCTAssertEqual(Canvas.wrap("abc def", 5), ["abc", "def"])
        XCTAssertEqual(Canvas.wrap("abc def", 7), ["abc def"])
        XCTAssertEqual(Canvas.wrap("受信 コネクタ", 8), ["受信 コネクタ"], "eight characters fit in eight, as before (wrap counts characters)")
    }

    func testFitAndPadCountCells() {
        XCTAssertEqual(Canvas.fit("受信コネクタ", 6), "受信…")  // 2+2+1 cells, never half a character
        XCTAssertEqual(CellWidth.of(Canvas.fit("受信コネクタ", 6)), 5)
        XCTAssertEqual(Canvas.pad("受信", 6), "受信  ")
        XCTAssertEqual(Canvas.pad("Relay", 6), "Relay ")
        XCTAssertEqual(Canvas.fit("Default Frontend", 8), "Default…")
    }

    func testColumnsStayAlignedWithWideNames() {
        let screen = MemoryScreen(columns: 30, rows: 2)
        let canvas = Canvas(screen: screen)
        canvas.text(Canvas.pad("受信コネクタ東京", 12) + "|", row: 0, column: 0)
        canvas.text(Canvas.pad("Tokyo relay", 12) + "|", row: 1, column: 0)
        XCTAssertEqual(screen.cells[0][12].character, "|", "the wide name takes 12 cells:\n\(screen.dump())")
        XCTAssertEqual(screen.cells[1][12].character, "|")
        XCTAssertEqual(CellWidth.of(Canvas.pad("受信コネクタ東京", 12)), 12)
    }

    func testASCIIFallback() {
        let screen = MemoryScreen(columns: 40, rows: 1, unicode: false)
        let canvas = Canvas(screen: screen)
        canvas.text("Mail flow › Receive connectors × 2 …", row: 0, column: 0)
        XCTAssertEqual(screen.text(row: 0).trimmingCharacters(in: .whitespaces), "Mail flow > Receive connectors x 2 ~")
        let cut = MemoryScreen(columns: 10, rows: 1, unicode: false)
        Canvas(screen: cut).text("Outbound Proxy Frontend", row: 0, column: 0)
        XCTAssertEqual(cut.text(row: 0), "Outbound ~")
    }
}
