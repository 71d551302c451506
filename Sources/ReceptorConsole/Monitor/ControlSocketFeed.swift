import Foundation
import ReceptorControl
import ReceptorControlLink

/// The real monitor feed: one background thread per listener reads its control protocol through
/// `ControlClient` (the Unix socket here, the TCP endpoint on another host; subscribe: a snapshot, then events
/// and a tick each second), decodes the lines off the interface thread, and queues them. `drain()` only swaps the queue, so the console never waits on a socket. A listener that stops or
/// restarts is reconnected every half second for as long as it is followed.
public final class ControlSocketFeed: MonitorFeed, @unchecked Sendable {
    private final class Follower: @unchecked Sendable {
        let endpoint: MonitorEndpoint
        private let lock = NSLock()
        private var _stopped = false
        var stopped: Bool { lock.withLock { _stopped } }
        func stop() { lock.withLock { _stopped = true } }
        init(_ endpoint: MonitorEndpoint) { self.endpoint = endpoint }
    }

    private let lock = NSLock()
    private var queue: [MonitorUpdate] = []
    private var followers: [MonitorEndpoint: Follower] = [:]
    /// Transcript lines dropped because the interface fell this far behind (never other updates).
    private var droppedTranscriptLines = 0
    static let queueLimit = 100_000
    static let retryInterval: TimeInterval = 0.5

    public init() {}

    deinit { for f in followers.values { f.stop() } }

    public func follow(_ endpoints: [MonitorEndpoint]) {
        let wanted = Set(endpoints)
        lock.lock()
        var started: [Follower] = []
        for (endpoint, follower) in followers where !wanted.contains(endpoint) {
            follower.stop()
            followers[endpoint] = nil
        }
        for endpoint in wanted where followers[endpoint] == nil {
            let f = Follower(endpoint)
            followers[endpoint] = f
            started.append(f)
        }
        lock.unlock()
        // The threads hold the feed weakly: when it goes, `deinit` stops them.
        let sink: @Sendable (MonitorUpdate) -> Void = { [weak self] update in self?.push(update) }
        for f in started {
            let thread = Thread { Self.run(f, push: sink) }
            thread.name = "monitor \(f.endpoint.server)"
            thread.start()
        }
    }

    public func drain() -> [MonitorUpdate] {
        lock.withLock {
            let out = queue
            queue.removeAll(keepingCapacity: true)
            return out
        }
    }

    private func push(_ update: MonitorUpdate) {
        lock.withLock {
            if queue.count >= Self.queueLimit, case .line(_, .event(let e)) = update, e.type == "transcript" {
                droppedTranscriptLines += 1
                return
            }
            queue.append(update)
        }
    }

    // MARK: The reading thread

    private static func run(_ follower: Follower, push: @Sendable (MonitorUpdate) -> Void) {
        let server = follower.endpoint.server
        var lastFailure: String?
        while !follower.stopped {
            let connection: ControlConnection
            do {
                connection = try ControlClient.connect(follower.endpoint.target)
            } catch {
                let reason = "\(error)"
                if lastFailure != reason { push(.detached(server: server, reason: reason)); lastFailure = reason }
                Thread.sleep(forTimeInterval: Self.retryInterval)
                continue
            }
            lastFailure = nil
            connection.send(#"{"command":"subscribe"}"#)
            push(.attached(server: server))
            let reason = connection.readLines(stop: { follower.stopped }) { line in
                if let decoded = ControlLine.decode(line) { push(.line(server: server, decoded)) }
            }
            connection.close()
            if !follower.stopped {
                push(.detached(server: server, reason: reason))
                lastFailure = reason
                Thread.sleep(forTimeInterval: Self.retryInterval)
            }
        }
    }
}
