import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ReceptorCore
import ReceptorSMTP
import ReceptorStore
import ReceptorControl

/// What every session handler needs from the listener: the store (for AUTH), the message store, protocol
/// logs, connection counters, the blocking-work pool and the live-session registry.
public final class ListenerServices: @unchecked Sendable {
    public let store: ConfigStore
    public let messages: MessageStore
    public let tracker = ConnectionTracker()
    public let sessions = SessionRegistry()
    public let events = ListenerEventBus()
    /// Password checks at once, and failed logons per source across sessions.
    public let authLimits = AuthenticationLimits()
    /// Who uses each connector (Get-ReceiveConnectorUsage).
    public let usage: ConnectorUsageRecorder
    public let threadPool: NIOThreadPool
    public let logger: Logger
    public let dataDirectory: String
    private let logWriters = NIOLockedValueBox<[String: ProtocolLogWriter]>([:])
    private let internalIDs = NIOLockedValueBox<Int64>(Int64(Date().timeIntervalSince1970) << 20)

    public init(
        store: ConfigStore, dataDirectory: String, threadPool: NIOThreadPool, sync: GroupCommit.Mode = .fileSystem,
        usageRetentionDays: Int = ConnectorUsage.defaultRetentionDays, logger: Logger
    ) {
        self.store = store
        self.usage = ConnectorUsageRecorder(dataDirectory: dataDirectory, retentionDays: usageRetentionDays)
        self.dataDirectory = dataDirectory
        self.messages = MessageStore(dataDirectory: dataDirectory, sync: sync)
        self.threadPool = threadPool
        self.logger = logger
    }

    /// The receive protocol log settings of each service (Set-TransportService, Set-FrontendTransportService).
    private let logSettings = NIOLockedValueBox<[String: ReceiveProtocolLogSettings]>([:])

    /// The protocol log of a transport service (FrontEnd, Hub, Edge), shared by all its connectors (§8a), in
    /// the folder and with the limits its settings give.
    public func protocolLog(service: String) -> ProtocolLogWriter {
        let settings = logSettings.withLockedValue { $0[service] } ?? .exchangeDefaults
        let folder = settings.path ?? ProtocolLogWriter.folder(dataDirectory: dataDirectory, service: service)
        return logWriters.withLockedValue { writers in
            if let w = writers[service], w.folder == folder { return w }
            writers[service]?.flush()
            let w = ProtocolLogWriter(folder: folder, limits: ProtocolLogWriter.limits(settings), version: ReceptorListenerVersion.string)
            writers[service] = w
            return w
        }
    }

    /// Applies a server's protocol log settings (at start and on every reload): open writers take new
    /// limits at once; a new path takes effect with the next line written.
    public func configureProtocolLogs(for server: Server) {
        var all: [String: ReceiveProtocolLogSettings] = [:]
        for service in ReceiveProtocolLogSettings.services { all[service] = server.receiveProtocolLog(service: service) }
        logSettings.withLockedValue { $0 = all }
        for (service, writer) in logWriters.withLockedValue({ $0 }) {
            writer.update(limits: ProtocolLogWriter.limits(all[service] ?? .exchangeDefaults))
        }
    }

    public func flushLogs() {
        for w in logWriters.withLockedValue({ Array($0.values) }) { w.flush() }
    }

    public func nextInternalID() -> Int64 {
        internalIDs.withLockedValue {
            $0 += 1; return $0
        }
    }
}

public enum ReceptorListenerVersion {
    public static let string = "0.1.0"
}

/// Live sessions, so a reload can tell the sessions of a removed or disabled connector to finish, and the
/// control socket can list them.
public final class SessionRegistry: Sendable {
    /// One session's entry. The handler keeps it, so that the update after every burst of work finds the entry
    /// without hashing the session id; `info` is guarded by the registry's lock.
    final class Slot: @unchecked Sendable {
        fileprivate var info: LiveSession
        fileprivate let connectorGUID: UUID
        fileprivate let notify: @Sendable (SessionNotice) -> Void

        fileprivate init(info: LiveSession, connectorGUID: UUID, notify: @escaping @Sendable (SessionNotice) -> Void) {
            self.info = info
            self.connectorGUID = connectorGUID
            self.notify = notify
        }
    }

    public enum SessionNotice: Sendable { case connectorWithdrawn, shutdown }

    private let entries = NIOLockedValueBox<[String: Slot]>([:])

    public init() {}

    func add(_ info: LiveSession, connectorGUID: UUID, notify: @escaping @Sendable (SessionNotice) -> Void) -> Slot {
        let slot = Slot(info: info, connectorGUID: connectorGUID, notify: notify)
        entries.withLockedValue { $0[info.id] = slot }
        return slot
    }
    func update(_ slot: Slot, _ change: (inout LiveSession) -> Void) {
        entries.withLockedValue { _ in change(&slot.info) }
    }
    func info(of slot: Slot) -> LiveSession { entries.withLockedValue { _ in slot.info } }
    public func session(_ id: String) -> LiveSession? { entries.withLockedValue { $0[id]?.info } }
    func remove(_ id: String) { _ = entries.withLockedValue { $0.removeValue(forKey: id) } }
    public var sessions: [LiveSession] { entries.withLockedValue { $0.values.map(\.info).sorted { $0.startedAt < $1.startedAt } } }
    public var count: Int { entries.withLockedValue { $0.count } }
    /// The sessions whose last activity is later than `date` (the monitor's once-a-second tick).
    public func sessions(activeAfter date: Date) -> [LiveSession] {
        entries.withLockedValue { $0.values.compactMap { $0.info.lastActivity > date ? $0.info : nil } }
    }

    /// Tells the sessions whose connector is no longer usable to finish the message in flight and close.
    public func withdraw(connectors: Set<UUID>) {
        for e in entries.withLockedValue({ Array($0.values) }) where connectors.contains(e.connectorGUID) { e.notify(.connectorWithdrawn) }
    }

    public func shutdownAll() {
        for e in entries.withLockedValue({ Array($0.values) }) { e.notify(.shutdown) }
    }
}
