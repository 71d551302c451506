import Foundation
import GRDB
import ReceptorCore

// Accounts: the write rules are StoreWriteRules.swift's; signing in reads the accounts with their hashes.
extension SQLiteConfigStore {
    public func authenticate(login: String, password: String) throws -> MailboxAccount? {
        let accounts = try read { try Records.accountsWithHashes($0) }
        return StoreWriteRules.authenticate(login: login, password: password, among: accounts)
    }

    /// The addresses rule, where `OrganizationExport.validate` looks for it.
    static func validateAddresses(of account: MailboxAccount) throws { try StoreWriteRules.validateAddresses(of: account) }
}

// Listeners: status, not configuration. These writes never bump the generation or touch the change log,
// or every heartbeat would look like a configuration change to the listeners' change feed.
extension SQLiteConfigStore {
    /// Registers (or re-registers, by id) a running listener.
    public func registerListener(_ registration: ListenerRegistration) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO listeners (id, server, pid, host, control_socket, started_at, heartbeat_at, status_json,
                                                      control_endpoint, control_fingerprint)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    registration.id, registration.server, registration.pid, registration.host, registration.controlSocket,
                    StoreClock.millis(registration.startedAt), StoreClock.millis(registration.heartbeatAt),
                    registration.statusJSON, registration.controlEndpoint, registration.controlFingerprint,
                ])
        }
    }

    public func controlSecret(create: Bool) throws -> ControlSecret? {
        let select = "SELECT secret FROM control_secret WHERE id = 1"
        if let text = try read({ try String.fetchOne($0, sql: select) }) { return try Self.decodeSecret(text, path: path) }
        guard create else { return nil }
        let fresh = ControlSecret.generate()
        // Another process may make one at the same moment: the first row stays, and both read it back.
        let text = try write { db -> String? in
            try db.execute(
                sql: "INSERT INTO control_secret (id, secret, created_at) VALUES (1, ?, ?) ON CONFLICT(id) DO NOTHING",
                arguments: [fresh.stored, StoreClock.now().millis])
            return try String.fetchOne(db, sql: select)
        }
        return try text.map { try Self.decodeSecret($0, path: path) }
    }

    static func decodeSecret(_ text: String, path: String) throws -> ControlSecret {
        guard let secret = ControlSecret(stored: text) else {
            throw StoreError.database("The control secret in the store at \(path) is damaged (not 256 bits of hex).")
        }
        return secret
    }

    /// Records that the listener is alive, with its current status. `notFound` when it is not registered
    /// (for example after someone pruned it): register again.
    public func heartbeat(listenerID: String, statusJSON: String) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE listeners SET heartbeat_at = ?, status_json = ? WHERE id = ?",
                arguments: [StoreClock.now().millis, statusJSON, listenerID])
            if db.changesCount == 0 {
                throw StoreError.notFound("Listener \(listenerID) is not registered in the store; register it again.")
            }
        }
    }

    /// Removes a listener's registration; removing one that is not there is not an error.
    public func unregisterListener(id: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM listeners WHERE id = ?", arguments: [id])
        }
    }
}
