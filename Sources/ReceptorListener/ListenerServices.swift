import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ReceptorCore
import ReceptorSMTP
import ReceptorStore

/// What every session handler needs from the listener: the store (for AUTH), the message store, protocol
/// logs, connection counters, the blocking-work pool and the live-session registry.
public final class ListenerServices: @unchecked Sendable {
    public let store: ConfigStore
    public let messages: MessageStore
    public let tracker = ConnectionTracker()
    public let sessions = SessionRegistry()
    public let threadPool: NIOThreadPool
    public let logger: Logger
    public let dataDirectory: String
    /// For DomainSecureEnabled connectors: the partner domain a verified client certificate proves, if any.
    public var partnerDomain: (@Sendable (NIOSSLCertificate) -> String?)?
    private let logWriters = NIOLockedValueBox<[String: ProtocolLogWriter]>([:])
    private let internalIDs = NIOLockedValueBox<Int64>(Int64(Date().timeIntervalSince1970) << 20)

    public init(store: ConfigStore, dataDirectory: String, threadPool: NIOThreadPool, logger: Logger) {
        self.store = store
        self.dataDirectory = dataDirectory
        self.messages = MessageStore(dataDirectory: dataDirectory)
        self.threadPool = threadPool
        self.logger = logger
    }

    /// The protocol log of a transport service (FrontEnd, Hub, Edge), shared by all its connectors (§8a).
    public func protocolLog(service: String) -> ProtocolLogWriter {
        logWriters.withLockedValue { writers in
            if let w = writers[service] { return w }
            let w = ProtocolLogWriter(folder: ProtocolLogWriter.folder(dataDirectory: dataDirectory, service: service), version: ReceptorListenerVersion.string)
            writers[service] = w
            return w
        }
    }

    public func flushLogs() {
        for w in logWriters.withLockedValue({ Array($0.values) }) { w.flush() }
    }

    public func nextInternalID() -> Int64 {
        internalIDs.withLockedValue { $0 += 1; return $0 }
    }
}

public enum ReceptorListenerVersion {
    public static let string = "0.1.0"
}

/// Live sessions, so a reload can tell the sessions of a removed or disabled connector to finish, and the
/// control socket can list them.
public final class SessionRegistry: Sendable {
    public struct Entry: Sendable {
        public let sessionID: String
        public let connectorGUID: UUID
        public let connectorID: String
        public let remote: String
        public let local: String
        public let startedAt: Date
        let notify: @Sendable (SessionNotice) -> Void
    }

    public enum SessionNotice: Sendable { case connectorWithdrawn, shutdown }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    public init() {}

    func add(_ entry: Entry) { entries.withLockedValue { $0[entry.sessionID] = entry } }
    func remove(_ id: String) { _ = entries.withLockedValue { $0.removeValue(forKey: id) } }
    public var all: [Entry] { entries.withLockedValue { Array($0.values) } }
    public var count: Int { entries.withLockedValue { $0.count } }

    /// Tells the sessions whose connector is no longer usable to finish the message in flight and close.
    public func withdraw(connectors: Set<UUID>) {
        for e in all where connectors.contains(e.connectorGUID) { e.notify(.connectorWithdrawn) }
    }

    public func shutdownAll() {
        for e in all { e.notify(.shutdown) }
    }
}
