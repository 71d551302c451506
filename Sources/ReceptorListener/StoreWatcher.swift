import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wakes the listener when the store file changes: inotify on the store's folder (the WAL and the
/// database file), read on a thread of its own. A wake-up is only a hint — SQLite writes the WAL before
/// the commit is visible — so the listener re-checks the generation for a few milliseconds after each one,
/// and keeps a timed poll for file systems without inotify.
final class StoreWatcher: @unchecked Sendable {
    private let folder: String
    private let names: Set<String>
    private let onChange: @Sendable () -> Void
    private var fd: Int32 = -1
    private var thread: Thread?
    private var stopped = false

    init(storePath: String, onChange: @escaping @Sendable () -> Void) {
        folder = (storePath as NSString).deletingLastPathComponent
        let base = (storePath as NSString).lastPathComponent
        names = [base, base + "-wal"]
        self.onChange = onChange
    }

    /// Starts watching; false when inotify is unavailable (the poll then does the work alone).
    @discardableResult
    func start() -> Bool {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { return false }
        let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
        guard inotify_add_watch(fd, folder, mask) >= 0 else { close(fd); fd = -1; return false }
        let t = Thread { [weak self] in self?.loop() }
        t.name = "receptor.store-watch"
        thread = t
        t.start()
        return true
    }

    func stop() {
        stopped = true
        if fd >= 0 { close(fd); fd = -1 }
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 8192)
        let headerSize = MemoryLayout<inotify_event>.size
        while !stopped {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
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
            if relevant { onChange() }
        }
    }
}
