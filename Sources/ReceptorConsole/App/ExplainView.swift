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
        let answer = wrapped(width: inner)
        pageRows = max(1, height - 2)
        scroll = max(0, min(scroll, answer.count - pageRows))
        var boxTitle = "Answer"
        if answer.count > pageRows {
            boxTitle += " (lines \(scroll + 1)-\(min(answer.count, scroll + pageRows)) of \(answer.count); Down/PgDn scroll)"
        }
        canvas.box(row: top, column: 0, width: cols, height: height, title: boxTitle)
        for (i, line) in lines(scroll..<min(answer.count, scroll + pageRows), of: answer, width: inner).enumerated() {
            let r = top + 1 + i
            if !line.label.isEmpty { canvas.text(line.label, row: r, column: 2, width: Self.labelWidth, style: CellStyle(.header)) }
            canvas.text(line.text, row: r, column: 2 + line.column, width: inner - line.column, style: line.style)
        }
    }

    /// The answer wrapped to `width`: the rows before the candidates as lines, the candidates as line counts
    /// (worked out without making their text when it fits). Kept until the answer or the width changes.
    func wrapped(width: Int) -> WrappedAnswer {
        if let cache = wrapCache, cache.width == width { return cache.answer }
        var starts: [Int] = []
        starts.reserveCapacity(candidates.count + 1)
        var next = 0
        for c in candidates {
            starts.append(next)
            let title = [c.connector.server, "\\", c.connector.name, Self.candidateSeparator, c.outcome.rawValue]
            next +=
                Canvas.fitsAsIs(joining: title, max(1, width - 2))
                ? 1 : Canvas.lineCount(title.joined(), max(1, width - 2))
            next += Canvas.lineCount(c.detail, max(1, width - 4))
        }
        starts.append(next)
        let answer = WrappedAnswer(head: rows.flatMap { Self.wrap($0, width: width) }, candidateStarts: starts)
        wrapCache = (width, answer)
        return answer
    }

    /// The lines in `range` of the answer, the candidates' made as they are asked for.
    func lines(_ range: Range<Int>, of answer: WrappedAnswer, width: Int) -> [WrappedLine] {
        var out: [WrappedLine] = []
        var index = range.lowerBound
        while index < range.upperBound {
            if index < answer.head.count {
                out.append(answer.head[index])
                index += 1
                continue
            }
            // The candidate whose lines hold this one: the last start at or before it.
            let offset = index - answer.head.count
            var low = 0, high = candidates.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if answer.candidateStarts[mid] <= offset { low = mid } else { high = mid - 1 }
            }
            let (title, detail) = Self.rows(of: candidates[low])
            let made = Self.wrap(title, width: width) + Self.wrap(detail, width: width)
            let skip = offset - answer.candidateStarts[low]
            for line in made.dropFirst(skip).prefix(range.upperBound - index) { out.append(line) }
            index += max(1, made.count - skip)  // never stuck, even if a count and a wrap disagreed
        }
        return out
    }

    /// All the answer's lines (tests, and what a narrow answer draws at once).
    func allLines(width: Int) -> [WrappedLine] {
        let answer = wrapped(width: width)
        return lines(0..<answer.count, of: answer, width: width)
    }

    /// One row wrapped: a labelled value continues under its value column; a full-width line at its indent.
    private static func wrap(_ row: Row, width: Int) -> [WrappedLine] {
        if let label = row.label {
            let column = labelWidth
            return Canvas.wrap(row.text, max(1, width - column)).enumerated().map { i, part in
                (i == 0 ? label + ":" : "", part, column, row.style)
            }
        }
        return Canvas.wrap(row.text, max(1, width - row.indent)).map { ("", $0, row.indent, row.style) }
    }
}
