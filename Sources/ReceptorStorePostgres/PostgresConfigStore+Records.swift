import Foundation
import PostgresNIO
import ReceptorCore
import ReceptorStore

/// Times as the SQLite store keeps them: bigint milliseconds since 1970, so values round-trip exactly.
enum PGClock {
    static func now() -> (millis: Int64, date: Date) { let ms = millis(Date()); return (ms, date(ms)) }
    static func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}

/// JSON as the SQLite store writes it: sorted keys.
enum PGJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: @autoclosure () -> String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw StoreError.database("\(what()) in the store can't be read by this version of Receptor: \(error)")
        }
    }
}

/// Reading and writing rows inside the caller's transaction (the counterpart of ReceptorStore's `Records`).
enum PGRecords {
    typealias Session = PostgresConfigStore.Session

    static func generation(_ s: Session) throws -> Int64 {
        try s.rows("SELECT generation FROM store_generation WHERE id = 1").first?.decode(Int64.self) ?? 0
    }

    /// Ends every configuration write: the generation goes up by exactly one, the change log says why, and
    /// listeners are notified (`PostgresChangeFeed`). Only committing writes reach it (refusals throw first), so
    /// no-op and refused writes never bump it; the NOTIFY is part of the transaction, so PostgreSQL delivers it
    /// only if the transaction commits. Its payload is the generation, never a body (8000 bytes at most).
    @discardableResult
    static func bumpGeneration(_ s: Session, summary: String) throws -> Int64 {
        guard
            let generation = try s.rows("UPDATE store_generation SET generation = generation + 1 WHERE id = 1 RETURNING generation")
                .first?.decode(Int64.self)
        else { throw StoreError.database("The store has no generation row; it is damaged.") }
        try s.query("INSERT INTO change_log (generation, at, summary) VALUES (\(generation), \(PGClock.now().millis), \(summary))")
        // `Session.query` collects the rows, so an error of pg_notify is raised, not dropped (notes §8).
        try s.query("SELECT pg_notify(\(PostgresChangeFeed.channel), \(String(generation)))")
        return generation
    }

    static func changes(_ s: Session, since generation: Int64) throws -> [ChangeRecord] {
        try s.rows("SELECT generation, at, summary FROM change_log WHERE generation > \(generation) ORDER BY generation").map {
            let (g, at, summary) = try $0.decode((Int64, Int64, String).self, context: .default)
            return ChangeRecord(generation: g, at: PGClock.date(at), summary: summary)
        }
    }

    // Servers
    static func servers(_ s: Session) throws -> [Server] {
        try s.rows("SELECT name, data FROM servers ORDER BY seq").map(server(from:))
    }
    static func server(_ s: Session, named name: String) throws -> Server? {
        try s.rows("SELECT name, data FROM servers WHERE lower(name) = lower(\(name))").first.map(server(from:))
    }
    static func server(from row: PostgresRow) throws -> Server {
        let (name, data) = try row.decode((String, String).self, context: .default)
        return try PGJSON.decode(Server.self, data, what: "Server \(name)")
    }
    static func insert(_ s: Session, server: Server) throws {
        try s.query(
            "INSERT INTO servers (name, role, fqdn, domain, data) VALUES (\(server.name), \(server.role.rawValue), \(server.fqdn), \(server.domain), \(try PGJSON.encode(server)))"
        )
    }
    static func update(_ s: Session, server: Server) throws {
        try s.query(
            "UPDATE servers SET role = \(server.role.rawValue), fqdn = \(server.fqdn), domain = \(server.domain), data = \(try PGJSON.encode(server)) WHERE name = \(server.name)"
        )
    }

    // Connectors
    static func connectors(_ s: Session, server: String?) throws -> [StoredConnector] {
        let rows: [PostgresRow]
        if let server {
            rows = try s.rows(
                "SELECT guid, revision, data, created_at, changed_at FROM connectors WHERE lower(server) = lower(\(server)) ORDER BY seq")
        } else {
            rows = try s.rows("SELECT guid, revision, data, created_at, changed_at FROM connectors ORDER BY seq")
        }
        return try rows.map(connector(from:))
    }
    static func connector(_ s: Session, guid: UUID) throws -> StoredConnector? {
        try s.rows("SELECT guid, revision, data, created_at, changed_at FROM connectors WHERE guid = \(key(guid))").first.map(connector(from:))
    }
    static func connector(from row: PostgresRow) throws -> StoredConnector {
        let (guid, revision, data, created, changed) = try row.decode((String, Int32, String, Int64, Int64).self, context: .default)
        let connector = try ReceiveConnector(storedJSON: data) ?? PGJSON.decode(ReceiveConnector.self, data, what: "Receive connector \(guid)")
        return StoredConnector(connector: connector, revision: Int(revision), whenCreated: PGClock.date(created), whenChanged: PGClock.date(changed))
    }
    /// The row's routing columns (`RouteColumns`) are written with its JSON, in the same statement.
    static func insert(_ s: Session, connector stored: StoredConnector) throws {
        let c = stored.connector
        let route = RouteColumns(c)
        try s.query(
            """
            INSERT INTO connectors (guid, server, name, revision, data, created_at, changed_at, enabled, transport_role, bindings, remote_ip_ranges)
            VALUES (\(key(c.guid)), \(c.server), \(c.name), \(Int32(stored.revision)), \(try PGJSON.encode(c)),
                    \(PGClock.millis(stored.whenCreated)), \(PGClock.millis(stored.whenChanged)),
                    \(route.enabled), \(route.transportRole), \(route.bindings), \(route.remoteIPRanges))
            """)
    }
    /// Writes the new revision only over the expected one; 0 rows means someone else got there first.
    static func update(_ s: Session, connector stored: StoredConnector, expectedRevision: Int) throws -> Bool {
        let c = stored.connector
        let route = RouteColumns(c)
        return try s.execute(
            """
            UPDATE connectors SET server = \(c.server), name = \(c.name), revision = \(Int32(stored.revision)), data = \(try PGJSON.encode(c)),
                   changed_at = \(PGClock.millis(stored.whenChanged)), enabled = \(route.enabled), transport_role = \(route.transportRole),
                   bindings = \(route.bindings), remote_ip_ranges = \(route.remoteIPRanges)
            WHERE guid = \(key(c.guid)) AND revision = \(Int32(expectedRevision))
            """) == 1
    }
    static func key(_ guid: UUID) -> String { guid.uuidString }

    // Permissions
    static func permissionRows(_ s: Session, connector guid: UUID) throws -> [PermissionRow] {
        try s.rows("SELECT id, principal, rights, deny FROM permissions WHERE connector = \(key(guid)) ORDER BY id").map {
            let (id, principal, rights, deny) = try $0.decode((Int64, String, String, Bool).self, context: .default)
            return PermissionRow(id: id, entry: try permission(principal, rights, deny))
        }
    }
    static func allPermissions(_ s: Session) throws -> [UUID: [PermissionEntry]] {
        var result: [UUID: [PermissionEntry]] = [:]
        for row in try s.rows("SELECT connector, principal, rights, deny FROM permissions ORDER BY id") {
            let (text, principal, rights, deny) = try row.decode((String, String, String, Bool).self, context: .default)
            guard let guid = UUID(uuidString: text) else {
                throw StoreError.database("A permission entry in the store names the connector \"\(text)\", which is not a GUID.")
            }
            result[guid, default: []].append(try permission(principal, rights, deny))
        }
        return result
    }
    static func permission(_ principal: String, _ rights: String, _ deny: Bool) throws -> PermissionEntry {
        PermissionEntry(
            user: SecurityPrincipal(principal),
            extendedRights: try PGJSON.decode([ExtendedRight].self, rights, what: "The permission entry of \(principal)"), deny: deny)
    }

    // Accepted domains
    static func acceptedDomains(_ s: Session) throws -> [AcceptedDomain] {
        try s.rows("SELECT name, domain_name, type, is_default FROM accepted_domains ORDER BY id").map {
            let (name, domainName, typeText, isDefault) = try $0.decode((String, String, String, Bool).self, context: .default)
            guard let type = AcceptedDomainType(rawValue: typeText) else {
                throw StoreError.database("Accepted domain \(name) in the store has the unknown type \"\(typeText)\".")
            }
            return AcceptedDomain(name: name, domainName: domainName, domainType: type, isDefault: isDefault)
        }
    }

    // Accounts
    static func accountsWithHashes(_ s: Session) throws -> [(account: MailboxAccount, hash: String)] {
        try s.rows("SELECT name, alias, user_principal_name, primary_smtp_address, email_addresses, password_hash FROM accounts ORDER BY id").map {
            let (name, alias, upn, primary, addressesText, hash) = try $0.decode(
                (String, String, String, String, String, String).self, context: .default)
            let addresses = (try? JSONDecoder().decode([String].self, from: Data(addressesText.utf8))) ?? []
            return (MailboxAccount(name: name, alias: alias, userPrincipalName: upn, primarySmtpAddress: primary, emailAddresses: addresses), hash)
        }
    }

    static func controlSecret(_ s: Session) throws -> String? {
        try s.rows("SELECT secret FROM control_secret WHERE id = 1").first?.decode(String.self)
    }

    // Listeners
    static func listeners(_ s: Session) throws -> [ListenerRegistration] {
        try s.rows(
            """
            SELECT id, server, pid, host, control_socket, started_at, heartbeat_at, status_json, control_endpoint, control_fingerprint
            FROM listeners ORDER BY started_at, id
            """
        ).map {
            let (id, server, pid, host, socket, started, heartbeat, status, endpoint, fingerprint) = try $0.decode(
                (String, String, Int32, String, String, Int64, Int64, String, String?, String?).self, context: .default)
            return ListenerRegistration(
                id: id, server: server, pid: pid, host: host, controlSocket: socket,
                startedAt: PGClock.date(started), heartbeatAt: PGClock.date(heartbeat), statusJSON: status,
                controlEndpoint: endpoint, controlFingerprint: fingerprint)
        }
    }

    // Organization-wide settings, one JSON value each in meta.
    static func metaValue(_ s: Session, _ key: String) throws -> String? {
        try s.rows("SELECT value FROM meta WHERE key = \(key)").first?.decode(String.self)
    }
    static func setMeta(_ s: Session, _ key: String, _ value: String) throws {
        try s.query("INSERT INTO meta (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    }
    static func transportConfig(_ s: Session) throws -> TransportConfig {
        guard let text = try metaValue(s, "transport_config") else { return TransportConfig() }
        return (try? JSONDecoder().decode(TransportConfig.self, from: Data(text.utf8))) ?? TransportConfig()
    }
    static func recipientFilterConfig(_ s: Session) throws -> RecipientFilterConfig {
        guard let text = try metaValue(s, "recipient_filter_config") else { return RecipientFilterConfig() }
        return (try? JSONDecoder().decode(RecipientFilterConfig.self, from: Data(text.utf8))) ?? RecipientFilterConfig()
    }
}
