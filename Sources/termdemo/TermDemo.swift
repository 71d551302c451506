#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import ReceptorConsole
import ReceptorTerminal

/// termdemo: draws a framed page with the terminal's capabilities and a sample of every style, echoes each
/// key event on the bottom line, redraws on resize, quits on q.
///
///     termdemo [--pid-file PATH] [--event-log PATH] [--raw] [--crash-key]
///
/// --pid-file writes the process id (so a test can signal it); --event-log appends one line per event;
/// --raw uses raw input (Ctrl-C and Ctrl-Z arrive as keys; Ctrl-Z then suspends through `suspend()`);
/// --crash-key makes `!` call fatalError (to test that a crash restores the terminal).
@main
struct TermDemo {
    static func main() {
        var pidFile: String?
        var eventLog: String?
        var crashKey = false
        var options = CursesTerminal.Options()
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--pid-file": pidFile = arguments.popFirst()
            case "--event-log": eventLog = arguments.popFirst()
            case "--raw": options.inputMode = .raw
            case "--crash-key": crashKey = true
            default:
                printError("termdemo: unknown argument \(argument)")
                exit(2)
            }
        }
        if let pidFile { write("\(getpid())\n", to: pidFile, append: false) }

        let terminal = CursesTerminal(options: options)
        do {
            try terminal.start()
        } catch {
            printError("termdemo: \(error)")
            exit(1)
        }
        var demo = Demo(terminal: terminal)
        demo.draw()
        while true {
            guard let event = terminal.nextEvent(timeoutMilliseconds: 1000) else { continue }
            if event == .character("q") { break }
            if crashKey && event == .character("!") { fatalError("termdemo: crash requested with !") }
            if options.inputMode == .raw && event == .control("z") { terminal.suspend() }
            demo.record(event)
            if let eventLog { write("\(event)\n", to: eventLog, append: true) }
            demo.draw()
        }
        terminal.stop()
    }

    static func printError(_ message: String) {
        let line = message + "\n"
        _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }

    static func write(_ text: String, to path: String, append: Bool) {
        guard let file = fopen(path, append ? "a" : "w") else { return }
        fputs(text, file)
        fclose(file)
    }
}

struct Demo {
    let terminal: CursesTerminal
    var lastEvent = "none"
    var eventCount = 0

    mutating func record(_ event: KeyEvent) {
        lastEvent = event.description
        eventCount += 1
    }

    func draw() {
        let screen = terminal
        let size = screen.size
        screen.clear()
        screen.drawBox(
            row: 0, column: 0, height: size.rows - 1, width: size.columns,
            title: "Receptor termdemo", titleStyle: CellStyle(.title))
        var row = 1
        func line(_ text: String, style: CellStyle = .normal) {
            guard row < size.rows - 2 else { return }
            screen.put(text, row: row, column: 2, style: style)
            row += 1
        }
        line("size \(size.columns)x\(size.rows)  unicode \(screen.unicode ? "yes" : "no")  color \(screen.color ? "yes" : "no")")
        line("events \(eventCount)")
        // One word per role, each in its style.
        var column = 2
        let roles: [(String, CellStyle.Role)] = [
            ("title", .title), ("selection", .selection), ("header", .header), ("hint", .hint), ("key", .hintKey),
            ("error", .error), ("warning", .warning), ("success", .success), ("dim", .dim), ("field", .field),
            ("focus", .focusedField), ("button", .button), ("BUTTON", .focusedButton), ("border", .border),
        ]
        if row < size.rows - 2 {
            for (word, role) in roles where column + word.count < size.columns - 1 {
                screen.put(word, row: row, column: column, style: CellStyle(role))
                column += word.count + 1
            }
            row += 1
        }
        line("wide: 日本語 한국어 🙂 café")
        if row + 3 < size.rows - 1 {
            screen.drawBox(row: row, column: 2, height: 3, width: 24, weight: .double, style: CellStyle(.border, bold: true))
            screen.put("focused frame", row: row + 1, column: 4, style: .normal)
            row += 3
        }
        screen.put("key: \(lastEvent)  (q quits)", row: size.rows - 1, column: 0, style: CellStyle(.hint))
        screen.hideCursor()
        screen.present()
    }
}
