import Foundation

/// Why a connector whose bindings cover the endpoint did or did not take the connection.
public enum ConnectionOutcome: String, Sendable, CaseIterable {
    /// It takes the connection.
    case selected = "Selected"
    /// Its matching remote range is larger than the winner's.
    case lessSpecificRange = "LessSpecificRange"
    /// Same range size, but bound to the wildcard where the winner names the local address.
    case wildcardBinding = "WildcardBinding"
    /// None of its RemoteIPRanges contains the client.
    case remoteRangeDoesNotMatch = "RemoteRangeDoesNotMatch"
    /// Enabled is $false.
    case disabled = "Disabled"
    /// Same range size and binding kind: the name that sorts first wins.
    case nameOrder = "NameOrder"
}

/// Why a connection lands on its receive connector: the answer to "which connector takes a connection from
/// this address, and why not the others" (Test-ReceiveConnector, the console's Explain view). It is
/// `ConnectorSelector`'s decision — the listener's — spelled out connector by connector, over full
/// connectors or over their routes alone (`ConnectorRoute`: the store reads only those for every connector).
public struct ConnectionExplanation<Connector: ConnectorRouting>: Sendable {
    public typealias Outcome = ConnectionOutcome

    public struct Candidate: Sendable {
        public let connector: Connector
        public let outcome: Outcome
        /// One sentence.
        public let detail: String
    }

    /// The connector that takes the connection; nil when none does (the listener closes it at once).
    public let selected: Connector?
    /// One sentence.
    public let reason: String
    public let matchedBinding: IPBinding?
    public let matchedRange: IPRange?
    /// Every connector whose bindings cover the endpoint, the selected one first, then in selection order.
    public let candidates: [Candidate]
}

public enum ConnectionExplainer {
    /// Explains the choice among `connectors` (one server's) for a connection from `remoteAddress` to
    /// `localAddress:localPort`. A nil `localAddress` means "an address of this server that no connector
    /// binds specifically": only wildcard bindings cover it.
    @_specialize(where Connector == ConnectorRoute)
    public static func explain<Connector: ConnectorRouting>(
        connectors: [Connector], localAddress: IPAddress?, localPort: Int,
        remoteAddress: IPAddress
    ) -> ConnectionExplanation<Connector> {
        let remote = remoteAddress.unmappedIPv4 ?? remoteAddress
        let local = localAddress.map { $0.unmappedIPv4 ?? $0 } ?? (remote.family == .v4 ? .anyV4 : .anyV6)
        let endpoint =
            localAddress == nil
            ? "port \(localPort) (an address no connector binds specifically)"
            : IPBinding(address: local, port: localPort).description
        let ranked = ConnectorSelector.candidates(from: connectors, localAddress: local, localPort: localPort, remoteAddress: remote)
        let winner = ranked.first

        var candidates: [ConnectionExplanation<Connector>.Candidate] = []
        candidates.reserveCapacity(connectors.count)
        if let winner {
            candidates.append(
                ConnectionExplanation<Connector>.Candidate(
                    connector: winner.connector, outcome: .selected,
                    detail: "Its remote range \(winner.matchingRange) is the most specific match for \(remote) on \(winner.binding)."))
            for other in ranked.dropFirst() {
                candidates.append(lostTo(winner, other))
            }
        }
        let rankedNames = Set(ranked.map { $0.connector.guid })
        let remoteText = remote.description
        // The names lowered once each, not in every comparison (a server may have thousands of connectors).
        let byName = connectors.indices.map { (name: connectors[$0].name.lowercased(), index: $0) }.sorted { $0.name < $1.name }
        for (_, index) in byName where !rankedNames.contains(connectors[index].guid) {
            let c = connectors[index]
            guard c.bindings.contains(where: { $0.accepts(localAddress: local, port: localPort) }) else { continue }
            if !c.enabled {
                candidates.append(
                    ConnectionExplanation<Connector>.Candidate(connector: c, outcome: .disabled, detail: "It is disabled (Enabled is $false)."))
            } else {
                let ranges = c.remoteIPRanges.map(\.description).joined(separator: ", ")
                candidates.append(
                    ConnectionExplanation<Connector>.Candidate(
                        connector: c, outcome: .remoteRangeDoesNotMatch,
                        detail: "Its RemoteIPRanges (\(ranges)) do not contain \(remoteText)."))
            }
        }

        guard let winner else {
            let reason =
                candidates.isEmpty
                ? "No receive connector of the server binds \(endpoint): the connection is refused."
                : "No enabled connector bound to \(endpoint) has a remote range containing \(remote): the listener closes the connection at once."
            return ConnectionExplanation(selected: nil, reason: reason, matchedBinding: nil, matchedRange: nil, candidates: candidates)
        }
        let others = ranked.count - 1
        let reason =
            others == 0
            ? "\(winner.connector.identity) is the only enabled connector on \(winner.binding) whose remote ranges contain \(remote)."
            : "\(winner.connector.identity) has the most specific remote range containing \(remote) (\(winner.matchingRange)) among \(others + 1) connectors on \(endpoint)."
        return ConnectionExplanation(
            selected: winner.connector, reason: reason, matchedBinding: winner.binding,
            matchedRange: winner.matchingRange, candidates: candidates)
    }

    private static func lostTo<Connector>(
        _ winner: ConnectorSelector.Candidate<Connector>, _ other: ConnectorSelector.Candidate<Connector>
    ) -> ConnectionExplanation<Connector>.Candidate {
        let name = winner.connector.identity.description
        if other.matchingRange.span != winner.matchingRange.span {
            return .init(
                connector: other.connector, outcome: .lessSpecificRange,
                detail: "Its matching range \(other.matchingRange) is less specific than \(name)'s \(winner.matchingRange).")
        }
        if other.binding.isWildcard && !winner.binding.isWildcard {
            return .init(
                connector: other.connector, outcome: .wildcardBinding,
                detail: "Its binding \(other.binding) is the wildcard; \(name) binds \(winner.binding) itself.")
        }
        return .init(
            connector: other.connector, outcome: .nameOrder,
            detail: "Its range and binding are as specific as \(name)'s; the name that sorts first wins.")
    }

    /// One part of a remote range and the connector that takes it.
    public struct RangeShare<Connector: ConnectorRouting>: Sendable {
        public let first: IPAddress
        public let last: IPAddress
        /// Nil: no connector takes connections from these addresses.
        public let connector: Connector?

        /// The part as written in RemoteIPRanges: one address, a CIDR block where it is one, else `first-last`.
        public var text: String {
            if first == last { return first.description }
            let count = last.value - first.value &+ 1
            if count != 0, count & (count - 1) == 0, first.value & (count - 1) == 0 {
                return "\(first)/\(first.family.bitWidth - count.trailingZeroBitCount)"
            }
            if count == 0 { return "\(first)/0" }  // the whole IPv6 space wraps the count
            return "\(first)-\(last)"
        }
    }

    /// Splits `range` by the connector that takes each part of it on the endpoint (adjacent parts with the
    /// same connector merged), in address order.
    @_specialize(where Connector == ConnectorRoute)
    public static func split<Connector: ConnectorRouting>(
        _ range: IPRange, connectors: [Connector], localAddress: IPAddress?, localPort: Int
    ) -> [RangeShare<Connector>] {
        let family = range.family
        let local = localAddress.map { $0.unmappedIPv4 ?? $0 } ?? (family == .v4 ? .anyV4 : .anyV6)
        let map = SelectionMap(connectors: connectors, localAddress: local, localPort: localPort, family: family)
        return map.parts(from: range.first.value, through: range.last.value).map {
            RangeShare(first: map.address($0.first), last: map.address($0.last), connector: $0.connector)
        }
    }

}

extension ConnectionExplainer {
    /// Why a local endpoint could not be read; one sentence.
    public struct EndpointError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads a local endpoint as Test-ReceiveConnector's -LocalEndPoint and the console's Explain view take
    /// it: `25`, `0.0.0.0:25` or `[::]:25` (an address of the server no connector binds specifically: a nil
    /// address), or a specific `10.10.1.1:25` / `[2001:db8::1]:25`.
    public static func localEndpoint(parsing text: String) throws(EndpointError) -> (address: IPAddress?, port: Int) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let port = Int(trimmed) {
            guard (1...65535).contains(port) else { throw EndpointError(description: "the port \(port) is not between 1 and 65535.") }
            return (nil, port)
        }
        let binding: IPBinding
        do { binding = try IPBinding(parsing: trimmed) } catch {
            throw EndpointError(description: "\(error.description) Write it as 10.10.1.1:25, [2001:db8::1]:25 or a port such as 25.")
        }
        return (binding.isWildcard ? nil : binding.address, binding.port)
    }
}
