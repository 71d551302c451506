import Foundation

/// The rules a connector must satisfy on its own (§4b, §3 scopes) and against the other connectors of its
/// server (§6b). Pure: the caller supplies everything it knows, including the host's local addresses when
/// it wants the "address not on this machine" warning.
public struct ValidationContext: Sendable {
    public var server: Server
    /// The routing of every other connector of the same server (the one being validated is skipped by its
    /// GUID): the rules between connectors read nothing else of them (their names, bindings, remote ranges,
    /// transport roles and whether they are enabled), so a server's thousands of connectors need not be read
    /// in full to validate one.
    public var siblings: [ConnectorRoute] { didSet { siblingIndex = nil } }
    /// The siblings indexed (`indexingSiblings()`); nil compares a connector with every sibling.
    private(set) var siblingIndex: SiblingIndex?
    /// The host's addresses; nil skips the local-address warning (the domain cannot look them up itself).
    public var localAddresses: [IPAddress]?
    /// Warn when no connection could ever select the connector (every address of its ranges, on every
    /// binding, goes to another connector). The listener, which only needs the errors, turns it off.
    public var checksReachability: Bool
    /// The connectors that take some remote addresses, after the change, on every endpoint the connector
    /// binds, where the caller has worked them out already (`ImpactPreview.analysis`'s `winnersAfter`, over
    /// these siblings and the connector): the reachability check then reads it instead of mapping again.
    public var winnersAfterChange: Set<UUID>?

    public init(server: Server, siblings: [ConnectorRoute], localAddresses: [IPAddress]? = nil, checksReachability: Bool = true) {
        self.server = server
        self.siblings = siblings
        self.localAddresses = localAddresses
        self.checksReachability = checksReachability
    }

    /// The same from full connectors (their routing is taken).
    public init(server: Server, siblings: [ReceiveConnector], localAddresses: [IPAddress]? = nil, checksReachability: Bool = true) {
        self.init(server: server, siblings: siblings.map(ConnectorRoute.init), localAddresses: localAddresses, checksReachability: checksReachability)
    }

    /// The same context with its siblings indexed, for validating many connectors against them: each is then
    /// compared only with the siblings that share its name, a port or (on a shared binding) remote addresses,
    /// not with all of them, and gets the same report. Building the index costs more than one plain
    /// validation, so a single one is better off without it. Changing `siblings` drops it.
    public func indexingSiblings() -> ValidationContext {
        var indexed = self
        indexed.siblingIndex = SiblingIndex(siblings)
        return indexed
    }

    /// Positions in `siblings` that could have `name` (all of them without an index), ascending.
    func siblingsThatMayBeNamed(_ name: String) -> [Int] { siblingIndex?.nameCandidates(for: name) ?? Array(siblings.indices) }

    /// Positions in `siblings` that could conflict with `c` (all of them without an index), ascending.
    func siblingsThatMayConflict(with c: ReceiveConnector) -> [Int] { siblingIndex?.conflictCandidates(for: c) ?? Array(siblings.indices) }
}

public enum ConnectorValidator {
    public static let maximumNameLength = 64

    public static func validate(_ c: ReceiveConnector, in context: ValidationContext) -> ValidationReport {
        var report = ValidationReport()
        checkName(c, context, &report)
        checkPlacement(c, context.server, &report)
        checkAuthentication(c, context.server, &report)
        checkProtocol(c, &report)
        checkNetwork(c, context, &report)
        checkConflicts(c, context, &report)
        addCautions(c, &report)
        if context.checksReachability && report.isValid { checkReachability(c, context, &report) }
        return report
    }

    // MARK: Reachability (issue 15: unreachable connectors are flagged)

    /// A connector that no connection can select — every address of its remote ranges goes, on each of its
    /// bindings, to a more specific or preferred connector — is saved with a warning naming those connectors.
    static func checkReachability(_ c: ReceiveConnector, _ context: ValidationContext, _ r: inout ValidationReport) {
        let route = ConnectorRoute(c)
        // Built only when needed: with the caller's winners a reachable connector needs no copy of its siblings.
        var all: [ConnectorRoute] { context.siblings.filter { $0.guid != c.guid } + [route] }
        let reachable =
            context.winnersAfterChange.map { !Reachability.isCandidate(route) || $0.contains(c.guid) }
            ?? Reachability.isReachable(route, among: all)
        guard !reachable else { return }
        r.warn(.unreachable, "RemoteIPRanges", unreachableMessage(c, shadows: Reachability.shadows(of: route, among: all)))
    }

    /// The warning's sentence, which the console's details pane shows too.
    public static func unreachableMessage(_ c: some ConnectorRouting, shadows: [String]) -> String {
        "No connection can select \(c.name): on each of its bindings, every address of its remote ranges goes to \(shadows.isEmpty ? "another connector" : shadows.joined(separator: ", ")) (a more specific range, a specific binding, or a name that sorts first)."
    }

    // MARK: Name (§3a)

    static func checkName(_ c: ReceiveConnector, _ context: ValidationContext, _ r: inout ValidationReport) {
        let name = c.name
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            r.fail(.nameLength, "Name", "Name can't be empty.")
        } else if name.count > maximumNameLength {
            r.fail(.nameLength, "Name", "Name \"\(name.prefix(20))…\" is \(name.count) characters long; the maximum is \(maximumNameLength).")
        }
        if name.contains(where: { "\\/,;\"".contains($0) || $0.isNewline }) || name != name.trimmingCharacters(in: .whitespaces) {
            let shown = name.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
            r.fail(.nameCharacters, "Name", "Name \"\(shown)\" may not contain \\ / , ; \" or line breaks, nor start or end with a space.")
        }
        let siblings = context.siblings
        if let i = context.siblingsThatMayBeNamed(name).first(where: {
            siblings[$0].guid != c.guid && ConnectorIdentity.sameName(siblings[$0].name, name)
        }) {
            let other = siblings[i]
            r.fail(
                .nameUnique, "Name",
                "A receive connector named \"\(other.name)\" already exists on server \(context.server.name); choose another Name.",
                conflict: other.identity)
        }
    }

    // MARK: Server kind (§3g)

    static func checkPlacement(_ c: ReceiveConnector, _ server: Server, _ r: inout ValidationReport) {
        switch server.role {
        case .edge:
            if c.transportRole != nil {
                r.fail(.transportRoleNotOnEdge, "TransportRole", "TransportRole can't be used on an Edge Transport server; omit it.")
            }
            if c.permissionGroups.contains(.exchangeLegacyServers) {
                r.fail(
                    .legacyServersNotOnEdge, "PermissionGroups",
                    "PermissionGroups value ExchangeLegacyServers isn't available on an Edge Transport server.")
            }
            if c.longAddressesEnabled {
                r.fail(
                    .longAddressesHubOnly, "LongAddressesEnabled",
                    "LongAddressesEnabled can be set only on Hub Transport connectors of Mailbox servers.")
            }
        case .mailbox:
            if c.transportRole == nil {
                r.fail(
                    .transportRoleRequiredOnMailbox, "TransportRole",
                    "A connector on a Mailbox server needs TransportRole FrontendTransport or HubTransport.")
            }
            if c.longAddressesEnabled && c.transportRole != .hubTransport {
                r.fail(
                    .longAddressesHubOnly, "LongAddressesEnabled",
                    "LongAddressesEnabled can be set only on Hub Transport connectors (TransportRole HubTransport).")
            }
        }
    }

    // MARK: Authentication (§4b rules 1–8)

    static func checkAuthentication(_ c: ReceiveConnector, _ server: Server, _ r: inout ValidationReport) {
        let auth = c.authMechanism
        if auth.contains(.basicAuthRequireTLS) && !(auth.contains(.basicAuth) && auth.contains(.tls)) {
            r.fail(
                .basicAuthRequireTLSNeedsBasicAndTls, "AuthMechanism",
                "AuthMechanism BasicAuthRequireTLS also needs BasicAuth and Tls (it is \(auth)).")
        }
        if auth.contains(.externalAuthoritative) {
            let others = auth.ordered.filter { $0 != .externalAuthoritative && $0 != .tls }
            if !others.isEmpty {
                r.fail(
                    .externalAuthoritativeOnlyWithTls, "AuthMechanism",
                    "AuthMechanism ExternalAuthoritative can be combined only with Tls; remove \(others.map(\.rawValue).joined(separator: ", ")).")
            }
            if !c.permissionGroups.contains(.exchangeServers) {
                r.fail(
                    .externalAuthoritativeNeedsExchangeServers, "PermissionGroups",
                    "AuthMechanism ExternalAuthoritative requires PermissionGroups ExchangeServers (it is \(c.permissionGroups)).")
            }
        }
        if c.requireTLS && !auth.contains(.tls) {
            r.fail(.requireTLSNeedsTls, "RequireTLS", "RequireTLS \u{24}true needs Tls in AuthMechanism (it is \(auth)).")
        }
        if c.domainSecureEnabled {
            if !auth.contains(.tls) {
                r.fail(.domainSecureNeedsTls, "DomainSecureEnabled", "DomainSecureEnabled \u{24}true needs Tls in AuthMechanism (it is \(auth)).")
            }
            if auth.contains(.externalAuthoritative) {
                r.fail(
                    .domainSecureForbidsExternalAuthoritative, "DomainSecureEnabled",
                    "DomainSecureEnabled \u{24}true can't be used with AuthMechanism ExternalAuthoritative.")
            }
        }
        if c.suppressXAnonymousTls && !server.useDowngradedExchangeServerAuth {
            r.fail(
                .suppressXAnonymousTlsNeedsDowngradedAuth, "SuppressXAnonymousTls",
                "SuppressXAnonymousTls \u{24}true needs Set-TransportService \(server.name) -UseDowngradedExchangeServerAuth \u{24}true first.")
        }
        if c.enableAuthGSSAPI && !auth.contains(.integrated) {
            r.warn(.gssapiWithoutIntegrated, "EnableAuthGSSAPI", "EnableAuthGSSAPI has an effect only when AuthMechanism includes Integrated.")
        }
    }

    // MARK: Protocol and limits (§4b 7, 9, 12)

    static func checkProtocol(_ c: ReceiveConnector, _ r: inout ValidationReport) {
        if c.binaryMimeEnabled && !c.chunkingEnabled {
            r.fail(.binaryMimeNeedsChunking, "BinaryMimeEnabled", "BinaryMimeEnabled \u{24}true needs ChunkingEnabled \u{24}true.")
        }
        if c.connectionInactivityTimeout >= c.connectionTimeout {
            r.fail(
                .inactivityBelowConnectionTimeout, "ConnectionInactivityTimeout",
                "ConnectionInactivityTimeout (\(c.connectionInactivityTimeout)) must be less than ConnectionTimeout (\(c.connectionTimeout)).")
        }
        if let banner = c.banner, !banner.hasPrefix("220") {
            r.fail(
                .bannerStartsWith220, "Banner",
                "Banner must start with 220, as in \"220 mail.contoso.com\" (it starts with \"\(banner.prefix(12))\").")
        }
        if let banner = c.banner, banner.contains(where: { $0.isNewline }) {
            r.fail(.invalidValue, "Banner", "Banner must be one line.")
        }
    }

    // MARK: Bindings and ranges on their own

    static func checkNetwork(_ c: ReceiveConnector, _ context: ValidationContext, _ r: inout ValidationReport) {
        if c.bindings.isEmpty {
            r.fail(.bindingsRequired, "Bindings", "Bindings can't be empty: give at least one local IP address and port, as in 0.0.0.0:25.")
        }
        if c.remoteIPRanges.isEmpty {
            r.fail(
                .remoteIPRangesRequired, "RemoteIPRanges",
                "RemoteIPRanges can't be empty: give at least one address, range or CIDR, as in 0.0.0.0-255.255.255.255.")
        }
        var seen = Set<IPBinding>()
        for b in c.bindings where !seen.insert(b).inserted {
            r.fail(.duplicateBinding, "Bindings", "Bindings lists \(b) more than once.")
        }
        var seenRanges: [IPRange] = []
        for range in c.remoteIPRanges {
            if seenRanges.contains(where: { $0.coversSameAddresses(as: range) }) {
                r.fail(.duplicateRemoteIPRange, "RemoteIPRanges", "RemoteIPRanges lists \(range) more than once.")
            }
            seenRanges.append(range)
        }
        if let local = context.localAddresses {
            for b in c.bindings where !b.isWildcard && !local.contains(where: { $0 == b.address }) {
                r.warn(
                    .bindingNotLocal, "Bindings",
                    "Binding \(b): \(b.address) is not an address of this machine; the listener can't open it until it is.")
            }
        }
        if c.transportRole == .hubTransport, c.bindings.contains(where: { $0.port == 25 }) {
            r.warn(
                .hubTransportOnPort25, "TransportRole",
                "A Hub Transport connector on port 25 is a known cause of \"4.3.2 Service not active\"; custom port-25 connectors belong in the Front End Transport service (-TransportRole FrontendTransport)."
            )
        }
        for b in c.bindings where b.portWasOmitted {
            r.warn(
                .bindingPortOmitted, "Bindings",
                "Binding \"\(b.address.family == .v6 ? "[\(b.address)]:" : "\(b.address)")\" names no port; port \(b.port) is used.")
        }
    }

    // MARK: Uniqueness across the server's connectors (§6b)

    static func checkConflicts(_ c: ReceiveConnector, _ context: ValidationContext, _ r: inout ValidationReport) {
        let assumedPort =
            c.bindings.contains(where: \.portWasOmitted)
            ? " (A binding was given without a port; port \(c.bindings.first(where: \.portWasOmitted)!.port) was assumed.)" : ""
        for i in context.siblingsThatMayConflict(with: c) where context.siblings[i].guid != c.guid {
            let other = context.siblings[i]
            var otherID: String { other.identity.description }  // only in a refusal: a server may have thousands of siblings
            if c.transportRole != other.transportRole {
                // Different transport services on one server never share a local IP:port (§6b).
                if let (mine, theirs) = firstPair(c.bindings, other.bindings, where: { $0.overlaps($1) }) {
                    let shared = mine == theirs ? "\(mine)" : "\(mine) and \(theirs)"
                    r.fail(
                        .transportRoleBindingConflict, "Bindings",
                        "The values that you specified for the Bindings and RemoteIPRanges parameters conflict with the settings on Receive connector \"\(otherID)\" (\(other.transportRole?.rawValue ?? "Edge")): receive connectors assigned to different Transport roles on a single server must listen on unique local IP address & port bindings (\(shared)). Use another port or a different specific local IP address.\(assumedPort)",
                        conflict: other.identity)
                }
                continue
            }
            for binding in c.bindings where other.bindings.contains(binding) {
                for mine in c.remoteIPRanges {
                    for theirs in other.remoteIPRanges where mine.family == theirs.family && mine.overlaps(theirs) {
                        if mine.coversSameAddresses(as: theirs) {
                            r.fail(
                                .identicalBindingAndRange, "RemoteIPRanges",
                                "The values that you specified for the Bindings and RemoteIPRanges parameters conflict with the settings on Receive connector \"\(otherID)\": both listen on \(binding) for \(theirs). Narrow RemoteIPRanges, or bind one of the two connectors to a specific local IP address (for example Set-ReceiveConnector \"\(otherID)\" -Bindings <local IP>:\(binding.port)).\(assumedPort)",
                                conflict: other.identity)
                            return
                        } else if !mine.nests(with: theirs) {
                            r.fail(
                                .partialRangeOverlap, "RemoteIPRanges",
                                "RemoteIPRanges \(mine) partly overlaps \(theirs) of Receive connector \"\(otherID)\" on binding \(binding): ranges of connectors that share a binding may overlap only if one lies completely inside the other. Narrow or widen one of them.",
                                conflict: other.identity)
                            return
                        }
                    }
                }
            }
        }
    }

    static func firstPair<T>(_ a: [T], _ b: [T], where match: (T, T) -> Bool) -> (T, T)? {
        for x in a { for y in b where match(x, y) { return (x, y) } }
        return nil
    }

    // MARK: Cautions (§4b 13, 15, 16)

    static func addCautions(_ c: ReceiveConnector, _ r: inout ValidationReport) {
        if c.permissionGroups.isEmpty {
            r.warn(
                .noPermissionGroups, "PermissionGroups",
                "With no permission groups this connector can't accept connections; add groups with -PermissionGroups or Add-ADPermission.")
        }
        if c.authMechanism.contains(.externalAuthoritative) && c.permissionGroups.contains(.exchangeServers) {
            r.warn(.externallySecuredRelay, "AuthMechanism", ConnectorCautions.externallySecuredRelay)
        }
        if (c.authMechanism.contains(.basicAuth) || c.authMechanism.contains(.basicAuthRequireTLS)) && !c.permissionGroups.contains(.anonymousUsers)
            && !c.permissionGroups.isEmpty
        {
            r.warn(.basicAuthWithoutAnonymous, "AuthMechanism", ConnectorCautions.basicAuthWithoutAnonymous)
        }
    }
}

/// The EAC's cautions, worded for a terminal (§4b items 15–16).
public enum ConnectorCautions {
    public static let externallySecuredRelay =
        "Caution: Externally secured with the Exchange servers group lets every address in RemoteIPRanges relay anonymously through this server."
    public static let basicAuthWithoutAnonymous =
        "Warning: Basic authentication without the Anonymous users group on an authenticated-relay connector routes mail through the authenticated user's (or the arbitration mailbox's) active Mailbox server."
}
