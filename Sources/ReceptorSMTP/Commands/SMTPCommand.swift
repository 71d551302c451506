/// The SMTP verbs this engine knows (RFC 5321, 3207, 3030, 4954).
public enum SMTPVerb: String, Hashable, Sendable, CaseIterable {
    case ehlo = "EHLO", helo = "HELO", mail = "MAIL", rcpt = "RCPT", data = "DATA", bdat = "BDAT"
    case rset = "RSET", noop = "NOOP", vrfy = "VRFY", expn = "EXPN", help = "HELP", quit = "QUIT"
    case starttls = "STARTTLS", auth = "AUTH"
}

/// `BODY=` of MAIL FROM (RFC 6152, RFC 3030).
public enum BodyType: String, Hashable, Sendable {
    case sevenBit = "7BIT", eightBitMIME = "8BITMIME", binaryMIME = "BINARYMIME"
}

/// `RET=` of MAIL FROM (RFC 3461).
public enum DSNReturn: String, Hashable, Sendable { case full = "FULL", headers = "HDRS" }

/// `NOTIFY=` of RCPT TO (RFC 3461): NEVER, or any of SUCCESS, FAILURE, DELAY.
public enum DSNNotify: Hashable, Sendable {
    case never
    case on(success: Bool, failure: Bool, delay: Bool)

    public var text: String {
        switch self {
        case .never: return "NEVER"
        case .on(let s, let f, let d):
            return [s ? "SUCCESS" : nil, f ? "FAILURE" : nil, d ? "DELAY" : nil].compactMap { $0 }.joined(separator: ",")
        }
    }
}

/// MAIL FROM with its parameters. `sender` is nil for the null reverse path `<>`.
public struct MailFromCommand: Hashable, Sendable {
    public var sender: MailAddress?
    public var size: Int64?
    public var body: BodyType?
    public var ret: DSNReturn?
    public var envelopeID: String?
    /// `AUTH=` (RFC 4954): the xtext as given, `<>` for "unknown".
    public var authParameter: String?
    public var smtpUTF8: Bool

    public init(
        sender: MailAddress?, size: Int64? = nil, body: BodyType? = nil, ret: DSNReturn? = nil,
        envelopeID: String? = nil, authParameter: String? = nil, smtpUTF8: Bool = false
    ) {
        self.sender = sender
        self.size = size
        self.body = body
        self.ret = ret
        self.envelopeID = envelopeID
        self.authParameter = authParameter
        self.smtpUTF8 = smtpUTF8
    }
}

/// RCPT TO with its parameters.
public struct RcptToCommand: Hashable, Sendable {
    public var recipient: MailAddress
    public var notify: DSNNotify?
    /// `ORCPT=` (RFC 3461) as given: `rfc822;kate@contoso.com` (xtext not decoded).
    public var originalRecipient: String?
    /// `ORAR=` (Exchange's XORAR extension) as given.
    public var orar: String?

    public init(recipient: MailAddress, notify: DSNNotify? = nil, originalRecipient: String? = nil, orar: String? = nil) {
        self.recipient = recipient
        self.notify = notify
        self.originalRecipient = originalRecipient
        self.orar = orar
    }
}

/// One parsed client command.
public enum SMTPCommand: Hashable, Sendable {
    /// The argument as given (first word), nil when missing; validity is the session's call.
    case ehlo(String?)
    case helo(String?)
    case mail(MailFromCommand)
    case rcpt(RcptToCommand)
    case data
    case bdat(size: Int64, last: Bool)
    case rset
    case noop
    case vrfy(String)
    case expn(String)
    case help(String?)
    case quit
    case starttls
    /// `AUTH <mechanism> [initial-response]`; the mechanism in upper case, `=` as an empty response.
    case auth(mechanism: String, initialResponse: String?)

    public var verb: SMTPVerb {
        switch self {
        case .ehlo: .ehlo
        case .helo: .helo
        case .mail: .mail
        case .rcpt: .rcpt
        case .data: .data
        case .bdat: .bdat
        case .rset: .rset
        case .noop: .noop
        case .vrfy: .vrfy
        case .expn: .expn
        case .help: .help
        case .quit: .quit
        case .starttls: .starttls
        case .auth: .auth
        }
    }
}

/// Why a command line could not be read. Each maps to the reply the client gets; all are protocol errors
/// (they count toward MaxProtocolErrors).
public enum SMTPCommandError: Error, Hashable, Sendable {
    case unrecognizedCommand
    case containsNUL
    /// Malformed arguments for a known verb.
    case syntax(SMTPVerb)
    /// Arguments given to a verb that takes none (DATA, RSET, QUIT, STARTTLS).
    case unexpectedArguments(SMTPVerb)
    case invalidSender(MailAddress.Problem)
    case invalidRecipient(MailAddress.Problem)
    case unrecognizedParameter(SMTPVerb, String)

    public var reply: SMTPReply {
        switch self {
        case .unrecognizedCommand: .unrecognizedCommand
        case .containsNUL: .nulInCommand
        case .syntax: .invalidArguments
        case .unexpectedArguments(let verb): verb == .starttls ? .noParametersAllowed : .invalidArguments
        case .invalidSender: .invalidSenderAddress
        case .invalidRecipient: .invalidRecipientAddress
        case .unrecognizedParameter: .unrecognizedParameter
        }
    }

    /// The verb the line started with, when it was one we know.
    public var verb: SMTPVerb? {
        switch self {
        case .unrecognizedCommand, .containsNUL: nil
        case .syntax(let v), .unexpectedArguments(let v), .unrecognizedParameter(let v, _): v
        case .invalidSender: .mail
        case .invalidRecipient: .rcpt
        }
    }
}
