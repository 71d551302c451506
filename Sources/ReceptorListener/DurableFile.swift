import CLinuxFiles
import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// The file operations of durable delivery. None of them syncs by itself: `GroupCommit` makes a whole batch
/// of staged files durable with one `syncfs` before their names appear, and one more after.
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

    /// `O_TMPFILE` (Linux): glibc's macro, which Swift does not import.
    private static let openTmpFile: Int32 = 0o20000000 | O_DIRECTORY
    /// Cleared once the file system says it cannot make unnamed files; named files in tmp/ are used from then
    /// on (tests clear it to cover that path).
    static let tmpFileSupported = NIOLockedValueBox(true)

    /// An unnamed file (O_TMPFILE) on `folder`'s file system, mode 0600, or nil where the file system has
    /// none: a crash before it is linked leaves nothing behind, not even in tmp/.
    static func openUnnamed(in folder: String) throws -> Int32? {
        guard tmpFileSupported.withLockedValue({ $0 }) else { return nil }
        let fd = open(folder, openTmpFile | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 { return fd }
        if errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL {
            tmpFileSupported.withLockedValue { $0 = false }
            return nil
        }
        throw failure("can't create a file in \(folder)")
    }

    /// Creates `path` (which must not exist), mode 0600: mail is private.
    static func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("can't create \(path)") }
        return fd
    }

    /// Cleared once the kernel refuses to name an unnamed file directly (before Linux 6.10, without
    /// CAP_DAC_READ_SEARCH); the way through /proc/self/fd is used from then on (tests clear it too).
    static let directLinkSupported = NIOLockedValueBox(true)

    /// Gives an unnamed file its name: directly (AT_EMPTY_PATH) where the kernel allows it to the file's
    /// opener, else through /proc/self/fd, which needs no privilege but costs a procfs lookup per message.
    static func link(unnamed fd: Int32, as path: String) throws {
        let direct = directLinkSupported.withLockedValue { $0 }
        if direct {
            if receptor_link_unnamed(fd, path) == 0 { return }
            guard errno == ENOENT || errno == EPERM || errno == EINVAL else { throw failure("can't link into \(path)") }
        }
        guard linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 else {
            throw failure("can't link into \(path)")
        }
        // The /proc way worked where the direct one did not (ENOENT also means a missing folder, which would
        // have failed here too): this kernel refuses the direct way.
        if direct { directLinkSupported.withLockedValue { $0 = false } }
    }

    /// Another name for an existing file (one copy on disk for many recipients).
    static func link(_ existing: String, as path: String) throws {
        guard Glibc.link(existing, path) == 0 else { throw failure("can't link \(existing) to \(path)") }
    }

    static func rename(_ from: String, to path: String) throws {
        guard Glibc.rename(from, path) == 0 else { throw failure("can't rename into \(path)") }
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
