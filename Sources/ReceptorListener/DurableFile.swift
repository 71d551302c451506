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

    /// Writes every part, in order, with as few system calls as the kernel allows (one `writev` for a whole
    /// message, headers and body, unless it writes short).
    static func writeAll(_ fd: Int32, _ parts: [[UInt8]], what: String) throws {
        var skip = 0  // bytes already written, from the start of the first part
        let total = parts.reduce(0) { $0 + $1.count }
        while skip < total {
            let n = withIOVectors(parts, skipping: skip) { vectors in Glibc.writev(fd, vectors.baseAddress, Int32(vectors.count)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("can't write \(what)")
            }
            skip += n
        }
    }

    /// Calls `body` with the file at `path`, a megabyte at a time.
    static func forEachPiece(of path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("can't open \(path)") }
        defer { Glibc.close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("can't read \(path)")
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// Appends the contents of the file at `path` to `fd`.
    static func append(contentsOf path: String, to fd: Int32, what: String) throws {
        try forEachPiece(of: path) { piece in
            var done = 0
            while done < piece.count {
                let n = write(fd, piece.baseAddress! + done, piece.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("can't write \(what)")
                }
                done += n
            }
        }
    }

    /// Calls `body` with I/O vectors over `parts`, less their first `skip` bytes. Each part's bytes are
    /// pinned by a nested `withUnsafeBytes`, so no pointer outlives its array's access (a message has two or
    /// three parts).
    private static func withIOVectors(_ parts: [[UInt8]], skipping skip: Int, _ body: (UnsafeBufferPointer<iovec>) -> Int) -> Int {
        var vectors: [iovec] = []
        vectors.reserveCapacity(parts.count)
        func pin(_ rest: ArraySlice<[UInt8]>, skipping skip: Int) -> Int {
            guard let part = rest.first else { return vectors.withUnsafeBufferPointer(body) }
            if skip >= part.count { return pin(rest.dropFirst(), skipping: skip - part.count) }
            return part.withUnsafeBytes { raw in
                vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + skip), iov_len: raw.count - skip))
                return pin(rest.dropFirst(), skipping: 0)
            }
        }
        return pin(parts[...], skipping: skip)
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
