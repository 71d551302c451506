import ReceptorCore

/// Draws the Explain view: the two fields, the one-line error or instruction, and the answer in a box that
/// scrolls when it does not fit (80×24 shows the verdict and the rights without scrolling).
extension ExplainController {
    static let labelWidth = 21

    func render(_ canvas: Canvas, hits: HitMap) {
        let cols = canvas.columns, rows = canvas.rows
        let title = " Receptor  Explain"
        let right = "Server: \(server.name) (\(server.role.rawValue)) "
        canvas.text(Canvas.pad(title, cols), row: 0, column: 0, style: CellStyle(.title, reverse: true))
        canvas.text(right, row: 0, column: max(0, cols - right.count), style: CellStyle(.title, bold: true, reverse: true))
        let crumb = canvas.unicode ? "Mail flow › Receive connectors › Explain" : "Mail flow > Receive connectors > Explain"
        canvas.text(crumb, row: 1, column: 1, style: CellStyle(.header, bold: true))

        let x = 1, fieldX = x + 17, fieldW = 26
        func field(_ f: TextField, _ which: Focus, label: String, note: String, row: Int) {
            let focused = focus == which
            canvas.text(label, row: row, column: x, style: focused ? CellStyle(.header, bold: true) : .normal)
            let (shown, cursor) = f.visible(width: fieldW)
            canvas.text(
                Canvas.pad(shown, fieldW), row: row, column: fieldX, width: fieldW,
                style: CellStyle(focused ? .focusedField : .field, underline: true))
            if focused { canvas.screen.setCursor(row: row, column: fieldX + cursor) }
            canvas.text(note, row: row, column: fieldX + fieldW + 2, style: CellStyle(.dim))
            hits.add(row: row, column: x, width: fieldX + fieldW - x) { [unowned self] in
                self.focus = which; return []
            }
        }
        field(remote, .remote, label: "Remote address:", note: "an address, or a range to split", row: 2)
        field(endpoint, .endpoint, label: "Local endpoint:", note: "25: any address; or 10.10.1.1:25", row: 3)
        // The error is one sentence; a long one (the parser's, with an example) wraps and the box moves down.
        var top = 5
        if let error {
            let lines = Canvas.wrap("Error: " + error, cols - 2).prefix(3)
            for (i, line) in lines.enumerated() {
                canvas.text(line, row: 4 + i, column: 1, width: cols - 2, style: CellStyle(.error, bold: true))
            }
            top = 4 + lines.count
        } else if self.rows.isEmpty {
            canvas.text(" Enter explains; Tab switches fields; Esc goes back to the list.", row: 4, column: 0, width: cols, style: CellStyle(.dim))
        }

        let height = rows - 1 - top
        let inner = cols - 4
        let lines = wrapped(width: inner)
        pageRows = max(1, height - 2)
        scroll = max(0, min(scroll, lines.count - pageRows))
        var boxTitle = "Answer"
        if lines.count > pageRows {
            boxTitle += " (lines \(scroll + 1)-\(min(lines.count, scroll + pageRows)) of \(lines.count); Down/PgDn scroll)"
        }
        canvas.box(row: top, column: 0, width: cols, height: height, title: boxTitle)
        for (i, line) in lines.dropFirst(scroll).prefix(pageRows).enumerated() {
            let r = top + 1 + i
            if !line.label.isEmpty { canvas.text(line.label, row: r, column: 2, width: Self.labelWidth, style: CellStyle(.header)) }
            canvas.text(line.text, row: r, column: 2 + line.column, width: inner - line.column, style: line.style)
        }
    }

    /// The answer's rows wrapped to `width`: a labelled value continues under its value column; a full-width
    /// line continues at its indent. Kept until the answer or the width changes.
    func wrapped(width: Int) -> [WrappedLine] {
        if let cache = wrapCache, cache.width == width { return cache.lines }
        let lines = wrap(width: width)
        wrapCache = (width, lines)
        return lines
    }

    private func wrap(width: Int) -> [WrappedLine] {
        var out: [WrappedLine] = []
        for row in rows {
            if let label = row.label {
                let column = Self.labelWidth
                for (i, part) in Canvas.wrap(row.text, max(1, width - column)).enumerated() {
                    out.append((i == 0 ? label + ":" : "", part, column, row.style))
                }
            } else {
                for part in Canvas.wrap(row.text, max(1, width - row.indent)) {
                    out.append(("", part, row.indent, row.style))
                }
            }
        }
        return out
    }
}
