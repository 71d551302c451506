import Foundation
import GRDB
import PostgresNIO
import XCTest
import ReceptorCore
@testable import ReceptorStorePostgres
@testable import ReceptorStore

/// The store's contract, written once against `any ConfigStore` and run on each backend by the subclasses at
/// the end of this file (each lists the checks as test methods: XCTest on Linux doesn't discover inherited
/// tests). "Another process" is another store instance: its own SQLite connection or PostgreSQL session.
///
/// The PostgreSQL variants need `RECEPTOR_TEST_POSTGRES` (scripts/test starts a private cluster with
/// scripts/test-postgres and sets it). Unset, they FAIL with a message saying so — a PostgreSQL store that
/// was never tested must not look green. `RECEPTOR_TEST_POSTGRES=skip` skips them explicitly.
class BackendContractTestCase: StoreTestCase {
    /// Opens the test's store (creating it) or another instance of it.
    func open(create: Bool = true) throws -> any ConfigStore { fatalError("a backend subclass opens the store") }
    /// Opens a store that is empty (not created).
    func openMissing() throws -> any ConfigStore { fatalError("a backend subclass opens the store") }
    /// Creates and opens a second, empty store of the same backend.
    func openAnotherEmpty() throws -> any ConfigStore { fatalError("a backend subclass opens the store") }
    var backendName: String { "" }
    /// Overwrites a connector's stored JSON, as another program might have written it, and sets its routing
    /// columns NULL, as the v4 migration leaves a row whose JSON it can't read (or keeps them).
    func writeConnectorData(guid: UUID, _ text: String, keepingRouteColumns: Bool = false) throws {
        fatalError("a backend subclass writes the row")
    }
    /// Takes the store back to schema v3 (no routing columns), as a Receptor before them left it.
    func undoV4() throws { fatalError("a backend subclass changes the schema") }

    /// The routing columns (schema v4) of every connector row whose columns are filled, as stored.
    func storedRouteColumns(_ store: any ConfigStore) throws -> [UUID: RouteColumns] {
        var result: [UUID: RouteColumns] = [:]
        func add(_ guid: String, _ enabled: Bool?, _ role: String?, _ bindings: String?, _ ranges: String?) throws {
            guard let enabled, let bindings, let ranges else { return }
            result[try XCTUnwrap(UUID(uuidString: guid))] = RouteColumns(
                enabled: enabled, transportRole: role, bindings: bindings, remoteIPRanges: ranges)
        }
        let sql = "SELECT guid, enabled, transport_role, bindings, remote_ip_ranges FROM connectors"
        if let sqlite = store as? SQLiteConfigStore {
            for row in try sqlite.read({ try Row.fetchAll($0, sql: sql) }) { try add(row[0], row[1], row[2], row[3], row[4]) }
        } else if let postgres = store as? PostgresConfigStore {
            for row in try postgres.read({ try $0.rows(PostgresQuery(unsafeSQL: sql)) }) {
                let (guid, enabled, role, bindings, ranges) = try row.decode((String, Bool?, String?, String?, String?).self, context: .default)
                try add(guid, enabled, role, bindings, ranges)
            }
        } else {
            XCTFail("a store of another backend: \(type(of: store))")
        }
        return result
    }

    /// Every connector row's routing columns are its connector's, and the route read of every server equals
    /// the routing of its connectors read in full, in the same order.
    func assertRoutesFollowTheConnectors(_ store: any ConfigStore, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let columns = try storedRouteColumns(store)
        let all = try store.connectors(server: nil)
        XCTAssertEqual(columns.count, all.count, "\(label): every row's columns are filled", file: file, line: line)
        for stored in all {
            XCTAssertEqual(
                columns[stored.connector.guid], RouteColumns(stored.connector), "\(label): \(stored.connector.name)'s columns", file: file, line: line
            )
        }
        for server in try store.servers() {
            XCTAssertEqual(
                try store.connectorRoutes(server: server.name.lowercased()),
                try store.connectors(server: server.name).map { ConnectorRoute($0.connector) }, "\(label): \(server.name)", file: file, line: line)
        }
    }

    func seeded() throws -> any ConfigStore {
        let store = try open()
        try store.addServer(
            mbx01, connectors: ConnectorDefaults.setupConnectors(for: mbx01),
            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        return store
    }

    /// A mailbox with a further address, a transport setting and the recipient filter off; returns the
    /// transport config written.
    func addKateAndOrganizationSettings(to store: any ConfigStore) throws -> TransportConfig {
        try store.addAccount(
            MailboxAccount(
                name: "kate", alias: "kate", userPrincipalName: "kate@contoso.test",
                primarySmtpAddress: "kate@contoso.test", emailAddresses: ["k@contoso.test"]), password: "P@ssw0rd!")
        var transport = TransportConfig()
        transport.tlsReceiveDomainSecureList = ["fabrikam.test"]
        try store.setTransportConfig(transport)
        try store.setRecipientFilterConfig(RecipientFilterConfig(recipientValidationEnabled: false))
        return transport
    }

    // MARK: The checks

    func checkGenerationGoesUpOncePerCommittingWriteAndNeverForARefusal() throws {
        let store = try seeded()
        XCTAssertEqual(try store.generation(), 1)
        let before = try store.snapshot()
        // Refused: conflicts with Default Frontend (same binding and range). Nothing changes, no bump.
        let error = storeError { try store.insertConnector(try self.relayConnector("Internet", remote: "0.0.0.0-255.255.255.255")) }
        guard case .invalid(let violations) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(violations.map(\.rule), [.identicalBindingAndRange])
        assertSameSnapshot(try store.snapshot(), before)
        XCTAssertNotNil(storeError { try store.removeAccount(userPrincipalName: "nobody@contoso.test") })
        XCTAssertEqual(try store.generation(), 1)

        try store.insertConnector(try relayConnector())
        try store.addAcceptedDomain(AcceptedDomain(name: "fabrikam.test", domainName: "fabrikam.test"))
        XCTAssertEqual(try store.generation(), 3)
        let changes = try store.changes(since: 1)
        XCTAssertEqual(changes.map(\.generation), [2, 3])
        XCTAssertEqual(
            changes.map(\.summary), ["New-ReceiveConnector MBX01\\Relay", "New-AcceptedDomain fabrikam.test (fabrikam.test, Authoritative)"])
        XCTAssertEqual(try store.changes(since: 0).first?.summary, "Add server MBX01 (Mailbox) with 5 receive connectors and 1 accepted domain")
    }

    func checkEveryKindOfValueRoundTripsAndAnotherInstanceSeesTheSame() throws {
        let store = try seeded()
        let relay = try store.insertConnector(try relayConnector())
        try store.addPermission(
            PermissionEntry(user: SecurityPrincipal("NT AUTHORITY\\ANONYMOUS LOGON"), extendedRights: [.acceptAnyRecipient]),
            connector: relay.connector.guid)
        let transport = try addKateAndOrganizationSettings(to: store)
        let other = try open(create: false)
        let a = try store.snapshot(), b = try other.snapshot()
        assertSameSnapshot(a, b)
        XCTAssertEqual(a.connectors.count, 6)
        XCTAssertEqual(a.connectors.last, relay)
        XCTAssertEqual(a.permissions[relay.connector.guid]?.first?.extendedRights, [.acceptAnyRecipient])
        XCTAssertEqual(a.accounts.first?.emailAddresses, ["k@contoso.test"])
        XCTAssertEqual(a.transportConfig, transport)
        XCTAssertFalse(a.recipientFilterConfig.recipientValidationEnabled)
        XCTAssertEqual(try other.connector(guid: relay.connector.guid), relay)
        XCTAssertEqual(try other.connectors(server: "mbx01").count, 6, "server names compare without case")
        // The routing alone, as Test-ReceiveConnector reads it: the same connectors in the same order.
        XCTAssertEqual(try other.connectorRoutes(server: "mbx01"), a.connectors.map { ConnectorRoute($0.connector) })
        XCTAssertEqual(try store.connectorRoutes(server: "EDGE99"), [])
    }

    /// Every kind of write goes through the write rules shared by both backends (StoreWriteRules.swift) over this
    /// backend's rows: what each leaves in the store, and the change log's words, byte for byte.
    func checkEveryKindOfWriteLeavesTheSameStateAndLog() throws {
        let store = try seeded()
        let relay = try store.insertConnector(try relayConnector())
        let guid = relay.connector.guid
        let anonymous = SecurityPrincipal("NT AUTHORITY\\ANONYMOUS LOGON")
        try store.addPermission(PermissionEntry(user: anonymous, extendedRights: [.acceptAnyRecipient]), connector: guid)
        try store.addPermission(PermissionEntry(user: anonymous, extendedRights: [.submit, .acceptAnyRecipient]), connector: guid)
        XCTAssertEqual(try store.permissions(connector: guid).map(\.extendedRights), [[.acceptAnyRecipient, .submit]], "merged into one entry")
        try store.removePermission(PermissionEntry(user: anonymous, extendedRights: [.submit]), connector: guid)
        XCTAssertEqual(try store.permissions(connector: guid).map(\.extendedRights), [[.acceptAnyRecipient]])
        guard
            case .notFound = storeError({ try store.removePermission(PermissionEntry(user: anonymous, extendedRights: [.submit]), connector: guid) })
        else { return XCTFail("a right the entry no longer grants") }
        try store.removePermission(PermissionEntry(user: anonymous, extendedRights: []), connector: guid)
        XCTAssertEqual(try store.permissions(connector: guid), [])

        try store.addAcceptedDomain(AcceptedDomain(name: "fabrikam.test", domainName: "fabrikam.test", isDefault: true))
        XCTAssertEqual(try store.acceptedDomains().filter(\.isDefault).map(\.name), ["fabrikam.test"], "a new default takes over")
        try store.updateAcceptedDomain(
            AcceptedDomain(name: "Contoso", domainName: "contoso.test", domainType: .internalRelay, isDefault: true), originalName: "CONTOSO.test")
        XCTAssertEqual(
            try store.acceptedDomains().map { "\($0.name) \($0.domainType.rawValue) \($0.isDefault)" },
            ["Contoso InternalRelay true", "fabrikam.test Authoritative false"])
        guard case .refused = storeError({ try store.removeAcceptedDomain(name: "contoso") }) else {
            return XCTFail("the default, while others exist")
        }
        try store.removeAcceptedDomain(name: "FABRIKAM.test")

        try store.addAccount(MailboxAccount(name: "kate", userPrincipalName: "kate@contoso.test"), password: "P@ssw0rd!")
        var kate = try XCTUnwrap(try store.accounts().first)
        kate.name = "Kate Smith"
        kate.emailAddresses = ["ks@contoso.test"]
        kate.userPrincipalName = "KATE@contoso.test"
        try store.updateAccount(kate)
        XCTAssertEqual(
            try store.accounts().map { "\($0.name) \($0.userPrincipalName) \($0.emailAddresses)" },
            [#"Kate Smith kate@contoso.test ["ks@contoso.test"]"#])
        XCTAssertEqual(try store.authenticate(login: "kate@contoso.test", password: "P@ssw0rd!")?.name, "Kate Smith", "the password stays")
        try store.removeAccount(userPrincipalName: "Kate@Contoso.TEST")
        XCTAssertEqual(try store.accounts(), [])

        var server = mbx01
        server.domain = "corp.contoso.test"
        try store.updateServer(server)
        XCTAssertEqual(try store.servers().first?.domain, "corp.contoso.test")
        var transport = TransportConfig()
        transport.tlsSendDomainSecureList = ["fabrikam.test"]
        try store.setTransportConfig(transport)
        try store.setRecipientFilterConfig(RecipientFilterConfig(recipientValidationEnabled: false))
        var renamed = relay.connector
        renamed.name = "Relay2"
        try store.updateConnector(renamed, expectedRevision: 1)
        try store.removeConnector(guid: guid, expectedRevision: nil)
        XCTAssertNil(try store.connector(guid: guid))
        XCTAssertEqual(try store.transportConfig(), transport)
        XCTAssertFalse(try store.recipientFilterConfig().recipientValidationEnabled)

        XCTAssertEqual(
            try store.changes(since: 1).map(\.summary),
            [
                "New-ReceiveConnector MBX01\\Relay",
                "Add-ADPermission MBX01\\Relay: allow NT AUTHORITY\\ANONYMOUS LOGON ms-Exch-SMTP-Accept-Any-Recipient",
                "Add-ADPermission MBX01\\Relay: allow NT AUTHORITY\\ANONYMOUS LOGON ms-Exch-SMTP-Submit, ms-Exch-SMTP-Accept-Any-Recipient",
                "Remove-ADPermission MBX01\\Relay: allow NT AUTHORITY\\ANONYMOUS LOGON ms-Exch-SMTP-Submit",
                "Remove-ADPermission MBX01\\Relay: allow NT AUTHORITY\\ANONYMOUS LOGON ms-Exch-SMTP-Accept-Any-Recipient",
                "New-AcceptedDomain fabrikam.test (fabrikam.test, Authoritative, default)",
                "Set-AcceptedDomain contoso.test: renamed to \"Contoso\", contoso.test, InternalRelay, default",
                "Remove-AcceptedDomain fabrikam.test",
                "New-Mailbox kate@contoso.test",
                "Set-Mailbox KATE@contoso.test",
                "Remove-Mailbox kate@contoso.test",
                "Set server MBX01: Mailbox, mbx01.contoso.test",
                "Set-TransportConfig",
                "Set-RecipientFilterConfig",
                "Set-ReceiveConnector MBX01\\Relay: renamed to \"Relay2\", revision 2",
                "Remove-ReceiveConnector MBX01\\Relay2",
            ])
        XCTAssertEqual(try store.generation(), 17, "once per committing write, never for the refusals")
    }

    /// The routing columns beside the JSON (schema v4) follow every kind of connector write — a server's
    /// connectors added, one inserted, renamed, disabled, given other bindings, ranges and transport role,
    /// removed, and the organization copied — and the route read takes them, never the JSON.
    func checkTheRoutingColumnsFollowEveryKindOfWrite() throws {
        let store = try seeded()
        let edge = Server(name: "EDGE01", role: .edge, fqdn: "edge01.contoso.test", domain: "contoso.test")
        try store.addServer(edge, connectors: ConnectorDefaults.setupConnectors(for: edge), acceptedDomains: [])
        XCTAssertTrue(try store.connectorRoutes(server: "EDGE01").allSatisfy { $0.transportRole == nil }, "Edge: no transport role")
        try assertRoutesFollowTheConnectors(store, "servers added")
        let relay = try store.insertConnector(try relayConnector())
        try assertRoutesFollowTheConnectors(store, "inserted")
        var c = relay.connector
        var revision = relay.revision
        func update(_ label: String, _ change: (inout ReceiveConnector) throws -> Void) throws {
            try change(&c)
            revision = try store.updateConnector(c, expectedRevision: revision).revision
            try assertRoutesFollowTheConnectors(store, label)
        }
        try update("renamed") { $0.name = "Relay Renamed" }
        try update("disabled") { $0.enabled = false }
        try update("enabled") { $0.enabled = true }
        try update("other bindings") { $0.bindings = [try IPBinding(parsing: "10.1.1.5:2626"), try IPBinding(parsing: "[2001:db8::5]:2626")] }
        try update("other ranges") {
            $0.remoteIPRanges = try ["192.168.5.0/24", "10.2.0.1-10.2.0.99", "2001:db8:1::/48", "2001:db8:2::7"].map { try IPRange(parsing: $0) }
        }
        try update("another transport role") { $0.transportRole = .hubTransport }
        XCTAssertEqual(try store.connectorRoutes(server: "MBX01").last?.transportRole, .hubTransport)
        try update("a comment only") { $0.comment = "not routing" }
        let routes = try store.connectorRoutes(server: "MBX01")
        XCTAssertEqual(routes.last, ConnectorRoute(c))

        // The route read takes the columns: a row whose JSON no longer reads still routes as its columns say,
        // while reading it in full is refused.
        let stored = try XCTUnwrap(try store.connector(guid: c.guid))
        try writeConnectorData(guid: c.guid, #"{"name":"Relay Renamed"}"#, keepingRouteColumns: true)
        XCTAssertEqual(try store.connectorRoutes(server: "MBX01"), routes)
        XCTAssertNotNil(storeError { _ = try store.connectors(server: "MBX01") })
        try writeConnectorData(guid: c.guid, try StoreJSON.encode(stored.connector), keepingRouteColumns: true)

        let copy = try openAnotherEmpty()
        try copy.importOrganization(try store.exportOrganization(), from: store.path)
        try assertRoutesFollowTheConnectors(copy, "copied")
        XCTAssertEqual(try copy.connectorRoutes(server: "MBX01"), routes)
        try store.removeConnector(guid: c.guid, expectedRevision: revision)
        try assertRoutesFollowTheConnectors(store, "removed")
        XCTAssertEqual(try store.connectorRoutes(server: "MBX01"), Array(routes.dropLast()))
    }

    /// A store of schema v3 opens as v4 with every connector's routing columns filled from its JSON; a row whose
    /// JSON doesn't read keeps them NULL, and the route read then reads it in full and is refused as before.
    func checkAStoreOfSchemaV3IsUpgradedWithRoutingColumns() throws {
        let store = try seeded()
        var relay = try relayConnector(remote: "2001:db8::/32")
        relay.bindings.append(try IPBinding(parsing: "[::]:25"))
        relay.remoteIPRanges.append(try IPRange(parsing: "10.1.0.1-10.1.0.9"))
        try store.insertConnector(relay)
        let before = try store.connectors(server: nil)
        let broken = before[1].connector.guid
        try writeConnectorData(guid: broken, #"{"name":"broken"}"#)
        closeStores()
        try undoV4()

        let upgraded = try open(create: false)
        XCTAssertEqual(
            try (upgraded as? SQLiteConfigStore)?.appliedMigrations() ?? (upgraded as? PostgresConfigStore)?.appliedMigrations(),
            ["v1", "v2", "v3", "v4"])
        let columns = try storedRouteColumns(upgraded)
        XCTAssertEqual(Set(columns.keys), Set(before.map(\.connector.guid)).subtracting([broken]), "every row but the broken one")
        for stored in before where stored.connector.guid != broken {
            XCTAssertEqual(columns[stored.connector.guid], RouteColumns(stored.connector), stored.connector.name)
        }
        let error = storeError { _ = try upgraded.connectors(server: "MBX01") }
        XCTAssertTrue(error?.description.lowercased().contains(broken.uuidString.lowercased()) ?? false, "\(String(describing: error))")
        XCTAssertEqual(storeError { _ = try upgraded.connectorRoutes(server: "MBX01") }?.description, error?.description, "the same refusal")

        // Mended by hand (columns still NULL), the row's route is read in full.
        try writeConnectorData(guid: broken, try StoreJSON.encode(before[1].connector))
        XCTAssertEqual(try upgraded.connectorRoutes(server: "MBX01"), before.map { ConnectorRoute($0.connector) })
        XCTAssertNil(try storedRouteColumns(upgraded)[broken])
        // Any write of it fills them.
        var mended = before[1].connector
        mended.comment = "written again"
        try upgraded.updateConnector(mended, expectedRevision: before[1].revision)
        try assertRoutesFollowTheConnectors(upgraded, "after a write")
    }

    /// Lets go of the test's stores (a backend whose schema a test changes under them).
    func closeStores() {}

    /// Rows in the store's own JSON are read without JSONDecoder; a row in another JSON form (pretty-printed,
    /// keys in another order, a key this version doesn't know) still reads, through JSONDecoder, and a row
    /// nothing can read is refused in one line naming the connector.
    func checkConnectorRowsInAnotherJSONFormStillRead() throws {
        let store = try seeded()
        let stored = try XCTUnwrap(try store.connectors(server: nil).first)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        let text = "{\n  \"aSettingOfALaterVersion\" : 1," + String(decoding: try encoder.encode(stored.connector), as: UTF8.self).dropFirst()
        XCTAssertNil(ReceiveConnector(storedJSON: text), "the store's own reader declines it")
        try writeConnectorData(guid: stored.connector.guid, text)
        XCTAssertEqual(try store.connectors(server: nil).first, stored)
        XCTAssertEqual(try open(create: false).connector(guid: stored.connector.guid), stored)
        XCTAssertEqual(try store.connectorRoutes(server: "MBX01"), try store.connectors(server: "MBX01").map { ConnectorRoute($0.connector) })

        try writeConnectorData(guid: stored.connector.guid, #"{"name":"Default MBX01"}"#)
        let error = storeError { _ = try store.connectors(server: "MBX01") }
        let line = error?.description.lowercased() ?? ""
        XCTAssertTrue(line.hasPrefix("receive connector \(stored.connector.guid.uuidString.lowercased()) in the store can't be read"), line)
        XCTAssertFalse(line.contains("\n"), line)
        XCTAssertEqual(storeError { _ = try store.connectorRoutes(server: "MBX01") }?.description, error?.description, "the same refusal")
    }

    /// `receptor store copy` (issue 14 item 6): an organization goes to a store of the other backend and back
    /// whole — GUIDs, revisions, times, permissions, domains, mailboxes with their hashes (the password still
    /// signs in), settings — the generation of the target rising once; a store that is not empty is refused
    /// and left as it was.
    func checkAnOrganizationCopiesIntoAnEmptyStoreAndBack() throws {
        let store = try seeded()
        let edge = Server(name: "EDGE01", role: .edge, fqdn: "edge01.contoso.test", domain: "contoso.test")
        try store.addServer(edge, connectors: ConnectorDefaults.setupConnectors(for: edge), acceptedDomains: [])
        let relay = try store.insertConnector(try relayConnector())
        var changed = relay.connector
        changed.comment = "changed once"
        try store.updateConnector(changed, expectedRevision: 1)
        try store.addPermission(
            PermissionEntry(user: SecurityPrincipal("NT AUTHORITY\\ANONYMOUS LOGON"), extendedRights: [.acceptAnyRecipient]),
            connector: relay.connector.guid)
        try store.addPermission(
            PermissionEntry(user: SecurityPrincipal("CONTOSO\\Printers"), extendedRights: [.submit], deny: true), connector: relay.connector.guid)
        try store.addAcceptedDomain(AcceptedDomain(name: "fabrikam.test", domainName: "fabrikam.test", domainType: .internalRelay, isDefault: true))
        let transport = try addKateAndOrganizationSettings(to: store)
        let original = try store.exportOrganization()

        // To the other backend's kind of store (an SQLite file: the same code path either way) and back.
        let middlePath = storePath + ".copy.sqlite"
        let middle = try SQLiteConfigStore.open(path: middlePath, create: true)
        try middle.importOrganization(original, from: store.path)
        let back = try openAnotherEmpty()
        try back.importOrganization(try middle.exportOrganization(), from: middlePath)
        for (label, copy) in [("the copy", middle as any ConfigStore), ("the copy of the copy", back)] {
            let got = try copy.snapshot()
            var expected = original.snapshot
            expected.generation = 1
            assertSameSnapshot(got, expected)
            XCTAssertEqual(got.transportConfig, transport, label)
            XCTAssertEqual(got.recipientFilterConfig, original.snapshot.recipientFilterConfig, label)
            XCTAssertEqual(try copy.exportOrganization().passwordHashes, original.passwordHashes, "\(label): hashes, never passwords")
            XCTAssertEqual(try copy.connector(guid: relay.connector.guid)?.revision, 2, label)
            XCTAssertEqual(try copy.changes(since: 0).map(\.summary).first?.hasPrefix("Copied from "), true, label)
        }
        XCTAssertEqual(try back.authenticate(login: "kate@contoso.test", password: "P@ssw0rd!")?.userPrincipalName, "kate@contoso.test")

        // A store that already holds an organization is refused, untouched.
        let before = try store.snapshot()
        let error = storeError { try store.importOrganization(original, from: middlePath) }
        guard case .refused(let message) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.contains("is not empty") && message.contains("2 servers"), message)
        assertSameSnapshot(try store.snapshot(), before)
    }

    /// The organization's control secret goes with a copy, from this backend into an SQLite file and from that
    /// into this backend (so consoles holding it still attach to the moved organization's listeners), and is
    /// never shown on the way; a store without one copies without one; a target that holds a secret of its own
    /// is not empty, and keeps it.
    func checkTheControlSecretGoesWithTheCopy() throws {
        let store = try seeded()
        let without = try store.exportOrganization()
        XCTAssertNil(without.controlSecret)
        let plainPath = storePath + ".plain.sqlite"
        try SQLiteConfigStore.open(path: plainPath, create: true).importOrganization(without, from: store.path)
        XCTAssertNil(try SQLiteConfigStore.open(path: plainPath, create: false).controlSecret(create: false))

        let secret = try XCTUnwrap(try store.controlSecret(create: true))
        let export = try store.exportOrganization()
        XCTAssertEqual(export.controlSecret, secret)
        let middlePath = storePath + ".middle.sqlite"
        let middle = try SQLiteConfigStore.open(path: middlePath, create: true)
        try middle.importOrganization(export, from: store.path)
        XCTAssertEqual(try middle.controlSecret(create: false), secret, "\(backendName) to SQLite")
        let back = try openAnotherEmpty()
        try back.importOrganization(try middle.exportOrganization(), from: middlePath)
        XCTAssertEqual(try back.controlSecret(create: false), secret, "SQLite to \(backendName)")
        XCTAssertEqual(try back.controlSecret(create: true), secret, "a listener of the copy keeps it")
        XCTAssertEqual(try back.generation(), 1, "the copy is one change")
        for text in [export.summary, "\(export)", try back.changes(since: 0).map(\.summary).joined(separator: "\n")] {
            XCTAssertTrue(text.contains(OrganizationExport.controlSecretNoun) || text.contains("(the organization's control secret)"), text)
            XCTAssertFalse(text.lowercased().contains(secret.stored), "the secret shown: \(text)")
        }

        // A store that holds nothing but a secret is some other organization's: refused, its secret kept.
        let other = try openAnotherEmpty()
        let theirs = try XCTUnwrap(try other.controlSecret(create: true))
        let error = storeError { try other.importOrganization(export, from: store.path) }
        guard case .refused(let message) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.contains("is not empty") && message.contains(OrganizationExport.controlSecretNoun), message)
        XCTAssertFalse(message.contains(secret.stored) || message.contains(theirs.stored), message)
        XCTAssertEqual(try other.controlSecret(create: false), theirs)
        XCTAssertEqual(try other.servers(), [])
    }

    /// An export that breaks a rule is refused whole, before anything is written.
    func checkACopyThatBreaksARuleWritesNothing() throws {
        let store = try seeded()
        var export = try store.exportOrganization()
        var twin = export.snapshot.connectors[0]
        twin.connector.guid = UUID()
        export.snapshot.connectors.append(twin)  // the same name and binding twice on one server
        let target = try openAnotherEmpty()
        XCTAssertNotNil(storeError { try target.importOrganization(export, from: "test") })
        XCTAssertEqual(try target.servers(), [])
        XCTAssertEqual(try target.generation(), 0)
        try store.addAccount(
            MailboxAccount(name: "kate", alias: "kate", userPrincipalName: "kate@contoso.test", primarySmtpAddress: "kate@contoso.test"),
            password: "P@ssw0rd!")
        export = try store.exportOrganization()
        export.passwordHashes = ["kate@contoso.test": "plain text"]
        let refusal = storeError { try target.importOrganization(export, from: "test") }
        XCTAssertEqual(refusal?.description.contains("no password hash"), true, "\(String(describing: refusal))")
        XCTAssertEqual(try target.generation(), 0)
    }

    func checkAStaleRevisionIsRefusedAndNothingIsOverwritten() throws {
        let store = try seeded()
        let stored = try store.insertConnector(try relayConnector())
        let other = try open(create: false)
        var first = stored.connector
        first.comment = "first"
        XCTAssertEqual(try store.updateConnector(first, expectedRevision: 1).revision, 2)
        var second = stored.connector
        second.comment = "second"
        let error = storeError { try other.updateConnector(second, expectedRevision: 1) }
        guard case .revisionConflict = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(try other.connector(guid: stored.connector.guid)?.connector.comment, "first")
        XCTAssertNotNil(storeError { try other.removeConnector(guid: stored.connector.guid, expectedRevision: 1) })
        try other.removeConnector(guid: stored.connector.guid, expectedRevision: 2)
        XCTAssertNil(try store.connector(guid: stored.connector.guid))
    }

    func checkAccountsKeepOnlySaltedSlowHashes() throws {
        let store = try seeded()
        try store.addAccount(MailboxAccount(name: "kate", userPrincipalName: "kate@contoso.test"), password: "P@ssw0rd!")
        try store.addAccount(MailboxAccount(name: "ben", userPrincipalName: "ben@contoso.test"), password: "P@ssw0rd!")
        XCTAssertEqual(try store.authenticate(login: "KATE@contoso.test", password: "P@ssw0rd!")?.name, "kate")
        XCTAssertNil(try store.authenticate(login: "kate@contoso.test", password: "wrong"))
        XCTAssertNil(try store.authenticate(login: "nobody@contoso.test", password: "P@ssw0rd!"))
        let error = storeError { try store.addAccount(MailboxAccount(name: "k2", userPrincipalName: "Kate@Contoso.test"), password: "x") }
        guard case .alreadyExists = error else { return XCTFail("\(String(describing: error))") }
        try store.removeAccount(userPrincipalName: "BEN@contoso.test")
        XCTAssertEqual(try store.accounts().map(\.name), ["kate"])
    }

    func checkListenerRegistrationsLeaveTheGenerationAlone() throws {
        let store = try seeded()
        let started = Date(timeIntervalSince1970: 1_760_000_000.123)
        let registration = ListenerRegistration(
            id: "listener-1", server: "MBX01", pid: 4242, host: "mbx01",
            controlSocket: "/run/l.sock", startedAt: started, heartbeatAt: started)
        try store.registerListener(registration)
        XCTAssertEqual(try open(create: false).listeners(), [registration])
        try store.heartbeat(listenerID: "listener-1", statusJSON: #"{"ok":true}"#)
        XCTAssertEqual(try store.listeners().first?.statusJSON, #"{"ok":true}"#)
        guard case .notFound = storeError({ try store.heartbeat(listenerID: "nope", statusJSON: "{}") }) else { return XCTFail() }
        try store.unregisterListener(id: "listener-1")
        XCTAssertEqual(try store.listeners(), [])
        XCTAssertEqual(try store.generation(), 1)
    }

    /// The organization's control secret: none until asked for with `create`, then one for every instance
    /// (two made at once agree), 256 bits, never a configuration change; a registration keeps its TCP
    /// control endpoint and certificate fingerprint, and a re-registration without them clears them.
    func checkTheControlSecretIsMadeOnceAndRegistrationsCarryTheEndpoint() throws {
        let store = try seeded()
        XCTAssertNil(try store.controlSecret(create: false))
        let instances = try (0..<2).map { _ in try open(create: false) }
        let failures = Failures(), made = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do {
                guard let secret = try instances[i].controlSecret(create: true) else { return failures.add("no secret made") }
                made.add(secret.stored)
            } catch { failures.add("\(error)") }
        }
        XCTAssertEqual(failures.all, [])
        XCTAssertEqual(made.all.count, 2)
        XCTAssertEqual(Set(made.all).count, 1, "one secret for the organization")
        let secret = try XCTUnwrap(made.all.first.flatMap { ControlSecret(stored: $0) }, "256 bits of hex")
        XCTAssertEqual(try store.controlSecret(create: false), secret)
        XCTAssertEqual(try store.controlSecret(create: true), secret, "made once")
        XCTAssertEqual(try store.generation(), 1, "the secret is not configuration")
        XCTAssertEqual(try store.changes(since: 1), [])

        let started = Date(timeIntervalSince1970: 1_760_000_000.123)
        let registration = ListenerRegistration(
            id: "listener-1", server: "MBX01", pid: 4242, host: "mbx01", controlSocket: "/run/l.sock", startedAt: started, heartbeatAt: started,
            controlEndpoint: "mbx01.contoso.test:8725", controlFingerprint: String(repeating: "ab", count: 32))
        try store.registerListener(registration)
        XCTAssertEqual(try instances[0].listeners(), [registration])
        var plain = registration
        plain.controlEndpoint = nil
        plain.controlFingerprint = nil
        try store.registerListener(plain)
        XCTAssertEqual(try instances[1].listeners(), [plain])
        XCTAssertEqual(try store.generation(), 1)
    }

    func checkAMissingStoreIsNotCreatedWithoutCreate() throws {
        guard case .storeMissing = storeError({ _ = try self.openMissing() }) else { return XCTFail() }
    }

    /// Two writers, each adding a connector that conflicts with the other's (same bindings and remote range)
    /// at the same moment: exactly one wins, the other is refused by the rules, and the generation went up once.
    func checkOfTwoConflictingConcurrentInsertsExactlyOneWins() throws {
        _ = try seeded()
        for round in 0..<5 {
            let stores = try (0..<2).map { _ in try open(create: false) }
            let before = try stores[0].generation()
            let candidates = try (0..<2).map { try relayConnector("R\(round)-\($0)", remote: "10.9.\(round).1") }
            let wins = Failures(), refusals = Failures(), failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 2) { writer in
                do {
                    try stores[writer].insertConnector(candidates[writer])
                    wins.add("\(writer)")
                } catch StoreError.invalid(let v) where v.map(\.rule) == [.identicalBindingAndRange] {
                    refusals.add("\(writer)")
                } catch { failures.add("\(error)") }
            }
            XCTAssertEqual(failures.all, [])
            XCTAssertEqual(wins.all.count, 1, "round \(round)")
            XCTAssertEqual(refusals.all.count, 1, "round \(round)")
            XCTAssertEqual(try stores[1].generation(), before + 1)
            XCTAssertEqual(try stores[0].connectors(server: "MBX01").filter { $0.connector.name.hasPrefix("R\(round)-") }.count, 1)
        }
    }

    /// Four writers doing read-modify-write on one connector, retrying on a stale revision: no update is
    /// lost (the final revision counts every success) and the generation went up once per success.
    func checkNoLostUpdateOnRevisions() throws {
        let setup = try seeded()
        let guid = try setup.insertConnector(try relayConnector()).connector.guid
        let stores = try (0..<4).map { _ in try open(create: false) }
        let perWriter = 5
        let failures = Failures(), conflicts = Failures()
        DispatchQueue.concurrentPerform(iterations: stores.count) { writer in
            for i in 0..<perWriter {
                while true {
                    do {
                        guard var c = try stores[writer].connector(guid: guid) else { failures.add("gone"); return }
                        let revision = c.revision
                        c.connector.comment = (c.connector.comment) + "\(writer).\(i) "
                        try stores[writer].updateConnector(c.connector, expectedRevision: revision)
                        break
                    } catch StoreError.revisionConflict {
                        conflicts.add("\(writer)")
                    } catch { failures.add("\(error)"); return }
                }
            }
        }
        XCTAssertEqual(failures.all, [])
        let final = try XCTUnwrap(try setup.connector(guid: guid))
        XCTAssertEqual(final.revision, 1 + stores.count * perWriter)
        XCTAssertEqual(final.connector.comment.split(separator: " ").count, stores.count * perWriter, "every update is in the result")
        XCTAssertEqual(try setup.generation(), Int64(2 + stores.count * perWriter))
    }
}

final class SQLiteContractTests: BackendContractTestCase {
    override var backendName: String { "SQLite" }
    override func open(create: Bool) throws -> any ConfigStore { try SQLiteConfigStore.open(path: storePath, create: create) }
    override func openMissing() throws -> any ConfigStore { try SQLiteConfigStore.open(path: storePath + ".missing", create: false) }
    override func openAnotherEmpty() throws -> any ConfigStore {
        try SQLiteConfigStore.open(path: storePath + ".another-\(UUID().uuidString)", create: true)
    }
    override func writeConnectorData(guid: UUID, _ text: String, keepingRouteColumns: Bool) throws {
        let queue = try DatabaseQueue(path: storePath)
        let columns = keepingRouteColumns ? "" : ", enabled = NULL, transport_role = NULL, bindings = NULL, remote_ip_ranges = NULL"
        try queue.write { try $0.execute(sql: "UPDATE connectors SET data = ?\(columns) WHERE guid = ?", arguments: [text, guid.uuidString]) }
        try queue.close()
    }
    override func undoV4() throws {
        let queue = try DatabaseQueue(path: storePath)
        try queue.write { try ListenerTests.undoV4($0) }
        XCTAssertEqual(try queue.read { try Schema.migrator.appliedMigrations($0) }, ["v1", "v2", "v3"])
        try queue.close()
    }

    func testGeneration() throws { try checkGenerationGoesUpOncePerCommittingWriteAndNeverForARefusal() }
    func testRoundTrip() throws { try checkEveryKindOfValueRoundTripsAndAnotherInstanceSeesTheSame() }
    func testStaleRevision() throws { try checkAStaleRevisionIsRefusedAndNothingIsOverwritten() }
    func testAccounts() throws { try checkAccountsKeepOnlySaltedSlowHashes() }
    func testListeners() throws { try checkListenerRegistrationsLeaveTheGenerationAlone() }
    func testControlSecretAndEndpoints() throws { try checkTheControlSecretIsMadeOnceAndRegistrationsCarryTheEndpoint() }
    func testMissing() throws { try checkAMissingStoreIsNotCreatedWithoutCreate() }
    func testConflictingConcurrentInserts() throws { try checkOfTwoConflictingConcurrentInsertsExactlyOneWins() }
    func testNoLostUpdate() throws { try checkNoLostUpdateOnRevisions() }
    func testCopy() throws { try checkAnOrganizationCopiesIntoAnEmptyStoreAndBack() }
    func testCopyThatBreaksARule() throws { try checkACopyThatBreaksARuleWritesNothing() }
    func testCopyCarriesTheControlSecret() throws { try checkTheControlSecretGoesWithTheCopy() }
    func testConnectorRowsInAnotherJSONForm() throws { try checkConnectorRowsInAnotherJSONFormStillRead() }
    func testEveryKindOfWrite() throws { try checkEveryKindOfWriteLeavesTheSameStateAndLog() }
    func testRoutingColumns() throws { try checkTheRoutingColumnsFollowEveryKindOfWrite() }
    func testUpgradeToRoutingColumns() throws { try checkAStoreOfSchemaV3IsUpgradedWithRoutingColumns() }

    /// The route read never touches the table's rows: the index covers it.
    func testTheRouteReadIsCoveredByTheIndex() throws {
        let store = try SQLiteConfigStore.open(path: storePath, create: true)
        let plan = try store.read { try Row.fetchAll($0, sql: "EXPLAIN QUERY PLAN " + Records.routeQuery, arguments: ["MBX01"]) }
            .map { $0["detail"] as String }
        XCTAssertTrue(plan.contains { $0.contains("USING COVERING INDEX connectors_routes") }, "\(plan)")
        XCTAssertFalse(plan.contains { $0.hasPrefix("SCAN connectors") }, "\(plan)")
    }
}

/// A database of its own on the cluster RECEPTOR_TEST_POSTGRES names, for one test; `drop()` removes it.
/// Without RECEPTOR_TEST_POSTGRES the test fails with a line saying so (RECEPTOR_TEST_POSTGRES=skip skips it).
struct PostgresTestDatabase {
    let adminURI: String
    let database: String
    let uri: String

    init() throws {
        let value = ProcessInfo.processInfo.environment["RECEPTOR_TEST_POSTGRES"] ?? ""
        if value == "skip" { throw XCTSkip("RECEPTOR_TEST_POSTGRES=skip: the PostgreSQL variants of the store tests were skipped.") }
        guard !value.isEmpty else {
            // A thrown error fails the test with this line.
            throw StoreError.refused(
                "RECEPTOR_TEST_POSTGRES is not set, so the PostgreSQL store was NOT tested. Run scripts/test, or start a cluster with scripts/test-postgres start DIR and export the URI it prints (RECEPTOR_TEST_POSTGRES=skip skips these)."
            )
        }
        adminURI = value
        database = "receptor_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var components = try XCTUnwrap(URLComponents(string: adminURI))
        components.path = "/" + database
        uri = try XCTUnwrap(components.string)
        try psql("CREATE DATABASE \(database)")
    }

    func drop() { try? psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }

    /// Runs one statement with psql, on the admin database or on `uri`.
    func psql(_ sql: String, uri: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", uri ?? adminURI, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw StoreError.database("psql failed: \(sql)") }
    }
}

/// Each test gets a database of its own on the cluster RECEPTOR_TEST_POSTGRES names, dropped afterwards.
final class PostgresContractTests: BackendContractTestCase {
    override var backendName: String { "PostgreSQL" }
    var db: PostgresTestDatabase?
    var uri: String { db?.uri ?? "" }
    var opened: [PostgresConfigStore] = []
    /// Further databases a test made (`openAnotherEmpty`), dropped with the test's own.
    var extraDatabases: [PostgresTestDatabase] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        db = try PostgresTestDatabase()
    }

    override func tearDownWithError() throws {
        opened.forEach { $0.close() }
        opened = []
        db?.drop()
        extraDatabases.forEach { $0.drop() }
        extraDatabases = []
        try super.tearDownWithError()
    }

    func psql(_ sql: String, uri: String? = nil) throws { try db?.psql(sql, uri: uri) }

    override func open(create: Bool) throws -> any ConfigStore {
        let store = try PostgresConfigStore.open(uri: uri, create: create)
        opened.append(store)
        return store
    }
    override func openMissing() throws -> any ConfigStore { try PostgresConfigStore.open(uri: uri, create: false) }
    override func writeConnectorData(guid: UUID, _ text: String, keepingRouteColumns: Bool) throws {
        let quoted = text.replacingOccurrences(of: "'", with: "''")
        let columns = keepingRouteColumns ? "" : ", enabled = NULL, transport_role = NULL, bindings = NULL, remote_ip_ranges = NULL"
        try psql("UPDATE connectors SET data = '\(quoted)'\(columns) WHERE lower(guid) = '\(guid.uuidString.lowercased())'", uri: uri)
    }
    override func undoV4() throws { try psql(Self.undoV4, uri: uri) }
    override func closeStores() {
        opened.forEach { $0.close() }
        opened = []
    }
    /// Takes a store back to schema v3, as a Receptor before the routing columns left it.
    static let undoV4 = """
        ALTER TABLE connectors DROP COLUMN enabled, DROP COLUMN transport_role, DROP COLUMN bindings, DROP COLUMN remote_ip_ranges;
        DELETE FROM receptor_schema WHERE version = 'v4'
        """
    override func openAnotherEmpty() throws -> any ConfigStore {
        let another = try PostgresTestDatabase()
        extraDatabases.append(another)
        let store = try PostgresConfigStore.open(uri: another.uri, create: true)
        opened.append(store)
        return store
    }

    func testGeneration() throws { try checkGenerationGoesUpOncePerCommittingWriteAndNeverForARefusal() }
    func testRoundTrip() throws { try checkEveryKindOfValueRoundTripsAndAnotherInstanceSeesTheSame() }
    func testStaleRevision() throws { try checkAStaleRevisionIsRefusedAndNothingIsOverwritten() }
    func testAccounts() throws { try checkAccountsKeepOnlySaltedSlowHashes() }
    func testListeners() throws { try checkListenerRegistrationsLeaveTheGenerationAlone() }
    func testControlSecretAndEndpoints() throws { try checkTheControlSecretIsMadeOnceAndRegistrationsCarryTheEndpoint() }
    func testMissing() throws { try checkAMissingStoreIsNotCreatedWithoutCreate() }
    func testConflictingConcurrentInserts() throws { try checkOfTwoConflictingConcurrentInsertsExactlyOneWins() }
    func testNoLostUpdate() throws { try checkNoLostUpdateOnRevisions() }
    func testCopy() throws { try checkAnOrganizationCopiesIntoAnEmptyStoreAndBack() }
    func testCopyThatBreaksARule() throws { try checkACopyThatBreaksARuleWritesNothing() }
    func testCopyCarriesTheControlSecret() throws { try checkTheControlSecretGoesWithTheCopy() }
    func testConnectorRowsInAnotherJSONForm() throws { try checkConnectorRowsInAnotherJSONFormStillRead() }
    func testEveryKindOfWrite() throws { try checkEveryKindOfWriteLeavesTheSameStateAndLog() }
    func testRoutingColumns() throws { try checkTheRoutingColumnsFollowEveryKindOfWrite() }
    func testUpgradeToRoutingColumns() throws { try checkAStoreOfSchemaV3IsUpgradedWithRoutingColumns() }

    // PostgreSQL only: the schema, and the refusals of a database that isn't ours.

    func testMigrationsAreVersionedAndReopeningKeepsThem() throws {
        let store = try PostgresConfigStore.open(uri: uri, create: true)
        defer { store.close() }
        XCTAssertEqual(try store.appliedMigrations(), ["v1", "v2", "v3", "v4"])
        let again = try PostgresConfigStore.open(uri: uri, create: false)
        defer { again.close() }
        XCTAssertEqual(try again.appliedMigrations(), ["v1", "v2", "v3", "v4"])
    }

    func testAStoreOfSchemaV2IsUpgradedWithControlEndpoints() throws {
        let store = try PostgresConfigStore.open(uri: uri, create: true)
        let started = Date(timeIntervalSince1970: 1_760_000_000.123)
        let registration = ListenerRegistration(
            id: "listener-1", server: "MBX01", pid: 4242, host: "mbx01", controlSocket: "/run/l.sock", startedAt: started, heartbeatAt: started)
        try store.registerListener(registration)
        store.close()
        // Back to v2, as a Receptor before the TCP control endpoint left it.
        try psql(Self.undoV4, uri: uri)
        try psql(
            """
            ALTER TABLE listeners DROP COLUMN control_endpoint, DROP COLUMN control_fingerprint;
            DROP TABLE control_secret;
            DELETE FROM receptor_schema WHERE version = 'v3'
            """, uri: uri)
        let again = try PostgresConfigStore.open(uri: uri, create: false)
        defer { again.close() }
        XCTAssertEqual(try again.appliedMigrations(), ["v1", "v2", "v3", "v4"])
        XCTAssertEqual(try again.listeners(), [registration], "an old registration has no control endpoint")
        XCTAssertNil(try again.controlSecret(create: false))
        XCTAssertNotNil(try again.controlSecret(create: true))
        var withEndpoint = registration
        withEndpoint.controlEndpoint = "[2001:db8::25]:8725"
        withEndpoint.controlFingerprint = String(repeating: "0f", count: 32)
        try again.registerListener(withEndpoint)
        XCTAssertEqual(try again.listeners(), [withEndpoint])
    }

    func testANewerSchemaAndAForeignDatabaseAreRefused() throws {
        let store = try PostgresConfigStore.open(uri: uri, create: true)
        store.close()
        try psql("INSERT INTO receptor_schema (version) VALUES ('v99')", uri: uri)
        let newer = storeError { _ = try PostgresConfigStore.open(uri: self.uri, create: false) }
        XCTAssertTrue(newer?.description.contains("newer version of Receptor") ?? false, "\(String(describing: newer))")

        try psql("DROP TABLE receptor_schema CASCADE", uri: uri)
        let foreign = storeError { _ = try PostgresConfigStore.open(uri: self.uri, create: true) }
        XCTAssertTrue(foreign?.description.contains("is not a Receptor store") ?? false, "\(String(describing: foreign))")
    }

    func testErrorsNameTheStoreWithoutThePassword() throws {
        var components = try XCTUnwrap(URLComponents(string: uri))
        components.password = "s3cret-pw"
        components.path = "/no_such_database_here"
        let error = storeError { _ = try PostgresConfigStore.open(uri: components.string!, create: false) }
        let text = error?.description ?? ""
        XCTAssertTrue(text.contains("no_such_database_here"), text)
        XCTAssertFalse(text.contains("s3cret-pw"), text)

        components.port = 1
        components.host = "127.0.0.1"
        let unreachable = storeError { _ = try PostgresConfigStore.open(uri: components.string!, create: false) }
        XCTAssertTrue(unreachable?.description.hasPrefix("Can't reach the store at postgresql://") ?? false, "\(String(describing: unreachable))")
        XCTAssertFalse(unreachable?.description.contains("s3cret-pw") ?? true)
    }

    func testAServerThatAcceptsAndNeverAnswersIsGivenUpOnWithOneLine() throws {
        // A socket that listens and never answers (the kernel completes the TCP handshake from the backlog):
        // what a stopping, starting or hung server looks like. postgres-nio's connectTimeout covers the TCP
        // connect only, so without the set-up deadline this open waited for good.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(silent, 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(silent, $0, length) == 0 && listen(silent, 8) == 0 && getsockname(silent, $0, &length) == 0
            }
        }
        XCTAssertTrue(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let started = Date()
        let error = storeError {
            _ = try PostgresConfigStore.open(uri: "postgresql://kate:s3cret-pw@127.0.0.1:\(port)/receptor?sslmode=disable", create: false)
        }
        let text = error?.description ?? ""
        XCTAssertTrue(text.contains("did not finish connecting within 10 s"), text)
        XCTAssertTrue(text.contains("postgresql://kate@127.0.0.1:\(port)/receptor"), text)
        XCTAssertFalse(text.contains("s3cret-pw"), text)
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "given up on at the set-up deadline, not hung")
    }

    func testURIForms() throws {
        let tcp = try PostgresLocation.parse("postgresql://kate:pw@db.example:6543/receptor?sslmode=verify-full", environment: [:])
        XCTAssertEqual(tcp.host, "db.example"); XCTAssertEqual(tcp.port, 6543); XCTAssertEqual(tcp.password, "pw")
        XCTAssertEqual(tcp.database, "receptor"); XCTAssertEqual(tcp.sslMode, "verify-full")
        XCTAssertEqual(tcp.display, "postgresql://kate@db.example:6543/receptor?sslmode=verify-full")
        let socket = try PostgresLocation.parse("postgresql:///receptor?host=/run/postgresql", environment: ["USER": "ben", "PGPASSWORD": "envpw"])
        XCTAssertNil(socket.host); XCTAssertEqual(socket.socketFolder, "/run/postgresql")
        XCTAssertEqual(socket.user, "ben"); XCTAssertEqual(socket.password, "envpw")
        XCTAssertTrue(PostgresLocation.isPostgresURI("postgres://x/y"))
        XCTAssertFalse(PostgresLocation.isPostgresURI("/var/lib/receptor/receptor.sqlite"))
        let pgpass = folder.appendingPathComponent("pgpass")
        try "# comment\ndb.example:*:receptor:kate:from\\:file\n".write(to: pgpass, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: pgpass.path)
        let fromFile = try PostgresLocation.parse("postgresql://kate@db.example/receptor", environment: ["PGPASSFILE": pgpass.path])
        XCTAssertEqual(fromFile.password, "from:file")

        // Several hosts, as libpq reads them: in the authority, or as ?host= and ?port= lists.
        let pair = try PostgresLocation.parse(
            "postgresql://kate:pw@pg1,pg2:5433,[::1]:5434/receptor?target_session_attrs=read-write", environment: [:])
        XCTAssertEqual(pair.endpoints.map(\.host), ["pg1", "pg2", "::1"])
        XCTAssertEqual(pair.endpoints.map(\.port), [5432, 5433, 5434])
        XCTAssertEqual(pair.targetSessionAttrs, "read-write")
        XCTAssertEqual(pair.display, "postgresql://kate@pg1,pg2:5433,[::1]:5434/receptor?target_session_attrs=read-write")
        XCTAssertEqual(pair.password(for: pair.endpoints[1], environment: [:]), "pw", "the URI's password goes to every host")
        let lists = try PostgresLocation.parse("postgresql:///receptor?host=/run/a,pg2&port=5432,6000&password=pw", environment: [:])
        XCTAssertEqual(lists.endpoints, [.init(host: nil, socketFolder: "/run/a", port: 5432), .init(host: "pg2", socketFolder: nil, port: 6000)])
        XCTAssertEqual(lists.display, "postgresql:///receptor?host=/run/a,pg2&port=5432,6000")
        XCTAssertEqual(try PostgresLocation.parse("postgresql://x/y", environment: [:]).targetSessionAttrs, "any")

        // Typos get a one-line refusal with the nearest word, never the password.
        func refusal(_ uri: String) -> String {
            do { _ = try PostgresLocation.parse(uri, environment: [:]); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(refusal("postgresql://k:pw@h/d?sslmod=require").contains("Did you mean sslmode?"))
        XCTAssertTrue(refusal("postgresql://k:pw@h/d?sslmode=verfy-full").contains("Did you mean verify-full?"))
        XCTAssertTrue(refusal("postgresql://k:pw@h/d?target_session_attrs=read-wrte").contains("Did you mean read-write?"))
        let scheme = "\(PostgresLocation.notAStoreURI("postgresq://kate:secret@h/d"))"
        XCTAssertTrue(scheme.contains("Did you mean postgresql://?") && scheme.contains("postgresq://kate@h/d"), scheme)
        for text in [scheme, refusal("postgresql://k:secret@h:99999/d"), refusal("postgresql://k:secret@h/d?x=1")] {
            XCTAssertFalse(text.contains("secret"), text)
        }
        XCTAssertTrue(PostgresLocation.looksLikeURI("mysql://h/d"))
        XCTAssertFalse(PostgresLocation.looksLikeURI("./data/receptor.sqlite"))
        XCTAssertEqual(PostgresLocation.redacted("postgresql://a:b@h/d?password=c&sslmode=require"), "postgresql://a@h/d?sslmode=require")
    }

    /// A URI naming several hosts is tried host by host: a server that is down is passed over, and one that is
    /// not what target_session_attrs asks for (a primary, for read-only) is refused with a line naming each.
    func testSeveralHostsAreTriedInOrder() throws {
        var components = try XCTUnwrap(URLComponents(string: uri))
        let port = try XCTUnwrap(components.port)
        components.host = "127.0.0.1"
        let down = try XCTUnwrap(components.string).replacingOccurrences(of: "127.0.0.1:\(port)", with: "127.0.0.1:1,127.0.0.1:\(port)")
        let store = try PostgresConfigStore.open(uri: down, create: true)
        opened.append(store)
        XCTAssertEqual(try store.generation(), 0, "the second host answered")
        let readOnly = down + (down.contains("?") ? "&" : "?") + "target_session_attrs=read-only"
        do {
            _ = try PostgresConfigStore.open(uri: readOnly, create: false)
            XCTFail("a primary is not read-only")
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.contains("None of the servers") && text.contains("127.0.0.1:1:") && text.contains("it is not read-only"), text)
        }
    }
}
