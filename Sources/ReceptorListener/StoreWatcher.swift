import Foundation
import NIOConcurrencyHelpers
import ReceptorStore
#if canImport(Glibc)
    import Glibc
#endif

/// Wakes the listener when the store file changes: inotify on the store's folder (the WAL and the
/// database file), read on a thread of its own. A wake-up is only a hint — SQLite writes the WAL before
/// the commit is visible — so the listener re-checks the generation for a few milliseconds after each one,
/// and keeps a timed poll for file systems without inotify. The SQLite store's `StoreChangeFeed`.
final class StoreWatcher: StoreChangeFeed, @unchecked Sendable {
    private let folder: String
    private let names: Set<String>
    /// The inotify descriptor and the pipe that wakes the thread for `stop()`. The thread closes them as it
    /// ends, under the lock, so that `stop()` never writes to a descriptor number the process reused. (Closing
    /// the inotify descriptor from `stop()` did not wake a thread blocked in `read`, and raced with it.)
    private struct Descriptors {
        var inotify: Int32 = -1
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
        var stopped = false
        var onChange: (@Sendable () -> Void)?
    }
    private let descriptors = NIOLockedValueBox(Descriptors())

    init(storePath: String) {
        folder = (storePath as NSString).deletingLastPathComponent
        let base = (storePath as NSString).lastPathComponent
        names = [base, base + "-wal"]
    }

    /// A file on this host is always reachable; the listener's own poll interval applies.
    var unreachableSince: Date? { nil }
    var pollInterval: Duration? { nil }

    /// Starts watching; false when inotify is unavailable (the poll then does the work alone).
    @discardableResult
    func start(wake onChange: @escaping @Sendable () -> Void) -> Bool {
        let inotify = inotify_init1(Int32(IN_CLOEXEC))
        guard inotify >= 0 else { return false }
        let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
        var wake: [Int32] = [-1, -1]
        guard inotify_add_watch(inotify, folder, mask) >= 0, pipe(&wake) == 0 else {
            close(inotify)
            return false
        }
        for fd in wake { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let started = descriptors.withLockedValue { d -> Bool in
            guard !d.stopped, d.inotify < 0 else { return false }
            d = Descriptors(inotify: inotify, wakeRead: wake[0], wakeWrite: wake[1], onChange: onChange)
            return true
        }
        guard started else {
            for fd in [inotify] + wake { close(fd) }
            return false
        }
        let wakeRead = wake[0]
        let t = Thread { [self] in loop(inotify: inotify, wake: wakeRead) }
        t.name = "receptor.store-watch"
        t.start()
        return true
    }

    /// Whether the thread runs (it holds the descriptors until it ends). For tests.
    var isWatching: Bool { descriptors.withLockedValue { $0.inotify >= 0 } }

    /// Ends the thread (it closes the descriptors); `onChange` is not called once the thread has seen it.
    func stop() {
        descriptors.withLockedValue { d in
            d.stopped = true
            if d.wakeWrite >= 0 {
                var byte: UInt8 = 1
                _ = write(d.wakeWrite, &byte, 1)
            }
        }
    }

    private func loop(inotify: Int32, wake: Int32) {
        defer {
            descriptors.withLockedValue { d in
                for fd in [d.inotify, d.wakeRead, d.wakeWrite] where fd >= 0 { close(fd) }
                d.inotify = -1
                d.wakeRead = -1
                d.wakeWrite = -1
            }
        }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let headerSize = MemoryLayout<inotify_event>.size
        while true {
            var waiting = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&waiting, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if waiting[1].revents != 0 || descriptors.withLockedValue({ $0.stopped }) { return }
            if waiting[0].revents & Int16(POLLIN) == 0 { return }
            let n = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
            if n <= 0 {
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                return
            }
            var offset = 0
            var relevant = false
            buffer.withUnsafeBytes { raw in
                while offset + headerSize <= n {
                    let length = Int(raw.load(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameStart = offset + headerSize
                    if length > 0, nameStart + length <= n {
                        let bytes = raw[nameStart..<(nameStart + length)].prefix { $0 != 0 }
                        if names.contains(String(decoding: bytes, as: UTF8.self)) { relevant = true }
                    }
                    offset = nameStart + length
                }
            }
            if relevant { descriptors.withLockedValue { $0.onChange }?() }
        }
    }
}
