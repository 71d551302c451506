import Foundation

/// A small line editor for the interactive shell: arrows, Home/End, Ctrl-A/E/U/K/W, history with Up/Down
/// kept in a file (mode 0600); lines that may hold a password are kept in memory only.
/// Falls back to plain `readLine` when the terminal can't be put in raw mode.
final class LineEditor {
    private var history: [String] = []
    private let historyPath: String
    private static let historyLimit = 1000

    init(historyPath: String) {
        self.historyPath = historyPath
        if let text = try? String(contentsOfFile: historyPath, encoding: .utf8) {
            history = Array(text.split(separator: "\n").map(String.init).suffix(Self.historyLimit))
        }
    }

    func readLine(prompt: String) -> String? {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else {
            print(prompt, terminator: ""); fflush(nil)
            return Swift.readLine()
        }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }

        var buffer: [Character] = []
        var cursor = 0
        var historyIndex = history.count
        var pending: [UInt8] = []

        func redraw() {
            let text = prompt + String(buffer)
            let back = buffer.count - cursor
            var out = "\r" + text + "\u{1B}[K"
            if back > 0 { out += "\u{1B}[\(back)D" }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
        redraw()

        while true {
            guard let byte = readByte() else { return nil }
            switch byte {
            case 13, 10:  // Enter
                FileHandle.standardOutput.write(Data("\r\n".utf8))
                let line = String(buffer)
                remember(line)
                return line
            case 3:  // Ctrl-C: abandon the line
                FileHandle.standardOutput.write(Data("^C\r\n".utf8))
                buffer = []; cursor = 0; historyIndex = history.count
            case 4:  // Ctrl-D: end of input on an empty line, else delete forward
                if buffer.isEmpty { FileHandle.standardOutput.write(Data("\r\n".utf8)); return nil }
                if cursor < buffer.count { buffer.remove(at: cursor) }
            case 127, 8:  // Backspace
                if cursor > 0 { buffer.remove(at: cursor - 1); cursor -= 1 }
            case 1: cursor = 0  // Ctrl-A
            case 5: cursor = buffer.count  // Ctrl-E
            case 21: buffer.removeFirst(cursor); cursor = 0  // Ctrl-U
            case 11: buffer.removeLast(buffer.count - cursor)  // Ctrl-K
            case 23:  // Ctrl-W: delete the word before the cursor
                var i = cursor
                while i > 0 && buffer[i - 1] == " " { i -= 1 }
                while i > 0 && buffer[i - 1] != " " { i -= 1 }
                buffer.removeSubrange(i..<cursor); cursor = i
            case 27:  // escape sequences: arrows, Home, End, Delete
                guard readByte() == UInt8(ascii: "["), let code = readByte() else { break }
                switch code {
                case UInt8(ascii: "A"):
                    if historyIndex > 0 { historyIndex -= 1; buffer = Array(history[historyIndex]); cursor = buffer.count }
                case UInt8(ascii: "B"):
                    if historyIndex < history.count { historyIndex += 1 }
                    buffer = historyIndex < history.count ? Array(history[historyIndex]) : []
                    cursor = buffer.count
                case UInt8(ascii: "C"): cursor = min(cursor + 1, buffer.count)
                case UInt8(ascii: "D"): cursor = max(cursor - 1, 0)
                case UInt8(ascii: "H"): cursor = 0
                case UInt8(ascii: "F"): cursor = buffer.count
                case UInt8(ascii: "3"):
                    _ = readByte()  // "~"
                    if cursor < buffer.count { buffer.remove(at: cursor) }
                default: break
                }
            default:
                if byte < 32 { break }
                pending.append(byte)
                // Wait for a whole UTF-8 sequence before inserting it.
                if let text = String(bytes: pending, encoding: .utf8) {
                    for ch in text { buffer.insert(ch, at: cursor); cursor += 1 }
                    pending = []
                } else if pending.count >= 4 {
                    pending = []
                }
            }
            redraw()
        }
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        return read(STDIN_FILENO, &byte, 1) == 1 ? byte : nil
    }

    private func remember(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, history.last != line else { return }
        history.append(line)
        // As PSReadLine does, never write lines that may hold a secret to the history file.
        let lower = line.lowercased()
        if ["password", "asplaintext", "securestring", "secret", "token"].contains(where: lower.contains) { return }
        let fd = open(historyPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let data = Array((line + "\n").utf8)
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
