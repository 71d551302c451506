import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorStore

final class ConnectorTests: StoreTestCase {
    /// A connector in which every parameter differs from what `ConnectorDefaults.base` gives.
    func everyFieldChanged(server: Server) throws -> ReceiveConnector {
        var c = ConnectorDefaults.base(name: "Everything", server: server, transportRole: .frontendTransport)
        c.name = "Every Field Changed"
        c.guid = UUID()
        c.transportRole = .hubTransport
        c.bindings = [try IPBinding(parsing: "10.1.2.3:2600"), try IPBinding(parsing: "[2001:db8::5]:2600")]
        c.remoteIPRanges = [
            try IPRange(parsing: "10.0.0.0/8"), try IPRange(parsing: "192.168.1.1-192.168.1.50"),
            try IPRange(parsing: "2001:db8::/32"), try IPRange(parsing: "172.16.0.9"),
        ]
        c.enabled = false
        c.comment = "Scanners on floor 3 — ünïcode and \"quotes\" / slashes"
        c.authMechanism = [.tls, .integrated, .basicAuth, .basicAuthRequireTLS]
        c.permissionGroups = [.anonymousUsers, .exchangeUsers, .partners]
        c.requireTLS = true
        c.domainSecureEnabled = true
        c.enableAuthGSSAPI = true
        c.extendedProtectionPolicy = .require
        c.suppressXAnonymousTls = true
        c.tlsCertificateName = "<I>CN=Contoso CA<S>CN=mail.contoso.test"
        c.tlsDomainCapabilities = ["contoso.com:AcceptCloudServicesMail"]
        c.authTarpitInterval = EnhancedTimeSpan(seconds: 12)
        c.maxLogonFailures = 7
        c.banner = "220 Welcome to Contoso"
        c.fqdn = "relay.contoso.test"
        c.sizeEnabled = .enabledWithoutValue
        c.pipeliningEnabled = false
        c.deliveryStatusNotificationEnabled = false
        c.enhancedStatusCodesEnabled = false
        c.eightBitMimeEnabled = false
        c.chunkingEnabled = false
        c.binaryMimeEnabled = false
        c.longAddressesEnabled = true
        c.orarEnabled = true
        c.requireEHLODomain = true
        c.smtpUtf8Enabled = true
        c.bareLinefeedRejectionEnabled = true
        c.rejectReservedTopLevelRecipientDomains = true
        c.rejectReservedSecondLevelRecipientDomains = true
        c.rejectSingleLabelRecipientDomains = true
        c.defaultDomain = "contoso.test"
        c.serviceDiscoveryFqdn = "mail.contoso.test"
        c.advertiseClientSettings = true
        c.maxMessageSize = .megabytes(50)
        c.maxHeaderSize = .kilobytes(512)
        c.maxRecipientsPerMessage = 500
        c.maxHopCount = 40
        c.maxLocalHopCount = 9
        c.maxInboundConnection = .unlimited
        c.maxInboundConnectionPerSource = .limited(50)
        c.maxInboundConnectionPercentagePerSource = 10
        c.maxProtocolErrors = .unlimited
        c.messageRateLimit = .limited(100)
        c.messageRateSource = .all
        c.connectionTimeout = .minutes(20)
        c.connectionInactivityTimeout = .minutes(2)
        c.tarpitInterval = .zero
        c.maxAcknowledgementDelay = EnhancedTimeSpan(seconds: 15)
        c.protocolLoggingLevel = .verbose
        return c
    }

    func testEveryFieldSurvivesTheRoundTrip() throws {
        let server = Server(name: "MBX02", role: .mailbox, fqdn: "mbx02.contoso.test", useDowngradedExchangeServerAuth: true)
        let store = try makeStore()
        try store.addServer(server, connectors: [], acceptedDomains: [])
        let original = try everyFieldChanged(server: server)

        // The fixture really changes every stored property.
        let base = Mirror(reflecting: ConnectorDefaults.base(name: "Everything", server: server, transportRole: .frontendTransport))
        let changed = Mirror(reflecting: original)
        XCTAssertEqual(base.children.count, changed.children.count)
        for (a, b) in zip(base.children, changed.children) where a.label != "server" {  // placement, not a default
            XCTAssertNotEqual(String(reflecting: a.value), String(reflecting: b.value), "\(a.label ?? "?") is unchanged")
        }

        let inserted = try store.insertConnector(original)
        XCTAssertEqual(inserted.connector, original)
        XCTAssertEqual(inserted.revision, 1)
        XCTAssertEqual(inserted.whenCreated, inserted.whenChanged)

        let read = try XCTUnwrap(try store.connector(guid: original.guid))
        XCTAssertEqual(read, inserted)
        XCTAssertEqual(read.connector, original)

        // And from another connection, as another process would read it.
        let other = try SQLiteConfigStore.open(path: storePath, create: false)
        XCTAssertEqual(try other.connectors(server: "mbx02"), [inserted])
        XCTAssertEqual(try other.snapshot().connectors(on: "MBX02"), [inserted])
        XCTAssertEqual(try other.connector(server: "mbx02", name: "EVERY FIELD CHANGED"), inserted)
    }

    func testSetupConnectorsRoundTrip() throws {
        let store = try makeStore()
        let expected = ConnectorDefaults.setupConnectors(for: mbx01)
        try store.addServer(mbx01, connectors: expected, acceptedDomains: [])
        XCTAssertEqual(try store.connectors(server: "MBX01").map(\.connector), expected)
        XCTAssertEqual(try store.connectors(server: nil).map(\.revision), [1, 1, 1, 1, 1])
        XCTAssertEqual(try store.connectors(server: "EDGE01"), [])
        XCTAssertEqual(try store.servers(), [mbx01])
    }

    func testADuplicateNameIsRefusedAndNothingChanges() throws {
        let store = try seededStore()
        try store.insertConnector(try relayConnector())
        let before = try store.snapshot()

        let error = storeError { try store.insertConnector(try self.relayConnector("relay", remote: "192.168.5.11")) }
        guard case .invalid(let violations) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(violations.map(\.rule), [.nameUnique])
        // The domain's own words, passed on as they are.
        XCTAssertEqual(error?.description, violations.map(\.message).joined(separator: " "))
        XCTAssertTrue(error?.description.contains("\"Relay\" already exists on server MBX01") ?? false, error?.description ?? "")
        assertSameSnapshot(try store.snapshot(), before)
    }

    func testConflictsWithDefaultFrontendAreRefusedAndNothingChanges() throws {
        let store = try seededStore()
        let before = try store.snapshot()

        // Same binding and same remote range as Default Frontend MBX01.
        let same = try relayConnector("Internet", remote: "0.0.0.0-255.255.255.255")
        var error = storeError { try store.insertConnector(same) }
        guard case .invalid(let v1) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(v1.map(\.rule), [.identicalBindingAndRange])
        XCTAssertEqual(v1.first?.conflictingConnector, ConnectorIdentity(server: "MBX01", name: "Default Frontend MBX01"))

        // A Hub connector on Default Frontend's port 25.
        var hub = try relayConnector("Hub on 25")
        hub.transportRole = .hubTransport
        error = storeError { try store.insertConnector(hub) }
        guard case .invalid(let v2) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(v2.map(\.rule), [.transportRoleBindingConflict])

        assertSameSnapshot(try store.snapshot(), before)
    }

    func testAnInvalidUpdateIsRefusedAndNothingChanges() throws {
        let store = try seededStore()
        let stored = try store.insertConnector(try relayConnector())
        let before = try store.snapshot()
        var bad = stored.connector
        bad.banner = "Hello"
        bad.name = "Renamed"
        let error = storeError { try store.updateConnector(bad, expectedRevision: 1) }
        guard case .invalid(let violations) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(violations.map(\.rule), [.bannerStartsWith220])
        assertSameSnapshot(try store.snapshot(), before)
    }

    func testInsertOnAnUnknownServerIsNotFound() throws {
        let store = try seededStore()
        let other = Server(name: "MBX09", role: .mailbox, fqdn: "mbx09.contoso.test")
        let error = storeError { try store.insertConnector(try self.relayConnector(server: other)) }
        guard case .notFound(let message) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.contains("MBX09"), message)
    }

    func testServerNameCaseIsTheStoredOne() throws {
        let store = try seededStore()
        var c = try relayConnector()
        c.server = "mbx01"
        let stored = try store.insertConnector(c)
        XCTAssertEqual(stored.connector.server, "MBX01")
        XCTAssertEqual(try store.connector(guid: c.guid)?.connector.server, "MBX01")
    }

    func testUpdateBumpsTheRevisionAndRenameKeepsTheGUID() throws {
        let store = try seededStore()
        let inserted = try store.insertConnector(try relayConnector())
        var c = inserted.connector
        c.name = "Scanner Relay"
        c.maxMessageSize = .megabytes(10)
        let updated = try store.updateConnector(c, expectedRevision: 1)
        XCTAssertEqual(updated.revision, 2)
        XCTAssertEqual(updated.whenCreated, inserted.whenCreated)
        XCTAssertGreaterThanOrEqual(updated.whenChanged, inserted.whenChanged)
        XCTAssertEqual(try store.connector(guid: c.guid), updated)
        XCTAssertEqual(try store.connector(server: "MBX01", name: "Relay"), nil)
        XCTAssertEqual(try store.connector(server: "MBX01", name: "scanner relay")?.connector.guid, inserted.connector.guid)
        XCTAssertEqual(
            try store.changes(since: 2).map(\.summary),
            ["Set-ReceiveConnector MBX01\\Relay: renamed to \"Scanner Relay\", revision 2"])

        c.comment = "again"
        XCTAssertEqual(try store.updateConnector(c, expectedRevision: 2).revision, 3)
    }

    func testAStaleRevisionIsAConflict() throws {
        let store = try seededStore()
        let inserted = try store.insertConnector(try relayConnector())
        var c = inserted.connector
        c.comment = "one"
        try store.updateConnector(c, expectedRevision: 1)
        let before = try store.snapshot()

        c.comment = "two"
        let error = storeError { try store.updateConnector(c, expectedRevision: 1) }
        XCTAssertEqual(
            error,
            .revisionConflict(
                "Receive connector \"MBX01\\Relay\" was changed by someone else since it was read (revision 1, now 2). Read it again and repeat the change."
            ))
        XCTAssertEqual(
            error?.description,
            "Receive connector \"MBX01\\Relay\" was changed by someone else since it was read (revision 1, now 2). Read it again and repeat the change."
        )

        let removal = storeError { try store.removeConnector(guid: c.guid, expectedRevision: 1) }
        guard case .revisionConflict = removal else { return XCTFail("\(String(describing: removal))") }
        assertSameSnapshot(try store.snapshot(), before)
    }

    func testUpdatingOrRemovingAMissingConnectorIsNotFound() throws {
        let store = try seededStore()
        let ghost = try relayConnector("Ghost")
        guard case .notFound = storeError({ try store.updateConnector(ghost, expectedRevision: 1) }) else { return XCTFail() }
        guard case .notFound = storeError({ try store.removeConnector(guid: ghost.guid, expectedRevision: nil) }) else { return XCTFail() }
        XCTAssertEqual(try store.generation(), 1)
    }

    func testAConnectorCantMoveToAnotherServer() throws {
        let store = try seededStore()
        let mbx02 = Server(name: "MBX02", role: .mailbox, fqdn: "mbx02.contoso.test")
        try store.addServer(mbx02, connectors: [], acceptedDomains: [])
        var c = try store.insertConnector(try relayConnector()).connector
        c.server = "MBX02"
        guard case .refused = storeError({ try store.updateConnector(c, expectedRevision: 1) }) else { return XCTFail() }
    }

    func testRemoveWithoutARevisionAndInsertingTheSameGUIDTwice() throws {
        let store = try seededStore()
        let c = try relayConnector()
        try store.insertConnector(c)
        var copy = c
        copy.name = "Copy"
        copy.remoteIPRanges = [try IPRange(parsing: "192.168.5.99")]
        guard case .alreadyExists = storeError({ try store.insertConnector(copy) }) else { return XCTFail() }
        try store.removeConnector(guid: c.guid, expectedRevision: nil)
        XCTAssertNil(try store.connector(guid: c.guid))
        XCTAssertEqual(try store.connectors(server: "MBX01").count, 5)
    }

    func testServersAreUniqueAndTheirUpdatesAreValidated() throws {
        let store = try seededStore()
        guard
            case .alreadyExists = storeError({
                try store.addServer(Server(name: "mbx01", role: .mailbox, fqdn: "x.contoso.test"), connectors: [], acceptedDomains: [])
            })
        else { return XCTFail() }
        guard
            case .refused = storeError({
                try store.addServer(Server(name: "bad name!", role: .mailbox, fqdn: "x.contoso.test"), connectors: [], acceptedDomains: [])
            })
        else { return XCTFail() }

        var server = mbx01
        server.useDowngradedExchangeServerAuth = true
        try store.updateServer(server)
        XCTAssertEqual(try store.servers(), [server])
        var c = try relayConnector()
        c.suppressXAnonymousTls = true
        try store.insertConnector(c)

        // Turning it off again would leave that connector invalid.
        let before = try store.snapshot()
        server.useDowngradedExchangeServerAuth = false
        guard case .invalid(let v) = storeError({ try store.updateServer(server) }) else { return XCTFail() }
        XCTAssertEqual(v.map(\.rule), [.suppressXAnonymousTlsNeedsDowngradedAuth])
        assertSameSnapshot(try store.snapshot(), before)

        guard case .notFound = storeError({ try store.updateServer(Server(name: "NOPE", role: .edge, fqdn: "nope.test")) }) else { return XCTFail() }
    }

    func testAddServerIsAllOrNothing() throws {
        let store = try makeStore()
        var connectors = ConnectorDefaults.setupConnectors(for: mbx01)
        connectors.append(connectors[0])  // same name and GUID again: refused by validation
        connectors[5].guid = UUID()
        guard
            case .invalid = storeError({
                try store.addServer(self.mbx01, connectors: connectors, acceptedDomains: [AcceptedDomain(name: "a", domainName: "a.test")])
            })
        else { return XCTFail() }
        let snapshot = try store.snapshot()
        XCTAssertEqual(snapshot.generation, 0)
        XCTAssertTrue(snapshot.servers.isEmpty && snapshot.connectors.isEmpty && snapshot.acceptedDomains.isEmpty)
    }

    func testEdgeServerWithItsDefaultConnector() throws {
        let store = try makeStore()
        let edge = Server(name: "EDGE01", role: .edge, fqdn: "edge01.contoso.test")
        let expected = ConnectorDefaults.setupConnectors(for: edge)
        try store.addServer(edge, connectors: expected, acceptedDomains: [])
        let stored = try store.connectors(server: "EDGE01")
        XCTAssertEqual(stored.map(\.connector), expected)
        XCTAssertNil(stored.first?.connector.transportRole)
    }
}
