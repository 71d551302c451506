import Foundation
import ReceptorControl

/// Drawing the monitor: counters on top, then the session table (or recent messages) and a detail pane,
/// the events line and the hint bar. Only visible rows are drawn, so a thousand sessions cost what twenty do.
extension MonitorController {
    func render(_ canvas: Canvas, now realNow: Date, hits: HitMap) {
        let now = displayTime(realNow)
        let cols = canvas.columns, rows = canvas.rows
        drawTitle(canvas, now: now)
        switch subview {
        case .transcript(let key):
            drawTranscriptScreen(canvas, key: key)
        case .headers(let id):
            drawHeadersScreen(canvas, messageID: id)
        case .sessions, .messages:
            var top = 1
            top = drawCounters(canvas, top: top, now: now)
            let eventsRow = rows - 2
            let paneHeight = max(5, min(12, (eventsRow - top) / 3))
            let paneTop = eventsRow - paneHeight
            if case .messages = subview {
                drawMessages(canvas, top: top, bottom: paneTop, hits: hits)
                drawHeaderPreview(canvas, top: paneTop, height: paneHeight)
            } else {
                drawSessions(canvas, top: top, bottom: paneTop, now: now, hits: hits)
                drawTranscriptPane(canvas, top: paneTop, height: paneHeight)
            }
            drawEventsLine(canvas, row: eventsRow, cols: cols, now: realNow)
        }
    }

    // MARK: Title and events

    private func drawTitle(_ canvas: Canvas, now: Date) {
        let cols = canvas.columns
        let arrow = canvas.unicode ? "›" : ">"
        var listeners: [String] = []
        for (server, link) in model.links.sorted(by: { $0.key < $1.key }) {
            switch link {
            case .attached: listeners.append("\(server) live")
            case .detached: listeners.append("\(server) lost")
            }
        }
        let left = " Receptor \(arrow) Session monitor   Listeners: " + (listeners.isEmpty ? "none" : listeners.joined(separator: ", "))
        canvas.text(Canvas.pad(left, cols), row: 0, column: 0, style: CellStyle(.title, reverse: true))
        let right: String
        if isPaused {
            right = " PAUSED (\(pendingCount) updates waiting) - p resumes "
        } else {
            right = " sort: \(sort.rawValue) \(descending ? (canvas.unicode ? "↓" : "desc") : (canvas.unicode ? "↑" : "asc")) "
        }
        canvas.text(right, row: 0, column: max(0, cols - right.count), style: CellStyle(isPaused ? .warning : .title, bold: true, reverse: true))
    }

    private func drawEventsLine(_ canvas: Canvas, row: Int, cols: Int, now: Date) {
        if let status, now.timeIntervalSince(status.at) < 6, status.at >= (model.lastEvent?.time ?? .distantPast) {
            canvas.text(" " + status.text, row: row, column: 0, width: cols, style: CellStyle(.warning, bold: true))
            return
        }
        guard let e = model.lastEvent else {
            canvas.text(
                " Events: none yet (config applied or refused, bindings up or failed appear here).", row: row, column: 0, width: cols,
                style: CellStyle(.dim))
            return
        }
        let text = " \(Self.clock(e.time)) \(e.server): \(e.text)"
        canvas.text(text, row: row, column: 0, width: cols, style: CellStyle(e.isProblem ? .warning : .success, bold: e.isProblem))
    }

    // MARK: Counters

    /// One row per connector: those of running listeners' servers, and any that saw traffic; the ones that
    /// saw traffic first (by name), so a short terminal shows what matters.
    func counterConnectors() -> [String] {
        var names = Set(model.counters.keys)
        for server in model.attachedServers {
            for (s, list) in knownConnectors where s.caseInsensitiveCompare(server) == .orderedSame { names.formUnion(list) }
        }
        func busy(_ n: String) -> Bool { (model.counters[n]?.connectionsTotal ?? 0) > 0 }
        return names.sorted { a, b in
            if busy(a) != busy(b) { return busy(a) }
            return a.localizedStandardCompare(b) == .orderedAscending
        }
    }

    private func drawCounters(_ canvas: Canvas, top: Int, now: Date) -> Int {
        let cols = canvas.columns
        let numeric: [(String, Int)] = [
            ("NOW", 4), ("TOTAL", 6), ("ACCEPT", 6), ("REJECT", 6), ("RELAY-", 6), ("AUTH-", 5),
            ("TARPIT", 6), ("BYTES", 6), ("CONN/M", 6), ("MSG/M", 6),
        ]
        let numericWidth = numeric.reduce(0) { $0 + $1.1 + 1 }
        let nameW = max(12, cols - 2 - numericWidth)
        var header = " " + Canvas.pad("CONNECTOR", nameW)
        for (title, w) in numeric { header += " " + Self.right(title == "RELAY-" ? "DENIED" : title == "AUTH-" ? "AUTHF" : title, w) }
        canvas.text(header, row: top, column: 0, width: cols, style: CellStyle(.header, underline: true))
        let names = counterConnectors()
        let room = max(1, min(6, (canvas.rows - 12) / 4))
        if names.isEmpty {
            canvas.text(" No connector counters yet.", row: top + 1, column: 0, width: cols, style: CellStyle(.dim))
            return top + 2
        }
        let single = Set(model.connectorServer.values).count <= 1 && model.attachedServers.count <= 1
        let shown = names.count > room ? Array(names.prefix(room - 1)) : names
        for (i, name) in shown.enumerated() {
            let c = model.counters[name] ?? ConnectorCounters()
            let rates = model.ratesPerMinute(name, now: now)
            let label = single ? (name.split(separator: "\\", maxSplits: 1).last.map(String.init) ?? name) : name
            var line = " " + Canvas.pad(label, nameW)
            let values = [
                String(c.connectionsNow), String(c.connectionsTotal), String(c.messagesAccepted), String(c.messagesRejected),
                String(c.relayDenied), String(c.authFailures), String(c.tarpitted), Self.bytes(c.bytes),
                rates.map { Self.rate($0.connections) } ?? "-", rates.map { Self.rate($0.messages) } ?? "-",
            ]
            for (value, column) in zip(values, numeric) { line += " " + Self.right(value, column.1) }
            canvas.text(line, row: top + 1 + i, column: 0, width: cols)
        }
        var next = top + 1 + shown.count
        if shown.count < names.count {
            canvas.text(
                " … and \(names.count - shown.count) more connectors (a taller terminal shows them)", row: next, column: 0, width: cols,
                style: CellStyle(.dim))
            next += 1
        }
        for server in model.attachedServers {
            guard let line = Self.deliveryLine(server: server, single: single, model.delivery(of: server, now: now)) else { continue }
            canvas.text(line, row: next, column: 0, width: cols, style: CellStyle(.dim))
            next += 1
        }
        return next
    }

    /// A listener's durable delivery in one line: over the last minute when messages went through in it
    /// (messages per sync, mean sync, mean wait for the 250), and the totals since it started. nil before
    /// its first message.
    static func deliveryLine(
        server: String, single: Bool,
        _ delivery: (total: DeliveryStatistics, recent: DeliveryStatistics, span: TimeInterval)?
    ) -> String? {
        guard let delivery, delivery.total.messages + delivery.total.failures > 0 else { return nil }
        let ms = DeliveryStatistics.milliseconds
        let total = delivery.total, recent = delivery.recent
        var text = " Delivery" + (single ? "" : " \(server)") + ": "
        if recent.messages > 0 && delivery.span >= 1 {
            text +=
                "last \(Int(delivery.span.rounded())) s \(String(format: "%.1f", recent.messagesPerSync)) msgs/sync, "
                + "sync \(ms(recent.meanSync)), 250 after \(ms(recent.meanWait)); "
        }
        text +=
            "\(total.messages) durable" + (total.failures > 0 ? ", \(total.failures) failed" : "")
            + ", longest 250 wait \(ms(total.longestWait))"
        return text
    }

    // MARK: Sessions

    struct Column {
        var title: String
        var width: Int
        var flexible = false
        var priority: Int
        var rightAligned = false
    }

    /// A priority that keeps a column out (SERVER with a single server).
    static var hidden: Int { 99 }

    /// Which columns fit, and how wide each is: by priority, then the room left goes to the flexible ones.
    static func layout(_ columns: [Column], width: Int) -> [Int?] {
        var widths: [Int?] = Array(repeating: nil, count: columns.count)
        var used = 0
        for i in columns.indices.sorted(by: { (columns[$0].priority, $0) < (columns[$1].priority, $1) }) where columns[i].priority < hidden {
            let need = columns[i].width + 1
            if used + need <= width { widths[i] = columns[i].width; used += need }
        }
        let flexible = columns.indices.filter { columns[$0].flexible && widths[$0] != nil }
        if !flexible.isEmpty {
            let extra = (width - used) / flexible.count
            for i in flexible { widths[i]! += extra }
        }
        return widths
    }

    private func sessionColumns(multipleServers: Bool) -> [Column] {
        [
            Column(title: "SERVER", width: 8, priority: multipleServers ? 2 : Self.hidden),
            Column(title: "CONNECTOR", width: 14, flexible: true, priority: 1),
            Column(title: "SESSION", width: 16, priority: 6),
            Column(title: "REMOTE", width: 17, priority: 1),
            Column(title: "LOCAL", width: 17, priority: 7),
            Column(title: "STATE", width: 9, priority: 1),
            Column(title: "TLS", width: 7, priority: 2),
            Column(title: "AUTH AS", width: 12, flexible: true, priority: 2),
            Column(title: "MSGS", width: 4, priority: 4, rightAligned: true),
            Column(title: "BYTES", width: 6, priority: 4, rightAligned: true),
            Column(title: "AGE", width: 5, priority: 2, rightAligned: true),
            Column(title: "IDLE", width: 5, priority: 3, rightAligned: true),
        ]
    }

    private func cells(_ row: MonitorModel.Row, now: Date) -> [String] {
        let s = row.info
        // The connector's name without its server: with several servers, the SERVER column says which.
        let connector = s.connector.split(separator: "\\", maxSplits: 1).last.map(String.init) ?? s.connector
        let state = row.endedAt != nil ? "ended" : s.state
        let tls = s.tls.map { String($0.split(separator: " ").first ?? "") } ?? "-"
        let end = row.endedAt ?? now
        return [
            row.server, connector, s.id, s.remote, s.local, state, tls, s.authenticatedAs ?? "-", String(s.messages), Self.bytes(s.bytes),
            Self.duration(end.timeIntervalSince(s.startedAt)), row.endedAt == nil ? Self.duration(now.timeIntervalSince(s.lastActivity)) : "-",
        ]
    }

    private func line(_ values: [String], _ columns: [Column], _ widths: [Int?]) -> String {
        var out = " "
        for (i, w) in widths.enumerated() {
            guard let w else { continue }
            out += (columns[i].rightAligned ? Self.right(values[i], w) : Canvas.pad(values[i], w)) + " "
        }
        return out
    }

    private func drawSessions(_ canvas: Canvas, top: Int, bottom: Int, now: Date, hits: HitMap) {
        let cols = canvas.columns
        let all = visibleRows()
        settleSelection(all)
        let live = all.filter { $0.endedAt == nil }.count
        var title = " SESSIONS: \(live) live"
        if all.count > live { title += ", \(all.count - live) just ended" }
        if model.rows.count != all.count { title += " (\(model.rows.count - all.count) hidden by the filter)" }
        canvas.text(title, row: top, column: 0, width: cols, style: CellStyle(.header, bold: true))
        drawFilter(canvas, row: top)
        let servers = Set(model.rows.values.map(\.server)).union(model.links.keys)
        let columns = sessionColumns(multipleServers: servers.count > 1)
        let widths = Self.layout(columns, width: cols - 1)
        canvas.text(line(columns.map(\.title), columns, widths), row: top + 1, column: 0, width: cols, style: CellStyle(.header, underline: true))
        let listTop = top + 2
        listRows = max(1, bottom - listTop)
        if all.isEmpty {
            let text: String
            if let hint = noListenerHint, model.attachedServers.isEmpty {
                text = hint
            } else if !filterText.isEmpty {
                text = "No session matches the filter \"\(filterText)\"."
            } else if model.attachedServers.isEmpty {
                text = "Waiting for the listener… (its control socket does not answer yet)"
            } else {
                text = "No SMTP sessions right now. Sessions appear here as clients connect."
            }
            for (i, part) in Canvas.wrap(text, cols - 4).prefix(max(1, listRows)).enumerated() {
                canvas.text(part, row: listTop + 1 + i, column: 2, width: cols - 4, style: CellStyle(.dim))
            }
            return
        }
        if let i = all.firstIndex(where: { $0.key == selectedKey }) {
            if i < scrollTop { scrollTop = i }
            if i >= scrollTop + listRows { scrollTop = i - listRows + 1 }
        }
        scrollTop = max(0, min(scrollTop, all.count - listRows))
        for (offset, row) in all.dropFirst(scrollTop).prefix(listRows).enumerated() {
            let selected = row.key == selectedKey
            let style: CellStyle
            if selected {
                style = CellStyle(.selection, bold: true, reverse: true)
            } else if row.endedAt != nil {
                style = CellStyle(.dim)
            } else if now.timeIntervalSince(row.firstSeen) < MonitorModel.highlightSeconds {
                style = CellStyle(.success, bold: true)
            } else {
                style = .normal
            }
            var text = line(cells(row, now: now), columns, widths)
            if selected { text = ">" + text.dropFirst() }
            canvas.text(text, row: listTop + offset, column: 0, width: cols, style: style, pad: selected)
            let key = row.key
            hits.add(row: listTop + offset, column: 0, width: cols) { [unowned self] in
                self.select(key: key); return []
            }
        }
        if all.count > listRows {
            let where_ = "\(scrollTop + 1)-\(min(all.count, scrollTop + listRows)) of \(all.count)"
            canvas.text(" " + where_ + " ", row: top, column: cols - where_.count - 2, style: CellStyle(.dim))
        }
    }

    private func drawFilter(_ canvas: Canvas, row: Int) {
        let cols = canvas.columns
        if isFiltering {
            let label = "Filter (connector, server, remote IP): "
            let w = 20, x = cols - w - label.count - 1
            canvas.text(label, row: row, column: x)
            let (shown, cursor) = filterField.visible(width: w)
            canvas.text(Canvas.pad(shown, w), row: row, column: x + label.count, style: CellStyle(.focusedField, underline: true))
            canvas.screen.setCursor(row: row, column: x + label.count + cursor)
        } else if !filterText.isEmpty {
            let t = "Filter: \(filterText) (/ changes, Esc there clears)"
            canvas.text(t, row: row, column: max(40, cols - t.count - 1))
        }
    }

    /// The selected session's transcript, following its end.
    private func drawTranscriptPane(_ canvas: Canvas, top: Int, height: Int) {
        let cols = canvas.columns
        guard let row = selectedRow else {
            canvas.box(row: top, column: 0, width: cols, height: height, title: "Transcript")
            canvas.text(
                "Select a session to see its SMTP conversation as it happens.", row: top + 1, column: 2, width: cols - 4, style: CellStyle(.dim))
            return
        }
        let s = row.info
        var title = "Session \(s.id) \(s.remote) \(canvas.unicode ? "→" : "->") \(s.local)"
        if let tls = s.tls { title += ", \(tls)" }
        title += ", AuthAs \(s.authenticatedAs ?? "Anonymous"), \(s.messages) msg, \(Self.bytes(s.bytes))B"
        if row.endedAt != nil { title += " (ended)" }
        canvas.box(row: top, column: 0, width: cols, height: height, title: title)
        let lines = model.transcript(row.key)
        let room = height - 2
        if lines.isEmpty {
            let why =
                "No lines yet. A session that began before the monitor attached has none here when its connector's ProtocolLoggingLevel is None; at Verbose, the protocol log has what came before."
            for (i, part) in Canvas.wrap(why, cols - 4).prefix(room).enumerated() {
                canvas.text(part, row: top + 1 + i, column: 2, width: cols - 4, style: CellStyle(.dim))
            }
            return
        }
        for (i, l) in lines.suffix(room).enumerated() {
            canvas.text(Self.compact(l), row: top + 1 + i, column: 2, width: cols - 4, style: Self.style(for: l))
        }
    }

    static func compact(_ l: TranscriptLine) -> String {
        let time = l.time.count >= 23 ? String(l.time.dropFirst(11).prefix(12)) : l.time
        var s = "\(time) \(l.event) \(l.data)"
        if !l.context.isEmpty { s += l.data.isEmpty ? l.context : "  [\(l.context)]" }
        return s
    }

    static func style(for l: TranscriptLine) -> CellStyle {
        if l.event == ">", let code = l.data.first, code == "4" || code == "5" { return CellStyle(.error) }
        if l.event == "*" || l.event == "+" || l.event == "-" { return CellStyle(.dim) }
        return .normal
    }

    // MARK: Messages

    private func messageColumns() -> [Column] {
        [
            Column(title: "RECEIVED", width: 8, priority: 1),
            Column(title: "FROM", width: 16, flexible: true, priority: 1),
            Column(title: "TO", width: 16, flexible: true, priority: 1),
            Column(title: "CONNECTOR", width: 12, flexible: true, priority: 2),
            Column(title: "AUTH AS", width: 12, priority: 1),
            Column(title: "SIZE", width: 6, priority: 2, rightAligned: true),
        ]
    }

    private func drawMessages(_ canvas: Canvas, top: Int, bottom: Int, hits: HitMap) {
        let cols = canvas.columns
        let list = messagesNewestFirst
        canvas.text(
            " RECENT MESSAGES: the last \(list.count) accepted (newest first)", row: top, column: 0, width: cols,
            style: CellStyle(.header, bold: true))
        let columns = messageColumns()
        let widths = Self.layout(columns, width: cols - 1)
        canvas.text(line(columns.map(\.title), columns, widths), row: top + 1, column: 0, width: cols, style: CellStyle(.header, underline: true))
        let listTop = top + 2
        listRows = max(1, bottom - listTop)
        guard !list.isEmpty else {
            canvas.text("No message accepted since the listener started.", row: listTop + 1, column: 2, width: cols - 4, style: CellStyle(.dim))
            return
        }
        let selectedID = selectedMessage?.messageID
        let index = list.firstIndex { $0.messageID == selectedID } ?? 0
        if index < messageScrollTop { messageScrollTop = index }
        if index >= messageScrollTop + listRows { messageScrollTop = index - listRows + 1 }
        for (offset, m) in list.dropFirst(messageScrollTop).prefix(listRows).enumerated() {
            let selected = m.messageID == selectedID
            let connector = m.connector.split(separator: "\\", maxSplits: 1).last.map(String.init) ?? m.connector
            let to = m.recipients.first.map { m.recipients.count > 1 ? "\($0) +\(m.recipients.count - 1)" : $0 } ?? "-"
            var text = line([Self.clock(m.receivedAt), m.from, to, connector, m.authAs, Self.bytes(m.size)], columns, widths)
            if selected { text = ">" + text.dropFirst() }
            canvas.text(
                text, row: listTop + offset, column: 0, width: cols, style: selected ? CellStyle(.selection, bold: true, reverse: true) : .normal,
                pad: selected)
            let id = m.messageID
            hits.add(row: listTop + offset, column: 0, width: cols) { [unowned self] in
                self.selectMessage(id); return []
            }
        }
    }

    func selectMessage(_ id: String) { selectedMessageID = id }

    private func drawHeaderPreview(_ canvas: Canvas, top: Int, height: Int) {
        let cols = canvas.columns
        guard let m = selectedMessage else {
            canvas.box(row: top, column: 0, width: cols, height: height, title: "Headers")
            return
        }
        canvas.box(row: top, column: 0, width: cols, height: height, title: "\(m.messageID) - Enter shows every header, t the session")
        let lines = Self.headerLines(m.headers, width: cols - 4)
        for (i, l) in lines.prefix(height - 2).enumerated() {
            canvas.text(l, row: top + 1 + i, column: 2, width: cols - 4, style: l.hasPrefix("Received:") ? CellStyle(.header) : .normal)
        }
    }

    static func headerLines(_ headers: String, width: Int) -> [String] {
        var out: [String] = []
        for raw in headers.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            let l = String(raw)
            if l.isEmpty { continue }
            // Folded lines keep their indent, so a Received field reads as one field.
            let folded = l.first == " " || l.first == "\t"
            let indent = folded ? "    " : ""
            let wrapped = Canvas.wrap(l.trimmingCharacters(in: .whitespaces), max(10, width - 4))
            out.append(contentsOf: wrapped.enumerated().map { $0.offset == 0 ? indent + $0.element : "    " + $0.element })
        }
        return out
    }

    // MARK: Full-screen views

    private func drawScrolled(_ canvas: Canvas, title: String, lines: [(String, CellStyle)], footer: String) {
        let cols = canvas.columns, rows = canvas.rows
        canvas.text(" " + title, row: 1, column: 0, width: cols, style: CellStyle(.header, bold: true))
        let room = rows - 4
        listRows = room
        let maxScroll = max(0, lines.count - room)
        detailScroll = min(detailScroll, maxScroll)
        let start = max(0, lines.count - room - detailScroll)
        for (i, l) in lines.dropFirst(start).prefix(room).enumerated() {
            canvas.text(l.0, row: 2 + i, column: 1, width: cols - 2, style: l.1)
        }
        let position = lines.isEmpty ? "empty" : "lines \(start + 1)-\(min(lines.count, start + room)) of \(lines.count)"
        canvas.text(" \(position). \(footer)", row: rows - 2, column: 0, width: cols, style: CellStyle(.dim))
    }

    private func drawTranscriptScreen(_ canvas: Canvas, key: String) {
        let lines = model.transcript(key)
        let row = model.rows[key]
        let id = key.split(separator: "/").last.map(String.init) ?? key
        var title = "Transcript of session \(id)"
        if let r = row { title += " on \(r.info.connector)" + (r.endedAt != nil ? " (ended)" : " (live)") } else { title += " (ended)" }
        var rendered: [(String, CellStyle)] = [
            ("#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context", CellStyle(.dim))
        ]
        for l in lines {
            let text = l.text ?? "\(l.time),,\(id),\(l.sequence),,,\(l.event),\(l.data),\(l.context)"
            // Hard-wrapped: a CSV line has few spaces, and cutting at the width keeps every character in place.
            for (i, part) in Self.chunks(text, first: canvas.columns - 2, rest: canvas.columns - 4).enumerated() {
                rendered.append((i == 0 ? part : "  " + part, Self.style(for: l)))
            }
        }
        if lines.isEmpty {
            rendered.append(
                (
                    "No lines kept for this session: it began before the monitor attached and its connector does not log (ProtocolLoggingLevel None), or it ended long ago.",
                    CellStyle(.dim)
                ))
        }
        drawScrolled(
            canvas, title: title, lines: rendered, footer: "AUTH data is redacted, as in the protocol log. Up/Down scroll, End follows, Esc back.")
    }

    private func drawHeadersScreen(_ canvas: Canvas, messageID: String) {
        guard let m = model.messages.first(where: { $0.messageID == messageID }) else {
            drawScrolled(
                canvas, title: "Message \(messageID)", lines: [("The message is no longer in the recent list.", CellStyle(.dim))], footer: "Esc back."
            )
            return
        }
        var lines: [(String, CellStyle)] = [
            ("Envelope: MAIL FROM:<\(m.from)> to \(m.recipients.joined(separator: ", "))", CellStyle(.header)),
            (
                "Connector \(m.connector), AuthAs \(m.authAs), mechanism \(m.authMechanism), \(m.size) bytes, session \(m.sessionID)",
                CellStyle(.header)
            ),
            ("", .normal),
        ]
        lines += Self.headerLines(m.headers, width: canvas.columns - 4).map {
            ($0, $0.hasPrefix("Received:") ? CellStyle(.success, bold: true) : .normal)
        }
        drawScrolled(
            canvas, title: "Headers of \(m.messageID), as stored", lines: lines, footer: "Up/Down scroll, t the session's transcript, Esc back.")
    }

    // MARK: Formatting

    static func chunks(_ s: String, first: Int, rest: Int) -> [String] {
        var out: [String] = []
        var remaining = Substring(s)
        var width = max(10, first)
        repeat {
            out.append(String(remaining.prefix(width)))
            remaining = remaining.dropFirst(width)
            width = max(10, rest)
        } while !remaining.isEmpty
        return out
    }

    static func right(_ s: String, _ w: Int) -> String {
        let t = Canvas.fit(s, w)
        return String(repeating: " ", count: max(0, w - t.count)) + t
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02d", s / 60, s % 60) }
        if s < 86400 { return String(format: "%dh%02d", s / 3600, (s % 3600) / 60) }
        return String(format: "%dd%02dh", s / 86400, (s % 86400) / 3600)
    }

    static func bytes(_ n: Int64) -> String {
        if n < 1024 { return "\(n)" }
        let units = ["K", "M", "G", "T"]
        var v = Double(n) / 1024, i = 0
        while v >= 1024, i < units.count - 1 { v /= 1024; i += 1 }
        return v < 10 ? String(format: "%.1f%@", v, units[i]) : String(format: "%.0f%@", v, units[i])
    }

    static func rate(_ perMinute: Double) -> String {
        perMinute < 10 ? String(format: "%.1f", perMinute) : String(format: "%.0f", perMinute)
    }

    static func clock(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone.current, from: date)
        return String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
