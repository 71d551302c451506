import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// Finds the connectors a cmdlet means: by `-Identity` (`SERVER\Name`, `Name` on the current server, a
/// GUID, wildcards), or by the objects piped in. A piped object carries the revision it was read at, so a
/// change based on it is refused if someone changed the connector meanwhile.
enum ConnectorLookup {
    struct Target {
        var stored: StoredConnector
        /// The revision the change is based on.
        var baseRevision: Int
    }

    static func targets(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext, required: Bool = true) throws -> [Target] {
        if let identity = try inv.string("Identity") {
            if identity.hasPrefix("connector:") { return [try fromPayload(identity, context: context)] }
            let found = try find(identity, context: context)
            return found.map { Target(stored: $0, baseRevision: $0.revision) }
        }
        let piped = input.compactMap { value -> String? in
            if case .object(let o) = value, let p = o.payload, p.hasPrefix("connector:") { return p }
            return nil
        }
        if !piped.isEmpty { return try piped.map { try fromPayload($0, context: context) } }
        if !input.isEmpty {
            // A piped string is an identity, as PowerShell binds it by value.
            return try input.flatMap { try find($0.text, context: context).map { Target(stored: $0, baseRevision: $0.revision) } }
        }
        if required { throw ShellError("\(inv.name): -Identity is required (a receive connector such as \"SERVER\\Name\", or pipe one in).") }
        return []
    }

    static func fromPayload(_ payload: String, context: ShellContext) throws -> Target {
        let parts = payload.split(separator: ":")
        guard parts.count >= 2, let guid = UUID(uuidString: String(parts[1])) else {
            throw ShellError("Unrecognized connector reference \(payload).")
        }
        guard let stored = try context.store.connector(guid: guid) else {
            throw ShellError("The receive connector was removed after it was read (GUID \(guid.uuidString.lowercased())).")
        }
        let revision = parts.count >= 3 ? Int(parts[2]) ?? stored.revision : stored.revision
        return Target(stored: stored, baseRevision: revision)
    }

    /// Every connector an identity names; an identity that names none is an error, as in Exchange.
    static func find(_ identity: String, context: ShellContext) throws -> [StoredConnector] {
        let trimmed = identity.trimmingCharacters(in: .whitespaces)
        if let guid = UUID(uuidString: trimmed), let stored = try context.store.connector(guid: guid) { return [stored] }
        let id = ConnectorIdentity(parsing: trimmed)
        let serverName = try id.server ?? context.currentServer().name
        // Names are matched on the connectors' routing (a server may have thousands of connectors); only the
        // matches are read in full — one by one when they are few, else all of the server's at once.
        let routes = try context.connectorRoutes(server: serverName)
        let matched = routes.filter { Wildcard.matches(id.name, $0.name) }
        if matched.isEmpty {
            let near = Suggestions.closest(to: id.name, among: routes.map(\.name))
            let hint = near.map { " Did you mean \"\(serverName)\\\($0)\"?" } ?? ""
            throw ShellError("The operation couldn't be performed because object '\(serverName)\\\(id.name)' couldn't be found.\(hint)")
        }
        if matched.count > readOneByOneAtMost {
            let guids = Set(matched.map(\.guid))
            return try context.store.connectors(server: serverName).filter { guids.contains($0.connector.guid) }
        }
        return try matched.map { route in
            guard let stored = try context.store.connector(guid: route.guid) else {
                throw ShellError("The receive connector \(route.identity) was removed while it was being read.")
            }
            return stored
        }
    }

    /// Above this many matches, reading the server's connectors at once is cheaper than one read each.
    static let readOneByOneAtMost = 32
}

/// Identities with wildcards (`*Relay*`, `Client ?roxy`, `[CD]efault*`) match as `-like` does, by the
/// language's one matcher. A name always matches itself without regard to case, so a connector named
/// `Relay [old]` is found by its name.
enum Wildcard {
    static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern.caseInsensitiveCompare(name) == .orderedSame { return true }
        guard WildcardPattern.hasWildcards(pattern), let wildcard = try? WildcardPattern(pattern) else { return false }
        return wildcard.matches(name)
    }
}
