import Foundation
import ReceptorControlLink
import ReceptorCore

/// A connector as the console sees it: the domain value plus the store revision a save must name.
public struct ConsoleConnector: Hashable, Sendable {
    public var connector: ReceiveConnector
    public var revision: Int
    public init(connector: ReceiveConnector, revision: Int) { self.connector = connector; self.revision = revision }
}

/// One listening endpoint as a running listener reports it (from its registration's status JSON).
public enum BindingState: Hashable, Sendable {
    case listening
    case failed(String)
}

/// What a running listener says about one server's endpoints, keyed by `IPBinding.description` ("0.0.0.0:25").
public struct ListenerStatus: Hashable, Sendable {
    public var server: String
    public var bindings: [String: BindingState]
    /// How to reach the listener's control protocol (the session monitor, usage): its Unix socket on this
    /// host, else its TCP control endpoint; nil when it has neither here.
    public var control: ControlTarget?
    /// The host the listener runs on, as it registered.
    public var host: String?
    public init(server: String, bindings: [String: BindingState], control: ControlTarget? = nil, host: String? = nil) {
        self.server = server; self.bindings = bindings; self.control = control; self.host = host
    }
}

/// One registered listener of the organization, alive or not, as the store's registrations say
/// (`ListenerLiveness` decides, as for `receptor status`; registrations of dead listeners are already gone).
public struct ListenerPresence: Hashable, Sendable {
    public var server: String
    public var host: String
    public var pid: Int32
    /// Nil while it heartbeats; otherwise its last heartbeat, from which it has been silent (not responding).
    public var silentSince: Date?

    public init(server: String, host: String, pid: Int32, silentSince: Date? = nil) {
        self.server = server; self.host = host; self.pid = pid; self.silentSince = silentSince
    }

    public var isAlive: Bool { silentSince == nil }
}

/// What the listeners' registrations say at one instant: the endpoints of each server's running listener,
/// and every registered listener with whether it is alive.
public struct ListenerReading: Hashable, Sendable {
    public var statuses: [ListenerStatus]
    public var presence: [ListenerPresence]
    public init(statuses: [ListenerStatus], presence: [ListenerPresence] = []) { self.statuses = statuses; self.presence = presence }
}

/// Everything the console draws from, read at one instant.
public struct ConsoleSnapshot: Sendable {
    public var generation: Int64
    public var servers: [Server]
    public var connectors: [ConsoleConnector]
    /// One entry per server that has a running listener; a server without an entry has none.
    public var listeners: [ListenerStatus]
    /// Every registered listener of the organization (the organization view counts them per server).
    public var presence: [ListenerPresence]

    public init(
        generation: Int64, servers: [Server], connectors: [ConsoleConnector], listeners: [ListenerStatus], presence: [ListenerPresence] = []
    ) {
        self.generation = generation; self.servers = servers; self.connectors = connectors; self.listeners = listeners
        self.presence = presence
    }

    /// The listeners' part of the snapshot, as the run loop compares it once a second.
    public var listenerReading: ListenerReading {
        get { ListenerReading(statuses: listeners, presence: presence) }
        set { listeners = newValue.statuses; presence = newValue.presence }
    }

    public func connectors(on server: String) -> [ConsoleConnector] {
        connectors.filter { $0.connector.server.caseInsensitiveCompare(server) == .orderedSame }
    }
    public func listener(for server: String) -> ListenerStatus? {
        listeners.first { $0.server.caseInsensitiveCompare(server) == .orderedSame }
    }
}

/// Why the data source refused something; `message` is shown as it is (one line).
public struct ConsoleDataError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The save named an old revision: someone changed the connector meanwhile.
        case revisionConflict
        /// The connector no longer exists.
        case notFound
        /// A rule or the store refused the change; nothing was written.
        case refused
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}

/// The console's only way to the configuration: the real app adapts the ConfigStore to it, tests use a fake.
/// Errors other than `ConsoleDataError` are shown with their description and treated as `.refused`.
public protocol ConsoleDataSource: AnyObject {
    /// Where the configuration lives, shown in the title bar.
    var storePath: String { get }
    func snapshot() throws -> ConsoleSnapshot
    /// Cheap to poll; goes up with every committed write anywhere.
    func generation() throws -> Int64
    @discardableResult func insert(_ connector: ReceiveConnector) throws -> ConsoleConnector
    @discardableResult func update(_ connector: ReceiveConnector, expectedRevision: Int) throws -> ConsoleConnector
    func remove(guid: UUID, expectedRevision: Int) throws
    /// Only the listeners' state (every registered listener, and the running ones' endpoints), for the run loop's
    /// once-a-second look when the configuration did not change (cheaper than a whole snapshot with thousands of
    /// connectors).
    func listenerReading(for snapshot: ConsoleSnapshot) throws -> ListenerReading
    /// A connector's explicit Add-ADPermission entries (allow and deny), which the Explain view needs for a
    /// session's rights. The default is none: only the permission groups count.
    func permissions(connector guid: UUID) throws -> [PermissionEntry]
}

extension ConsoleDataSource {
    public func permissions(connector guid: UUID) throws -> [PermissionEntry] { [] }
    public func listenerReading(for snapshot: ConsoleSnapshot) throws -> ListenerReading { try self.snapshot().listenerReading }
}

extension Error {
    var consoleMessage: String {
        if let e = self as? ConsoleDataError { return e.message }
        return "\(self)"
    }
    var isRevisionConflict: Bool { (self as? ConsoleDataError)?.kind == .revisionConflict }
}
