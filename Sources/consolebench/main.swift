// Console responsiveness: keystroke to updated screen, measured on the in-memory screen (the model, the
// layout and the drawing; the terminal's own output is not included). Not part of the product: run it
// through bench/console-keys.sh (10,000 connectors in the list) and bench/monitor-keys.sh (the session
// monitor attached to a real listener with many live sessions), which build it in release mode first.
//
//   consolebench --store PATH --keystrokes N [--server NAME] [--monitor-sessions N | --explain REMOTE ENDPOINT]
//
// Without --monitor-sessions: Down and Up alternating through the connector list, with a refresh every
// tenth key (the live console refreshes once a second), which drops the app's caches as a real refresh does.
// With --monitor-sessions N: opens the monitor on the real listener feed, waits for N live sessions, then
// each key drains the feed, is handled, and the whole screen is drawn.
// With --explain 10.3.7.1 25: opens the Explain view (x), types the question and answers it (Enter, timed on its
// own), then keys with the answer open: scrolling it (Down, Up, Page Down, Page Up), and typing in and out of
// the remote field, with the question answered again every tenth key.
import Foundation
import ReceptorConsole
import ReceptorStore

struct Arguments {
    var store: String?
    var server: String?
    var keystrokes = 2000
    var monitorSessions: Int?
    var explain: (remote: String, endpoint: String)?

    static func parse(_ arguments: [String]) -> Arguments {
        var result = Arguments()
        var rest = arguments[...]
        func value(_ name: String) -> String {
            guard let v = rest.popFirst() else { fail("\(name) needs a value") }
            return v
        }
        func number(_ name: String) -> Int {
            let text = value(name)
            guard let n = Int(text), n >= 0 else { fail("\(name): not a count: \(text)") }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--store": result.store = value(argument)
            case "--server": result.server = value(argument)
            case "--keystrokes": result.keystrokes = number(argument)
            case "--monitor-sessions": result.monitorSessions = number(argument)
            case "--explain": result.explain = (value(argument), value(argument))
            default: fail("unknown argument \(argument)")
            }
        }
        guard result.store != nil else { fail("--store PATH is required") }
        guard result.keystrokes > 0 else { fail("--keystrokes must be at least 1") }
        return result
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("consolebench: \(message)\n".utf8))
    exit(1)
}

/// Median, 95th percentile and worst of the samples, in milliseconds.
func summary(_ samples: [Double]) -> String {
    let sorted = samples.sorted()
    let median = sorted[sorted.count / 2], p95 = sorted[Int(Double(sorted.count) * 0.95)], worst = sorted.last ?? 0
    return String(format: "median %.3f ms, p95 %.3f ms, worst %.3f ms", median, p95, worst)
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000
}

func benchmarkList(app: ConsoleApp, keystrokes: Int) {
    let screen = MemoryScreen(columns: 100, rows: 30)
    let clock = ContinuousClock()
    // The first frame also works out the server's unreachable connectors (once per store generation).
    let first = clock.now
    app.render(on: screen)
    print(String(format: "console first frame (unreachable connectors of the server worked out): %.1f ms", milliseconds(clock.now - first)))
    var samples: [Double] = []
    for i in 0..<keystrokes {
        if i % 10 == 0 { app.refresh(from: app.snapshot) }
        let key: KeyEvent = (i / 50) % 2 == 0 ? .down : .up
        let start = clock.now
        _ = app.handle(key)
        app.render(on: screen)
        samples.append(milliseconds(clock.now - start))
    }
    print("console keystroke to updated screen: \(app.visibleConnectors.count) connectors, \(keystrokes) keys: \(summary(samples))")
}

func benchmarkMonitor(app: ConsoleApp, sessions: Int, keystrokes: Int) {
    let screen = MemoryScreen(columns: 100, rows: 30)
    _ = app.handle(.character("m"))
    let deadline = Date().addingTimeInterval(60)
    var live = 0
    while Date() < deadline {
        app.pumpMonitor()
        live = app.monitor.model.rows.values.filter { $0.endedAt == nil }.count
        if live >= sessions { break }
        Thread.sleep(forTimeInterval: 0.05)
    }
    guard live >= sessions else { fail("only \(live) of \(sessions) sessions appeared in the monitor within 60 s") }
    app.render(on: screen)
    var samples: [Double] = []
    let clock = ContinuousClock()
    for i in 0..<keystrokes {
        let key: KeyEvent = (i / 50) % 2 == 0 ? .down : .up
        let start = clock.now
        app.pumpMonitor()
        _ = app.handle(key)
        app.render(on: screen)
        samples.append(milliseconds(clock.now - start))
        if i % 10 == 0 { Thread.sleep(forTimeInterval: 0.01) }  // let ticks and events arrive between keys
    }
    print("monitor keystroke to updated screen: \(live) live sessions, \(keystrokes) keys: \(summary(samples))")
}

func benchmarkExplain(app: ConsoleApp, remote: String, endpoint: String, keystrokes: Int) {
    let screen = MemoryScreen(columns: 100, rows: 30)
    let clock = ContinuousClock()
    app.render(on: screen)
    let question: [KeyEvent] =
        [.character("x")] + remote.map { KeyEvent.character($0) } + [.tab, .control("u")] + endpoint.map { KeyEvent.character($0) } + [.tab]
    for key in question { _ = app.handle(key) }
    app.render(on: screen)
    let first = clock.now
    _ = app.handle(.enter)
    app.render(on: screen)
    let answer = milliseconds(clock.now - first)
    guard screen.dump().contains("Candidates") else { fail("the Explain view shows no answer:\n\(screen.dump())") }
    // Scrolling the answer, then a character typed into the remote field and taken out again; Enter every tenth key.
    let cycle: [KeyEvent] = [.down, .down, .pageDown, .up, .pageUp, .end, .character("9"), .backspace, .home]
    var samples: [Double] = []
    var enters: [Double] = []
    for i in 0..<keystrokes {
        let key = i % 10 == 9 ? .enter : cycle[i % 10]
        let start = clock.now
        _ = app.handle(key)
        app.render(on: screen)
        let ms = milliseconds(clock.now - start)
        samples.append(ms)
        if key == .enter { enters.append(ms) }
    }
    print(String(format: "explain view: first answer (Enter) %.1f ms", answer))
    print("explain view keystroke to updated screen, \(keystrokes) keys (Enter every tenth): \(summary(samples))")
    print("explain view Enter (answered again), \(enters.count) times: \(summary(enters))")
}

let arguments = Arguments.parse(Array(CommandLine.arguments.dropFirst()))
let app: ConsoleApp
do {
    let store = try SQLiteConfigStore.open(path: arguments.store!, create: false)
    app = try ConsoleApp(dataSource: StoreDataSource(store: store), server: arguments.server)
} catch {
    fail("\(error)")
}
app.monitorFeed = ControlSocketFeed()
if let (remote, endpoint) = arguments.explain {
    benchmarkExplain(app: app, remote: remote, endpoint: endpoint, keystrokes: arguments.keystrokes)
} else if let sessions = arguments.monitorSessions {
    benchmarkMonitor(app: app, sessions: sessions, keystrokes: arguments.keystrokes)
} else {
    benchmarkList(app: app, keystrokes: arguments.keystrokes)
}
