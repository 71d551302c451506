import Foundation
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
        for part in parts {
            var offset = 0
            while offset < part.count {
                let n = part.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, part.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(description: "can't write \(tmpPath): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw Failure(description: "can't fsync \(tmpPath): \(String(cString: strerror(errno)))") }
        guard rename(tmpPath, finalPath) == 0 else { throw Failure(description: "can't rename into \(finalPath): \(String(cString: strerror(errno)))") }
        ok = true
        try syncFolder((finalPath as NSString).deletingLastPathComponent)
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
