/// An accepted domain: a mail domain this organization receives for (Authoritative: its mailboxes live here;
/// relay types are accepted and passed on). Recipients in accepted domains need no relay right.
public struct AcceptedDomain: Hashable, Sendable, Codable {
    public var name: String
    public var domainName: String
    public var domainType: AcceptedDomainType
    public var isDefault: Bool

    public init(name: String, domainName: String, domainType: AcceptedDomainType = .authoritative, isDefault: Bool = false) {
        self.name = name
        self.domainName = domainName
        self.domainType = domainType
        self.isDefault = isDefault
    }

    /// `contoso.com` matches itself; `*.contoso.com` matches its subdomains (and, as in Exchange, contoso.com).
    public func matches(domain: String) -> Bool {
        let d = domain.lowercased(), pattern = domainName.lowercased()
        if pattern.hasPrefix("*.") {
            let base = String(pattern.dropFirst(2))
            return d == base || d.hasSuffix("." + base)
        }
        return d == pattern
    }

    /// A domain name as Exchange accepts it: DNS labels (letters, digits, hyphens), optionally `*.` first.
    public static func validateDomainName(_ text: String) throws(ValueError) {
        var body = Substring(text)
        if body.hasPrefix("*.") { body = body.dropFirst(2) }
        try DomainName.validate(String(body), what: "domain name", original: text)
    }
}

/// DNS name syntax shared by Fqdn, accepted domains and EHLO checks.
public enum DomainName {
    public static func validate(_ text: String, what: String, original: String? = nil) throws(ValueError) {
        let shown = original ?? text
        guard !text.isEmpty, text.count <= 255 else { throw ValueError("\"\(shown)\" is not a valid \(what): it must be 1 to 255 characters.") }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { throw ValueError("\"\(shown)\" is not a valid \(what): it has an empty label.") }
            guard label.count <= 63 else { throw ValueError("\"\(shown)\" is not a valid \(what): a label is longer than 63 characters.") }
            guard label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
                label.first != "-", label.last != "-"
            else {
                throw ValueError("\"\(shown)\" is not a valid \(what): \"\(label)\" may hold only letters, digits and inner hyphens.")
            }
        }
    }
}
