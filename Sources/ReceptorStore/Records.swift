import Foundation
import GRDB
import ReceptorCore

/// Times in the store: INTEGER milliseconds since 1970. Values handed out are always rounded to the
/// millisecond, so what a write returns equals what a later read gives.
enum StoreClock {
    static func now() -> (millis: Int64, date: Date) {
        let ms = millis(Date())
        return (ms, date(ms))
    }
    static func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}

/// JSON as the store writes it: sorted keys, so the same value always gives the same text.
enum StoreJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: @autoclosure () -> String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw StoreError.database("\(what()) in the store can't be read by this version of Receptor: \(reason(error))")
        }
    }

    static func reason(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : " (at \(keys.joined(separator: ".")))"
        }
        switch error {
        case .dataCorrupted(let c): return c.debugDescription + path(c)
        case .keyNotFound(let key, let c): return "\(key.stringValue) is missing" + path(c)
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return c.debugDescription + path(c)
        @unknown default: return "\(error)"
        }
    }
}

/// Reading and writing rows. Every function takes the `Database` of the caller's transaction.
enum Records {
    // MARK: Generation and change log

    static func generation(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'generation'") ?? 0
    }

    /// Ends every configuration write: the generation goes up by exactly one and the change log says why.
    @discardableResult
    static func bumpGeneration(_ db: Database, summary: String) throws -> Int64 {
        try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        let generation = try self.generation(db)
        try db.execute(
            sql: "INSERT INTO change_log (generation, at, summary) VALUES (?, ?, ?)",
            arguments: [generation, StoreClock.now().millis, summary])
        return generation
    }

    static func changes(_ db: Database, since generation: Int64) throws -> [ChangeRecord] {
        try Row.fetchAll(
            db, sql: "SELECT generation, at, summary FROM change_log WHERE generation > ? ORDER BY generation",
            arguments: [generation]
        ).map {
            ChangeRecord(generation: $0["generation"], at: StoreClock.date($0["at"]), summary: $0["summary"])
        }
    }

    // MARK: Servers

    static func servers(_ db: Database) throws -> [Server] {
        try Row.fetchAll(db, sql: "SELECT name, data FROM servers ORDER BY rowid").map(server(from:))
    }

    static func server(_ db: Database, named name: String) throws -> Server? {
        try Row.fetchOne(db, sql: "SELECT name, data FROM servers WHERE name = ?", arguments: [name]).map(server(from:))
    }

    static func server(from row: Row) throws -> Server {
        let name: String = row["name"]
        return try StoreJSON.decode(Server.self, row["data"], what: "Server \(name)")
    }

    static func insert(_ db: Database, server: Server) throws {
        try db.execute(
            sql: "INSERT INTO servers (name, role, fqdn, domain, data) VALUES (?, ?, ?, ?, ?)",
            arguments: [server.name, server.role.rawValue, server.fqdn, server.domain, try StoreJSON.encode(server)])
    }

    static func update(_ db: Database, server: Server) throws {
        try db.execute(
            sql: "UPDATE servers SET role = ?, fqdn = ?, domain = ?, data = ? WHERE name = ?",
            arguments: [server.role.rawValue, server.fqdn, server.domain, try StoreJSON.encode(server), server.name])
    }

    // MARK: Connectors

    /// In this order: `connector(from:)` reads them by position.
    static let connectorColumns = "guid, revision, data, created_at, changed_at"

    /// Read row by row (a server may have thousands of connectors), never all rows first. A server's rows are
    /// found by scanning the table in rowid order (NOT INDEXED): through the (server, name) index, SQLite sorted
    /// every row, data and all, in a temporary file to give them in rowid order.
    static func connectors(_ db: Database, server: String?) throws -> [StoredConnector] {
        let rows: RowCursor
        let count: Int
        if let server {
            count = try Int.fetchOne(db, sql: "SELECT count(*) FROM connectors WHERE server = ?", arguments: [server]) ?? 0
            rows = try Row.fetchCursor(
                db, sql: "SELECT \(connectorColumns) FROM connectors NOT INDEXED WHERE server = ? ORDER BY rowid", arguments: [server])
        } else {
            count = try Int.fetchOne(db, sql: "SELECT count(*) FROM connectors") ?? 0
            rows = try Row.fetchCursor(db, sql: "SELECT \(connectorColumns) FROM connectors ORDER BY rowid")
        }
        var result: [StoredConnector] = []
        result.reserveCapacity(count)  // the array is large: grown by doubling, it was copied and faulted in again and again
        while let row = try rows.next() { result.append(try connector(from: row)) }
        return result
    }

    static func connector(_ db: Database, guid: UUID) throws -> StoredConnector? {
        try Row.fetchOne(db, sql: "SELECT \(connectorColumns) FROM connectors WHERE guid = ?", arguments: [key(guid)])
            .map(connector(from:))
    }

    static func connector(from row: Row) throws -> StoredConnector {
        let guid: String = row[0], data: String = row[2]
        // The store's own JSON is read without JSONDecoder (a server may have thousands of connectors); anything
        // else goes through it, with its errors.
        let connector = try ReceiveConnector(storedJSON: data) ?? StoreJSON.decode(ReceiveConnector.self, data, what: "Receive connector \(guid)")
        return StoredConnector(
            connector: connector, revision: row[1], whenCreated: StoreClock.date(row[3]), whenChanged: StoreClock.date(row[4]))
    }

    /// The row's routing columns (`RouteColumns`) are written with its JSON, in the same statement.
    static func insert(_ db: Database, connector stored: StoredConnector) throws {
        let c = stored.connector
        let route = RouteColumns(c)
        try db.execute(
            sql: """
                INSERT INTO connectors (guid, server, name, revision, data, created_at, changed_at, enabled, transport_role, bindings, remote_ip_ranges)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                key(c.guid), c.server, c.name, stored.revision, try StoreJSON.encode(c),
                StoreClock.millis(stored.whenCreated), StoreClock.millis(stored.whenChanged),
                route.enabled, route.transportRole, route.bindings, route.remoteIPRanges,
            ])
    }

    /// Writes the new revision only over the expected one; false (0 rows) when the row moved on.
    static func update(_ db: Database, connector stored: StoredConnector, expectedRevision: Int) throws -> Bool {
        let c = stored.connector
        let route = RouteColumns(c)
        try db.execute(
            sql: """
                UPDATE connectors SET server = ?, name = ?, revision = ?, data = ?, changed_at = ?,
                                      enabled = ?, transport_role = ?, bindings = ?, remote_ip_ranges = ?
                WHERE guid = ? AND revision = ?
                """,
            arguments: [
                c.server, c.name, stored.revision, try StoreJSON.encode(c), StoreClock.millis(stored.whenChanged),
                route.enabled, route.transportRole, route.bindings, route.remoteIPRanges, key(c.guid), expectedRevision,
            ])
        return db.changesCount == 1
    }

    /// GUIDs are stored in their canonical upper-case text form.
    static func key(_ guid: UUID) -> String { guid.uuidString }

    // MARK: Permissions

    static func permissionRows(_ db: Database, connector guid: UUID) throws -> [PermissionRow] {
        try Row.fetchAll(
            db, sql: "SELECT id, principal, rights, deny FROM permissions WHERE connector = ? ORDER BY id",
            arguments: [key(guid)]
        ).map { PermissionRow(id: $0["id"], entry: try permission(from: $0)) }
    }

    static func allPermissions(_ db: Database) throws -> [UUID: [PermissionEntry]] {
        var result: [UUID: [PermissionEntry]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT connector, principal, rights, deny FROM permissions ORDER BY id") {
            let text: String = row["connector"]
            guard let guid = UUID(uuidString: text) else {
                throw StoreError.database("A permission entry in the store names the connector \"\(text)\", which is not a GUID.")
            }
            result[guid, default: []].append(try permission(from: row))
        }
        return result
    }

    static func permission(from row: Row) throws -> PermissionEntry {
        let principal: String = row["principal"]
        let rights = try StoreJSON.decode([ExtendedRight].self, row["rights"], what: "The permission entry of \(principal)")
        return PermissionEntry(user: SecurityPrincipal(principal), extendedRights: rights, deny: row["deny"])
    }

    // MARK: Accepted domains

    static func acceptedDomains(_ db: Database) throws -> [AcceptedDomain] {
        try Row.fetchAll(db, sql: "SELECT name, domain_name, type, is_default FROM accepted_domains ORDER BY id").map(acceptedDomain(from:))
    }

    static func acceptedDomain(from row: Row) throws -> AcceptedDomain {
        let name: String = row["name"], typeText: String = row["type"]
        guard let type = AcceptedDomainType(rawValue: typeText) else {
            throw StoreError.database("Accepted domain \(name) in the store has the unknown type \"\(typeText)\".")
        }
        return AcceptedDomain(name: name, domainName: row["domain_name"], domainType: type, isDefault: row["is_default"])
    }

    // MARK: Accounts

    static func accountsWithHashes(_ db: Database) throws -> [(account: MailboxAccount, hash: String)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT name, alias, user_principal_name, primary_smtp_address, email_addresses, password_hash FROM accounts ORDER BY id
                """
        ).map {
            let addresses = (try? JSONDecoder().decode([String].self, from: Data(($0["email_addresses"] as String).utf8))) ?? []
            return (
                MailboxAccount(
                    name: $0["name"], alias: $0["alias"], userPrincipalName: $0["user_principal_name"],
                    primarySmtpAddress: $0["primary_smtp_address"], emailAddresses: addresses), $0["password_hash"]
            )
        }
    }

    // MARK: The control secret

    static func controlSecret(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT secret FROM control_secret WHERE id = 1")
    }

    // MARK: Listeners

    static func listeners(_ db: Database) throws -> [ListenerRegistration] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, server, pid, host, control_socket, started_at, heartbeat_at, status_json, control_endpoint, control_fingerprint
                FROM listeners ORDER BY started_at, id
                """
        ).map {
            ListenerRegistration(
                id: $0["id"], server: $0["server"], pid: $0["pid"], host: $0["host"],
                controlSocket: $0["control_socket"], startedAt: StoreClock.date($0["started_at"]),
                heartbeatAt: StoreClock.date($0["heartbeat_at"]), statusJSON: $0["status_json"],
                controlEndpoint: $0["control_endpoint"], controlFingerprint: $0["control_fingerprint"])
        }
    }
}
