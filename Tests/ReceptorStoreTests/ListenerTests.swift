import Foundation
import GRDB
import XCTest
import ReceptorCore
@testable import ReceptorStore

final class ListenerTests: StoreTestCase {
    func testRegisterHeartbeatUnregisterLeaveTheGenerationAlone() throws {
        let store = try seededStore()
        let started = Date(timeIntervalSince1970: 1_760_000_000.123)
        let registration = ListenerRegistration(
            id: "listener-1", server: "MBX01", pid: 4242, host: "mbx01",
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

        try store.unregisterListener(id: "listener-1")
        try store.unregisterListener(id: "listener-1")  // twice is fine
        XCTAssertEqual(try store.listeners(), [])
        guard case .notFound = storeError({ try store.heartbeat(listenerID: "listener-1", statusJSON: "{}") }) else { return XCTFail() }

        XCTAssertEqual(try store.generation(), 1)
        XCTAssertEqual(try store.changes(since: 1), [])
    }

    func testLivenessRunningNotRespondingAndDead() {
        let now = Date(timeIntervalSince1970: 1_760_000_000)
        func state(silent seconds: TimeInterval, host: String = "mbx01", alive: Bool = true) -> ListenerLiveness.State {
            let r = ListenerRegistration(
                id: "l", server: "MBX01", pid: 77, host: host, controlSocket: "/s", startedAt: now.addingTimeInterval(-600),
                heartbeatAt: now.addingTimeInterval(-seconds))
            return ListenerLiveness.state(
                of: r, at: now, localHost: "mbx01",
                processExists: { pid in
                    XCTAssertEqual(pid, 77); return alive
                })
        }
        XCTAssertEqual(state(silent: 1), .running)
        XCTAssertEqual(state(silent: ListenerLiveness.respondingWithin - 0.5), .running)
        XCTAssertEqual(state(silent: ListenerLiveness.respondingWithin + 1), .notResponding(silentFor: ListenerLiveness.respondingWithin + 1))
        XCTAssertEqual(state(silent: ListenerLiveness.forgottenAfter), .dead)
        // On this host a listener whose process is gone is dead at once, even with a fresh heartbeat ...
        XCTAssertEqual(state(silent: 1, alive: false), .dead)
        // ... on another host only its silence counts (its process can't be seen from here).
        XCTAssertEqual(state(silent: 1, host: "mbx02", alive: false), .running)
        XCTAssertEqual(state(silent: 60, host: "mbx02", alive: false), .notResponding(silentFor: 60))
    }

    func testLiveListenersForgetsTheDeadAndKeepsTheRest() throws {
        let store = try seededStore()
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())  // the store keeps milliseconds
        let here = ListenerLiveness.localHost
        // This process: alive. A pid that can't exist on Linux (above pid_max's ceiling): dead.
        let alive = ListenerRegistration(
            id: "alive", server: "MBX01", pid: getpid(), host: here, controlSocket: "/a", startedAt: now, heartbeatAt: now)
        let killed = ListenerRegistration(
            id: "killed", server: "MBX01", pid: 4_194_305, host: here, controlSocket: "/k", startedAt: now, heartbeatAt: now)
        let silent = ListenerRegistration(
            id: "silent", server: "MBX02", pid: 1, host: "elsewhere", controlSocket: "/s", startedAt: now,
            heartbeatAt: now.addingTimeInterval(-30))
        let gone = ListenerRegistration(
            id: "gone", server: "MBX02", pid: 1, host: "elsewhere", controlSocket: "/g", startedAt: now,
            heartbeatAt: now.addingTimeInterval(-ListenerLiveness.forgottenAfter - 1))
        for r in [alive, killed, silent, gone] { try store.registerListener(r) }
        let live = try store.liveListeners(at: now)
        XCTAssertEqual(live.map(\.registration.id), ["alive", "silent"])
        XCTAssertEqual(live.map(\.state), [.running, .notResponding(silentFor: 30)])
        XCTAssertEqual(try store.listeners().map(\.id).sorted(), ["alive", "silent"])
        XCTAssertEqual(try store.generation(), 1, "forgetting listeners is not a configuration change")
    }

    /// Takes a store back to schema v3, as a Receptor before the connectors' routing columns left it.
    static func undoV4(_ db: Database) throws {
        try db.execute(sql: "DROP INDEX connectors_routes")
        for column in ["enabled", "transport_role", "bindings", "remote_ip_ranges"] {
            try db.execute(sql: "ALTER TABLE connectors DROP COLUMN \(column)")
        }
        try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4'")
    }

    /// Takes a store back to schema v2, as a Receptor before the TCP control endpoint left it.
    static func undoV3(_ db: Database) throws {
        try undoV4(db)
        try db.execute(sql: "ALTER TABLE listeners DROP COLUMN control_endpoint")
        try db.execute(sql: "ALTER TABLE listeners DROP COLUMN control_fingerprint")
        try db.execute(sql: "DROP TABLE control_secret")
        try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3'")
    }

    func testAStoreOfSchemaV2IsUpgradedWithControlEndpointsAndKeepsItsListeners() throws {
        let started = Date(timeIntervalSince1970: 1_760_000_000.123)
        let registration = ListenerRegistration(
            id: "listener-1", server: "MBX01", pid: 4242, host: "mbx01", controlSocket: "/run/l.sock", startedAt: started, heartbeatAt: started)
        do {
            let store = try seededStore()
            try store.registerListener(registration)
        }
        let queue = try DatabaseQueue(path: storePath)
        try queue.write { try Self.undoV3($0) }
        XCTAssertEqual(try queue.read { try Schema.migrator.appliedMigrations($0) }, ["v1", "v2"])
        try queue.close()

        let store = try SQLiteConfigStore.open(path: storePath, create: false)
        XCTAssertEqual(try store.appliedMigrations(), ["v1", "v2", "v3", "v4"])
        XCTAssertEqual(try store.listeners(), [registration], "an old registration has no control endpoint")
        XCTAssertNil(try store.controlSecret(create: false))
        let secret = try XCTUnwrap(try store.controlSecret(create: true))
        var withEndpoint = registration
        withEndpoint.controlEndpoint = "mbx01.contoso.test:8725"
        withEndpoint.controlFingerprint = String(repeating: "0f", count: 32)
        try store.registerListener(withEndpoint)
        let other = try SQLiteConfigStore.open(path: storePath, create: false)
        XCTAssertEqual(try other.listeners(), [withEndpoint])
        XCTAssertEqual(try other.controlSecret(create: false), secret)
    }
}
