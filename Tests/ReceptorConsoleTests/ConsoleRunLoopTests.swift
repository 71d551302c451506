import XCTest
@testable import ReceptorConsole
import ReceptorCore

/// The console's main loop, driven headless: a scripted keyboard, the memory screen, a fake store and a
/// pinned clock.
final class ConsoleRunLoopTests: XCTestCase {
    func testRunsAScriptOnTheMemoryScreenUntilQuit() throws {
        let (app, ds) = try Fixture.app()
        let screen = MemoryScreen(columns: 80, rows: 24)
        let input = ScriptedInput([.down, .down, .character(" "), .character("y"), .character("l"), .character("u")])
        input.type("q")
        var performed: [ConsoleEffect] = []
        let loop = ConsoleRunLoop(app: app, screen: screen, input: input) { performed.append($0) }
        loop.run()
        XCTAssertTrue(loop.finished)
        XCTAssertTrue(input.isEmpty, "the loop read the script to its end")
        XCTAssertEqual(screen.presentCount, 7, "a frame before each of the seven keys")
        // Space asked first (Default Frontend's traffic would go to no connector) and y disabled it (the third
        // row) in the store; l asked for a listener; u (no usage
        // source here) rang the bell: the loop hands both to its effect handler, in order.
        XCTAssertEqual(ds.writes, 1)
        XCTAssertFalse(ds.connectors.first { $0.connector.name == "Default Frontend MBX01" }!.connector.enabled)
        XCTAssertEqual(performed, [.startListener(server: "MBX01"), .bell])
        XCTAssertTrue(screen.dump().contains("Usage is unavailable: this console has no usage source."), screen.dump())
        XCTAssertFalse(loop.step(), "no turn after quit")
    }

    func testAChangeElsewhereShowsAtTheNextTurnAndListenersEverySecond() throws {
        let (app, ds) = try Fixture.app()
        let screen = MemoryScreen(columns: 80, rows: 24)
        let input = ScriptedInput()
        var clock = Date(timeIntervalSince1970: 1_800_000_000)
        let loop = ConsoleRunLoop(app: app, screen: screen, input: input, now: { clock }) { _ in }
        XCTAssertTrue(loop.step())
        ds.outsideChange("Client Proxy MBX01") { $0.enabled = false }
        XCTAssertTrue(loop.step())  // no key: the turn ends with the poll, which sees the new generation
        XCTAssertTrue(loop.step())
        XCTAssertTrue(screen.dump().contains("Disabled"), screen.dump())
        // A listener appears without a configuration change: seen once a second has passed, not before.
        ds.listeners = [ListenerStatus(server: "MBX01", bindings: ["0.0.0.0:25": .listening])]
        clock += 0.5
        loop.step(); loop.step()
        XCTAssertTrue(screen.dump().contains("No listener is running for MBX01"), screen.dump())
        clock += 0.6
        loop.step(); loop.step()
        XCTAssertTrue(screen.dump().contains("Listener running for MBX01"), screen.dump())
        XCTAssertEqual(input.emptyPolls, 7)
    }
}
