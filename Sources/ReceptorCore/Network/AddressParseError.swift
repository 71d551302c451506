import Foundation

/// Why a piece of address text (an IP address, a remote IP range or a local binding) was refused.
///
/// The message always names the text exactly as entered and one precise reason, so an administrator
/// who pasted a long list of ranges can find and fix the bad entry without guessing:
/// `"10.10.1.300" is not a valid IP address: "300" is greater than 255.`
public struct AddressParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What the text was supposed to be; it selects the noun in the message.
    public enum Subject: String, Equatable, Sendable {
        case address = "IP address"
        case range = "IP range"
        case binding = "binding"
    }

    /// The text as it was entered (not trimmed), so the message quotes what the user actually typed.
    public let input: String
    public let subject: Subject
    /// One sentence, ending with a period, saying what is wrong.
    public let reason: String

    public init(input: String, subject: Subject, reason: String) {
        self.input = input
        self.subject = subject
        self.reason = reason
    }

    public var description: String {
        "\"\(input)\" is not a valid \(subject.rawValue): \(reason)"
    }
}

extension AddressParseError: LocalizedError {
    /// Lets `error.localizedDescription` show the same one-line message.
    public var errorDescription: String? { description }
}

/// The reason alone, thrown by the internal parsers. The public initialisers attach the whole input
/// and the subject, because an address parsed as part of a range or binding must be reported as that
/// range or binding, quoting the whole entry.
struct AddressParseFailure: Error, Equatable {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    func error(input: String, subject: AddressParseError.Subject) -> AddressParseError {
        AddressParseError(input: input, subject: subject, reason: reason)
    }
}
