import CEditLine
import CNCursesShim
import Foundation
import ReceptorShell

/// The interactive prompt's line editor: libedit (BSD editline) in emacs mode, so long lines wrap and redraw,
/// the cursor moves by terminal cells (wide characters take two), Up/Down and Ctrl-R search the history.
/// Tab and Shift-Tab cycle through `TabCompleter`'s candidates as PowerShell does; Ctrl-C abandons the line;
/// Ctrl-Z suspends with the terminal restored and `fg` redraws the line. History: see `ShellHistory`.
/// Only the interactive prompt creates one: `receptor shell -c` and scripts never touch libedit.
/// See docs/decisions/2026-12-06-line-editing.md.
final class LineEditor {
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C: the line (and any command it continued) is abandoned.
        case interrupted
        /// Ctrl-D on an empty line, or the input ended.
        case end
    }

    private struct Cycle {
        var line: String
        var cursor: Int
        /// Where the replaced word starts (a Unicode scalar offset, as libedit counts).
        var start: Int
        var candidates: [String]
        var index: Int
    }

    private let editor: OpaquePointer
    private let history: OpaquePointer
    private let historyFile: ShellHistory
    private let completer: TabCompleter
    private var prompt: UnsafeMutablePointer<wchar_t>
    /// Strings libedit keeps pointers to (the names and help of added functions).
    private var keptStrings: [UnsafeMutablePointer<wchar_t>] = []
    /// The lines before this one of a command being continued at `>> `: completion reads them as context.
    private var earlierLines = ""
    private var interrupted = false
    private var cycle: Cycle?
    /// The actions our signal handler replaced while a line is read.
    private var savedActions: [Int32: sigaction] = [:]

    init?(historyPath: String, completer: TabCompleter) {
        _ = cedit_use_utf8_ctype()
        guard let editor = cedit_open("receptor") else { return nil }
        guard let history = cedit_history_open(Int32(ShellHistory.limit)) else {
            cedit_close(editor)
            return nil
        }
        self.editor = editor
        self.history = history
        self.historyFile = ShellHistory(path: historyPath)
        self.completer = completer
        self.prompt = Self.wideCopy("")
        for line in historyFile.load() { Self.withWide(line) { _ = cedit_history_enter(history, $0) } }
        cedit_use_history(editor, history)
        cedit_set_client_data(editor, Unmanaged.passUnretained(self).toOpaque())
        cedit_set_prompt(editor) { el in
            guard let el, let editor = LineEditor.owner(of: el) else { return nil }
            return editor.prompt
        }
        cedit_set_getc(editor) { el, character in
            guard let el, let character, let editor = LineEditor.owner(of: el) else { return -1 }
            return editor.readCharacter(into: character)
        }
        configureKeys()
    }

    deinit {
        cedit_close(editor)
        cedit_history_close(history)
        prompt.deallocate()
        for s in keptStrings { s.deallocate() }
    }

    /// Reads one line at `prompt`; `earlier` holds the lines before it when a command continues.
    func readLine(prompt text: String, continuing earlier: String = "") -> Input {
        let old = prompt
        prompt = Self.wideCopy(text)
        old.deallocate()
        earlierLines = earlier
        installSignalHandlers()
        defer { restoreSignalHandlers() }
        while true {
            interrupted = false
            cycle = nil
            var count: Int32 = 0
            guard let buffer = el_wgets(editor, &count) else {
                if count == -1 && errno == EINTR { continue }  // a signal that ended no line
                return .end
            }
            if interrupted { return .interrupted }
            var line = Self.string(buffer, count: Int(count))
            if line.hasSuffix("\n") { line.removeLast() }
            if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                Self.withWide(line) { _ = cedit_history_enter(history, $0) }
                historyFile.record(line)
            }
            return .line(line)
        }
    }

    // MARK: - Keys

    private func configureKeys() {
        addFunction("receptor-complete", "Complete the word (repeat to cycle)") { el, _ in
            guard let el, let editor = LineEditor.owner(of: el) else { return UInt8(CC_ERROR) }
            return editor.complete(step: 1)
        }
        addFunction("receptor-complete-back", "Complete the word, cycling backwards") { el, _ in
            guard let el, let editor = LineEditor.owner(of: el) else { return UInt8(CC_ERROR) }
            return editor.complete(step: -1)
        }
        addFunction("receptor-interrupt", "Abandon the line") { el, _ in
            guard let el, let editor = LineEditor.owner(of: el) else { return UInt8(CC_ERROR) }
            return editor.interrupt()
        }
        // Ctrl-C reaches the editor as a key while a line is edited (the terminal's interrupt character is
        // off in libedit's edit mode only), so it abandons the line instead of ending the shell.
        Self.withWide("-intr") { _ = cedit_setty_edit(editor, $0) }
        Self.withWide("intr=") { _ = cedit_setty_edit(editor, $0) }
        let bindings = [
            ("^I", "receptor-complete"), ("\\e[Z", "receptor-complete-back"), ("^C", "receptor-interrupt"),
            ("^R", "em-inc-search-prev"), ("^W", "ed-delete-prev-word"), ("^U", "vi-kill-line-prev"),
            ("\\e[H", "ed-move-to-beg"), ("\\e[F", "ed-move-to-end"), ("\\eOH", "ed-move-to-beg"), ("\\eOF", "ed-move-to-end"),
            ("\\e[1~", "ed-move-to-beg"), ("\\e[4~", "ed-move-to-end"), ("\\e[3~", "ed-delete-next-char"),
            ("\\e[1;5D", "ed-prev-word"), ("\\e[1;5C", "em-next-word"),
        ]
        for (key, function) in bindings {
            Self.withWide(key) { k in Self.withWide(function) { f in _ = cedit_bind(editor, k, f) } }
        }
        // ~/.editrc may change any of this, as for every libedit program ("receptor:" lines apply here only).
        _ = cedit_source_user_file(editor)
    }

    private func addFunction(_ name: String, _ help: String, _ function: cedit_key_fn) {
        let n = Self.wideCopy(name), h = Self.wideCopy(help)
        keptStrings += [n, h]
        _ = cedit_add_function(editor, n, h, function)
    }

    /// Ctrl-C: moves to the end, shows ^C and ends the line (libedit then moves below it); readLine drops it.
    private func interrupt() -> UInt8 {
        guard let info = el_wline(editor)?.pointee, let cursor = info.cursor, let last = info.lastchar else { return UInt8(CC_ERROR) }
        _ = el_cursor(editor, Int32(last - cursor))
        Self.withWide("^C") { _ = el_winsertstr(editor, $0) }
        interrupted = true
        Self.withWide("\n") { el_wpush(editor, $0) }
        return UInt8(CC_REFRESH)
    }

    /// Tab (step 1) and Shift-Tab (step -1): the first press replaces the word with the first (or last)
    /// candidate; pressing again with nothing else changed moves to the next (or previous).
    private func complete(step: Int) -> UInt8 {
        guard let current = currentLine() else { return UInt8(CC_ERROR) }
        let (line, cursor) = current
        if var cycling = cycle, cycling.line == line, cycling.cursor == cursor, cycling.candidates.count > 0 {
            cycling.index = (cycling.index + step + cycling.candidates.count) % cycling.candidates.count
            replace(from: cycling.start, to: cursor, with: cycling.candidates[cycling.index])
            if let after = currentLine() { (cycling.line, cycling.cursor) = (after.line, after.cursor) }
            cycle = cycling
            return UInt8(CC_REFRESH)
        }
        cycle = nil
        let before = String(String.UnicodeScalarView(line.unicodeScalars.prefix(cursor)))
        let context = earlierLines.isEmpty ? "" : earlierLines + "\n"
        let text = context + before
        guard let completion = completer.complete(text, cursor: text.count), completion.replacement.lowerBound >= context.count else {
            return UInt8(CC_ERROR)
        }
        let start = String(before.prefix(completion.replacement.lowerBound - context.count)).unicodeScalars.count
        let index = step > 0 ? 0 : completion.candidates.count - 1
        replace(from: start, to: cursor, with: completion.candidates[index])
        if let after = currentLine() {
            cycle = Cycle(line: after.line, cursor: after.cursor, start: start, candidates: completion.candidates, index: index)
        }
        return UInt8(CC_REFRESH)
    }

    /// The line being edited and the cursor, as Unicode scalar offsets (libedit's wide characters).
    private func currentLine() -> (line: String, cursor: Int)? {
        guard let info = el_wline(editor)?.pointee, let buffer = info.buffer, let cursor = info.cursor, let last = info.lastchar else { return nil }
        return (Self.string(buffer, count: last - buffer), cursor - buffer)
    }

    /// Replaces the text between two scalar offsets (the second is the cursor) with `text`.
    private func replace(from start: Int, to cursor: Int, with text: String) {
        if cursor > start { el_deletestr(editor, Int32(cursor - start)) }
        Self.withWide(text) { _ = el_winsertstr(editor, $0) }
    }

    // MARK: - Reading and signals

    /// libedit's character reader (EL_GETCFN): one UTF-8 character from standard input, meanwhile acting on
    /// the signals `wakeEditor` reports. Returns 1, 0 at the end of input, -1 on an error.
    private func readCharacter(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        var bytes: [UInt8] = []
        while true {
            var fds = [
                pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                pollfd(fd: EditorSignals.wakePipe.read, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                for signal in EditorSignals.drain() { handle(signal) }
                continue
            }
            guard fds[0].revents != 0 else { continue }
            var byte: UInt8 = 0
            let count = read(STDIN_FILENO, &byte, 1)
            if count == 0 { return 0 }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return -1
            }
            bytes.append(byte)
            switch Self.decode(bytes) {
            case .scalar(let scalar):
                character.pointee = wchar_t(bitPattern: scalar.value)
                return 1
            case .incomplete: continue
            case .invalid: bytes = []
            }
        }
    }

    /// What a signal that arrived while a line is read does (the handler only wrote its number to a pipe).
    private func handle(_ signal: Int32) {
        switch signal {
        case SIGWINCH:
            el_resize(editor)
        case SIGCONT:
            cedit_prepare_terminal(editor, 1)
            cedit_refresh(editor)
        case SIGTSTP:
            // Ctrl-Z: the terminal back to normal, stop; on `fg` (SIGCONT) edit mode again and the line redrawn.
            cedit_prepare_terminal(editor, 0)
            shim_set_default_handler(SIGTSTP)
            kill(getpid(), SIGTSTP)
            EditorSignals.wait(for: SIGCONT)
            var replaced = sigaction()
            _ = shim_install_handler(SIGTSTP, wakeEditor, &replaced)
            cedit_prepare_terminal(editor, 1)
            cedit_refresh(editor)
        default:
            // SIGINT from elsewhere, SIGTERM, SIGHUP, SIGQUIT: the terminal back to normal, then the signal's own
            // action (the default ends the process); if that lets us live, editing goes on.
            cedit_prepare_terminal(editor, 0)
            restoreSignalHandlers()
            kill(getpid(), signal)
            EditorSignals.wait(for: nil)
            installSignalHandlers()
            cedit_prepare_terminal(editor, 1)
            cedit_refresh(editor)
        }
    }

    private func installSignalHandlers() {
        EditorSignals.prepare()
        for signal in EditorSignals.handled {
            var old = sigaction()
            guard shim_install_handler(signal, wakeEditor, &old) == 0 else { continue }
            // A signal the process was started with ignored (nohup, a shell without job control) stays ignored.
            if signal != SIGCONT && signal != SIGWINCH && shim_action_ignores(&old) != 0 {
                _ = shim_set_action(signal, &old)
                continue
            }
            savedActions[signal] = old
        }
    }

    private func restoreSignalHandlers() {
        for (signal, var old) in savedActions { _ = shim_set_action(signal, &old) }
        savedActions = [:]
    }

    enum Decoded: Equatable {
        case scalar(Unicode.Scalar)
        case incomplete
        case invalid
    }

    /// The bytes read so far of one UTF-8 character.
    static func decode(_ bytes: [UInt8]) -> Decoded {
        guard let first = bytes.first else { return .incomplete }
        let length: Int
        switch first {
        case 0x00..<0x80: length = 1
        case 0xC2..<0xE0: length = 2
        case 0xE0..<0xF0: length = 3
        case 0xF0..<0xF5: length = 4
        default: return .invalid
        }
        if bytes.count < length { return bytes.dropFirst().allSatisfy { $0 & 0xC0 == 0x80 } ? .incomplete : .invalid }
        guard let text = String(validating: bytes, as: UTF8.self), let scalar = text.unicodeScalars.first else { return .invalid }
        return .scalar(scalar)
    }

    // MARK: - Wide strings

    private static func owner(of el: OpaquePointer) -> LineEditor? {
        cedit_client_data(el).map { Unmanaged<LineEditor>.fromOpaque($0).takeUnretainedValue() }
    }

    private static func wide(_ s: String) -> [wchar_t] { s.unicodeScalars.map { wchar_t(bitPattern: $0.value) } + [0] }

    private static func withWide<R>(_ s: String, _ body: (UnsafePointer<wchar_t>) -> R) -> R {
        wide(s).withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func wideCopy(_ s: String) -> UnsafeMutablePointer<wchar_t> {
        let w = wide(s)
        let p = UnsafeMutablePointer<wchar_t>.allocate(capacity: w.count)
        p.initialize(from: w, count: w.count)
        return p
    }

    private static func string(_ buffer: UnsafePointer<wchar_t>, count: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for i in 0..<max(count, 0) {
            if let scalar = Unicode.Scalar(UInt32(bitPattern: buffer[i])) { scalars.append(scalar) }
        }
        return String(scalars)
    }
}

/// The signals the editor handles while a line is read. The kernel delivers them to whichever thread does not
/// block them (in a Swift program not the one reading), so the handler only writes the signal's number to a
/// pipe that the reader polls along with standard input.
private enum EditorSignals {
    static let handled: [Int32] = [SIGTSTP, SIGCONT, SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    static let wakePipe: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        guard Glibc.pipe(&fds) == 0 else { return (-1, -1) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }()

    /// Creates the pipe before any handler can run, and forgets signals from an earlier line.
    static func prepare() { _ = drain() }

    /// The signals reported since the last call.
    static func drain() -> [Int32] {
        var signals: [Int32] = []
        var byte: UInt8 = 0
        while read(wakePipe.read, &byte, 1) == 1 { signals.append(Int32(byte)) }
        return signals
    }

    /// Waits up to half a second for `signal` (or only waits, given nil): after kill(2) to ourselves, the
    /// stop or the end happens on another thread, so the reader must not carry on at once.
    static func wait(for signal: Int32?) {
        let deadline = Date().addingTimeInterval(0.5)
        while Date() < deadline {
            var fd = pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            if poll(&fd, 1, remaining) > 0 {
                let arrived = drain()
                if let signal, arrived.contains(signal) { return }
            }
        }
    }
}

/// The handler for `EditorSignals.handled` (a C function pointer: no captures, no allocation).
private func wakeEditor(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(EditorSignals.wakePipe.write, &byte, 1)
}
