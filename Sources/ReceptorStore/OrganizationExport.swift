import Foundation
import ReceptorCore

/// A whole organization as a store holds it, for moving it to another store (`receptor store copy`, SQLite to
/// PostgreSQL and back): servers, receive connectors with their GUIDs, revisions and times, explicit
/// permissions, accepted domains, mailboxes with their salted password hashes (plain passwords are never
/// stored, so never copied), transport and recipient filter settings, and the organization's control secret (so
/// consoles that attach to its listeners' control endpoints keep doing so after a move). Not copied: the change log and the
/// generation (the target's history starts with the copy), listener registrations (processes of the old
/// store), and nothing outside the store (message folders, logs, usage: the data directory).
public struct OrganizationExport: Sendable {
    public var snapshot: StoreSnapshot
    /// Each mailbox's stored hash, by user principal name.
    public var passwordHashes: [String: String]
    /// The organization's control secret, when a listener has made one (its description never shows it).
    public var controlSecret: ControlSecret?

    public init(snapshot: StoreSnapshot, passwordHashes: [String: String], controlSecret: ControlSecret? = nil) {
        self.snapshot = snapshot
        self.passwordHashes = passwordHashes
        self.controlSecret = controlSecret
    }

    /// "2 servers, 11 receive connectors, 1 permission entry, 2 accepted domains, 3 mailboxes, the control secret"
    /// (the secret named, never shown).
    public var summary: String {
        let s = snapshot
        return
            ([
                count(s.servers.count, "server"), count(s.connectors.count, "receive connector"),
                count(s.permissions.values.reduce(0) { $0 + $1.count }, "permission entry", plural: "permission entries"),
                count(s.acceptedDomains.count, "accepted domain"), count(s.accounts.count, "mailbox", plural: "mailboxes"),
            ] + (controlSecret == nil ? [] : [Self.controlSecretNoun])).joined(separator: ", ")
    }

    /// How summaries and refusals name the control secret.
    public static let controlSecretNoun = "the control secret"

    private func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
    }

    /// The rules a store applies to each of these when it is written one by one, applied to the whole before an
    /// import writes anything (one place for both backends): names and values valid, every connector valid
    /// beside its server's other connectors, every permission entry on a connector of the export, accepted
    /// domains and mailbox addresses without duplicates, every mailbox with a hash this version can verify.
    public func validate() throws {
        let s = snapshot
        var serverNames = Set<String>()
        for server in s.servers {
            do { try Server.validateName(server.name) } catch { throw StoreError.refused(error.message) }
            guard serverNames.insert(server.name.lowercased()).inserted else {
                throw StoreError.refused("Server \(server.name) appears twice in the store being copied.")
            }
        }
        var guids = Set<UUID>()
        // Each server's connectors once, indexed: the validator skips the one it checks by its GUID, and compares
        // it only with those that share its name, a port or remote addresses (not every pair: 10,005 connectors
        // took 313 s so). Errors only: a copy refuses what a store would refuse. Reachability gives warnings
        // alone and costs a selection sweep over every sibling per connector.
        var contexts: [String: ValidationContext] = [:]
        for server in s.servers {
            contexts[server.name] = ValidationContext(
                server: server, siblings: s.connectors(on: server.name).map(\.connector), checksReachability: false
            ).indexingSiblings()
        }
        for stored in s.connectors {
            let connector = stored.connector
            guard let server = s.server(named: connector.server) else {
                throw StoreError.refused(
                    "Receive connector \"\(connector.identity)\" belongs to server \(connector.server), which is not in the store.")
            }
            guard guids.insert(connector.guid).inserted else {
                throw StoreError.refused("Two receive connectors have GUID \(connector.guid.uuidString.lowercased()).")
            }
            guard stored.revision >= 1 else {
                throw StoreError.refused("Receive connector \"\(connector.identity)\" has revision \(stored.revision).")
            }
            let context = contexts[server.name] ?? ValidationContext(server: server, siblings: [ConnectorRoute](), checksReachability: false)
            let report = ConnectorValidator.validate(connector, in: context)
            if !report.errors.isEmpty { throw StoreError.invalid(report.errors) }
        }
        for (guid, entries) in s.permissions where !entries.isEmpty {
            guard guids.contains(guid) else {
                throw StoreError.refused("Permission entries name receive connector \(guid.uuidString.lowercased()), which is not in the store.")
            }
        }
        var domainNames = Set<String>(), domains = Set<String>()
        for domain in s.acceptedDomains {
            do { try AcceptedDomain.validateDomainName(domain.domainName) } catch { throw StoreError.refused(error.message) }
            guard domainNames.insert(domain.name.lowercased()).inserted, domains.insert(domain.domainName.lowercased()).inserted else {
                throw StoreError.refused("Accepted domain \"\(domain.name)\" (\(domain.domainName)) appears twice in the store being copied.")
            }
        }
        if s.acceptedDomains.filter(\.isDefault).count > 1 {
            throw StoreError.refused("More than one accepted domain is the default in the store being copied.")
        }
        var addresses: [String: String] = [:]
        for account in s.accounts {
            do { try MailboxAccount.validateUserPrincipalName(account.userPrincipalName) } catch { throw StoreError.refused(error.message) }
            try SQLiteConfigStore.validateAddresses(of: account)
            for address in Set(account.allAddresses.map { $0.lowercased() }) {
                if let other = addresses.updateValue(account.userPrincipalName, forKey: address) {
                    throw StoreError.refused("The address \(address) is used by mailboxes \(other) and \(account.userPrincipalName).")
                }
            }
            guard let hash = passwordHash(of: account), PasswordHasher.parse(hash) != nil else {
                throw StoreError.refused("Mailbox \(account.userPrincipalName) has no password hash this version of Receptor can verify.")
            }
        }
    }

    /// The stored hash of a mailbox (user principal names compare without regard to case).
    public func passwordHash(of account: MailboxAccount) -> String? {
        passwordHashes[account.userPrincipalName]
            ?? passwordHashes.first { $0.key.caseInsensitiveCompare(account.userPrincipalName) == .orderedSame }?.value
    }

    /// The refusal for a target store that already holds an organization.
    public static func targetNotEmpty(_ path: String, holding what: String) -> StoreError {
        .refused("The store at \(path) is not empty (it holds \(what)); copy into an empty store, so nothing there is overwritten or merged.")
    }
}
