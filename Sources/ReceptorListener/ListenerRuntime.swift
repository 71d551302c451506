import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ReceptorCore
import ReceptorStore
import ReceptorControl

/// `receptor listen`: loads the server's snapshot, opens its bindings, follows the store (a generation
/// poll every few milliseconds; SIGHUP forces a reload), registers itself and heartbeats, and drains on
/// SIGTERM. A snapshot that fails validation is refused and the last good one kept; the reason shows in
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
        public init(serverName: String) { self.serverName = serverName }
    }

    private let store: ConfigStore
    private let options: Options
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
    private let appliedGeneration = NIOLockedValueBox<Int64>(-1)
    /// The generation whose sockets are all reconciled: what status and the control socket report, so that a
    /// client that sees generation N can rely on N's bindings (the snapshot is swapped in a moment earlier).
    private let generationInForce = NIOLockedValueBox<Int64>(-1)
    private let registrationID = UUID().uuidString.lowercased()
    private let stopping = NIOLockedValueBox(false)
    private let reloadRequested = NIOLockedValueBox(false)

    public init(store: ConfigStore, options: Options, logger: Logger) {
        self.store = store
        self.options = options
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        threadPool = NIOThreadPool(numberOfThreads: max(1, options.ioThreads))
        threadPool.start()
        let dataDirectory = (store.path as NSString).deletingLastPathComponent
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
        appliedGeneration.withLockedValue { $0 = initial.generation }
        await server.reconcile(to: initial.plan)
        generationInForce.withLockedValue { $0 = initial.generation }
        logger.info("listening for \(initial.server.name) at generation \(initial.generation): \(initial.enabledConnectors.count) enabled connectors")
        try register()

        async let watching: Void = watch()
        async let heartbeats: Void = heartbeat()
        _ = await (watching, heartbeats)
        await drain()
    }

    public func stop() { stopping.withLockedValue { $0 = true } }
    public func requestReload() { reloadRequested.withLockedValue { $0 = true } }

    private var isStopping: Bool { stopping.withLockedValue { $0 } }

    /// Follows the store: inotify wakes it on a write to the store's files (then the generation is re-checked
    /// for a few milliseconds, since the WAL is written before the commit is visible); a timed poll of the
    /// generation covers file systems without inotify; SIGHUP forces a reload.
    private func watch() async {
        let (wakeups, wake) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let watcher = StoreWatcher(storePath: store.path) { wake.yield(true) }
        let watching = watcher.start()
        if !watching { logger.notice("inotify is unavailable; following the store by polling every \(options.pollInterval)") }
        let poll = options.pollInterval
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: poll)
                wake.yield(false)
            }
        }
        defer { ticker.cancel(); watcher.stop(); wake.finish() }
        for await fromFileEvent in wakeups {
            if isStopping { break }
            let forced = reloadRequested.withLockedValue { r -> Bool in
                let v = r; r = false; return v
            }
            if forced { await reload(reason: "SIGHUP"); continue }
            // After a file event the commit may become visible a moment later: look again briefly.
            for delay in fromFileEvent ? [0, 1, 2, 4, 8, 16] : [0] {
                if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
                guard let generation = try? store.generation() else { break }
                if generation != appliedGeneration.withLockedValue({ $0 }) {
                    await reload(reason: "store generation \(generation)")
                    break
                }
            }
        }
    }

    public func reload(reason: String) async {
        guard let server else { return }
        do {
            let snapshot = try store.snapshot()
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

    /// Registers this listener, and forgets the registrations of listeners that died without unregistering
    /// (`ListenerLiveness`): a restart after a crash leaves one entry in `receptor status`, not two.
    private func register() throws {
        _ = try? store.liveListeners()
        let now = Date()
        try store.registerListener(
            ListenerRegistration(
                id: registrationID, server: options.serverName, pid: getpid(), host: ProcessInfo.processInfo.hostName,
                controlSocket: controlSocketPath, startedAt: now, heartbeatAt: now, statusJSON: statusJSON()))
    }

    private func heartbeat() async {
        var next = ContinuousClock.now + options.heartbeatInterval
        while !isStopping {
            try? await Task.sleep(for: .milliseconds(200))
            guard ContinuousClock.now >= next else { continue }
            next = ContinuousClock.now + options.heartbeatInterval
            do { try store.heartbeat(listenerID: registrationID, statusJSON: statusJSON()) } catch StoreError.notFound {
                try? register()
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
            delivery: services.messages.deliveryStatistics
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
            recentMessages: services.events.recentMessages, delivery: services.messages.deliveryStatistics)
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
        try? store.unregisterListener(id: registrationID)
        try? await group.shutdownGracefully()
        try? await threadPool.shutdownGracefully()
        logger.info("stopped")
    }
}
