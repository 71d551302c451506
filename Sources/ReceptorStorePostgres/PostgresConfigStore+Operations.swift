import Foundation
import PostgresNIO
import ReceptorCore
import ReceptorStore

// Reads, and the writes with the same rules, refusals and messages as SQLiteConfigStore's.
extension PostgresConfigStore {
    // MARK: Reads

    public func snapshot() throws -> StoreSnapshot {
        try read { s in
            StoreSnapshot(
                generation: try PGRecords.generation(s), servers: try PGRecords.servers(s),
                connectors: try PGRecords.connectors(s, server: nil), permissions: try PGRecords.allPermissions(s),
                acceptedDomains: try PGRecords.acceptedDomains(s), accounts: try PGRecords.accountsWithHashes(s).map(\.account),
                transportConfig: try PGRecords.transportConfig(s), recipientFilterConfig: try PGRecords.recipientFilterConfig(s))
        }
    }
    /// One SELECT, outside any explicit transaction: cheap enough to poll.
    public func generation() throws -> Int64 { try guarded { try withConnection { try PGRecords.generation($0) } } }
    public func changes(since generation: Int64) throws -> [ChangeRecord] { try read { try PGRecords.changes($0, since: generation) } }
    public func servers() throws -> [Server] { try read { try PGRecords.servers($0) } }
    public func connectors(server: String?) throws -> [StoredConnector] { try read { try PGRecords.connectors($0, server: server) } }
    public func connector(guid: UUID) throws -> StoredConnector? { try read { try PGRecords.connector($0, guid: guid) } }
    public func permissions(connector guid: UUID) throws -> [PermissionEntry] {
        try read { try PGRecords.permissionRows($0, connector: guid).map(\.entry) }
    }
    public func acceptedDomains() throws -> [AcceptedDomain] { try read { try PGRecords.acceptedDomains($0) } }
    public func accounts() throws -> [MailboxAccount] { try read { try PGRecords.accountsWithHashes($0).map(\.account) } }
    public func listeners() throws -> [ListenerRegistration] { try read { try PGRecords.listeners($0) } }
    public func transportConfig() throws -> TransportConfig { try read { try PGRecords.transportConfig($0) } }
    public func recipientFilterConfig() throws -> RecipientFilterConfig { try read { try PGRecords.recipientFilterConfig($0) } }

    /// The stored hash of an account's password (never the password), for tests.
    public func passwordHash(userPrincipalName: String) throws -> String? {
        try read {
            try $0.rows("SELECT password_hash FROM accounts WHERE lower(user_principal_name) = lower(\(userPrincipalName))").first?.decode(
                String.self)
        }
    }

    // MARK: Accounts (the write rules are StoreWriteRules.swift's)

    public func authenticate(login: String, password: String) throws -> MailboxAccount? {
        let accounts = try read { try PGRecords.accountsWithHashes($0) }
        return StoreWriteRules.authenticate(login: login, password: password, among: accounts)
    }

    // MARK: Transport settings

    public func setTransportConfig(_ config: TransportConfig) throws {
        for domain in config.tlsReceiveDomainSecureList + config.tlsSendDomainSecureList {
            do { try TransportConfig.validateDomainSecureEntry(domain) } catch { throw StoreError.refused(error.message) }
        }
        let data = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        try write { s in
            try PGRecords.setMeta(s, "transport_config", data)
            try PGRecords.bumpGeneration(s, summary: "Set-TransportConfig")
        }
    }

    public func setRecipientFilterConfig(_ config: RecipientFilterConfig) throws {
        let data = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        try write { s in
            try PGRecords.setMeta(s, "recipient_filter_config", data)
            try PGRecords.bumpGeneration(s, summary: "Set-RecipientFilterConfig")
        }
    }

    // MARK: Listeners (status, not configuration: never the generation or the change log)

    public func registerListener(_ r: ListenerRegistration) throws {
        try write { s in
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
    }

    public func controlSecret(create: Bool) throws -> ControlSecret? {
        func select(_ s: Session) throws -> String? { try s.rows("SELECT secret FROM control_secret WHERE id = 1").first?.decode(String.self) }
        if let text = try read(select) { return try Self.decodeSecret(text, path: path) }
        guard create else { return nil }
        let fresh = ControlSecret.generate()
        // Another process may make one at the same moment: the first row stays, and both read it back.
        let text = try write { s -> String? in
            try s.query(
                "INSERT INTO control_secret (id, secret, created_at) VALUES (1, \(fresh.stored), \(PGClock.now().millis)) ON CONFLICT (id) DO NOTHING"
            )
            return try select(s)
        }
        return try text.map { try Self.decodeSecret($0, path: path) }
    }

    static func decodeSecret(_ text: String, path: String) throws -> ControlSecret {
        guard let secret = ControlSecret(stored: text) else {
            throw StoreError.database("The control secret in the store at \(path) is damaged (not 256 bits of hex).")
        }
        return secret
    }

    public func heartbeat(listenerID: String, statusJSON: String) throws {
        try write { s in
            let changed = try s.execute(
                "UPDATE listeners SET heartbeat_at = \(PGClock.now().millis), status_json = \(statusJSON) WHERE id = \(listenerID)")
            if changed == 0 { throw StoreError.notFound("Listener \(listenerID) is not registered in the store; register it again.") }
        }
    }

    public func unregisterListener(id: String) throws {
        try write { s in try s.query("DELETE FROM listeners WHERE id = \(id)") }
    }
}
