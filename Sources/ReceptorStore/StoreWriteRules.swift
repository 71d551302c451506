import Foundation
import ReceptorCore

// The config store's write rules, once for every backend: each write reads what it needs inside the backend's
// transaction, checks it with the domain's rules (the refusals and their words are here), writes the rows and
// bumps the generation once, last, with the change log's summary. A refused write throws before anything is
// bumped, so it changes nothing and raises no generation.

extension TransactionalConfigStore {
    /// `writeTransaction` with the backend's rows.
    func transact<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try writeTransaction { try body($0.rows) }
    }

    // MARK: Servers

    /// Adds a server with its default connectors and the accepted domains not there yet, in one transaction.
    public func addServer(_ server: Server, connectors: [ReceiveConnector], acceptedDomains: [AcceptedDomain]) throws {
        do { try Server.validateName(server.name) } catch { throw StoreError.refused(error.message) }
        try transact { t in
            if let existing = try t.server(named: server.name) {
                throw StoreError.alreadyExists("Server \(existing.name) is already in the store.")
            }
            try t.insert(server: server)

            var added: [ConnectorRoute] = []
            let now = StoreClock.now()
            for var connector in connectors {
                guard connector.server.caseInsensitiveCompare(server.name) == .orderedSame else {
                    throw StoreError.refused("Receive connector \"\(connector.identity)\" belongs to server \(connector.server), not \(server.name).")
                }
                connector.server = server.name
                try StoreWriteRules.validate(connector, on: server, siblings: added)
                try t.insert(connector: StoredConnector(connector: connector, revision: 1, whenCreated: now.date, whenChanged: now.date))
                added.append(ConnectorRoute(connector))
            }

            // Accepted domains belong to the organization, not the server: one that is already there is kept.
            var domainsAdded = 0
            for domain in acceptedDomains
            where try StoreWriteRules.acceptedDomainConflict(domain, among: t.acceptedDomains(), excludingName: nil) == nil {
                try StoreWriteRules.insertAcceptedDomain(domain, in: t)
                domainsAdded += 1
            }

            try t.bumpGeneration(
                summary: "Add server \(server.name) (\(server.role.rawValue))"
                    + " with \(StoreWriteRules.count(added.count, "receive connector"))"
                    + (domainsAdded > 0 ? " and \(StoreWriteRules.count(domainsAdded, "accepted domain"))" : ""))
        }
    }

    /// Changes a server's settings (role, FQDN, domain, transport-service options). Its connectors are validated
    /// against the changed server, so a change that would leave one of them invalid is refused.
    public func updateServer(_ server: Server) throws {
        try transact { t in
            guard let stored = try t.server(named: server.name) else {
                throw StoreError.notFound("Server \(server.name) isn't in the store.")
            }
            var server = server
            server.name = stored.name
            for (service, settings) in server.receiveProtocolLogs {
                guard ReceiveProtocolLogSettings.services.contains(service) else {
                    throw StoreError.refused("There is no transport service \"\(service)\".")
                }
                do { try settings.validate() } catch let error as ValueError { throw StoreError.refused(error.message) }
            }
            let connectors = try t.connectors(server: stored.name).map(\.connector)
            // Every connector against the others under the server's new settings: only the errors matter, so the
            // siblings are indexed once and reachability (a warning) isn't worked out.
            let context = ValidationContext(server: server, siblings: connectors, checksReachability: false).indexingSiblings()
            var errors: [RuleViolation] = []
            for connector in connectors {
                errors += ConnectorValidator.validate(connector, in: context).errors
            }
            if !errors.isEmpty { throw StoreError.invalid(errors) }
            try t.update(server: server)
            try t.bumpGeneration(summary: "Set server \(server.name): \(server.role.rawValue), \(server.fqdn)")
        }
    }

    // MARK: Connectors

    /// Validated with ConnectorValidator against the server's other connectors in the same transaction.
    @discardableResult
    public func insertConnector(_ connector: ReceiveConnector) throws -> StoredConnector {
        try transact { t in
            guard let server = try t.server(named: connector.server) else {
                throw StoreError.notFound(
                    "Server \(connector.server) isn't in the store; receive connector \"\(connector.name)\" can't be created on it.")
            }
            var connector = connector
            connector.server = server.name
            if let existing = try t.connector(guid: connector.guid) {
                throw StoreError.alreadyExists(
                    "A receive connector with GUID \(connector.guid.uuidString.lowercased()) already exists (\"\(existing.connector.identity)\").")
            }
            let siblings = try t.connectorRoutes(server: server.name)
            try StoreWriteRules.validate(connector, on: server, siblings: siblings)
            let now = StoreClock.now()
            let stored = StoredConnector(connector: connector, revision: 1, whenCreated: now.date, whenChanged: now.date)
            try t.insert(connector: stored)
            try t.bumpGeneration(summary: "New-ReceiveConnector \(connector.identity)")
            return stored
        }
    }

    /// Refused when the connector moved on from `expectedRevision` (someone else saved it since it was read).
    @discardableResult
    public func updateConnector(_ connector: ReceiveConnector, expectedRevision: Int) throws -> StoredConnector {
        try transact { t in
            guard let stored = try t.connector(guid: connector.guid) else {
                throw StoreError.notFound("Receive connector \"\(connector.identity)\" isn't in the store any more; someone may have removed it.")
            }
            try StoreWriteRules.checkRevision(stored, expected: expectedRevision)
            let old = stored.connector
            guard connector.server.caseInsensitiveCompare(old.server) == .orderedSame else {
                throw StoreError.refused(
                    "Receive connector \"\(old.identity)\" belongs to server \(old.server); a connector can't be moved to another server. Create a new one on \(connector.server) instead."
                )
            }
            guard let server = try t.server(named: old.server) else {
                throw StoreError.notFound("Server \(old.server) isn't in the store.")
            }
            var connector = connector
            connector.server = server.name
            let siblings = try t.connectorRoutes(server: server.name).filter { $0.guid != connector.guid }
            try StoreWriteRules.validate(connector, on: server, siblings: siblings)

            let updated = StoredConnector(
                connector: connector, revision: stored.revision + 1,
                whenCreated: stored.whenCreated, whenChanged: StoreClock.now().date)
            // The row moved on between the read above and this write: only where the backend lets it (never under
            // SQLite's write lock; PostgreSQL's SERIALIZABLE retry normally reads the new revision first).
            guard try t.update(connector: updated, expectedRevision: stored.revision) else {
                throw StoreError.revisionConflict(
                    "Receive connector \"\(old.identity)\" was changed by someone else since it was read (revision \(expectedRevision)). Read it again and repeat the change."
                )
            }
            let renamed = old.name == connector.name ? "" : " renamed to \"\(connector.name)\","
            try t.bumpGeneration(summary: "Set-ReceiveConnector \(old.identity):\(renamed) revision \(updated.revision)")
            return updated
        }
    }

    /// Removes a connector (refused if it moved on from `expectedRevision`, when one is given) and its permissions.
    public func removeConnector(guid: UUID, expectedRevision: Int?) throws {
        try transact { t in
            guard let stored = try t.connector(guid: guid) else {
                throw StoreError.notFound(
                    "The receive connector with GUID \(guid.uuidString.lowercased()) isn't in the store; someone may have removed it already.")
            }
            if let expectedRevision { try StoreWriteRules.checkRevision(stored, expected: expectedRevision) }
            try t.deleteConnector(guid: guid)
            try t.bumpGeneration(summary: "Remove-ReceiveConnector \(stored.connector.identity)")
        }
    }

    // MARK: Permissions

    /// Adds the rights to the explicit entry of the same principal and deny flag (made if there is none).
    public func addPermission(_ entry: PermissionEntry, connector guid: UUID) throws {
        guard !entry.fromPermissionGroup else {
            throw StoreError.refused("Permissions of permission groups follow from -PermissionGroups; they can't be added as explicit entries.")
        }
        let principal = entry.user.name.trimmingCharacters(in: .whitespaces)
        guard !principal.isEmpty else { throw StoreError.refused("Add-ADPermission needs a user or group (-User).") }
        let rights = StoreWriteRules.distinct(entry.extendedRights)
        guard !rights.isEmpty else {
            throw StoreError.refused(
                "Add-ADPermission needs at least one extended right (-ExtendedRights), such as ms-Exch-SMTP-Accept-Any-Recipient.")
        }
        try transact { t in
            guard let stored = try t.connector(guid: guid) else { throw StoreWriteRules.connectorNotFound(guid) }
            let existing = try t.permissionRows(connector: guid)
                .first { $0.entry.user == SecurityPrincipal(principal) && $0.entry.deny == entry.deny }
            if let existing {
                try t.updatePermission(id: existing.id, rights: StoreWriteRules.distinct(existing.entry.extendedRights + rights))
            } else {
                try t.insertPermission(connector: guid, principal: principal, rights: rights, deny: entry.deny)
            }
            try t.bumpGeneration(
                summary:
                    "Add-ADPermission \(stored.connector.identity): \(entry.deny ? "deny" : "allow") \(principal) \(rights.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    /// Removes the listed rights from the explicit entry of the same principal and deny flag (the whole entry
    /// when no rights are listed); the row goes when no rights remain. All or nothing: if the explicit entry
    /// lacks any of the rights, nothing is removed.
    public func removePermission(_ entry: PermissionEntry, connector guid: UUID) throws {
        try transact { t in
            guard let stored = try t.connector(guid: guid) else { throw StoreWriteRules.connectorNotFound(guid) }
            let rights = StoreWriteRules.distinct(entry.extendedRights)
            let existing =
                entry.fromPermissionGroup
                ? nil
                : try t.permissionRows(connector: guid)
                    .first { $0.entry.user == entry.user && $0.entry.deny == entry.deny }
            let missing = rights.filter { right in !(existing?.entry.extendedRights.contains(right) ?? false) }
            guard let existing, missing.isEmpty else {
                let what = (missing.isEmpty ? rights : missing).map(\.rawValue).joined(separator: ", ")
                throw StoreError.notFound(
                    "Receive connector \"\(stored.connector.identity)\" has no explicit permission that \(entry.deny ? "denies" : "grants") \(entry.user.name)\(what.isEmpty ? " anything" : " " + what) (rights from permission groups can't be removed with Remove-ADPermission)."
                )
            }
            let remaining = rights.isEmpty ? [] : existing.entry.extendedRights.filter { !rights.contains($0) }
            if remaining.isEmpty {
                try t.deletePermission(id: existing.id)
            } else {
                try t.updatePermission(id: existing.id, rights: remaining)
            }
            let removed = rights.isEmpty ? existing.entry.extendedRights : rights
            try t.bumpGeneration(
                summary:
                    "Remove-ADPermission \(stored.connector.identity): \(entry.deny ? "deny" : "allow") \(existing.entry.user.name) \(removed.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }
}

// Accepted domains: unique names and domain names; exactly one default while any exist.
extension TransactionalConfigStore {
    public func addAcceptedDomain(_ domain: AcceptedDomain) throws {
        try StoreWriteRules.checkAcceptedDomain(domain)
        try transact { t in
            if let conflict = try StoreWriteRules.acceptedDomainConflict(domain, among: t.acceptedDomains(), excludingName: nil) {
                throw StoreError.alreadyExists(conflict)
            }
            let becameDefault = try StoreWriteRules.insertAcceptedDomain(domain, in: t)
            try t.bumpGeneration(
                summary: "New-AcceptedDomain \(domain.name) (\(domain.domainName), \(domain.domainType.rawValue)\(becameDefault ? ", default" : ""))")
        }
    }

    public func updateAcceptedDomain(_ domain: AcceptedDomain, originalName: String) throws {
        try StoreWriteRules.checkAcceptedDomain(domain)
        try transact { t in
            let all = try t.acceptedDomains()
            guard let old = all.first(where: { $0.name.caseInsensitiveCompare(originalName) == .orderedSame }) else {
                throw StoreError.notFound("Accepted domain \"\(originalName)\" isn't in the store.")
            }
            if let conflict = StoreWriteRules.acceptedDomainConflict(domain, among: all, excludingName: originalName) {
                throw StoreError.alreadyExists(conflict)
            }
            if old.isDefault && !domain.isDefault {
                throw StoreError.refused(
                    "Accepted domain \"\(old.name)\" is the default; make another accepted domain the default instead (Set-AcceptedDomain -Identity <name> -MakeDefault $true)."
                )
            }
            if domain.isDefault && !old.isDefault { try t.clearDefaultAcceptedDomain() }
            try t.update(acceptedDomainNamed: old.name, to: domain)
            let renamed = old.name == domain.name ? "" : " renamed to \"\(domain.name)\","
            try t.bumpGeneration(
                summary:
                    "Set-AcceptedDomain \(old.name):\(renamed) \(domain.domainName), \(domain.domainType.rawValue)\(domain.isDefault ? ", default" : "")"
            )
        }
    }

    public func removeAcceptedDomain(name: String) throws {
        try transact { t in
            let all = try t.acceptedDomains()
            guard let domain = all.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw StoreError.notFound("Accepted domain \"\(name)\" isn't in the store.")
            }
            if domain.isDefault && all.count > 1 {
                throw StoreError.refused(
                    "Accepted domain \"\(domain.name)\" is the default accepted domain and can't be removed while others exist. Make another one the default first (Set-AcceptedDomain -Identity <name> -MakeDefault $true)."
                )
            }
            try t.deleteAcceptedDomain(named: domain.name)
            try t.bumpGeneration(summary: "Remove-AcceptedDomain \(domain.name)")
        }
    }
}

// Accounts for basic authentication. Passwords are hashed before the write transaction opens (hashing is
// slow on purpose and must not hold the store's write lock), and never appear in a message or the change log.
extension TransactionalConfigStore {
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
        try StoreWriteRules.validateAddresses(of: account)
        try transact { t in
            for other in try t.accounts() {
                if other.userPrincipalName.caseInsensitiveCompare(account.userPrincipalName) == .orderedSame {
                    throw StoreError.alreadyExists("A mailbox with user principal name \(other.userPrincipalName) already exists.")
                }
                try StoreWriteRules.refuseSharedAddresses(account, other)
            }
            try t.insert(account: account, hash: hash)
            try t.bumpGeneration(summary: "New-Mailbox \(account.userPrincipalName)")
        }
    }

    /// Changes a mailbox's name, alias and addresses (not its UPN, which names it, nor its password).
    public func updateAccount(_ account: MailboxAccount) throws {
        try StoreWriteRules.validateAddresses(of: account)
        try transact { t in
            var found = false
            for other in try t.accounts() {
                if other.userPrincipalName.caseInsensitiveCompare(account.userPrincipalName) == .orderedSame { found = true; continue }
                try StoreWriteRules.refuseSharedAddresses(account, other)
            }
            guard found else { throw StoreError.notFound("No mailbox with user principal name \(account.userPrincipalName) is in the store.") }
            try t.update(account: account)
            try t.bumpGeneration(summary: "Set-Mailbox \(account.userPrincipalName)")
        }
    }

    public func removeAccount(userPrincipalName: String) throws {
        try transact { t in
            guard
                let upn = try t.accounts().first(where: { $0.userPrincipalName.caseInsensitiveCompare(userPrincipalName) == .orderedSame })?
                    .userPrincipalName
            else {
                throw StoreError.notFound("No mailbox with user principal name \(userPrincipalName) is in the store.")
            }
            try t.deleteAccount(userPrincipalName: upn)
            try t.bumpGeneration(summary: "Remove-Mailbox \(upn)")
        }
    }
}

// Organization-wide settings, each one JSON value written whole.
extension TransactionalConfigStore {
    public func setTransportConfig(_ config: TransportConfig) throws {
        for domain in config.tlsReceiveDomainSecureList + config.tlsSendDomainSecureList {
            do { try TransportConfig.validateDomainSecureEntry(domain) } catch { throw StoreError.refused(error.message) }
        }
        try setSetting("transport_config", config, summary: "Set-TransportConfig")
    }

    public func setRecipientFilterConfig(_ config: RecipientFilterConfig) throws {
        try setSetting("recipient_filter_config", config, summary: "Set-RecipientFilterConfig")
    }

    func setSetting(_ key: String, _ value: some Encodable, summary: String) throws {
        let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        try transact { t in
            try t.setSetting(key, json: json)
            try t.bumpGeneration(summary: summary)
        }
    }
}

// Listeners and the control secret: status, not configuration. These writes never bump the generation or touch
// the change log, or every heartbeat would look like a configuration change to the listeners' change feed.
extension TransactionalConfigStore {
    /// Registers (or re-registers, by id) a running listener.
    public func registerListener(_ registration: ListenerRegistration) throws {
        try transact { try $0.upsert(listener: registration) }
    }

    /// Records that the listener is alive, with its current status. `notFound` when it is not registered
    /// (for example after someone pruned it): register again.
    public func heartbeat(listenerID: String, statusJSON: String) throws {
        try transact { t in
            guard try t.touchListener(id: listenerID, statusJSON: statusJSON, at: StoreClock.now().date) else {
                throw StoreError.notFound("Listener \(listenerID) is not registered in the store; register it again.")
            }
        }
    }

    /// Removes a listener's registration; removing one that is not there is not an error.
    public func unregisterListener(id: String) throws {
        try transact { try $0.deleteListener(id: id) }
    }

    public func controlSecret(create: Bool) throws -> ControlSecret? {
        if let text = try storedControlSecret() { return try StoreWriteRules.decodeSecret(text, path: path) }
        guard create else { return nil }
        let fresh = ControlSecret.generate()
        // Another process may make one at the same moment: the first row stays, and both read it back.
        let text = try transact { t -> String? in
            try t.insertControlSecret(fresh.stored, at: StoreClock.now().date)
            return try t.controlSecret()
        }
        return try text.map { try StoreWriteRules.decodeSecret($0, path: path) }
    }
}

/// The rules the writes share, and those a copy (`importOrganization`, `OrganizationExport.validate`) reuses.
package enum StoreWriteRules {
    static func validate(_ connector: ReceiveConnector, on server: Server, siblings: [ConnectorRoute]) throws {
        let report = ConnectorValidator.validate(connector, in: ValidationContext(server: server, siblings: siblings))
        if !report.errors.isEmpty { throw StoreError.invalid(report.errors) }
    }

    static func checkRevision(_ stored: StoredConnector, expected: Int) throws {
        guard stored.revision == expected else {
            throw StoreError.revisionConflict(
                "Receive connector \"\(stored.connector.identity)\" was changed by someone else since it was read (revision \(expected), now \(stored.revision)). Read it again and repeat the change."
            )
        }
    }

    static func connectorNotFound(_ guid: UUID) -> StoreError {
        .notFound("The receive connector with GUID \(guid.uuidString.lowercased()) isn't in the store; someone may have removed it.")
    }

    static func distinct(_ rights: [ExtendedRight]) -> [ExtendedRight] {
        var seen = Set<ExtendedRight>()
        return rights.filter { seen.insert($0).inserted }
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    package static func decodeSecret(_ text: String, path: String) throws -> ControlSecret {
        guard let secret = ControlSecret(stored: text) else {
            throw StoreError.database("The control secret in the store at \(path) is damaged (not 256 bits of hex).")
        }
        return secret
    }

    // MARK: Accounts

    /// Every address is `local@domain` with a DNS domain.
    package static func validateAddresses(of account: MailboxAccount) throws {
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

    /// The account whose sign-in name (UPN, primary address or DOMAIN\alias) and password match, or nil.
    /// A name that matches no account costs the same one derivation as a wrong password.
    package static func authenticate(login: String, password: String, among accounts: [(account: MailboxAccount, hash: String)])
        -> MailboxAccount?
    {
        let candidates = accounts.filter { $0.account.answers(to: login) }
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

    // MARK: Accepted domains

    static func checkAcceptedDomain(_ domain: AcceptedDomain) throws {
        guard !domain.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError.refused("An accepted domain needs a name (-Name).")
        }
        do { try AcceptedDomain.validateDomainName(domain.domainName) } catch { throw StoreError.refused(error.message) }
    }

    /// Why `domain` can't sit beside the others (same name or same domain name), or nil.
    static func acceptedDomainConflict(_ domain: AcceptedDomain, among domains: [AcceptedDomain], excludingName: String?) -> String? {
        for other in domains {
            if let excludingName, other.name.caseInsensitiveCompare(excludingName) == .orderedSame { continue }
            if other.name.caseInsensitiveCompare(domain.name) == .orderedSame {
                return "An accepted domain named \"\(other.name)\" already exists."
            }
            if other.domainName.caseInsensitiveCompare(domain.domainName) == .orderedSame {
                return "The domain name \(other.domainName) is already accepted by accepted domain \"\(other.name)\"."
            }
        }
        return nil
    }

    /// Inserts a domain that passed the conflict check. A new default takes over from the old one; the first
    /// domain becomes the default when there is none. Returns whether the new domain is the default.
    @discardableResult
    package static func insertAcceptedDomain(_ domain: AcceptedDomain, in t: any StoreTransaction) throws -> Bool {
        let hasDefault = try t.acceptedDomains().contains(where: \.isDefault)
        var domain = domain
        if domain.isDefault && hasDefault { try t.clearDefaultAcceptedDomain() }
        domain.isDefault = domain.isDefault || !hasDefault
        try t.insert(acceptedDomain: domain)
        return domain.isDefault
    }
}
