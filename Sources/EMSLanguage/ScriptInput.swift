/// Reading commands that span lines, as PowerShell does at its prompt and in `.ps1` files: a line that ends in
/// a backtick or a pipe, or leaves a `{`, `(`, `@(`, `@{` or a string open, continues on the next (`>> ` at the
/// prompt).
public enum ScriptInput {
    /// Whether `text` needs more lines before it can run. A text with any other syntax error is complete:
    /// running it reports the error.
    public static func needsMoreInput(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("`") || trimmed.hasSuffix("|") { return true }
        do {
            _ = try PSParser.parse(text)
            return false
        } catch let error as EMSParseError {
            let open = ["Missing closing", "The string is missing the terminator", "You must provide a value expression following"]
            if open.contains(where: error.message.hasPrefix) { return true }
            // An expression cut short (`1 +`) fails where the text ends: more is coming.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            return error.line == lines.count && error.column > (lines.last?.count ?? 0)
        } catch {
            return false
        }
    }

    /// One command (perhaps of several lines) of a script and the line it starts on (1-based).
    public struct Command: Equatable, Sendable {
        public let line: Int
        public let text: String
    }

    /// Splits a script into commands: blank lines and whole-line comments are skipped, continued lines
    /// joined. What is still open at the end is returned as it is (running it reports what is missing).
    public static func commands(in script: String) -> [Command] {
        var commands: [Command] = []
        var pending: [String] = []
        var start = 0
        // "\r\n" is one Character in Swift: split on every kind of line break (scripts from Windows use CRLF).
        let lines = script.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        for (index, line) in lines.enumerated() {
            if pending.isEmpty {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || (trimmed.hasPrefix("#") && !trimmed.hasPrefix("#>")) { continue }
                start = index + 1
            }
            pending.append(line)
            let text = pending.joined(separator: "\n")
            if !needsMoreInput(text) {
                commands.append(Command(line: start, text: text))
                pending = []
            }
        }
        if !pending.isEmpty { commands.append(Command(line: start, text: pending.joined(separator: "\n"))) }
        return commands
    }
}
