import Foundation
import ReceptorControl
import ReceptorCore

/// The usage view (`u` on the list): who sent through the selected connector over the retention, one row
/// per remote address, newest first — "is anyone still using this relay connector?" in one key press. Read
/// from the listener over its control socket, or from the usage files when no listener answers.
final class UsageController {
    let connector: ReceiveConnector
    var reading: UsageReading? { didSet { selection = min(selection, max(0, rowCount - 1)) } }
    var selection = 0
    var scroll = 0

    init(connector: ReceiveConnector, reading: UsageReading?) {
        self.connector = connector; self.reading = reading
    }

    var rows: [ConnectorUsageRow] { reading?.answer.rows ?? [] }
    var rowCount: Int { rows.count }

    func move(_ delta: Int) { selection = max(0, min(rowCount - 1, selection + delta)) }

    /// `12-06 15:04` in UTC (the files' days are UTC days too).
    static func short(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%02d-%02d %02d:%02d", c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    static func long(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// The table's columns for a width: the numbers fixed, the texts share the rest; FIRST SEEN from 100 columns.
    typealias Column = (title: String, width: Int)

    static func columns(width: Int) -> [Column] {
        let wide = width >= 96
        var fixed: [Column] = [("TLS", 4), ("SESS", 5), ("MSGS", 5), ("RLY", 4), ("REJ", 4), ("LAST SEEN", 11)]
        if wide { fixed.insert(("FIRST SEEN", 11), at: fixed.count - 1) }
        let texts = 3
        let rest = width - fixed.reduce(0) { $0 + $1.width } - (fixed.count + texts - 1)
        let remote = max(10, rest * 40 / 100), helo = max(8, rest * 32 / 100), account = max(6, rest - remote - helo)
        let leading: [Column] = [("REMOTE ADDRESS", remote), ("HELO", helo), ("ACCOUNT", account)]
        return leading + fixed
    }

    static func cells(_ row: ConnectorUsageRow, wide: Bool) -> [String] {
        var cells = [
            row.remoteAddress, row.heloNames.joined(separator: ","), row.accounts.joined(separator: ","), "\(row.tlsSessions)",
            "\(row.sessions)", "\(row.messages)", "\(row.relayed)", "\(row.rejected)",
        ]
        if wide { cells.append(short(row.firstSeen)) }
        cells.append(short(row.lastSeen))
        return cells
    }

    /// One table line: the texts left-aligned, the numbers and times right-aligned.
    static func line(_ cells: [String], _ columns: [Column]) -> String {
        var parts: [String] = []
        for (i, (cell, column)) in zip(cells, columns).enumerated() {
            let fitted = Canvas.fit(cell, column.width)
            parts.append(i >= 3 ? String(repeating: " ", count: max(0, column.width - fitted.count)) + fitted : Canvas.pad(cell, column.width))
        }
        return parts.joined(separator: " ")
    }

    /// Draws over the whole screen but the last row (the app draws the hint bar there).
    func render(_ canvas: Canvas) {
        let width = canvas.columns, height = canvas.rows - 1
        let days = reading?.answer.days ?? ReceptorControl.ConnectorUsage.defaultRetentionDays
        canvas.box(row: 0, column: 0, width: width, height: height, title: "Usage of \(connector.identity) - last \(days) days (UTC)")
        let x = 2, inner = width - 4
        guard let reading else {
            canvas.text("Usage can't be read here.", row: 2, column: x, width: inner, style: CellStyle(.error))
            return
        }
        let answer = reading.answer
        var r = 1
        let summary: String
        if !answer.recording {
            summary = "The listener records no usage (receptor listen --usage-days 0)."
        } else if answer.rows.isEmpty {
            summary = "No session reached this connector in the last \(days) days (as recorded by \(reading.source))."
        } else {
            let cut = answer.addresses > answer.rows.count ? ", the newest \(answer.rows.count) shown" : ""
            let sessions = answer.rows.reduce(0) { $0 + $1.sessions }
            summary =
                "\(answer.addresses) remote address\(answer.addresses == 1 ? "" : "es")\(cut), \(sessions) sessions, newest first; from \(reading.source)."
        }
        for line in Canvas.wrap(summary, inner).prefix(2) {
            canvas.text(line, row: r, column: x, width: inner, style: answer.recording ? .normal : CellStyle(.warning)); r += 1
        }
        let columns = Self.columns(width: inner)
        let wide = columns.count == 10
        canvas.text(Self.line(columns.map { $0.title }, columns), row: r, column: x, width: inner, style: CellStyle(.header, underline: true)); r += 1
        let detailRows = 3
        let listRows = max(1, height - 1 - detailRows - r)
        if selection < scroll { scroll = selection }
        if selection >= scroll + listRows { scroll = selection - listRows + 1 }
        for (offset, row) in rows.dropFirst(scroll).prefix(listRows).enumerated() {
            let selected = scroll + offset == selection
            canvas.text(
                Self.line(Self.cells(row, wide: wide), columns), row: r + offset, column: x, width: inner,
                style: selected ? CellStyle(.selection, reverse: true) : .normal, pad: selected)
        }
        // The selected row in full: the names the columns cut, and both times.
        guard rows.indices.contains(selection) else { return }
        let row = rows[selection]
        let detail =
            "\(row.remoteAddress): HELO \(row.heloNames.isEmpty ? "-" : row.heloNames.joined(separator: ", ")); "
            + "accounts \(row.accounts.isEmpty ? "-" : row.accounts.joined(separator: ", ")); \(row.tlsSessions) of \(row.sessions) sessions with TLS; "
            + "first seen \(Self.long(row.firstSeen)), last seen \(Self.long(row.lastSeen))."
        let top = height - 1 - detailRows
        canvas.hline(row: top, column: 1, width: width - 2)
        for (i, line) in Canvas.wrap(detail, inner).prefix(detailRows - 1).enumerated() {
            canvas.text(line, row: top + 1 + i, column: x, width: inner, style: CellStyle(.dim))
        }
    }
}
