import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ReceptorCore
import ReceptorSMTP
import ReceptorStore
import ReceptorControl

/// The listening sockets and the connection entry point. Holds the current snapshot; a reload swaps it and
/// reconciles the sockets: new endpoints open, removed ones close, unchanged ones are never touched.
public final class ListenerServer: @unchecked Sendable {
    private let group: EventLoopGroup
    private let services: ListenerServices
    private let snapshot: NIOLockedValueBox<ListenerSnapshot>
    private let channels = NIOLockedValueBox<[SocketPlan.Endpoint: Channel]>([:])
    private let failures = NIOLockedValueBox<[SocketPlan.Endpoint: String]>([:])
    /// Certificates and TLS handlers; nil runs without STARTTLS.
    private let tls: ListenerTLS?
    private let sessionCounter = NIOLockedValueBox<UInt64>(UInt64(Date().timeIntervalSince1970 * 1000) << 12)

    public init(group: EventLoopGroup, services: ListenerServices, initial: ListenerSnapshot, tls: ListenerTLS?) {
        self.group = group
        self.services = services
        self.snapshot = NIOLockedValueBox(initial)
        self.tls = tls
    }

    public var current: ListenerSnapshot { snapshot.withLockedValue { $0 } }

    /// Swaps in a new snapshot and reconciles the sockets to its plan. Sessions of connectors that are gone
    /// or disabled are told to finish.
    public func apply(_ new: ListenerSnapshot) async {
        let old = snapshot.withLockedValue { s -> ListenerSnapshot in
            let o = s; s = new; return o
        }
        let stillEnabled = Set(new.enabledConnectors.map(\.guid))
        let withdrawn = Set(old.enabledConnectors.map(\.guid)).subtracting(stillEnabled)
        if !withdrawn.isEmpty { services.sessions.withdraw(connectors: withdrawn) }
        await reconcile(to: new.plan)
    }

    public func reconcile(to plan: SocketPlan) async {
        let wanted = Set(plan.endpoints)
        let open = channels.withLockedValue { Set($0.keys) }
        for endpoint in open.subtracting(wanted) {
            if let ch = channels.withLockedValue({ $0.removeValue(forKey: endpoint) }) {
                try? await ch.close()
                services.logger.info("binding \(endpoint) closed")
                services.events.publish(ListenerEvent(type: "bindingClosed", detail: endpoint.description))
            }
        }
        failures.withLockedValue { f in for e in f.keys where !wanted.contains(e) { f.removeValue(forKey: e) } }
        for endpoint in wanted.subtracting(open).sorted() {
            do {
                let ch = try await bind(endpoint)
                channels.withLockedValue { $0[endpoint] = ch }
                failures.withLockedValue { _ = $0.removeValue(forKey: endpoint) }
                services.logger.info("binding \(endpoint) listening")
                services.events.publish(ListenerEvent(type: "bindingUp", detail: endpoint.description))
            } catch {
                let reason = Self.describe(error)
                failures.withLockedValue { $0[endpoint] = reason }
                services.logger.error("binding \(endpoint) failed: \(reason)")
                services.events.publish(ListenerEvent(type: "bindingFailed", detail: "\(endpoint): \(reason)"))
            }
        }
    }

    /// The status of every endpoint of the current plan.
    public var bindingStatus: [BindingStatus] {
        let plan = current.plan
        let open = channels.withLockedValue { Set($0.keys) }
        let failed = failures.withLockedValue { $0 }
        return plan.endpoints.map { e in
            open.contains(e)
                ? BindingStatus(endpoint: e.description, state: "listening", reason: nil)
                : BindingStatus(endpoint: e.description, state: "failed", reason: failed[e] ?? "not open yet")
        }
    }

    public func closeAll() async {
        let all = channels.withLockedValue { c -> [Channel] in
            let v = Array(c.values); c = [:]; return v
        }
        for ch in all { try? await ch.close() }
    }

    private func bind(_ endpoint: SocketPlan.Endpoint) async throws -> Channel {
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Set on the listening socket, Linux hands SO_KEEPALIVE (and NIO's default TCP_NODELAY) down to every
            // accepted socket: no setsockopt per connection.
            .serverChannelOption(.socketOption(.so_keepalive), value: 1)
            // No child channel options: NIO's defaults (4 reads per wake-up, autoRead) are what a session wants,
            // and any option given here is applied to every accepted channel through a chain of futures.
            .childChannelInitializer { [weak self] channel in
                guard let self else { return channel.close() }
                return self.initialize(channel)
            }
        if endpoint.address.family == .v6 {
            // [::] must not also take IPv4, or it would collide with a 0.0.0.0 socket on the same port.
            bootstrap = bootstrap.serverChannelOption(
                ChannelOptions.Types.SocketOption(level: .init(rawValue: Int32(IPPROTO_IPV6)), name: .ipv6_v6only), value: 1)
        }
        let address = try SocketAddress(ipAddress: endpoint.address.description, port: endpoint.port)
        return try await bootstrap.bind(to: address).get()
    }

    private func nextSessionID() -> String {
        let n = sessionCounter.withLockedValue {
            $0 += 1; return $0
        }
        let hex = String(n, radix: 16, uppercase: true)  // %016llX without String(format:) on every connection
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    /// A new connection: choose its connector (§6c), admit it against the connection limits, and start a
    /// session with the snapshot of this moment.
    private func initialize(_ channel: Channel) -> EventLoopFuture<Void> {
        let snapshot = current
        guard let local = channel.localAddress?.endpoint, let remote = channel.remoteAddress?.endpoint else {
            return channel.close()
        }
        guard
            let connector = ConnectorSelector.select(
                from: snapshot.enabledConnectors, localAddress: local.address,
                localPort: local.port, remoteAddress: remote.address)
        else {
            services.logger.notice("connection from \(remote) to \(local) matches no receive connector; closed")
            return channel.close()
        }
        let sessionID = nextSessionID()
        switch services.tracker.admit(connector: connector, source: remote.address) {
        case .refused(let reason):
            services.logger.notice("connection from \(remote) to \(connector.identity) refused: \(reason)")
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    RefusingHandler(
                        reply: "421 4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission channel"))
            }
        case .admitted:
            break
        }
        let tls = connector.authMechanism.contains(.tls) && (self.tls?.isAvailable(for: connector) ?? false) ? self.tls : nil
        let config = SessionConfiguration(
            connector: connector, server: snapshot.server, acceptedDomains: snapshot.acceptedDomains,
            permissionEntries: snapshot.permissions[connector.guid] ?? [], certificateAvailable: tls != nil,
            localEndpoint: local, remoteEndpoint: remote, sessionID: sessionID, connectedAt: Date(),
            utcOffsetSeconds: TimeZone.current.secondsFromGMT(),
            // The engine's log events also feed the monitor's transcript: a session that begins while a monitor
            // watches has one even when the connector does not log (the file is written only at Verbose).
            protocolLogging: connector.protocolLoggingLevel == .verbose || services.events.hasSubscribers,
            rateLimited: services.tracker.wouldExceedRate(source: remote.displayAddress, limit: connector.messageRateLimit),
            initialRights: snapshot.initialRights[connector.guid], recipients: snapshot.recipients)
        let tracker = services.tracker
        let guid = connector.guid
        let handler = SMTPSessionHandler(
            services: services, configuration: config, tls: tls,
            onClose: { tracker.release(connector: guid, source: remote.address) })
        return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
    }

    static func describe(_ error: Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "the address is in use by another program"
            case EACCES: return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; see --port-offset)"
            case EADDRNOTAVAIL: return "the address is not on this host"
            default: return "\(io)"
            }
        }
        return "\(error)"
    }
}

/// Answers a connection that may not start a session with one reply, then closes it. The reply is written
/// once the channel is active (the initializer runs before that).
final class RefusingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reply: String

    init(reply: String) { self.reply = reply }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(string: reply + "\r\n"))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
