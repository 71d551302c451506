import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ReceptorControl

/// The listener's control socket (product.md): a Unix socket beside the store, mode 0600,
/// newline-delimited JSON. A client writes one request line:
///   {"command":"snapshot"}   → one line: sessions, per-connector counters, binding status, generation
///   {"command":"subscribe"}  → a snapshot line, then one line per event until the client closes, and a
///                              `tick` line each second (counters, sessions active since the last tick, delivery statistics)
///   {"command":"usage","connector":"<GUID or SERVER\\Name>","days":7}
///                            → one `UsageAnswer` line: who used the connector (read off the event loop)
public final class ControlServer: @unchecked Sendable {
    public typealias SnapshotProvider = @Sendable () -> ControlSnapshot

    /// Counters now, and the live sessions with activity after the given time.
    public typealias TickProvider =
        @Sendable (_ activeSince: Date) -> (counters: [String: ConnectorCounters], sessions: [LiveSession], delivery: DeliveryStatistics?)

    private let path: String
    private let events: ListenerEventBus
    private let snapshot: SnapshotProvider
    private let tick: TickProvider
    let logger: Logger
    private let usage: ConnectorUsageRecorder?
    private var channel: Channel?
    /// The TCP endpoint's socket, when one is open (`startEndpoint`).
    private var endpointChannel: Channel?

    public init(
        path: String, events: ListenerEventBus, usage: ConnectorUsageRecorder? = nil, logger: Logger, snapshot: @escaping SnapshotProvider,
        tick: @escaping TickProvider = { _ in ([:], [], nil) }
    ) {
        self.path = path
        self.events = events
        self.usage = usage
        self.snapshot = snapshot
        self.tick = tick
        self.logger = logger
    }

    public func start(group: EventLoopGroup) async throws {
        // A socket left by a listener that died is removed; one that still answers belongs to a live listener.
        if FileManager.default.fileExists(atPath: path) {
            if let live = try? await ClientBootstrap(group: group).connect(unixDomainSocketPath: path).get() {
                try? await live.close()
                throw ControlError(description: "Another listener already serves \(path).")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        let makeSession = sessionHandlerFactory()
        // The socket must never be reachable by others, not even for an instant: umask while binding.
        let old = umask(0o077)
        defer { umask(old) }
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: 4096)))
                    try channel.pipeline.syncOperations.addHandler(makeSession())
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false).get()
        chmod(path, 0o600)
    }

    /// Makes the handler that answers one client's requests (after the line decoder): the same for the Unix
    /// socket and, once authenticated, the TCP endpoint.
    func sessionHandlerFactory() -> @Sendable () -> ChannelHandler {
        let events = self.events
        let snapshot = self.snapshot
        let tick = self.tick
        let logger = self.logger
        let usage = self.usage
        return { ControlConnectionHandler(events: events, snapshot: snapshot, tick: tick, usage: usage, logger: logger) }
    }

    func setEndpointChannel(_ channel: Channel) { endpointChannel = channel }

    public func stop() async {
        try? await endpointChannel?.close()
        try? await channel?.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct ControlError: Error, CustomStringConvertible { let description: String }

/// A subscriber's queued event lines, filled from any thread and emptied by its channel's loop.
final class Outbox: @unchecked Sendable {
    private let lock = NIOLock()
    private var pending: [UInt8] = []
    private var flushScheduled = false
    private var missed = 0
    /// What one subscriber may have waiting before events are dropped (and a snapshot sent later instead).
    static let limit = 4 << 20

    /// Queues one event line; true when the caller must schedule a flush.
    func add(_ line: [UInt8]) -> Bool {
        lock.withLock {
            if missed > 0 || pending.count + line.count + 1 > Self.limit {
                missed += 1
            } else {
                pending.append(contentsOf: line)
                pending.append(UInt8(ascii: "\n"))
            }
            if flushScheduled { return false }
            flushScheduled = true
            return true
        }
    }

    /// Everything queued, and how many events were dropped since the last take.
    func take() -> (bytes: [UInt8], missed: Int) {
        lock.withLock {
            defer { pending = []; missed = 0; flushScheduled = false }
            return (pending, missed)
        }
    }
}

/// Splits input into lines, refusing lines longer than `maxLength` (a request is small).
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maxLength: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLength { throw ControlError(description: "request line too long") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}

/// One control-socket client. Requests are answered one at a time: the next is read only once the answer to
/// the previous one has gone to the socket, so a client that sends many requests and reads nothing holds at
/// most one answer (a snapshot) in the listener's memory, not one per request. A subscriber's events wait in
/// its `Outbox` (bounded; past it, a fresh snapshot when the client catches up).
final class ControlConnectionHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let events: ListenerEventBus
    private let snapshot: ControlServer.SnapshotProvider
    private let tick: ControlServer.TickProvider
    private let usage: ConnectorUsageRecorder?
    private let logger: Logger
    private var subscription: UUID?
    private var ticker: RepeatedTask?
    private let outbox = Outbox()
    /// Requests received and not yet answered (one read can hold many lines), and whether an answer is on its
    /// way to the socket. While either holds, reading waits (`readDeferred`).
    private var requests: [ByteBuffer] = []
    private var answering = false
    private var readDeferred = false
    /// Events are written in batches this far apart: one wake-up and one write for many events.
    static let batchInterval: TimeAmount = .milliseconds(10)
    /// Requests one read may leave waiting before the client is refused and dropped (a well-behaved client
    /// sends one and reads its answer).
    static let maximumWaitingRequests = 256
    static let requestHint = #"send one JSON line: {"command":"snapshot"}, {"command":"subscribe"} or {"command":"usage","connector":"…","days":7}"#

    init(
        events: ListenerEventBus, snapshot: @escaping ControlServer.SnapshotProvider, tick: @escaping ControlServer.TickProvider,
        usage: ConnectorUsageRecorder? = nil, logger: Logger
    ) {
        self.events = events
        self.snapshot = snapshot
        self.tick = tick
        self.usage = usage
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard requests.count < Self.maximumWaitingRequests else {
            requests = []
            send(context.channel, ["type": "error", "error": "too many requests waiting; send one and read its answer"])
                .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
            return
        }
        requests.append(unwrapInboundIn(data))
        if !answering { answerNext(context: context) }
    }

    /// Reading waits while requests wait or an answer is on its way.
    func read(context: ChannelHandlerContext) {
        if answering || !requests.isEmpty { readDeferred = true } else { context.read() }
    }

    /// Answers the oldest waiting request; the next one once this answer is written.
    private func answerNext(context: ChannelHandlerContext) {
        guard !requests.isEmpty else {
            answering = false
            if readDeferred { readDeferred = false; context.read() }
            return
        }
        answering = true
        let written = answer(String(buffer: requests.removeFirst()), context: context)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.whenComplete { [weak self] _ in
            let context = loopContext.value
            guard let self, context.channel.isActive else { return }
            self.answerNext(context: context)
        }
    }

    /// Carries out one request; the future completes when its answer has been written.
    private func answer(_ text: String, context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        struct Request: Decodable { var command: String }
        guard let request = try? JSONDecoder().decode(Request.self, from: Data(line.utf8)) else {
            return send(context.channel, ["type": "error", "error": Self.requestHint])
        }
        switch request.command {
        case "snapshot":
            return sendEncodable(context.channel, snapshot())
        case "subscribe":
            guard subscription == nil else { return sendEncodable(context.channel, snapshot()) }
            let channel = context.channel
            // Subscribe first, then take the snapshot: an event from another thread in between is then seen
            // twice (harmless: the monitor upserts), never lost. Its write is queued behind the snapshot's,
            // which this event-loop thread writes now.
            let outbox = outbox
            subscription = events.subscribe { [weak self] event in
                // Any thread: encode here, queue, and have the control channel's loop write the batch. A reader
                // that falls behind never holds up sessions: past the outbox's limit events are counted, not
                // kept, and the reader gets a fresh snapshot once it catches up.
                if outbox.add(event.json) { self?.scheduleFlush(channel) }
            }
            let written = sendEncodable(context.channel, snapshot())
            // Bytes, messages and idle times change without a state change: once a second, the counters and
            // the sessions that did something since the last tick, and the delivery statistics.
            let tick = self.tick
            let since = NIOLoopBoundBox(Date(), eventLoop: channel.eventLoop)
            ticker = channel.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [weak self] _ in
                let now = Date()
                let (counters, sessions, delivery) = tick(since.value)
                since.value = now
                if outbox.add(ListenerEvent(type: "tick", time: now, counters: counters, sessions: sessions, delivery: delivery).json) {
                    self?.scheduleFlush(channel)
                }
            }
            return written
        case "usage":
            // Reading up to a month of files is not for an event loop: a global queue reads, merges and encodes;
            // the answer is written from the loop. The next request still waits for this answer.
            let channel = context.channel
            let asked = (try? JSONDecoder().decode(UsageRequest.self, from: Data(line.utf8))) ?? UsageRequest(connector: nil, days: nil)
            let recorder = usage
            let promise = channel.eventLoop.makePromise(of: Data?.self)
            DispatchQueue.global().async {
                let rows = recorder?.rows(days: asked.clampedDays) ?? []
                let answer = UsageAnswer(request: asked, rows: rows, recording: recorder?.isEnabled ?? false)
                promise.succeed(try? ControlLine.encoder().encode(answer))
            }
            return promise.futureResult.flatMap { [weak self] data in
                guard let self, let data else { return channel.eventLoop.makeSucceededVoidFuture() }
                return self.write(channel, data)
            }
        default:
            return send(context.channel, ["type": "error", "error": "unknown command \(request.command)"])
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let subscription { events.unsubscribe(subscription) }
        ticker?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Any thread: the batch now in the outbox is written `batchInterval` from now, on the channel's loop.
    private func scheduleFlush(_ channel: Channel) {
        channel.eventLoop.scheduleTask(in: Self.batchInterval) { [weak self] in self?.flush(channel) }
    }

    /// On the channel's loop: writes what the outbox holds, or waits while the reader is behind; once the
    /// reader has caught up after events were dropped, sends a fresh snapshot (`missedEvents` says how many).
    private func flush(_ channel: Channel) {
        guard channel.isActive else { return }
        guard channel.isWritable else {
            channel.eventLoop.scheduleTask(in: .milliseconds(50)) { [weak self] in self?.flush(channel) }
            return
        }
        let (bytes, missed) = outbox.take()
        if !bytes.isEmpty {
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
        }
        if missed > 0 {
            var fresh = snapshot()
            fresh.missedEvents = missed
            sendEncodable(channel, fresh)
        }
    }

    @discardableResult
    private func send(_ channel: Channel, _ object: [String: String]) -> EventLoopFuture<Void> {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        return write(channel, data)
    }

    @discardableResult
    private func sendEncodable(_ channel: Channel, _ value: some Encodable) -> EventLoopFuture<Void> {
        guard let data = try? ControlLine.encoder().encode(value) else { return channel.eventLoop.makeSucceededVoidFuture() }
        return write(channel, data)
    }

    private func write(_ channel: Channel, _ data: Data) -> EventLoopFuture<Void> {
        var buffer = channel.allocator.buffer(capacity: data.count + 1)
        buffer.writeBytes(data)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return channel.writeAndFlush(buffer)
    }
}
