import Foundation

/// The listener's control socket as the monitor reads it (product.md: newline-delimited JSON; the listener's
/// `ControlServer` writes it). Decoding is lenient: fields a listener of another version lacks are optional,
/// and unknown event types are kept as `.other`, so a newer listener never breaks an older console.
public enum MonitorWire {
    public struct Session: Decodable, Hashable, Sendable {
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

        public init(id: String, connector: String, remote: String, local: String, state: String, tls: String? = nil,
                    authenticatedAs: String? = nil, messages: Int = 0, bytes: Int64 = 0, startedAt: Date, lastActivity: Date) {
            self.id = id; self.connector = connector; self.remote = remote; self.local = local; self.state = state
            self.tls = tls; self.authenticatedAs = authenticatedAs; self.messages = messages; self.bytes = bytes
            self.startedAt = startedAt; self.lastActivity = lastActivity
        }
    }

    public struct Counters: Decodable, Hashable, Sendable {
        public var connectionsNow = 0
        public var connectionsTotal = 0
        public var messagesAccepted = 0
        public var messagesRejected = 0
        public var relayDenied = 0
        public var authFailures = 0
        public var tarpitted = 0
        public var bytes: Int64 = 0
        public init() {}
    }

    public struct TranscriptLine: Decodable, Hashable, Sendable {
        /// `yyyy-mm-ddThh:mm:ss.fffZ`.
        public var time: String
        public var sequence: Int
        public var event: String
        public var data: String
        public var context: String
        /// The line as the protocol log file has it.
        public var text: String?

        public init(time: String, sequence: Int, event: String, data: String, context: String = "", text: String? = nil) {
            self.time = time; self.sequence = sequence; self.event = event; self.data = data; self.context = context; self.text = text
        }
    }

    public struct Message: Decodable, Hashable, Sendable {
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

        public init(messageID: String, sessionID: String, connector: String, from: String, recipients: [String], authAs: String,
                    authMechanism: String, size: Int64, receivedAt: Date, headers: String) {
            self.messageID = messageID; self.sessionID = sessionID; self.connector = connector; self.from = from
            self.recipients = recipients; self.authAs = authAs; self.authMechanism = authMechanism; self.size = size
            self.receivedAt = receivedAt; self.headers = headers
        }
    }

    public struct Binding: Decodable, Hashable, Sendable {
        public var endpoint: String
        public var state: String
        public var reason: String?
    }

    public struct Snapshot: Decodable, Sendable {
        public var server: String
        public var pid: Int32?
        public var generation: Int64?
        public var configError: String?
        public var bindings: [Binding]?
        public var sessions: [Session]
        public var counters: [String: Counters]
        public var recentMessages: [Message]?
        /// Set when the listener resynchronises a monitor that fell behind: how many events it dropped.
        public var missedEvents: Int?

        public init(server: String, pid: Int32? = nil, generation: Int64? = nil, configError: String? = nil, bindings: [Binding]? = nil,
                    sessions: [Session] = [], counters: [String: Counters] = [:], recentMessages: [Message]? = nil, missedEvents: Int? = nil) {
            self.server = server; self.pid = pid; self.generation = generation; self.configError = configError
            self.bindings = bindings; self.sessions = sessions; self.counters = counters; self.recentMessages = recentMessages
            self.missedEvents = missedEvents
        }
    }

    /// One event line (every type but `snapshot`).
    public struct Event: Decodable, Sendable {
        public var type: String
        public var time: Date?
        public var session: Session?
        public var connector: String?
        public var detail: String?
        public var sessionID: String?
        public var line: TranscriptLine?
        public var lines: [TranscriptLine]?
        public var message: Message?
        public var counters: [String: Counters]?
        public var sessions: [Session]?

        public init(type: String, time: Date? = nil, session: Session? = nil, connector: String? = nil, detail: String? = nil,
                    sessionID: String? = nil, line: TranscriptLine? = nil, lines: [TranscriptLine]? = nil, message: Message? = nil,
                    counters: [String: Counters]? = nil, sessions: [Session]? = nil) {
            self.type = type; self.time = time; self.session = session; self.connector = connector; self.detail = detail
            self.sessionID = sessionID; self.line = line; self.lines = lines; self.message = message; self.counters = counters
            self.sessions = sessions
        }
    }

    public enum Line: Sendable {
        case snapshot(Snapshot)
        case event(Event)
    }

    /// Decodes one line of the socket; nil for a line that is not JSON of the expected shape.
    public static func decode(_ data: Data) -> Line? {
        struct Kind: Decodable { var type: String }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let kind = try? decoder.decode(Kind.self, from: data) else { return nil }
        if kind.type == "snapshot" {
            return (try? decoder.decode(Snapshot.self, from: data)).map(Line.snapshot)
        }
        return (try? decoder.decode(Event.self, from: data)).map(Line.event)
    }
}

/// One running listener the monitor follows: its server and its control socket (from the store's
/// listener registrations).
public struct MonitorEndpoint: Hashable, Sendable {
    public var server: String
    public var socketPath: String
    public init(server: String, socketPath: String) { self.server = server; self.socketPath = socketPath }
}

/// What the feed hands the monitor, in order, per listener.
public enum MonitorUpdate: Sendable {
    /// Connected to the listener's socket; its snapshot follows as the first `.line`.
    case attached(server: String)
    case line(server: String, MonitorWire.Line)
    /// The connection ended (the listener stopped or restarted) or could not be made; the feed retries.
    case detached(server: String, reason: String)
}

/// The monitor's source of updates. The real one reads the control sockets on background threads; it
/// never blocks the caller. Tests feed updates by hand.
public protocol MonitorFeed: AnyObject {
    /// The listeners to follow now; others are let go.
    func follow(_ endpoints: [MonitorEndpoint])
    /// Everything that arrived since the last call, oldest first. Never blocks.
    func drain() -> [MonitorUpdate]
}
