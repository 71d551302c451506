/// The console draws on a `Screen`: a grid of cells with a text style. The ncurses backend and the
/// in-memory backend (for golden tests) both implement it; nothing above this file knows which one runs.
public struct CellStyle: Hashable, Sendable {
    public enum Role: Hashable, Sendable {
        case normal, title, selection, header, hint, hintKey, error, warning, success, dim, field, focusedField, button, focusedButton, border
    }
    public var role: Role
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(_ role: Role = .normal, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role; self.bold = bold; self.reverse = reverse; self.underline = underline
    }
    public static let normal = CellStyle()
}

public struct ScreenSize: Hashable, Sendable {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) { self.columns = columns; self.rows = rows }
}

public protocol Screen: AnyObject {
    var size: ScreenSize { get }
    /// Whether box-drawing characters (Unicode) may be used; false under a non-UTF-8 locale (ASCII fallback).
    var unicode: Bool { get }
    /// Whether colours may be used (false with NO_COLOR or a monochrome terminal): styles then map to
    /// bold/reverse/underline only.
    var color: Bool { get }
    func clear()
    /// Writes text at a position, clipped to the screen; one Character per cell (wide characters take two).
    func put(_ text: String, row: Int, column: Int, style: CellStyle)
    /// Where the terminal cursor should rest (a focused text field), or nil to hide it.
    func setCursor(row: Int, column: Int)
    func hideCursor()
    /// Shows what was drawn since the last present (the curses backend calls doupdate; memory does nothing).
    func present()
}

/// A key or terminal event, decoded by the backend.
public enum KeyEvent: Hashable, Sendable {
    case character(Character)
    case enter, escape, tab, backTab, backspace, delete, insert
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
    /// Ctrl-<letter>, lowercased: Ctrl-S is .control("s").
    case control(Character)
    case resize(ScreenSize)
    case mouse(row: Int, column: Int)
}

/// The backend the app loop reads events from: curses in the real binary, a script in tests.
public protocol TerminalInput: AnyObject {
    /// The next event, or nil if none arrived within `timeoutMilliseconds` (the app refreshes then).
    func nextEvent(timeoutMilliseconds: Int) -> KeyEvent?
}
