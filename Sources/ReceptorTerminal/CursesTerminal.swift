#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CNCursesShim
import ReceptorConsole

/// The real terminal: ncursesw behind `Screen` and `TerminalInput`. The only code that touches curses.
///
/// **One thread.** Curses keeps global state, so a `CursesTerminal` must be created, started, drawn on, read
/// from and stopped on one thread (the app's main loop). It is deliberately not `Sendable` and not tied to an
/// actor; the compiler then refuses to hand it to another isolation domain. Only one may be started at a time.
///
/// **Lifecycle.** `start()` sets the locale from the environment, opens curses (`newterm` on stdin/stdout; the
/// size always from the terminal itself, never from LINES and COLUMNS in the environment),
/// and sets cbreak (or raw), noecho, nonl, keypad, mouse clicks, a 25 ms Escape delay and, when the
/// terminal has colours and NO_COLOR is unset, a colour pair per `CellStyle.Role`. `stop()` restores the
/// terminal (`endwin`); `start()` after `stop()` resumes. Signal handlers and an atexit hook restore the
/// terminal on other ways out (see `TerminalSignals`).
///
/// **Input mode.** `.cbreak` (the default) keeps the keyboard's signals: Ctrl-C ends the program (terminal
/// restored), Ctrl-Z suspends it. XON/XOFF flow control is turned off so Ctrl-S and Ctrl-Q reach the app.
/// `.raw` delivers Ctrl-C and Ctrl-Z as `.control("c")` and `.control("z")`; the app may then call `suspend()`.
public final class CursesTerminal: Screen, TerminalInput {
    public struct Options: Sendable {
        public enum InputMode: Sendable { case cbreak, raw }
        public var inputMode: InputMode
        /// Report button-1 clicks as `.mouse` (the terminal then needs Shift for its own text selection).
        public var mouse: Bool
        /// Force Unicode line drawing on or off; nil = whether the locale's codeset is UTF-8.
        public var unicode: Bool?
        /// Force colours off (or on, where the terminal has them); nil = has_colors() and NO_COLOR unset.
        public var color: Bool?
        /// How long a lone Escape waits for the rest of an escape sequence.
        public var escapeDelayMilliseconds: Int
        /// Install the restoring signal handlers and atexit hook on `start()`.
        public var installSignalHandlers: Bool

        public init(
            inputMode: InputMode = .cbreak, mouse: Bool = true, unicode: Bool? = nil, color: Bool? = nil,
            escapeDelayMilliseconds: Int = 25, installSignalHandlers: Bool = true
        ) {
            self.inputMode = inputMode
            self.mouse = mouse
            self.unicode = unicode
            self.color = color
            self.escapeDelayMilliseconds = escapeDelayMilliseconds
            self.installSignalHandlers = installSignalHandlers
        }
    }

    public enum StartError: Error, CustomStringConvertible {
        case notATerminal
        case cannotInitialise(term: String)

        public var description: String {
            switch self {
            case .notATerminal:
                return "the console needs a terminal: standard input and output must be a tty"
            case .cannotInitialise(let term):
                return "cannot use the terminal type \"\(term)\" (set TERM to one this system knows, e.g. xterm-256color)"
            }
        }
    }

    public let options: Options
    public private(set) var unicode = false
    public private(set) var color = false
    /// True between `start()` and `stop()`.
    public private(set) var isActive = false

    private var screen: OpaquePointer?
    private var cursor: (row: Int, column: Int)?
    private var mouseMask: mmask_t = 0
    private var buffer: [wchar_t] = []

    public init(options: Options = Options()) {
        self.options = options
    }

    deinit {
        if isActive { stop() }
    }

    // MARK: Lifecycle

    /// Installs the restoring signal handlers and the atexit hook (once per process; `start()` does this
    /// unless `Options.installSignalHandlers` is false). Call it early to cover the time before `start()`.
    public static func installSignalHandlers() {
        TerminalSignals.install()
    }

    public func start() throws {
        guard !isActive else { return }
        if screen != nil {
            resume()
            return
        }
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else { throw StartError.notATerminal }
        if options.installSignalHandlers { TerminalSignals.install() }

        _ = shim_setlocale_from_environment()
        let localeIsUTF8 = shim_locale_is_utf8() != 0
        // The terminal's own size (TIOCGWINSZ) must win over LINES and COLUMNS in the environment: bash
        // exports them when it inherited them, and so do script and CI runners; curses takes them as the size
        // and then never follows a resize (not on SIGWINCH, not later). use_tioctl(TRUE) does not change that
        // on a resize with ncurses 6.4, and use_env(FALSE) alone falls back to terminfo's fixed size, so the
        // two variables go, for this process and what it starts. Only when the kernel knows the size: without
        // it they are all there is.
        var kernelRows: Int32 = 0, kernelColumns: Int32 = 0
        if shim_terminal_size(STDOUT_FILENO, &kernelRows, &kernelColumns) == 0 {
            unsetenv("LINES")
            unsetenv("COLUMNS")
        }
        guard let newScreen = shim_newterm() else {
            throw StartError.cannotInitialise(term: getenv("TERM").map { String(cString: $0) } ?? "")
        }
        screen = newScreen
        TerminalSignals.resumePending.store(false, ordering: .relaxed)
        TerminalSignals.cursesActive.store(true, ordering: .relaxed)
        isActive = true

        switch options.inputMode {
        case .cbreak: cbreak()
        case .raw: raw()
        }
        noecho()
        nonl()
        keypad(shim_stdscr(), true)
        intrflush(shim_stdscr(), false)
        set_escdelay(Int32(options.escapeDelayMilliseconds))
        // After the calls above (each rewrites the terminal from curses' copy of the modes): Ctrl-S and
        // Ctrl-Q must reach the app, then curses takes the result as the program mode it restores after a
        // suspend or stop/start.
        _ = shim_disable_flow_control(STDIN_FILENO)
        def_prog_mode()

        if options.mouse {
            mouseMask = shim_BUTTON1_PRESSED() | shim_BUTTON1_RELEASED() | shim_BUTTON1_CLICKED()
            _ = shim_mousemask(mouseMask)
            mouseinterval(0)  // no click resolution: a press is reported at once
        }

        unicode = options.unicode ?? localeIsUTF8
        color = setUpColours()
        curs_set(0)
        werase(shim_stdscr())
        wnoutrefresh(shim_stdscr())
        doupdate()
    }

    /// Restores the terminal (`endwin`). `start()` resumes.
    public func stop() {
        guard isActive else { return }
        if mouseMask != 0 { _ = shim_mousemask(0) }
        curs_set(1)
        endwin()
        isActive = false
        TerminalSignals.cursesActive.store(false, ordering: .relaxed)
    }

    /// Suspends the program as Ctrl-Z does in cbreak mode (for `.raw` input, where Ctrl-Z is a key): the
    /// terminal is restored, the process stops, and after `fg` the next `nextEvent` returns `.resize`.
    /// Like Ctrl-Z, it stops the whole foreground process group, so a wrapper script stops too and the
    /// shell sees the job stop.
    public func suspend() {
        kill(0, SIGTSTP)
    }

    private func resume() {
        TerminalSignals.cursesActive.store(true, ordering: .relaxed)
        isActive = true
        repaintAfterSuspend()
    }

    private func setUpColours() -> Bool {
        let wanted: Bool
        if let forced = options.color {
            wanted = forced
        } else if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 {
            wanted = false
        } else {
            wanted = true
        }
        guard wanted, has_colors(), start_color() == OK, shim_colors() >= 8,
            shim_color_pairs() > CursesPalette.roles.count
        else { return false }
        let defaults = use_default_colors() == OK
        for role in CursesPalette.roles {
            let entry = CursesPalette.entry(for: role)
            let foreground = entry.foreground == .terminalDefault && !defaults ? CursesPalette.Colour.white : entry.foreground
            let background = entry.background == .terminalDefault && !defaults ? CursesPalette.Colour.black : entry.background
            init_pair(CursesPalette.pair(for: role), foreground.rawValue, background.rawValue)
        }
        return true
    }

    // MARK: Screen

    public var size: ScreenSize {
        guard isActive, let window = shim_stdscr() else {
            var rows: Int32 = 0, columns: Int32 = 0
            if shim_terminal_size(STDOUT_FILENO, &rows, &columns) == 0 {
                return ScreenSize(columns: Int(columns), rows: Int(rows))
            }
            return ScreenSize(columns: 0, rows: 0)
        }
        return ScreenSize(columns: Int(getmaxx(window)), rows: Int(getmaxy(window)))
    }

    public func clear() {
        guard isActive else { return }
        werase(shim_stdscr())
    }

    public func put(_ text: String, row: Int, column: Int, style: CellStyle) {
        guard isActive, let window = shim_stdscr() else { return }
        let size = self.size
        guard row >= 0, row < size.rows else { return }
        let look = CursesPalette.look(for: style, color: color)
        let attributes = cursesAttributes(look.attributes)
        let pair = Int32(look.pair)
        let y = Int32(row)

        // Runs of one-cell ASCII go out in one call; anything else is placed at its own column, so the
        // layout is `CellWidth.layout`'s even where the C library's wcwidth disagrees.
        buffer.removeAll(keepingCapacity: true)
        var runStart = 0
        var runEnd = 0
        func flush() {
            guard !buffer.isEmpty else { return }
            buffer.withUnsafeBufferPointer { pointer in
                _ = shim_put_wide(window, y, Int32(runStart), pointer.baseAddress, Int32(pointer.count), attributes, pair)
            }
            buffer.removeAll(keepingCapacity: true)
        }
        for placement in CellWidth.layout(text, column: column, columns: size.columns, unicode: unicode) {
            if placement.width == 1, let ascii = placement.character.asciiValue {
                if buffer.isEmpty || placement.column != runEnd {
                    flush()
                    runStart = placement.column
                }
                buffer.append(wchar_t(ascii))
                runEnd = placement.column + 1
            } else {
                flush()
                var scalars: [wchar_t] = []
                for scalar in placement.character.unicodeScalars {
                    if scalar.value == 0x200D && !scalars.isEmpty { break }  // ZWJ sequences: the first emoji only
                    scalars.append(wchar_t(bitPattern: scalar.value))
                }
                scalars.withUnsafeBufferPointer { pointer in
                    _ = shim_put_wide(window, y, Int32(placement.column), pointer.baseAddress, Int32(pointer.count), attributes, pair)
                }
            }
        }
        flush()
    }

    public func setCursor(row: Int, column: Int) {
        cursor = (row, column)
    }

    public func hideCursor() {
        cursor = nil
    }

    public func present() {
        guard isActive, let window = shim_stdscr() else { return }
        let size = self.size
        if let cursor, cursor.row >= 0, cursor.row < size.rows, cursor.column >= 0, cursor.column < size.columns {
            wmove(window, Int32(cursor.row), Int32(cursor.column))
            curs_set(1)
        } else {
            curs_set(0)
        }
        wnoutrefresh(window)
        doupdate()
    }

    private func cursesAttributes(_ attributes: TextAttributes) -> attr_t {
        var result = shim_A_NORMAL()
        if attributes.contains(.bold) { result |= shim_A_BOLD() }
        if attributes.contains(.reverse) { result |= shim_A_REVERSE() }
        if attributes.contains(.underline) { result |= shim_A_UNDERLINE() }
        if attributes.contains(.dim) { result |= shim_A_DIM() }
        return result
    }

    // MARK: TerminalInput

    /// The longest single wait inside `nextEvent`: a resume after SIGCONT is noticed at least this often.
    private static let sliceMilliseconds = 100

    /// The next key, resize or click; nil if none came within `timeoutMilliseconds` (negative: wait
    /// indefinitely). Keys the console has no use for are skipped without ending the wait.
    public func nextEvent(timeoutMilliseconds: Int) -> KeyEvent? {
        guard isActive, let window = shim_stdscr() else { return nil }
        let clock = ContinuousClock()
        let deadline = timeoutMilliseconds >= 0 ? clock.now.advanced(by: .milliseconds(timeoutMilliseconds)) : nil
        while true {
            if TerminalSignals.resumePending.exchange(false, ordering: .relaxed) {
                repaintAfterSuspend()
                return .resize(size)
            }
            var wait = Self.sliceMilliseconds
            if let deadline {
                let remaining = clock.now.duration(to: deadline)
                let milliseconds =
                    Int(remaining.components.seconds) * 1000
                    + Int(remaining.components.attoseconds / 1_000_000_000_000_000)
                wait = max(0, min(wait, milliseconds))
            }
            wtimeout(window, Int32(wait))
            var value: UInt32 = 0
            let status = shim_get_wch(window, &value)
            if status != ERR {
                switch CursesKeys.decode(status: status, value: value) {
                case .event(let event):
                    return event
                case .resize:
                    return .resize(size)
                case .mouse:
                    if let event = mouseEvent() { return event }
                case .ignored:
                    break
                }
            }
            if let deadline, clock.now >= deadline {
                return nil
            }
        }
    }

    private func mouseEvent() -> KeyEvent? {
        var row: Int32 = 0, column: Int32 = 0
        var state: mmask_t = 0
        guard shim_getmouse(&row, &column, &state) == OK else { return nil }
        guard state & (shim_BUTTON1_PRESSED() | shim_BUTTON1_CLICKED()) != 0 else { return nil }
        return .mouse(row: Int(row), column: Int(column))
    }

    /// After a stop (SIGTSTP/SIGCONT) or `stop()`: take a size change made meanwhile, restore the program's
    /// terminal modes, and repaint everything on the next refresh.
    private func repaintAfterSuspend() {
        var rows: Int32 = 0, columns: Int32 = 0
        if shim_terminal_size(STDOUT_FILENO, &rows, &columns) == 0, rows != shim_lines() || columns != shim_cols() {
            resizeterm(rows, columns)
        }
        clearok(shim_curscr(), true)
        wrefresh(shim_stdscr())  // after endwin, a refresh restores program mode
        if mouseMask != 0 { _ = shim_mousemask(mouseMask) }
    }
}
