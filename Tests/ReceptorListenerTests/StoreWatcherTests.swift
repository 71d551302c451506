import Foundation
import NIOConcurrencyHelpers
import XCTest
@testable import ReceptorListener

/// The store watcher wakes the listener on writes to the store and its WAL, and `stop()` ends its thread
/// (closing the inotify descriptor from `stop()` never woke a thread blocked in `read`).
final class StoreWatcherTests: XCTestCase {
    func testWakesOnTheStoreAndItsWALAndStopEndsTheThread() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let changes = NIOLockedValueBox(0)
        let watcher = StoreWatcher(storePath: folder + "/receptor.sqlite")
        XCTAssertTrue(watcher.start { changes.withLockedValue { $0 += 1 } })
        XCTAssertTrue(watcher.isWatching)

        func changesAfterWriting(_ name: String) -> Int {
            let before = changes.withLockedValue { $0 }
            _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("x".utf8))
            let deadline = Date().addingTimeInterval(10)
            while changes.withLockedValue({ $0 }) == before && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            return changes.withLockedValue { $0 } - before
        }
        XCTAssertGreaterThan(changesAfterWriting("receptor.sqlite"), 0, "a write to the store wakes the listener")
        XCTAssertGreaterThan(changesAfterWriting("receptor.sqlite-wal"), 0, "so does one to its WAL")

        watcher.stop()
        let deadline = Date().addingTimeInterval(10)
        while watcher.isWatching && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertFalse(watcher.isWatching, "stop() ends the thread, which closes its descriptors")
        XCTAssertFalse(watcher.start {}, "a stopped watcher stays stopped")
    }
}
