import Foundation
import ReceptorCore

/// A connector's routing as the columns beside its JSON (schema v4: `enabled`, `transport_role`, `bindings`,
/// `remote_ip_ranges` on `connectors`), so that reading every connector's routing (`connectorRoutes(server:)`,
/// Test-ReceiveConnector over thousands of connectors) touches only these small columns, never the JSON. Both
/// backends write and read them through this type, in the same statement as `data`.
///
/// The text forms are the canonical ones the JSON holds and its parsers read back: each binding's and range's
/// `description` (as `Codable` writes them), joined by `separator`, and `TransportRole`'s rawValue (nil: Edge
/// Transport). A column that is NULL (a row whose JSON didn't read when the v4 migration filled them) or that
/// doesn't read back gives no route: the caller then reads the row in full, with the full reader's errors.
public struct RouteColumns: Hashable, Sendable {
    public var enabled: Bool
    public var transportRole: String?
    public var bindings: String
    public var remoteIPRanges: String

    /// Never part of a binding's or a range's text: those are made of hex digits, ".", ":", "[", "]", "-", "/",
    /// and an IPv6 zone's letters, digits, "_", "." and "-".
    public static let separator: Character = ","

    public init(enabled: Bool, transportRole: String?, bindings: String, remoteIPRanges: String) {
        self.enabled = enabled
        self.transportRole = transportRole
        self.bindings = bindings
        self.remoteIPRanges = remoteIPRanges
    }

    /// The columns of a connector's (or a route's) routing.
    public init(_ route: some ConnectorRouting) {
        self.init(
            enabled: route.enabled, transportRole: route.transportRole?.rawValue,
            bindings: route.bindings.map(\.description).joined(separator: String(Self.separator)),
            remoteIPRanges: route.remoteIPRanges.map(\.description).joined(separator: String(Self.separator)))
    }

    /// The route these columns give a connector of this name, server and GUID; nil where a value doesn't read.
    public func route(name: String, server: String, guid: UUID) -> ConnectorRoute? {
        var reader = Reader()
        return route(name: name, server: server, guid: guid, reader: &reader)
    }

    /// Reads the columns of many rows: a bindings column met before is parsed once (most connectors of a server
    /// share their bindings, and with thousands of them parsing the same text again was a tenth of the read).
    public struct Reader {
        fileprivate var bindingsRead: [String: [IPBinding]] = [:]
        public init() {}

        /// `RouteColumns.route(name:server:guid:enabled:…)`, remembering the bindings columns it parsed.
        public mutating func route(
            name: String, server: String, guid: String, enabled: Bool?, transportRole: String?, bindings: String?, remoteIPRanges: String?
        ) -> ConnectorRoute? {
            guard let enabled, let bindings, let remoteIPRanges, let uuid = UUID(storedText: guid) ?? UUID(uuidString: guid) else { return nil }
            return RouteColumns(enabled: enabled, transportRole: transportRole, bindings: bindings, remoteIPRanges: remoteIPRanges)
                .route(name: name, server: server, guid: uuid, reader: &self)
        }
    }

    private func route(name: String, server: String, guid: UUID, reader: inout Reader) -> ConnectorRoute? {
        var role: TransportRole?
        if let transportRole {
            guard let value = TransportRole(rawValue: transportRole) else { return nil }
            role = value
        }
        let known = reader.bindingsRead[self.bindings]
        if known == nil, let parsed = Self.entries(self.bindings, { text throws(AddressParseError) in try IPBinding(parsing: text) }) {
            reader.bindingsRead[self.bindings] = parsed
        }
        guard let bindings = known ?? reader.bindingsRead[self.bindings],
            let ranges = Self.entries(remoteIPRanges, { text throws(AddressParseError) in try IPRange(parsing: text) })
        else { return nil }
        return ConnectorRoute(
            name: name, server: server, guid: guid, enabled: enabled, transportRole: role, bindings: bindings, remoteIPRanges: ranges)
    }

    /// The entries of a column, each parsed; nil if one doesn't parse. Split on the bytes, and not at all for
    /// the common single entry (a server may have thousands of connectors).
    private static func entries<T>(_ text: String, _ parse: (String) throws(AddressParseError) -> T) -> [T]? {
        let separator = separator.asciiValue!
        if text.isEmpty { return [] }
        guard text.utf8.contains(separator) else { return (try? parse(text)).map { [$0] } }
        var result: [T] = []
        for part in text.utf8.split(separator: separator) {
            guard let entry = try? parse(String(Substring(part))) else { return nil }
            result.append(entry)
        }
        return result
    }

    /// The route of a row's columns as a backend reads them: nil where the columns are NULL (not filled) or a
    /// value, the GUID included, doesn't read.
    public static func route(
        name: String, server: String, guid: String, enabled: Bool?, transportRole: String?, bindings: String?, remoteIPRanges: String?
    ) -> ConnectorRoute? {
        var reader = Reader()
        return reader.route(
            name: name, server: server, guid: guid, enabled: enabled, transportRole: transportRole, bindings: bindings,
            remoteIPRanges: remoteIPRanges)
    }
}
