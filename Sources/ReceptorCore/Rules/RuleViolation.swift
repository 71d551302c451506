/// Why a connector (or a change to one) is refused. One line, naming the parameter and, for a conflict, the
/// other connector and how to resolve it. Console, shell and listener all show these texts as they are.
public struct RuleViolation: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Rule: String, Hashable, Sendable {
        case authNoneAlone, basicAuthRequireTLSNeedsBasicAndTls, externalAuthoritativeOnlyWithTls,
            requireTLSNeedsTls, externalAuthoritativeNeedsExchangeServers, domainSecureNeedsTls,
            domainSecureForbidsExternalAuthoritative, binaryMimeNeedsChunking, suppressXAnonymousTlsNeedsDowngradedAuth,
            inactivityBelowConnectionTimeout, bannerStartsWith220, nameLength, nameCharacters, nameUnique,
            usageMissing, usageExclusive, usageForbidsBindings, usageRequiresBindings, usageForbidsRemoteIPRanges,
            usageRequiresRemoteIPRanges, clientUsageNotOnEdge, legacyServersNotOnEdge, transportRoleNotOnEdge,
            transportRoleRequiredOnMailbox, longAddressesHubOnly, bindingsRequired, remoteIPRangesRequired,
            duplicateBinding, duplicateRemoteIPRange, identicalBindingAndRange, partialRangeOverlap,
            transportRoleBindingConflict, valueOutOfRange, invalidValue, parameterNotOnEdge, parameterNotOnNew,
            parameterNotOnSet
    }

    public let rule: Rule
    public let parameter: String
    public let message: String
    public let conflictingConnector: ConnectorIdentity?

    public init(_ rule: Rule, parameter: String, _ message: String, conflictingConnector: ConnectorIdentity? = nil) {
        self.rule = rule
        self.parameter = parameter
        self.message = message
        self.conflictingConnector = conflictingConnector
    }

    public var description: String { message }
}

/// Something allowed but worth saying: a setting the listener does not act on, an EAC caution (§4b 15–16),
/// an address not on this host. The code says which; the message is for people, and its wording may change,
/// so code that picks warnings (the console's tabs) goes by the code.
public struct RuleWarning: Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// EnableAuthGSSAPI without Integrated in AuthMechanism: it has no effect.
        case gssapiWithoutIntegrated
        /// A binding on a specific address that is not an address of this host (when the caller says which
        /// addresses the host has).
        case bindingNotLocal
        /// A Hub Transport connector on port 25, a known cause of "4.3.2 Service not active".
        case hubTransportOnPort25
        /// A binding given without a port: port 25 is used.
        case bindingPortOmitted
        /// No permission groups: the connector can't accept connections.
        case noPermissionGroups
        /// The EAC's caution: Externally secured with the Exchange servers group relays anonymously (§4b 15).
        case externallySecuredRelay
        /// The EAC's warning: Basic authentication without the Anonymous users group (§4b 16).
        case basicAuthWithoutAnonymous
        /// No connection can ever select the connector: other connectors take every address of its ranges.
        case unreachable
    }

    public let code: Code
    public let parameter: String
    public let message: String
    public init(_ code: Code, parameter: String, _ message: String) { self.code = code; self.parameter = parameter; self.message = message }
    public var description: String { message }
}

public struct ValidationReport: Sendable {
    public var errors: [RuleViolation] = []
    public var warnings: [RuleWarning] = []
    public var isValid: Bool { errors.isEmpty }
    public init() {}

    mutating func fail(_ rule: RuleViolation.Rule, _ parameter: String, _ message: String, conflict: ConnectorIdentity? = nil) {
        errors.append(RuleViolation(rule, parameter: parameter, message, conflictingConnector: conflict))
    }
    mutating func warn(_ code: RuleWarning.Code, _ parameter: String, _ message: String) {
        warnings.append(RuleWarning(code, parameter: parameter, message))
    }
}
