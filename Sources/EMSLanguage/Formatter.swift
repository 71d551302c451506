/// Text output: how values look when they reach the end of a pipeline, and the list and
/// table layouts shared by Format-List and Format-Table.
public enum PSFormatter: Sendable {

    /// Renders what reached the end of a pipeline unformatted, as PowerShell's Out-Default
    /// would: strings and scalars one per line; objects of one type grouped into a table of
    /// their `defaultDisplayProperties`, or without those a list when they have more than
    /// four properties and a table otherwise; hashtables as Name/Value tables.
    public static func render(values: [PSValue], width: Int) -> [String] {
        render(values: values, width: width, enumerationLimit: nil)
    }

    static func render(values: [PSValue], width: Int, enumerationLimit: Int?) -> [String] {
        let items = values.flatMap(\.elements)
        var lines: [String] = []
        var i = 0
        while i < items.count {
            switch items[i] {
            case .null:
                i += 1
            case .object(let first):
                var group = [first]
                var j = i + 1
                while j < items.count, case .object(let next) = items[j], next.typeName == first.typeName {
                    group.append(next)
                    j += 1
                }
                lines += defaultView(group, width: width, enumerationLimit: enumerationLimit)
                i = j
            case .hashtable(let entries):
                lines += table(
                    headers: ["Name", "Value"], rows: entries.map { [.string($0.key), $0.value] }, width: width,
                    enumerationLimit: enumerationLimit)
                i += 1
            case .string(let s):
                lines += s.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
                i += 1
            default:
                lines.append(items[i].text)
                i += 1
            }
        }
        return lines
    }

    private static func defaultView(_ group: [PSObject], width: Int, enumerationLimit: Int?) -> [String] {
        let first = group[0]
        if first.defaultDisplayProperties == nil, first.properties.count > 4 {
            return list(group.map { $0.properties.map { ($0.name, $0.value) } }, enumerationLimit: enumerationLimit)
        }
        let names = first.defaultDisplayProperties ?? first.propertyNames
        let headers = names.map { first.property(named: $0)?.name ?? $0 }
        let rows = group.map { object in names.map { object[$0] ?? .null } }
        return table(headers: headers, rows: rows, width: width, enumerationLimit: enumerationLimit)
    }

    // MARK: - List

    /// PowerShell's list layout: a blank line, then per object `Name : value` lines with the
    /// names padded to the object's longest name, a blank line between objects, a trailing
    /// blank line. Values are never truncated; a multi-line value continues under its first line.
    static func list(_ records: [[(name: String, value: PSValue)]], enumerationLimit: Int?) -> [String] {
        guard !records.isEmpty else { return [] }
        var lines = [""]
        for (index, record) in records.enumerated() {
            if index > 0 { lines.append("") }
            let nameWidth = record.map(\.name.count).max() ?? 0
            for (name, value) in record {
                let valueLines = cellText(value, enumerationLimit: enumerationLimit)
                    .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                let label = name.padding(to: nameWidth) + " : "
                lines.append(trimTrailing(label + (valueLines.first.map(String.init) ?? "")))
                for more in valueLines.dropFirst() {
                    lines.append(trimTrailing(String(repeating: " ", count: label.count) + more))
                }
            }
        }
        lines.append("")
        return lines
    }

    // MARK: - Table

    /// PowerShell's table layout: a blank line, the header row, a row of dashes as long as
    /// each header, the rows, a blank line. Columns are as wide as their content; numeric
    /// columns are right-aligned. When the table is wider than `width`, the widest columns
    /// shrink and their cells are cut with "…", or wrapped onto more lines with `wrap`.
    static func table(
        headers: [String], rows: [[PSValue]], width: Int, wrap: Bool = false, hideHeaders: Bool = false,
        enumerationLimit: Int?
    ) -> [String] {
        guard !headers.isEmpty else { return [] }
        let count = headers.count
        let cells: [[String]] = rows.map { row in
            (0..<count).map { i in
                i < row.count
                    ? cellText(row[i], enumerationLimit: enumerationLimit).replacing(newlines: " ") : ""
            }
        }
        let rightAligned: [Bool] = (0..<count).map { i in
            let values = rows.compactMap { i < $0.count ? $0[i] : nil }.filter { !$0.isNull }
            return !values.isEmpty && values.allSatisfy(\.isNumber)
        }
        var widths: [Int] = (0..<count).map { i in
            max(headers[i].count, cells.map { $0[i].count }.max() ?? 0)
        }
        let minimumWidth = 3
        while widths.reduce(0, +) + (count - 1) > width {
            guard let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > minimumWidth
            else { break }
            widths[widest] -= 1
        }

        func row(_ texts: [String], truncate: Bool) -> String {
            let padded = texts.enumerated().map { i, text -> String in
                let fitted = truncate ? truncated(text, to: widths[i]) : text
                let fill = String(repeating: " ", count: max(widths[i] - fitted.count, 0))
                return rightAligned[i] ? fill + fitted : fitted + fill
            }
            return trimTrailing(padded.joined(separator: " "))
        }

        var lines = [""]
        if !hideHeaders {
            lines.append(row(headers, truncate: true))
            lines.append(row(headers.indices.map { String(repeating: "-", count: min(headers[$0].count, widths[$0])) }, truncate: false))
        }
        for texts in cells {
            if wrap {
                let wrapped = texts.indices.map { wrapText(texts[$0], width: widths[$0]) }
                let height = wrapped.map(\.count).max() ?? 1
                for line in 0..<height {
                    lines.append(row(wrapped.map { line < $0.count ? $0[line] : "" }, truncate: true))
                }
            } else {
                lines.append(row(texts, truncate: true))
            }
        }
        lines.append("")
        return lines
    }

    // MARK: - Cells

    /// A value as a list or table shows it: arrays as `{a, b, c}` (empty `{}`), `$null` as
    /// nothing, everything else as its text. `$FormatEnumerationLimit`, when the user set it,
    /// cuts long arrays with "...".
    static func cellText(_ value: PSValue, enumerationLimit: Int?) -> String {
        switch value {
        case .null:
            return ""
        case .array(let items):
            let shown = enumerationLimit.map { Array(items.prefix($0)) } ?? items
            var text = shown.map(\.text).joined(separator: ", ")
            if let limit = enumerationLimit, items.count > limit { text += "..." }
            return "{" + text + "}"
        case .hashtable(let entries):
            return "{" + entries.map { "[\($0.key), \($0.value.text)]" }.joined(separator: ", ") + "}"
        default:
            return value.text
        }
    }

    static func truncated(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.prefix(width)) }
        return String(text.prefix(width - 1)) + "…"
    }

    /// Breaks text into lines of at most `width` characters, at spaces where possible.
    static func wrapText(_ text: String, width: Int) -> [String] {
        guard width > 0, text.count > width else { return [text] }
        var lines: [String] = []
        var current = ""
        for piece in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = String(piece)
            while word.count > width {
                if !current.isEmpty {
                    lines.append(current)
                    current = ""
                }
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        lines.append(current)
        return lines
    }

    static func trimTrailing(_ line: String) -> String {
        var end = line.endIndex
        while end > line.startIndex, line[line.index(before: end)] == " " { end = line.index(before: end) }
        return String(line[..<end])
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    fileprivate func replacing(newlines replacement: String) -> String {
        split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: replacement)
    }
}
