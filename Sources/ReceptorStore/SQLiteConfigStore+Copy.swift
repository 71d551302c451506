import Foundation
import GRDB
import ReceptorCore

// Moving a whole organization between stores (`receptor store copy`); the rules are OrganizationExport's.
extension SQLiteConfigStore {
    public func exportOrganization() throws -> OrganizationExport {
        try read { db in
            let accounts = try Records.accountsWithHashes(db)
            let snapshot = StoreSnapshot(
                generation: try Records.generation(db), servers: try Records.servers(db),
                connectors: try Records.connectors(db, server: nil), permissions: try Records.allPermissions(db),
                acceptedDomains: try Records.acceptedDomains(db), accounts: accounts.map(\.account),
                transportConfig: try Records.transportConfig(db), recipientFilterConfig: try Records.recipientFilterConfig(db))
            let secret = try String.fetchOne(db, sql: "SELECT secret FROM control_secret WHERE id = 1")
            return OrganizationExport(
                snapshot: snapshot, passwordHashes: Dictionary(accounts.map { ($0.account.userPrincipalName, $0.hash) }) { first, _ in first },
                controlSecret: try secret.map { try StoreWriteRules.decodeSecret($0, path: path) })
        }
    }

    public func importOrganization(_ export: OrganizationExport, from source: String) throws {
        try export.validate()
        let s = export.snapshot
        try write { db in
            if let what = try Self.organizationContents(db) { throw OrganizationExport.targetNotEmpty(path, holding: what) }
            for server in s.servers { try Records.insert(db, server: server) }
            for stored in s.connectors { try Records.insert(db, connector: stored) }
            for (guid, entries) in s.permissions {
                for entry in entries {
                    try db.execute(
                        sql: "INSERT INTO permissions (connector, principal, rights, deny) VALUES (?, ?, ?, ?)",
                        arguments: [Records.key(guid), entry.user.name, try StoreJSON.encode(entry.extendedRights), entry.deny])
                }
            }
            for domain in s.acceptedDomains { try Self.insertAcceptedDomain(db, domain) }
            for account in s.accounts { try Self.insertAccount(db, account, hash: export.passwordHash(of: account) ?? "") }
            if let secret = export.controlSecret {
                try db.execute(
                    sql: "INSERT INTO control_secret (id, secret, created_at) VALUES (1, ?, ?)", arguments: [secret.stored, StoreClock.now().millis])
            }
            for (key, value) in [
                ("transport_config", try JSONEncoder().encode(s.transportConfig)),
                ("recipient_filter_config", try JSONEncoder().encode(s.recipientFilterConfig)),
            ] {
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, String(decoding: value, as: UTF8.self)])
            }
            try Records.bumpGeneration(db, summary: "Copied from \(source): \(export.summary)")
        }
    }

    /// What makes a store not empty for a copy, as words ("1 server, 5 receive connectors"), or nil.
    static func organizationContents(_ db: Database) throws -> String? {
        var parts: [String] = []
        for (table, noun) in [
            ("servers", "server"), ("connectors", "receive connector"), ("accepted_domains", "accepted domain"), ("accounts", "mailbox"),
        ] {
            let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            if n > 0 { parts.append("\(n) \(n == 1 ? noun : noun == "mailbox" ? "mailboxes" : noun + "s")") }
        }
        // A secret alone is some other organization's: consoles may hold it.
        if try Int.fetchOne(db, sql: "SELECT count(*) FROM control_secret") ?? 0 > 0 { parts.append(OrganizationExport.controlSecretNoun) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
