import ReceptorCore

extension EditController {
    func render(_ canvas: Canvas, hits: HitMap, onOutcome: @escaping (Outcome) -> [ConsoleEffect]) {
        let width = canvas.columns, height = canvas.rows - 1
        canvas.box(
            row: 0, column: 0, width: width, height: height,
            title: "Exchange Receive Connector: \(original.connector.identity) (revision \(original.revision))")
        let x = 2, inner = width - 4
        // Tabs
        var tx = x
        for t in Tab.allCases {
            let label = t == tab ? "[ \(t.rawValue) ]" : "  \(t.rawValue)  "
            let focusedTab = t == tab && focus == .tab
            canvas.text(
                label, row: 1, column: tx, style: CellStyle(t == tab ? .selection : .normal, bold: t == tab, reverse: focusedTab, underline: t == tab)
            )
            hits.add(row: 1, column: tx, width: label.count) { [unowned self] in
                self.tab = t; self.focus = .tab; return []
            }
            tx += label.count + 1
        }
        canvas.hline(row: 2, column: 1, width: width - 2)
        let buttonsRow = height - 2
        let helpTop = buttonsRow - (height >= 36 ? 9 : 6)
        let labelW = tab == .security ? 0 : 32
        var r = 3
        let fields = currentFields
        let r0 = report
        for (i, field) in fields.enumerated() where r < helpTop {
            let focused = focus == .field(i)
            let mark = focused ? ">" : " "
            let parameter = ConnectorParameters.named(field.parameter)!
            let value = parameter.value(of: draft)
            switch field.kind {
            case .text:
                canvas.text(mark + Canvas.pad(field.label + ":", labelW - 1), row: r, column: x - 1, style: CellStyle(bold: focused))
                let t = text(for: field.parameter)
                let w = min(50, inner - labelW)
                let (shown, cursor) = t.visible(width: w)
                canvas.text(
                    Canvas.pad(shown, w), row: r, column: x + labelW, width: w, style: CellStyle(focused ? .focusedField : .field, underline: true))
                if focused { canvas.screen.setCursor(row: r, column: x + labelW + cursor) }
            case .bool, .auth, .group, .choice:
                let on: Bool
                switch field.kind {
                case .auth(let m): on = draft.authMechanism.contains(m)
                case .group(let g): on = draft.permissionGroups.contains(g)
                default: if case .bool(let b) = value { on = b } else { on = false }
                }
                var label: String
                if case .choice = field.kind {
                    label = mark + Canvas.pad(field.label + ":", labelW) + "< \(value.displayText) >  (Space changes)"
                } else {
                    label = mark + Canvas.check(on) + " " + field.label
                    if case .auth(let m) = field.kind, !m.isSupportedByListener { label += " - not supported by this listener" }
                }
                if case .group = field.kind {
                    // Permission groups sit three to a row so the cautions fit at 80×24.
                    let gi =
                        i
                        - (fields.firstIndex {
                            if case .group = $0.kind { return true }; return false
                        } ?? i)
                    let offsets = [0, 29, 55], widths = [29, 26, 22]
                    let gx = x - 1 + offsets[gi % 3]
                    canvas.text(label, row: r, column: gx, width: widths[gi % 3], style: focused ? CellStyle(.selection, reverse: true) : .normal)
                    hits.add(row: r, column: gx, width: widths[gi % 3]) { [unowned self] in
                        self.focus = .field(i); self.toggle(field); return []
                    }
                    if gi % 3 != 2 && i != fields.count - 1 { continue }
                    r += 1
                    continue
                }
                canvas.text(label, row: r, column: x - 1, width: inner + 1, style: focused ? CellStyle(.selection, reverse: true) : .normal)
            case .list:
                canvas.text(mark + field.label + ":  (a add, e edit, d remove)", row: r, column: x - 1, style: CellStyle(bold: focused))
                let items = listItems(field.parameter)
                let sel = listSelection[field.parameter] ?? 0
                let maxRows = tab == .scoping ? max(1, (helpTop - 3 - 6) / 2) : 3
                // The rows scroll with the selection, so every entry can be reached however long the list.
                let start = min(max(0, sel - maxRows + 1), max(0, items.count - maxRows))
                let shown = Array(items.enumerated()).dropFirst(start).prefix(maxRows)
                for (j, item) in shown {
                    r += 1
                    let s = j == sel
                    canvas.text(
                        (s ? "  >" : "   ") + item, row: r, column: x, width: inner,
                        style: s && focused ? CellStyle(.selection, reverse: true) : .normal)
                }
                if items.count > maxRows {
                    r += 1
                    let below = items.count - start - shown.count
                    canvas.text("   (\(start) above, \(below) below; \(items.count) in all)", row: r, column: x, style: CellStyle(.dim))
                }
                if items.isEmpty { r += 1; canvas.text("   (empty)", row: r, column: x, style: CellStyle(.dim)) }
            }
            hits.add(row: r, column: x - 1, width: inner) { [unowned self] in
                self.focus = .field(i)
                if field.kind != .text, field.kind != .list { self.toggle(field) }
                return []
            }
            r += 1
            // Errors beside their field: the parameter's own parse error, or a rule naming it.
            var errs: [String] = []
            if let e = fieldErrors[field.parameter], i == fields.firstIndex(where: { $0.parameter == field.parameter }) { errs.append(e) }
            if i == fields.lastIndex(where: { $0.parameter == field.parameter }) {
                errs += r0.errors.filter { $0.parameter == field.parameter }.map(\.message)
            }
            for e in errs {
                for line in Canvas.wrap("Error: " + e, inner - 2).prefix(3) where r < helpTop {
                    canvas.text(line, row: r, column: x + 2, width: inner - 2, style: CellStyle(.error, bold: true)); r += 1
                }
            }
            if tab == .security, case .auth = field.kind, i + 1 < fields.count, case .bool = fields[i + 1].kind {
                // after the last mechanism: the domain-security box follows
            }
            if tab == .security, field.parameter == "DomainSecureEnabled", r < helpTop {
                canvas.text("Permission groups:", row: r, column: x, style: CellStyle(.header, bold: true)); r += 1
            }
        }
        // The bottom area: what went wrong first, then the tab's warnings (the cautions of §4b 15–16), then the help
        // for the focused field from the parameter table.
        canvas.hline(row: helpTop, column: 1, width: width - 2)
        var bottom: [(String, CellStyle)] = []
        if let shown = conflict ?? message {
            bottom += Canvas.wrap(shown, inner).map { ($0, CellStyle(.error, bold: true)) }
        }
        for w in Self.warnings(on: tab, in: r0) { bottom += Canvas.wrap(w.message, inner).map { ($0, CellStyle(.warning, bold: true)) } }
        var help = "Tab moves between fields; PgUp/PgDn or Left/Right on the tabs switch tabs; Ctrl-S saves."
        if let f = focusedField {
            let p = ConnectorParameters.named(f.parameter)!
            help = "\(p.name): \(p.help)"
            if let note = p.listenerWarning(after: draft) { help += " " + note }
        }
        bottom += Canvas.wrap(help, inner).map { ($0, CellStyle(.dim)) }
        for (i, line) in bottom.prefix(buttonsRow - helpTop - 1).enumerated() {
            canvas.text(line.0, row: helpTop + 1 + i, column: x, width: inner, style: line.1)
        }
        var bx = width - 2 - 17
        for (f, title) in [(Focus.save, "Save"), (.cancel, "Cancel")] {
            let label = Canvas.button(title, focused: focus == f)
            canvas.text(label, row: buttonsRow, column: bx, style: CellStyle(focus == f ? .focusedButton : .button, reverse: focus == f))
            hits.add(row: buttonsRow, column: bx, width: label.count) { [unowned self] in
                onOutcome(f == .save ? self.save() : self.close())
            }
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
