// Console responsiveness: keystroke to updated screen, measured on the in-memory screen (the model, the
// layout and the drawing; the terminal's own output is not included). Not part of the product: run it
// through bench/console-keys.sh (10,000 connectors in the list) and bench/monitor-keys.sh (the session
// monitor attached to a real listener with many live sessions), which build it in release mode first.
//
//   consolebench --store PATH|URI --keystrokes N [--server NAME] [--monitor-sessions N | --explain REMOTE ENDPOINT | --impact]
//
// The store is an SQLite file or a postgresql:// URI (the console then follows the LISTEN/NOTIFY feed, as
// `receptor console` does).
//
// Without --monitor-sessions: Down and Up alternating through the connector list, with a refresh every
// tenth key (the live console refreshes once a second), which drops the app's caches as a real refresh does;
// then the same keys through the console's run loop (ConsoleRunLoop: draw, the key, the look for changes
// made elsewhere), counting what the loop read from the store meanwhile.
// With --monitor-sessions N: opens the monitor on the real listener feed, waits for N live sessions, then
// each key drains the feed, is handled, and the whole screen is drawn.
// With --explain 10.3.7.1 25: opens the Explain view (x), types the question and answers it (Enter, timed on its
// own), then keys with the answer open: scrolling it (Down, Up, Page Down, Page Up), and typing in and out of
// the remote field, with the question answered again every tenth key.
// With --impact: the delete and the disable confirmations of the selected connector (d, Space), each with its
// impact preview worked out over the server's connectors and drawn, then Escape; the keys are timed.
import Foundation
import ReceptorConsole
import ReceptorCore
import ReceptorStore
import ReceptorStorePostgres

struct Arguments {
    var store: String?
    var server: String?
    var keystrokes = 2000
    var monitorSessions: Int?
    var explain: (remote: String, endpoint: String)?
    var impact = false

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
            case "--impact": result.impact = true
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

/// The console's data source, counting the reads the run loop makes (a key must cost none).
final class CountingDataSource: ConsoleDataSource {
    let inner: ConsoleDataSource
    var generations = 0, snapshots = 0, listenerReadings = 0
    init(_ inner: ConsoleDataSource) { self.inner = inner }
    var storePath: String { inner.storePath }
    func snapshot() throws -> ConsoleSnapshot { snapshots += 1; return try inner.snapshot() }
    func generation() throws -> Int64 { generations += 1; return try inner.generation() }
    func insert(_ connector: ReceiveConnector) throws -> ConsoleConnector { try inner.insert(connector) }
    func update(_ connector: ReceiveConnector, expectedRevision: Int) throws -> ConsoleConnector {
        try inner.update(connector, expectedRevision: expectedRevision)
    }
    func remove(guid: UUID, expectedRevision: Int) throws { try inner.remove(guid: guid, expectedRevision: expectedRevision) }
    func listenerReading(for snapshot: ConsoleSnapshot) throws -> ListenerReading {
        listenerReadings += 1
        return try inner.listenerReading(for: snapshot)
    }
    func permissions(connector guid: UUID) throws -> [PermissionEntry] { try inner.permissions(connector: guid) }
}

/// Keys handed out at once, one per turn, then q.
final class KeyScript: TerminalInput {
    var remaining: Int
    init(_ count: Int) { remaining = count }
    func nextEvent(timeoutMilliseconds: Int) -> KeyEvent? {
        remaining -= 1
        if remaining < 0 { return .character("q") }
        return (remaining / 50) % 2 == 0 ? .down : .up
    }
}

/// The same keys through the run loop: each turn draws, takes the key and looks for changes made elsewhere
/// (with a change feed: only when it woke or at its one-second backstop).
func benchmarkLoop(source: CountingDataSource, server: String?, feed: StoreChangeFeed?, keystrokes: Int) throws {
    let app = try ConsoleApp(dataSource: source, server: server)
    let screen = MemoryScreen(columns: 100, rows: 30)
    let input = KeyScript(keystrokes)
    app.render(on: screen)  // the first frame (the server's unreachable connectors), timed above
    let loop = ConsoleRunLoop(app: app, screen: screen, input: input, changeFeed: feed) { _ in }
    source.generations = 0; source.snapshots = 0; source.listenerReadings = 0
    let clock = ContinuousClock()
    var samples: [Double] = []
    let begin = clock.now
    for _ in 0..<keystrokes {
        let start = clock.now
        loop.step()
        samples.append(milliseconds(clock.now - start))
    }
    let seconds = milliseconds(clock.now - begin) / 1000
    print("console run loop, one turn per key (draw, key, look for changes): \(keystrokes) keys: \(summary(samples))")
    print(
        String(
            format: "store reads during those %d keys (%.1f s): %d generation, %d snapshot, %d listener status (%@)", keystrokes, seconds,
            source.generations, source.snapshots, source.listenerReadings,
            feed == nil ? "no change feed: the generation every turn" : "LISTEN/NOTIFY feed: the generation when woken or once a second"))
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

func benchmarkImpact(app: ConsoleApp, keystrokes: Int) {
    let screen = MemoryScreen(columns: 100, rows: 30)
    let clock = ContinuousClock()
    app.render(on: screen)
    var samples: [String: [Double]] = ["d": [], "Space": []]
    for i in 0..<keystrokes {
        let (name, key): (String, KeyEvent) = i % 2 == 0 ? ("d", .character("d")) : ("Space", .character(" "))
        let start = clock.now
        _ = app.handle(key)
        app.render(on: screen)
        samples[name]!.append(milliseconds(clock.now - start))
        if i == 0 {
            let shown = screen.dump()
            guard shown.contains("changes hands") || shown.contains("No traffic changes connector") else {
                fail("the delete confirmation shows no impact preview:\n\(shown)")
            }
        }
        _ = app.handle(.escape)
        app.render(on: screen)
    }
    let name = app.selected?.connector.identity.description ?? "?"
    print("impact preview of deleting \(name) (d, confirmation drawn), \(samples["d"]!.count) times: \(summary(samples["d"]!))")
    print("impact preview of disabling it (Space, confirmation drawn), \(samples["Space"]!.count) times: \(summary(samples["Space"]!))")
}

let arguments = Arguments.parse(Array(CommandLine.arguments.dropFirst()))
let app: ConsoleApp
let store: any ConfigStore
do {
    let path = arguments.store!
    store =
        StoreLocation.isDatabaseURI(path)
        ? try PostgresConfigStore.open(uri: path, create: false) : try SQLiteConfigStore.open(path: path, create: false)
    app = try ConsoleApp(dataSource: StoreDataSource(store: store), server: arguments.server)
} catch {
    fail("\(error)")
}
print("store: \(store.path)")
app.monitorFeed = ControlSocketFeed()
if arguments.impact {
    benchmarkImpact(app: app, keystrokes: arguments.keystrokes)
} else if let (remote, endpoint) = arguments.explain {
    benchmarkExplain(app: app, remote: remote, endpoint: endpoint, keystrokes: arguments.keystrokes)
} else if let sessions = arguments.monitorSessions {
    benchmarkMonitor(app: app, sessions: sessions, keystrokes: arguments.keystrokes)
} else {
    benchmarkList(app: app, keystrokes: arguments.keystrokes)
    do {
        try benchmarkLoop(
            source: CountingDataSource(StoreDataSource(store: store)), server: arguments.server,
            feed: (store as? PostgresConfigStore)?.changeFeed(), keystrokes: arguments.keystrokes)
    } catch {
        fail("\(error)")
    }
}
