/// Reads one command line into an `SMTPCommand`. Pure syntax: whether a command is allowed now, or a
/// parameter is offered on this connector, is the session's business.
public struct SMTPCommandParser: Sendable {
    /// Longest address accepted (571, or 1860 with LongAddressesEnabled).
    public var maxAddressLength: Int
    /// Qualifies addresses written without a domain (the connector's DefaultDomain, 2010/2013 semantics).
    public var defaultDomain: String?
    /// The domain given to a bare `postmaster` recipient.
    public var postmasterDomain: String?
    /// The current transaction declared SMTPUTF8: RCPT addresses may hold UTF-8.
    public var utf8Recipients: Bool

    public init(
        maxAddressLength: Int = SMTPLimits.maxAddressLength, defaultDomain: String? = nil,
        postmasterDomain: String? = nil, utf8Recipients: Bool = false
    ) {
        self.maxAddressLength = maxAddressLength
        self.defaultDomain = defaultDomain
        self.postmasterDomain = postmasterDomain
        self.utf8Recipients = utf8Recipients
    }

    public func parse(_ line: [UInt8]) throws(SMTPCommandError) -> SMTPCommand {
        if line.contains(0) { throw .containsNUL }
        return try parse(String(decoding: line, as: UTF8.self))
    }

    public func parse(_ line: String) throws(SMTPCommandError) -> SMTPCommand {
        // Every command runs through here: the verb and the argument bounds are found on the UTF-8 bytes, not
        // by Character (grapheme) iteration, which costs several times as much. SMTP's syntax is ASCII, so
        // every boundary found lies between Unicode scalars.
        let bytes = line.utf8
        let space = bytes.firstIndex(of: UInt8(ascii: " "))
        guard let verb = SMTPVerb(keyword: bytes[..<(space ?? bytes.endIndex)]) else { throw .unrecognizedCommand }
        let rest: Substring = space.map { line[bytes.index(after: $0)...] } ?? ""
        let args = rest.trimmingSpaces
        switch verb {
        case .ehlo, .helo:
            let word = args.spaceSeparatedWords.first.map(String.init)
            return verb == .ehlo ? .ehlo(word) : .helo(word)
        case .mail: return .mail(try parseMail(args))
        case .rcpt: return .rcpt(try parseRcpt(args))
        case .data: guard args.isEmpty else { throw .unexpectedArguments(.data) }; return .data
        case .rset: guard args.isEmpty else { throw .unexpectedArguments(.rset) }; return .rset
        case .quit: guard args.isEmpty else { throw .unexpectedArguments(.quit) }; return .quit
        case .starttls: guard args.isEmpty else { throw .unexpectedArguments(.starttls) }; return .starttls
        case .noop: return .noop
        case .vrfy: guard !args.isEmpty else { throw .syntax(.vrfy) }; return .vrfy(String(args))
        case .expn: guard !args.isEmpty else { throw .syntax(.expn) }; return .expn(String(args))
        case .help: return .help(args.isEmpty ? nil : String(args))
        case .bdat: return try parseBDAT(args)
        case .auth:
            let words = args.spaceSeparatedWords
            guard (1...2).contains(words.count) else { throw .syntax(.auth) }
            return .auth(mechanism: words[0].asciiUppercased, initialResponse: words.count == 2 ? String(words[1]) : nil)
        }
    }

    // MARK: BDAT

    func parseBDAT(_ args: Substring) throws(SMTPCommandError) -> SMTPCommand {
        let words = args.spaceSeparatedWords
        guard (1...2).contains(words.count), let size = Self.decimal(words[0]) else { throw .syntax(.bdat) }
        if words.count == 2 {
            guard words[1].asciiUppercased == "LAST" else { throw .syntax(.bdat) }
            return .bdat(size: size, last: true)
        }
        return .bdat(size: size, last: false)
    }

    static func decimal(_ s: Substring) -> Int64? {
        guard !s.isEmpty, s.utf8.count <= SMTPLimits.maxDecimalDigits, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(s)
    }

    // MARK: MAIL / RCPT

    /// Splits `FROM:<path> params` into the path text (without brackets) and the parameter words.
    /// Angle brackets are optional (reference §10 note); quoted local parts may hold spaces and `>`.
    func splitPath(_ args: Substring, keyword: String, verb: SMTPVerb) throws(SMTPCommandError) -> (
        path: Substring, bracketed: Bool, params: [Substring]
    ) {
        // On the UTF-8 bytes, like `parse`: every MAIL and RCPT comes through here.
        let bytes = args.utf8
        guard bytes.starts(with: keyword.utf8, by: { $0.asciiUppercased == $1 }) else { throw .syntax(verb) }
        var i = bytes.index(bytes.startIndex, offsetBy: keyword.utf8.count)
        while i < bytes.endIndex, bytes[i] == UInt8(ascii: " ") { i = bytes.index(after: i) }  // "MAIL FROM: <a@b>" is common; tolerate it
        guard i < bytes.endIndex else { throw .syntax(verb) }
        var path: Substring
        let bracketed = bytes[i] == UInt8(ascii: "<")
        let paramsStart: String.Index
        if bracketed {
            let open = bytes.index(after: i)
            var inQuotes = false, escaped = false
            var close: String.Index?
            var j = open
            while j < bytes.endIndex {
                let c = bytes[j]
                if escaped {
                    escaped = false
                } else if inQuotes {
                    if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inQuotes = false }
                } else if c == UInt8(ascii: "\"") {
                    inQuotes = true
                } else if c == UInt8(ascii: ">") {
                    close = j; break
                }
                j = bytes.index(after: j)
            }
            guard let close else { throw .syntax(verb) }
            path = args[open..<close]
            paramsStart = bytes.index(after: close)
            guard paramsStart == bytes.endIndex || bytes[paramsStart] == UInt8(ascii: " ") else { throw .syntax(verb) }
        } else {
            paramsStart = bytes[i...].firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
            path = args[i..<paramsStart]
        }
        // A source route (<@a,@b:user@c>) is accepted and ignored (RFC 5321 §4.1.1.3).
        if path.utf8.first == UInt8(ascii: "@"), let colon = path.utf8.firstIndex(of: UInt8(ascii: ":")) {
            path = path[path.utf8.index(after: colon)...]
        }
        return (path, bracketed, args[paramsStart...].spaceSeparatedWords)
    }

    func parseMail(_ args: Substring) throws(SMTPCommandError) -> MailFromCommand {
        let (path, bracketed, params) = try splitPath(args, keyword: "FROM:", verb: .mail)
        var mail = MailFromCommand(sender: nil)
        var seen = Set<String>()
        for param in params {
            let (key, value) = Self.keyValue(param)
            guard seen.insert(key).inserted else { throw .syntax(.mail) }
            switch key {
            case "SIZE":
                guard let v = value, let n = Self.decimal(v) else { throw .syntax(.mail) }
                mail.size = n
            case "BODY":
                guard let v = value, let b = BodyType(rawValue: v.asciiUppercased) else { throw .syntax(.mail) }
                mail.body = b
            case "RET":
                guard let v = value, let r = DSNReturn(rawValue: v.asciiUppercased) else { throw .syntax(.mail) }
                mail.ret = r
            case "ENVID":
                guard let v = value, Self.isXtext(v), v.utf8.count <= 100 else { throw .syntax(.mail) }
                mail.envelopeID = String(v)
            case "AUTH":
                guard let v = value, v == "<>" || Self.isXtext(v), v.utf8.count <= SMTPLimits.maxParameterValueLength else { throw .syntax(.mail) }
                mail.authParameter = String(v)
            case "SMTPUTF8":
                guard value == nil else { throw .syntax(.mail) }
                mail.smtpUTF8 = true
            default:
                throw .unrecognizedParameter(.mail, key)
            }
        }
        if bracketed && path.isEmpty { return mail }  // the null reverse path
        switch MailAddress.parse(String(path), maxLength: maxAddressLength, allowUTF8: mail.smtpUTF8, defaultDomain: defaultDomain) {
        case .success(let a): mail.sender = a
        case .failure(let p): throw .invalidSender(p)
        }
        return mail
    }

    func parseRcpt(_ args: Substring) throws(SMTPCommandError) -> RcptToCommand {
        let (path, _, params) = try splitPath(args, keyword: "TO:", verb: .rcpt)
        var notify: DSNNotify?, orcpt: String?, orar: String?
        var seen = Set<String>()
        for param in params {
            let (key, value) = Self.keyValue(param)
            guard seen.insert(key).inserted else { throw .syntax(.rcpt) }
            switch key {
            case "NOTIFY":
                guard let v = value, let n = Self.parseNotify(v) else { throw .syntax(.rcpt) }
                notify = n
            case "ORCPT":
                guard let v = value, let semi = v.firstIndex(of: ";"), semi != v.startIndex,
                    v[..<semi].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                    Self.isXtext(v[v.index(after: semi)...]), v.utf8.count <= SMTPLimits.maxParameterValueLength
                else { throw .syntax(.rcpt) }
                orcpt = String(v)
            case "ORAR":
                guard let v = value, !v.isEmpty, v.utf8.count <= SMTPLimits.maxParameterValueLength else { throw .syntax(.rcpt) }
                orar = String(v)
            default:
                throw .unrecognizedParameter(.rcpt, key)
            }
        }
        switch MailAddress.parse(
            String(path), maxLength: maxAddressLength, allowUTF8: utf8Recipients,
            defaultDomain: defaultDomain, postmasterDomain: postmasterDomain)
        {
        case .success(let a): return RcptToCommand(recipient: a, notify: notify, originalRecipient: orcpt, orar: orar)
        case .failure(let p): throw .invalidRecipient(p)
        }
    }

    static func keyValue(_ param: Substring) -> (String, Substring?) {
        guard let eq = param.utf8.firstIndex(of: UInt8(ascii: "=")) else { return (param.asciiUppercased, nil) }
        return (param[..<eq].asciiUppercased, param[param.utf8.index(after: eq)...])
    }

    static func parseNotify(_ v: Substring) -> DSNNotify? {
        let words = v.asciiUppercased.split(separator: ",", omittingEmptySubsequences: false)
        if words == ["NEVER"] { return .never }
        var s = false, f = false, d = false
        for w in words {
            switch w {
            case "SUCCESS" where !s: s = true
            case "FAILURE" where !f: f = true
            case "DELAY" where !d: d = true
            default: return nil
            }
        }
        return .on(success: s, failure: f, delay: d)
    }

    /// RFC 3461 xtext: printable ASCII except `+` and `=`, which appear only as `+HH`.
    static func isXtext(_ v: Substring) -> Bool {
        let bytes = Array(v.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                guard i + 2 < bytes.count, isHex(bytes[i + 1]), isHex(bytes[i + 2]) else { return false }
                i += 3
                continue
            }
            guard b >= 33, b <= 126, b != UInt8(ascii: "=") else { return false }
            i += 1
        }
        return true
    }

    static func isHex(_ b: UInt8) -> Bool { (48...57).contains(b) || (65...70).contains(b) || (97...102).contains(b) }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (on the UTF-8 bytes).
    var trimmingSpaces: Substring {
        let bytes = utf8
        var start = bytes.startIndex, end = bytes.endIndex
        func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        while start < end, isBlank(bytes[start]) { start = bytes.index(after: start) }
        while end > start, isBlank(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return self[start..<end]
    }

    /// The words between runs of spaces, as `split(separator: " ")` gives them, found on the UTF-8 bytes.
    var spaceSeparatedWords: [Substring] {
        let bytes = utf8
        var words: [Substring] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard bytes[i] != UInt8(ascii: " ") else { i = bytes.index(after: i); continue }
            let end = bytes[i...].firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
            words.append(self[i..<end])
            i = end
        }
        return words
    }
}
