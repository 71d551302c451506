// The floor under the listener's event loops: an SMTP sink on SwiftNIO with nothing else — no engine, no
// connector, no files. It answers as smtp-sink does (a banner, 250 to every command, 354 to DATA, 250 after
// the final dot, 221 to QUIT) with one channel handler per connection, on as many event loops as cores, as
// `receptor listen` runs. Measured beside smtp-sink (bench/nio-floor.sh), it shows what NIO's channel
// pipeline per connection costs before any of Receptor's work: the part of the 1 KB target that no change
// to Receptor's own code can win back. With `engine`, each connection runs Receptor's SMTP engine instead
// (Default Frontend's settings as the benchmarks configure it; a message is "queued" at once, no file is
// written): NIO plus the engine, without the listener's bookkeeping and durable delivery.
//
//   niosink PORT [engine]
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

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(Self.banner), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var wrote = false
        var quit = false
        buffer.withUnsafeReadableBytes { bytes in
            for byte in bytes {
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
                        context.write(wrapOutboundOut(Self.queued), promise: nil)
                        wrote = true
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
                case 0x4441_5441: inData = true; context.write(wrapOutboundOut(Self.go), promise: nil)   // DATA
                case 0x5155_4954: quit = true; return   // QUIT
                default: context.write(wrapOutboundOut(Self.ok), promise: nil)
                }
                wrote = true
            }
        }
        if quit {
            context.writeAndFlush(wrapOutboundOut(Self.bye)).whenComplete { _ in context.close(promise: nil) }
        } else if wrote {
            context.flush()
        }
    }
}

/// Receptor's engine behind the same pipeline: replies encoded into NIO buffers as the listener does, every
/// message accepted without touching the disk.
final class EngineHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var connection: SMTPConnection
    private var queued: Int64 = 0

    init(configuration: SessionConfiguration) { connection = SMTPConnection(configuration: configuration) }

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
            case .deliver:
                queued += 1
                pending.append(contentsOf: connection.handle(.deliveryResult(.queued(internalID: queued)), at: Date()))
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
let settings: BenchSettings? = CommandLine.arguments.dropFirst(2).first == "engine" ? BenchSettings() : nil
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            let handler: ChannelHandler = settings.map { EngineHandler(configuration: $0.configuration(for: channel)) } ?? SinkHandler()
            try channel.pipeline.syncOperations.addHandler(handler)
        }
    }
    .bind(host: "127.0.0.1", port: port).wait()
try channel.closeFuture.wait()
