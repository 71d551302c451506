/// A value that could not be read from its text form. The message is one line, names the text, and says why,
/// so the shell and the console can show it as it is.
public struct ValueError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
