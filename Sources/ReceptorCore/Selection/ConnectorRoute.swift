import Foundation

/// What choosing a connector for a connection reads of it (§6c): its identity, whether it is enabled, its
/// bindings and its remote ranges. The selector, the selection map and the explainer work on any value that
/// has these, so one rule serves the full connector (the listener, the console) and the light route read
/// from the store for every connector of a server (Test-ReceiveConnector), where only the winner is needed
/// in full.
public protocol ConnectorRouting: Sendable {
    var name: String { get }
    var server: String { get }
    var guid: UUID { get }
    var enabled: Bool { get }
    /// The transport service that listens for it (nil: Edge Transport). Two services never share a binding.
    var transportRole: TransportRole? { get }
    var bindings: [IPBinding] { get }
    var remoteIPRanges: [IPRange] { get }
}

extension ReceiveConnector: ConnectorRouting {}

/// A receive connector's routing, and nothing else: what `ConnectorRouting` reads, as the store gives it
/// without building the rest of the connector (`ConnectorRoute(storedJSON:)`).
public struct ConnectorRoute: ConnectorRouting, Hashable {
    public var name: String
    public var server: String
    public var guid: UUID
    public var enabled: Bool
    public var transportRole: TransportRole?
    public var bindings: [IPBinding]
    public var remoteIPRanges: [IPRange]

    public init(
        name: String, server: String, guid: UUID, enabled: Bool, transportRole: TransportRole?, bindings: [IPBinding],
        remoteIPRanges: [IPRange]
    ) {
        self.name = name
        self.server = server
        self.guid = guid
        self.enabled = enabled
        self.transportRole = transportRole
        self.bindings = bindings
        self.remoteIPRanges = remoteIPRanges
    }

    /// The routing of a full connector.
    public init(_ c: ReceiveConnector) {
        self.init(
            name: c.name, server: c.server, guid: c.guid, enabled: c.enabled, transportRole: c.transportRole, bindings: c.bindings,
            remoteIPRanges: c.remoteIPRanges)
    }
}

extension ConnectorRouting {
    public var identity: ConnectorIdentity { ConnectorIdentity(server: server, name: name) }

    /// The binding through which this connector takes a connection to `localAddress:port`, if any: one that
    /// names the address itself before a wildcard, each in the order listed (§6c).
    public func binding(takingLocalAddress localAddress: IPAddress, port: Int) -> IPBinding? {
        var wildcard: IPBinding?
        for b in bindings where b.accepts(localAddress: localAddress, port: port) {
            if !b.isWildcard { return b }
            if wildcard == nil { wildcard = b }
        }
        return wildcard
    }
}
