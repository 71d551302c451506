import Foundation
#if canImport(Glibc)
    import Glibc
    import ReceptorControl
#endif

/// The real monitor feed: one background thread per listener reads its control socket (subscribe: a
/// snapshot, then events and a tick each second), decodes the lines off the interface thread, and queues
/// them. `drain()` only swaps the queue, so the console never waits on a socket. A listener that stops or
/// restarts is reconnected every half second for as long as it is followed.
public final class ControlSocketFeed: MonitorFeed, @unchecked Sendable {
    private final class Follower: @unchecked Sendable {
        let endpoint: MonitorEndpoint
        private let lock = NSLock()
        private var _stopped = false
        var stopped: Bool { lock.withLock { _stopped } }
        func stop() { lock.withLock { _stopped = true } }
        init(_ endpoint: MonitorEndpoint) { self.endpoint = endpoint }
    }

    private let lock = NSLock()
    private var queue: [MonitorUpdate] = []
    private var followers: [MonitorEndpoint: Follower] = [:]
    /// Transcript lines dropped because the interface fell this far behind (never other updates).
    private var droppedTranscriptLines = 0
    static let queueLimit = 100_000
    static let retryInterval: TimeInterval = 0.5

    public init() {}

    deinit { for f in followers.values { f.stop() } }

    public func follow(_ endpoints: [MonitorEndpoint]) {
        let wanted = Set(endpoints)
        lock.lock()
        var started: [Follower] = []
        for (endpoint, follower) in followers where !wanted.contains(endpoint) {
            follower.stop()
            followers[endpoint] = nil
        }
        for endpoint in wanted where followers[endpoint] == nil {
            let f = Follower(endpoint)
            followers[endpoint] = f
            started.append(f)
        }
        lock.unlock()
        // The threads hold the feed weakly: when it goes, `deinit` stops them.
        let sink: @Sendable (MonitorUpdate) -> Void = { [weak self] update in self?.push(update) }
        for f in started {
            let thread = Thread { Self.run(f, push: sink) }
            thread.name = "monitor \(f.endpoint.server)"
            thread.start()
        }
    }

    public func drain() -> [MonitorUpdate] {
        lock.withLock {
            let out = queue
            queue.removeAll(keepingCapacity: true)
            return out
        }
    }

    private func push(_ update: MonitorUpdate) {
        lock.withLock {
            if queue.count >= Self.queueLimit, case .line(_, .event(let e)) = update, e.type == "transcript" {
                droppedTranscriptLines += 1
                return
            }
            queue.append(update)
        }
    }

    // MARK: The reading thread

    private static func run(_ follower: Follower, push: @Sendable (MonitorUpdate) -> Void) {
        let server = follower.endpoint.server
        var lastFailure: String?
        while !follower.stopped {
            let fd = Self.connect(follower.endpoint.socketPath)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                if lastFailure != reason { push(.detached(server: server, reason: "control socket: \(reason)")); lastFailure = reason }
                Thread.sleep(forTimeInterval: Self.retryInterval)
                continue
            }
            lastFailure = nil
            let request = Array("{\"command\":\"subscribe\"}\n".utf8)
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            push(.attached(server: server))
            let reason = readLines(fd, stop: { follower.stopped }) { line in
                if let decoded = ControlLine.decode(line) { push(.line(server: server, decoded)) }
            }
            close(fd)
            if !follower.stopped {
                push(.detached(server: server, reason: reason))
                lastFailure = reason
                Thread.sleep(forTimeInterval: Self.retryInterval)
            }
        }
    }

    /// One snapshot from a listener's control socket (the `snapshot` request); nil when nothing answers
    /// within `timeout` (`receptor status` when the store can't be read asks this host's listeners directly).
    public static func snapshot(socketPath: String, timeout: TimeInterval = 2) -> ControlSnapshot? {
        let fd = connect(socketPath)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let request = Array("{\"command\":\"snapshot\"}\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let deadline = Date().addingTimeInterval(timeout)
        var answer: ControlSnapshot?
        var answered = false
        _ = readLines(fd, stop: { answered || Date() > deadline }) { line in
            answered = true
            if case .snapshot(let s)? = ControlLine.decode(line) { answer = s }
        }
        return answer
    }

    /// Reads newline-terminated lines until the peer closes or `stop` says so; returns why it ended.
    private static func readLines(_ fd: Int32, stop: () -> Bool, _ body: (Data) -> Void) -> String {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !stop() {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 250)
            if ready < 0 { if errno == EINTR { continue }; return String(cString: strerror(errno)) }
            if ready == 0 { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return "the listener closed the connection" }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; return String(cString: strerror(errno)) }
            buffer.append(contentsOf: chunk[0..<n])
            var start = 0
            while let newline = buffer[start...].firstIndex(of: 10) {
                body(Data(buffer[start..<newline]))
                start = newline + 1
            }
            buffer.removeFirst(start)
        }
        return "stopped"
    }

    static func connect(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { close(fd); errno = ENAMETOOLONG; return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result != 0 {
            let saved = errno
            close(fd)
            errno = saved
            return -1
        }
        return fd
    }
}
