import XCTest
import ReceptorConsole

final class BoxDrawingTests: XCTestCase {
    func testUnicodeSets() {
        let light = BoxDrawing(unicode: true)
        XCTAssertEqual(
            String([
                light.horizontal, light.vertical, light.topLeft, light.topRight, light.bottomLeft,
                light.bottomRight, light.leftTee, light.rightTee, light.topTee, light.bottomTee,
                light.cross,
            ]), "─│┌┐└┘├┤┬┴┼")
        let double = BoxDrawing(unicode: true, weight: .double)
        XCTAssertEqual(double.top(width: 4) + double.bottom(width: 4), "╔══╗╚══╝")
        XCTAssertEqual(String(double.vertical), "║")
        let heavy = BoxDrawing(unicode: true, weight: .heavy)
        XCTAssertEqual(heavy.top(width: 4) + heavy.divider(width: 4) + String(heavy.cross), "┏━━┓┣━━┫╋")
    }

    func testASCIISets() {
        let light = BoxDrawing(unicode: false)
        XCTAssertEqual(light.top(width: 5), "+---+")
        XCTAssertEqual(light.divider(width: 5), "+---+")
        XCTAssertEqual(String(light.vertical), "|")
        XCTAssertEqual(String(light.cross), "+")
        let focused = BoxDrawing(unicode: false, weight: .double)
        XCTAssertEqual(focused.top(width: 5), "+===+")
        XCTAssertEqual(BoxDrawing(unicode: false, weight: .heavy), focused)
    }

    func testEdgesOfTinyWidths() {
        let box = BoxDrawing(unicode: true)
        XCTAssertEqual(box.top(width: 0), "")
        XCTAssertEqual(box.top(width: 1), "─")
        XCTAssertEqual(box.top(width: 2), "┌┐")
        XCTAssertEqual(box.horizontalLine(-3), "")
    }

    func testSetFollowsTheScreen() {
        XCTAssertEqual(BoxDrawing.for(MemoryScreen(unicode: true)), BoxDrawing(unicode: true))
        XCTAssertEqual(BoxDrawing.for(MemoryScreen(unicode: false), weight: .double), BoxDrawing(unicode: false, weight: .double))
    }

    func testDrawBoxUnicodeAndASCII() {
        let unicode = MemoryScreen(columns: 16, rows: 5)
        unicode.drawBox(row: 0, column: 1, height: 4, width: 14, title: "Bindings")
        unicode.drawBox(row: 1, column: 3, height: 2, width: 4, weight: .double)
        XCTAssertEqual(
            unicode.dump(),
            """
             ┌ Bindings ──┐
             │ ╔══╗       │
             │ ╚══╝       │
             └────────────┘


            """)
        let ascii = MemoryScreen(columns: 16, rows: 5, unicode: false)
        ascii.drawBox(row: 0, column: 1, height: 4, width: 14, title: "Bindings")
        ascii.drawBox(row: 1, column: 3, height: 2, width: 4, weight: .double)
        XCTAssertEqual(
            ascii.dump(),
            """
             + Bindings --+
             | +==+       |
             | +==+       |
             +------------+


            """)
    }

    func testDrawBoxStylesAndClipping() {
        let screen = MemoryScreen(columns: 6, rows: 3)
        // A box running off the right and bottom edges; its title is cut to the box, then to the screen.
        screen.drawBox(row: 1, column: 2, height: 4, width: 8, title: "A long title")
        XCTAssertEqual(screen.styledDump(), "\n  [border:┌ A ]\n  [border:│]\n")
        XCTAssertEqual(screen.lines, ["", "  ┌ A", "  │"])
    }
}
