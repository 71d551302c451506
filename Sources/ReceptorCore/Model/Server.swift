/// A Receptor host as Exchange sees a server: a name, a role, and the names it answers to.
/// Mailbox servers run two transport services (Front End and Hub); Edge servers one.
public struct Server: Hashable, Sendable, Codable {
    public var name: String
    public var role: ServerRole
    /// The fully qualified name used as every connector's default Fqdn and in the certificate.
    public var fqdn: String
    /// The NetBIOS-style domain that prefixes group principals (`CONTOSO\Exchange Servers`).
    public var domain: String
    /// `Set-TransportService -UseDowngradedExchangeServerAuth`; needed before SuppressXAnonymousTls (§4b rule 8).
    public var useDowngradedExchangeServerAuth: Bool
    /// Receive protocol log settings by service ("FrontEnd", "Hub", "Edge"); a missing service uses
    /// Exchange's defaults (`receiveProtocolLog(service:)`).
    public var receiveProtocolLogs: [String: ReceiveProtocolLogSettings] = [:]

    public init(name: String, role: ServerRole, fqdn: String, domain: String? = nil, useDowngradedExchangeServerAuth: Bool = false) {
        self.name = name
        self.role = role
        self.fqdn = fqdn
        self.domain = domain ?? Server.domainLabel(fromFqdn: fqdn)
        self.useDowngradedExchangeServerAuth = useDowngradedExchangeServerAuth
    }

    enum CodingKeys: String, CodingKey {
        case name, role, fqdn, domain, useDowngradedExchangeServerAuth, receiveProtocolLogs
    }

    /// Stores written before the protocol log settings existed have no `receiveProtocolLogs`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        role = try c.decode(ServerRole.self, forKey: .role)
        fqdn = try c.decode(String.self, forKey: .fqdn)
        domain = try c.decode(String.self, forKey: .domain)
        useDowngradedExchangeServerAuth = try c.decode(Bool.self, forKey: .useDowngradedExchangeServerAuth)
        receiveProtocolLogs = try c.decodeIfPresent([String: ReceiveProtocolLogSettings].self, forKey: .receiveProtocolLogs) ?? [:]
    }

    /// `mbx01.contoso.test` → `CONTOSO`; a single-label name gives `RECEPTOR`.
    public static func domainLabel(fromFqdn fqdn: String) -> String {
        let labels = fqdn.split(separator: ".")
        return labels.count >= 3
            ? labels[labels.count - 2].uppercased()
            : labels.count == 2 ? labels[0].uppercased() : "RECEPTOR"
    }

    /// Server names follow NetBIOS/DNS host rules: letters, digits and hyphens, 1–15 characters as Exchange
    /// setup requires (a longer name is refused by Windows setup too).
    public static func validateName(_ name: String) throws(ValueError) {
        guard !name.isEmpty, name.count <= 15,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
            name.first != "-", name.last != "-"
        else {
            throw ValueError("\"\(name)\" is not a valid server name: use 1 to 15 letters, digits or hyphens, not starting or ending with a hyphen.")
        }
    }
}
