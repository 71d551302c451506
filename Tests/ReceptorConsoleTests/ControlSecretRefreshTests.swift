import GRDB
import ReceptorControlLink
import ReceptorStore
import XCTest

@testable import ReceptorConsole

/// A console reads the organization's control secret again after `controlSecretRefresh`, so a rotated secret
/// reaches running consoles without a restart; between reads it uses the one it holds.
final class ControlSecretRefreshTests: XCTestCase {
    func testARotatedSecretIsReadAgainAfterTheRefreshInterval() throws {
        let folder = NSTemporaryDirectory() + "secret-refresh-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/receptor.sqlite"
        let store = try SQLiteConfigStore.open(path: path, create: true)
        let first = try XCTUnwrap(try store.controlSecret(create: true))

        // A listener on another host, registered with its TCP endpoint.
        let registration = ListenerRegistration(
            id: "elsewhere-1", server: "MBX01", pid: 1, host: "mbx01.elsewhere.test", controlSocket: folder + "/no-socket",
            startedAt: Date(), heartbeatAt: Date(), controlEndpoint: "192.0.2.1:8725",
            controlFingerprint: String(repeating: "ab", count: 32))
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        let source = StoreDataSource(store: store, clock: { now })
        XCTAssertEqual(source.controlTarget(registration)?.secret, first)

        // The administrator rotates it (README: delete the row; the next listener with --control-port makes one).
        let database = try DatabaseQueue(path: path)
        try database.write { try $0.execute(sql: "DELETE FROM control_secret") }
        let second = try XCTUnwrap(try store.controlSecret(create: true))
        XCTAssertNotEqual(first, second)

        now += StoreDataSource.controlSecretRefresh / 2
        XCTAssertEqual(source.controlTarget(registration)?.secret, first, "held between reads: no query per refresh of the screen")
        now += StoreDataSource.controlSecretRefresh
        XCTAssertEqual(source.controlTarget(registration)?.secret, second, "read again once the refresh interval passed")
    }

    func testNoSecretYetIsLookedForAgainAtOnce() throws {
        let folder = NSTemporaryDirectory() + "secret-refresh-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteConfigStore.open(path: folder + "/receptor.sqlite", create: true)
        let registration = ListenerRegistration(
            id: "elsewhere-1", server: "MBX01", pid: 1, host: "mbx01.elsewhere.test", controlSocket: folder + "/no-socket",
            startedAt: Date(), heartbeatAt: Date(), controlEndpoint: "192.0.2.1:8725",
            controlFingerprint: String(repeating: "ab", count: 32))
        let source = StoreDataSource(store: store, clock: { Date(timeIntervalSince1970: 1_800_000_000) })
        XCTAssertNil(source.controlTarget(registration)?.secret, "no listener has made the secret yet")
        let made = try XCTUnwrap(try store.controlSecret(create: true))
        XCTAssertEqual(source.controlTarget(registration)?.secret, made, "found as soon as a listener makes it")
    }
}
