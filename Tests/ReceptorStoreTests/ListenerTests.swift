import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorStore

final class ListenerTests: StoreTestCase {
    func testRegisterHeartbeatUnregisterLeaveTheGenerationAlone() throws {
        let store = try seededStore()
        let started = Date(timeIntervalSince1970: 1_760_000_000.123)
        let registration = ListenerRegistration(id: "listener-1", server: "MBX01", pid: 4242, host: "mbx01",
                                                controlSocket: "/var/lib/receptor/listener-1.sock",
                                                startedAt: started, heartbeatAt: started)
        try store.registerListener(registration)
        XCTAssertEqual(try store.listeners(), [registration])

        // Another process sees the heartbeat.
        let other = try SQLiteConfigStore.open(path: storePath, create: false)
        try store.heartbeat(listenerID: "listener-1", statusJSON: #"{"bindings":[{"binding":"0.0.0.0:25","state":"listening"}]}"#)
        let seen = try XCTUnwrap(try other.listeners().first)
        XCTAssertEqual(seen.statusJSON, #"{"bindings":[{"binding":"0.0.0.0:25","state":"listening"}]}"#)
        XCTAssertGreaterThan(seen.heartbeatAt, started)
        XCTAssertEqual(seen.startedAt, started)

        // Re-registering the same id replaces the row.
        var again = registration
        again.pid = 4343
        again.heartbeatAt = Date()
        try store.registerListener(again)
        XCTAssertEqual(try store.listeners().map(\.pid), [4343])

        try store.registerListener(ListenerRegistration(id: "listener-2", server: "MBX01", pid: 1, host: "mbx01", controlSocket: "/s2",
                                                        startedAt: started.addingTimeInterval(1), heartbeatAt: started.addingTimeInterval(1)))
        XCTAssertEqual(try store.pruneListeners(heartbeatBefore: started.addingTimeInterval(2)), 1)
        XCTAssertEqual(try store.listeners().map(\.id), ["listener-1"])

        try store.unregisterListener(id: "listener-1")
        try store.unregisterListener(id: "listener-1") // twice is fine
        XCTAssertEqual(try store.listeners(), [])
        guard case .notFound = storeError({ try store.heartbeat(listenerID: "listener-1", statusJSON: "{}") }) else { return XCTFail() }

        XCTAssertEqual(try store.generation(), 1)
        XCTAssertEqual(try store.changes(since: 1), [])
    }
}
