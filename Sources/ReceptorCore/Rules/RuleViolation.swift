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
/// an address not on this host.
public struct RuleWarning: Hashable, Sendable, CustomStringConvertible {
    public let parameter: String
    public let message: String
    public init(parameter: String, _ message: String) { self.parameter = parameter; self.message = message }
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
    mutating func warn(_ parameter: String, _ message: String) {
        warnings.append(RuleWarning(parameter: parameter, message))
    }
}
