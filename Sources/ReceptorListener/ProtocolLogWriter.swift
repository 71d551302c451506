import Foundation
import ReceptorCore

/// Writes one transport service's receive protocol log (reference §8): files `RECVyyyymmdd-N.log` in
/// `<data>/logs/<Service>/ProtocolLog/SmtpReceive/`, a new file at the size limit or a new UTC day, and
/// circular pruning by age and folder size. Lines are buffered and written in the background; nothing here
/// blocks an event loop.
public final class ProtocolLogWriter: @unchecked Sendable {
    public struct Limits: Sendable {
        public var maxFileSize: Int
        public var maxDirectorySize: Int
        public var maxAge: TimeInterval
        public init(maxFileSize: Int, maxDirectorySize: Int, maxAge: TimeInterval) {
            self.maxFileSize = maxFileSize; self.maxDirectorySize = maxDirectorySize; self.maxAge = maxAge
        }
    }

    public let folder: String
    /// Changed by `update(limits:)` on the writer's queue (Set-TransportService applies without a restart).
    private var limits: Limits
    private let version: String
    private let queue: DispatchQueue
    private var pending: [String] = []
    private var flushScheduled = false
    private var handle: FileHandle?
    private var currentDay = ""
    private var currentSize = 0
    private let clock: @Sendable () -> Date

    public init(
        folder: String, limits: Limits = ProtocolLogWriter.limits(.exchangeDefaults), version: String,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.folder = folder
        self.limits = limits
        self.version = version
        self.clock = clock
        queue = DispatchQueue(label: "receptor.protocol-log.\((folder as NSString).lastPathComponent)")
    }

    /// Takes new rotation and pruning limits; the next file and the next pruning use them.
    public func update(limits: Limits) {
        queue.async { self.limits = limits }
    }

    /// Limits from the store's settings; an unlimited size is `Int.max`. Exchange's defaults are defined once,
    /// in `ReceiveProtocolLogSettings.exchangeDefaults` (ReceptorCore).
    public static func limits(_ s: ReceiveProtocolLogSettings) -> Limits {
        Limits(
            maxFileSize: s.maxFileSize.map { Int($0.bytes) } ?? .max, maxDirectorySize: s.maxDirectorySize.map { Int($0.bytes) } ?? .max,
            maxAge: TimeInterval(s.maxAge.seconds))
    }

    /// The folder for a transport service under a data directory: `logs/FrontEnd/ProtocolLog/SmtpReceive`.
    public static func folder(dataDirectory: String, service: String) -> String {
        "\(dataDirectory)/logs/\(service)/ProtocolLog/SmtpReceive"
    }

    /// Queues a line; it reaches the file within a few milliseconds.
    public func append(_ line: ProtocolLogLine) {
        append(text: line.text)
    }

    /// Queues a line already formatted (`ProtocolLogLine.text`).
    public func append(text: String) {
        queue.async {
            self.pending.append(text)
            if !self.flushScheduled {
                self.flushScheduled = true
                self.queue.asyncAfter(deadline: .now() + .milliseconds(20)) { self.flushPending() }
            }
        }
    }

    /// Writes everything queued so far; for shutdown and tests.
    public func flush() {
        queue.sync { flushPending() }
    }

    private func flushPending() {
        flushScheduled = false
        guard !pending.isEmpty else { return }
        let lines = pending
        pending.removeAll(keepingCapacity: true)
        for line in lines { write(line + "\r\n") }
    }

    private func write(_ text: String) {
        let data = Data(text.utf8)
        let now = clock()
        if handle == nil || ProtocolLogFormat.day(now) != currentDay || currentSize + data.count > limits.maxFileSize {
            openNextFile(now: now)
        }
        guard let handle else { return }
        handle.write(data)
        currentSize += data.count
    }

    private func openNextFile(now: Date) {
        try? handle?.close()
        handle = nil
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch { return }
        prune(now: now)
        currentDay = ProtocolLogFormat.day(now)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let prefix = "RECV\(currentDay)-"
        let used = existing.compactMap { name -> Int? in
            guard name.hasPrefix(prefix), name.hasSuffix(".log") else { return nil }
            return Int(name.dropFirst(prefix.count).dropLast(4))
        }
        let instance = (used.max() ?? 0) + 1
        let path = "\(folder)/\(ProtocolLogFormat.fileName(date: now, instance: instance))"
        let header = ProtocolLogFormat.header(created: now, version: version).replacingOccurrences(of: "\n", with: "\r\n")
        guard FileManager.default.createFile(atPath: path, contents: Data(header.utf8), attributes: [.posixPermissions: 0o600]),
            let h = FileHandle(forWritingAtPath: path)
        else { return }
        h.seekToEndOfFile()
        handle = h
        currentSize = header.utf8.count
    }

    /// Circular logging: drop files past the maximum age, then the oldest until the folder fits (§8d).
    private func prune(now: Date) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder) else { return }
        var files: [(path: String, date: Date, size: Int)] = names.filter { $0.hasPrefix("RECV") && $0.hasSuffix(".log") }.compactMap { name in
            let path = "\(folder)/\(name)"
            guard let attrs = try? fm.attributesOfItem(atPath: path), let date = attrs[.modificationDate] as? Date else { return nil }
            return (path, date, (attrs[.size] as? Int) ?? 0)
        }.sorted { $0.date < $1.date }
        if limits.maxAge > 0 {
            for f in files where now.timeIntervalSince(f.date) > limits.maxAge { try? fm.removeItem(atPath: f.path) }
            files.removeAll { now.timeIntervalSince($0.date) > limits.maxAge }
        }
        var total = files.reduce(0) { $0 + $1.size }
        // Leave room for the file about to be opened (an unlimited folder never prunes by size).
        let reserve = limits.maxFileSize == .max ? 0 : limits.maxFileSize
        while limits.maxDirectorySize < .max, total + reserve > limits.maxDirectorySize, let oldest = files.first {
            try? fm.removeItem(atPath: oldest.path)
            total -= oldest.size
            files.removeFirst()
        }
    }
}
