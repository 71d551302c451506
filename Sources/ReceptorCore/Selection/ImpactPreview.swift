/// Which traffic changes hands when a server's connectors change: for every endpoint the change touches, the
/// remote addresses whose connector is another one afterwards (`ConnectorSelector`, the listener's rule,
/// applied before and after), exactly over IPv4 and IPv6. A new, narrower connector takes traffic; a removed
/// or disabled one gives it back — perhaps to no connector at all, which means those clients are refused.
public enum ImpactPreview {
    /// Remote addresses that go from one connector (or none) to another (or none) on one endpoint.
    public struct Move: Hashable, Sendable, CustomStringConvertible {
        /// `10.10.1.1:25`, or `0.0.0.0:25` for the addresses of the server no connector binds specifically.
        public let endpoint: IPBinding
        public let first: IPAddress
        public let last: IPAddress
        public let from: ConnectorIdentity?
        public let to: ConnectorIdentity?

        /// The addresses as RemoteIPRanges would write them (an address, a CIDR block, or first-last).
        public var range: String {
            ConnectionExplainer.RangeShare(first: first, last: last, connector: nil).text
        }

        /// Clients that will be refused: nothing takes them afterwards.
        public var losesService: Bool { to == nil }

        public var description: String {
            let source = from.map { "from \($0)" } ?? "from no connector (refused today)"
            let target = to.map { "to \($0)" } ?? "to NO connector: the listener will refuse these clients"
            return "On \(endpoint), \(range) moves \(source) \(target)."
        }
    }

    /// The moves between `before` and `after` (one server's connectors, the changed one in its old and new
    /// form, or absent), on the endpoints of the changed connectors' bindings before and after: each specific
    /// address bound on those ports, and the wildcard for the addresses no connector binds specifically.
    public static func moves(before: [ReceiveConnector], after: [ReceiveConnector], changed: [ReceiveConnector]) -> [Move] {
        // (family, port) pairs the change touches.
        var ports: [(IPAddressFamily, Int)] = []
        for binding in changed.flatMap(\.bindings) where !ports.contains(where: { $0 == (binding.family, binding.port) }) {
            ports.append((binding.family, binding.port))
        }
        var moves: [Move] = []
        for (family, port) in ports {
            let all = before + after
            var specific: [IPAddress] = []
            for b in all.flatMap(\.bindings) where b.family == family && b.port == port && !b.isWildcard && !specific.contains(b.address) {
                specific.append(b.address)
            }
            let wildcard = family == .v4 ? IPAddress.anyV4 : IPAddress.anyV6
            for local in [wildcard] + specific.sorted(by: { $0.value < $1.value }) {
                moves += self.moves(before: before, after: after, local: local, port: port, family: family)
            }
        }
        return moves
    }

    private static func moves(before: [ReceiveConnector], after: [ReceiveConnector], local: IPAddress, port: Int,
                              family: IPAddressFamily) -> [Move] {
        let endpoint = IPBinding(address: local, port: port)
        // The winner can change only where a range of a connector on this endpoint starts or ends.
        var cuts: Set<UInt128> = [0]
        for c in before + after where c.enabled && c.bindings.contains(where: { $0.accepts(localAddress: local, port: port) }) {
            for r in c.remoteIPRanges where r.family == family {
                cuts.insert(r.first.value)
                if r.last.value < family.maxValue { cuts.insert(r.last.value + 1) }
            }
        }
        let starts = cuts.sorted()
        var moves: [Move] = []
        for (i, start) in starts.enumerated() {
            let end = i + 1 < starts.count ? starts[i + 1] - 1 : family.maxValue
            let address = family == .v4 ? IPAddress(v4: UInt32(start)) : IPAddress(v6: start)
            let was = ConnectorSelector.select(from: before, localAddress: local, localPort: port, remoteAddress: address)
            let will = ConnectorSelector.select(from: after, localAddress: local, localPort: port, remoteAddress: address)
            guard was?.guid != will?.guid else { continue }  // the same connector (perhaps renamed): no move
            let lastAddress = family == .v4 ? IPAddress(v4: UInt32(end)) : IPAddress(v6: end)
            if let previous = moves.last, previous.from == was?.identity, previous.to == will?.identity,
               previous.last.value &+ 1 == start {
                moves[moves.count - 1] = Move(endpoint: endpoint, first: previous.first, last: lastAddress, from: was?.identity, to: will?.identity)
            } else {
                moves.append(Move(endpoint: endpoint, first: address, last: lastAddress, from: was?.identity, to: will?.identity))
            }
        }
        return moves
    }
}
