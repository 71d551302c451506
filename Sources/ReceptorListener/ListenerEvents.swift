import Foundation
import NIOConcurrencyHelpers

/// What the listener tells its control-socket subscribers (product.md): sessions opening, changing state and
/// closing; messages accepted and rejected; config applied or rejected; bindings up or failed. Each event is
/// one JSON object; `type` says which.
public struct ListenerEvent: Sendable, Encodable {
    public var type: String
    public var time: Date
    public var session: LiveSession?
    public var connector: String?
    public var detail: String?
    /// `transcript` events: the session and its protocol-log lines (AUTH data already redacted by the
    /// engine), as many as one burst of the session's work produced (`line` for a single one).
    public var sessionID: String?
    public var line: TranscriptLine?
    public var lines: [TranscriptLine]?
    /// `messageAccepted` events: the message as the monitor's Recent messages list shows it.
    public var message: MessageSummary?
    /// `tick` events (once a second to each subscriber): every connector's counters, and the sessions whose
    /// activity changed since the previous tick (bytes, messages, idle time).
    public var counters: [String: ConnectorCounters]?
    public var sessions: [LiveSession]?

    public init(type: String, time: Date = Date(), session: LiveSession? = nil, connector: String? = nil, detail: String? = nil,
                sessionID: String? = nil, line: TranscriptLine? = nil, lines: [TranscriptLine]? = nil, message: MessageSummary? = nil,
                counters: [String: ConnectorCounters]? = nil, sessions: [LiveSession]? = nil) {
        self.type = type; self.time = time; self.session = session; self.connector = connector; self.detail = detail
        self.sessionID = sessionID; self.line = line; self.lines = lines; self.message = message; self.counters = counters
        self.sessions = sessions
    }
}

/// One protocol-log line of a session, for the monitor's live transcript: the fields of reference §8 that
/// vary within a session (the connector, session and endpoints are the session's own).
public struct TranscriptLine: Sendable, Encodable {
    /// `yyyy-mm-ddThh:mm:ss.fffZ`, as in the protocol log.
    public var time: String
    public var sequence: Int
    /// `+`, `-`, `>`, `<` or `*`.
    public var event: String
    public var data: String
    public var context: String
    /// The whole line exactly as the protocol log file has it (all nine fields, CSV-quoted).
    public var text: String
}

/// An accepted message for the monitor: its envelope, how it came in, and its header section as stored
/// (the prepended Received and X-Receptor-* fields first), so TLS can be checked from the console.
public struct MessageSummary: Sendable, Encodable {
    public var messageID: String
    public var sessionID: String
    public var connector: String
    public var from: String
    public var recipients: [String]
    public var authAs: String
    public var authMechanism: String
    public var size: Int64
    public var receivedAt: Date
    public var headers: String

    /// The stored header section, at most this many bytes (a header block is rarely above a few KB).
    public static let maximumHeaderBytes = 32 * 1024
}

/// A live session as the monitor shows it.
public struct LiveSession: Sendable, Encodable {
    public var id: String
    public var connector: String
    public var remote: String
    public var local: String
    public var state: String
    public var tls: String?
    public var authenticatedAs: String?
    public var messages: Int
    public var bytes: Int64
    public var startedAt: Date
    public var lastActivity: Date
}

/// Per-connector counters (issue 5 item 2), kept from the listener's start.
public struct ConnectorCounters: Sendable, Encodable {
    public var connectionsNow = 0
    public var connectionsTotal = 0
    public var messagesAccepted = 0
    public var messagesRejected = 0
    public var relayDenied = 0
    public var authFailures = 0
    public var tarpitted = 0
    public var bytes: Int64 = 0
}

/// Fans events out to subscribers; a slow subscriber never blocks a session (its queue drops the oldest).
/// Keeps the last accepted messages, so a monitor opened later still lists them.
public final class ListenerEventBus: Sendable {
    private let subscribers = NIOLockedValueBox<[UUID: @Sendable (ListenerEvent) -> Void]>([:])
    private let counters = NIOLockedValueBox<[String: ConnectorCounters]>([:])
    private let recent = NIOLockedValueBox<[MessageSummary]>([])
    /// How many accepted messages the snapshot carries.
    public static let recentMessageLimit = 50

    public init() {}

    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (ListenerEvent) -> Void) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[id] = handler }
        return id
    }

    public func unsubscribe(_ id: UUID) {
        _ = subscribers.withLockedValue { $0.removeValue(forKey: id) }
    }

    /// Whether anyone listens: per-line transcript events are only built when a monitor is attached.
    public var hasSubscribers: Bool { subscribers.withLockedValue { !$0.isEmpty } }

    public func remember(_ message: MessageSummary) {
        recent.withLockedValue {
            $0.append(message)
            if $0.count > Self.recentMessageLimit { $0.removeFirst($0.count - Self.recentMessageLimit) }
        }
    }

    /// The last accepted messages, oldest first.
    public var recentMessages: [MessageSummary] { recent.withLockedValue { $0 } }

    /// The event is built only when someone subscribes (sessions publish several per message).
    public func publish(_ event: @autoclosure () -> ListenerEvent) {
        let handlers = subscribers.withLockedValue { $0.isEmpty ? [] : Array($0.values) }
        guard !handlers.isEmpty else { return }
        let built = event()
        for handler in handlers { handler(built) }
    }

    public func count(_ connector: String, _ change: (inout ConnectorCounters) -> Void) {
        counters.withLockedValue { change(&$0[connector, default: ConnectorCounters()]) }
    }

    public var allCounters: [String: ConnectorCounters] { counters.withLockedValue { $0 } }
}
