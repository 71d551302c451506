import Foundation

/// Which connectors no connection can ever select: on every endpoint their bindings serve, every address of
/// their remote ranges goes to a more specific or preferred connector (`SelectionMap`, the listener's rule).
/// One rule for the validator's warning on save and the console's mark in the list.
public enum Reachability {
    /// Whether a connector can be asked at all: enabled, with bindings and remote ranges.
    static func isCandidate(_ c: some ConnectorRouting) -> Bool { c.enabled && !c.bindings.isEmpty && !c.remoteIPRanges.isEmpty }

    /// The GUIDs of the connectors that win some remote addresses on some endpoint of `ports`' bindings
    /// (every connector's, when nil), among `connectors` (one server's).
    @_specialize(where Connector == ConnectorRoute)
    static func winners<Connector: ConnectorRouting>(among connectors: [Connector], on ports: [Connector]) -> Set<UUID> {
        // Only the connectors bound to a port can take its connections: each map is built from those (named by
        // their index, not copied).
        var byPort: [Int: [Int]] = [:]
        for (index, c) in connectors.enumerated() {
            for (k, b) in c.bindings.enumerated() where !c.bindings[..<k].contains(where: { $0.port == b.port }) {
                byPort[b.port, default: []].append(index)
            }
        }
        var winners: Set<UUID> = []
        for endpoint in ImpactPreview.endpoints(of: ports, among: connectors) {
            let map = SelectionMap(
                connectors: connectors, considering: byPort[endpoint.port] ?? [], localAddress: endpoint.address, localPort: endpoint.port,
                family: endpoint.family)
            for span in map.spans { if let index = span.index { winners.insert(connectors[index].guid) } }
        }
        return winners
    }

    /// Whether some connection can select `c` among `connectors` (which include it).
    @_specialize(where Connector == ConnectorRoute)
    public static func isReachable<Connector: ConnectorRouting>(_ c: Connector, among connectors: [Connector]) -> Bool {
        !isCandidate(c) || winners(among: connectors, on: [c]).contains(c.guid)
    }

    /// The connectors of one server that no connection can select, in the given order. Computed for the
    /// whole server at once: one map per endpoint in use (O(e · n log n)), not one per connector.
    @_specialize(where Connector == ConnectorRoute)
    public static func unreachable<Connector: ConnectorRouting>(among connectors: [Connector]) -> [Connector] {
        let candidates = connectors.filter(isCandidate)
        guard !candidates.isEmpty else { return [] }
        let won = winners(among: connectors, on: candidates)
        return candidates.filter { !won.contains($0.guid) }
    }

    /// The names of the connectors that take `c`'s traffic instead (on each of its bindings, for each of its
    /// remote ranges), in the order found.
    @_specialize(where Connector == ConnectorRoute)
    public static func shadows<Connector: ConnectorRouting>(of c: Connector, among connectors: [Connector]) -> [String] {
        let all = connectors.contains { $0.guid == c.guid } ? connectors : connectors + [c]
        var names: [String] = []
        for binding in c.bindings {
            let local: IPAddress? = binding.isWildcard ? nil : binding.address
            for range in c.remoteIPRanges where range.family == binding.family {
                for share in ConnectionExplainer.split(range, connectors: all, localAddress: local, localPort: binding.port) {
                    if let other = share.connector, other.guid != c.guid, !names.contains(other.name) { names.append(other.name) }
                }
            }
        }
        return names
    }
}
