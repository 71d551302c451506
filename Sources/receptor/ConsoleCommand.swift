import ArgumentParser
import Foundation
import ReceptorConsole
import ReceptorCore
import ReceptorShell
import ReceptorStore
import ReceptorTerminal

struct Console: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The console: receive connectors per server, the New receive connector wizard, the edit dialog.",
        discussion: """
        Keys: arrows, Enter (edit), a/Insert/+ (new), d/Delete (delete), Space (enable/disable), / (filter), \
        s (server), l (start the listener), m (monitor), r/F5 (refresh), F1/? (help), q (quit). Changes made \
        elsewhere appear within a second. Honours NO_COLOR; draws with ASCII under a non-UTF-8 locale.
        """)

    @OptionGroup var options: StoreOptions

    @Option(help: .hidden)
    var benchmarkKeystrokes: Int?

    /// bench/monitor-keys.sh: open the monitor on the real listener feed, wait for this many live sessions,
    /// then time keystrokes (with --benchmark-keystrokes).
    @Option(help: .hidden)
    var benchmarkMonitorSessions: Int?

    func run() throws {
        let path = options.storePath
        if !FileManager.default.fileExists(atPath: path) {
            try offerToCreateStore(path)
        }
        let store: SQLiteConfigStore
        do { store = try options.openStore() } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
        let source = StoreDataSource(store: store)
        let app: ConsoleApp
        do { app = try ConsoleApp(dataSource: source, server: options.serverName) } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
        app.monitorFeed = ControlSocketFeed()
        // The shell's own list of this host's addresses, so the console warns about a binding as the shell does.
        app.localAddresses = { LocalInterfaces.addresses() }
        if let count = benchmarkKeystrokes {
            if let sessions = benchmarkMonitorSessions {
                try benchmarkMonitor(app: app, sessions: sessions, keystrokes: count)
            } else {
                try benchmark(app: app, source: source, keystrokes: count)
            }
            return
        }
        let terminal = CursesTerminal()
        do { try terminal.start() } catch {
            Terminal.error("The console needs a terminal: \(error)")
            throw ExitCode(1)
        }
        defer { terminal.stop() }
        var lastGeneration = app.snapshot.generation
        var lastRefresh = Date()
        loop: while true {
            app.pumpMonitor()
            app.render(on: terminal)
            terminal.present()
            // The monitor redraws at least four times a second (ages, idle times, new rows); curses sends
            // only the cells that changed, so this does not flicker.
            let event = terminal.nextEvent(timeoutMilliseconds: app.isMonitorOpen ? 100 : 200)
            var effects: [ConsoleEffect] = []
            if let event { effects = app.handle(event) }
            for effect in effects {
                switch effect {
                case .quit: break loop
                case .refreshNow: refresh(app, source, &lastGeneration, &lastRefresh)
                case .startListener(let server): startListener(storePath: path, server: server)
                case .bell: terminal.bell()
                }
            }
            // Changes from the shell or another console show within a second; listener status (heartbeats)
            // is re-read every second as well.
            let generation = (try? source.generation()) ?? lastGeneration
            if generation != lastGeneration {
                refresh(app, source, &lastGeneration, &lastRefresh)
            } else if Date().timeIntervalSince(lastRefresh) >= 1 {
                var snapshot = app.snapshot
                if let listeners = try? source.listenerStatuses(for: snapshot), listeners != snapshot.listeners {
                    snapshot.listeners = listeners
                    app.refresh(from: snapshot)
                }
                lastRefresh = Date()
            }
        }
    }

    /// bench/console-keys.sh: keystroke to updated screen, measured on the in-memory screen (the model,
    /// the layout and the drawing; the terminal's own output is not included), Down and Up alternating
    /// through the list, with a refresh every tenth key (the live console refreshes once a second), which
    /// drops the app's caches as a real refresh does.
    private func benchmark(app: ConsoleApp, source: StoreDataSource, keystrokes: Int) throws {
        let screen = MemoryScreen(columns: 100, rows: 30)
        app.render(on: screen)
        var samples: [Double] = []
        let clock = ContinuousClock()
        for i in 0..<keystrokes {
            if i % 10 == 0 { app.refresh(from: app.snapshot) }
            let key: KeyEvent = (i / 50) % 2 == 0 ? .down : .up
            let start = clock.now
            _ = app.handle(key)
            app.render(on: screen)
            let elapsed = clock.now - start
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        samples.sort()
        let median = samples[samples.count / 2], p95 = samples[Int(Double(samples.count) * 0.95)], worst = samples.last ?? 0
        let connectors = app.visibleConnectors.count
        print(String(format: "console keystroke to updated screen: %d connectors, %d keys: median %.3f ms, p95 %.3f ms, worst %.3f ms",
                     connectors, keystrokes, median, p95, worst))
    }

    /// Keystroke to updated screen in the monitor with many live sessions: each key drains the feed, is
    /// handled, and the whole screen is drawn on the in-memory screen.
    private func benchmarkMonitor(app: ConsoleApp, sessions: Int, keystrokes: Int) throws {
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
        guard live >= sessions else {
            Terminal.error("only \(live) of \(sessions) sessions appeared in the monitor within 60 s")
            throw ExitCode(1)
        }
        app.render(on: screen)
        var samples: [Double] = []
        let clock = ContinuousClock()
        for i in 0..<keystrokes {
            let key: KeyEvent = (i / 50) % 2 == 0 ? .down : .up
            let start = clock.now
            app.pumpMonitor()
            _ = app.handle(key)
            app.render(on: screen)
            let elapsed = clock.now - start
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            if i % 10 == 0 { Thread.sleep(forTimeInterval: 0.01) }  // let ticks and events arrive between keys
        }
        samples.sort()
        let median = samples[samples.count / 2], p95 = samples[Int(Double(samples.count) * 0.95)], worst = samples.last ?? 0
        print(String(format: "monitor keystroke to updated screen: %d live sessions, %d keys: median %.3f ms, p95 %.3f ms, worst %.3f ms",
                     live, keystrokes, median, p95, worst))
    }

    private func refresh(_ app: ConsoleApp, _ source: StoreDataSource, _ generation: inout Int64, _ at: inout Date) {
        if let snapshot = try? source.snapshot() {
            app.refresh(from: snapshot)
            generation = snapshot.generation
        }
        at = Date()
    }

    /// `l` in the console: the bundled listener in the background, in a session of its own (so it outlives
    /// the console), logging to `listener.log` in the data directory.
    private func startListener(storePath: String, server: String) {
        let dataDirectory = (storePath as NSString).deletingLastPathComponent
        let log = "\(dataDirectory)/listener.log"
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = [me, "listen", "--store", storePath, "--server", server]
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        if let handle = FileHandle(forWritingAtPath: log) {
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
        }
        process.standardInput = FileHandle.nullDevice
        try? process.run()
    }

    /// No store yet: offer to create one as `receptor init` would (server named after the host, Mailbox,
    /// the default connectors; --port-offset 10000 for a user who can't bind ports below 1024).
    private func offerToCreateStore(_ path: String) throws {
        let offset = getuid() == 0 ? 0 : 10000
        let server = options.serverName ?? Terminal.hostName
        let command = "receptor init --store \(path) --server \(server)\(offset > 0 ? " --port-offset \(offset)" : "")"
        guard Terminal.isInteractive(STDIN_FILENO) else {
            Terminal.error("No Receptor store at \(path). Create one with: \(command)")
            throw ExitCode(1)
        }
        print("No Receptor store at \(path).\nCreate one now? This runs:\n  \(command)\n[Y] Yes  [N] No (default is \"Y\"): ", terminator: "")
        fflush(nil)
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "n"
        guard answer.isEmpty || answer == "y" || answer == "yes" else { throw ExitCode(1) }
        let initCommand = try Init.parse(["--store", path, "--server", server, "--port-offset", String(offset)])
        try initCommand.run()
    }
}
