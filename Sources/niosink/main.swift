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
// With `floor` instead of `durable`, the least a group commit can do: each message written on its event loop
// under a plain scratch name in one Maildir's tmp/ (no seal, no envelope, folder descriptors held open), one
// syncfs per round on a syncer thread, then a link into new/ and the 250; the scratch names go after the next
// sync — the system calls of bench/fs-floor.sh behind NIO. What no message store of this design can beat.
// `floor-writer` writes on a writer thread instead of the event loop, as Receptor's store does. `journal` is
// the other design, Exchange's (its queue database's transaction log): each message appended to one journal
// file (preallocated, reused in a ring for the benchmark) on a writer thread, one fdatasync per round, the 250,
// and then, off the 250's path, Maildir delivery (tmp/, rename into new/) with a syncfs every 200 messages.
//
//   niosink PORT [engine] [durable | floor | floor-writer | journal]   (durable and floor need NIOSINK_DATA, a data folder)
import BenchSupport
import CLinuxFiles
import Foundation
import NIOConcurrencyHelpers
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
    private let floor: FloorCommit?
    private let journal: JournalCommit?
    private var body: [UInt8] = []
    /// Where this read's message bytes start (after the DATA line, or 0).
    private var dataStart = 0
    private var delivered: Int64 = 0

    init(store: MessageStore?, floor: FloorCommit?, journal: JournalCommit?) { self.store = store; self.floor = floor; self.journal = journal }
    private var durable: Bool { store != nil || floor != nil || journal != nil }

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
                        if durable {
                            // Everything up to this read's dot, less the dot line; replies after it is durable.
                            body += bytes[min(dataStart, index + 1)..<(index + 1)]
                            body.removeLast(3)
                            deliver(context: context)
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
                case 0x4548_4C4F: context.write(wrapOutboundOut(Self.ehlo), promise: nil)  // EHLO
                case 0x4441_5441:  // DATA
                    inData = true
                    dataStart = index + 1
                    context.write(wrapOutboundOut(Self.go), promise: nil)
                case 0x5155_4954: quit = true; return  // QUIT
                default: context.write(wrapOutboundOut(Self.ok), promise: nil)
                }
                wrote = true
            }
        }
        // A message that goes on in the next read: keep what this one held of it.
        if inData, durable {
            buffer.withUnsafeReadableBytes { body += $0[min(dataStart, $0.count)...] }
        }
        dataStart = 0
        if quit {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(Self.bye)).whenComplete { _ in channel.close(promise: nil) }
        } else if wrote {
            context.flush()
        }
    }
}

extension SinkHandler {
    fileprivate func deliver(context: ChannelHandlerContext) {
        delivered += 1
        let message = body
        body = []
        let loop = context.eventLoop
        let channel = context.channel
        if let floor {
            floor.deliver(message, on: loop) { channel.writeAndFlush(Self.queued, promise: nil) }
            return
        }
        if let journal {
            journal.deliver(message, on: loop) { channel.writeAndFlush(Self.queued, promise: nil) }
            return
        }
        store!.deliver(
            envelope: .bench(id: "\(ObjectIdentifier(self).hashValue)-\(delivered)"), headers: [], body: message,
            local: ["rcpt@example.com"], relayed: [], on: loop
        ) { result in
            if case .failure(let error) = result { fatalError("niosink: delivery failed: \(error)") }
            channel.writeAndFlush(Self.queued, promise: nil)
        }
    }
}

/// Work handed from thread to thread: `add` from any thread, `takeAll` waits for some and takes it all.
final class WorkQueue<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []

    func add(_ item: Item) { add(contentsOf: [item]) }

    func add(contentsOf more: [Item]) {
        condition.lock(); items.append(contentsOf: more); condition.signal(); condition.unlock()
    }

    func takeAll() -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let taken = items
        items = []
        return taken
    }
}

/// A message waiting to be made durable, and what to run on its event loop once it is.
typealias Waiting = (loop: EventLoop, done: () -> Void)

/// Runs each `done` on its event loop, one hop per loop.
func report(_ messages: [Waiting]) {
    var byLoop: [(EventLoop, [() -> Void])] = []
    for message in messages {
        if let i = byLoop.firstIndex(where: { $0.0 === message.loop }) {
            byLoop[i].1.append(message.done)
        } else {
            byLoop.append((message.loop, [message.done]))
        }
    }
    for (loop, dones) in byLoop {
        let handOver = OnItsLoop(dones)
        loop.execute { for done in handOver.value { done() } }
    }
}

/// Closures made on an event loop for that loop, carried there from the syncer's thread (they run only there).
struct OnItsLoop<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// One Maildir's tmp/ and new/, made if missing and held open.
struct BenchMaildir {
    let tmp: Int32, new: Int32

    init(in folder: String) {
        let maildir = folder + "/Maildir"
        for sub in ["", "/tmp", "/new"] { mkdir(maildir + sub, 0o700) }
        tmp = open(maildir + "/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        new = open(maildir + "/new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        precondition(tmp >= 0 && new >= 0, "niosink: can't open \(maildir)")
    }

    /// Writes `message` under `name` in tmp/.
    func write(_ message: [UInt8], as name: String) {
        let fd = openat(tmp, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0, message.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == message.count, close(fd) == 0 else {
            fatalError("niosink: can't write \(name)")
        }
    }
}

/// The floor under a group commit (see the top of this file): plain scratch names, one syncfs per round.
final class FloorCommit: @unchecked Sendable {
    private let maildir: BenchMaildir
    private let toWrite = WorkQueue<(message: [UInt8], waiting: Waiting)>()
    private let toSync = WorkQueue<(name: String, waiting: Waiting)>()
    private let names = NIOLockedValueBox(0)
    private let useWriter: Bool

    init(folder: String, writerThread: Bool) {
        maildir = BenchMaildir(in: folder)
        useWriter = writerThread
        Thread { [self] in runSyncer() }.start()
        if writerThread { Thread { [self] in runWriter() }.start() }
    }

    func deliver(_ message: [UInt8], on loop: EventLoop, done: @escaping () -> Void) {
        if useWriter { toWrite.add((message, (loop, done))) } else { write(message, (loop, done)) }
    }

    private func runWriter() {
        while true { for m in toWrite.takeAll() { write(m.message, m.waiting) } }
    }

    private func write(_ message: [UInt8], _ waiting: Waiting) {
        let name = "m\(names.withLockedValue { $0 += 1; return $0 })"
        maildir.write(message, as: name)
        toSync.add((name, waiting))
    }

    private func runSyncer() {
        var linked: [String] = []
        while true {
            let round = toSync.takeAll()
            guard receptor_syncfs(maildir.tmp) == 0 else { fatalError("niosink: syncfs failed") }
            // That sync also covered the last round's links: their scratch names can go.
            for name in linked { unlinkat(maildir.tmp, name, 0) }
            linked = round.map(\.name)
            for name in linked where linkat(maildir.tmp, name, maildir.new, name, 0) != 0 { fatalError("niosink: can't link \(name)") }
            report(round.map(\.waiting))
        }
    }
}

/// Journal first, Maildir after (see the top of this file).
final class JournalCommit: @unchecked Sendable {
    private let journal: Int32
    private static let journalSize = 64 << 20
    private var offset = 0
    private let maildir: BenchMaildir
    private let toWrite = WorkQueue<(message: [UInt8], waiting: Waiting)>()
    private let toSync = WorkQueue<(message: [UInt8], waiting: Waiting)>()
    private let toDeliver = WorkQueue<[UInt8]>()

    init(folder: String) {
        maildir = BenchMaildir(in: folder)
        journal = open(folder + "/journal", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        precondition(journal >= 0, "niosink: can't open \(folder)/journal")
        // Written out once, so that appends allocate nothing and fdatasync has only data to write.
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<(Self.journalSize >> 20) { _ = zeros.withUnsafeBytes { Glibc.write(journal, $0.baseAddress, $0.count) } }
        fsync(journal)
        Thread { [self] in runWriter() }.start()
        Thread { [self] in runSyncer() }.start()
        Thread { [self] in runMaildir() }.start()
    }

    func deliver(_ message: [UInt8], on loop: EventLoop, done: @escaping () -> Void) {
        toWrite.add((message, (loop, done)))
    }

    private func runWriter() {
        while true {
            let batch = toWrite.takeAll()
            for m in batch {
                // A record: its length, then the message (a real journal adds the envelope and a checksum).
                var length = UInt32(m.message.count)
                if offset + 4 + m.message.count > Self.journalSize { offset = 0 }
                _ = withUnsafeBytes(of: &length) { pwrite(journal, $0.baseAddress, 4, off_t(offset)) }
                _ = m.message.withUnsafeBytes { pwrite(journal, $0.baseAddress, $0.count, off_t(offset + 4)) }
                offset += 4 + m.message.count
            }
            toSync.add(contentsOf: batch)
        }
    }

    private func runSyncer() {
        while true {
            let round = toSync.takeAll()
            guard fdatasync(journal) == 0 else { fatalError("niosink: fdatasync failed") }
            report(round.map(\.waiting))
            toDeliver.add(contentsOf: round.map(\.message))
        }
    }

    private func runMaildir() {
        var sequence = 0, sinceCheckpoint = 0
        while true {
            let batch = toDeliver.takeAll()
            for message in batch {
                sequence += 1
                let name = "j\(sequence)"
                maildir.write(message, as: name)
                guard renameat(maildir.tmp, name, maildir.new, name) == 0 else { fatalError("niosink: can't deliver \(name)") }
            }
            sinceCheckpoint += batch.count
            // The journal's records up to here may be reused once Maildir is durable.
            if sinceCheckpoint >= 200 { _ = receptor_syncfs(maildir.tmp); sinceCheckpoint = 0 }
        }
    }
}

extension MessageStore.Envelope {
    static func bench(id: String) -> Self {
        .init(
            messageID: id, mailFrom: "a@example.com", recipients: ["rcpt@example.com"], connector: "niosink",
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
                store.deliver(
                    envelope: .bench(id: envelope.messageID), headers: envelope.prependedHeaderBytes,
                    body: envelope.message, local: ["rcpt@example.com"], relayed: [], on: context.eventLoop
                ) { result in
                    if case .failure(let error) = result { fatalError("niosink: delivery failed: \(error)") }
                    let this = handler.value
                    this.carryOut(this.connection.handle(.deliveryResult(.queued(internalID: id)), at: Date()), context: loopContext.value)
                }
            case .close:
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                    channel.close(promise: nil)
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
let journal: JournalCommit? =
    switches.contains("journal")
    ? JournalCommit(
        folder: ProcessInfo.processInfo.environment["NIOSINK_DATA"]
            ?? {
                FileHandle.standardError.write(Data("niosink: journal needs NIOSINK_DATA (a data folder)\n".utf8)); exit(2)
            }()) : nil
let floor: FloorCommit? =
    switches.contains("floor") || switches.contains("floor-writer")
    ? FloorCommit(
        folder: ProcessInfo.processInfo.environment["NIOSINK_DATA"]
            ?? {
                FileHandle.standardError.write(Data("niosink: floor needs NIOSINK_DATA (a data folder)\n".utf8)); exit(2)
            }(), writerThread: switches.contains("floor-writer")) : nil
let store: MessageStore? =
    switches.contains("durable")
    ? MessageStore(
        dataDirectory: ProcessInfo.processInfo.environment["NIOSINK_DATA"]
            ?? {
                FileHandle.standardError.write(Data("niosink: durable needs NIOSINK_DATA (a data folder)\n".utf8)); exit(2)
            }()) : nil
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            let handler: ChannelHandler =
                settings.map { EngineHandler(configuration: $0.configuration(for: channel), store: store) }
                ?? SinkHandler(store: store, floor: floor, journal: journal)
            try channel.pipeline.syncOperations.addHandler(handler)
        }
    }
    .bind(host: "127.0.0.1", port: port).wait()
try channel.closeFuture.wait()
