import XCTest
import ReceptorCore
@testable import ReceptorConsole

final class ScopingListScrollTests: XCTestCase {
    /// A connector with more remote ranges than the Scoping tab has rows: moving down the list scrolls it,
    /// so the last entry can be seen and edited at 80×24.
    func testLongRemoteListScrollsWithTheSelection() throws {
        let (app, ds) = try Fixture.app()
        let first = app.visibleConnectors[0].connector.guid
        let index = try XCTUnwrap(ds.connectors.firstIndex { $0.connector.guid == first })
        ds.connectors[index].connector.remoteIPRanges = (1...20).map { try! IPRange(parsing: "10.0.0.\($0)") }
        app.refresh(from: try ds.snapshot())
        _ = app.keys(.enter, .pageDown, .pageDown)  // edit → Security → Scoping
        var screen = app.screenText()
        XCTAssertTrue(screen.contains("10.0.0.1"), screen)
        XCTAssertFalse(screen.contains("10.0.0.20"), "the list is longer than the tab: \(screen)")
        XCTAssertTrue(screen.contains("20 in all"), screen)
        _ = app.keys(.down, .down)  // through the two bindings into the remote list
        for _ in 0..<20 { _ = app.keys(.down) }
        screen = app.screenText()
        XCTAssertTrue(screen.contains(">10.0.0.20"), screen)
        XCTAssertTrue(screen.contains("0 below"), screen)
    }
}
