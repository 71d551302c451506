import Foundation
import GRDB
import ReceptorCore

// Servers, receive connectors and their explicit permissions.
extension SQLiteConfigStore {
    // MARK: Servers

    public func addServer(_ server: Server, connectors: [ReceiveConnector], acceptedDomains: [AcceptedDomain]) throws {
        do { try Server.validateName(server.name) } catch { throw StoreError.refused(error.message) }
        try write { db in
            if let existing = try Records.server(db, named: server.name) {
                throw StoreError.alreadyExists("Server \(existing.name) is already in the store.")
            }
            try Records.insert(db, server: server)

            var added: [ReceiveConnector] = []
            let now = StoreClock.now()
            for var connector in connectors {
                guard connector.server.caseInsensitiveCompare(server.name) == .orderedSame else {
                    throw StoreError.refused("Receive connector \"\(connector.identity)\" belongs to server \(connector.server), not \(server.name).")
                }
                connector.server = server.name
                try Self.validate(connector, on: server, siblings: added)
                try Records.insert(db, connector: StoredConnector(connector: connector, revision: 1, whenCreated: now.date, whenChanged: now.date))
                added.append(connector)
            }

            // Accepted domains belong to the organization, not the server: one that is already there is kept.
            var domainsAdded = 0
            for domain in acceptedDomains where try Self.findAcceptedDomainConflict(db, domain, excludingName: nil) == nil {
                try Self.insertAcceptedDomain(db, domain)
                domainsAdded += 1
            }

            try Records.bumpGeneration(
                db,
                summary: "Add server \(server.name) (\(server.role.rawValue))"
                    + " with \(Self.count(added.count, "receive connector"))"
                    + (domainsAdded > 0 ? " and \(Self.count(domainsAdded, "accepted domain"))" : ""))
        }
    }

    /// Changes a server's settings (role, FQDN, domain, transport-service options). Its connectors are validated
    /// against the changed server, so a change that would leave one of them invalid is refused.
    public func updateServer(_ server: Server) throws {
        try write { db in
            guard let stored = try Records.server(db, named: server.name) else {
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
            let connectors = try Records.connectors(db, server: stored.name).map(\.connector)
            var errors: [RuleViolation] = []
            for connector in connectors {
                errors += ConnectorValidator.validate(connector, in: ValidationContext(server: server, siblings: connectors)).errors
            }
            if !errors.isEmpty { throw StoreError.invalid(errors) }
            try Records.update(db, server: server)
            try Records.bumpGeneration(db, summary: "Set server \(server.name): \(server.role.rawValue), \(server.fqdn)")
        }
    }

    // MARK: Connectors

    @discardableResult
    public func insertConnector(_ connector: ReceiveConnector) throws -> StoredConnector {
        try write { db in
            guard let server = try Records.server(db, named: connector.server) else {
                throw StoreError.notFound(
                    "Server \(connector.server) isn't in the store; receive connector \"\(connector.name)\" can't be created on it.")
            }
            var connector = connector
            connector.server = server.name
            if let existing = try Records.connector(db, guid: connector.guid) {
                throw StoreError.alreadyExists(
                    "A receive connector with GUID \(connector.guid.uuidString.lowercased()) already exists (\"\(existing.connector.identity)\").")
            }
            let siblings = try Records.connectors(db, server: server.name).map(\.connector)
            try Self.validate(connector, on: server, siblings: siblings)
            let now = StoreClock.now()
            let stored = StoredConnector(connector: connector, revision: 1, whenCreated: now.date, whenChanged: now.date)
            try Records.insert(db, connector: stored)
            try Records.bumpGeneration(db, summary: "New-ReceiveConnector \(connector.identity)")
            return stored
        }
    }

    @discardableResult
    public func updateConnector(_ connector: ReceiveConnector, expectedRevision: Int) throws -> StoredConnector {
        try write { db in
            guard let stored = try Records.connector(db, guid: connector.guid) else {
                throw StoreError.notFound("Receive connector \"\(connector.identity)\" isn't in the store any more; someone may have removed it.")
            }
            try Self.checkRevision(stored, expected: expectedRevision)
            let old = stored.connector
            guard connector.server.caseInsensitiveCompare(old.server) == .orderedSame else {
                throw StoreError.refused(
                    "Receive connector \"\(old.identity)\" belongs to server \(old.server); a connector can't be moved to another server. Create a new one on \(connector.server) instead."
                )
            }
            guard let server = try Records.server(db, named: old.server) else {
                throw StoreError.notFound("Server \(old.server) isn't in the store.")
            }
            var connector = connector
            connector.server = server.name
            let siblings = try Records.connectors(db, server: server.name).map(\.connector).filter { $0.guid != connector.guid }
            try Self.validate(connector, on: server, siblings: siblings)

            let updated = StoredConnector(
                connector: connector, revision: stored.revision + 1,
                whenCreated: stored.whenCreated, whenChanged: StoreClock.now().date)
            try Records.update(db, connector: updated)
            let renamed = old.name == connector.name ? "" : " renamed to \"\(connector.name)\","
            try Records.bumpGeneration(db, summary: "Set-ReceiveConnector \(old.identity):\(renamed) revision \(updated.revision)")
            return updated
        }
    }

    public func removeConnector(guid: UUID, expectedRevision: Int?) throws {
        try write { db in
            guard let stored = try Records.connector(db, guid: guid) else {
                throw StoreError.notFound(
                    "The receive connector with GUID \(guid.uuidString.lowercased()) isn't in the store; someone may have removed it already.")
            }
            if let expectedRevision { try Self.checkRevision(stored, expected: expectedRevision) }
            // Its permission entries go with it (ON DELETE CASCADE).
            try db.execute(sql: "DELETE FROM connectors WHERE guid = ?", arguments: [Records.key(guid)])
            try Records.bumpGeneration(db, summary: "Remove-ReceiveConnector \(stored.connector.identity)")
        }
    }

    // MARK: Permissions

    public func addPermission(_ entry: PermissionEntry, connector guid: UUID) throws {
        guard !entry.fromPermissionGroup else {
            throw StoreError.refused("Permissions of permission groups follow from -PermissionGroups; they can't be added as explicit entries.")
        }
        let principal = entry.user.name.trimmingCharacters(in: .whitespaces)
        guard !principal.isEmpty else { throw StoreError.refused("Add-ADPermission needs a user or group (-User).") }
        let rights = Self.distinct(entry.extendedRights)
        guard !rights.isEmpty else {
            throw StoreError.refused(
                "Add-ADPermission needs at least one extended right (-ExtendedRights), such as ms-Exch-SMTP-Accept-Any-Recipient.")
        }
        try write { db in
            guard let stored = try Records.connector(db, guid: guid) else { throw Self.connectorNotFound(guid) }
            let existing = try Records.permissionRows(db, connector: guid)
                .first { $0.entry.user == SecurityPrincipal(principal) && $0.entry.deny == entry.deny }
            if let existing {
                let merged = Self.distinct(existing.entry.extendedRights + rights)
                try db.execute(
                    sql: "UPDATE permissions SET rights = ? WHERE id = ?",
                    arguments: [try StoreJSON.encode(merged), existing.id])
            } else {
                try db.execute(
                    sql: "INSERT INTO permissions (connector, principal, rights, deny) VALUES (?, ?, ?, ?)",
                    arguments: [Records.key(guid), principal, try StoreJSON.encode(rights), entry.deny])
            }
            try Records.bumpGeneration(
                db,
                summary:
                    "Add-ADPermission \(stored.connector.identity): \(entry.deny ? "deny" : "allow") \(principal) \(rights.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    /// Removes the listed rights from the explicit entry of the same principal and deny flag (the whole entry
    /// when no rights are listed); the row goes when no rights remain. All or nothing: if the explicit entry
    /// lacks any of the rights, nothing is removed.
    public func removePermission(_ entry: PermissionEntry, connector guid: UUID) throws {
        try write { db in
            guard let stored = try Records.connector(db, guid: guid) else { throw Self.connectorNotFound(guid) }
            let rights = Self.distinct(entry.extendedRights)
            let existing =
                entry.fromPermissionGroup
                ? nil
                : try Records.permissionRows(db, connector: guid)
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
                try db.execute(sql: "DELETE FROM permissions WHERE id = ?", arguments: [existing.id])
            } else {
                try db.execute(sql: "UPDATE permissions SET rights = ? WHERE id = ?", arguments: [try StoreJSON.encode(remaining), existing.id])
            }
            let removed = rights.isEmpty ? existing.entry.extendedRights : rights
            try Records.bumpGeneration(
                db,
                summary:
                    "Remove-ADPermission \(stored.connector.identity): \(entry.deny ? "deny" : "allow") \(existing.entry.user.name) \(removed.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    // MARK: Helpers

    static func validate(_ connector: ReceiveConnector, on server: Server, siblings: [ReceiveConnector]) throws {
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
}
