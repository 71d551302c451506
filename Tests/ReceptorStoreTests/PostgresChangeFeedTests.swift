import Foundation
import XCTest
import ReceptorCore
import ReceptorStore
@testable import ReceptorStorePostgres
#if canImport(Glibc)
    import Glibc
#endif

/// The PostgreSQL change feed against a real server (RECEPTOR_TEST_POSTGRES): a committing write notifies, a
/// refused one does not; a terminated or frozen listening backend is noticed, the feed reconnects and wakes
/// the listener again, so a change committed meanwhile is still read; an unreachable server is reported.
final class PostgresChangeFeedTests: StoreTestCase {
    var db: PostgresTestDatabase?
    var opened: [PostgresConfigStore] = []
    var feeds: [PostgresChangeFeed] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        db = try PostgresTestDatabase()
    }

    override func tearDown() async throws {
        for feed in feeds {
            feed.stop()
            await feed.finished()
        }
        feeds = []
        opened.forEach { $0.close() }
        opened = []
        db?.drop()
    }

    /// What a listener does on each wake-up, recorded: the generation a second connection reads then.
    final class Wakes: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [Int64?] = []
        let reader: PostgresConfigStore?
        init(reader: PostgresConfigStore?) { self.reader = reader }
        func wake() {
            let generation = try? reader?.generation()
            lock.withLock { seen.append(generation) }
        }
        var count: Int { lock.withLock { seen.count } }
        var last: Int64? { lock.withLock { seen.last ?? nil } }
    }

    func open() throws -> PostgresConfigStore {
        let store = try PostgresConfigStore.open(uri: try XCTUnwrap(db).uri, create: true)
        opened.append(store)
        return store
    }

    func startFeed(_ store: PostgresConfigStore, wakes: Wakes, heartbeat: Duration = .seconds(60)) -> PostgresChangeFeed {
        let feed = store.changeFeed()
        feed.heartbeatInterval = heartbeat
        feed.heartbeatTimeout = .milliseconds(500)
        feeds.append(feed)
        XCTAssertTrue(feed.start { wakes.wake() })
        return feed
    }

    func waitUntil(_ what: String, timeout: TimeInterval = 10, _ condition: () -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return XCTFail("not within \(timeout) s: \(what)", file: file, line: line) }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// The first value psql prints for `sql` on the test database.
    func psqlValue(_ sql: String) throws -> String {
        let process = Process()
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", try XCTUnwrap(db).uri, "-v", "ON_ERROR_STOP=1", "-tAc", sql]
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "psql \(sql)")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The feed's backend: the one connection that listens.
    func listeningBackends() throws -> [Int32] {
        try psqlValue("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'")
            .split(separator: "\n").compactMap { Int32($0) }
    }

    func domain(_ name: String) -> AcceptedDomain { AcceptedDomain(name: name, domainName: name, isDefault: false) }

    func testACommittingWriteNotifiesAndARefusedOrReadOnlyCallDoesNot() throws {
        let store = try open()
        let wakes = Wakes(reader: try open())
        let feed = startFeed(store, wakes: wakes)
        waitUntil("the feed listens and wakes the listener once (the resync)") { wakes.count == 1 }
        XCTAssertEqual(feed.connections, 1)
        XCTAssertNil(feed.unreachableSince)

        try store.addAcceptedDomain(domain("fabrikam.test"))
        let generation = try store.generation()
        waitUntil("the commit's NOTIFY wakes the listener") { wakes.count == 2 }
        XCTAssertEqual(wakes.last, generation, "after the wake-up the new generation is visible")

        // Refused (a duplicate), read-only and listener-registration calls commit no change: no NOTIFY.
        XCTAssertThrowsError(try store.addAcceptedDomain(domain("fabrikam.test")))
        _ = try store.snapshot()
        let now = Date()
        try store.registerListener(
            ListenerRegistration(
                id: "feed-test", server: "MBX01", pid: getpid(), host: "h", controlSocket: "/tmp/x.sock", startedAt: now, heartbeatAt: now,
                statusJSON: "{}"))
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(wakes.count, 2, "no notification for a refused write, a read or a registration")
        XCTAssertEqual(try store.generation(), generation)
    }

    func testATerminatedBackendIsReconnectedAndAChangeCommittedMeanwhileIsRead() throws {
        let store = try open()
        let wakes = Wakes(reader: try open())
        let feed = startFeed(store, wakes: wakes)
        waitUntil("the feed listens") { wakes.count == 1 }
        let backends = try listeningBackends()
        XCTAssertEqual(backends.count, 1, "one listening backend")

        _ = try psqlValue("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'")
        try store.addAcceptedDomain(domain("committed-while-cut-off.test"))
        let generation = try store.generation()
        waitUntil("the feed reconnects") { feed.connections == 2 }
        waitUntil("a wake-up after the reconnection reads the generation of the change") { wakes.last == generation }
        XCTAssertNil(feed.unreachableSince, "reachable again")
        XCTAssertNotEqual(try listeningBackends(), backends, "a new backend listens")

        // And notifications flow on the new connection.
        let before = wakes.count
        try store.addAcceptedDomain(domain("after-reconnect.test"))
        waitUntil("the next commit wakes the listener") { wakes.count > before }
    }

    func testAFrozenServerIsNoticedByTheHeartbeatAndTheFeedComesBack() throws {
        let store = try open()
        let wakes = Wakes(reader: nil)
        let feed = startFeed(store, wakes: wakes, heartbeat: .milliseconds(300))
        waitUntil("the feed listens") { wakes.count == 1 }
        let backend = try XCTUnwrap(try listeningBackends().first)
        // SIGSTOP: the backend neither answers nor closes the connection, as a hung server or a half-open TCP.
        XCTAssertEqual(kill(backend, SIGSTOP), 0, "stop the listening backend")
        defer { kill(backend, SIGCONT) }
        waitUntil("the heartbeat notices within its interval and timeout", timeout: 5) { feed.unreachableSince != nil || feed.connections > 1 }
        kill(backend, SIGCONT)
        waitUntil("the feed reconnects") { feed.connections == 2 && feed.unreachableSince == nil }
        XCTAssertGreaterThanOrEqual(wakes.count, 2, "the reconnection wakes the listener (the resync)")
    }

    func testAnUnreachableServerIsReportedAndRetried() throws {
        let nowhere = PostgresConfigStore(
            location: try PostgresLocation.parse("postgresql://postgres@127.0.0.1:1/receptor?sslmode=disable", environment: [:]))
        let wakes = Wakes(reader: nil)
        let feed = startFeed(nowhere, wakes: wakes)
        waitUntil("the feed reports the store unreachable", timeout: 5) { feed.unreachableSince != nil }
        XCTAssertEqual(feed.connections, 0)
        XCTAssertEqual(wakes.count, 1, "one wake-up, so the listener reports it at once")
        let since = feed.unreachableSince
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(feed.unreachableSince, since, "since the first failure, not the latest retry")
    }
}
