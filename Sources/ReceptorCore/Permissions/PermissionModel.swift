/// Permission groups → principals → extended rights (reference §5a), plus explicit entries, resolved to what
/// one SMTP session may do. The listener asks `effectiveRights`; the shell shows `entries` with Get-ADPermission.
public enum PermissionModel {
    static let anonymousRights: [ExtendedRight] = [.acceptHeadersRouting, .acceptAnySender, .acceptAuthoritativeDomainSender, .submit]
    static let exchangeUsersRights: [ExtendedRight] = [.acceptHeadersRouting, .bypassAntiSpam, .acceptAnyRecipient, .submit]
    static let exchangeServersRights: [ExtendedRight] = [
        .acceptHeadersForest, .acceptHeadersOrganization, .acceptHeadersRouting, .bypassAntiSpam, .bypassMessageSizeLimit,
        .acceptAnyRecipient, .acceptAnySender, .acceptAuthenticationFlag, .acceptAuthoritativeDomainSender, .acceptExch50, .submit,
        .acceptXattr, .acceptXProxyFrom, .acceptXSessionParams, .acceptXShadow, .acceptXSysProbe,
        .sendXMessageContextADRecipientCache, .sendXMessageContextExtendedProperties, .sendXMessageContextFastIndex,
    ]
    static let externallySecuredRights: [ExtendedRight] = [
        .acceptHeadersRouting, .bypassAntiSpam, .bypassMessageSizeLimit, .acceptAnyRecipient, .acceptAnySender,
        .acceptAuthenticationFlag, .acceptAuthoritativeDomainSender, .acceptExch50, .submit,
    ]
    static let legacyServersRights: [ExtendedRight] = [
        .acceptHeadersRouting, .bypassAntiSpam, .bypassMessageSizeLimit, .acceptAnyRecipient, .acceptAnySender,
        .acceptAuthenticationFlag, .acceptAuthoritativeDomainSender, .acceptExch50, .submit,
    ]
    static let partnerRights: [ExtendedRight] = [.acceptHeadersRouting, .submit]

    /// The entries a connector's permission groups grant (§5a). `ExchangeServers` also grants the
    /// Externally Secured Servers principal its reduced set when `ExternalAuthoritative` is on.
    public static func groupEntries(for c: ReceiveConnector, domain: String) -> [PermissionEntry] {
        var entries: [PermissionEntry] = []
        func grant(_ p: SecurityPrincipal, _ rights: [ExtendedRight]) {
            entries.append(PermissionEntry(user: p, extendedRights: rights, fromPermissionGroup: true))
        }
        for group in c.permissionGroups {
            switch group {
            case .anonymousUsers: grant(.anonymousLogon, anonymousRights)
            case .exchangeUsers: grant(.authenticatedUsers, exchangeUsersRights)
            case .exchangeServers:
                for p in [SecurityPrincipal.exchangeServers(domain: domain), .edgeTransportServers, .hubTransportServers] {
                    grant(p, exchangeServersRights)
                }
                if c.authMechanism.contains(.externalAuthoritative) { grant(.externallySecuredServers, externallySecuredRights) }
            case .exchangeLegacyServers: grant(.exchangeLegacyInterop(domain: domain), legacyServersRights)
            case .partners: grant(.partnerServers, partnerRights)
            case .custom: break
            }
        }
        return entries
    }

    /// How a session is authenticated, which decides the principals it acts as.
    public enum SessionAuthentication: Hashable, Sendable {
        case anonymous
        /// AUTH succeeded for an account; `principals` are the names it answers to (UPN, DOMAIN\alias).
        case account(principals: [SecurityPrincipal])
        /// A partner server proved its domain with a certificate on a domain-secure connector.
        case partner(domain: String)
        /// The connector is externally secured: every session on it is trusted as internal.
        case externallySecured
        /// Exchange Server authentication (X-EXPS). Not spoken by this listener; modelled for completeness.
        case exchangeServer
    }

    public static func principals(for auth: SessionAuthentication, domain: String) -> [SecurityPrincipal] {
        switch auth {
        case .anonymous: [.anonymousLogon]
        case .account(let names): [.authenticatedUsers] + names
        case .partner: [.partnerServers]
        case .externallySecured: [.externallySecuredServers]
        case .exchangeServer: [.exchangeServers(domain: domain), .hubTransportServers, .edgeTransportServers]
        }
    }

    /// The rights of a session on a connector: allows from group entries and explicit entries for the
    /// session's principals, minus explicit denies (a deny always wins, as in Windows ACLs).
    public static func effectiveRights(
        connector: ReceiveConnector, explicitEntries: [PermissionEntry],
        authentication: SessionAuthentication, domain: String
    ) -> Set<ExtendedRight> {
        let mine = Set(principals(for: authentication, domain: domain))
        let all = groupEntries(for: connector, domain: domain) + explicitEntries
        var allowed = Set<ExtendedRight>(), denied = Set<ExtendedRight>()
        for entry in all where mine.contains(entry.user) {
            if entry.deny { denied.formUnion(entry.extendedRights) } else { allowed.formUnion(entry.extendedRights) }
        }
        return allowed.subtracting(denied)
    }

    /// How a session on this connector starts, before any AUTH: externally secured connectors trust every
    /// session (§7 method B); otherwise it is anonymous.
    public static func initialAuthentication(for connector: ReceiveConnector) -> SessionAuthentication {
        connector.authMechanism.contains(.externalAuthoritative) ? .externallySecured : .anonymous
    }
}
