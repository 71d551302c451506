import Foundation

// The listener's control socket (product.md, Listener): newline-delimited JSON, a `snapshot` first, then
// events. These types are the wire format itself: the listener (`ReceptorListener`) writes them and the
// console's monitor (`ReceptorConsole`) reads them, so the two can't drift apart.
//
// Reading is lenient: what a listener of another version might not send is optional, and an event of a type
// the reader does not know still decodes (its `type` says what it is), so a newer listener never breaks an
// older console.

/// A live session as the monitor shows it.
public struct LiveSession: Codable, Hashable, Sendable {
    public var id: String
    public var connector: String
    public var remote: String
    public var local: String
    /// The SMTP state: `connected`, `EHLO`, `MAIL`, `RCPT`, `DATA`, …
    public var state: String
    /// Protocol and cipher once STARTTLS is done, e.g. `TLS1_3 TLS_AES_128_GCM_SHA256`.
    public var tls: String?
    public var authenticatedAs: String?
    public var messages: Int
    public var bytes: Int64
    public var startedAt: Date
    public var lastActivity: Date

    public init(
        id: String, connector: String, remote: String, local: String, state: String, tls: String? = nil,
        authenticatedAs: String? = nil, messages: Int = 0, bytes: Int64 = 0, startedAt: Date, lastActivity: Date
    ) {
        self.id = id; self.connector = connector; self.remote = remote; self.local = local; self.state = state
        self.tls = tls; self.authenticatedAs = authenticatedAs; self.messages = messages; self.bytes = bytes
        self.startedAt = startedAt; self.lastActivity = lastActivity
    }
}

/// Per-connector counters, kept from the listener's start.
public struct ConnectorCounters: Codable, Hashable, Sendable {
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

/// One protocol-log line of a session, for the monitor's live transcript: the fields of reference §8 that
/// vary within a session (the connector, session and endpoints are the session's own).
public struct TranscriptLine: Codable, Hashable, Sendable {
    /// `yyyy-mm-ddThh:mm:ss.fffZ`, as in the protocol log.
    public var time: String
    public var sequence: Int
    /// `+`, `-`, `>`, `<` or `*`.
    public var event: String
    /// AUTH data is already redacted by the engine.
    public var data: String
    public var context: String
    /// The whole line exactly as the protocol log file has it (all nine fields, CSV-quoted).
    public var text: String?

    public init(time: String, sequence: Int, event: String, data: String, context: String = "", text: String? = nil) {
        self.time = time; self.sequence = sequence; self.event = event; self.data = data; self.context = context; self.text = text
    }
}

/// An accepted message as the monitor's Recent messages list shows it: its envelope, how it came in, and its
/// header section as stored (the prepended Received and X-Receptor-* fields first), so TLS can be checked
/// from the console.
public struct MessageSummary: Codable, Hashable, Sendable {
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

    public init(
        messageID: String, sessionID: String, connector: String, from: String, recipients: [String], authAs: String,
        authMechanism: String, size: Int64, receivedAt: Date, headers: String
    ) {
        self.messageID = messageID; self.sessionID = sessionID; self.connector = connector; self.from = from
        self.recipients = recipients; self.authAs = authAs; self.authMechanism = authMechanism; self.size = size
        self.receivedAt = receivedAt; self.headers = headers
    }
}

/// One binding (local IP and port) of the listener and whether its socket is open.
public struct BindingStatus: Codable, Hashable, Sendable {
    public var endpoint: String
    /// `listening` or `failed`.
    public var state: String
    /// Why a binding failed (in use, no permission, address not on this host).
    public var reason: String?

    public init(endpoint: String, state: String, reason: String? = nil) {
        self.endpoint = endpoint; self.state = state; self.reason = reason
    }
}

/// Durable delivery since the listener started: how many messages were made durable, in how many syncs, and
/// how long syncs and the `250` after the final dot took. What an administrator reads to tell whether the disk
/// is what the senders are waiting for; two readings apart give the figures for the time between.
public struct DeliveryStatistics: Codable, Hashable, Sendable {
    /// `filesystem` (one syncfs per round) or `file` (fsync per file and folder).
    public var syncMode: String
    /// Messages made durable and visible, and messages that failed (their sender got a 4xx reply).
    public var messages: Int64 = 0
    public var failures: Int64 = 0
    /// Syncs run, their total and longest duration.
    public var syncs: Int64 = 0
    public var syncSeconds: Double = 0
    public var longestSync: Double = 0
    /// From a message's hand-over to the store (after its final dot) to its being durable and visible: the wait
    /// before the `250`. Total over `messages`, and the longest.
    public var waitSeconds: Double = 0
    public var longestWait: Double = 0

    public init(syncMode: String) { self.syncMode = syncMode }

    public var messagesPerSync: Double { syncs == 0 ? 0 : Double(messages) / Double(syncs) }
    public var meanSync: Double { syncs == 0 ? 0 : syncSeconds / Double(syncs) }
    public var meanWait: Double { messages == 0 ? 0 : waitSeconds / Double(messages) }

    /// What happened between `earlier` and this reading (longest figures are since start: they are not
    /// differences).
    public func since(_ earlier: DeliveryStatistics) -> DeliveryStatistics {
        var d = self
        d.messages -= earlier.messages; d.failures -= earlier.failures; d.syncs -= earlier.syncs
        d.syncSeconds -= earlier.syncSeconds; d.waitSeconds -= earlier.waitSeconds
        return d
    }

    /// A duration as status and monitor show it: milliseconds, two decimals.
    public static func milliseconds(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }

    /// One line for `receptor status`.
    public var summary: String {
        let ms = Self.milliseconds
        guard messages + failures > 0 else { return "no message delivered yet (\(syncMode) sync)" }
        func count(_ n: Int64, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let failed = failures > 0 ? ", \(failures) failed" : ""
        return "\(count(messages, "message")) durable in \(count(syncs, "sync")) (\(String(format: "%.1f", messagesPerSync)) per sync)\(failed); "
            + "sync \(ms(meanSync)) mean, \(ms(longestSync)) longest; 250 after \(ms(meanWait)) mean, \(ms(longestWait)) longest "
            + "(\(syncMode) sync)"
    }
}

/// The first line a subscriber gets, and the line that resynchronises one that fell behind.
public struct ControlSnapshot: Codable, Sendable {
    public var type = "snapshot"
    public var server: String
    public var pid: Int32?
    /// The store generation whose bindings are fully in force.
    public var generation: Int64?
    /// Why the newest configuration was refused (the listener keeps the last good one).
    public var configError: String?
    public var bindings: [BindingStatus]?
    public var sessions: [LiveSession]
    public var counters: [String: ConnectorCounters]
    public var recentMessages: [MessageSummary]?
    /// Durable delivery since the listener started.
    public var delivery: DeliveryStatistics?
    /// Set on a snapshot sent to resynchronise a subscriber that fell behind: how many events it missed.
    public var missedEvents: Int?
    /// Since when the listener has not reached its store (it serves its last good configuration meanwhile).
    public var storeUnreachableSince: Date?

    public init(
        server: String, pid: Int32? = nil, generation: Int64? = nil, configError: String? = nil, bindings: [BindingStatus]? = nil,
        sessions: [LiveSession] = [], counters: [String: ConnectorCounters] = [:], recentMessages: [MessageSummary]? = nil,
        missedEvents: Int? = nil, delivery: DeliveryStatistics? = nil, storeUnreachableSince: Date? = nil
    ) {
        self.server = server; self.pid = pid; self.generation = generation; self.configError = configError
        self.bindings = bindings; self.sessions = sessions; self.counters = counters; self.recentMessages = recentMessages
        self.missedEvents = missedEvents; self.delivery = delivery; self.storeUnreachableSince = storeUnreachableSince
    }
}

/// Every line but the snapshot: sessions opening, changing state and closing (`sessionOpened`,
/// `sessionState`, `sessionClosed`), their protocol-log lines (`transcript`), messages accepted and rejected,
/// config applied or rejected, bindings up or failed, and a `tick` once a second. `type` says which; the
/// fields an event type does not use are absent.
public struct ListenerEvent: Codable, Sendable {
    public var type: String
    public var time: Date?
    public var session: LiveSession?
    public var connector: String?
    public var detail: String?
    /// `transcript` events: the session and its protocol-log lines, as many as one burst of the session's
    /// work produced (`line` for a single one).
    public var sessionID: String?
    public var line: TranscriptLine?
    public var lines: [TranscriptLine]?
    /// `messageAccepted` events.
    public var message: MessageSummary?
    /// `tick` events: every connector's counters, and the sessions whose activity changed since the previous
    /// tick (bytes, messages, idle time).
    public var counters: [String: ConnectorCounters]?
    public var sessions: [LiveSession]?
    /// `tick` events: durable delivery since the listener started.
    public var delivery: DeliveryStatistics?

    public init(
        type: String, time: Date? = Date(), session: LiveSession? = nil, connector: String? = nil, detail: String? = nil,
        sessionID: String? = nil, line: TranscriptLine? = nil, lines: [TranscriptLine]? = nil, message: MessageSummary? = nil,
        counters: [String: ConnectorCounters]? = nil, sessions: [LiveSession]? = nil, delivery: DeliveryStatistics? = nil
    ) {
        self.type = type; self.time = time; self.session = session; self.connector = connector; self.detail = detail
        self.sessionID = sessionID; self.line = line; self.lines = lines; self.message = message; self.counters = counters
        self.sessions = sessions; self.delivery = delivery
    }
}

/// One line of the control socket, as a reader sees it.
public enum ControlLine: Sendable {
    case snapshot(ControlSnapshot)
    case event(ListenerEvent)

    /// Decodes one line (without its line break); nil for a line that is not JSON of the expected shape.
    public static func decode(_ data: Data) -> ControlLine? {
        struct Kind: Decodable { var type: String }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let kind = try? decoder.decode(Kind.self, from: data) else { return nil }
        if kind.type == "snapshot" {
            return (try? decoder.decode(ControlSnapshot.self, from: data)).map(ControlLine.snapshot)
        }
        return (try? decoder.decode(ListenerEvent.self, from: data)).map(ControlLine.event)
    }

    /// How snapshots are written (events have a faster hand-written encoder in the listener that gives the
    /// same JSON).
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

/// A request for a connector's usage: `{"command":"usage","connector":"<GUID or SERVER\\Name>","days":7}`
/// (no connector: every connector's). The listener answers one `UsageAnswer` line.
public struct UsageRequest: Codable, Hashable, Sendable {
    public var command = "usage"
    public var connector: String?
    public var days: Int?

    public init(connector: String?, days: Int?) { self.connector = connector; self.days = days }

    /// The days asked for, within 1 and the longest retention a listener keeps (3650).
    public var clampedDays: Int { min(3650, max(1, days ?? ConnectorUsage.defaultRetentionDays)) }
}

/// Who used a connector over the last `days` days: one row per remote address (days merged), newest first, at
/// most `maximumRows` of them (`addresses` says how many there are in all), so an answer stays small whatever
/// the traffic. The listener sends it over its control socket; the console builds the same from the usage
/// files when no listener answers.
public struct UsageAnswer: Codable, Hashable, Sendable {
    public var type = "usage"
    public var connector: String?
    public var days: Int
    /// False when the listener records no usage (`receptor listen --usage-days 0`).
    public var recording: Bool
    public var rows: [ConnectorUsageRow]
    /// Distinct (connector, remote address) rows before the cut.
    public var addresses: Int

    /// Per connector over every row before the cut: distinct addresses, sessions and the last one seen (the
    /// console's details pane shows it in brief). Absent from listeners that predate it.
    public var briefs: [ConnectorUsageBrief]?

    /// Rows one answer carries at most (about 300 bytes each).
    public static let maximumRows = 1000

    /// The answer over raw rows (any days, any connectors): those of the connector asked for (a GUID, or an
    /// identity such as `MBX01\Relay MBX01` matched against the name the rows were last written with, case
    /// insensitive), merged per address, newest first, cut to `maximumRows`.
    public init(request: UsageRequest, rows raw: [ConnectorUsageRow], recording: Bool = true) {
        connector = request.connector
        days = request.clampedDays
        self.recording = recording
        var wanted: Set<String> = []
        if let asked = request.connector?.trimmingCharacters(in: .whitespaces), !asked.isEmpty {
            if let guid = UUID(uuidString: asked) {
                wanted = [guid.uuidString.lowercased()]
            } else {
                wanted = Set(raw.filter { $0.connector.caseInsensitiveCompare(asked) == .orderedSame }.map(\.connectorGUID))
                if wanted.isEmpty { wanted = ["(none)"] }  // an identity no row has: nothing, not everything
            }
        }
        let merged = ConnectorUsage.merged(raw, connectors: wanted)
        addresses = merged.count
        var briefs: [String: ConnectorUsageBrief] = [:]
        for row in merged {
            var brief =
                briefs[row.connectorGUID] ?? ConnectorUsageBrief(connectorGUID: row.connectorGUID, addresses: 0, sessions: 0, lastSeen: row.lastSeen)
            brief.addresses += 1; brief.sessions += row.sessions; brief.lastSeen = max(brief.lastSeen, row.lastSeen)
            briefs[row.connectorGUID] = brief
        }
        self.briefs = briefs.values.sorted { $0.connectorGUID < $1.connectorGUID }
        rows = Array(merged.prefix(Self.maximumRows))
    }

    /// Decodes an answer line; nil for anything else (an error line, say).
    public static func decode(_ data: Data) -> UsageAnswer? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let answer = try? decoder.decode(UsageAnswer.self, from: data), answer.type == "usage" else { return nil }
        return answer
    }
}

/// One connector's usage in brief: how many remote addresses, how many sessions, the last one seen.
public struct ConnectorUsageBrief: Codable, Hashable, Sendable {
    public var connectorGUID: String
    public var addresses: Int
    public var sessions: Int
    public var lastSeen: Date

    public init(connectorGUID: String, addresses: Int, sessions: Int, lastSeen: Date) {
        self.connectorGUID = connectorGUID; self.addresses = addresses; self.sessions = sessions; self.lastSeen = lastSeen
    }
}
