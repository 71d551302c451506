import Foundation
import ReceptorControl

/// Everything the session monitor knows, built from the listeners' control-socket updates. Pure: updates
/// and the time in, state out; the view and the controller read it.
public final class MonitorModel {
    /// A session as the monitor shows it: the listener's view plus when this console learned of it and
    /// when it ended (ended rows linger dimmed, then go).
    public struct Row: Hashable, Sendable {
        public var server: String
        public var info: LiveSession
        public var firstSeen: Date
        public var endedAt: Date?
        public var key: String { MonitorModel.key(server: server, session: info.id) }
    }

    public struct EventLine: Hashable, Sendable {
        public var time: Date
        public var server: String
        public var text: String
        public var isProblem: Bool
    }

    public enum Link: Hashable, Sendable {
        case attached(since: Date)
        case detached(reason: String)
    }

    /// New rows are highlighted this long.
    public static let highlightSeconds: TimeInterval = 2
    /// Ended rows stay, dimmed, this long.
    public static let lingerSeconds: TimeInterval = 8
    /// Lines kept per transcript (the oldest go first; the protocol log has them all).
    public static let transcriptLimit = 400
    /// Transcripts of ended sessions kept for the detail view.
    public static let endedTranscriptLimit = 100
    public static let messageLimit = 100
    public static let eventLimit = 50
    /// Counter samples cover this span, for rates per minute.
    static let rateWindow: TimeInterval = 60

    public private(set) var rows: [String: Row] = [:]
    public private(set) var transcripts: [String: [TranscriptLine]] = [:]
    /// Keys of ended sessions whose transcripts are kept, oldest first.
    private var endedTranscripts: [String] = []
    public private(set) var counters: [String: ConnectorCounters] = [:]
    /// Which server each connector in `counters` belongs to.
    public private(set) var connectorServer: [String: String] = [:]
    private var samples: [(time: Date, counters: [String: ConnectorCounters])] = []
    /// Each listener's delivery statistics as its snapshot and ticks gave them, over the rate window.
    private var deliverySamples: [String: [(time: Date, delivery: DeliveryStatistics)]] = [:]
    /// Accepted messages, oldest first.
    public private(set) var messages: [MessageSummary] = []
    /// The server whose listener accepted each message (by message ID), for its session's transcript.
    public private(set) var messageServers: [String: String] = [:]
    public private(set) var events: [EventLine] = []
    public private(set) var links: [String: Link] = [:]
    /// Goes up with every change; the view caches on it.
    public private(set) var version = 0

    public init() {}

    static func key(server: String, session: String) -> String { server.lowercased() + "/" + session }

    // MARK: Updates

    public func apply(_ updates: [MonitorUpdate], now: Date) {
        for update in updates { apply(update, now: now) }
    }

    public func apply(_ update: MonitorUpdate, now: Date) {
        version &+= 1
        switch update {
        case .attached(let server):
            links[server] = .attached(since: now)
        case .detached(let server, let reason):
            let wasAttached: Bool = if case .attached = links[server] { true } else { false }
            links[server] = .detached(reason: reason)
            if wasAttached {
                note("lost the listener (\(reason)); reconnecting", server: server, problem: true, now: now)
                // Its sessions are gone as far as anyone here can tell.
                for (k, row) in rows where row.server == server && row.endedAt == nil { end(k, now: now) }
            }
        case .line(let server, .snapshot(let snapshot)):
            applySnapshot(snapshot, server: server, now: now)
        case .line(let server, .event(let event)):
            applyEvent(event, server: server, now: now)
        }
    }

    private func applySnapshot(_ s: ControlSnapshot, server: String, now: Date) {
        let live = Set(s.sessions.map { Self.key(server: server, session: $0.id) })
        for (k, row) in rows where row.server == server && row.endedAt == nil && !live.contains(k) { end(k, now: now) }
        for session in s.sessions {
            let k = Self.key(server: server, session: session.id)
            // Sessions already open when the monitor attached are not "new".
            let seen = rows[k]?.firstSeen ?? now.addingTimeInterval(-Self.highlightSeconds)
            rows[k] = Row(server: server, info: session, firstSeen: seen, endedAt: nil)
        }
        setCounters(s.counters, server: server, now: now)
        if let d = s.delivery { addDelivery(d, server: server, now: now) }
        for m in s.recentMessages ?? [] where !messages.contains(where: { $0.messageID == m.messageID && $0.sessionID == m.sessionID }) {
            messages.append(m)
            messageServers[m.messageID] = server
        }
        messages.sort { $0.receivedAt < $1.receivedAt }
        trimMessages()
        if let missed = s.missedEvents {
            note(
                "caught up after falling behind: \(missed) events were skipped (transcripts have gaps); sessions and counters are current again",
                server: server, problem: true, now: now)
        } else {
            var text = "attached to the listener" + (s.pid.map { " (pid \($0))" } ?? "")
            if let g = s.generation { text += " at store generation \(g)" }
            note(text, server: server, problem: false, now: now)
        }
        if let error = s.configError { note("last config refused: \(error)", server: server, problem: true, now: now) }
        if let since = s.storeUnreachableSince { note(ListenerStatusReport.unreachableNote(since: since), server: server, problem: true, now: now) }
        for b in s.bindings ?? [] where b.state != "listening" {
            note("binding \(b.endpoint) \(b.state)\(b.reason.map { ": \($0)" } ?? "")", server: server, problem: true, now: now)
        }
    }

    private func applyEvent(_ e: ListenerEvent, server: String, now: Date) {
        let when = now
        switch e.type {
        case "sessionOpened":
            guard let s = e.session else { return }
            let k = Self.key(server: server, session: s.id)
            rows[k] = Row(server: server, info: s, firstSeen: rows[k]?.firstSeen ?? when, endedAt: nil)
            bump(e.connector ?? s.connector, server: server) {
                $0.connectionsNow += 1; $0.connectionsTotal += 1
            }
        case "sessionState":
            guard let s = e.session else { return }
            let k = Self.key(server: server, session: s.id)
            rows[k] = Row(server: server, info: s, firstSeen: rows[k]?.firstSeen ?? when, endedAt: rows[k]?.endedAt)
        case "sessionClosed":
            guard let id = e.session?.id else { return }
            let k = Self.key(server: server, session: id)
            if let s = e.session { rows[k] = Row(server: server, info: s, firstSeen: rows[k]?.firstSeen ?? when, endedAt: nil) }
            end(k, now: when)
            bump(e.connector ?? "", server: server) { $0.connectionsNow = max(0, $0.connectionsNow - 1) }
        case "transcript":
            guard let id = e.sessionID else { return }
            let new = (e.line.map { [$0] } ?? []) + (e.lines ?? [])
            guard !new.isEmpty else { return }
            let k = Self.key(server: server, session: id)
            var lines = transcripts[k, default: []]
            lines.append(contentsOf: new)
            if lines.count > Self.transcriptLimit { lines.removeFirst(lines.count - Self.transcriptLimit) }
            transcripts[k] = lines
        case "messageAccepted":
            if let m = e.message {
                messages.append(m)
                messageServers[m.messageID] = server
                trimMessages()
            }
            bump(e.connector ?? "", server: server) { $0.messagesAccepted += 1 }
        case "messageRejected":
            bump(e.connector ?? "", server: server) { $0.messagesRejected += 1 }
        case "relayDenied":
            bump(e.connector ?? "", server: server) { $0.relayDenied += 1 }
        case "authenticationFailed":
            bump(e.connector ?? "", server: server) { $0.authFailures += 1 }
        case "tick":
            if let c = e.counters { setCounters(c, server: server, now: when) }
            if let d = e.delivery { addDelivery(d, server: server, now: when) }
            for s in e.sessions ?? [] {
                let k = Self.key(server: server, session: s.id)
                guard let row = rows[k], row.endedAt == nil else { continue }
                rows[k]?.info = s
            }
        case "configApplied":
            note("config applied\(e.detail.map { " (\($0))" } ?? "")", server: server, problem: false, now: when)
        case "configRejected":
            note("config refused, the last good one stays: \(e.detail ?? "no reason given")", server: server, problem: true, now: when)
        case "storeUnreachable":
            note("\(e.detail ?? "store unreachable, retrying"); serving the last good config", server: server, problem: true, now: when)
        case "storeReachable":
            note("store reachable again\(e.detail.map { " (\($0))" } ?? "")", server: server, problem: false, now: when)
        case "bindingUp":
            note("listening on \(e.detail ?? "?")", server: server, problem: false, now: when)
        case "bindingFailed":
            note("binding failed: \(e.detail ?? "?")", server: server, problem: true, now: when)
        case "bindingClosed":
            note("stopped listening on \(e.detail ?? "?")", server: server, problem: false, now: when)
        default:
            break
        }
    }

    private func end(_ key: String, now: Date) {
        guard rows[key] != nil, rows[key]?.endedAt == nil else { return }
        rows[key]?.endedAt = now
        endedTranscripts.append(key)
        if endedTranscripts.count > Self.endedTranscriptLimit {
            for old in endedTranscripts.prefix(endedTranscripts.count - Self.endedTranscriptLimit) { transcripts[old] = nil }
            endedTranscripts.removeFirst(endedTranscripts.count - Self.endedTranscriptLimit)
        }
    }

    private func bump(_ connector: String, server: String, _ change: (inout ConnectorCounters) -> Void) {
        guard !connector.isEmpty else { return }
        change(&counters[connector, default: ConnectorCounters()])
        connectorServer[connector] = server
    }

    private func setCounters(_ new: [String: ConnectorCounters], server: String, now: Date) {
        for (connector, value) in new {
            counters[connector] = value
            connectorServer[connector] = server
        }
        samples.append((now, counters))
        while let first = samples.first, now.timeIntervalSince(first.time) > Self.rateWindow + 5 { samples.removeFirst() }
    }

    private func addDelivery(_ delivery: DeliveryStatistics, server: String, now: Date) {
        var list = deliverySamples[server, default: []]
        list.append((now, delivery))
        while let first = list.first, now.timeIntervalSince(first.time) > Self.rateWindow + 5 { list.removeFirst() }
        deliverySamples[server] = list
    }

    private func trimMessages() {
        guard messages.count > Self.messageLimit else { return }
        for m in messages.prefix(messages.count - Self.messageLimit) { messageServers[m.messageID] = nil }
        messages.removeFirst(messages.count - Self.messageLimit)
    }

    private func note(_ text: String, server: String, problem: Bool, now: Date) {
        events.append(EventLine(time: now, server: server, text: text, isProblem: problem))
        if events.count > Self.eventLimit { events.removeFirst(events.count - Self.eventLimit) }
    }

    /// At most this many ended rows linger: under a load of hundreds of sessions a second the table would
    /// otherwise be mostly sessions that are gone.
    public static let lingeringLimit = 200

    /// Drops ended rows whose linger time is over, and the oldest ended rows beyond `lingeringLimit`.
    /// Returns whether anything went.
    @discardableResult
    public func expire(now: Date) -> Bool {
        var gone = rows.filter { ($0.value.endedAt.map { now.timeIntervalSince($0) >= Self.lingerSeconds }) ?? false }.map(\.key)
        let ended = rows.values.filter { $0.endedAt != nil }
        if ended.count - gone.count > Self.lingeringLimit {
            let goneSet = Set(gone)
            let lingering = ended.filter { !goneSet.contains($0.key) }.sorted { $0.endedAt! < $1.endedAt! }
            gone += lingering.prefix(lingering.count - Self.lingeringLimit).map(\.key)
        }
        for k in gone { rows[k] = nil }
        if !gone.isEmpty { version &+= 1 }
        return !gone.isEmpty
    }

    // MARK: Queries

    public func transcript(_ key: String) -> [TranscriptLine] { transcripts[key] ?? [] }

    /// Per minute over the last minute (or the span seen so far, once it is at least 5 s): connections and
    /// accepted messages. nil until there is enough history.
    public func ratesPerMinute(_ connector: String, now: Date) -> (connections: Double, messages: Double)? {
        guard let latest = samples.last, let oldest = samples.first(where: { now.timeIntervalSince($0.time) <= Self.rateWindow }) else { return nil }
        let span = latest.time.timeIntervalSince(oldest.time)
        guard span >= 5 else { return nil }
        let a = oldest.counters[connector] ?? ConnectorCounters(), b = latest.counters[connector] ?? ConnectorCounters()
        return (Double(b.connectionsTotal - a.connectionsTotal) * 60 / span, Double(b.messagesAccepted - a.messagesAccepted) * 60 / span)
    }

    /// A listener's durable delivery: since it started, and over the last minute (or the span seen so far)
    /// with that span's length; nil before its first reading.
    public func delivery(of server: String, now: Date) -> (total: DeliveryStatistics, recent: DeliveryStatistics, span: TimeInterval)? {
        guard let list = deliverySamples[server], let latest = list.last,
            let oldest = list.first(where: { now.timeIntervalSince($0.time) <= Self.rateWindow })
        else { return nil }
        return (latest.delivery, latest.delivery.since(oldest.delivery), latest.time.timeIntervalSince(oldest.time))
    }

    public var attachedServers: [String] {
        links.compactMap { if case .attached = $0.value { return $0.key } else { return nil } }.sorted()
    }

    /// The last event, for the events line.
    public var lastEvent: EventLine? { events.last }
}
