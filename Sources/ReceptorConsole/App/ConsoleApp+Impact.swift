import Foundation
import ReceptorControl
import ReceptorCore

/// The impact preview (which traffic changes hands, with the usage evidence) for the wizard, the edit
/// dialog and the confirmations, and the unreachable connectors of the list. Both are worked out when the
/// data or the draft changes, never per keystroke of typing.
extension ConsoleApp {
    /// How long the usage read for the evidence is reused.
    static let evidenceUsageLifetime: TimeInterval = 30

    /// The usage rows of the server's connectors over the evidence days (from the listener, or the files),
    /// read at most every `evidenceUsageLifetime`; none without a usage source.
    func evidenceUsage(server: String) -> [ConnectorUsageRow] {
        guard let usageSource else { return [] }
        if let cached = evidenceCache, cached.server == server, now().timeIntervalSince(cached.at) < Self.evidenceUsageLifetime {
            return cached.rows
        }
        let reading = usageSource.usage(
            connector: nil, days: ImpactReport.evidenceDays, control: snapshot.listener(for: server)?.control)
        evidenceCache = (server, now(), reading.answer.rows)
        return reading.answer.rows
    }

    /// What a change of `server`'s connectors does to its traffic, in the shell's -WhatIf wording. Worked out
    /// over the connectors' routing (`ConnectorRoute`), all that selection reads: the maps then move small
    /// values, not whole connectors (a server may have thousands).
    func trafficChanges(server: String, after: [ConnectorRoute], changed: [ReceiveConnector]) -> [TrafficChange] {
        let before = routes(on: server)
        let moves = ImpactPreview.moves(before: before, after: after, changed: changed.map(ConnectorRoute.init))
        guard !moves.isEmpty else { return [] }
        return ImpactReport.changes(moves, connectors: before, usage: evidenceUsage(server: server))
    }

    /// The routing of a server's connectors in the snapshot.
    func routes(on server: String) -> [ConnectorRoute] { snapshot.connectors(on: server).map { ConnectorRoute($0.connector) } }

    /// Adding `c` (the wizard's summary).
    func trafficChanges(adding c: ReceiveConnector) -> [TrafficChange] {
        trafficChanges(server: c.server, after: routes(on: c.server) + [ConnectorRoute(c)], changed: [c])
    }

    /// `c` in place of its stored form (the edit dialog's save, enable or disable).
    func trafficChanges(replacing c: ReceiveConnector) -> [TrafficChange] {
        let old = snapshot.connectors(on: c.server).first { $0.connector.guid == c.guid }?.connector
        let route = ConnectorRoute(c)
        return trafficChanges(server: c.server, after: routes(on: c.server).map { $0.guid == c.guid ? route : $0 }, changed: [old ?? c, c])
    }

    /// Removing `c` (the delete confirmation).
    func trafficChanges(removing c: ReceiveConnector) -> [TrafficChange] {
        trafficChanges(server: c.server, after: routes(on: c.server).filter { $0.guid != c.guid }, changed: [c])
    }

    // MARK: Unreachable connectors

    /// The selected server's connectors that no connection can select (the validator's rule, for the
    /// whole server at once), worked out once per store generation and server.
    var unreachableConnectors: Set<UUID> {
        guard let serverName else { return [] }
        if let cached = reachabilityCache, cached.generation == snapshot.generation, cached.server == serverName {
            return cached.unreachable
        }
        let unreachable = Set(Reachability.unreachable(among: routes(on: serverName)).map(\.guid))
        reachabilityCache = (snapshot.generation, serverName, unreachable, [:])
        return unreachable
    }

    /// For an unreachable connector, the warning naming the connectors that take its traffic (the
    /// validator's sentence); nil for a reachable one. Worked out once per connector and generation.
    func unreachableWarning(_ c: ReceiveConnector) -> String? {
        guard unreachableConnectors.contains(c.guid) else { return nil }
        if let known = reachabilityCache?.shadows[c.guid] { return known }
        let shadows = Reachability.shadows(of: ConnectorRoute(c), among: routes(on: c.server))
        let warning = ConnectorValidator.unreachableMessage(c, shadows: shadows)
        reachabilityCache?.shadows[c.guid] = warning
        return warning
    }
}
