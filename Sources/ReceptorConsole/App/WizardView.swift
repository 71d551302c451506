import ReceptorCore

extension WizardController {
    /// Draws the wizard over the whole screen but the last row (the app draws the hint bar there).
    func render(_ canvas: Canvas, hits: HitMap, onOutcome: @escaping (Outcome) -> [ConsoleEffect]) {
        let width = canvas.columns, height = canvas.rows - 1
        let pages = draft.pages
        canvas.box(
            row: 0, column: 0, width: width, height: height,
            title: "New receive connector on \(draft.server.name) - step \(pageIndex + 1) of \(pages.count): \(page.rawValue)")
        let x = 2, inner = width - 4
        let e = evaluation
        let pageErrors = shownErrors.contains(page) ? errors(on: page, e) : []
        var r = 1
        // Step strip: where we are and what comes next.
        let strip = pages.enumerated().map { i, p in i == pageIndex ? "[\(i + 1) \(p.rawValue)]" : "\(i + 1) \(p.rawValue)" }
            .joined(separator: canvas.unicode ? " › " : " > ")
        canvas.text(strip, row: r, column: x, width: inner, style: CellStyle(.header)); r += 2
        // The summary needs the room for the impact preview; its help is one line.
        let helpRows = page == .summary ? 2 : 4
        let buttonsRow = height - 2
        let messageRow = buttonsRow - 2
        let helpTop = messageRow - helpRows

        func errorLines(_ errs: [RuleViolation], from row: inout Int, limit: Int) {
            for err in errs {
                for line in Canvas.wrap("Error: " + err.message, inner - 2) where row < limit {
                    canvas.text(line, row: row, column: x + 2, width: inner - 2, style: CellStyle(.error, bold: true)); row += 1
                }
            }
        }
        var help = ""
        switch page {
        case .general:
            let nameErrors = pageErrors.filter { $0.parameter == "Name" }
            canvas.text("*Name:", row: r, column: x, style: CellStyle(bold: focus == .name))
            let fw = min(66, inner - 10)
            let (shown, cursor) = nameField.visible(width: fw)
            canvas.text(
                Canvas.pad(shown, fw), row: r, column: x + 8, width: fw,
                style: CellStyle(focus == .name ? .focusedField : .field, underline: true))
            hits.add(row: r, column: x + 8, width: fw) { [unowned self] in
                self.focus = .name; return []
            }
            if focus == .name { canvas.screen.setCursor(row: r, column: x + 8 + cursor); help = ConnectorParameters.named("Name")!.help }
            r += 1
            errorLines(nameErrors, from: &r, limit: helpTop)
            if !draft.isEdge {
                let mark = focus == .role ? ">" : " "
                canvas.text("\(mark)Role:", row: r, column: x - 1, style: CellStyle(bold: focus == .role))
                var cx = x + 8
                for role in [TransportRole.hubTransport, .frontendTransport] {
                    let label = "\(Canvas.radio(draft.transportRole == role)) \(role == .hubTransport ? "Hub Transport" : "Frontend Transport")"
                    canvas.text(
                        label, row: r, column: cx,
                        style: focus == .role && draft.transportRole == role ? CellStyle(.selection, reverse: true) : .normal)
                    hits.add(row: r, column: cx, width: label.count) { [unowned self] in
                        self.focus = .role; self.draft.transportRole = role; self.dirty = true; return []
                    }
                    cx += label.count + 3
                }
                if focus == .role { help = ConnectorParameters.named("TransportRole")!.help }
                r += 1
                errorLines(pageErrors.filter { $0.parameter == "TransportRole" }, from: &r, limit: helpTop)
            } else {
                canvas.text(
                    "Role:   Edge Transport (an Edge server has one transport service)", row: r, column: x, width: inner, style: CellStyle(.dim));
                r += 1
            }
            let mark = focus == .type ? ">" : " "
            canvas.text("\(mark)Type:", row: r, column: x - 1, style: CellStyle(bold: focus == .type))
            for usage in ConnectorUsage.allCases {
                let label = "\(Canvas.radio(draft.usage == usage)) \(Canvas.pad(usage.rawValue, 9))"
                let selected = draft.usage == usage
                canvas.text(label, row: r, column: x + 8, style: focus == .type && selected ? CellStyle(.selection, reverse: true) : .normal)
                canvas.text(usage.summary, row: r, column: x + 8 + label.count + 1, width: inner - 8 - label.count - 1, style: CellStyle(.dim))
                hits.add(row: r, column: x + 8, width: inner - 8) { [unowned self] in
                    self.focus = .type; self.setUsage(usage); return []
                }
                r += 1
            }
            if focus == .type { help = "\(draft.usage.rawValue): \(draft.usage.summary)" }
            errorLines(pageErrors.filter { $0.parameter != "Name" && $0.parameter != "TransportRole" }, from: &r, limit: helpTop)
        case .bindings, .remote:
            let isBindings = page == .bindings
            let parameter = ConnectorParameters.named(isBindings ? "Bindings" : "RemoteIPRanges")!
            help = parameter.help
            canvas.text(
                isBindings
                    ? "Network adapter bindings: the local addresses and ports this connector listens on."
                    : "Remote network settings: the remote servers this connector receives mail from.",
                row: r, column: x, width: inner);
            r += 1
            let listFocused = focus == .list
            let header = isBindings ? Canvas.pad("IP ADDRESSES", 40) + "PORT" : "REMOTE IP ADDRESSES"
            canvas.text(" " + header, row: r, column: x, width: inner, style: CellStyle(.header, underline: true)); r += 1
            let rows: [String] =
                isBindings
                ? draft.bindings.map { Canvas.pad($0.addressLabel, 40) + String($0.port) }
                : draft.remoteIPRanges.map(\.description)
            let selection = isBindings ? bindingSelection : remoteSelection
            let listRows = max(1, min(max(rows.count, 1), helpTop - r - 4))
            let scroll = max(0, selection - listRows + 1)
            if rows.isEmpty {
                canvas.text(" (empty: press a to add an entry)", row: r, column: x, width: inner, style: CellStyle(.dim))
            }
            for (offset, line) in rows.dropFirst(scroll).prefix(listRows).enumerated() {
                let i = scroll + offset
                let sel = i == selection
                canvas.text(
                    (sel ? ">" : " ") + line, row: r + offset, column: x, width: inner,
                    style: sel && listFocused ? CellStyle(.selection, reverse: true) : .normal, pad: sel && listFocused)
                hits.add(row: r + offset, column: x, width: inner) { [unowned self] in
                    self.focus = .list
                    if isBindings { self.bindingSelection = i } else { self.remoteSelection = i }
                    return []
                }
            }
            r += listRows + 1
            var bx = x
            for b in [Button.add, .edit, .remove] {
                let label = Canvas.button(b.rawValue, focused: focus == .button(b))
                canvas.text(label, row: r, column: bx, style: CellStyle(focus == .button(b) ? .focusedButton : .button, reverse: focus == .button(b)))
                hits.add(row: r, column: bx, width: label.count) { [unowned self] in onOutcome(self.press(b)) }
                bx += label.count + 1
            }
            r += 1
            errorLines(pageErrors, from: &r, limit: helpTop)
            if isBindings {
                for w in e.warnings where w.code == .bindingNotLocal {
                    for line in Canvas.wrap("Note: " + w.message, inner - 2) where r < helpTop {
                        canvas.text(line, row: r, column: x + 2, width: inner - 2, style: CellStyle(.warning)); r += 1
                    }
                }
            }
        case .summary:
            // What the connector is at the top, the equivalent command pinned at the bottom, and between them
            // which traffic it takes (the impact preview, as the shell's -WhatIf says it) and the notes,
            // scrolled with Up/Down when they are longer than the room left.
            var top: [(String, CellStyle)] = [], middle: [(String, CellStyle)] = [], bottom: [(String, CellStyle)] = []
            if let c = e.connector {
                let labelW = 12
                let rows: [(String, String)] = [
                    ("Name", "\(c.name) on \(c.server) (\(c.roleLabel)), type \(draft.usage.rawValue)"),
                    ("Bindings", c.bindings.map(\.description).joined(separator: ", ")),
                    ("Remote IPs", c.remoteIPRanges.map(\.description).joined(separator: ", ")),
                    ("Security", "authentication \(c.authMechanism.description); permission groups \(c.permissionGroups.description)"),
                ]
                for (label, value) in rows {
                    for (i, line) in Canvas.wrap(value, inner - labelW).enumerated() {
                        top.append(((i == 0 ? Canvas.pad(label + ":", labelW) : String(repeating: " ", count: labelW)) + line, .normal))
                    }
                }
                middle.append((ImpactLines.heading, CellStyle(.header)))
                middle += ImpactLines.lines(trafficChanges(c), width: inner - 2).map { ("  " + $0.0, $0.1) }
                for w in e.warnings {
                    middle += Canvas.wrap("Note: " + w.message, inner - 2).map { ("  " + $0, CellStyle(.warning)) }
                }
                bottom.append(("The equivalent shell command:", CellStyle(.header)))
                for line in Canvas.wrap(draft.commandLine(for: c, includeServer: includeServerInCommand), inner - 2) {
                    bottom.append(("  " + line, CellStyle(bold: true)))
                }
            }
            for err in pageErrors + e.errors.filter({ draft.page(for: $0.parameter) != .summary }).prefix(1) {
                middle += Canvas.wrap("Error: " + err.message, inner - 2).map { ("  " + $0, CellStyle(.error, bold: true)) }
            }
            let bottomRows = min(bottom.count, max(0, helpTop - r - top.count - 2))
            let room = max(1, helpTop - r - top.count - bottomRows)
            summaryScroll = min(summaryScroll, max(0, middle.count - room + 1))
            let cut = middle.count > room
            let shown = cut ? Array(middle.dropFirst(summaryScroll).prefix(room - 1)) : middle
            for line in top + shown {
                canvas.text(line.0, row: r, column: x, width: inner, style: line.1); r += 1
            }
            if cut {
                let below = middle.count - summaryScroll - shown.count
                let arrows = canvas.unicode ? "↑↓" : "Up/Down"
                canvas.text(
                    "  (\(summaryScroll) lines above, \(below) below: \(arrows) scroll)", row: r, column: x, width: inner, style: CellStyle(.dim))
                r += 1
            }
            for line in bottom.prefix(bottomRows) {
                canvas.text(line.0, row: r, column: x, width: inner, style: line.1); r += 1
            }
            help = "Finish creates the connector (the store checks it again against the others)."
        }
        // Help for the focused field, from the parameter table.
        canvas.hline(row: helpTop, column: 1, width: width - 2)
        for (i, line) in Canvas.wrap(help, inner).prefix(helpRows - 1).enumerated() {
            canvas.text(line, row: helpTop + 1 + i, column: x, width: inner, style: CellStyle(.dim))
        }
        if let message {
            for (i, line) in Canvas.wrap(message, inner).prefix(2).enumerated() {
                canvas.text(line, row: messageRow + i, column: x, width: inner, style: CellStyle(.error, bold: true))
            }
        }
        var bx = width - 2
        let nav: [Button] = [.back, .next, .finish, .cancel]
        let labels = nav.map { Canvas.button($0.rawValue, focused: focus == .button($0)) }
        bx -= labels.reduce(0) { $0 + $1.count + 1 }
        for (b, label) in zip(nav, labels) {
            let unavailable = (b == .back && pageIndex == 0) || (b == .next && page == .summary)
            let style = focus == .button(b) ? CellStyle(.focusedButton, reverse: true) : CellStyle(unavailable ? .dim : .button)
            canvas.text(label, row: buttonsRow, column: bx, style: style)
            hits.add(row: buttonsRow, column: bx, width: label.count) { [unowned self] in onOutcome(self.press(b)) }
            bx += label.count + 1
        }
        if let dialog {
            dialog.render(canvas, hits: hits) { [unowned self] outcome in
                self.dialogOutcome(outcome); return []
            }
        }
        prompt?.render(canvas, hits: hits)
    }
}
