import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import ReceptorControlLink
import ReceptorStore

/// The TCP control endpoint (`receptor listen --control-port`; docs/decisions/2026-12-06-control-endpoint.md):
/// the control socket's protocol for consoles on other hosts. TLS 1.3 only, with the listener's certificate
/// (the one its registration names by SHA-256); then the challenge–response of `ControlAuthentication` with
/// the organization's control secret; only then the snapshot, the feed and usage. A plaintext client gets a
/// failed handshake and the close; a wrong or missing answer gets one refusal line a second later and the close.
/// Connections not yet authenticated are bounded in number and time, and a source that fails too often is
/// turned away at connect (the SMTP listener's AUTH bounds, `AuthenticationLimits`).
public struct ControlEndpointOptions: Sendable {
    /// The address to bind; the wildcard by default.
    public var address: String
    public var port: Int
    /// From accept to the end of the authentication (TLS handshake included): a client still not authenticated
    /// then is closed, and counts as a failure of its source. `defaultAuthenticationDeadline` unless a test
    /// shortens it.
    public var authenticationDeadline: TimeAmount

    public init(address: String = "0.0.0.0", port: Int, authenticationDeadline: TimeAmount = Self.defaultAuthenticationDeadline) {
        self.address = address
        self.port = port
        self.authenticationDeadline = authenticationDeadline
    }

    /// Connections that have not authenticated yet, at most.
    public static let maximumUnauthenticated = 16
    /// The time a client has to authenticate (TLS handshake included).
    public static let defaultAuthenticationDeadline: TimeAmount = .seconds(10)
    /// A refusal waits this long, holding its connection's place: guessing is slow.
    public static let refusalDelay: TimeAmount = .seconds(1)
    /// Failures from one source address within `failureWindow` after which it is turned away at connect.
    public static let failuresPerSource = 10
    public static let failureWindow: TimeInterval = 600

    /// The endpoint as the registration names it: the host name for a wildcard address, else the address.
    public func advertised(boundPort: Int, hostName: String = ProcessInfo.processInfo.hostName) -> String {
        let wildcard = address == "0.0.0.0" || address == "::" || address == "[::]"
        let host = wildcard ? hostName : address.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return ReceptorControlLink.ControlEndpoint.text(host: host, port: boundPort)
    }
}

extension ControlServer {
    /// Opens the TCP endpoint; returns the port bound (the one asked for, or the one the system chose for 0).
    public func startEndpoint(
        group: EventLoopGroup, options: ControlEndpointOptions, identity: CertificateIdentity, secret: ControlSecret
    ) async throws -> Int {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.certificateChain.map { .certificate($0) }, privateKey: .privateKey(identity.privateKey))
        configuration.minimumTLSVersion = .tlsv13
        let context = try NIOSSLContext(configuration: configuration)
        guard let fingerprint = Hex.bytes(identity.sha256Fingerprint) else {
            throw ControlError(description: "the certificate's fingerprint is not hex")
        }
        let limits = AuthenticationLimits(
            maximumConcurrentChecks: ControlEndpointOptions.maximumUnauthenticated,
            failuresPerSource: ControlEndpointOptions.failuresPerSource, failureWindow: ControlEndpointOptions.failureWindow)
        let makeSession = sessionHandlerFactory()
        let logger = self.logger
        let authenticationDeadline = options.authenticationDeadline
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let source = channel.remoteAddress?.ipAddress ?? "unknown"
                    guard limits.admit(source: source) == .admitted else {
                        logger.debug("control endpoint: \(source) turned away (too many connections, or too many failures)")
                        channel.close(promise: nil)
                        return
                    }
                    let auth = ControlAuthHandler(
                        server: ControlAuthentication.Server(secret: secret, fingerprint: fingerprint), limits: limits, source: source,
                        deadline: authenticationDeadline, logger: logger, makeSession: makeSession)
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: 4096)))
                    try channel.pipeline.syncOperations.addHandler(auth)
                }
            }
            .bind(host: options.address, port: options.port).get()
        setEndpointChannel(channel)
        return channel.localAddress?.port ?? options.port
    }
}

/// Before a TCP client may use the control protocol: the challenge once TLS is up, then one answer line.
final class ControlAuthHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State { case awaitingTLS, challenged, decided }
    private let server: ControlAuthentication.Server
    private let limits: AuthenticationLimits
    private let source: String
    private let logger: Logger
    private let makeSession: @Sendable () -> ChannelHandler
    private var state = State.awaitingTLS
    private var settled = false
    /// How long the client has from accept (`ControlEndpointOptions.authenticationDeadline`), and its timer.
    private let allowed: TimeAmount
    private var deadline: Scheduled<Void>?

    init(
        server: ControlAuthentication.Server, limits: AuthenticationLimits, source: String, deadline: TimeAmount, logger: Logger,
        makeSession: @escaping @Sendable () -> ChannelHandler
    ) {
        self.server = server; self.limits = limits; self.source = source; self.allowed = deadline; self.logger = logger
        self.makeSession = makeSession
    }

    /// The connection's place among the unauthenticated ones is given back once, whatever happens.
    private func settle(failed: Bool) {
        guard !settled else { return }
        settled = true
        deadline?.cancel()
        limits.finish(source: source, failed: failed)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let source = self.source, logger = self.logger
        deadline = context.eventLoop.scheduleTask(in: allowed) { [weak self] in
            logger.notice("control endpoint: closed a client from \(source) that did not authenticate in time")
            self?.settle(failed: true)
            channel.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent, state == .awaitingTLS {
            state = .challenged
            write(context, server.challengeLine)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state == .challenged else { return }  // nothing before the challenge, nothing after a refusal
        state = .decided
        let line = unwrapInboundIn(data)
        if server.accepts(Data(line.readableBytesView)) {
            settle(failed: false)
            write(context, ControlAuthentication.acceptedLine)
            do {
                try context.pipeline.syncOperations.addHandler(makeSession(), position: .after(self))
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            } catch {
                context.close(promise: nil)
            }
            return
        }
        logger.notice("control endpoint: refused a client from \(source) (wrong or missing answer to the challenge)")
        let channel = context.channel
        context.eventLoop.scheduleTask(in: ControlEndpointOptions.refusalDelay) { [weak self] in
            guard let self else { return }
            var buffer = channel.allocator.buffer(capacity: 64)
            buffer.writeString(ControlAuthentication.refusalLine + "\n")
            channel.writeAndFlush(buffer).whenComplete { _ in
                self.settle(failed: true)
                channel.close(promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A client that goes away without answering frees its place but is no failure: a health check's
        // connect-and-close must not get its host turned away (a wrong answer, or the deadline, is one).
        settle(failed: false)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A TLS failure (a plaintext client, a client that does not trust the certificate): the close, nothing else.
        context.close(promise: nil)
    }

    private func write(_ context: ChannelHandlerContext, _ line: String) {
        var buffer = context.channel.allocator.buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line + "\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
