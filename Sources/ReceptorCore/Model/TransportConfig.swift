/// Organization-wide transport settings (`Set-TransportConfig`) that receive connectors depend on: the
/// domains whose servers authenticate with mutual TLS (Domain Security) on DomainSecureEnabled connectors.
public struct TransportConfig: Hashable, Sendable, Codable {
    public var tlsReceiveDomainSecureList: [String]
    public var tlsSendDomainSecureList: [String]

    public init(tlsReceiveDomainSecureList: [String] = [], tlsSendDomainSecureList: [String] = []) {
        self.tlsReceiveDomainSecureList = tlsReceiveDomainSecureList
        self.tlsSendDomainSecureList = tlsSendDomainSecureList
    }

    /// Domain Security names exact domains: Exchange refuses wildcard (`*`) entries (reference §3b).
    public static func validateDomainSecureEntry(_ domain: String) throws(ValueError) {
        if domain.contains("*") {
            throw ValueError("\"\(domain)\" can't be on a domain-secure list: wildcard domains are not allowed; list each partner domain.")
        }
        try DomainName.validate(domain, what: "domain")
    }
}
