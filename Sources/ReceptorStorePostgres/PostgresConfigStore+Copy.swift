import Foundation
import PostgresNIO
import ReceptorCore
import ReceptorStore

// Moving a whole organization between stores (`receptor store copy`); the rules are OrganizationExport's.
extension PostgresConfigStore {
    public func exportOrganization() throws -> OrganizationExport {
        try read { s in
            let accounts = try PGRecords.accountsWithHashes(s)
            let snapshot = StoreSnapshot(
                generation: try PGRecords.generation(s), servers: try PGRecords.servers(s),
                connectors: try PGRecords.connectors(s, server: nil), permissions: try PGRecords.allPermissions(s),
                acceptedDomains: try PGRecords.acceptedDomains(s), accounts: accounts.map(\.account),
                transportConfig: try PGRecords.transportConfig(s), recipientFilterConfig: try PGRecords.recipientFilterConfig(s))
            let secret = try s.rows("SELECT secret FROM control_secret WHERE id = 1").first?.decode(String.self)
            return OrganizationExport(
                snapshot: snapshot, passwordHashes: Dictionary(accounts.map { ($0.account.userPrincipalName, $0.hash) }) { first, _ in first },
                controlSecret: try secret.map { try StoreWriteRules.decodeSecret($0, path: path) })
        }
    }

    public func importOrganization(_ export: OrganizationExport, from source: String) throws {
        try export.validate()
        let snapshot = export.snapshot
        try write { s in
            if let what = try Self.organizationContents(s) { throw OrganizationExport.targetNotEmpty(path, holding: what) }
            for server in snapshot.servers { try PGRecords.insert(s, server: server) }
            for stored in snapshot.connectors { try PGRecords.insert(s, connector: stored) }
            for (guid, entries) in snapshot.permissions {
                for entry in entries {
                    try s.query(
                        "INSERT INTO permissions (connector, principal, rights, deny) VALUES (\(PGRecords.key(guid)), \(entry.user.name), \(try PGJSON.encode(entry.extendedRights)), \(entry.deny))"
                    )
                }
            }
            for domain in snapshot.acceptedDomains { try Self.insertAcceptedDomain(s, domain) }
            for account in snapshot.accounts { try Self.insertAccount(s, account, hash: export.passwordHash(of: account) ?? "") }
            if let secret = export.controlSecret {
                try s.query("INSERT INTO control_secret (id, secret, created_at) VALUES (1, \(secret.stored), \(PGClock.now().millis))")
            }
            try PGRecords.setMeta(s, "transport_config", String(decoding: try JSONEncoder().encode(snapshot.transportConfig), as: UTF8.self))
            try PGRecords.setMeta(
                s, "recipient_filter_config", String(decoding: try JSONEncoder().encode(snapshot.recipientFilterConfig), as: UTF8.self))
            try PGRecords.bumpGeneration(s, summary: "Copied from \(source): \(export.summary)")
        }
    }

    /// What makes a store not empty for a copy, as words ("1 server, 5 receive connectors"), or nil.
    static func organizationContents(_ s: Session) throws -> String? {
        var parts: [String] = []
        for (table, noun) in [
            ("servers", "server"), ("connectors", "receive connector"), ("accepted_domains", "accepted domain"), ("accounts", "mailbox"),
        ] {
            let n = try s.rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).first?.decode(Int64.self) ?? 0
            if n > 0 { parts.append("\(n) \(n == 1 ? noun : noun == "mailbox" ? "mailboxes" : noun + "s")") }
        }
        // A secret alone is some other organization's: consoles may hold it.
        if try s.rows("SELECT count(*) FROM control_secret").first?.decode(Int64.self) ?? 0 > 0 {
            parts.append(OrganizationExport.controlSecretNoun)
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
