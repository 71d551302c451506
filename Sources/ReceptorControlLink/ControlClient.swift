import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ReceptorControl
import ReceptorStore

#if canImport(Glibc)
    import Glibc
#endif

/// Why a control connection could not be made or was refused; one line, never the secret.
public struct ControlClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The one client of a listener's control protocol, for the console's monitor, its usage reader and `receptor
/// status`: the Unix socket on this host, or the TCP endpoint over TLS (the registered certificate only) with
/// the challenge–response of `ControlAuthentication`. Blocking, for the callers' background threads; every
/// wait has a deadline.
public enum ControlClient {
    /// Connects (and, over TCP, completes TLS and authenticates) within `timeout`.
    public static func connect(_ target: ControlTarget, timeout: TimeInterval = 5) throws -> ControlConnection {
        let endpoint = target.endpoint
        switch endpoint {
        case .local(let path):
            let fd = UnixTransport.connect(path)
            guard fd >= 0 else { throw ControlClientError("\(endpoint): \(String(cString: strerror(errno)))") }
            return ControlConnection(endpoint: endpoint, transport: UnixTransport(fd: fd))
        case .remote(let host, let port, let fingerprint):
            guard let secret = target.secret else {
                throw ControlClientError("\(endpoint): the store holds no control secret (a listener with --control-port makes it)")
            }
            guard let pinned = Hex.bytes(fingerprint), pinned.count == 32 else {
                throw ControlClientError("\(endpoint): the registered certificate fingerprint is not a SHA-256")
            }
            let transport = try TLSTransport.connect(host: host, port: port, fingerprint: pinned, timeout: timeout, endpoint: endpoint)
            let connection = ControlConnection(endpoint: endpoint, transport: transport)
            do {
                try connection.authenticate(secret: secret, fingerprint: pinned, timeout: timeout)
            } catch {
                connection.close()
                throw error
            }
            return connection
        }
    }

    /// One snapshot (the `snapshot` request); nil when nothing answers within `timeout`.
    public static func snapshot(_ target: ControlTarget, timeout: TimeInterval = 2) -> ControlSnapshot? {
        guard let line = request(target, line: #"{"command":"snapshot"}"#, timeout: timeout) else { return nil }
        if case .snapshot(let s)? = ControlLine.decode(line) { return s }
        return nil
    }

    /// One connector usage answer (the `usage` request); nil when nothing answers within `timeout`.
    public static func usage(_ target: ControlTarget, request asked: UsageRequest, timeout: TimeInterval) -> UsageAnswer? {
        guard let data = try? JSONEncoder().encode(asked),
            let line = request(target, line: String(decoding: data, as: UTF8.self), timeout: timeout)
        else { return nil }
        return UsageAnswer.decode(line)
    }

    /// One request on its own connection and its one answer line, all within `timeout`.
    static func request(_ target: ControlTarget, line: String, timeout: TimeInterval) -> Data? {
        let deadline = Date().addingTimeInterval(timeout)
        guard let connection = try? connect(target, timeout: timeout) else { return nil }
        defer { connection.close() }
        guard connection.send(line) else { return nil }
        return connection.readLine(until: deadline)
    }
}

/// One open control connection. `send` writes a request line; `readLines` and `readLine` read answer lines.
public final class ControlConnection: @unchecked Sendable {
    public let endpoint: ControlEndpoint
    private let transport: any ControlTransport
    private var buffer: [UInt8] = []
    /// A line longer than this is not the control protocol (a snapshot of thousands of sessions is a few MB).
    public static let maximumLineLength = 256 << 20

    init(endpoint: ControlEndpoint, transport: any ControlTransport) {
        self.endpoint = endpoint
        self.transport = transport
    }

    deinit { transport.close() }

    /// Writes one line (a line break is added); false when the connection is gone.
    @discardableResult
    public func send(_ line: String) -> Bool { transport.send(Array((line + "\n").utf8)) }

    public func close() { transport.close() }

    /// Reads lines until the peer closes or `stop` says so (checked at least every 250 ms); returns why it ended.
    public func readLines(stop: () -> Bool, _ body: (Data) -> Void) -> String {
        while !stop() {
            if let line = takeLine() {
                body(line)
                continue
            }
            if buffer.count > Self.maximumLineLength { return "a line longer than \(Self.maximumLineLength) bytes" }
            switch transport.receive(waitMilliseconds: 250) {
            case .bytes(let bytes): buffer.append(contentsOf: bytes)
            case .nothingYet: continue
            case .closed(let reason): return reason
            }
        }
        return "stopped"
    }

    /// The next line, or nil when none is whole by `deadline` or the connection ends first.
    public func readLine(until deadline: Date) -> Data? {
        var line: Data?
        _ = readLines(stop: { line != nil || Date() > deadline }) { line = $0 }
        return line
    }

    private func takeLine() -> Data? {
        guard let newline = buffer.firstIndex(of: 10) else { return nil }
        let line = Data(buffer[..<newline])
        buffer.removeSubrange(...newline)
        return line
    }

    /// The client's side of `ControlAuthentication`: the challenge, the answer, the verdict.
    func authenticate(secret: ControlSecret, fingerprint: [UInt8], timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        guard let challenge = readLine(until: deadline) else {
            throw ControlClientError("\(endpoint): \(transport.failure ?? "no challenge within \(Int(timeout)) s")")
        }
        guard let answer = ControlAuthentication.answerLine(toChallenge: challenge, secret: secret, fingerprint: fingerprint) else {
            throw ControlClientError("\(endpoint): not a Receptor control endpoint (no challenge)")
        }
        send(answer)
        guard let verdict = readLine(until: deadline) else {
            throw ControlClientError("\(endpoint): \(transport.failure ?? "no answer to the authentication within \(Int(timeout)) s")")
        }
        guard String(decoding: verdict, as: UTF8.self) == ControlAuthentication.acceptedLine else {
            throw ControlClientError("\(endpoint): refused: the listener does not accept this store's control secret")
        }
    }
}

enum Received {
    case bytes([UInt8])
    case nothingYet
    case closed(String)
}

protocol ControlTransport: AnyObject, Sendable {
    func send(_ bytes: [UInt8]) -> Bool
    func receive(waitMilliseconds: Int32) -> Received
    func close()
    /// Why the connection failed, when it did (a certificate that is not the registered one, say).
    var failure: String? { get }
}

/// The Unix socket: a plain file descriptor.
final class UnixTransport: ControlTransport, @unchecked Sendable {
    private let lock = NIOLock()
    private var fd: Int32
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(fd: Int32) { self.fd = fd }

    var failure: String? { nil }

    func send(_ bytes: [UInt8]) -> Bool {
        let fd = lock.withLock { self.fd }
        guard fd >= 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; return false }
            offset += n
        }
        return true
    }

    func receive(waitMilliseconds: Int32) -> Received {
        let fd = lock.withLock { self.fd }
        guard fd >= 0 else { return .closed("closed") }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, waitMilliseconds)
        if ready < 0 { return errno == EINTR ? .nothingYet : .closed(String(cString: strerror(errno))) }
        if ready == 0 { return .nothingYet }
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return .closed("the listener closed the connection") }
        if n < 0 { return errno == EINTR || errno == EAGAIN ? .nothingYet : .closed(String(cString: strerror(errno))) }
        return .bytes(Array(chunk[0..<n]))
    }

    func close() {
        let fd = lock.withLock { () -> Int32 in
            defer { self.fd = -1 }
            return self.fd
        }
        if fd >= 0 { Glibc.close(fd) }
    }

    static func connect(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            errno = ENAMETOOLONG
            return -1
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result != 0 {
            let saved = errno
            Glibc.close(fd)
            errno = saved
            return -1
        }
        return fd
    }
}

/// TCP with TLS 1.3 on SwiftNIO: the certificate must be exactly the one the store registered (its SHA-256);
/// no CA, no host name, nothing else counts. Bytes read wait in a bounded buffer for the reading thread
/// (past `bufferLimit` the socket is not read until the thread catches up).
final class TLSTransport: ControlTransport, @unchecked Sendable {
    static let bufferLimit = 4 << 20

    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var closedReason: String?
    private var _failure: String?
    private var readHeld = false
    private var channel: Channel?

    var failure: String? { condition.withLock { _failure } }

    static func connect(host: String, port: Int, fingerprint: [UInt8], timeout: TimeInterval, endpoint: ControlEndpoint) throws -> TLSTransport {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        // Verification stays on so that the callback below runs; it replaces the CA and host name checks.
        configuration.certificateVerification = .noHostnameVerification
        let context = try NIOSSLContext(configuration: configuration)
        let transport = TLSTransport()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(
                        context: context, serverHostname: nil,
                        customVerificationCallback: { certificates, promise in
                            let leaf = certificates.first.flatMap { try? $0.toDERBytes() }
                            if let leaf, SHA256Digest.of(leaf) == fingerprint {
                                promise.succeed(.certificateVerified)
                            } else {
                                transport.fail("the certificate it presented is not the one the store registered for it")
                                promise.succeed(.failed)
                            }
                        })
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHandler(Bridge(transport))
                }
            }
        do {
            transport.channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            throw ControlClientError("\(endpoint): \(error)")
        }
        return transport
    }

    func fail(_ reason: String) { condition.withLock { if _failure == nil { _failure = reason } } }

    func send(_ bytes: [UInt8]) -> Bool {
        guard let channel, channel.isActive else { return false }
        return (try? channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).wait()) != nil
    }

    func receive(waitMilliseconds: Int32) -> Received {
        condition.lock()
        if pending.isEmpty, closedReason == nil {
            _ = condition.wait(until: Date().addingTimeInterval(Double(waitMilliseconds) / 1000))
        }
        let bytes = pending
        pending = []
        let reason = closedReason.map { _failure ?? $0 }
        let resume = readHeld
        readHeld = false
        condition.unlock()
        if resume, let channel { channel.eventLoop.execute { channel.read() } }
        if !bytes.isEmpty { return .bytes(bytes) }
        if let reason { return .closed(reason) }
        return .nothingYet
    }

    func close() { channel?.close(promise: nil) }

    // On the channel's loop.
    fileprivate func arrived(_ bytes: ByteBufferView) {
        condition.withLock {
            pending.append(contentsOf: bytes)
            condition.signal()
        }
    }
    fileprivate func mayRead() -> Bool {
        condition.withLock {
            if pending.count < Self.bufferLimit { return true }
            readHeld = true
            return false
        }
    }
    fileprivate func ended(_ reason: String) {
        condition.withLock {
            if closedReason == nil { closedReason = reason }
            condition.signal()
        }
    }

    private final class Bridge: ChannelDuplexHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        let transport: TLSTransport
        init(_ transport: TLSTransport) { self.transport = transport }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            transport.arrived(unwrapInboundIn(data).readableBytesView)
        }
        func read(context: ChannelHandlerContext) {
            if transport.mayRead() { context.read() }
        }
        func channelInactive(context: ChannelHandlerContext) {
            transport.ended("the listener closed the connection")
            context.fireChannelInactive()
        }
        func errorCaught(context: ChannelHandlerContext, error: Error) {
            transport.fail("\(error)")
            transport.ended("\(error)")
            context.close(promise: nil)
        }
    }
}

enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> [UInt8] { Array(Crypto.SHA256.hash(data: bytes)) }
}
