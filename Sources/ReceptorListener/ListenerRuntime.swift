import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ReceptorCore
import ReceptorStore
import ReceptorControl
import ReceptorControlLink

/// `receptor listen`: loads the server's snapshot, opens its bindings, follows the store (its change feed —
/// inotify for SQLite, LISTEN/NOTIFY for PostgreSQL — and a poll of the generation; SIGHUP forces a reload),
/// registers itself and heartbeats, and drains on SIGTERM. A snapshot that fails validation is refused and the last good one kept; the reason shows in
/// `receptor status` and the log.
public final class ListenerRuntime: @unchecked Sendable {
    public struct Options: Sendable {
        public var serverName: String
        /// The fallback poll; inotify wakes the listener sooner when it works.
        public var pollInterval: Duration = .milliseconds(100)
        public var heartbeatInterval: Duration = .seconds(5)
        public var drainTimeout: Duration = .seconds(30)
        /// Threads for blocking work: AUTH's password checks (slow hashes, on purpose). Messages are written
        /// by the group committer's own thread.
        public var ioThreads = 8
        /// How accepted messages are made durable (see `GroupCommit`).
        public var sync: GroupCommit.Mode = .fileSystem
        /// Days of connector usage kept in `usage/` (0: not recorded).
        public var usageRetentionDays = ConnectorUsage.defaultRetentionDays
        /// Where the listener keeps its files (`StoreLocation.dataDirectory`); nil: the rule's default for the store.
        public var dataDirectory: String?
        /// The TCP control endpoint (`--control-port`); nil: none, only the Unix socket.
        public var controlEndpoint: ControlEndpointOptions?
        public init(serverName: String) { self.serverName = serverName }
    }

    private let store: ConfigStore
    private let options: Options
    /// What wakes the listener when the store changes (`StoreChangeFeed`).
    private let feed: any StoreChangeFeed
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    public let services: ListenerServices
    /// What `run()` starts, read from other threads (the control socket's loop, `statusJSON`, `reload`): under a
    /// lock. (Plain properties raced: the thread sanitizer saw `controlSnapshot` read `server` unsynchronised.)
    private struct Started {
        var server: ListenerServer?
        var control: ControlServer?
        var tls: ListenerTLS?
    }
    private let started = NIOLockedValueBox(Started())
    private var server: ListenerServer? { started.withLockedValue { $0.server } }
    private var control: ControlServer? { started.withLockedValue { $0.control } }
    private var tls: ListenerTLS? { started.withLockedValue { $0.tls } }
    private let lastError = NIOLockedValueBox<String?>(nil)
    /// The last failure to read the store's snapshot (logged once, not at every retry).
    private let readFailure = NIOLockedValueBox<String?>(nil)
    private let appliedGeneration = NIOLockedValueBox<Int64>(-1)
    /// The generation whose sockets are all reconciled: what status and the control socket report, so that a
    /// client that sees generation N can rely on N's bindings (the snapshot is swapped in a moment earlier).
    private let generationInForce = NIOLockedValueBox<Int64>(-1)
    private let registrationID = UUID().uuidString.lowercased()
    /// The TCP control endpoint as registered (`host:port`) and its certificate's SHA-256, once open.
    private let endpoint = NIOLockedValueBox<(address: String, fingerprint: String)?>(nil)
    public var registeredControlEndpoint: (address: String, fingerprint: String)? { endpoint.withLockedValue { $0 } }
    private let stopping = NIOLockedValueBox(false)
    private let reloadRequested = NIOLockedValueBox(false)

    /// `feed` follows the store; nil: the SQLite store's file watcher (`StoreWatcher`).
    public init(store: ConfigStore, options: Options, logger: Logger, feed: (any StoreChangeFeed)? = nil) {
        self.store = store
        self.feed = feed ?? StoreWatcher(storePath: store.path)
        self.options = options
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        threadPool = NIOThreadPool(numberOfThreads: max(1, options.ioThreads))
        threadPool.start()
        let dataDirectory =
            options.dataDirectory
            ?? StoreLocation.dataDirectory(
                store: store.path, server: options.serverName, explicit: nil, environment: ProcessInfo.processInfo.environment)
        services = ListenerServices(
            store: store, dataDirectory: dataDirectory, threadPool: threadPool, sync: options.sync,
            usageRetentionDays: options.usageRetentionDays, logger: logger)
    }

    public var dataDirectory: String { services.dataDirectory }
    public var controlSocketPath: String { "\(dataDirectory)/listener-\(options.serverName.lowercased()).sock" }

    /// Runs until `stop()`; returns after draining.
    public func run() async throws {
        let initial: ListenerSnapshot
        do {
            initial = try ListenerSnapshot.make(from: try store.snapshot(), serverName: options.serverName)
        } catch let error as ListenerSnapshot.Invalid {
            throw error
        }
        if let change = OpenFileLimit.raiseToHardLimit(), let (warning, text) = OpenFileLimit.report(change) {
            if warning { logger.warning("\(text)") } else { logger.info("\(text)") }
        }
        recoverInterruptedDeliveries()
        let tls = ListenerTLS(dataDirectory: dataDirectory, serverFqdn: initial.server.fqdn, logger: logger)
        tls.reload(domainSecureList: initial.transportConfig.tlsReceiveDomainSecureList)
        started.withLockedValue { $0.tls = tls }
        services.configureProtocolLogs(for: initial.server)
        let server = ListenerServer(group: group, services: services, initial: initial, tls: tls)
        started.withLockedValue { $0.server = server }
        // The control socket opens before the SMTP sockets: once a client can connect, a monitor can too.
        let control = ControlServer(path: controlSocketPath, events: services.events, usage: services.usage, logger: logger) { [weak self] in
            self?.controlSnapshot() ?? ControlSnapshot(server: "", pid: getpid(), generation: -1, bindings: [], recentMessages: [])
        } tick: { [services] since in
            (services.events.allCounters, services.sessions.sessions(activeAfter: since), services.messages.deliveryStatistics)
        }
        try await control.start(group: group)
        started.withLockedValue { $0.control = control }
        if let options = options.controlEndpoint {
            do { try await openControlEndpoint(control, options, tls: tls) } catch {
                await control.stop()
                throw error
            }
        }
        appliedGeneration.withLockedValue { $0 = initial.generation }
        await server.reconcile(to: initial.plan)
        generationInForce.withLockedValue { $0 = initial.generation }
        logger.info("listening for \(initial.server.name) at generation \(initial.generation): \(initial.enabledConnectors.count) enabled connectors")
        // Serving from here on: a store that fails now (a database restarting) must not stop the listener; the
        // heartbeat registers it once the store answers (its update finds no registration).
        do { try await storeCall { try self.register() } } catch {
            logger.warning("could not register this listener in the store yet (the heartbeat retries): \(error)")
        }

        async let watching: Void = watch()
        async let heartbeats: Void = heartbeat()
        _ = await (watching, heartbeats)
        await drain()
    }

    /// The TCP control endpoint: the server's certificate, the organization's secret (made if the store has none).
    private func openControlEndpoint(_ control: ControlServer, _ options: ControlEndpointOptions, tls: ListenerTLS) async throws {
        let identity: CertificateIdentity
        do { identity = try tls.serverIdentity() } catch {
            throw ControlError(description: "The control endpoint has no certificate: \(error)")
        }
        guard let secret = try store.controlSecret(create: true) else {
            throw ControlError(description: "The store at \(store.path) gave no control secret.")
        }
        let port: Int
        do {
            port = try await control.startEndpoint(group: group, options: options, identity: identity, secret: secret)
        } catch {
            throw ControlError(description: "The control endpoint can't listen on \(options.address) port \(options.port): \(error)")
        }
        let address = options.advertised(boundPort: port)
        endpoint.withLockedValue { $0 = (address, identity.sha256Fingerprint) }
        logger.info(
            "control endpoint on \(ReceptorControlLink.ControlEndpoint.text(host: options.address, port: port)) (TLS only, registered as \(address); certificate SHA-256 \(identity.sha256Fingerprint))"
        )
    }

    public func stop() { stopping.withLockedValue { $0 = true } }
    public func requestReload() { reloadRequested.withLockedValue { $0 = true } }

    private var isStopping: Bool { stopping.withLockedValue { $0 } }

    /// Follows the store: its change feed wakes it (inotify on a write to the store's files, then the generation
    /// is re-checked for a few milliseconds, since the WAL is written before the commit is visible; NOTIFY after
    /// a commit, and after every reconnection); a timed poll of the generation covers a feed that can't run and
    /// a read that failed; SIGHUP forces a reload. While the feed says the store is unreachable nothing is read:
    /// the last good configuration stays in force, and the feed wakes the listener once it is back.
    private func watch() async {
        let (wakeups, wake) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let following = feed.start { wake.yield(true) }
        if !following { logger.notice("the store's change feed is unavailable; following the store by polling every \(options.pollInterval)") }
        let poll = following ? (feed.pollInterval ?? options.pollInterval) : options.pollInterval
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: poll)
                wake.yield(false)
            }
        }
        defer { ticker.cancel(); feed.stop(); wake.finish() }
        var wasUnreachable = false
        for await fromFeed in wakeups {
            if isStopping { break }
            if let since = feed.unreachableSince {
                if !wasUnreachable {
                    wasUnreachable = true
                    logger.warning(
                        "\(ListenerStatusReport.unreachableNote(since: since)); serving generation \(generationInForce.withLockedValue { $0 })")
                    services.events.publish(ListenerEvent(type: "storeUnreachable", detail: ListenerStatusReport.unreachableNote(since: since)))
                }
                continue
            }
            if wasUnreachable {
                wasUnreachable = false
                logger.notice("the store is reachable again")
                services.events.publish(ListenerEvent(type: "storeReachable", detail: "generation \(generationInForce.withLockedValue { $0 })"))
            }
            let forced = reloadRequested.withLockedValue { r -> Bool in
                let v = r; r = false; return v
            }
            if forced { await reload(reason: "SIGHUP"); continue }
            // After a feed event the commit may become visible a moment later (SQLite's WAL): look again briefly.
            for delay in fromFeed ? [0, 1, 2, 4, 8, 16] : [0] {
                if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
                guard let generation = try? await storeCall({ try self.store.generation() }) else { break }
                if generation != appliedGeneration.withLockedValue({ $0 }) {
                    await reload(reason: "store generation \(generation)")
                    break
                }
            }
        }
    }

    public func reload(reason: String) async {
        guard let server else { return }
        let snapshot: StoreSnapshot
        do { snapshot = try await storeCall { try self.store.snapshot() } } catch {
            // Not a refused configuration: the store could not be read. The poll tries again (the generation
            // still differs from the applied one); the configuration in force stays.
            let failure = "\(error)"
            if readFailure.withLockedValue({ r -> Bool in
                defer { r = failure }; return r != failure
            }) {
                logger.warning("could not read the store (\(reason)); keeping generation \(server.current.generation): \(failure)")
            }
            return
        }
        readFailure.withLockedValue { $0 = nil }
        do {
            appliedGeneration.withLockedValue { $0 = snapshot.generation }
            let next = try ListenerSnapshot.make(from: snapshot, serverName: options.serverName)
            tls?.reload(domainSecureList: next.transportConfig.tlsReceiveDomainSecureList)
            services.configureProtocolLogs(for: next.server)
            await server.apply(next)
            generationInForce.withLockedValue { $0 = next.generation }
            lastError.withLockedValue { $0 = nil }
            logger.info("config applied (\(reason)): generation \(next.generation)")
            services.events.publish(ListenerEvent(type: "configApplied", detail: "generation \(next.generation)"))
        } catch {
            lastError.withLockedValue { $0 = "\(error)" }
            logger.error("config rejected (\(reason)); keeping generation \(server.current.generation): \(error)")
            services.events.publish(ListenerEvent(type: "configRejected", detail: "\(error)"))
        }
    }

    /// Store calls block (they wait on the database), so they run on a queue of their own and never on the Swift
    /// concurrency pool, whose threads are as many as the cores: two calls waiting there on a database that is
    /// restarting would stall every task of the listener — the change feed's too, which then could not even
    /// notice the lost connection. The queue is serial: one store call at a time, as the stores expect.
    private let storeCalls = DispatchQueue(label: "receptor.listener.store")

    private func storeCall<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            storeCalls.async { continuation.resume(with: Result(catching: body)) }
        }
    }

    /// Registers this listener, and forgets the registrations of listeners that died without unregistering
    /// (`ListenerLiveness`): a restart after a crash leaves one entry in `receptor status`, not two.
    private func register() throws {
        _ = try? store.liveListeners()
        let now = Date()
        try store.registerListener(
            ListenerRegistration(
                id: registrationID, server: options.serverName, pid: getpid(), host: ProcessInfo.processInfo.hostName,
                controlSocket: controlSocketPath, startedAt: now, heartbeatAt: now, statusJSON: statusJSON(),
                controlEndpoint: endpoint.withLockedValue { $0?.address }, controlFingerprint: endpoint.withLockedValue { $0?.fingerprint }))
    }

    private func heartbeat() async {
        var next = ContinuousClock.now + options.heartbeatInterval
        while !isStopping {
            try? await Task.sleep(for: .milliseconds(200))
            guard ContinuousClock.now >= next else { continue }
            next = ContinuousClock.now + options.heartbeatInterval
            // The feed knows the store is unreachable: a write would only wait for it (the feed retries).
            if feed.unreachableSince != nil { continue }
            let status = statusJSON()
            do { try await storeCall { try self.store.heartbeat(listenerID: self.registrationID, statusJSON: status) } } catch StoreError.notFound {
                try? await storeCall { try self.register() }
            } catch {
                logger.warning("heartbeat failed: \(error)")
            }
        }
    }

    /// The status `receptor status` and the console show: bindings, the config in force, the last refused
    /// config, delivery.
    public func statusJSON() -> String {
        ListenerStatusReport(
            generation: generationInForce.withLockedValue { $0 }, bindings: server?.bindingStatus ?? [],
            configError: lastError.withLockedValue { $0 }, sessions: services.sessions.count,
            delivery: services.messages.deliveryStatistics, storeUnreachableSince: feed.unreachableSince
        ).json
    }

    /// Before the first connection: messages acknowledged just before a crash get back the final names the
    /// crash took (see `GroupCommit`). A failure is logged, not fatal: the scratch files wait for the next start.
    private func recoverInterruptedDeliveries() {
        do {
            let r = try services.messages.recoverInterruptedDeliveries()
            if r.restored > 0 || r.discarded > 0 {
                logger.notice(
                    "recovered deliveries a crash interrupted: \(r.restored) message(s) named again, \(r.discarded) partial scratch file(s) removed, \(r.cleared) finished"
                )
            }
            if r.skipped > 0 {
                logger.notice("\(r.skipped) scratch file(s) belong to another running listener or host; left alone")
            }
        } catch {
            logger.error("could not finish the deliveries a crash interrupted (they stay in tmp/ until the next start): \(error)")
        }
    }

    func controlSnapshot() -> ControlSnapshot {
        ControlSnapshot(
            server: options.serverName, pid: getpid(), generation: generationInForce.withLockedValue { $0 },
            configError: lastError.withLockedValue { $0 }, bindings: server?.bindingStatus ?? [],
            sessions: services.sessions.sessions, counters: services.events.allCounters,
            recentMessages: services.events.recentMessages, delivery: services.messages.deliveryStatistics,
            storeUnreachableSince: feed.unreachableSince)
    }

    /// Stop accepting, let sessions finish up to the drain timeout, then close everything.
    private func drain() async {
        await server?.closeAll()
        services.sessions.shutdownAll()
        let deadline = ContinuousClock.now + options.drainTimeout
        while services.sessions.count > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        services.flushLogs()
        services.usage.flush()
        await control?.stop()
        try? await storeCall { try self.store.unregisterListener(id: self.registrationID) }
        try? await group.shutdownGracefully()
        try? await threadPool.shutdownGracefully()
        logger.info("stopped")
    }
}
