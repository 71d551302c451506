import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import ReceptorCore
import ReceptorStore

/// The config store in a PostgreSQL database, with the semantics of `SQLiteConfigStore`: every write is one
/// SERIALIZABLE transaction that reads what it needs, checks it with the domain's rules, writes, bumps the
/// generation by one and appends to the change log (a refused write rolls back and changes nothing);
/// serialization failures are retried from the start, so the rules are checked again against what the
/// other writer committed. Listener registrations and heartbeats never touch the generation.
///
/// **The sync → async bridge.** `ConfigStore` is synchronous. Each store owns one `PostgresConnection` on
/// NIO's shared event loop group and uses postgres-nio's `EventLoopFuture` API: a call issues its statements
/// and blocks *its own* thread in `EventLoopFuture.wait()` until the event loop completes them. Nothing runs
/// on Swift's cooperative pool, so a caller on a cooperative thread (the listener's tasks) can't starve the
/// work it waits for, and no event loop thread ever blocks: a call made on an event loop thread is refused
/// (`StoreError.database`) rather than deadlocking it. Every statement's rows are collected by the future API
/// (`query(_:logger:)` drains the stream), so a server error is never dropped (notes §8 pitfall 3), and COMMIT's
/// command tag is checked. One call at a time per store instance (a lock); open more instances for parallelism.
public final class PostgresConfigStore: TransactionalConfigStore, @unchecked Sendable {
    /// The URI without its password.
    public let path: String
    let location: PostgresLocation
    let lock = NIOLock()
    var connection: PostgresConnection?
    let logger = Logger(label: "receptor.store.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    static let eventLoopGroup = MultiThreadedEventLoopGroup.singleton

    init(location: PostgresLocation) {
        self.location = location
        self.path = location.display
    }

    deinit {
        if let connection, !connection.isClosed {
            if MultiThreadedEventLoopGroup.currentEventLoop == nil {
                try? connection.close().wait()
            } else {
                let _: EventLoopFuture<Void> = connection.close()
            }
        }
    }

    /// Opens (with `create`, initializes) the store named by a `postgresql://` URI. The database itself must
    /// exist; with `create` an empty one gets the schema. A database that holds other tables, or a schema newer
    /// than this binary knows, is refused.
    public static func open(uri: String, create: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> PostgresConfigStore
    {
        let store = PostgresConfigStore(location: try PostgresLocation.parse(uri, environment: environment))
        try store.migrate(create: create)
        return store
    }

    /// Closes the connection now (it is also closed when the store goes away).
    public func close() {
        lock.withLock {
            if let connection, !connection.isClosed { try? connection.close().wait() }
            connection = nil
        }
    }

    // MARK: Connection

    func configuration(for endpoint: PostgresLocation.Endpoint) throws -> PostgresConnection.Configuration {
        var config: PostgresConnection.Configuration
        let password = location.password(for: endpoint)
        if let host = endpoint.host {
            let tls: PostgresConnection.Configuration.TLS
            switch location.sslMode {
            case "disable", "allow":
                tls = .disable
            default:
                var tlsConfig = TLSConfiguration.makeClientConfiguration()
                if location.sslMode == "prefer" || location.sslMode == "require" {
                    tlsConfig.certificateVerification = .none
                } else if location.sslMode == "verify-ca" {
                    tlsConfig.certificateVerification = .noHostnameVerification
                }
                if let root = location.sslRootCert {
                    tlsConfig.trustRoots = .file(root)
                }
                do {
                    let context = try NIOSSLContext(configuration: tlsConfig)
                    tls = location.sslMode == "prefer" ? .prefer(context) : .require(context)
                } catch {
                    throw StoreError.database("Can't set up TLS for the store at \(path): \(error).")
                }
            }
            config = .init(
                host: host, port: endpoint.port, username: location.user, password: password,
                database: location.database, tls: tls)
        } else {
            let folder = endpoint.socketFolder ?? "/run/postgresql"
            config = .init(
                unixSocketPath: "\(folder)/.s.PGSQL.\(endpoint.port)", username: location.user,
                password: password, database: location.database)
        }
        config.options.connectTimeout = .seconds(10)
        return config
    }

    /// The open connection, connecting (again) if there is none or the server closed it. Called under `lock`.
    func liveConnection() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        let connection = try connectToTarget()
        self.connection = connection
        return connection
    }

    /// A new connection to the first of the URI's servers that answers and is the kind `target_session_attrs`
    /// asks for (libpq's order: each host in turn), so a store follows a failover when it reconnects.
    func connectToTarget(id: Int = 1) throws -> PostgresConnection {
        var attempts = TargetAttempts(store: self)
        for endpoint in location.endpoints {
            let connection: PostgresConnection
            do {
                connection = try Self.connect(configuration: try configuration(for: endpoint), id: id, logger: logger).wait()
            } catch {
                attempts.failed(endpoint, error)
                continue
            }
            do {
                let rows = try Self.closing(connection, unlessDoneIn: Self.setupTimeout) {
                    try connection.query(Self.sessionAttributesQuery, logger: logger).wait().rows
                }
                if let refusal = try sessionAttributesRefusal(rows) {
                    attempts.refused(endpoint, refusal)
                    try? connection.close().wait()
                    continue
                }
            } catch {
                try? connection.close().wait()
                attempts.failed(endpoint, error)
                continue
            }
            return connection
        }
        throw attempts.error
    }

    /// `connectToTarget` for async callers (the change feed's own connection).
    func connectToTarget(id: Int) async throws -> PostgresConnection {
        var attempts = TargetAttempts(store: self)
        for endpoint in location.endpoints {
            let connection: PostgresConnection
            do {
                connection = try await Self.connect(configuration: try configuration(for: endpoint), id: id, logger: logger).get()
            } catch {
                attempts.failed(endpoint, error)
                continue
            }
            do {
                let watchdog = connection.eventLoop.scheduleTask(in: Self.setupTimeout) {
                    let _: EventLoopFuture<Void> = connection.close()
                }
                defer { watchdog.cancel() }
                let rows = try await connection.query(Self.sessionAttributesQuery, logger: logger).collect()
                if let refusal = try sessionAttributesRefusal(rows) {
                    attempts.refused(endpoint, refusal)
                    try? await connection.close()
                    continue
                }
            } catch {
                try? await connection.close()
                attempts.failed(endpoint, error)
                continue
            }
            return connection
        }
        throw attempts.error
    }

    /// The whole of a connection's set-up (TCP, TLS, startup and authentication, then the session attributes
    /// query) must finish within this. postgres-nio's `connectTimeout` covers the TCP connect only, and a server
    /// that accepts and then never answers (one stopping or starting, a hung one, a half-open path) would hold the
    /// caller for good: the listener's backstop poll, or the change feed, which then never notices anything again.
    static let setupTimeout = TimeAmount.seconds(10)

    /// A connection's set-up did not finish within `setupTimeout`.
    struct SetupTimedOut: Error {}

    /// `PostgresConnection.connect` under `setupTimeout`: the future fails with a timeout when the deadline passes
    /// first, and a connection that completes after it is closed at once.
    static func connect(configuration: PostgresConnection.Configuration, id: Int, logger: Logger) -> EventLoopFuture<PostgresConnection> {
        let loop = eventLoopGroup.next()
        let promise = loop.makePromise(of: PostgresConnection.self)
        let settled = NIOLockedValueBox(false)
        let settle: @Sendable (Result<PostgresConnection, any Error>) -> Bool = { result in
            settled.withLockedValue { done in
                if done { return false }
                done = true
                promise.completeWith(result)
                return true
            }
        }
        let deadline = loop.scheduleTask(in: setupTimeout) {
            _ = settle(.failure(SetupTimedOut()))
        }
        PostgresConnection.connect(on: loop, configuration: configuration, id: id, logger: logger).whenComplete { result in
            deadline.cancel()
            if !settle(result), case .success(let late) = result {
                let _: EventLoopFuture<Void> = late.close()
            }
        }
        return promise.futureResult
    }

    /// Runs `body` (which waits on `connection`), closing the connection if it has not returned within `timeout`,
    /// so that the wait ends with an error.
    static func closing<T>(_ connection: PostgresConnection, unlessDoneIn timeout: TimeAmount, _ body: () throws -> T) throws -> T {
        let watchdog = connection.eventLoop.scheduleTask(in: timeout) {
            let _: EventLoopFuture<Void> = connection.close()
        }
        defer { watchdog.cancel() }
        return try body()
    }

    static let sessionAttributesQuery: PostgresQuery = "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"

    /// Why this server (the answer to `sessionAttributesQuery`) is not the kind `target_session_attrs` asks for,
    /// or nil when it is.
    func sessionAttributesRefusal(_ rows: [PostgresRow]) throws -> String? {
        let wanted = location.targetSessionAttrs
        guard wanted != "any" else { return nil }
        guard let row = rows.first else { return "it did not say whether it is a standby" }
        let (inRecovery, readOnlySetting) = try row.decode((Bool, String).self)
        let readOnly = inRecovery || readOnlySetting == "on"
        switch wanted {
        case "read-write": return readOnly ? "it is read-only" : nil
        case "read-only": return readOnly ? nil : "it is not read-only"
        case "primary": return inRecovery ? "it is a standby" : nil
        case "standby": return inRecovery ? nil : "it is not a standby"
        default: return nil
        }
    }

    /// What each server said while a connection was sought, and the one error to throw when none will do.
    struct TargetAttempts {
        let store: PostgresConfigStore
        var reasons: [String] = []
        var lastError: StoreError?

        mutating func failed(_ endpoint: PostgresLocation.Endpoint, _ error: any Error) {
            let error = store.mapped(error)
            lastError = error
            // Each host's reason, without the store's name that the whole line already gives.
            reasons.append(
                "\(Self.name(endpoint)): \(error.description.replacingOccurrences(of: "Can't reach the store at \(store.path): ", with: ""))")
        }

        mutating func refused(_ endpoint: PostgresLocation.Endpoint, _ reason: String) {
            reasons.append("\(Self.name(endpoint)): \(reason)")
        }

        var error: StoreError {
            if store.location.endpoints.count == 1, let lastError { return lastError }
            return .database(
                "None of the servers of the store at \(store.path) will do (target_session_attrs=\(store.location.targetSessionAttrs)): "
                    + reasons.joined(separator: "; "))
        }

        static func name(_ endpoint: PostgresLocation.Endpoint) -> String {
            endpoint.host.map { "\($0):\(endpoint.port)" } ?? "\(endpoint.socketFolder ?? "")/.s.PGSQL.\(endpoint.port)"
        }
    }

    /// Runs `body` with the connection, one call at a time, off any event loop.
    func withConnection<T>(_ body: (Session) throws -> T) throws -> T {
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw StoreError.database("The store at \(path) was called on an event loop thread; store calls block, so they must run elsewhere.")
        }
        return try lock.withLock {
            let session = Session(connection: try liveConnection(), logger: logger)
            do {
                return try body(session)
            } catch {
                if session.connection.isClosed { connection = nil }
                throw error
            }
        }
    }

    /// The statements of one call, each awaited (rows collected) before the next.
    struct Session {
        let connection: PostgresConnection
        let logger: Logger

        /// A statement not answered within this closes the connection (a hung server or a half-open connection
        /// would otherwise block the caller for good); the call fails and the next one connects again.
        static let statementTimeout = TimeAmount.seconds(30)

        @discardableResult
        func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
            try PostgresConfigStore.closing(connection, unlessDoneIn: Self.statementTimeout) {
                try connection.query(query, logger: logger).wait()
            }
        }

        func rows(_ query: PostgresQuery) throws -> [PostgresRow] { try self.query(query).rows }

        /// Rows changed by an INSERT, UPDATE or DELETE.
        func execute(_ query: PostgresQuery) throws -> Int { try self.query(query).metadata.rows ?? 0 }
    }

    // MARK: Transactions

    /// One SERIALIZABLE write transaction; a serialization failure or deadlock retries it from the start (so
    /// the rules are checked again against what the other writer committed). A thrown error rolls back.
    @discardableResult
    func write<T>(_ body: (Session) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try guarded { try transaction("BEGIN ISOLATION LEVEL SERIALIZABLE", body) }
            } catch let error as RetryableError {
                if attempt >= 50 {
                    throw StoreError.database(
                        "The store at \(path) is busy: the write conflicted with others \(attempt) times (\(error.sqlState)). Try again.")
                }
                usleep(UInt32.random(in: 1_000...(5_000 * UInt32(min(attempt, 10)))))
            }
        }
    }

    /// One read-only transaction: everything read in `body` is from the same instant.
    func read<T>(_ body: (Session) throws -> T) throws -> T {
        try guarded { try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body) }
    }

    func transaction<T>(_ begin: String, _ body: (Session) throws -> T) throws -> T {
        try withConnection { session in
            try session.query(PostgresQuery(unsafeSQL: begin))
            do {
                let result = try body(session)
                let commit = try session.query("COMMIT")
                // A failed transaction's COMMIT answers ROLLBACK without an error (notes §8): never report success then.
                guard commit.metadata.command == "COMMIT" else {
                    throw StoreError.database(
                        "The store at \(path) rolled the write back (the server answered \(commit.metadata.command) to COMMIT); nothing was written.")
                }
                return result
            } catch {
                if !session.connection.isClosed { _ = try? session.query("ROLLBACK") }
                throw error
            }
        }
    }

    struct RetryableError: Error { var sqlState: String }

    /// Every error leaves the store as a `StoreError` that reads as one line (and never holds the password),
    /// except serialization failures, which `write` retries.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PSQLError where error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? ""
            if state == "40001" || state == "40P01" { throw RetryableError(sqlState: state) }
            throw mapped(error)
        } catch let error as StoreError {
            throw error
        } catch let error as RetryableError {
            throw error
        } catch {
            throw mapped(error)
        }
    }

    func mapped(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if error is SetupTimedOut {
            return .database("The store at \(path) did not finish connecting within \(Self.setupTimeout.nanoseconds / 1_000_000_000) s; try again.")
        }
        if let error = error as? DecodingError {
            return .database("The store at \(path) holds a record this version of Receptor can't read: \(error)")
        }
        guard let error = error as? PSQLError else {
            return .database("The store at \(path) failed: \(error)")
        }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? ""
        switch error.code {
        case .server:
            switch state {
            case "28P01", "28000":
                return .database("The store at \(path) refused the password or user \(location.user) (\(message)).")
            case "3D000":
                return .database(
                    "The database \(location.database) does not exist on the server of \(path); create it (createdb \(location.database)) and run receptor init --store \(path)."
                )
            case "57P01", "57P02", "57P03":
                return .database("The store at \(path) is shutting down or starting up (\(message)); try again.")
            default:
                return .database("The store at \(path) refused the operation: \(message) (SQLSTATE \(state)).")
            }
        case .connectionError:
            if let underlying = error.underlying, let tls = tlsFailure(underlying) { return tls }
            let why = error.underlying.map { String(describing: $0) } ?? "connection failed"
            return .database("Can't reach the store at \(path): \(why).")
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return .database("The connection to the store at \(path) was lost; try again.")
        case .sslUnsupported:
            return .database("The server of \(path) does not support TLS, which sslmode=\(location.sslMode) requires.")
        case .authMechanismRequiresPassword:
            return .database("The store at \(path) needs a password for user \(location.user): give it in PGPASSWORD or ~/.pgpass.")
        case .failedToAddSSLHandler:
            return .database("TLS to the store at \(path) failed.")
        default:
            return .database("The store at \(path) failed: \(String(reflecting: error.code)).")
        }
    }

    /// A TLS handshake that failed: the server's certificate did not verify against the CA that sslrootcert (or
    /// the system) trusts, or does not name the host (sslmode=verify-full). Nil for other connection errors.
    func tlsFailure(_ underlying: any Error) -> StoreError? {
        if let extra = underlying as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return .database(
                "TLS to the store at \(path) failed: the server's certificate does not name the host it was reached at (sslmode=\(location.sslMode))."
            )
        }
        guard underlying is NIOSSLError else { return nil }
        let trust = location.sslRootCert.map { "the CA in sslrootcert \($0)" } ?? "the system's trusted CAs"
        // BoringSSL's reason ("CERTIFICATE_VERIFY_FAILED") rather than its whole report (codes, source paths).
        let report = String(describing: underlying).replacingOccurrences(of: "\n", with: " ")
        let why = report.firstMatch(of: /OPENSSL_internal:([A-Z0-9_]+)/).map { String($0.1) } ?? report
        return .database(
            "TLS to the store at \(path) failed: the server's certificate did not verify against \(trust) (sslmode=\(location.sslMode); \(why)).")
    }
}
