import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import ReceptorStore

/// The PostgreSQL store's change feed: a dedicated connection that `LISTEN`s on `channel`, where every
/// committing write sends `NOTIFY` with its generation (inside its transaction, so PostgreSQL delivers it only
/// on commit; refused writes never reach it). The listener is woken for each notification and after every
/// (re)connection — notifications sent while it was disconnected are lost, so it reads the generation again.
///
/// A heartbeat (`SELECT 1` every `heartbeatInterval` on the same connection, answered within `heartbeatTimeout`
/// or the connection is closed) notices a hung server or a half-open connection, which LISTEN alone never
/// would. Any failure marks the store unreachable (`unreachableSince`) and reconnects with a backoff from
/// 100 ms doubling up to 5 s; the server refuses fast, so the first retries are cheap.
public final class PostgresChangeFeed: StoreChangeFeed, @unchecked Sendable {
    /// The channel the writes notify and the feed listens on (lowercase: `pg_notify` takes it literally).
    public static let channel = "receptor_config"

    public var heartbeatInterval: Duration = .seconds(2)
    public var heartbeatTimeout: Duration = .seconds(2)
    /// The backstop poll: the listener also reads the generation this often (a read that failed is retried).
    public var pollInterval: Duration? { .seconds(1) }

    private let store: PostgresConfigStore
    private let logger: Logger
    private struct State {
        var task: Task<Void, Never>?
        var connection: PostgresConnection?
        var unreachableSince: Date?
        var stopped = false
        var connections = 0
    }
    private let state = NIOLockedValueBox(State())

    /// `logger` hears about lost connections and reconnections.
    init(store: PostgresConfigStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public var unreachableSince: Date? { state.withLockedValue { $0.unreachableSince } }
    /// How many times the feed has connected and started listening.
    public var connections: Int { state.withLockedValue { $0.connections } }

    public func start(wake: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { s in
            guard !s.stopped, s.task == nil else { return false }
            s.task = Task { [self] in await follow(wake: wake) }
            return true
        }
    }

    public func stop() {
        let (task, connection) = state.withLockedValue { s in
            s.stopped = true
            return (s.task, s.connection)
        }
        task?.cancel()
        if let connection { let _: EventLoopFuture<Void> = connection.close() }
    }

    /// Waits until the feed's task has ended (after `stop()`), its connection closed.
    public func finished() async { await state.withLockedValue { $0.task }?.value }

    private var isStopped: Bool { state.withLockedValue { $0.stopped } }

    private func follow(wake: @escaping @Sendable () -> Void) async {
        var backoff = Duration.milliseconds(100)
        while !isStopped && !Task.isCancelled {
            do {
                // The URI's servers in turn, as the store's own connection finds them (a failover is followed).
                let connection = try await store.connectToTarget(id: 2)
                let proceed = state.withLockedValue { s -> Bool in
                    guard !s.stopped else { return false }
                    s.connection = connection
                    return true
                }
                var failure: (any Error)?
                if proceed {
                    backoff = .milliseconds(100)
                    // LISTEN must be in place within the set-up deadline, or the connection is closed (and the
                    // feed reconnects): a LISTEN that never completes would otherwise leave the feed deaf for good,
                    // as the heartbeat only starts once it is listening.
                    let setup = connection.eventLoop.scheduleTask(in: PostgresConfigStore.setupTimeout) {
                        let _: EventLoopFuture<Void> = connection.close()
                    }
                    do {
                        try await listen(on: connection, listening: { setup.cancel() }, wake: wake)
                    } catch {
                        failure = error
                    }
                }
                state.withLockedValue { $0.connection = nil }
                try? await connection.close()
                if let failure { throw failure }
            } catch {
                if isStopped || Task.isCancelled { break }
                let first = state.withLockedValue { s -> Bool in
                    defer { if s.unreachableSince == nil { s.unreachableSince = Date() } }
                    return s.unreachableSince == nil
                }
                if first {
                    logger.warning("lost the store's change feed (\(store.mapped(error))); retrying")
                    wake()
                }
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// Listens until the connection fails or the feed stops: wakes the listener once listening (the resync),
    /// then for each notification, while the heartbeat checks the server answers.
    private func listen(
        on connection: PostgresConnection, listening: @Sendable () -> Void, wake: @escaping @Sendable () -> Void
    ) async throws {
        try await connection.listen(on: Self.channel) { notifications in
            listening()
            let wasUnreachable = state.withLockedValue { s -> Date? in
                defer { s.unreachableSince = nil; s.connections += 1 }
                return s.unreachableSince
            }
            if let since = wasUnreachable { logger.notice("the store's change feed is back (unreachable since \(since.formatted(.iso8601)))") }
            wake()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in notifications { wake() }
                    throw FeedEnded()
                }
                group.addTask { [self] in try await heartbeat(connection) }
                defer { group.cancelAll() }
                _ = try await group.next()
            }
        }
    }

    private struct FeedEnded: Error {}

    /// Every `heartbeatInterval`, `SELECT 1`; no answer within `heartbeatTimeout` closes the connection, which
    /// ends the LISTEN with an error (a hung server is otherwise never noticed).
    private func heartbeat(_ connection: PostgresConnection) async throws {
        let timeout = TimeAmount.nanoseconds(
            Int64(heartbeatTimeout.components.seconds) * 1_000_000_000 + heartbeatTimeout.components.attoseconds / 1_000_000_000)
        while true {
            try await Task.sleep(for: heartbeatInterval)
            let watchdog = connection.eventLoop.scheduleTask(in: timeout) {
                let _: EventLoopFuture<Void> = connection.close()
            }
            defer { watchdog.cancel() }
            _ = try await connection.query("SELECT 1", logger: store.logger).collect()
        }
    }
}

extension PostgresConfigStore {
    /// The change feed of this store, for a listener (`ListenerRuntime`).
    public func changeFeed(logger: Logger = Logger(label: "receptor.store.feed")) -> PostgresChangeFeed {
        PostgresChangeFeed(store: self, logger: logger)
    }
}
