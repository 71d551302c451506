/// A security principal that permissions name: a well-known group of §5a, or an account
/// (`CONTOSO\kate`, `kate@contoso.com`). Comparison ignores case, as Windows does.
public struct SecurityPrincipal: Hashable, Sendable, CustomStringConvertible, Codable {
    public let name: String
    public init(_ name: String) { self.name = name }

    public var description: String { name }
    public static func == (a: SecurityPrincipal, b: SecurityPrincipal) -> Bool { a.name.lowercased() == b.name.lowercased() }
    public func hash(into h: inout Hasher) { h.combine(name.lowercased()) }

    public static let anonymousLogon = SecurityPrincipal("NT AUTHORITY\\ANONYMOUS LOGON")
    public static let authenticatedUsers = SecurityPrincipal("NT AUTHORITY\\Authenticated Users")
    public static let edgeTransportServers = SecurityPrincipal("MS Exchange\\Edge Transport Servers")
    public static let hubTransportServers = SecurityPrincipal("MS Exchange\\Hub Transport Servers")
    public static let externallySecuredServers = SecurityPrincipal("MS Exchange\\Externally Secured Servers")
    public static let partnerServers = SecurityPrincipal("MS Exchange\\Partner Servers")
    public static func exchangeServers(domain: String) -> SecurityPrincipal { SecurityPrincipal("\(domain)\\Exchange Servers") }
    public static func exchangeLegacyInterop(domain: String) -> SecurityPrincipal { SecurityPrincipal("\(domain)\\ExchangeLegacyInterop") }

    /// Well-known principals of a server's domain, for validation of `Add-ADPermission -User`.
    public static func wellKnown(domain: String) -> [SecurityPrincipal] {
        [
            .anonymousLogon, .authenticatedUsers, .exchangeServers(domain: domain), .edgeTransportServers,
            .hubTransportServers, .externallySecuredServers, .exchangeLegacyInterop(domain: domain), .partnerServers,
        ]
    }
}

/// One access-control entry on a connector: allow or deny some extended rights to a principal.
/// Entries from permission groups are computed (`PermissionModel.groupEntries`); explicit ones come from
/// `Add-ADPermission` and are stored.
public struct PermissionEntry: Hashable, Sendable, Codable {
    public var user: SecurityPrincipal
    public var extendedRights: [ExtendedRight]
    public var deny: Bool
    /// Entries that come from a permission group, not from Add-ADPermission; Remove-ADPermission can't remove them.
    public var fromPermissionGroup: Bool

    public init(user: SecurityPrincipal, extendedRights: [ExtendedRight], deny: Bool = false, fromPermissionGroup: Bool = false) {
        self.user = user
        self.extendedRights = extendedRights
        self.deny = deny
        self.fromPermissionGroup = fromPermissionGroup
    }
}
