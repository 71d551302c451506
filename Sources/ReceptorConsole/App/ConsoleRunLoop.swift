import Foundation
import ReceptorStore

/// The console's main loop (htop's shape): draw, wait for a key or a timeout, let the app handle it, carry
/// out the effects, and keep the picture current with the store. It runs on any `Screen` and
/// `TerminalInput`: the curses terminal in the `receptor console` command, a memory screen and a scripted
/// input in tests.
///
/// What the loop can't do itself (start a listener process, ring the terminal's bell) goes to `perform`;
/// `.quit` ends `run()`, `.refreshNow` re-reads the store at once.
///
/// Without a change feed the loop reads the store's generation at the end of every turn (an SQLite store
/// answers that from its own file in microseconds). With one (a PostgreSQL store's LISTEN/NOTIFY), it reads
/// the generation only when the feed woke it and at the feed's backstop interval, so a key never costs a
/// round trip to the database server.
public final class ConsoleRunLoop {
    public struct Timing: Sendable {
        /// How long a turn waits for a key on the connector pages before it polls the store.
        public var waitMilliseconds: Int
        /// The same in the session monitor, which redraws at least ten times a second (ages, idle times, new
        /// rows); curses sends only the cells that changed, so this does not flicker.
        public var monitorWaitMilliseconds: Int
        /// How often the listeners' status (their heartbeats) is read again when the configuration did not
        /// change; a change of the configuration is seen at the next turn.
        public var listenerRefreshSeconds: TimeInterval

        public init(waitMilliseconds: Int = 200, monitorWaitMilliseconds: Int = 100, listenerRefreshSeconds: TimeInterval = 1) {
            self.waitMilliseconds = waitMilliseconds
            self.monitorWaitMilliseconds = monitorWaitMilliseconds
            self.listenerRefreshSeconds = listenerRefreshSeconds
        }
    }

    public let app: ConsoleApp
    private let screen: Screen
    private let input: TerminalInput
    public let timing: Timing
    private let now: () -> Date
    private let perform: (ConsoleEffect) -> Void
    private var lastGeneration: Int64
    private var lastRefresh: Date
    /// The store's change feed, while it runs; `woken` is set from its thread.
    private let changeFeed: StoreChangeFeed?
    private let woken = WakeFlag()
    private var lastGenerationRead: Date
    /// True once an effect asked to quit.
    public private(set) var finished = false

    /// `changeFeed`, when given, is started here and stopped when the loop quits or goes away.
    public init(
        app: ConsoleApp, screen: Screen, input: TerminalInput, timing: Timing = Timing(), changeFeed: StoreChangeFeed? = nil,
        now: @escaping () -> Date = Date.init, perform: @escaping (ConsoleEffect) -> Void
    ) {
        self.app = app
        self.screen = screen
        self.input = input
        self.timing = timing
        self.now = now
        self.perform = perform
        lastGeneration = app.snapshot.generation
        lastRefresh = now()
        lastGenerationRead = lastRefresh
        let woken = self.woken
        self.changeFeed = changeFeed.flatMap { feed in feed.start(wake: { woken.set() }) ? feed : nil }
    }

    deinit { changeFeed?.stop() }

    /// Turns until an effect asks to quit.
    public func run() {
        while step() {}
    }

    /// How often the generation is read anyway while a change feed runs (a wake-up is only a hint).
    var backstopSeconds: TimeInterval {
        guard let interval = changeFeed?.pollInterval else { return timing.listenerRefreshSeconds }
        return Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
    }

    /// One turn: take what the monitor's feed has, draw, wait for one event (or the timeout), handle it and
    /// its effects, then look for changes made elsewhere. Returns false once the console should quit.
    @discardableResult
    public func step() -> Bool {
        guard !finished else { return false }
        app.pumpMonitor()
        app.render(on: screen)
        let wait = app.isMonitorOpen ? timing.monitorWaitMilliseconds : timing.waitMilliseconds
        if let event = input.nextEvent(timeoutMilliseconds: wait) {
            for effect in app.handle(event) {
                switch effect {
                case .quit:
                    finished = true
                    changeFeed?.stop()
                    return false
                case .refreshNow:
                    refresh()
                case .startListener, .bell:
                    perform(effect)
                }
            }
        }
        poll()
        return true
    }

    /// Changes from the shell or another console show within a turn; the listeners' status is read again
    /// every `listenerRefreshSeconds` as well.
    private func poll() {
        let source = app.dataSource
        var generation = lastGeneration
        if changeFeed == nil || woken.take() || now().timeIntervalSince(lastGenerationRead) >= backstopSeconds {
            generation = (try? source.generation()) ?? lastGeneration
            lastGenerationRead = now()
        }
        if generation != lastGeneration {
            refresh()
        } else if now().timeIntervalSince(lastRefresh) >= timing.listenerRefreshSeconds {
            var snapshot = app.snapshot
            if let reading = try? source.listenerReading(for: snapshot), reading != snapshot.listenerReading {
                snapshot.listenerReading = reading
                app.refresh(from: snapshot)
            }
            lastRefresh = now()
        }
    }

    private func refresh() {
        if let snapshot = try? app.dataSource.snapshot() {
            app.refresh(from: snapshot)
            lastGeneration = snapshot.generation
        }
        lastRefresh = now()
    }
}

/// Set by a change feed's thread, taken by the loop.
final class WakeFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    /// Whether it was set since the last take.
    func take() -> Bool {
        lock.withLock {
            defer { value = false }
            return value
        }
    }
}
