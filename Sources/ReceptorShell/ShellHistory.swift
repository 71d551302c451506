import Foundation

/// The interactive shell's history file: one command line per line, mode 0600, the newest 4,096 kept (as
/// PowerShell's MaximumHistoryCount). Lines that may hold a secret are never written (as PSReadLine does);
/// the editor keeps them in memory for the session only.
public final class ShellHistory {
    public static let limit = 4096
    /// Words that mark a line as possibly holding a password or a token.
    static let secretWords = ["password", "asplaintext", "securestring", "secret", "token"]

    public let path: String
    /// Lines in the file as far as this process knows (another shell may append too; trimming recounts).
    private var count = 0

    public init(path: String) { self.path = path }

    /// The file's newest lines, oldest first (none if there is no file yet); a file over the limit is trimmed.
    public func load() -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n").map(String.init)
        count = lines.count
        if count > Self.limit { trim() }
        return Array(lines.suffix(Self.limit))
    }

    public static func mayHoldSecret(_ line: String) -> Bool {
        let lower = line.lowercased()
        return secretWords.contains(where: lower.contains)
    }

    /// Appends `line` unless it is blank, may hold a secret, or spans lines; keeps the file at the limit.
    /// Failures are silent: history is a convenience, never a reason to stop.
    public func record(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, !line.contains("\n"), !Self.mayHoldSecret(line) else { return }
        let directory = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { return }
        let data = Array((line + "\n").utf8)
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        count += 1
        if count > Self.limit { trim() }
    }

    /// Rewrites the file with its newest `limit` lines (through a temporary file and a rename, mode 0600),
    /// if it holds more.
    func trim() {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        count = min(lines.count, Self.limit)
        guard lines.count > Self.limit else { return }
        let kept = lines.suffix(Self.limit).joined(separator: "\n") + "\n"
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return }
        let data = Array(kept.utf8)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written == data.count { rename(temporary, path) } else { unlink(temporary) }
    }
}
