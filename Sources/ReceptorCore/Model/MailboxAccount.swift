/// An account that may authenticate with basic authentication (AUTH PLAIN / LOGIN). The password hash is
/// the store's business; the domain only knows names.
public struct MailboxAccount: Hashable, Sendable, Codable {
    public var name: String
    public var alias: String
    public var userPrincipalName: String
    public var primarySmtpAddress: String
    /// More addresses mail to this mailbox is delivered for (Exchange's proxy addresses, without `smtp:`),
    /// beside the UPN and the primary address.
    public var emailAddresses: [String]

    public init(
        name: String, alias: String? = nil, userPrincipalName: String, primarySmtpAddress: String? = nil,
        emailAddresses: [String] = []
    ) {
        self.name = name
        self.userPrincipalName = userPrincipalName
        self.alias = alias ?? String(userPrincipalName.split(separator: "@").first ?? Substring(name))
        self.primarySmtpAddress = primarySmtpAddress ?? userPrincipalName
        self.emailAddresses = emailAddresses
    }

    private enum CodingKeys: String, CodingKey { case name, alias, userPrincipalName, primarySmtpAddress, emailAddresses }

    /// Accounts written before EmailAddresses existed decode with none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        alias = try c.decode(String.self, forKey: .alias)
        userPrincipalName = try c.decode(String.self, forKey: .userPrincipalName)
        primarySmtpAddress = try c.decode(String.self, forKey: .primarySmtpAddress)
        emailAddresses = try c.decodeIfPresent([String].self, forKey: .emailAddresses) ?? []
    }

    /// The UPN, the primary address and the further addresses: every address that names this mailbox.
    public var allAddresses: [String] { [userPrincipalName, primarySmtpAddress] + emailAddresses }

    /// A user principal name is `local@domain`.
    public static func validateUserPrincipalName(_ upn: String) throws(ValueError) {
        let parts = upn.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[0].contains(where: { $0.isWhitespace || $0 == "\\" }) else {
            throw ValueError("\"\(upn)\" is not a valid user principal name: write it as user@domain.")
        }
        try DomainName.validate(String(parts[1]), what: "user principal name domain", original: upn)
    }

    /// Sign-in names accepted by AUTH: the UPN, the primary address, or DOMAIN\alias (case-insensitive).
    public func answers(to login: String) -> Bool {
        let l = login.lowercased()
        if l == userPrincipalName.lowercased() || l == primarySmtpAddress.lowercased() { return true }
        if let slash = l.firstIndex(of: "\\") { return l[l.index(after: slash)...] == Substring(alias.lowercased()) }
        return false
    }
}
