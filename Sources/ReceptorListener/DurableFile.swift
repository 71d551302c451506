import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Writing files so that they survive a crash: write to a temporary name, fsync the file, rename it into
/// place, fsync the folder. The SMTP `250` after DATA is sent only after this returns.
enum DurableFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates `folder` (and its parents) with mode 0700 if missing.
    static func makeFolder(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Writes `parts` one after another into `tmpPath`, fsyncs, and renames it to `finalPath`; then fsyncs
    /// the final folder. Mode 0600: mail is private.
    static func write(_ parts: [[UInt8]], tmpPath: String, finalPath: String) throws {
        let fd = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "can't create \(tmpPath): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(tmpPath) }
        }
        try writeAll(fd, parts, what: tmpPath)
        guard fsync(fd) == 0 else { throw Failure(description: "can't fsync \(tmpPath): \(String(cString: strerror(errno)))") }
        guard rename(tmpPath, finalPath) == 0 else { throw Failure(description: "can't rename into \(finalPath): \(String(cString: strerror(errno)))") }
        ok = true
        try syncFolder((finalPath as NSString).deletingLastPathComponent)
    }

    /// `O_TMPFILE` (Linux): glibc's macro, which Swift does not import.
    private static let openTmpFile: Int32 = 0o20000000 | O_DIRECTORY
    /// Cleared once the file system says it cannot make unnamed files; `write` is used from then on
    /// (tests clear it to cover that path).
    static let tmpFileSupported = NIOLockedValueBox(true)

    /// Like `write`, with one directory change instead of three: the message is written into an unnamed file
    /// (O_TMPFILE) on the folder's file system, fsynced, and then linked in as `finalPath`, so that, as with
    /// tmp/-then-rename, it appears whole or not at all. Falls back to `write` where unnamed files are not
    /// supported. Then the final folder is fsynced.
    static func writeLinked(_ parts: [[UInt8]], scratchFolder: String, tmpPath: String, finalPath: String) throws {
        guard tmpFileSupported.withLockedValue({ $0 }) else { return try write(parts, tmpPath: tmpPath, finalPath: finalPath) }
        let fd = open(scratchFolder, openTmpFile | O_WRONLY | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL {
                tmpFileSupported.withLockedValue { $0 = false }
                return try write(parts, tmpPath: tmpPath, finalPath: finalPath)
            }
            throw Failure(description: "can't create a file in \(scratchFolder): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        try writeAll(fd, parts, what: finalPath)
        guard fsync(fd) == 0 else { throw Failure(description: "can't fsync \(finalPath): \(String(cString: strerror(errno)))") }
        // linkat through /proc/self/fd needs no privilege (AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).
        guard linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, finalPath, AT_SYMLINK_FOLLOW) == 0 else {
            throw Failure(description: "can't link into \(finalPath): \(String(cString: strerror(errno)))")
        }
        try syncFolder((finalPath as NSString).deletingLastPathComponent)
    }

    private static func writeAll(_ fd: Int32, _ parts: [[UInt8]], what: String) throws {
        for part in parts {
            var offset = 0
            while offset < part.count {
                let n = part.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, part.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(description: "can't write \(what): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    /// Links an already durable file into another folder (one copy on disk for many recipients).
    static func link(_ existing: String, to newPath: String, tmpPath: String) throws {
        guard Glibc.link(existing, tmpPath) == 0 else {
            throw Failure(description: "can't link \(existing) to \(tmpPath): \(String(cString: strerror(errno)))")
        }
        guard rename(tmpPath, newPath) == 0 else {
            unlink(tmpPath)
            throw Failure(description: "can't rename into \(newPath): \(String(cString: strerror(errno)))")
        }
        try syncFolder((newPath as NSString).deletingLastPathComponent)
    }

    /// fsyncs a folder, sharing the work with concurrent callers: one fsync that *starts* after a caller's
    /// rename makes that rename durable, so while one fsync of a folder runs, later callers wait for the
    /// next one instead of each issuing their own (group commit). Under load this turns one directory fsync
    /// per message into one per batch.
    static func syncFolder(_ path: String) throws {
        try FolderSyncBatcher.shared.sync(path)
    }

    static func fsyncFolder(_ path: String) throws {
        let dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw Failure(description: "can't open folder \(path): \(String(cString: strerror(errno)))") }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw Failure(description: "can't fsync folder \(path): \(String(cString: strerror(errno)))") }
    }
}

/// Group commit for directory fsyncs (see `DurableFile.syncFolder`).
final class FolderSyncBatcher: @unchecked Sendable {
    static let shared = FolderSyncBatcher()

    private struct State {
        var requested: UInt64 = 0
        var completed: UInt64 = 0
        var inFlight = false
        var failure: String?
    }

    private let condition = NSCondition()
    private var folders: [String: State] = [:]

    func sync(_ path: String) throws {
        condition.lock()
        defer { condition.unlock() }
        folders[path, default: State()].requested += 1
        let mine = folders[path]!.requested
        while folders[path]!.completed < mine {
            if folders[path]!.inFlight {
                condition.wait()
                continue
            }
            // Everything requested so far was renamed before this fsync starts, so it covers them all.
            let target = folders[path]!.requested
            folders[path]!.inFlight = true
            condition.unlock()
            var failure: String?
            do { try DurableFile.fsyncFolder(path) } catch { failure = "\(error)" }
            condition.lock()
            folders[path]!.inFlight = false
            if let failure {
                condition.broadcast()
                throw DurableFile.Failure(description: failure)
            }
            folders[path]!.completed = max(folders[path]!.completed, target)
            condition.broadcast()
        }
    }
}
