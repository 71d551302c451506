import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorStore

/// Several connections on one file, as several processes would have: writes serialize, none is lost,
/// and of several saves based on the same revision exactly one wins.
final class ConcurrencyTests: StoreTestCase {
    func testConcurrentWritersFromSeparateConnectionsLoseNothing() throws {
        _ = try seededStore()
        let stores = try (0..<4).map { _ in try SQLiteConfigStore.open(path: storePath, create: false) }
        let perWriter = 10
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: stores.count) { writer in
            for i in 0..<perWriter {
                do {
                    try stores[writer].addAcceptedDomain(AcceptedDomain(name: "d\(writer)-\(i)", domainName: "d\(writer)-\(i).test"))
                } catch { failures.add("\(error)") }
            }
        }
        XCTAssertEqual(failures.all, [])
        let snapshot = try stores[0].snapshot()
        XCTAssertEqual(snapshot.generation, Int64(1 + stores.count * perWriter))
        XCTAssertEqual(snapshot.acceptedDomains.count, 1 + stores.count * perWriter)
        XCTAssertEqual(snapshot.acceptedDomains.filter(\.isDefault).count, 1)
        XCTAssertEqual(try stores[1].changes(since: 0).map(\.generation), Array(1...snapshot.generation))
    }

    func testOfConcurrentSavesFromTheSameRevisionExactlyOneWins() throws {
        let setup = try seededStore()
        let inserted = try setup.insertConnector(try relayConnector())
        let stores = try (0..<4).map { _ in try SQLiteConfigStore.open(path: storePath, create: false) }
        let failures = Failures()
        let winners = Failures()
        DispatchQueue.concurrentPerform(iterations: stores.count) { writer in
            var c = inserted.connector
            c.comment = "writer \(writer)"
            do {
                try stores[writer].updateConnector(c, expectedRevision: inserted.revision)
                winners.add(c.comment)
            } catch StoreError.revisionConflict {
            } catch { failures.add("\(error)") }
        }
        XCTAssertEqual(failures.all, [])
        XCTAssertEqual(winners.all.count, 1)
        let final = try XCTUnwrap(try setup.connector(guid: inserted.connector.guid))
        XCTAssertEqual(final.revision, 2)
        XCTAssertEqual([final.connector.comment], winners.all)
        XCTAssertEqual(try setup.generation(), 3)
    }
}

/// A thread-safe list of strings for collecting results from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
