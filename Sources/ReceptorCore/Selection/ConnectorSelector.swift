/// Which connector gets a connection (reference §6c): among the server's enabled connectors whose bindings
/// accept the local address and port and whose remote ranges contain the client, the one whose matching
/// range is smallest (most specific) wins; on a tie, one bound to the exact local IP beats one bound to the
/// wildcard; a remaining tie goes to the earlier name in sort order, so the choice is always the same.
public enum ConnectorSelector {
    public struct Candidate<Connector: ConnectorRouting>: Sendable {
        public let connector: Connector
        public let matchingRange: IPRange
        public let binding: IPBinding
    }

    public static func select(
        from connectors: [ReceiveConnector], localAddress: IPAddress, localPort: Int,
        remoteAddress: IPAddress
    ) -> ReceiveConnector? {
        candidates(from: connectors, localAddress: localAddress, localPort: localPort, remoteAddress: remoteAddress).first?.connector
    }

    /// All matching connectors, best first (for diagnostics: "why did this connection land there?").
    @_specialize(where Connector == ReceiveConnector)
    @_specialize(where Connector == ConnectorRoute)
    public static func candidates<Connector: ConnectorRouting>(
        from connectors: [Connector], localAddress: IPAddress, localPort: Int,
        remoteAddress: IPAddress
    ) -> [Candidate<Connector>] {
        let local = localAddress.unmappedIPv4 ?? localAddress
        let remote = remoteAddress.unmappedIPv4 ?? remoteAddress
        var found: [Candidate<Connector>] = []
        for c in connectors where c.enabled {
            guard let binding = c.binding(takingLocalAddress: local, port: localPort) else { continue }
            guard let range = c.remoteIPRanges.filter({ $0.contains(remote) }).min(by: { $0.span < $1.span }) else { continue }
            found.append(Candidate(connector: c, matchingRange: range, binding: binding))
        }
        return found.sorted { a, b in
            if a.matchingRange.span != b.matchingRange.span { return a.matchingRange.span < b.matchingRange.span }
            if a.binding.isWildcard != b.binding.isWildcard { return !a.binding.isWildcard }
            return a.connector.name.lowercased() < b.connector.name.lowercased()
        }
    }
}
