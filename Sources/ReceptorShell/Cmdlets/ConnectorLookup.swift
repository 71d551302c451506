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
        guard parts.count >= 2, let guid = UUID(uuidString: String(parts[1])) else { throw ShellError("Unrecognized connector reference \(payload).") }
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
        let all = try context.store.connectors(server: serverName)
        let matches = all.filter { Wildcard.matches(id.name, $0.connector.name) }
        if matches.isEmpty {
            let near = all.map(\.connector.name).min { editDistance($0, id.name) < editDistance($1, id.name) }
            let hint = near.map { editDistance($0, id.name) <= 3 ? " Did you mean \"\(serverName)\\\($0)\"?" : "" } ?? ""
            throw ShellError("The operation couldn't be performed because object '\(serverName)\\\(id.name)' couldn't be found.\(hint)")
        }
        return matches
    }
}

/// PowerShell-style `*` and `?` wildcards, case-insensitive; a name without wildcards must match exactly.
enum Wildcard {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard pattern.contains("*") || pattern.contains("?") else { return pattern.caseInsensitiveCompare(text) == .orderedSame }
        let p = Array(pattern.lowercased()), t = Array(text.lowercased())
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: t.count + 1), count: p.count + 1)
        func go(_ i: Int, _ j: Int) -> Bool {
            if let m = memo[i][j] { return m }
            let r: Bool
            if i == p.count { r = j == t.count }
            else if p[i] == "*" { r = go(i + 1, j) || (j < t.count && go(i, j + 1)) }
            else { r = j < t.count && (p[i] == "?" || p[i] == t[j]) && go(i + 1, j + 1) }
            memo[i][j] = r
            return r
        }
        return go(0, 0)
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
        var cur = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}
