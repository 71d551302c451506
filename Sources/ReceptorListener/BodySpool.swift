import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// The part of a large DATA body past what the engine keeps in memory (`SMTPInputFramer.spillThreshold`),
/// written to a file in the data folder's `spool/` as it arrives, so a session's memory does not grow with
/// the message. `MessageStore.deliver` copies it into the message's sealed scratch file after the head and
/// removes it; a refused message or a closed session removes it here. Not a message: never named in a
/// Maildir, and a crash leaves only a file recovery removes (`MessageStore.recoverInterruptedDeliveries`).
final class BodySpool {
    /// Spool names start with the process id, so recovery can tell a dead listener's leftovers.
    static func name(pid: Int32, session: String) -> String {
        let tag = String(
            decoding: session.utf8.lazy.filter { ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A) }.prefix(40),
            as: UTF8.self)
        return "\(pid)-\(tag).body"
    }

    let path: String
    private var fd: Int32
    /// Bytes written so far.
    private(set) var size: Int64 = 0
    /// A write failed: the message can't be stored whole.
    private(set) var failed = false

    init(folder: String, name: String) throws {
        try DurableFile.makeFolder(folder)
        path = folder + "/" + name
        unlink(path)
        fd = try DurableFile.create(path)
    }

    func append(_ bytes: [UInt8]) {
        guard !failed, fd >= 0 else { return }
        do {
            try DurableFile.writeAll(fd, [bytes], what: path)
            size += Int64(bytes.count)
        } catch {
            failed = true
        }
    }

    /// Done writing: the file stays for the message store (`handOver`) or goes (`discard`).
    func handOver() -> String? {
        closeFile()
        return failed ? nil : path
    }

    func discard() {
        closeFile()
        unlink(path)
    }

    private func closeFile() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { closeFile() }
}
