import XCTest
@testable import ReceptorConsole

final class ScriptedInputTests: XCTestCase {
    func testHandsOutEventsInOrderThenNil() {
        let input = ScriptedInput([.down, .enter])
        input.type("ab")
        input.append(.control("s"))
        XCTAssertEqual(input.remaining, [.down, .enter, .character("a"), .character("b"), .control("s")])
        var seen: [KeyEvent] = []
        while let event = input.nextEvent(timeoutMilliseconds: 0) { seen.append(event) }
        XCTAssertEqual(seen, [.down, .enter, .character("a"), .character("b"), .control("s")])
        XCTAssertTrue(input.isEmpty)
        XCTAssertEqual(input.emptyPolls, 1)
        XCTAssertNil(input.nextEvent(timeoutMilliseconds: 1000))
        XCTAssertEqual(input.emptyPolls, 2)
    }

    func testEventDescriptions() {
        let events: [KeyEvent] = [
            .character("x"), .function(5), .control("s"), .resize(ScreenSize(columns: 80, rows: 24)),
            .mouse(row: 3, column: 10), .backTab, .pageDown,
        ]
        XCTAssertEqual(events.map(\.description), ["char(x)", "F5", "ctrl-s", "resize 80x24", "mouse 3,10", "backtab", "pagedown"])
    }
}
