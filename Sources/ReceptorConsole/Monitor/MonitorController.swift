import Foundation
import ReceptorControl

/// The session monitor pane (issue 5): keys in, outcomes out, drawing in `MonitorController+Render`.
/// Holds what the user chose (view, selection, sort, filter, pause); the data is the `MonitorModel`'s.
public final class MonitorController {
    public enum Subview: Hashable, Sendable {
        /// Counters, the session table and the selected session's live transcript.
        case sessions
        /// Counters and the latest accepted messages.
        case messages
        /// One session's transcript, full screen, in protocol-log form.
        case transcript(key: String)
        /// One message's header section, full screen.
        case headers(messageID: String)
    }

    public enum Sort: String, CaseIterable, Sendable {
        case started = "started", connector, remote, state, idle, bytes
    }

    public enum Outcome: Hashable, Sendable {
        case none
        /// Back to the connector list.
        case close
        case startListener
        /// Explain why the selected session landed on its connector (its server, remote and local endpoints).
        case explain(server: String, remote: String, local: String)
    }

    public let model: MonitorModel
    public private(set) var subview: Subview = .sessions
    public private(set) var selectedKey: String?
    public internal(set) var selectedMessageID: String?
    public private(set) var sort: Sort = .started
    /// Newest first for `started`; for the others, descending means largest (or last) first.
    public private(set) var descending = true
    public private(set) var filterText = ""
    var filterField = TextField()
    public private(set) var isFiltering = false
    /// While paused the screen holds still: updates wait here and are applied on resume.
    public private(set) var pausedAt: Date?
    private var pending: [MonitorUpdate] = []
    /// Beyond this many waiting updates a pause ends by itself (memory stays bounded).
    static let pendingLimit = 200_000
    var scrollTop = 0
    /// Where the selection was, so that when its row goes the neighbour takes it.
    private var lastSelectedIndex = 0
    var listRows = 10
    /// Full-screen views: lines scrolled up from the end (0 follows the tail).
    var detailScroll = 0
    var messageScrollTop = 0
    /// Connector identities per server with a listener (the counters table lists them even before traffic).
    public var knownConnectors: [String: [String]] = [:]
    /// Why there is nothing to show (no listener), with how to start one; set by the app.
    public var noListenerHint: String?
    /// A short answer to a key (starting the listener), shown on the events line for a few seconds.
    public private(set) var status: (text: String, at: Date)?
    private var cache: (version: Int, sort: Sort, descending: Bool, filter: String, rows: [MonitorModel.Row])?

    public init(model: MonitorModel = MonitorModel()) { self.model = model }

    // MARK: Updates

    /// Takes the feed's updates (or holds them while paused) and lets ended rows go.
    public func receive(_ updates: [MonitorUpdate], now: Date) {
        if pausedAt != nil {
            pending += updates
            if pending.count > Self.pendingLimit { resume(now: now) }
            return
        }
        model.apply(updates, now: now)
        model.expire(now: now)
    }

    public var isPaused: Bool { pausedAt != nil }
    public var pendingCount: Int { pending.count }

    func pause(now: Date) { pausedAt = now }

    func resume(now: Date) {
        pausedAt = nil
        model.apply(pending, now: now)
        pending = []
        model.expire(now: now)
    }

    /// The time the screen shows: frozen while paused.
    func displayTime(_ now: Date) -> Date { pausedAt ?? now }

    // MARK: Derived

    /// The session rows in display order, filtered.
    public func visibleRows() -> [MonitorModel.Row] {
        if let c = cache, c.version == model.version, c.sort == sort, c.descending == descending, c.filter == filterText { return c.rows }
        let f = filterText.trimmingCharacters(in: .whitespaces).lowercased()
        var rows = Array(model.rows.values)
        if !f.isEmpty {
            rows = rows.filter {
                $0.info.connector.lowercased().contains(f) || $0.info.remote.lowercased().contains(f) || $0.server.lowercased().contains(f)
            }
        }
        let ascending: (MonitorModel.Row, MonitorModel.Row) -> Bool
        switch sort {
        case .started: ascending = { ($0.info.startedAt, $0.info.id) < ($1.info.startedAt, $1.info.id) }
        case .connector: ascending = { ($0.info.connector, $0.info.startedAt) < ($1.info.connector, $1.info.startedAt) }
        case .remote: ascending = { ($0.info.remote, $0.info.id) < ($1.info.remote, $1.info.id) }
        case .state: ascending = { ($0.info.state, $0.info.startedAt) < ($1.info.state, $1.info.startedAt) }
        // Most idle first when descending: the oldest last activity.
        case .idle: ascending = { ($1.info.lastActivity, $0.info.id) < ($0.info.lastActivity, $1.info.id) }
        case .bytes: ascending = { ($0.info.bytes, $0.info.id) < ($1.info.bytes, $1.info.id) }
        }
        rows.sort(by: descending ? { ascending($1, $0) } : ascending)
        cache = (model.version, sort, descending, filterText, rows)
        return rows
    }

    public var selectedRow: MonitorModel.Row? { selectedKey.flatMap { model.rows[$0] } }

    public var selectedMessage: MessageSummary? {
        guard let id = selectedMessageID else { return model.messages.last }
        return model.messages.first { $0.messageID == id } ?? model.messages.last
    }

    /// Messages newest first.
    var messagesNewestFirst: [MessageSummary] { model.messages.reversed() }

    /// Keeps the selection on a row: it follows its session; when that row is gone, the nearest one.
    func settleSelection(_ rows: [MonitorModel.Row]) {
        if let key = selectedKey, let i = rows.firstIndex(where: { $0.key == key }) { lastSelectedIndex = i; return }
        guard !rows.isEmpty else { selectedKey = nil; return }
        selectedKey = rows[min(lastSelectedIndex, rows.count - 1)].key
    }

    // MARK: Keys

    public func handle(_ event: KeyEvent, now: Date) -> Outcome {
        if isFiltering {
            switch event {
            case .enter: isFiltering = false
            case .escape: isFiltering = false; filterField = TextField(); filterText = ""
            default: if filterField.handle(event) { filterText = filterField.text }
            }
            return .none
        }
        guard let action = KeyTable.action(for: event, in: .monitor) else { return .none }
        switch action {
        case .monitorBack:
            switch subview {
            case .transcript: subview = .sessions; detailScroll = 0
            case .headers: subview = .messages; detailScroll = 0
            case .sessions, .messages: return .close
            }
        case .monitorSwitch:
            switch subview {
            case .sessions, .transcript: subview = .messages
            case .messages, .headers: subview = .sessions
            }
            detailScroll = 0
        case .monitorOpen:
            switch subview {
            case .sessions: if let key = selectedKey { subview = .transcript(key: key); detailScroll = 0 }
            case .messages:
                // Headers read from the top.
                if let m = selectedMessage { selectedMessageID = m.messageID; subview = .headers(messageID: m.messageID); detailScroll = Int.max / 2 }
            default: break
            }
        case .monitorTranscript:
            switch subview {
            case .messages, .headers:
                guard let m = selectedMessage, let server = model.messageServers[m.messageID] else { break }
                subview = .transcript(key: MonitorModel.key(server: server, session: m.sessionID))
                detailScroll = 0
            case .sessions:
                if let key = selectedKey { subview = .transcript(key: key); detailScroll = 0 }
            case .transcript:
                break
            }
        case .monitorSort:
            let all = Sort.allCases
            sort = all[(all.firstIndex(of: sort)! + 1) % all.count]
            descending = sort == .started || sort == .idle || sort == .bytes
        case .monitorReverse: descending.toggle()
        case .monitorPause: if isPaused { resume(now: now) } else { pause(now: now) }
        case .monitorFilter: filterField = TextField(filterText); isFiltering = true; subview = subview == .messages ? .messages : .sessions
        case .startListener: return .startListener
        case .explain:
            switch subview {
            case .sessions, .transcript:
                let key: String? = if case .transcript(let k) = subview { k } else { selectedKey }
                if let row = key.flatMap({ model.rows[$0] }) { return .explain(server: row.server, remote: row.info.remote, local: row.info.local) }
            default: break
            }
        case .up, .down, .pageUpList, .pageDownList, .home, .end: move(action)
        default: break
        }
        return .none
    }

    private func move(_ action: ConsoleAction) {
        let page = max(1, listRows - 1)
        switch subview {
        case .transcript, .headers:
            switch action {
            case .up: detailScroll += 1
            case .down: detailScroll = max(0, detailScroll - 1)
            case .pageUpList: detailScroll += page
            case .pageDownList: detailScroll = max(0, detailScroll - page)
            case .home: detailScroll = Int.max / 2
            default: detailScroll = 0
            }
        case .messages:
            let list = messagesNewestFirst
            guard !list.isEmpty else { return }
            let i = list.firstIndex { $0.messageID == selectedMessage?.messageID } ?? 0
            selectedMessageID = list[clampedTarget(i, action, count: list.count, page: page)].messageID
        case .sessions:
            let rows = visibleRows()
            guard !rows.isEmpty else { return }
            let i = rows.firstIndex { $0.key == selectedKey } ?? 0
            selectedKey = rows[clampedTarget(i, action, count: rows.count, page: page)].key
        }
    }

    private func clampedTarget(_ i: Int, _ action: ConsoleAction, count: Int, page: Int) -> Int {
        let t: Int
        switch action {
        case .up: t = i - 1
        case .down: t = i + 1
        case .pageUpList: t = i - page
        case .pageDownList: t = i + page
        case .home: t = 0
        default: t = count - 1
        }
        return max(0, min(count - 1, t))
    }

    func noteStatus(_ text: String, now: Date) { status = (text, now) }

    /// Selects a session row (tests and the mouse).
    public func select(key: String) { selectedKey = key }
}
