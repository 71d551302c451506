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

    public init(maxAddressLength: Int = SMTPLimits.maxAddressLength, defaultDomain: String? = nil,
                postmasterDomain: String? = nil, utf8Recipients: Bool = false) {
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
        let verbText: Substring, rest: Substring
        if let space = line.firstIndex(of: " ") {
            verbText = line[..<space]
            rest = line[line.index(after: space)...]
        } else {
            verbText = Substring(line)
            rest = ""
        }
        guard let verb = SMTPVerb(rawValue: verbText.asciiUppercased) else { throw .unrecognizedCommand }
        let args = rest.trimmingSpaces
        switch verb {
        case .ehlo, .helo:
            let word = args.split(separator: " ").first.map(String.init)
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
            let words = args.split(separator: " ")
            guard (1...2).contains(words.count) else { throw .syntax(.auth) }
            return .auth(mechanism: words[0].asciiUppercased, initialResponse: words.count == 2 ? String(words[1]) : nil)
        }
    }

    // MARK: BDAT

    func parseBDAT(_ args: Substring) throws(SMTPCommandError) -> SMTPCommand {
        let words = args.split(separator: " ")
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
    func splitPath(_ args: Substring, keyword: String, verb: SMTPVerb) throws(SMTPCommandError) -> (path: Substring, bracketed: Bool, params: [Substring]) {
        guard args.count >= keyword.count, args.prefix(keyword.count).asciiUppercased == keyword else { throw .syntax(verb) }
        var rest = args.dropFirst(keyword.count)
        while rest.first == " " { rest = rest.dropFirst() }   // "MAIL FROM: <a@b>" is common; tolerate it
        guard !rest.isEmpty else { throw .syntax(verb) }
        var path: Substring
        var bracketed = false
        if rest.first == "<" {
            bracketed = true
            var inQuotes = false, escaped = false
            var close: Substring.Index?
            var i = rest.index(after: rest.startIndex)
            while i < rest.endIndex {
                let c = rest[i]
                if escaped { escaped = false } else if inQuotes {
                    if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
                } else if c == "\"" { inQuotes = true } else if c == ">" { close = i; break }
                i = rest.index(after: i)
            }
            guard let close else { throw .syntax(verb) }
            path = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            guard rest.isEmpty || rest.first == " " else { throw .syntax(verb) }
        } else {
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            path = rest[..<end]
            rest = rest[end...]
        }
        // A source route (<@a,@b:user@c>) is accepted and ignored (RFC 5321 §4.1.1.3).
        if path.first == "@", let colon = path.firstIndex(of: ":") { path = path[path.index(after: colon)...] }
        return (path, bracketed, rest.split(separator: " "))
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
        if bracketed && path.isEmpty { return mail }   // the null reverse path
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
                      Self.isXtext(v[v.index(after: semi)...]), v.utf8.count <= SMTPLimits.maxParameterValueLength else { throw .syntax(.rcpt) }
                orcpt = String(v)
            case "ORAR":
                guard let v = value, !v.isEmpty, v.utf8.count <= SMTPLimits.maxParameterValueLength else { throw .syntax(.rcpt) }
                orar = String(v)
            default:
                throw .unrecognizedParameter(.rcpt, key)
            }
        }
        switch MailAddress.parse(String(path), maxLength: maxAddressLength, allowUTF8: utf8Recipients,
                                 defaultDomain: defaultDomain, postmasterDomain: postmasterDomain) {
        case .success(let a): return RcptToCommand(recipient: a, notify: notify, originalRecipient: orcpt, orar: orar)
        case .failure(let p): throw .invalidRecipient(p)
        }
    }

    static func keyValue(_ param: Substring) -> (String, Substring?) {
        guard let eq = param.firstIndex(of: "=") else { return (param.asciiUppercased, nil) }
        return (param[..<eq].asciiUppercased, param[param.index(after: eq)...])
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
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
