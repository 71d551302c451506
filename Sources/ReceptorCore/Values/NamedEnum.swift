/// An Exchange enumeration whose values are written by name, case-insensitively, in the shell.
public protocol NamedEnum: CaseIterable, Hashable, Sendable, CustomStringConvertible, RawRepresentable where RawValue == String {
    /// The type's name as an administrator sees it in error messages ("ProtocolLoggingLevel").
    static var typeName: String { get }
    /// Declared here so a type's own parser (TransportRole accepts `Frontend`) is used by generic code too.
    init(parsing input: String) throws(ValueError)
}

extension NamedEnum {
    public var description: String { rawValue }

    public init(parsing input: String) throws(ValueError) {
        let text = input.trimmingCharacters(in: .whitespaces)
        guard let match = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }) else {
            let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValueError("\"\(input)\" is not a valid \(Self.typeName). Valid values: \(names).")
        }
        self = match
    }
}

public enum ServerRole: String, NamedEnum {
    case mailbox = "Mailbox", edge = "Edge"
    public static let typeName = "ServerRole"
}

public enum TransportRole: String, NamedEnum {
    case frontendTransport = "FrontendTransport", hubTransport = "HubTransport"
    public static let typeName = "TransportRole"

    /// The article writes `-TransportRole Frontend`; Exchange's enum parser accepts that shorthand, and so do we.
    public init(parsing input: String) throws(ValueError) {
        switch input.trimmingCharacters(in: .whitespaces).lowercased() {
        case "frontendtransport", "frontend": self = .frontendTransport
        case "hubtransport", "hub": self = .hubTransport
        default: throw ValueError("\"\(input)\" is not a valid TransportRole. Valid values: FrontendTransport, HubTransport.")
        }
    }

    /// The transport service folder name used for protocol logs.
    public var serviceName: String { self == .frontendTransport ? "FrontEnd" : "Hub" }
}

public enum ConnectorUsage: String, NamedEnum {
    case custom = "Custom", partner = "Partner", client = "Client", `internal` = "Internal", internet = "Internet"
    public static let typeName = "UsageType"

    /// One line for the wizard and help: what the type is for (reference §2a).
    public var summary: String {
        switch self {
        case .custom: "Your own settings: cross-forest, third-party servers, devices and relay. Needs permission groups."
        case .partner: "Secure mail from a partner organization over TLS (Partners group)."
        case .client: "Authenticated SMTP submission from POP3/IMAP4 clients on port 587 (Exchange users)."
        case .internal: "Mail from other Exchange servers or third-party servers inside the organization."
        case .internet: "Anonymous mail from the Internet on port 25."
        }
    }
}

public enum ProtocolLoggingLevel: String, NamedEnum {
    case none = "None", verbose = "Verbose"
    public static let typeName = "ProtocolLoggingLevel"
}

public enum SizeMode: String, NamedEnum {
    case enabled = "Enabled", disabled = "Disabled", enabledWithoutValue = "EnabledWithoutValue"
    public static let typeName = "SizeMode"
}

public enum MessageRateSource: String, NamedEnum {
    case none = "None", user = "User", ipAddress = "IPAddress", all = "All"
    public static let typeName = "MessageRateSourceFlags"
}

public enum ExtendedProtectionPolicy: String, NamedEnum {
    case none = "None", allow = "Allow", require = "Require"
    public static let typeName = "ExtendedProtectionPolicySetting"
}

public enum AcceptedDomainType: String, NamedEnum {
    case authoritative = "Authoritative", internalRelay = "InternalRelay", externalRelay = "ExternalRelay"
    public static let typeName = "AcceptedDomainType"
}
