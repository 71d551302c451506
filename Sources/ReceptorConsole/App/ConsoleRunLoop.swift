import Foundation

/// The console's main loop (htop's shape): draw, wait for a key or a timeout, let the app handle it, carry
/// out the effects, and keep the picture current with the store. It runs on any `Screen` and
/// `TerminalInput`: the curses terminal in the `receptor console` command, a memory screen and a scripted
/// input in tests.
///
/// What the loop can't do itself (start a listener process, ring the terminal's bell) goes to `perform`;
/// `.quit` ends `run()`, `.refreshNow` re-reads the store at once.
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
    /// True once an effect asked to quit.
    public private(set) var finished = false

    public init(
        app: ConsoleApp, screen: Screen, input: TerminalInput, timing: Timing = Timing(),
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
    }

    /// Turns until an effect asks to quit.
    public func run() {
        while step() {}
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
        let generation = (try? source.generation()) ?? lastGeneration
        if generation != lastGeneration {
            refresh()
        } else if now().timeIntervalSince(lastRefresh) >= timing.listenerRefreshSeconds {
            var snapshot = app.snapshot
            if let listeners = try? source.listenerStatuses(for: snapshot), listeners != snapshot.listeners {
                snapshot.listeners = listeners
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
