import Foundation
import ReceptorCore

/// The impact preview as administrators read it, in one wording for the shell's `-WhatIf` and the console's
/// wizard, edit dialog and confirmations: each move of `ImpactPreview` and, where the listener recorded usage
/// (`ConnectorUsageRow`), the evidence of who will actually move ("…received 412 sessions from 3 addresses in
/// 17.17.17.0/24 in the last 7 days; they will go to …").
public struct TrafficChange: Hashable, Sendable {
    public let move: ImpactPreview.Move
    /// The sessions the connector that gives the traffic away received from the moving addresses, if any.
    public let evidence: String?

    /// Said loudly: afterwards no connector takes these clients, so the listener refuses them.
    public var isLoud: Bool { move.losesService }

    /// The move's sentence, then its evidence.
    public var lines: [String] { [move.description] + (evidence.map { [$0] } ?? []) }
}

public enum ImpactReport {
    /// The days of usage the evidence looks back over.
    public static let evidenceDays = 7
    /// What is said when a change moves no traffic.
    public static let nothingMoves = "No traffic changes connector."

    /// The moves with their evidence from `usage` (rows of the last `days` days; the connectors are matched by
    /// GUID through `connectors`, the server's connectors before the change). Usage rows do not record the
    /// local endpoint, so the evidence counts the connector's sessions from those addresses on any of its
    /// bindings; one (connector, range) is described once even when it moves on several endpoints.
    public static func changes(
        _ moves: [ImpactPreview.Move], connectors: [ReceiveConnector], usage: [ConnectorUsageRow], days: Int = evidenceDays
    ) -> [TrafficChange] {
        guard !usage.isEmpty else { return moves.map { TrafficChange(move: $0, evidence: nil) } }
        var guids: [ConnectorIdentity: String] = [:]
        for c in connectors { guids[c.identity] = c.guid.uuidString.lowercased() }
        // The rows of each connector that gives traffic away, with their addresses parsed once.
        let givers = Set(moves.compactMap { $0.from.flatMap { guids[$0] } })
        var byConnector: [String: [(address: IPAddress, row: ConnectorUsageRow)]] = [:]
        for row in usage where givers.contains(row.connectorGUID) {
            guard let address = try? IPAddress(parsing: row.remoteAddress) else { continue }  // "(other addresses)"
            byConnector[row.connectorGUID, default: []].append((address.unmappedIPv4 ?? address, row))
        }
        var described: Set<String> = []
        return moves.map { move in
            guard let from = move.from, let guid = guids[from], let rows = byConnector[guid] else {
                return TrafficChange(move: move, evidence: nil)
            }
            let key = guid + " " + move.range
            var sessions = 0
            var addresses: Set<IPAddress> = []
            for (address, row) in rows
            where address.family == move.first.family && address.value >= move.first.value && address.value <= move.last.value {
                sessions += row.sessions
                addresses.insert(address)
            }
            guard sessions > 0, described.insert(key).inserted else { return TrafficChange(move: move, evidence: nil) }
            let target = move.to.map { "they will go to \($0)" } ?? "they will be REFUSED: no connector takes them"
            let evidence =
                "\(from) received \(count(sessions, "session")) from \(count(addresses.count, "address", "addresses")) in \(move.range) "
                + "in the last \(count(days, "day")); \(target)."
            return TrafficChange(move: move, evidence: evidence)
        }
    }

    static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String { "\(n) \(n == 1 ? one : many ?? one + "s")" }
}
