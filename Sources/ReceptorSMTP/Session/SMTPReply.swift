/// An RFC 2034 enhanced status code (`5.7.1`).
public struct EnhancedStatusCode: Hashable, Sendable, CustomStringConvertible {
    public let klass: Int
    public let subject: Int
    public let detail: Int

    public init(_ klass: Int, _ subject: Int, _ detail: Int) {
        self.klass = klass
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(klass).\(subject).\(detail)" }
}

/// Where `SMTPReply.encode` writes: a byte array here, the network buffer in the I/O layer.
public protocol SMTPByteSink {
    mutating func appendByte(_ byte: UInt8)
    mutating func appendBytes(_ bytes: String.UTF8View)
}

extension Array: SMTPByteSink where Element == UInt8 {
    public mutating func appendByte(_ byte: UInt8) { append(byte) }
    public mutating func appendBytes(_ bytes: String.UTF8View) { append(contentsOf: bytes) }
}

/// One SMTP reply: a three-digit code, an optional enhanced status code and one or more text lines.
/// A multi-line reply (EHLO, HELP) is written `250-first`, `250-second`, …, `250 last`.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    public var code: Int
    public var enhancedCode: EnhancedStatusCode?
    public var lines: [String]

    public init(_ code: Int, _ enhancedCode: EnhancedStatusCode? = nil, _ text: String) {
        self.init(code, enhancedCode, lines: [text])
    }

    public init(_ code: Int, _ enhancedCode: EnhancedStatusCode? = nil, lines: [String]) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines.isEmpty ? [""] : lines
    }

    public var isPositive: Bool { code < 400 }
    public var isTransientFailure: Bool { (400..<500).contains(code) }
    public var isPermanentFailure: Bool { code >= 500 }

    /// The wire lines without CRLF. The enhanced code, when present and `enhanced` is true, starts every line
    /// (RFC 2034); a connector with EnhancedStatusCodesEnabled off gets plain replies.
    public func textLines(enhanced: Bool = true) -> [String] {
        let prefix = enhanced ? enhancedCode.map { "\($0) " } ?? "" : ""
        return lines.enumerated().map { index, text in
            let separator = index == lines.count - 1 ? " " : "-"
            let body = prefix + text
            return "\(code)\(separator)\(body)"
        }
    }

    /// The bytes to send, CRLF-terminated (the same text as `textLines`).
    public func encoded(enhanced: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count + 16 })
        encode(enhanced: enhanced, into: &out)
        return out
    }

    /// Writes the bytes to send straight into `sink` (the I/O layer's own buffer): every reply of every
    /// session goes through here, so no intermediate array or string is made.
    public func encode<Sink: SMTPByteSink>(enhanced: Bool = true, into sink: inout Sink) {
        let enhancedCode = enhanced ? self.enhancedCode : nil
        for (index, text) in lines.enumerated() {
            sink.appendByte(UInt8(48 + code / 100 % 10))
            sink.appendByte(UInt8(48 + code / 10 % 10))
            sink.appendByte(UInt8(48 + code % 10))
            sink.appendByte(index == lines.count - 1 ? UInt8(ascii: " ") : UInt8(ascii: "-"))
            if let enhancedCode {
                Self.appendDecimal(enhancedCode.klass, to: &sink)
                sink.appendByte(UInt8(ascii: "."))
                Self.appendDecimal(enhancedCode.subject, to: &sink)
                sink.appendByte(UInt8(ascii: "."))
                Self.appendDecimal(enhancedCode.detail, to: &sink)
                sink.appendByte(UInt8(ascii: " "))
            }
            sink.appendBytes(text.utf8)
            sink.appendByte(13)
            sink.appendByte(10)
        }
    }

    /// A non-negative number in decimal (enhanced codes' parts are 1 to 3 digits).
    private static func appendDecimal<Sink: SMTPByteSink>(_ value: Int, to sink: inout Sink) {
        let value = max(0, value)
        var divisor = 1
        while divisor * 10 <= value { divisor *= 10 }
        while divisor > 0 {
            sink.appendByte(UInt8(48 + value / divisor % 10))
            divisor /= 10
        }
    }

    public var description: String { textLines().joined(separator: "\r\n") }
}

// MARK: - The reply catalogue (reference §10 where documented; the rest is marked in docs/decisions)

extension SMTPReply {
    static func esc(_ a: Int, _ b: Int, _ c: Int) -> EnhancedStatusCode { EnhancedStatusCode(a, b, c) }

    /// `220 <Fqdn> Receptor ESMTP MAIL Service ready at <date>` (reference §9a with our product name).
    public static func banner(fqdn: String, date: String) -> SMTPReply {
        // One reserved string: this runs for every connection.
        var text = ""
        text.reserveCapacity(fqdn.utf8.count + date.utf8.count + 40)
        text += fqdn; text += " Receptor ESMTP MAIL Service ready at "; text += date
        return SMTPReply(220, nil, text)
    }

    /// A connector's own Banner, which must begin with `220` (§4b rule 12); sent as given.
    public static func customBanner(_ text: String) -> SMTPReply {
        var rest = Substring(text)
        if rest.hasPrefix("220") { rest = rest.dropFirst(3) }
        if rest.first == " " || rest.first == "-" { rest = rest.dropFirst() }
        return SMTPReply(220, nil, String(rest))
    }

    public static let senderOK = SMTPReply(250, esc(2, 1, 0), "Sender OK")
    public static let recipientOK = SMTPReply(250, esc(2, 1, 5), "Recipient OK")
    public static let startMailInput = SMTPReply(354, nil, "Start mail input; end with <CRLF>.<CRLF>")
    public static let ok = SMTPReply(250, esc(2, 0, 0), "OK")
    public static let resetting = SMTPReply(250, esc(2, 0, 0), "Resetting")
    public static let closing = SMTPReply(221, esc(2, 0, 0), "Service closing transmission channel")
    public static let cannotVerify = SMTPReply(252, esc(2, 1, 5), "Cannot VRFY user")
    public static let expnNotImplemented = SMTPReply(502, esc(5, 3, 3), "Command not implemented")
    public static let help = SMTPReply(
        214, nil,
        lines: [
            "This server supports the following commands:",
            "HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT",
        ])
    public static let readyToStartTLS = SMTPReply(220, esc(2, 0, 0), "SMTP server ready")
    public static let authenticationSuccessful = SMTPReply(235, esc(2, 7, 0), "Authentication successful")
    public static let authenticationUnsuccessful = SMTPReply(535, esc(5, 7, 3), "Authentication unsuccessful")

    public static func queued(messageId: String, internalId: Int64, fqdn: String) -> SMTPReply {
        // One reserved string: this runs for every message.
        var text = ""
        text.reserveCapacity(messageId.utf8.count + fqdn.utf8.count + 64)
        text += messageId; text += " [InternalId="; text += String(internalId); text += ", Hostname="; text += fqdn
        text += "] Queued mail for delivery"
        return SMTPReply(250, esc(2, 6, 0), text)
    }

    public static func chunkReceived(octets: Int64) -> SMTPReply {
        SMTPReply(250, esc(2, 0, 0), "CHUNK received OK, \(octets) octets")
    }

    public static func ehlo(fqdn: String, clientAddress: String, keywords: [String]) -> SMTPReply {
        SMTPReply(250, nil, lines: ["\(fqdn) Hello [\(clientAddress)]"] + keywords)
    }

    public static func helo(fqdn: String, clientAddress: String) -> SMTPReply {
        SMTPReply(250, nil, "\(fqdn) Hello [\(clientAddress)]")
    }

    // Sequence and syntax errors (protocol errors).
    public static let unrecognizedCommand = SMTPReply(500, esc(5, 3, 3), "Unrecognized command")
    public static let lineTooLong = SMTPReply(500, esc(5, 5, 2), "Line too long")
    public static let nulInCommand = SMTPReply(500, esc(5, 5, 2), "Syntax error, NUL character in command")
    public static let sendHelloFirst = SMTPReply(503, esc(5, 5, 2), "Send hello first")
    public static let senderAlreadySpecified = SMTPReply(503, esc(5, 5, 2), "Sender already specified")
    public static let needMailCommand = SMTPReply(503, esc(5, 5, 2), "Need mail command")
    public static let needRcptCommand = SMTPReply(503, esc(5, 5, 2), "Need rcpt command")
    public static let rcptAfterBDAT = SMTPReply(503, esc(5, 5, 2), "RCPT not allowed after BDAT in the same transaction")
    public static let dataAfterBDAT = SMTPReply(503, esc(5, 5, 2), "DATA not allowed after BDAT in the same transaction")
    public static let binaryMimeNeedsBDAT = SMTPReply(503, esc(5, 5, 2), "BODY=BINARYMIME requires BDAT")
    public static let alreadyAuthenticated = SMTPReply(503, esc(5, 5, 2), "Already authenticated")
    public static let authDuringTransaction = SMTPReply(503, esc(5, 5, 2), "AUTH not allowed during a mail transaction")
    public static let tlsAlreadyActive = SMTPReply(503, esc(5, 5, 2), "TLS already negotiated")
    public static let invalidDomainName = SMTPReply(501, esc(5, 5, 4), "Invalid domain name")
    public static let invalidArguments = SMTPReply(501, esc(5, 5, 4), "Invalid arguments")
    public static let unrecognizedParameter = SMTPReply(501, esc(5, 5, 4), "Unrecognized parameter")
    public static let noParametersAllowed = SMTPReply(501, esc(5, 5, 4), "Syntax error (no parameters allowed)")
    public static let invalidSenderAddress = SMTPReply(550, esc(5, 1, 7), "Invalid address")
    public static let invalidRecipientAddress = SMTPReply(501, esc(5, 1, 3), "Invalid address")
    public static let cannotDecodeResponse = SMTPReply(501, esc(5, 5, 2), "Cannot decode response")
    public static let authenticationAborted = SMTPReply(501, esc(5, 7, 0), "Authentication aborted")
    public static let unrecognizedAuthType = SMTPReply(504, esc(5, 7, 4), "Unrecognized authentication type")

    // Policy.
    public static let notAuthenticated = SMTPReply(530, esc(5, 7, 1), "Client was not authenticated")
    public static let mustStartTLS = SMTPReply(530, esc(5, 7, 0), "Must issue a STARTTLS command first")
    public static let unableToRelay = SMTPReply(550, esc(5, 7, 1), "Unable to relay")
    /// The recipient filter: an Authoritative domain's recipient that is not a mailbox (reference §10).
    public static let userUnknown = SMTPReply(550, esc(5, 1, 1), "User unknown")
    public static let tooManyRecipients = SMTPReply(452, esc(4, 5, 3), "Too many recipients")
    public static let cannotSendAsSender = SMTPReply(550, esc(5, 7, 1), "Client does not have permissions to send as this sender")
    public static let reservedTopLevelDomain = SMTPReply(550, esc(5, 1, 4), "Recipient address reserved by RFC 2606")
    public static let reservedSecondLevelDomain = SMTPReply(550, esc(5, 1, 5), "Recipient address reserved by RFC 2606")
    public static let singleLabelDomain = SMTPReply(550, esc(5, 1, 6), "Recipient addresses in single label domains not accepted")
    public static let messageTooLarge = SMTPReply(552, esc(5, 3, 4), "Message size exceeds fixed maximum message size")
    public static let headerTooLarge = SMTPReply(552, esc(5, 3, 4), "Header size exceeds fixed maximum size")
    public static let hopCountExceeded = SMTPReply(554, esc(5, 4, 6), "Hop count exceeded - possible mail loop")
    public static let bareLinefeedsRejected = SMTPReply(550, esc(5, 6, 11), "Message contains bare linefeeds, which are not allowed")
    public static let tlsNotAvailable = SMTPReply(454, esc(4, 7, 0), "TLS not available due to temporary reason")
    public static let temporaryAuthenticationFailure = SMTPReply(454, esc(4, 7, 0), "Temporary authentication failure")
    public static let temporaryDeliveryFailure = SMTPReply(451, esc(4, 3, 0), "Temporary server error. Please try again later")

    // Disconnects.
    public static let tooManyErrors = SMTPReply(421, esc(4, 7, 0), "Too many errors on this connection, closing transmission channel")
    public static let tooManyLogonFailures = SMTPReply(421, esc(4, 7, 0), "Too many failed logon attempts, closing transmission channel")
    public static let rateLimitExceeded = SMTPReply(421, esc(4, 4, 2), "Message submission rate for this client has exceeded the configured limit")
    public static let serviceNotAvailable = SMTPReply(421, esc(4, 3, 2), "Service not available, closing transmission channel")
    /// For the listener, which counts connections across sessions (reference §3d MaxInboundConnection*).
    public static let tooManyConnections = SMTPReply(
        421, esc(4, 3, 2), "The maximum number of concurrent connections has exceeded a limit, closing transmission channel")
    public static let tooManyConnectionsPerSource = SMTPReply(
        421, esc(4, 3, 2), "The maximum number of concurrent server connections has exceeded a per-source limit, closing transmission channel")

    public static func connectionDropped(fqdn: String) -> SMTPReply {
        SMTPReply(421, esc(4, 4, 2), "\(fqdn) Connection dropped")
    }
}
