import Foundation
import NIOCore
import NIOSSL
import NIOTLS
import ReceptorCore
import ReceptorSMTP
import ReceptorControl

/// Carries bytes between a TCP connection and one `SMTPConnection` (the pure protocol engine), and carries
/// out its actions: write replies, start TLS, check a password, store a message, log, wait, close.
/// Everything runs on the channel's event loop; blocking work (password hashing, fsync) goes to the thread
/// pool and comes back as an event.
///
/// This file holds the channel's life cycle and the dispatch of the engine's actions. Each concern has its
/// own file of extensions, as swift-nio-imap arranges its handlers:
/// - `SMTPSessionHandler+Timers.swift`: the tarpit delay and the session's deadline timer;
/// - `SMTPSessionHandler+TLS.swift`: STARTTLS and the end of its handshake;
/// - `SMTPSessionHandler+OffLoopWork.swift`: password checks and deliveries, off the event loop;
/// - `SMTPSessionHandler+Telemetry.swift`: protocol log, monitor events, counters and the registry entry;
/// - `SMTPSessionHandler+Backpressure.swift`: reading pauses while input or replies pile up.
///
/// The stored state is internal (not private) only so that those extensions can reach it; nothing outside
/// this handler touches it.
final class SMTPSessionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let services: ListenerServices
    let tls: ListenerTLS?
    let onClose: @Sendable () -> Void
    var connection: SMTPConnection
    var context: ChannelHandlerContext?
    /// Actions waiting behind a tarpit delay, and input that arrived meanwhile.
    var delayedActions: [SessionAction] = []
    var delayedInput: [UInt8] = []
    var delaying = false
    /// STARTTLS was accepted and its handshake has not completed: every byte the client sends meanwhile is
    /// discarded (RFC 3207). Set when the engine's `.startTLS` is carried out, or as soon as a tarpit holds
    /// one back; cleared when the handshake completes.
    var awaitingHandshake = false
    /// Reading from the socket is paused (see `SMTPSessionHandler+Backpressure.swift`).
    var readingPaused = false
    var deadlineTimer: Scheduled<Void>?
    /// When `deadlineTimer` fires.
    var timerDue: Date?
    var closing = false
    var closed = false
    var bytesIn: Int64 = 0
    var lastState = "Connected"
    /// The message being queued, as the monitor will list it once the engine accepts it. An array, not an
    /// optional: an empty array is one word in each of 10,000 idle sessions, an optional struct a dozen.
    var pendingSummary: [MessageSummary] = []
    /// What this session did that connector usage records when it ends (messages come from the engine).
    var usageTally = (relayed: 0, rejected: 0)
    /// This session's entry in the registry (set when the handler is added).
    var registrySlot: SessionRegistry.Slot?
    /// The spooled part of the DATA body being received, past `spillThreshold` (`BodySpool`).
    var spool: BodySpool?
    /// A DATA body keeps this much in memory; the rest is spooled as it arrives, so a session's memory does
    /// not depend on the size of its message. Well above the 1 KB and 100 KB messages of the throughput
    /// benchmarks, which keep today's in-memory path (no file, no system call more).
    static let spillThreshold = 1 << 20

    init(services: ListenerServices, configuration: SessionConfiguration, tls: ListenerTLS?, onClose: @escaping @Sendable () -> Void) {
        self.services = services
        self.tls = tls
        self.onClose = onClose
        connection = SMTPConnection(configuration: configuration, spillThreshold: Self.spillThreshold)
    }

    /// The session's settings, kept once, in the engine: a copy here too cost 712 bytes per session, 7 MB of
    /// the 10,000 idle sessions' memory.
    var configuration: SessionConfiguration { connection.session.configuration }

    // MARK: The channel's life cycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        register(context: context)
    }

    /// NIO's context keeps its handler, and this handler keeps its context and its registry entry (whose
    /// callback keeps the handler): both cycles are broken here, when the closed channel's pipeline lets go
    /// of its handlers. Without this every connection's session, buffers included, stayed in memory.
    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
        registrySlot = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        run(connection.start(at: Date()))
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard !closing else { return }
        bytesIn += Int64(buffer.readableBytes)
        // Plaintext sent after STARTTLS and before the handshake: never a command, not even a deferred one.
        if awaitingHandshake { return }
        if delaying {
            delayedInput += buffer.readableBytesView
            updateReading()
            return
        }
        // The engine copies the bytes into its own buffer, which keeps its capacity between reads: no array
        // is made per read.
        let actions = buffer.withUnsafeReadableBytes { bytes in connection.receive(bytes, at: Date()) }
        run(actions)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset or a TLS failure ends the session; the engine logs the disconnect.
        if case .some = error as? NIOSSLError {
            run(connection.handle(.tlsFailed(reason: "\(error)"), at: Date()))
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            tlsHandshakeCompleted(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func finish() {
        guard !closed else { return }
        closed = true
        deadlineTimer?.cancel()
        if !connection.isClosed { run(connection.handle(.remoteClosed, at: Date())) }
        discardSpool()
        unregister()
        onClose()
    }

    // MARK: Carrying out actions

    func run(_ actions: [SessionAction]) {
        var actions = actions[...]
        var wrote = false
        let watched = services.events.hasSubscribers
        let protocolLog = self.protocolLog
        var transcript: [TranscriptLine] = []
        defer { publish(transcript) }
        while let action = actions.popFirst() {
            guard let context else { return }
            switch action {
            case .reply(let reply):
                count(reply)
                var buffer = context.channel.allocator.buffer(capacity: reply.lines.reduce(0) { $0 + $1.utf8.count + 16 })
                reply.encode(enhanced: true, into: &buffer)
                context.write(wrapOutboundOut(buffer), promise: nil)
                wrote = true
            case .startTLS:
                context.flush()
                wrote = false
                discardInputUntilHandshake()
                startTLS(context: context)
            case .authenticate(let credentials):
                authenticate(credentials, context: context)
            case .deliver(let envelope):
                deliver(envelope, context: context)
            case .close:
                closing = true
                wrote = false
                // The TLS handler holds writes back until its handshake completes: waiting for them to go out
                // would keep a client that never finishes the handshake connected forever.
                if awaitingHandshake {
                    context.close(promise: nil)
                    break
                }
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                    channel.close(promise: nil)
                }
            case .delay(let seconds):
                if wrote { context.flush(); wrote = false }
                beginDelay(seconds: seconds, deferring: actions, context: context)
                actions = []
            case .log(let event):
                record(event, protocolLog: protocolLog, watched: watched, transcript: &transcript)
            case .messageAccepted(let accepted):
                actions.append(contentsOf: messageAccepted(accepted))
            case .messageRejected(let reply):
                discardSpool()
                messageRejected(reply)
            case .spillBody(let bytes, let first):
                spill(bytes, first: first)
            case .expectData, .expectChunk:
                break
            }
        }
        if wrote { context?.flush() }
        scheduleDeadline()
        updateReading()
        publishState()
    }
}
