import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorStore

/// A temporary folder per test, removed afterwards, and the fixtures most tests start from.
class StoreTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-store-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    var storePath: String { folder.appendingPathComponent("data/receptor.sqlite").path }

    let mbx01 = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")

    func makeStore() throws -> SQLiteConfigStore {
        try SQLiteConfigStore.open(path: storePath, create: true)
    }

    /// A store with MBX01, its five default connectors and the accepted domain contoso.test.
    func seededStore() throws -> SQLiteConfigStore {
        let store = try makeStore()
        try store.addServer(
            mbx01, connectors: ConnectorDefaults.setupConnectors(for: mbx01),
            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        return store
    }

    /// A Frontend relay connector for one address on 0.0.0.0:25: it nests inside Default Frontend's range.
    func relayConnector(_ name: String = "Relay", remote: String = "192.168.5.10", server: Server? = nil) throws -> ReceiveConnector {
        var c = ConnectorDefaults.base(name: name, server: server ?? mbx01, transportRole: .frontendTransport)
        c.bindings = [try IPBinding(parsing: "0.0.0.0:25")]
        c.remoteIPRanges = [try IPRange(parsing: remote)]
        c.permissionGroups = [.anonymousUsers]
        return c
    }

    func connector(named name: String, in store: SQLiteConfigStore) throws -> StoredConnector {
        try XCTUnwrap(try store.connectors(server: nil).first { $0.connector.name == name }, "no connector \(name)")
    }

    /// Runs `body`, expects a StoreError, and returns it.
    func storeError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> StoreError? {
        do {
            try body()
            XCTFail("expected a StoreError, nothing was thrown", file: file, line: line)
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            XCTFail("expected a StoreError, got \(error)", file: file, line: line)
            return nil
        }
    }

    func assertSameSnapshot(_ a: StoreSnapshot, _ b: StoreSnapshot, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.generation, b.generation, "generation", file: file, line: line)
        XCTAssertEqual(a.servers, b.servers, "servers", file: file, line: line)
        XCTAssertEqual(a.connectors, b.connectors, "connectors", file: file, line: line)
        XCTAssertEqual(a.permissions, b.permissions, "permissions", file: file, line: line)
        XCTAssertEqual(a.acceptedDomains, b.acceptedDomains, "accepted domains", file: file, line: line)
        XCTAssertEqual(a.accounts, b.accounts, "accounts", file: file, line: line)
    }
}
