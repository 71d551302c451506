import CLinuxFiles
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The file operations of durable delivery. None of them syncs by itself: `GroupCommit` makes a whole batch
/// of sealed scratch files durable with one `syncfs` before their final names appear.
enum DurableFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func failure(_ what: String) -> Failure {
        Failure(description: "\(what): \(String(cString: strerror(errno)))")
    }

    /// Creates `folder` (and its parents) with mode 0700 if missing.
    static func makeFolder(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Creates `path` (which must not exist), mode 0600: mail is private.
    static func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("can't create \(path)") }
        return fd
    }

    /// Another name for an existing file (one copy on disk for many recipients).
    static func link(_ existing: String, as path: String) throws {
        guard Glibc.link(existing, path) == 0 else { throw failure("can't link \(existing) to \(path)") }
    }

    static func writeAll(_ fd: Int32, _ parts: [[UInt8]], what: String) throws {
        for part in parts {
            var offset = 0
            while offset < part.count {
                let n = part.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, part.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("can't write \(what)")
                }
                offset += n
            }
        }
    }

    /// Writes back everything dirty on the file system `fd` lies on: file data, inodes and folders.
    static func syncFileSystem(_ fd: Int32, what: String) throws {
        guard receptor_syncfs(fd) == 0 else { throw failure("can't sync the file system of \(what)") }
    }

    /// fsync of one file or folder: the per-message way (`GroupCommit.Mode.perFile`).
    static func sync(_ fd: Int32, what: String) throws {
        guard fsync(fd) == 0 else { throw failure("can't fsync \(what)") }
    }

    static func openFolder(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("can't open folder \(path)") }
        return fd
    }
}
