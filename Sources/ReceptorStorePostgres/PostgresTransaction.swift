import Foundation
import PostgresNIO
import ReceptorCore
import ReceptorStore

/// The PostgreSQL store's rows inside one SERIALIZABLE write transaction, for the shared write rules. Every
/// statement goes through `Session`, which collects its rows, so a server error is raised, never dropped.
struct PostgresTransaction: StoreTransaction {
    let s: PostgresConfigStore.Session

    // MARK: Reads

    func server(named name: String) throws -> Server? { try PGRecords.server(s, named: name) }
    func connectors(server: String) throws -> [StoredConnector] { try PGRecords.connectors(s, server: server) }
    func connector(guid: UUID) throws -> StoredConnector? { try PGRecords.connector(s, guid: guid) }
    func connectorRoutes(server: String) throws -> [ConnectorRoute] { try PGRecords.connectorRoutes(s, server: server) }
    func permissionRows(connector guid: UUID) throws -> [PermissionRow] { try PGRecords.permissionRows(s, connector: guid) }
    func acceptedDomains() throws -> [AcceptedDomain] { try PGRecords.acceptedDomains(s) }
    func accounts() throws -> [MailboxAccount] { try PGRecords.accountsWithHashes(s).map(\.account) }

    // MARK: Row writes

    func insert(server: Server) throws { try PGRecords.insert(s, server: server) }
    func update(server: Server) throws { try PGRecords.update(s, server: server) }
    func insert(connector: StoredConnector) throws { try PGRecords.insert(s, connector: connector) }
    func update(connector: StoredConnector, expectedRevision: Int) throws -> Bool {
        try PGRecords.update(s, connector: connector, expectedRevision: expectedRevision)
    }

    func deleteConnector(guid: UUID) throws {
        // Its permission entries go with it (ON DELETE CASCADE).
        try s.query("DELETE FROM connectors WHERE guid = \(PGRecords.key(guid))")
    }

    func insertPermission(connector guid: UUID, principal: String, rights: [ExtendedRight], deny: Bool) throws {
        try s.query(
            "INSERT INTO permissions (connector, principal, rights, deny) VALUES (\(PGRecords.key(guid)), \(principal), \(try PGJSON.encode(rights)), \(deny))"
        )
    }

    func updatePermission(id: Int64, rights: [ExtendedRight]) throws {
        try s.query("UPDATE permissions SET rights = \(try PGJSON.encode(rights)) WHERE id = \(id)")
    }

    func deletePermission(id: Int64) throws {
        try s.query("DELETE FROM permissions WHERE id = \(id)")
    }

    func insert(acceptedDomain domain: AcceptedDomain) throws {
        try s.query(
            "INSERT INTO accepted_domains (name, domain_name, type, is_default) VALUES (\(domain.name), \(domain.domainName), \(domain.domainType.rawValue), \(domain.isDefault))"
        )
    }

    func update(acceptedDomainNamed name: String, to domain: AcceptedDomain) throws {
        try s.query(
            """
            UPDATE accepted_domains SET name = \(domain.name), domain_name = \(domain.domainName), type = \(domain.domainType.rawValue),
                   is_default = \(domain.isDefault)
            WHERE lower(name) = lower(\(name))
            """)
    }

    func clearDefaultAcceptedDomain() throws {
        try s.query("UPDATE accepted_domains SET is_default = false WHERE is_default")
    }

    func deleteAcceptedDomain(named name: String) throws {
        try s.query("DELETE FROM accepted_domains WHERE lower(name) = lower(\(name))")
    }

    func insert(account: MailboxAccount, hash: String) throws {
        try s.query(
            """
            INSERT INTO accounts (user_principal_name, name, alias, primary_smtp_address, email_addresses, password_hash, created_at)
            VALUES (\(account.userPrincipalName), \(account.name), \(account.alias), \(account.primarySmtpAddress),
                    \(try PGJSON.encode(account.emailAddresses)), \(hash), \(PGClock.now().millis))
            """)
    }

    func update(account: MailboxAccount) throws {
        try s.query(
            """
            UPDATE accounts SET name = \(account.name), alias = \(account.alias), primary_smtp_address = \(account.primarySmtpAddress),
                   email_addresses = \(try PGJSON.encode(account.emailAddresses))
            WHERE lower(user_principal_name) = lower(\(account.userPrincipalName))
            """)
    }

    func deleteAccount(userPrincipalName: String) throws {
        try s.query("DELETE FROM accounts WHERE lower(user_principal_name) = lower(\(userPrincipalName))")
    }

    func setSetting(_ key: String, json: String) throws { try PGRecords.setMeta(s, key, json) }

    func upsert(listener r: ListenerRegistration) throws {
        try s.query(
            """
            INSERT INTO listeners (id, server, pid, host, control_socket, started_at, heartbeat_at, status_json,
                                   control_endpoint, control_fingerprint)
            VALUES (\(r.id), \(r.server), \(r.pid), \(r.host), \(r.controlSocket), \(PGClock.millis(r.startedAt)), \(PGClock.millis(r.heartbeatAt)), \(r.statusJSON),
                    \(r.controlEndpoint), \(r.controlFingerprint))
            ON CONFLICT (id) DO UPDATE SET server = excluded.server, pid = excluded.pid, host = excluded.host,
                control_socket = excluded.control_socket, started_at = excluded.started_at,
                heartbeat_at = excluded.heartbeat_at, status_json = excluded.status_json,
                control_endpoint = excluded.control_endpoint, control_fingerprint = excluded.control_fingerprint
            """)
    }

    func touchListener(id: String, statusJSON: String, at time: Date) throws -> Bool {
        try s.execute("UPDATE listeners SET heartbeat_at = \(PGClock.millis(time)), status_json = \(statusJSON) WHERE id = \(id)") > 0
    }

    func deleteListener(id: String) throws {
        try s.query("DELETE FROM listeners WHERE id = \(id)")
    }

    func insertControlSecret(_ stored: String, at time: Date) throws {
        try s.query(
            "INSERT INTO control_secret (id, secret, created_at) VALUES (1, \(stored), \(PGClock.millis(time))) ON CONFLICT (id) DO NOTHING")
    }

    func controlSecret() throws -> String? { try PGRecords.controlSecret(s) }

    @discardableResult
    func bumpGeneration(summary: String) throws -> Int64 { try PGRecords.bumpGeneration(s, summary: summary) }
}

extension PostgresConfigStore {
    /// One SERIALIZABLE transaction with retries (`write`): `body` runs again after a serialization failure.
    public func writeTransaction<T>(_ body: (StoreWriteTransaction) throws -> T) throws -> T {
        try write { try body(StoreWriteTransaction(PostgresTransaction(s: $0))) }
    }

    public func storedControlSecret() throws -> String? { try read { try PGRecords.controlSecret($0) } }

    // The shared rules' row steps, for the copy (`importOrganization`) in its own transaction.

    @discardableResult
    static func insertAcceptedDomain(_ s: Session, _ domain: AcceptedDomain) throws -> Bool {
        try StoreWriteRules.insertAcceptedDomain(domain, in: PostgresTransaction(s: s))
    }

    static func insertAccount(_ s: Session, _ account: MailboxAccount, hash: String) throws {
        try PostgresTransaction(s: s).insert(account: account, hash: hash)
    }
}
