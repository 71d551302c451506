import Foundation

/// What `New-ReceiveConnector` (or the wizard) asks for before the other parameters are applied.
public struct NewConnectorRequest: Sendable {
    public var name: String
    /// Usage switches given (-Client, -Custom, …); Exchange allows exactly one switch or `-Usage`.
    public var usageSwitches: [ConnectorUsage]
    public var usageParameter: ConnectorUsage?
    public var transportRole: TransportRole?
    public var bindings: [IPBinding]?
    public var remoteIPRanges: [IPRange]?

    public init(
        name: String, usageSwitches: [ConnectorUsage] = [], usageParameter: ConnectorUsage? = nil,
        transportRole: TransportRole? = nil, bindings: [IPBinding]? = nil, remoteIPRanges: [IPRange]? = nil
    ) {
        self.name = name
        self.usageSwitches = usageSwitches
        self.usageParameter = usageParameter
        self.transportRole = transportRole
        self.bindings = bindings
        self.remoteIPRanges = remoteIPRanges
    }

    /// The one usage type the request names.
    public var usage: ConnectorUsage? { usageParameter ?? usageSwitches.first }
}

/// Builds a new connector from a request with the usage-type rules of §2a. Cross-connector rules are the
/// validator's job; the caller validates after applying any other parameters.
public enum ConnectorFactory {
    public static func make(_ request: NewConnectorRequest, server: Server, guid: UUID = UUID()) throws(RuleViolation) -> ReceiveConnector {
        let given = request.usageSwitches.count + (request.usageParameter == nil ? 0 : 1)
        guard given > 0 else {
            throw RuleViolation(
                .usageMissing, parameter: "Usage",
                "Specify the usage type with exactly one of -Internet, -Partner, -Client, -Internal, -Custom or -Usage <type>.")
        }
        guard given == 1, let usage = request.usage else {
            let names = request.usageSwitches.map { "-\($0.rawValue)" } + (request.usageParameter.map { ["-Usage \($0.rawValue)"] } ?? [])
            throw RuleViolation(
                .usageExclusive, parameter: "Usage",
                "The usage parameters \(names.joined(separator: ", ")) are mutually exclusive; use exactly one of them.")
        }
        let bySwitch = request.usageParameter == nil
        let edge = server.role == .edge

        if edge && usage == .client {
            throw RuleViolation(.clientUsageNotOnEdge, parameter: "Usage", "The Client usage type isn't available on an Edge Transport server.")
        }
        if edge && request.transportRole != nil {
            throw RuleViolation(
                .transportRoleNotOnEdge, parameter: "TransportRole", "TransportRole can't be used on an Edge Transport server; omit it.")
        }
        // Bindings: Client and Internal fill in their own and refuse -Bindings with the switch; the docs show
        // `-Usage Internal -Bindings …`, so with -Usage they are allowed (reference §2a).
        var bindings = request.bindings
        if let fixed = ConnectorDefaults.defaultBindings(for: usage) {
            if bindings != nil && bySwitch {
                throw RuleViolation(
                    .usageForbidsBindings, parameter: "Bindings",
                    "-Bindings can't be used with -\(usage.rawValue): the connector listens on \(fixed.map(\.description).joined(separator: ", ")). Change it afterwards with Set-ReceiveConnector -Bindings, or use -Usage \(usage.rawValue) -Bindings …."
                )
            }
            bindings = bindings ?? fixed
        } else if bindings == nil {
            throw RuleViolation(
                .usageRequiresBindings, parameter: "Bindings",
                "The \(usage.rawValue) usage type requires -Bindings (a local IP address and port, as in 0.0.0.0:25).")
        }
        var ranges = request.remoteIPRanges
        if let fixed = ConnectorDefaults.defaultRemoteIPRanges(for: usage) {
            if ranges != nil {
                throw RuleViolation(
                    .usageForbidsRemoteIPRanges, parameter: "RemoteIPRanges",
                    "-RemoteIPRanges can't be used with the \(usage.rawValue) usage type: it accepts \(fixed.map(\.description).joined(separator: ", ")). Use -Custom or -Partner to limit the remote addresses."
                )
            }
            ranges = fixed
        } else if ranges == nil {
            throw RuleViolation(
                .usageRequiresRemoteIPRanges, parameter: "RemoteIPRanges",
                "The \(usage.rawValue) usage type requires -RemoteIPRanges (addresses, ranges or CIDR blocks of the remote servers).")
        }

        let role: TransportRole? = edge ? nil : (request.transportRole ?? ConnectorDefaults.omittedTransportRole)
        var connector = ConnectorDefaults.base(name: request.name, server: server, transportRole: role, guid: guid)
        ConnectorDefaults.apply(usage, to: &connector, serverRole: server.role)
        connector.bindings = bindings ?? []
        connector.remoteIPRanges = ranges ?? []
        return connector
    }
}
