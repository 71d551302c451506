// The floor under the listener's event loops: an SMTP sink on SwiftNIO with nothing else — no engine, no
// connector, no files. It answers as smtp-sink does (a banner, 250 to every command, 354 to DATA, 250 after
// the final dot, 221 to QUIT) with one channel handler per connection, on as many event loops as cores, as
// `receptor listen` runs. Measured beside smtp-sink (bench/nio-floor.sh), it shows what NIO's channel
// pipeline per connection costs before any of Receptor's work: the part of the 1 KB target that no change
// to Receptor's own code can win back. With `engine`, each connection runs Receptor's SMTP engine instead
// (Default Frontend's settings as the benchmarks configure it; a message is "queued" at once, no file is
// written): NIO plus the engine, without the listener's bookkeeping and durable delivery. With `durable`, each
// message goes to Receptor's message store (group commit, Maildir, the `250` once it is durable) before its
// reply — without the engine (`niosink PORT durable`) it measures NIO plus durable delivery alone, the floor
// under the listener with a file per message; with it (`niosink PORT engine durable`), everything but the
// listener's bookkeeping (registry, events, monitor, counters, timers). Without the engine a message is
// stored as received, dot-stuffing and all: a benchmark's files, not mail.
//
//   niosink PORT [engine] [durable]   (durable needs NIOSINK_DATA, a data folder)
import BenchSupport
import Foundation
import NIOCore
import NIOPosix
import ReceptorCore
import ReceptorListener
import ReceptorSMTP

final class SinkHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The replies, made once: a ByteBuffer is shared until written to, so each write is a reference.
    static let banner = ByteBuffer(string: "220 niosink ESMTP\r\n")
    static let ehlo = ByteBuffer(string: "250-niosink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
    static let ok = ByteBuffer(string: "250 2.0.0 OK\r\n")
    static let go = ByteBuffer(string: "354 Start mail input\r\n")
    static let queued = ByteBuffer(string: "250 2.6.0 Queued\r\n")
    static let bye = ByteBuffer(string: "221 Bye\r\n")

    /// In a command line: its first four bytes, upper-cased, and how many were seen.
    private var verb: UInt32 = 0
    private var verbLength = 0
    private var inData = false
    /// How much of CR LF . CR LF the body has matched (it starts after a line end: 2).
    private var endMatch = 2
    /// With a store: the message so far, delivered at its final dot.
    private let store: MessageStore?
    private var body: [UInt8] = []
    /// Where this read's message bytes start (after the DATA line, or 0).
    private var dataStart = 0
    private var delivered: Int64 = 0

    init(store: MessageStore?) { self.store = store }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(Self.banner), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var wrote = false
        var quit = false
        buffer.withUnsafeReadableBytes { bytes in
            for (index, byte) in bytes.enumerated() {
                if inData {
                    // CR LF . CR LF, as a five-state match.
                    switch (endMatch, byte) {
                    case (1, 0x0A), (2, 0x2E), (3, 0x0D), (4, 0x0A): endMatch += 1
                    case (_, 0x0D): endMatch = 1
                    default: endMatch = 0
                    }
                    if endMatch == 5 {
                        inData = false
                        endMatch = 2
                        if let store {
                            // Everything up to this read's dot, less the dot line; replies after it is durable.
                            body += bytes[min(dataStart, index + 1)..<(index + 1)]
                            body.removeLast(3)
                            deliver(to: store, context: context)
                        } else {
                            context.write(wrapOutboundOut(Self.queued), promise: nil)
                            wrote = true
                        }
                    }
                    continue
                }
                if byte != 0x0A {
                    if verbLength < 4 { verb = verb << 8 | UInt32(byte & 0xDF); verbLength += 1 }
                    continue
                }
                let command = verb
                verb = 0; verbLength = 0
                switch command {
                case 0x4548_4C4F: context.write(wrapOutboundOut(Self.ehlo), promise: nil)   // EHLO
                case 0x4441_5441:   // DATA
                    inData = true
                    dataStart = index + 1
                    context.write(wrapOutboundOut(Self.go), promise: nil)
                case 0x5155_4954: quit = true; return   // QUIT
                default: context.write(wrapOutboundOut(Self.ok), promise: nil)
                }
                wrote = true
            }
        }
        // A message that goes on in the next read: keep what this one held of it.
        if inData, store != nil {
            buffer.withUnsafeReadableBytes { body += $0[min(dataStart, $0.count)...] }
        }
        dataStart = 0
        if quit {
            context.writeAndFlush(wrapOutboundOut(Self.bye)).whenComplete { _ in context.close(promise: nil) }
        } else if wrote {
            context.flush()
        }
    }
}

extension SinkHandler {
    fileprivate func deliver(to store: MessageStore, context: ChannelHandlerContext) {
        delivered += 1
        let message = body
        body = []
        let loop = context.eventLoop
        let channel = context.channel
        store.deliver(envelope: .bench(id: "\(ObjectIdentifier(self).hashValue)-\(delivered)"), headers: [], body: message,
                      local: ["rcpt@example.com"], relayed: [], on: loop) { result in
            if case .failure(let error) = result { fatalError("niosink: delivery failed: \(error)") }
            channel.writeAndFlush(Self.queued, promise: nil)
        }
    }
}

extension MessageStore.Envelope {
    static func bench(id: String) -> Self {
        .init(messageID: id, mailFrom: "a@example.com", recipients: ["rcpt@example.com"], connector: "niosink",
              clientAddress: "127.0.0.1", heloName: "niosink", authenticatedAs: nil, receivedAt: Date())
    }
}

/// Receptor's engine behind the same pipeline: replies encoded into NIO buffers as the listener does, every
/// message accepted without touching the disk.
final class EngineHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var connection: SMTPConnection
    private var queued: Int64 = 0
    private let store: MessageStore?

    init(configuration: SessionConfiguration, store: MessageStore?) {
        connection = SMTPConnection(configuration: configuration)
        self.store = store
    }

    func channelActive(context: ChannelHandlerContext) { carryOut(connection.start(at: Date()), context: context) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let actions = unwrapInboundIn(data).withUnsafeReadableBytes { connection.receive($0, at: Date()) }
        carryOut(actions, context: context)
    }

    private func carryOut(_ actions: [SessionAction], context: ChannelHandlerContext) {
        var pending = actions[...]
        var wrote = false
        while let action = pending.popFirst() {
            switch action {
            case .reply(let reply):
                var buffer = context.channel.allocator.buffer(capacity: 64)
                reply.encode(enhanced: true, into: &buffer)
                context.write(wrapOutboundOut(buffer), promise: nil)
                wrote = true
            case .deliver(let envelope):
                queued += 1
                let id = queued
                guard let store else {
                    pending.append(contentsOf: connection.handle(.deliveryResult(.queued(internalID: id)), at: Date()))
                    break
                }
                // As the listener does: the envelope's headers and body to the store, the engine told on the loop.
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
                store.deliver(envelope: .bench(id: envelope.messageID), headers: envelope.prependedHeaderBytes,
                              body: envelope.message, local: ["rcpt@example.com"], relayed: [], on: context.eventLoop) { result in
                    if case .failure(let error) = result { fatalError("niosink: delivery failed: \(error)") }
                    let this = handler.value
                    this.carryOut(this.connection.handle(.deliveryResult(.queued(internalID: id)), at: Date()), context: loopContext.value)
                }
            case .close:
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                    context.close(promise: nil)
                }
                return
            default:
                break
            }
        }
        if wrote { context.flush() }
    }
}

extension BenchSettings {
    /// A connection's settings from its channel's addresses.
    func configuration(for channel: Channel) -> SessionConfiguration {
        let local = SMTPEndpoint(address: try! IPAddress(parsing: "127.0.0.1"), port: channel.localAddress?.port ?? 0)
        let remote = SMTPEndpoint(address: try! IPAddress(parsing: "127.0.0.1"), port: channel.remoteAddress?.port ?? 0)
        return configuration(local: local, remote: remote)
    }
}

let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 2626
let switches = Set(CommandLine.arguments.dropFirst(2))
let settings: BenchSettings? = switches.contains("engine") ? BenchSettings() : nil
let store: MessageStore? = switches.contains("durable") ? MessageStore(dataDirectory: ProcessInfo.processInfo.environment["NIOSINK_DATA"] ?? {
    FileHandle.standardError.write(Data("niosink: durable needs NIOSINK_DATA (a data folder)\n".utf8)); exit(2)
}()) : nil
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            let handler: ChannelHandler = settings.map { EngineHandler(configuration: $0.configuration(for: channel), store: store) }
                ?? SinkHandler(store: store)
            try channel.pipeline.syncOperations.addHandler(handler)
        }
    }
    .bind(host: "127.0.0.1", port: port).wait()
try channel.closeFuture.wait()
