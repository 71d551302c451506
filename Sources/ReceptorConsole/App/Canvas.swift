import ReceptorCore

/// Drawing helpers over a `Screen`: clipped text, padded cells, boxes in Unicode or ASCII.
struct Canvas {
    let screen: Screen
    var columns: Int { screen.size.columns }
    var rows: Int { screen.size.rows }
    var unicode: Bool { screen.unicode }

    /// Writes text clipped to `width` cells (padding with spaces when `pad`). Without Unicode (a non-UTF-8
    /// locale) the typographic characters the console uses are drawn as their ASCII look-alikes.
    func text(_ s: String, row: Int, column: Int, width: Int? = nil, style: CellStyle = .normal, pad: Bool = false) {
        guard row >= 0, row < rows, column < columns else { return }
        let maxWidth = min(width ?? (columns - column), columns - column)
        guard maxWidth > 0 else { return }
        var t = Canvas.fit(s, maxWidth)
        if !unicode { t = Canvas.ascii(t) }
        let used = CellWidth.of(t)
        if pad, used < maxWidth { t += String(repeating: " ", count: maxWidth - used) }
        screen.put(t, row: row, column: column, style: style)
    }

    /// ASCII look-alikes of the typographic characters in the console's own texts (one cell each, so
    /// layouts do not move); other non-ASCII text is left to the screen, which shows "?".
    static func ascii(_ s: String) -> String {
        guard !s.allSatisfy(\.isASCII) else { return s }
        return String(
            s.map { ch -> Character in
                switch ch {
                case "…": "~"
                case "×": "x"
                case "›", "→", "»": ">"
                case "←", "«": "<"
                case "↓": "v"
                case "↑": "^"
                case "—", "–", "─": "-"
                case "‘", "’": "'"
                case "“", "”": "\""
                case "•", "·": "*"
                default: ch
                }
            })
    }

    /// Cuts `s` to `width` terminal cells (wide characters take two), ending in "…" when cut.
    static func fit(_ s: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        if CellWidth.of(s) <= width { return s }
        return CellWidth.prefix(s, width: width - 1) + "…"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        let t = fit(s, width)
        let used = CellWidth.of(t)
        return used < width ? t + String(repeating: " ", count: width - used) : t
    }

    /// Fills a rectangle with spaces.
    func fill(row: Int, column: Int, width: Int, height: Int, style: CellStyle = .normal) {
        for r in row..<(row + height) { text("", row: r, column: column, width: width, style: style, pad: true) }
    }

    var horizontal: String { unicode ? "─" : "-" }

    func box(row: Int, column: Int, width: Int, height: Int, title: String? = nil, style: CellStyle = CellStyle(.border)) {
        guard width >= 2, height >= 2 else { return }
        let (tl, tr, bl, br, h, v) = unicode ? ("┌", "┐", "└", "┘", "─", "│") : ("+", "+", "+", "+", "-", "|")
        var top = tl + String(repeating: h, count: width - 2) + tr
        if let title, !title.isEmpty {
            let t = " " + Canvas.fit(title, max(0, width - 6)) + " "
            var chars = Array(top)
            for (i, ch) in t.enumerated() where 2 + i < width - 1 { chars[2 + i] = ch }
            top = String(chars)
        }
        text(top, row: row, column: column, width: width, style: style)
        for r in (row + 1)..<(row + height - 1) {
            text(v, row: r, column: column, width: 1, style: style)
            text(String(repeating: " ", count: width - 2), row: r, column: column + 1, width: width - 2)
            text(v, row: r, column: column + width - 1, width: 1, style: style)
        }
        text(bl + String(repeating: h, count: width - 2) + br, row: row + height - 1, column: column, width: width, style: style)
    }

    func hline(row: Int, column: Int, width: Int, style: CellStyle = CellStyle(.border)) {
        text(String(repeating: horizontal, count: max(0, width)), row: row, column: column, width: width, style: style)
    }

    /// Word-wraps text to `width`; words longer than the width are cut.
    static func wrap(_ s: String, _ width: Int) -> [String] {
        guard width > 0 else { return [] }
        if fitsAsIs(s, width) { return [s] }
        var lines: [String] = []
        for paragraph in s.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var w = String(word)
                while w.count > width {
                    if !line.isEmpty { lines.append(line); line = "" }
                    lines.append(String(w.prefix(width))); w = String(w.dropFirst(width))
                }
                if line.isEmpty { line = w } else if line.count + 1 + w.count <= width { line += " " + w } else { lines.append(line); line = w }
            }
            lines.append(line)
        }
        return lines
    }

    /// Whether `wrap` would give the text back as its one line: no longer than the width (in bytes, so in
    /// characters too), no line break, no space at either end or next to another. Checked on the bytes: the
    /// Explain view wraps thousands of rows per answer.
    static func fitsAsIs(_ s: String, _ width: Int) -> Bool { fitsAsIs(joining: CollectionOfOne(s), width) }

    /// `fitsAsIs` of the parts joined, without joining them (the Explain view counts its candidates' lines
    /// without making their text).
    static func fitsAsIs(joining parts: some Collection<String>, _ width: Int) -> Bool {
        var total = 0
        for part in parts { total += part.utf8.count }
        guard total <= width else { return false }
        var afterSpace = true
        for part in parts {
            for b in part.utf8 {
                if b == UInt8(ascii: "\n") { return false }
                if b == UInt8(ascii: " ") {
                    if afterSpace { return false }
                    afterSpace = true
                } else {
                    afterSpace = false
                }
            }
        }
        return !afterSpace || total == 0
    }

    /// How many lines `wrap` makes of the text (1 without making any when it fits as it is).
    static func lineCount(_ s: String, _ width: Int) -> Int {
        guard width > 0 else { return 0 }
        return fitsAsIs(s, width) ? 1 : wrap(s, width).count
    }

    /// A button label: "[ Next ]" / "< Next >" when focused.
    static func button(_ title: String, focused: Bool) -> String { focused ? "<\(title)>" : "[\(title)]" }
    static func check(_ on: Bool) -> String { on ? "[x]" : "[ ]" }
    static func radio(_ on: Bool) -> String { on ? "(*)" : "( )" }
}
