import Foundation

/// `SERVER\Name`, the identity of a receive connector. A bare `Name` means the current server.
public struct ConnectorIdentity: Hashable, Sendable, CustomStringConvertible {
    public var server: String?
    public var name: String

    public init(server: String?, name: String) { self.server = server; self.name = name }

    public init(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let slash = trimmed.firstIndex(of: "\\") {
            server = String(trimmed[..<slash])
            name = String(trimmed[trimmed.index(after: slash)...])
        } else {
            server = nil
            name = trimmed
        }
    }

    public var description: String { server.map { "\($0)\\\(name)" } ?? name }

    /// The identity as a generated command line writes it: double-quoted, PowerShell style, as the parameter
    /// table writes names.
    public var commandText: String { ValueParsing.quoted(description) }

    /// Exchange compares names without regard to case.
    public func matches(_ connector: ReceiveConnector) -> Bool {
        Self.sameName(connector.name, name) && (server.map { Self.sameName(connector.server, $0) } ?? true)
    }

    /// Whether two names are the same without regard to case, as `caseInsensitiveCompare` says. Names in ASCII
    /// (nearly all) are compared byte by byte, which is what it does for them: a server may have thousands of
    /// connectors, and a command compares a name with each.
    public static func sameName(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.allSatisfy({ $0 < 0x80 }) && y.allSatisfy({ $0 < 0x80 }) else {
            return a.caseInsensitiveCompare(b) == .orderedSame
        }
        guard x.count == y.count else { return false }
        func lower(_ c: UInt8) -> UInt8 { c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c }
        return zip(x, y).allSatisfy { lower($0) == lower($1) }
    }
}
