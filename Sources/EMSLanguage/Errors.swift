/// A syntax error: a one-line message and where it happened (1-based line and column).
public struct EMSParseError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public var line: Int
    public var column: Int

    public init(message: String, line: Int = 1, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// Locates `offset` (an index into the source's characters) as a line and column.
    init(message: String, source: [Character], offset: Int) {
        var line = 1
        var column = 1
        for c in source[..<min(max(offset, 0), source.count)] {
            if c == "\n" || c == "\r\n" || c == "\r" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.init(message: message, line: line, column: column)
    }

    public var description: String {
        line > 1 ? "\(message) (line \(line), column \(column))" : "\(message) (column \(column))"
    }
}

/// An error while running a pipeline (unknown command, parameter binding, conversions...).
/// The message is one line, worded as PowerShell words it where PowerShell has a wording.
public struct PSRuntimeError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
