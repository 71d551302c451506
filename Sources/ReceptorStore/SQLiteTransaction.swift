import Foundation
import GRDB
import ReceptorCore

/// The SQLite store's rows inside one IMMEDIATE write transaction, for the shared write rules.
struct SQLiteTransaction: StoreTransaction {
    let db: Database

    // MARK: Reads

    func server(named name: String) throws -> Server? { try Records.server(db, named: name) }
    func connectors(server: String) throws -> [StoredConnector] { try Records.connectors(db, server: server) }
    func connector(guid: UUID) throws -> StoredConnector? { try Records.connector(db, guid: guid) }
    func connectorRoutes(server: String) throws -> [ConnectorRoute] { try Records.connectorRoutes(db, server: server) }
    func permissionRows(connector guid: UUID) throws -> [PermissionRow] { try Records.permissionRows(db, connector: guid) }
    func acceptedDomains() throws -> [AcceptedDomain] { try Records.acceptedDomains(db) }
    func accounts() throws -> [MailboxAccount] { try Records.accountsWithHashes(db).map(\.account) }

    // MARK: Row writes

    func insert(server: Server) throws { try Records.insert(db, server: server) }
    func update(server: Server) throws { try Records.update(db, server: server) }
    func insert(connector: StoredConnector) throws { try Records.insert(db, connector: connector) }
    func update(connector: StoredConnector, expectedRevision: Int) throws -> Bool {
        try Records.update(db, connector: connector, expectedRevision: expectedRevision)
    }

    func deleteConnector(guid: UUID) throws {
        // Its permission entries go with it (ON DELETE CASCADE).
        try db.execute(sql: "DELETE FROM connectors WHERE guid = ?", arguments: [Records.key(guid)])
    }

    func insertPermission(connector guid: UUID, principal: String, rights: [ExtendedRight], deny: Bool) throws {
        try db.execute(
            sql: "INSERT INTO permissions (connector, principal, rights, deny) VALUES (?, ?, ?, ?)",
            arguments: [Records.key(guid), principal, try StoreJSON.encode(rights), deny])
    }

    func updatePermission(id: Int64, rights: [ExtendedRight]) throws {
        try db.execute(sql: "UPDATE permissions SET rights = ? WHERE id = ?", arguments: [try StoreJSON.encode(rights), id])
    }

    func deletePermission(id: Int64) throws {
        try db.execute(sql: "DELETE FROM permissions WHERE id = ?", arguments: [id])
    }

    func insert(acceptedDomain domain: AcceptedDomain) throws {
        try db.execute(
            sql: "INSERT INTO accepted_domains (name, domain_name, type, is_default) VALUES (?, ?, ?, ?)",
            arguments: [domain.name, domain.domainName, domain.domainType.rawValue, domain.isDefault])
    }

    func update(acceptedDomainNamed name: String, to domain: AcceptedDomain) throws {
        try db.execute(
            sql: "UPDATE accepted_domains SET name = ?, domain_name = ?, type = ?, is_default = ? WHERE name = ?",
            arguments: [domain.name, domain.domainName, domain.domainType.rawValue, domain.isDefault, name])
    }

    func clearDefaultAcceptedDomain() throws {
        try db.execute(sql: "UPDATE accepted_domains SET is_default = 0 WHERE is_default")
    }

    func deleteAcceptedDomain(named name: String) throws {
        try db.execute(sql: "DELETE FROM accepted_domains WHERE name = ?", arguments: [name])
    }

    func insert(account: MailboxAccount, hash: String) throws {
        try db.execute(
            sql: """
                INSERT INTO accounts (user_principal_name, name, alias, primary_smtp_address, email_addresses, password_hash, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                account.userPrincipalName, account.name, account.alias, account.primarySmtpAddress,
                Self.encoded(account.emailAddresses), hash, StoreClock.now().millis,
            ])
    }

    func update(account: MailboxAccount) throws {
        try db.execute(
            sql: "UPDATE accounts SET name = ?, alias = ?, primary_smtp_address = ?, email_addresses = ? WHERE user_principal_name = ?",
            arguments: [
                account.name, account.alias, account.primarySmtpAddress, Self.encoded(account.emailAddresses), account.userPrincipalName,
            ])
    }

    func deleteAccount(userPrincipalName: String) throws {
        try db.execute(sql: "DELETE FROM accounts WHERE user_principal_name = ?", arguments: [userPrincipalName])
    }

    func setSetting(_ key: String, json: String) throws {
        try db.execute(
            sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [key, json])
    }

    func upsert(listener r: ListenerRegistration) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO listeners (id, server, pid, host, control_socket, started_at, heartbeat_at, status_json,
                                                  control_endpoint, control_fingerprint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                r.id, r.server, r.pid, r.host, r.controlSocket, StoreClock.millis(r.startedAt), StoreClock.millis(r.heartbeatAt),
                r.statusJSON, r.controlEndpoint, r.controlFingerprint,
            ])
    }

    func touchListener(id: String, statusJSON: String, at time: Date) throws -> Bool {
        try db.execute(
            sql: "UPDATE listeners SET heartbeat_at = ?, status_json = ? WHERE id = ?", arguments: [StoreClock.millis(time), statusJSON, id])
        return db.changesCount > 0
    }

    func deleteListener(id: String) throws {
        try db.execute(sql: "DELETE FROM listeners WHERE id = ?", arguments: [id])
    }

    func insertControlSecret(_ stored: String, at time: Date) throws {
        try db.execute(
            sql: "INSERT INTO control_secret (id, secret, created_at) VALUES (1, ?, ?) ON CONFLICT(id) DO NOTHING",
            arguments: [stored, StoreClock.millis(time)])
    }

    func controlSecret() throws -> String? { try Records.controlSecret(db) }

    @discardableResult
    func bumpGeneration(summary: String) throws -> Int64 { try Records.bumpGeneration(db, summary: summary) }

    static func encoded(_ addresses: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(addresses)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

extension SQLiteConfigStore {
    public func writeTransaction<T>(_ body: (StoreWriteTransaction) throws -> T) throws -> T {
        try write { try body(StoreWriteTransaction(SQLiteTransaction(db: $0))) }
    }

    public func storedControlSecret() throws -> String? { try read { try Records.controlSecret($0) } }

    // The shared rules' row steps, for the copy (`importOrganization`) in its own transaction.

    @discardableResult
    static func insertAcceptedDomain(_ db: Database, _ domain: AcceptedDomain) throws -> Bool {
        try StoreWriteRules.insertAcceptedDomain(domain, in: SQLiteTransaction(db: db))
    }

    static func insertAccount(_ db: Database, _ account: MailboxAccount, hash: String) throws {
        try SQLiteTransaction(db: db).insert(account: account, hash: hash)
    }
}
