// The floor under the listener's event loops: an SMTP sink on SwiftNIO with nothing else — no engine, no
// connector, no files. It answers as smtp-sink does (a banner, 250 to every command, 354 to DATA, 250 after
// the final dot, 221 to QUIT) with one channel handler per connection, on as many event loops as cores, as
// `receptor listen` runs. Measured beside smtp-sink (bench/nio-floor.sh), it shows what NIO's channel
// pipeline per connection costs before any of Receptor's work: the part of the 1 KB target that no change
// to Receptor's own code can win back.
//
//   niosink PORT
import NIOCore
import NIOPosix

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
                    case (0, 0x0D), (2, 0x2E), (3, 0x0D): endMatch += 1
                    case (1, 0x0A), (4, 0x0A): endMatch += 1
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

let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 2626
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SinkHandler()) }
    }
    .bind(host: "127.0.0.1", port: port).wait()
try channel.closeFuture.wait()
