import Foundation
import PostgresNIO
import ReceptorCore
import ReceptorStore

// Reads. The writes are the shared rules (ReceptorStore's StoreWriteRules.swift) over PostgresTransaction.
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
}
