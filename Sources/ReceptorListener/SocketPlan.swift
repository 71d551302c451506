import ReceptorCore

/// Which sockets the listener needs for a set of connectors, and what each connector binding's status is.
/// Linux won't let a specific address listen on a port where the wildcard already listens, so a wildcard
/// socket serves every binding of its family and port, and the connection's local address picks the
/// connector (reference §6c). Pure: the server turns the plan into sockets.
public struct SocketPlan: Equatable, Sendable {
    /// One listening socket.
    public struct Endpoint: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let address: IPAddress
        public let port: Int
        public var description: String { address.family == .v6 ? "[\(address)]:\(port)" : "\(address):\(port)" }
        public static func < (a: Endpoint, b: Endpoint) -> Bool {
            (a.port, a.address.family == .v6 ? 1 : 0, a.address) < (b.port, b.address.family == .v6 ? 1 : 0, b.address)
        }
    }

    public let endpoints: [Endpoint]
    /// For each binding text of each enabled connector, the endpoint that serves it.
    public let servingEndpoint: [IPBinding: Endpoint]

    public init(connectors: [ReceiveConnector]) {
        var bindings = Set<IPBinding>()
        for c in connectors where c.enabled { bindings.formUnion(c.bindings) }
        var serving: [IPBinding: Endpoint] = [:]
        var endpoints = Set<Endpoint>()
        for b in bindings {
            let wildcard = b.wildcardOfItsPort
            let endpoint =
                bindings.contains(wildcard) ? Endpoint(address: wildcard.address, port: b.port) : Endpoint(address: b.address, port: b.port)
            serving[b] = endpoint
            endpoints.insert(endpoint)
        }
        self.endpoints = endpoints.sorted()
        servingEndpoint = serving
    }
}
