import XCTest
import ReceptorCore
import ReceptorSMTP
import ReceptorStore
@testable import ReceptorListener

/// The snapshot resolves each enabled connector's pre-authentication rights once; a session given them must
/// start with exactly the rights it would resolve itself (the rule stays PermissionModel's).
final class ListenerSnapshotTests: XCTestCase {
    func testInitialRightsAreWhatASessionResolvesItself() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-snapshot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteConfigStore.open(path: folder.appendingPathComponent("receptor.sqlite").path, create: true)
        let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")
        try store.addServer(
            server, connectors: ConnectorDefaults.setupConnectors(for: server),
            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        // A relay connector with an explicit entry, one externally secured, and one disabled.
        var relay = ConnectorDefaults.base(name: "Relay", server: server, transportRole: .frontendTransport)
        relay.bindings = [try IPBinding(parsing: "0.0.0.0:2600")]
        relay.remoteIPRanges = [try IPRange(parsing: "192.0.2.10")]
        relay.permissionGroups = [.anonymousUsers]
        let storedRelay = try store.insertConnector(relay)
        try store.addPermission(
            PermissionEntry(user: SecurityPrincipal("NT AUTHORITY\\ANONYMOUS LOGON"), extendedRights: [.acceptAnyRecipient]),
            connector: storedRelay.connector.guid)
        var secured = ConnectorDefaults.base(name: "Secured", server: server, transportRole: .frontendTransport)
        secured.bindings = [try IPBinding(parsing: "0.0.0.0:2601")]
        secured.remoteIPRanges = [try IPRange(parsing: "192.0.2.20")]
        secured.authMechanism = [.externalAuthoritative]
        secured.permissionGroups = [.exchangeServers]
        _ = try store.insertConnector(secured)
        var off = ConnectorDefaults.base(name: "Off", server: server, transportRole: .frontendTransport)
        off.bindings = [try IPBinding(parsing: "0.0.0.0:2602")]
        off.remoteIPRanges = [try IPRange(parsing: "192.0.2.30")]
        off.enabled = false
        _ = try store.insertConnector(off)

        let snapshot = try ListenerSnapshot.make(from: try store.snapshot(), serverName: "MBX01")
        XCTAssertEqual(Set(snapshot.initialRights.keys), Set(snapshot.enabledConnectors.map(\.guid)))
        XCTAssertFalse(snapshot.enabledConnectors.contains { $0.name == "Off" })
        let endpoint = SMTPEndpoint(address: try IPAddress(parsing: "127.0.0.1"), port: 25)
        for connector in snapshot.enabledConnectors {
            let entries = snapshot.permissions[connector.guid] ?? []
            let plain = SessionConfiguration(
                connector: connector, server: snapshot.server, acceptedDomains: snapshot.acceptedDomains,
                permissionEntries: entries, certificateAvailable: false, localEndpoint: endpoint,
                remoteEndpoint: endpoint, sessionID: "1", connectedAt: Date())
            var given = plain
            given.initialRights = snapshot.initialRights[connector.guid]
            XCTAssertEqual(SMTPSession(configuration: given).rights, SMTPSession(configuration: plain).rights, connector.name)
        }
        XCTAssertTrue(snapshot.initialRights[storedRelay.connector.guid]!.contains(.acceptAnyRecipient), "the explicit entry counts")
    }
}
