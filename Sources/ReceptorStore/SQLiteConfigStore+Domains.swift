import Foundation
import GRDB
import ReceptorCore

// Accepted domains: unique names and domain names; exactly one default while any exist.
extension SQLiteConfigStore {
    public func addAcceptedDomain(_ domain: AcceptedDomain) throws {
        try Self.checkAcceptedDomain(domain)
        try write { db in
            if let conflict = try Self.findAcceptedDomainConflict(db, domain, excludingName: nil) {
                throw StoreError.alreadyExists(conflict)
            }
            let becameDefault = try Self.insertAcceptedDomain(db, domain)
            try Records.bumpGeneration(
                db,
                summary: "New-AcceptedDomain \(domain.name) (\(domain.domainName), \(domain.domainType.rawValue)\(becameDefault ? ", default" : ""))")
        }
    }

    public func updateAcceptedDomain(_ domain: AcceptedDomain, originalName: String) throws {
        try Self.checkAcceptedDomain(domain)
        try write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM accepted_domains WHERE name = ?", arguments: [originalName]),
                let old = try Records.acceptedDomains(db).first(where: { $0.name.caseInsensitiveCompare(originalName) == .orderedSame })
            else {
                throw StoreError.notFound("Accepted domain \"\(originalName)\" isn't in the store.")
            }
            if let conflict = try Self.findAcceptedDomainConflict(db, domain, excludingName: originalName) {
                throw StoreError.alreadyExists(conflict)
            }
            if old.isDefault && !domain.isDefault {
                throw StoreError.refused(
                    "Accepted domain \"\(old.name)\" is the default; make another accepted domain the default instead (Set-AcceptedDomain -Identity <name> -MakeDefault $true)."
                )
            }
            if domain.isDefault && !old.isDefault {
                try db.execute(sql: "UPDATE accepted_domains SET is_default = 0 WHERE is_default")
            }
            try db.execute(
                sql: "UPDATE accepted_domains SET name = ?, domain_name = ?, type = ?, is_default = ? WHERE id = ?",
                arguments: [domain.name, domain.domainName, domain.domainType.rawValue, domain.isDefault, id])
            let renamed = old.name == domain.name ? "" : " renamed to \"\(domain.name)\","
            try Records.bumpGeneration(
                db,
                summary:
                    "Set-AcceptedDomain \(old.name):\(renamed) \(domain.domainName), \(domain.domainType.rawValue)\(domain.isDefault ? ", default" : "")"
            )
        }
    }

    public func removeAcceptedDomain(name: String) throws {
        try write { db in
            let all = try Records.acceptedDomains(db)
            guard let domain = all.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw StoreError.notFound("Accepted domain \"\(name)\" isn't in the store.")
            }
            if domain.isDefault && all.count > 1 {
                throw StoreError.refused(
                    "Accepted domain \"\(domain.name)\" is the default accepted domain and can't be removed while others exist. Make another one the default first (Set-AcceptedDomain -Identity <name> -MakeDefault $true)."
                )
            }
            try db.execute(sql: "DELETE FROM accepted_domains WHERE name = ?", arguments: [domain.name])
            try Records.bumpGeneration(db, summary: "Remove-AcceptedDomain \(domain.name)")
        }
    }

    // MARK: Helpers

    static func checkAcceptedDomain(_ domain: AcceptedDomain) throws {
        guard !domain.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError.refused("An accepted domain needs a name (-Name).")
        }
        do { try AcceptedDomain.validateDomainName(domain.domainName) } catch { throw StoreError.refused(error.message) }
    }

    /// Why `domain` can't sit beside the others (same name or same domain name), or nil.
    static func findAcceptedDomainConflict(_ db: Database, _ domain: AcceptedDomain, excludingName: String?) throws -> String? {
        for other in try Records.acceptedDomains(db) {
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
    static func insertAcceptedDomain(_ db: Database, _ domain: AcceptedDomain) throws -> Bool {
        let hasDefault = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM accepted_domains WHERE is_default)") ?? false
        let isDefault = domain.isDefault || !hasDefault
        if domain.isDefault && hasDefault {
            try db.execute(sql: "UPDATE accepted_domains SET is_default = 0 WHERE is_default")
        }
        try db.execute(
            sql: "INSERT INTO accepted_domains (name, domain_name, type, is_default) VALUES (?, ?, ?, ?)",
            arguments: [domain.name, domain.domainName, domain.domainType.rawValue, isDefault])
        return isDefault
    }
}
