/// A parameter value as an administrator gave it, before the parameter table reads it: from the shell
/// (`-MaxMessageSize 36MB`, `-Bindings "0.0.0.0","[::]:"`, `-RemoteIPRanges @{Add="10.0.0.5"}`) or from a
/// console form field.
public enum ParameterInput: Sendable, Equatable {
    case text(String)
    case list([String])
    case bool(Bool)
    case number(Int)
    case null
    /// Exchange's multi-valued edit syntax `@{Add=…; Remove=…}`.
    case modify(add: [String], remove: [String])

    /// The values as a list of strings (a single text is one element).
    var strings: [String]? {
        switch self {
        case .text(let t): [t]
        case .list(let l): l
        case .number(let n): [String(n)]
        case .bool(let b): [b ? "True" : "False"]
        case .null, .modify: nil
        }
    }

    var singleText: String? {
        switch self {
        case .text(let t): t
        case .number(let n): String(n)
        case .bool(let b): b ? "True" : "False"
        case .list(let l) where l.count == 1: l[0]
        default: nil
        }
    }
}

/// A parameter's current value, typed enough for the shell to compare and the console to edit.
public enum ParameterValue: Sendable, Equatable {
    case bool(Bool)
    case text(String?)
    case integer(Int)
    case list([String])
    /// A value with Exchange's display text and, where it has one, a number for comparisons and sorting
    /// (sizes in bytes, time spans in seconds, limits; nil for `unlimited` and for flag sets).
    case typed(text: String, number: Double?)

    /// The text Format-List shows (without list braces) and the console's field shows.
    public var displayText: String {
        switch self {
        case .bool(let b): b ? "True" : "False"
        case .text(let t): t ?? ""
        case .integer(let n): String(n)
        case .list(let l): l.joined(separator: ", ")
        case .typed(let text, _): text
        }
    }
}
