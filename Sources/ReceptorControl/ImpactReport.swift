import Foundation
import ReceptorCore

/// The impact preview as administrators read it, in one wording for the shell's `-WhatIf` and the console's
/// wizard, edit dialog and confirmations: each move of `ImpactPreview` and, where the listener recorded usage
/// (`ConnectorUsageRow`), the evidence of who will actually move ("…received 412 sessions from 3 addresses in
/// 17.17.17.0/24 in the last 7 days; they will go to …").
public struct TrafficChange: Hashable, Sendable {
    /// The move; for folded moves (`folded` > 0), the first of them, with the last one's end.
    public let move: ImpactPreview.Move
    /// The sessions the connector that gives the traffic away received from the moving addresses, if any.
    public let evidence: String?
    /// How many moves of one connector to one other on one endpoint this stands for, when there were too
    /// many to list (`ImpactReport.listedPerPair`); 0 for a single move.
    public let folded: Int
    /// The addresses of the folded moves together.
    public let foldedAddresses: UInt128

    public init(move: ImpactPreview.Move, evidence: String?, folded: Int = 0, foldedAddresses: UInt128 = 0) {
        self.move = move
        self.evidence = evidence
        self.folded = folded
        self.foldedAddresses = foldedAddresses
    }

    /// Said loudly: afterwards no connector takes these clients, so the listener refuses them.
    public var isLoud: Bool { move.losesService }

    /// The move's sentence, or the folded moves' one.
    public var sentence: String {
        guard folded > 0 else { return move.description }
        let m = move
        let source = m.from.map { "from \($0)" } ?? "from no connector (refused today)"
        let target = m.to.map { "to \($0)" } ?? "to NO connector: the listener will refuse these clients"
        return "On \(m.endpoint), \(ImpactReport.count(folded, "more range")) between \(m.first) and \(m.last) "
            + "(\(ImpactReport.count(foldedAddresses, "address", "addresses")) in all) move \(source) \(target)."
    }

    /// The sentence, then its evidence.
    public var lines: [String] { [sentence] + (evidence.map { [$0] } ?? []) }
}

public enum ImpactReport {
    /// The days of usage the evidence looks back over.
    public static let evidenceDays = 7
    /// What is said when a change moves no traffic.
    public static let nothingMoves = "No traffic changes connector."

    /// How many moves of one connector to one other on one endpoint are listed; the rest are said in one line
    /// (a wide range over thousands of single-address connectors moves in thousands of pieces, and a list of
    /// them all hides what matters: who gives traffic to whom, how much, and who is refused).
    public static let listedPerPair = 10

    /// The moves with their evidence from `usage` (rows of the last `days` days; the connectors are matched by
    /// GUID through `connectors`, the server's connectors before the change). Usage rows do not record the
    /// local endpoint, so the evidence counts the connector's sessions from those addresses on any of its
    /// bindings; one (connector, range) is described once even when it moves on several endpoints. Past
    /// `listed` moves of one connector to one other on an endpoint, the rest are folded into one change that
    /// follows the last listed one, its evidence counting all of them.
    public static func changes(
        _ moves: [ImpactPreview.Move], connectors: [some ConnectorRouting], usage: [ConnectorUsageRow], days: Int = evidenceDays,
        listed: Int = listedPerPair
    ) -> [TrafficChange] {
        // The moves shown: each pair's first `listed`, then its rest as one group.
        var shown: [[ImpactPreview.Move]] = []
        var listedOf: [MovePair: Int] = [:]
        var restOf: [MovePair: Int] = [:]
        var last: (pair: MovePair, index: Int)?  // the last folded pair and its group
        for move in moves {
            let pair = MovePair(endpoint: move.endpoint, from: move.from, to: move.to)
            // A pair's moves mostly come one after another: those of a pair already folded skip the lookups.
            if let (lastPair, index) = last, lastPair == pair {
                shown[index].append(move)
                continue
            }
            let n = listedOf[pair, default: 0]
            if n < listed {
                listedOf[pair] = n + 1
                shown.append([move])
            } else if let rest = restOf[pair] {
                shown[rest].append(move)
                last = (pair, rest)
            } else {
                restOf[pair] = shown.count
                last = (pair, shown.count)
                shown.append([move])
            }
        }
        let folded = Set(restOf.values)

        var guids: [ConnectorIdentity: String] = [:]
        if !usage.isEmpty { for c in connectors { guids[c.identity] = c.guid.uuidString.lowercased() } }
        // The rows of each connector that gives traffic away, with their addresses parsed once.
        let givers = Set(moves.compactMap { $0.from.flatMap { guids[$0] } })
        var byConnector: [String: [(address: IPAddress, row: ConnectorUsageRow)]] = [:]
        for row in usage where givers.contains(row.connectorGUID) {
            guard let address = try? IPAddress(parsing: row.remoteAddress) else { continue }  // "(other addresses)"
            byConnector[row.connectorGUID, default: []].append((address.unmappedIPv4 ?? address, row))
        }
        var described: Set<String> = []
        return shown.indices.map { k in
            let group = shown[k]
            let first = group[0]
            let move =
                group.count == 1
                ? first
                : ImpactPreview.Move(endpoint: first.endpoint, first: first.first, last: group[group.count - 1].last, from: first.from, to: first.to)
            let isFolded = folded.contains(k)
            let addresses = isFolded ? group.reduce(UInt128(0)) { $0 &+ ($1.last.value &- $1.first.value &+ 1) } : 0
            func change(_ evidence: String?) -> TrafficChange {
                TrafficChange(move: move, evidence: evidence, folded: isFolded ? group.count : 0, foldedAddresses: addresses)
            }
            guard let from = move.from, let guid = guids[from], let rows = byConnector[guid] else { return change(nil) }
            let key = guid + " " + (isFolded ? "\(move.endpoint) \(move.first)-\(move.last) folded" : move.range)
            var sessions = 0
            var sources: Set<IPAddress> = []
            for (address, row) in rows where holds(group, address) {
                sessions += row.sessions
                sources.insert(address)
            }
            guard sessions > 0, described.insert(key).inserted else { return change(nil) }
            let target = move.to.map { "they will go to \($0)" } ?? "they will be REFUSED: no connector takes them"
            let where_ = isFolded ? "those ranges" : move.range
            return change(
                "\(from) received \(count(sessions, "session")) from \(count(sources.count, "address", "addresses")) in \(where_) "
                    + "in the last \(count(days, "day")); \(target).")
        }
    }

    /// Whether one of `moves` (of one endpoint, in address order, disjoint) holds `address`: a binary search.
    static func holds(_ moves: [ImpactPreview.Move], _ address: IPAddress) -> Bool {
        var low = 0, high = moves.count
        while low < high {
            let mid = (low + high) / 2
            if moves[mid].last.family == address.family && moves[mid].last.value < address.value { low = mid + 1 } else { high = mid }
        }
        return low < moves.count && moves[low].holds(address)
    }

    static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String { count(UInt128(n), one, many) }

    /// `1 address`, `16,766,206 addresses` (digits grouped, as a count is read).
    static func count(_ n: UInt128, _ one: String, _ many: String? = nil) -> String {
        var digits = String(n)
        var i = digits.count - 3
        while i > 0 {
            digits.insert(",", at: digits.index(digits.startIndex, offsetBy: i))
            i -= 3
        }
        return "\(digits) \(n == 1 ? one : many ?? one + "s")"
    }
}

/// Moves of one connector (or none) to one other (or none) on one endpoint.
private struct MovePair: Hashable {
    let endpoint: IPBinding
    let from: ConnectorIdentity?
    let to: ConnectorIdentity?
}
