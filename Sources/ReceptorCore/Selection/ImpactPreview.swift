import Foundation

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
            ConnectionExplainer.RangeShare<ConnectorRoute>(first: first, last: last, connector: nil).text
        }

        public init(endpoint: IPBinding, first: IPAddress, last: IPAddress, from: ConnectorIdentity?, to: ConnectorIdentity?) {
            self.endpoint = endpoint
            self.first = first
            self.last = last
            self.from = from
            self.to = to
        }

        /// Clients that will be refused: nothing takes them afterwards.
        public var losesService: Bool { to == nil }

        /// Whether `address` (IPv4 unmapped) is one of the moving addresses.
        public func holds(_ address: IPAddress) -> Bool {
            address.family == first.family && address.value >= first.value && address.value <= last.value
        }

        public var description: String {
            let source = from.map { "from \($0)" } ?? "from no connector (refused today)"
            let target = to.map { "to \($0)" } ?? "to NO connector: the listener will refuse these clients"
            return "On \(endpoint), \(range) moves \(source) \(target)."
        }
    }

    /// The moves between `before` and `after` (one server's connectors, the changed one in its old and new
    /// form, or absent), on the endpoints of the changed connectors' bindings before and after: each specific
    /// address bound on those ports, and the wildcard for the addresses no connector binds specifically.
    public static func moves<Connector: ConnectorRouting>(before: [Connector], after: [Connector], changed: [Connector]) -> [Move] {
        analysis(before: before, after: after, changed: changed).moves
    }

    /// The moves, and the connectors that take some remote addresses afterwards on those endpoints — every
    /// endpoint a changed connector binds, so whether a changed connector can be selected at all
    /// (`ValidationContext.winnersAfterChange`, the reachability warning) needs no map of its own.
    public struct Analysis: Sendable {
        public let moves: [Move]
        public let winnersAfter: Set<UUID>
    }

    @_specialize(where Connector == ConnectorRoute)
    public static func analysis<Connector: ConnectorRouting>(before: [Connector], after: [Connector], changed: [Connector]) -> Analysis {
        var moves: [Move] = []
        var winners: Set<UUID> = []
        for e in endpoints(of: changed, among: [before, after].joined()) {
            moves += self.moves(before: before, after: after, local: e.address, port: e.port, family: e.family, winners: &winners)
        }
        return Analysis(moves: moves, winnersAfter: winners)
    }

    /// The endpoints where `changed`'s bindings can take connections, among `all` connectors: for each
    /// (family, port) they bind, the wildcard (the addresses no connector binds specifically) and each
    /// specific address bound on that port, in address order.
    public static func endpoints<Connector: ConnectorRouting>(of changed: [Connector], among all: some Sequence<Connector>) -> [IPBinding] {
        // One pass over the changed bindings and one over all bindings (a server may have thousands of ports).
        var ports: [PortKey] = []
        var seen: Set<PortKey> = []
        for binding in changed.flatMap(\.bindings) {
            let key = PortKey(family: binding.family, port: binding.port)
            if seen.insert(key).inserted { ports.append(key) }
        }
        var specific: [PortKey: Set<IPAddress>] = [:]
        for c in all {
            for b in c.bindings where !b.isWildcard {
                let key = PortKey(family: b.family, port: b.port)
                if seen.contains(key) { specific[key, default: []].insert(b.address) }
            }
        }
        var result: [IPBinding] = []
        for key in ports {
            let wildcard = key.family == .v4 ? IPAddress.anyV4 : IPAddress.anyV6
            let locals = [wildcard] + (specific[key] ?? []).sorted { $0.value < $1.value }
            for local in locals { result.append(IPBinding(address: local, port: key.port)) }
        }
        return result
    }

    struct PortKey: Hashable {
        let family: IPAddressFamily
        let port: Int
    }

    @_specialize(where Connector == ConnectorRoute)
    private static func moves<Connector: ConnectorRouting>(
        before: [Connector], after: [Connector], local: IPAddress, port: Int,
        family: IPAddressFamily, winners: inout Set<UUID>
    ) -> [Move] {
        let endpoint = IPBinding(address: local, port: port)
        let was = SelectionMap(connectors: before, localAddress: local, localPort: port, family: family)
        let will = SelectionMap(connectors: after, localAddress: local, localPort: port, family: family)
        for span in will.spans { if let guid = will.guid(span) { winners.insert(guid) } }
        // Walk both maps together: each stretch where neither changes has one connector before and one after.
        var moves: [Move] = []
        // The last move's connectors (by their index in `before` and `after`) and end, to extend it in place.
        var last: (from: Int?, to: Int?, end: UInt128)?
        var i = 0, j = 0
        var start: UInt128 = 0
        while i < was.spans.count && j < will.spans.count {
            let a = was.spans[i], b = will.spans[j]
            let end = min(a.last, b.last)
            // The same connector (perhaps renamed) is no move; connectors are named by index until a move needs them.
            if was.guid(a) != will.guid(b) {
                if let previous = last, previous.from == a.index, previous.to == b.index, previous.end &+ 1 == start {
                    let extended = moves[moves.count - 1]
                    moves[moves.count - 1] = Move(
                        endpoint: endpoint, first: extended.first, last: was.address(end), from: extended.from, to: extended.to)
                } else {
                    let from = a.index.map { was.connectors[$0].identity }, to = b.index.map { will.connectors[$0].identity }
                    moves.append(Move(endpoint: endpoint, first: was.address(start), last: was.address(end), from: from, to: to))
                }
                last = (a.index, b.index, end)
            }
            if a.last == end { i += 1 }
            if b.last == end { j += 1 }
            if end == family.maxValue { break }
            start = end + 1
        }
        return moves
    }
}
