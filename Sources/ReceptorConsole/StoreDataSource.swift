import Foundation
import ReceptorControl
import ReceptorControlLink
import ReceptorCore
import ReceptorStore

/// The console's data source over the real store: connectors with their revisions, and what running
/// listeners report about their bindings (from the registrations of running listeners, `ListenerLiveness`).
public final class StoreDataSource: ConsoleDataSource {
    private let store: ConfigStore
    /// The organization's control secret, read when a listener on another host is to be reached, and read again
    /// once `controlSecretRefresh` has passed: an administrator who rotates the secret (README, "The control
    /// endpoint's security") doesn't have to restart every console.
    private var controlSecret: (secret: ControlSecret?, readAt: Date)?
    private let clock: () -> Date
    /// How long a read secret is used before it is read again (a one-row query, so it can be short).
    public static let controlSecretRefresh: TimeInterval = 10

    public init(store: ConfigStore, clock: @escaping () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public var storePath: String { store.path }

    public func generation() throws -> Int64 { try store.generation() }

    public func snapshot() throws -> ConsoleSnapshot {
        let s = try store.snapshot()
        var snapshot = ConsoleSnapshot(
            generation: s.generation, servers: s.servers,
            connectors: s.connectors.map { ConsoleConnector(connector: $0.connector, revision: $0.revision) },
            listeners: [])
        snapshot.listenerReading = try listenerReading(for: snapshot)
        return snapshot
    }

    /// Only the listeners' state, for the once-a-second refresh when the configuration did not change
    /// (reading every connector again would cost more than a frame with thousands of them): every registered
    /// listener with whether it is alive (`ListenerLiveness`, the rule `receptor status` uses), and the
    /// endpoints of each server's running one.
    public func listenerReading(for snapshot: ConsoleSnapshot) throws -> ListenerReading {
        let registered = try store.liveListeners()
        let presence = registered.map { l, state in
            ListenerPresence(server: l.server, host: l.host, pid: l.pid, silentSince: state == .running ? nil : l.heartbeatAt)
        }
        let listeners = registered.filter { $0.state == .running }.map(\.registration)
        var statuses: [ListenerStatus] = []
        for server in snapshot.servers {
            guard let l = listeners.first(where: { $0.server.caseInsensitiveCompare(server.name) == .orderedSame }) else { continue }
            statuses.append(
                ListenerStatus(
                    server: server.name,
                    bindings: Self.bindingStates(l.statusJSON, connectors: snapshot.connectors(on: server.name).map(\.connector)),
                    control: controlTarget(l), host: l.host))
        }
        return ListenerReading(statuses: statuses, presence: presence)
    }

    /// The Unix socket of a listener on this host, else its TCP endpoint with the organization's secret.
    func controlTarget(_ registration: ListenerRegistration) -> ControlTarget? {
        guard let endpoint = ControlEndpoint.route(to: registration) else { return nil }
        if case .local = endpoint { return ControlTarget(endpoint) }
        return ControlTarget(endpoint, secret: currentControlSecret())
    }

    /// The secret as last read, read again when none was there yet or the last read is older than the refresh.
    private func currentControlSecret() -> ControlSecret? {
        let now = clock()
        if let held = controlSecret, held.secret != nil, now.timeIntervalSince(held.readAt) < Self.controlSecretRefresh { return held.secret }
        do {
            let read = try store.controlSecret(create: false)
            controlSecret = (read, now)
            return read
        } catch {
            // The store may be briefly unreachable: keep the secret held (the listeners' is most likely unchanged).
            return controlSecret?.secret
        }
    }

    /// The listener reports its sockets; a specific binding served by the wildcard socket of its port takes
    /// that socket's state.
    static func bindingStates(_ statusJSON: String, connectors: [ReceiveConnector]) -> [String: BindingState] {
        guard let status = ListenerStatusReport(json: statusJSON) else { return [:] }
        var sockets: [String: BindingState] = [:]
        for b in status.bindings {
            sockets[b.endpoint] = b.state == "listening" ? .listening : .failed(b.reason ?? b.state)
        }
        var result = sockets
        for binding in connectors.flatMap(\.bindings) where result[binding.description] == nil {
            if let state = sockets[binding.wildcardOfItsPort.description] { result[binding.description] = state }
        }
        return result
    }

    public func permissions(connector guid: UUID) throws -> [PermissionEntry] {
        try mapped { try store.permissions(connector: guid) }
    }

    public func insert(_ connector: ReceiveConnector) throws -> ConsoleConnector {
        try mapped {
            let s = try store.insertConnector(connector); return ConsoleConnector(connector: s.connector, revision: s.revision)
        }
    }

    public func update(_ connector: ReceiveConnector, expectedRevision: Int) throws -> ConsoleConnector {
        try mapped {
            let s = try store.updateConnector(connector, expectedRevision: expectedRevision)
            return ConsoleConnector(connector: s.connector, revision: s.revision)
        }
    }

    public func remove(guid: UUID, expectedRevision: Int) throws {
        try mapped { try store.removeConnector(guid: guid, expectedRevision: expectedRevision) }
    }

    private func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StoreError {
            switch error {
            case .revisionConflict(let m): throw ConsoleDataError(.revisionConflict, m)
            case .notFound(let m): throw ConsoleDataError(.notFound, m)
            default: throw ConsoleDataError(.refused, error.description)
            }
        }
    }
}
