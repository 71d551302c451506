import Foundation
import GRDB
import ReceptorCore

// Accounts for basic authentication. Passwords are hashed before the write transaction opens (hashing is
// slow on purpose and must not hold the store's write lock), and never appear in a message or the change log.
extension SQLiteConfigStore {
    public func addAccount(_ account: MailboxAccount, password: String) throws {
        guard !account.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError.refused("A mailbox needs a name (-Name).")
        }
        do { try MailboxAccount.validateUserPrincipalName(account.userPrincipalName) } catch { throw StoreError.refused(error.message) }
        guard !password.isEmpty else {
            throw StoreError.refused(
                "A password is required for mailbox \(account.userPrincipalName); basic authentication can't use an empty password.")
        }
        let hash: String
        do { hash = try PasswordHasher.hash(password: password) } catch {
            throw StoreError.database("The password of \(account.userPrincipalName) could not be hashed.")
        }
        try Self.validateAddresses(of: account)
        try write { db in
            for (other, _) in try Records.accountsWithHashes(db) {
                if other.userPrincipalName.caseInsensitiveCompare(account.userPrincipalName) == .orderedSame {
                    throw StoreError.alreadyExists("A mailbox with user principal name \(other.userPrincipalName) already exists.")
                }
                try Self.refuseSharedAddresses(account, other)
            }
            try Self.insertAccount(db, account, hash: hash)
            try Records.bumpGeneration(db, summary: "New-Mailbox \(account.userPrincipalName)")
        }
    }

    /// Changes a mailbox's name, alias and addresses (not its UPN, which names it, nor its password).
    public func updateAccount(_ account: MailboxAccount) throws {
        try Self.validateAddresses(of: account)
        try write { db in
            var found = false
            for (other, _) in try Records.accountsWithHashes(db) {
                if other.userPrincipalName.caseInsensitiveCompare(account.userPrincipalName) == .orderedSame { found = true; continue }
                try Self.refuseSharedAddresses(account, other)
            }
            guard found else { throw StoreError.notFound("No mailbox with user principal name \(account.userPrincipalName) is in the store.") }
            try db.execute(
                sql: """
                    UPDATE accounts SET name = ?, alias = ?, primary_smtp_address = ?, email_addresses = ? WHERE user_principal_name = ?
                    """,
                arguments: [
                    account.name, account.alias, account.primarySmtpAddress, Self.encoded(account.emailAddresses),
                    account.userPrincipalName,
                ])
            try Records.bumpGeneration(db, summary: "Set-Mailbox \(account.userPrincipalName)")
        }
    }

    static func insertAccount(_ db: Database, _ account: MailboxAccount, hash: String) throws {
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

    /// Every address is `local@domain` with a DNS domain.
    static func validateAddresses(of account: MailboxAccount) throws {
        for address in [account.primarySmtpAddress] + account.emailAddresses {
            do { try MailboxAccount.validateUserPrincipalName(address) } catch {
                throw StoreError.refused(error.message.replacingOccurrences(of: "user principal name", with: "email address"))
            }
        }
    }

    /// An address leads to one mailbox, for sign-in and for delivery: none of `account`'s may be one of `other`'s.
    static func refuseSharedAddresses(_ account: MailboxAccount, _ other: MailboxAccount) throws {
        let taken = Set(other.allAddresses.map { $0.lowercased() })
        if let shared = account.allAddresses.first(where: { taken.contains($0.lowercased()) }) {
            throw StoreError.alreadyExists("The address \(shared) is already used by mailbox \(other.userPrincipalName).")
        }
    }

    static func encoded(_ addresses: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(addresses)) ?? Data("[]".utf8), as: UTF8.self)
    }

    public func removeAccount(userPrincipalName: String) throws {
        try write { db in
            guard
                let upn = try String.fetchOne(
                    db, sql: "SELECT user_principal_name FROM accounts WHERE user_principal_name = ?",
                    arguments: [userPrincipalName])
            else {
                throw StoreError.notFound("No mailbox with user principal name \(userPrincipalName) is in the store.")
            }
            try db.execute(sql: "DELETE FROM accounts WHERE user_principal_name = ?", arguments: [upn])
            try Records.bumpGeneration(db, summary: "Remove-Mailbox \(upn)")
        }
    }

    /// The account whose sign-in name (UPN, primary address or DOMAIN\alias) and password match, or nil.
    /// A name that matches no account costs the same one derivation as a wrong password.
    public func authenticate(login: String, password: String) throws -> MailboxAccount? {
        let candidates = try read { try Records.accountsWithHashes($0) }.filter { $0.account.answers(to: login) }
        guard !candidates.isEmpty, !password.isEmpty else {
            PasswordHasher.burnOneDerivation(password: password)
            return nil
        }
        var match: MailboxAccount?
        for candidate in candidates where PasswordHasher.verify(password: password, against: candidate.hash) && match == nil {
            match = candidate.account
        }
        return match
    }
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
