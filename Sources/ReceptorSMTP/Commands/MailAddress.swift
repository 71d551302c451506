import ReceptorCore

/// A mailbox as it appears in MAIL FROM / RCPT TO: `local@domain`, where the local part is a dot-atom or a
/// quoted string (kept as written) and the domain is a DNS name or an address literal (`[192.0.2.1]`,
/// `[IPv6:2001:db8::1]`).
public struct MailAddress: Hashable, Sendable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }

    public var description: String { "\(localPart)@\(domain)" }
    public var isDomainLiteral: Bool { domain.hasPrefix("[") }
    /// The domain in lower case, for matching against accepted domains.
    public var normalizedDomain: String { domain.lowercased() }

    /// Compares addresses as mail systems do in practice: the domain without case, the local part too
    /// (Exchange treats local parts case-insensitively).
    public func matches(_ text: String) -> Bool { description.lowercased() == text.lowercased() }

    /// Why an address was refused (for tests and the protocol log; the client sees 5.1.7 / 5.1.3).
    public enum Problem: Error, Hashable, Sendable {
        case empty, tooLong, noDomain, badLocalPart, badDomain, nonASCII
    }

    /// Reads `local@domain`. `allowUTF8` admits non-ASCII (SMTPUTF8, RFC 6531) in both parts.
    /// `defaultDomain` qualifies an address written without a domain (Exchange 2010/2013 DefaultDomain);
    /// without one, only `postmaster` may lack a domain (RFC 5321 §4.1.1.3), and it gets `postmasterDomain`.
    public static func parse(
        _ text: String, maxLength: Int, allowUTF8: Bool,
        defaultDomain: String? = nil, postmasterDomain: String? = nil
    ) -> Result<MailAddress, Problem> {
        guard !text.isEmpty else { return .failure(.empty) }
        guard text.utf8.count <= maxLength else { return .failure(.tooLong) }
        if !allowUTF8 && text.utf8.contains(where: { $0 >= 0x80 }) { return .failure(.nonASCII) }
        guard let at = lastAtOutsideQuotes(text) else {
            // No domain: only postmaster, or any address when the connector names a default domain.
            guard checkLocalPart(Substring(text)) else { return .failure(.badLocalPart) }
            if let d = defaultDomain { return .success(MailAddress(localPart: text, domain: d)) }
            if text.lowercased() == "postmaster", let d = postmasterDomain { return .success(MailAddress(localPart: text, domain: d)) }
            return .failure(.noDomain)
        }
        let local = text[..<at], domain = text[text.utf8.index(after: at)...]
        guard checkLocalPart(local) else { return .failure(.badLocalPart) }
        guard checkDomain(domain) else { return .failure(.badDomain) }
        return .success(MailAddress(localPart: String(local), domain: String(domain)))
    }

    // The checks below run on the UTF-8 bytes (every MAIL and RCPT pays for them): the syntax is ASCII, and
    // any byte of a non-ASCII character passes where a non-ASCII character may stand.

    /// The `@` that separates local part and domain: the last one outside a quoted string.
    static func lastAtOutsideQuotes(_ text: String) -> String.Index? {
        var inQuotes = false, escaped = false
        var found: String.Index?
        let bytes = text.utf8
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            if escaped {
                escaped = false
            } else if inQuotes {
                if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inQuotes = false }
            } else if c == UInt8(ascii: "\"") {
                inQuotes = true
            } else if c == UInt8(ascii: "@") {
                found = i
            }
            i = bytes.index(after: i)
        }
        return found
    }

    /// RFC 5321 atext, plus any byte of a non-ASCII character (admitted only when the caller allows UTF-8).
    static func isAtext(_ byte: UInt8) -> Bool {
        if byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func checkLocalPart(_ s: Substring) -> Bool {
        let bytes = s.utf8
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "\"") {
            // Quoted string: qtext (printable, space, non-ASCII) or quoted pairs, closed at the very end.
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return false }
            var escaped = false
            for byte in bytes.dropFirst().dropLast() {
                if escaped {
                    guard byte >= 0x80 || (byte >= 32 && byte < 127) else { return false }
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") || byte < 32 || byte == 127 {
                    return false
                }
            }
            return !escaped
        }
        // Dot-atom: atoms of atext separated by single dots.
        var atomLength = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard atomLength > 0 else { return false }
                atomLength = 0
            } else {
                guard isAtext(byte) else { return false }
                atomLength += 1
            }
        }
        return atomLength > 0
    }

    static func checkDomain(_ s: Substring) -> Bool {
        guard !s.isEmpty, s.utf8.count <= SMTPLimits.maxDomainLength else { return false }
        if s.first == "[" {
            guard s.last == "]", s.count > 2 else { return false }
            let inner = s.dropFirst().dropLast()
            if inner.lowercased().hasPrefix("ipv6:") {
                guard let a = try? IPAddress(parsing: String(inner.dropFirst(5))), a.family == .v6 else { return false }
                return true
            }
            guard let a = try? IPAddress(parsing: String(inner)), a.family == .v4 else { return false }
            return true
        }
        // On the UTF-8 bytes (this runs for every address), one pass, no label array: letters, digits, "-" and
        // "_" in ASCII; any non-ASCII character (an internationalized label) passes.
        var bytes = s.utf8[...]
        if bytes.last == UInt8(ascii: ".") { bytes = bytes.dropLast() }  // a root dot is tolerated
        var labelLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                // A label is not empty and does not end with "-".
                guard labelLength > 0, previous != UInt8(ascii: "-") else { return false }
                labelLength = 0
            } else {
                guard
                    byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                else { return false }
                // Nor does it start with "-".
                if labelLength == 0 && byte == UInt8(ascii: "-") { return false }
                labelLength += 1
                guard labelLength <= SMTPLimits.maxLabelLength else { return false }
            }
            previous = byte
        }
        return labelLength > 0 && previous != UInt8(ascii: "-")
    }
}

/// Checks the argument of EHLO/HELO: a host name or an address literal.
public enum HeloName {
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= SMTPLimits.maxDomainLength else { return false }
        if text.first == "[" { return MailAddress.checkDomain(Substring(text)) }
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return false }
        return MailAddress.checkDomain(Substring(text))
    }
}
