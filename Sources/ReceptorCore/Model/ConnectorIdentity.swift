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
        connector.name.caseInsensitiveCompare(name) == .orderedSame
            && (server.map { connector.server.caseInsensitiveCompare($0) == .orderedSame } ?? true)
    }
}
