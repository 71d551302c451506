import ReceptorCore

extension ConsoleApp {
    public static let minimumSize = ScreenSize(columns: 80, rows: 24)

    public func render(on screen: Screen) {
        hits.reset()
        screen.clear()
        screen.hideCursor()
        let canvas = Canvas(screen: screen)
        let size = screen.size
        guard size.columns >= Self.minimumSize.columns, size.rows >= Self.minimumSize.rows else {
            let lines = [
                "Receptor needs a terminal of at least \(Self.minimumSize.columns)×\(Self.minimumSize.rows);",
                "this one is \(size.columns)×\(size.rows).", "Enlarge the window, or press q to quit.",
            ]
            for (i, line) in lines.enumerated() {
                for (j, part) in Canvas.wrap(line, max(1, size.columns)).enumerated() {
                    canvas.text(part, row: i * 2 + j, column: 0)
                }
            }
            screen.present()
            return
        }
        switch mode {
        case .wizard(let w):
            w.render(canvas, hits: hits) { [unowned self] outcome in self.wizardOutcome(outcome) }
            drawHintBar(canvas, context: .dialog)
        case .edit(let e):
            e.render(canvas, hits: hits) { [unowned self] outcome in self.editOutcome(outcome) }
            drawHintBar(canvas, context: .dialog)
        case .explain(let x):
            x.render(canvas, hits: hits)
            drawHintBar(canvas, context: .explain)
        case .help: drawHelp(canvas)
        case .usage(let u):
            u.render(canvas)
            drawHintBar(canvas, context: .usage)
        case .monitor:
            monitor.render(canvas, now: now(), hits: hits)
            drawHintBar(canvas, context: .monitor)
        case .servers(let view):
            drawOrganization(canvas, view)
            drawHintBar(canvas, context: .servers)
        case .confirmQuit:
            if case .wizard(let w) = underlying {
                w.render(canvas, hits: HitMap()) { _ in [] }
            } else if case .edit(let e) = underlying {
                e.render(canvas, hits: HitMap()) { _ in [] }
            } else {
                drawMain(canvas)
            }
            ConfirmPrompt.quit.render(canvas, hits: hits)
        default:
            drawMain(canvas)
        }
        screen.present()
    }

    // MARK: Main screen

    /// The LISTENER column (short) and the details pane (long).
    func listenerText(_ c: ReceiveConnector, short: Bool = false) -> String {
        guard let status = snapshot.listener(for: c.server) else { return short ? "no listener" : "no listener running for \(c.server)" }
        if !c.enabled { return short ? "off (disabled)" : "not listening: the connector is disabled" }
        var failures: [String] = []
        var missing = 0
        for b in c.bindings {
            switch status.bindings[b.description] {
            case .listening?: break
            case .failed(let reason)?: failures.append("\(b): \(reason)")
            case nil: missing += 1
            }
        }
        if !failures.isEmpty { return "failed: " + failures.joined(separator: "; ") }
        if missing > 0 { return short ? "not open" : "not open yet (the listener has not applied this connector)" }
        return "listening"
    }

    /// The title bar of the connector list and the organization view: the store (a URI without its password:
    /// the data source's `storePath` is the store's display form), cut short before the current server.
    func drawTitleBar(_ canvas: Canvas) {
        let cols = canvas.columns
        let serverText = server.map { "\($0.name) (\($0.role.rawValue))" } ?? "(none)"
        let right = " Server: \(serverText) [s] "
        let title = " Receptor  Store: \(dataSource.storePath)"
        canvas.text(Canvas.pad(Canvas.fit(title, cols - right.count), cols), row: 0, column: 0, style: CellStyle(.title, reverse: true))
        canvas.text(right, row: 0, column: max(0, cols - right.count), style: CellStyle(.title, bold: true, reverse: true))
        hits.add(row: 0, column: max(0, cols - right.count), width: right.count) { [unowned self] in self.perform(.server) }
    }

    func drawMain(_ canvas: Canvas) {
        let cols = canvas.columns, rows = canvas.rows
        drawTitleBar(canvas)
        // Breadcrumb and filter
        let crumb = canvas.unicode ? "Mail flow › Receive connectors" : "Mail flow > Receive connectors"
        canvas.text(crumb, row: 1, column: 1, style: CellStyle(.header, bold: true))
        if case .filter = mode {
            let label = "Filter: "
            let w = 30, x = cols - w - label.count - 1
            canvas.text(label, row: 1, column: x)
            let (shown, cursor) = filterField.visible(width: w)
            canvas.text(Canvas.pad(shown, w), row: 1, column: x + label.count, style: CellStyle(.focusedField, underline: true))
            canvas.screen.setCursor(row: 1, column: x + label.count + cursor)
        } else if !filterText.isEmpty {
            let t = "Filter: \(filterText) (/ to change, Esc in filter clears)"
            canvas.text(t, row: 1, column: max(32, cols - t.count - 1))
        }
        // Columns
        let statusW = 8, roleW = 18
        let rest = cols - 6 - statusW - roleW
        let nameW = min(34, rest - 22)
        let bindW = max(10, (rest - nameW) * 2 / 5)
        let listenerW = rest - nameW - bindW
        func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String) -> String {
            " " + Canvas.pad(a, nameW) + " " + Canvas.pad(b, statusW) + " " + Canvas.pad(c, roleW) + " " + Canvas.pad(d, bindW) + " "
                + Canvas.pad(e, listenerW)
        }
        canvas.text(row("NAME", "STATUS", "ROLE", "BINDINGS", "LISTENER"), row: 2, column: 0, style: CellStyle(.header, underline: true))
        let detailsHeight = rows >= 36 ? 12 : 10
        let listTop = 3
        listRows = max(1, rows - 2 - detailsHeight - listTop)
        keepSelectionVisibleQuietly()
        let visible = visibleConnectors
        let unreachable = unreachableConnectors
        if visible.isEmpty {
            let why =
                server == nil
                ? "The store has no server."
                : filterText.isEmpty
                    ? "No receive connectors on \(serverName ?? ""). Press a to create one." : "No connector matches the filter \"\(filterText)\"."
            canvas.text(why, row: listTop + 1, column: 2, style: CellStyle(.dim))
        }
        for (offset, item) in visible.dropFirst(scrollTop).prefix(listRows).enumerated() {
            let c = item.connector
            let sel = c.guid == selectedGUID
            let status = !c.enabled ? "Disabled" : unreachable.contains(c.guid) ? "Shadowed" : "Enabled"
            let line = row(c.name, status, c.roleLabel, Self.bindingsColumn(c.bindings), listenerText(c, short: true))
            let r = listTop + offset
            canvas.text(
                (sel ? ">" : " ") + String(line.dropFirst()), row: r, column: 0, width: cols,
                style: sel ? CellStyle(.selection, bold: true, reverse: true) : .normal, pad: sel)
            let guid = c.guid
            hits.add(row: r, column: 0, width: cols) { [unowned self] in
                self.select(guid: guid); return []
            }
        }
        if visible.count > listRows {
            canvas.text(
                "\(scrollTop + 1)-\(min(visible.count, scrollTop + listRows)) of \(visible.count)", row: listTop + listRows - 1, column: cols - 14,
                width: 14, style: CellStyle(.dim))
        }
        drawDetails(canvas, top: rows - 2 - detailsHeight, height: detailsHeight)
        // Status line
        let statusRow = rows - 2
        if let statusMessage {
            canvas.text(
                " " + statusMessage.text, row: statusRow, column: 0, width: cols,
                style: CellStyle(statusMessage.error ? .error : .success, bold: statusMessage.error))
        } else if let s = serverName {
            if let l = snapshot.listener(for: s) {
                let failed = l.bindings.values.filter {
                    if case .failed = $0 { return true }; return false
                }.count
                canvas.text(
                    " Listener running for \(s): \(l.bindings.count - failed) endpoint(s) listening, \(failed) failed.", row: statusRow, column: 0,
                    width: cols)
            } else {
                canvas.text(
                    " No listener is running for \(s). Press l to start it in the background.", row: statusRow, column: 0, width: cols,
                    style: CellStyle(.warning))
            }
        }
        drawHintBar(canvas, context: .main)
        switch mode {
        case .confirmDelete(_, let prompt), .confirmToggle(_, let prompt):
            prompt.render(canvas, hits: hits)
        default: break
        }
    }

    /// The BINDINGS column: "*:587" when a connector listens on every IPv4 and IPv6 address of a port (the
    /// details pane shows each binding).
    static func bindingsColumn(_ bindings: [IPBinding]) -> String {
        let ports = Set(bindings.map(\.port))
        if bindings.allSatisfy(\.isWildcard), Set(bindings.map(\.family)).count == 2, ports.count == 1 {
            return "*:\(ports.first!)"
        }
        return bindings.map(\.description).joined(separator: ", ")
    }

    func keepSelectionVisibleQuietly() {
        guard let i = selectedIndex else { return }
        if i < scrollTop { scrollTop = i }
        if i >= scrollTop + listRows { scrollTop = i - listRows + 1 }
    }

    func drawDetails(_ canvas: Canvas, top: Int, height: Int) {
        let cols = canvas.columns
        guard let c = selected?.connector else {
            canvas.box(row: top, column: 0, width: cols, height: height, title: "Details")
            canvas.text("No connector selected.", row: top + 1, column: 2, style: CellStyle(.dim))
            return
        }
        canvas.box(row: top, column: 0, width: cols, height: height, title: "\(c.name) - \(c.enabled ? "Enabled" : "Disabled"), \(c.roleLabel)")
        let labelW = 19, x = 2, valueW = cols - 4 - labelW
        var items: [(String, String)] = [
            ("Bindings", c.bindings.map(\.description).joined(separator: ", ")),
            ("Listener", listenerText(c)),
            ("Remote IP ranges", c.remoteIPRanges.map(\.description).joined(separator: ", ")),
            ("Authentication", c.authMechanism.description),
            ("Permission groups", c.permissionGroups.description),
            ("FQDN", "\(c.fqdn), protocol logging \(c.protocolLoggingLevel.rawValue)"),
            ("Description", c.comment.isEmpty ? "-" : c.comment),
        ]
        // Live, from the monitor's feed: sessions now and the last minute's rates.
        if monitor.model.attachedServers.contains(where: { $0.caseInsensitiveCompare(c.server) == .orderedSame }) {
            let identity = c.identity.description
            let now = monitor.model.rows.values.filter { $0.info.connector == identity && $0.endedAt == nil }.count
            var text = "\(now) session\(now == 1 ? "" : "s") now"
            if let rates = monitor.model.ratesPerMinute(identity, now: self.now()) {
                text +=
                    "; last minute \(MonitorController.rate(rates.connections)) connections, \(MonitorController.rate(rates.messages)) messages per minute"
            }
            if let counters = monitor.model.counters[identity] {
                text += "; since start \(counters.messagesAccepted) accepted, \(counters.messagesRejected) rejected"
            }
            items.insert(("Live", text + " (m: monitor)"), at: 2)
        }
        // Who used it, in brief (once the background read has an answer).
        if let s = serverName, let brief = usageBriefs.brief(c.guid, server: s) {
            let days = usageBriefs.days
            let text =
                brief.map {
                    "\($0.addresses) source\($0.addresses == 1 ? "" : "s"), \($0.sessions) session\($0.sessions == 1 ? "" : "s") in \(days) days, last seen \(UsageController.long($0.lastSeen)) (u: who)"
                } ?? "no session in the last \(days) days"
            items.insert(("Usage", text), at: 2)
        }
        // An unreachable connector says so first, naming the connectors that take its traffic.
        if let warning = unreachableWarning(c) { items.insert(("Unreachable", warning), at: 0) }
        var r = top + 1
        for (label, value) in items {
            let lines = Canvas.wrap(value, valueW)
            for (i, line) in lines.enumerated() where r < top + height - 1 {
                canvas.text(
                    i == 0 ? Canvas.pad(label + ":", labelW) : String(repeating: " ", count: labelW), row: r, column: x, style: CellStyle(.header))
                canvas.text(line, row: r, column: x + labelW, width: valueW)
                r += 1
            }
        }
    }

    func drawHintBar(_ canvas: Canvas, context: KeyContext) {
        let row = canvas.rows - 1
        canvas.text("", row: row, column: 0, width: canvas.columns, style: CellStyle(.hint, reverse: true), pad: true)
        var x = 0
        for binding in KeyTable.table(context) {
            guard var hint = binding.hint else { continue }
            if context != .dialog, unavailableReason(binding.action) != nil { continue }
            // Reload is offered only while the edit dialog knows its connector changed elsewhere.
            if binding.action == .reloadConnector {
                guard case .edit(let e) = mode, e.conflict != nil else { continue }
            }
            if binding.action == .toggle, let c = selected?.connector { hint = c.enabled ? "Disable" : "Enable" }
            if binding.action == .monitorPause, monitor.isPaused { hint = "Resume" }
            let key = binding.keyText.split(separator: " ").first.map(String.init) ?? binding.keyText
            let width = key.count + hint.count + 2
            guard x + width <= canvas.columns else { break }
            canvas.text(key, row: row, column: x, style: CellStyle(.hintKey, bold: true, reverse: true))
            canvas.text(" " + hint + " ", row: row, column: x + key.count, style: CellStyle(.hint, reverse: true))
            if context == .main {
                let action = binding.action
                hits.add(row: row, column: x, width: width) { [unowned self] in self.perform(action) }
            }
            x += width
        }
    }

    // MARK: Help, generated from the key table

    func helpLines(width: Int) -> [(String, CellStyle)] {
        var lines: [(String, CellStyle)] = []
        for context in KeyContext.allCases {
            lines.append((context.rawValue, CellStyle(.header, bold: true, underline: true)))
            for b in KeyTable.table(context) {
                var text = b.help
                if context == .main, let reason = unavailableReason(b.action) { text += " (Unavailable now: \(reason).)" }
                for (i, line) in Canvas.wrap(text, width - 12).enumerated() {
                    lines.append(((i == 0 ? Canvas.pad(b.keyText, 12) : String(repeating: " ", count: 12)) + line, .normal))
                }
            }
            lines.append(("", .normal))
        }
        return lines
    }

    func drawHelp(_ canvas: Canvas) {
        let cols = canvas.columns, rows = canvas.rows
        canvas.text(
            Canvas.pad(" Receptor help - keys (any other key closes; Up/Down scroll)", cols), row: 0, column: 0,
            style: CellStyle(.title, reverse: true))
        let lines = helpLines(width: cols - 2)
        let shown = rows - 2
        helpScroll = min(helpScroll, max(0, lines.count - shown))
        for (i, line) in lines.dropFirst(helpScroll).prefix(shown).enumerated() {
            canvas.text(line.0, row: 1 + i, column: 1, width: cols - 2, style: line.1)
        }
        let more = lines.count > shown + helpScroll ? " More below: Down scrolls." : ""
        canvas.text(Canvas.pad(" Esc closes help.\(more)", cols), row: rows - 1, column: 0, style: CellStyle(.hint, reverse: true))
    }
}
