/// A `Screen` in memory, for golden tests and benchmarks: a grid of cells, dumped as text.
///
/// It follows the curses driver's rules (`CellWidth.layout`): text is clipped to the screen, a wide character
/// takes two cells, and overwriting half of a wide character blanks the other half, as a terminal does.
/// `dump()` gives the plain text; `styledDump()` marks styled runs, e.g. `[selection:Default Frontend  ]`.
public final class MemoryScreen: Screen {
    /// One cell. The second cell of a wide character is a continuation (its character is not printed).
    public struct Cell: Hashable, Sendable {
        public var character: Character
        public var style: CellStyle
        public var isContinuation: Bool

        public init(_ character: Character = " ", style: CellStyle = .normal, isContinuation: Bool = false) {
            self.character = character; self.style = style; self.isContinuation = isContinuation
        }
        public static let blank = Cell()
    }

    public private(set) var size: ScreenSize
    /// Set false to test the ASCII fallback (non-UTF-8 locale): non-ASCII text is then drawn as "?".
    public var unicode: Bool
    /// Set false to test NO_COLOR and monochrome terminals (styles keep their roles; the driver maps them).
    public var color: Bool
    public private(set) var cells: [[Cell]]
    /// Where the cursor rests (set by `setCursor`), or nil when hidden.
    public private(set) var cursor: (row: Int, column: Int)?
    /// How many times `present()` was called (a test can wait for a frame).
    public private(set) var presentCount = 0

    public init(columns: Int = 80, rows: Int = 24, unicode: Bool = true, color: Bool = true) {
        precondition(columns >= 0 && rows >= 0, "a screen has a non-negative size")
        self.size = ScreenSize(columns: columns, rows: rows)
        self.unicode = unicode
        self.color = color
        self.cells = Array(repeating: Array(repeating: .blank, count: columns), count: rows)
    }

    public convenience init(size: ScreenSize, unicode: Bool = true, color: Bool = true) {
        self.init(columns: size.columns, rows: size.rows, unicode: unicode, color: color)
    }

    // MARK: Screen

    public func clear() {
        cells = Array(repeating: Array(repeating: .blank, count: size.columns), count: size.rows)
    }

    public func put(_ text: String, row: Int, column: Int, style: CellStyle) {
        guard row >= 0 && row < size.rows else { return }
        for placement in CellWidth.layout(text, column: column, columns: size.columns, unicode: unicode) {
            write(placement, row: row, style: style)
        }
    }

    public func setCursor(row: Int, column: Int) {
        cursor = (row, column)
    }

    public func hideCursor() {
        cursor = nil
    }

    public func present() {
        presentCount += 1
    }

    // MARK: Test helpers

    /// Changes the size as a terminal resize would: what still fits stays, the rest is cut or blank.
    public func resize(to newSize: ScreenSize) {
        var resized = Array(repeating: Array(repeating: Cell.blank, count: newSize.columns), count: newSize.rows)
        for row in 0..<min(size.rows, newSize.rows) {
            for column in 0..<min(size.columns, newSize.columns) {
                resized[row][column] = cells[row][column]
            }
            // A wide character cut in half at the new right edge becomes a blank.
            let last = newSize.columns - 1
            if last >= 0 && last + 1 < size.columns && cells[row][last + 1].isContinuation {
                resized[row][last] = Cell(" ", style: cells[row][last].style)
            }
        }
        size = newSize
        cells = resized
    }

    /// The text of one row, trailing spaces trimmed.
    public func text(row: Int) -> String {
        guard row >= 0 && row < size.rows else { return "" }
        var line = ""
        for cell in cells[row] where !cell.isContinuation {
            line.append(cell.character)
        }
        return Self.trimmingTrailingSpaces(line)
    }

    /// The style of one cell (a continuation cell has its wide character's style).
    public func style(row: Int, column: Int) -> CellStyle {
        cells[row][column].style
    }

    /// Every row's text, trailing spaces trimmed.
    public var lines: [String] {
        (0..<size.rows).map { text(row: $0) }
    }

    /// The screen as text: one line per row (trailing spaces trimmed), each ending with a newline.
    public func dump() -> String {
        lines.map { $0 + "\n" }.joined()
    }

    /// The screen as text with styled runs marked `[role,bold,reverse,underline:text]` (only what is set;
    /// the role is left out when it is `normal`). Unstyled text is as in `dump()`; trailing unstyled spaces
    /// are trimmed, styled ones kept (a highlight's width matters). Brackets in the text are not escaped:
    /// the dump is for comparing, not for parsing.
    public func styledDump() -> String {
        (0..<size.rows).map { styledLine(row: $0) + "\n" }.joined()
    }

    /// One row of `styledDump()`.
    public func styledLine(row: Int) -> String {
        guard row >= 0 && row < size.rows else { return "" }
        var runs: [(style: CellStyle, text: String)] = []
        for cell in cells[row] where !cell.isContinuation {
            if let last = runs.last, last.style == cell.style {
                runs[runs.count - 1].text.append(cell.character)
            } else {
                runs.append((cell.style, String(cell.character)))
            }
        }
        if let last = runs.last, last.style == .normal {
            runs[runs.count - 1].text = Self.trimmingTrailingSpaces(last.text)
        }
        return runs.map { run in
            run.style == .normal ? run.text : "[\(Self.describe(run.style)):\(run.text)]"
        }.joined()
    }

    /// A style as `styledDump()` writes it: "selection", "title,bold", "reverse".
    public static func describe(_ style: CellStyle) -> String {
        var parts: [String] = []
        if style.role != .normal { parts.append(String(describing: style.role)) }
        if style.bold { parts.append("bold") }
        if style.reverse { parts.append("reverse") }
        if style.underline { parts.append("underline") }
        return parts.isEmpty ? "normal" : parts.joined(separator: ",")
    }

    // MARK: Private

    private func write(_ placement: CellWidth.Placement, row: Int, style: CellStyle) {
        let start = placement.column
        let end = start + placement.width  // exclusive
        // Overwriting the second half of a wide character that starts before us blanks its first half.
        if cells[row][start].isContinuation && start > 0 {
            cells[row][start - 1] = Cell(" ", style: cells[row][start - 1].style)
        }
        // Overwriting the first half of a wide character that ends after us blanks its second half.
        if end < size.columns && cells[row][end].isContinuation {
            cells[row][end] = Cell(" ", style: cells[row][end].style)
        }
        cells[row][start] = Cell(placement.character, style: style)
        for column in (start + 1)..<end {
            cells[row][column] = Cell(" ", style: style, isContinuation: true)
        }
    }

    private static func trimmingTrailingSpaces(_ text: String) -> String {
        var result = Substring(text)
        while result.last == " " { result.removeLast() }
        return String(result)
    }
}
