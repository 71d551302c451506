/// What a session may do on a connector, in the terms administrators ask about (Test-ReceiveConnector and
/// the console's Explain view): the extended rights of a session before AUTH, after AUTH and as a partner,
/// resolved by `PermissionModel` (permission groups plus explicit Add-ADPermission entries, deny winning),
/// and the four yes/no answers drawn from them. One rule, used by the shell and the console.
public struct SessionRights: Sendable {
    /// A session before any AUTH: anonymous, or trusted as internal on an externally secured connector.
    public let anonymous: Set<ExtendedRight>
    /// A session after AUTH as an account answering to the given principals.
    public let authenticated: Set<ExtendedRight>
    /// A partner server on a domain-secure connector.
    public let partner: Set<ExtendedRight>
    /// RequireTLS: the connector refuses mail until STARTTLS.
    public let requiresTls: Bool

    public init(
        connector: ReceiveConnector, explicitEntries: [PermissionEntry], domain: String,
        accountPrincipals: [SecurityPrincipal] = []
    ) {
        func rights(_ auth: PermissionModel.SessionAuthentication) -> Set<ExtendedRight> {
            PermissionModel.effectiveRights(connector: connector, explicitEntries: explicitEntries, authentication: auth, domain: domain)
        }
        anonymous = rights(PermissionModel.initialAuthentication(for: connector))
        authenticated = rights(.account(principals: accountPrincipals))
        partner = rights(.partner(domain: ""))
        requiresTls = connector.requireTLS
    }

    /// A session may send mail without AUTH (ms-Exch-SMTP-Submit before AUTH).
    public var maySubmit: Bool { anonymous.contains(.submit) }
    /// A session may send to any recipient without AUTH: Submit and Accept-Any-Recipient.
    public var canRelayAnonymously: Bool { maySubmit && anonymous.contains(.acceptAnyRecipient) }
    /// Nothing can be sent before AUTH.
    public var requiresAuthentication: Bool { !maySubmit }

    /// The rights in Get-ADPermission's order.
    public static func names(_ rights: Set<ExtendedRight>) -> [String] {
        ExtendedRight.allCases.filter(rights.contains).map(\.rawValue)
    }
}
