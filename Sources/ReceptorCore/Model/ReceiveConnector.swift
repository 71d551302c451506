import Foundation

/// A receive connector with every parameter of reference §3. Values here are always complete: defaults are
/// filled in when the connector is made (`ConnectorDefaults`), so readers never guess.
/// The store adds a revision; the domain value itself carries none.
public struct ReceiveConnector: Hashable, Sendable, Codable {
    // Identity and placement (§3a)
    public var name: String
    public var server: String
    public var guid: UUID
    /// FrontendTransport or HubTransport on a Mailbox server; nil on Edge, which has one transport service.
    public var transportRole: TransportRole?
    public var bindings: [IPBinding]
    public var remoteIPRanges: [IPRange]
    public var enabled: Bool
    public var comment: String

    // Security and authentication (§3b)
    public var authMechanism: AuthMechanisms
    public var permissionGroups: PermissionGroups
    public var requireTLS: Bool
    public var domainSecureEnabled: Bool
    public var enableAuthGSSAPI: Bool
    public var extendedProtectionPolicy: ExtendedProtectionPolicy
    public var suppressXAnonymousTls: Bool
    public var tlsCertificateName: String?
    public var tlsDomainCapabilities: [String]
    public var authTarpitInterval: EnhancedTimeSpan
    public var maxLogonFailures: Int

    // SMTP protocol features (§3c)
    /// nil means the default banner (§9a).
    public var banner: String?
    public var fqdn: String
    public var sizeEnabled: SizeMode
    public var pipeliningEnabled: Bool
    public var deliveryStatusNotificationEnabled: Bool
    public var enhancedStatusCodesEnabled: Bool
    public var eightBitMimeEnabled: Bool
    public var chunkingEnabled: Bool
    public var binaryMimeEnabled: Bool
    public var longAddressesEnabled: Bool
    public var orarEnabled: Bool
    public var requireEHLODomain: Bool
    public var smtpUtf8Enabled: Bool
    public var bareLinefeedRejectionEnabled: Bool
    public var rejectReservedTopLevelRecipientDomains: Bool
    public var rejectReservedSecondLevelRecipientDomains: Bool
    public var rejectSingleLabelRecipientDomains: Bool
    public var defaultDomain: String?
    public var serviceDiscoveryFqdn: String?
    public var advertiseClientSettings: Bool

    // Limits, timeouts, throttling (§3d)
    public var maxMessageSize: ByteSize
    public var maxHeaderSize: ByteSize
    public var maxRecipientsPerMessage: Int
    public var maxHopCount: Int
    public var maxLocalHopCount: Int
    public var maxInboundConnection: Unlimited
    public var maxInboundConnectionPerSource: Unlimited
    public var maxInboundConnectionPercentagePerSource: Int
    public var maxProtocolErrors: Unlimited
    public var messageRateLimit: Unlimited
    public var messageRateSource: MessageRateSource
    public var connectionTimeout: EnhancedTimeSpan
    public var connectionInactivityTimeout: EnhancedTimeSpan
    public var tarpitInterval: EnhancedTimeSpan
    public var maxAcknowledgementDelay: EnhancedTimeSpan

    // Logging (§3e)
    public var protocolLoggingLevel: ProtocolLoggingLevel

    /// The EAC list's ROLE column.
    public var roleLabel: String {
        switch transportRole {
        case .frontendTransport: "Frontend Transport"
        case .hubTransport: "Hub Transport"
        case nil: "Edge Transport"
        }
    }

    /// The transport service whose protocol log this connector writes to (§8b).
    public var transportServiceName: String { transportRole?.serviceName ?? "Edge" }
}

// Network values are stored as the text an administrator writes, so the stored form reads like the shell's.
extension IPBinding: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try IPBinding(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(description)
    }
}

extension IPRange: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try IPRange(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(description)
    }
}

extension FlagSet: Codable {
    public init(from decoder: Decoder) throws {
        let names = try decoder.singleValueContainer().decode([String].self)
        do { self = try FlagSet(parsing: names, typeName: "flags") } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(names)
    }
}

extension ByteSize: Codable {
    public init(from decoder: Decoder) throws { self.init(bytes: try decoder.singleValueContainer().decode(Int64.self)) }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(bytes) }
}

extension EnhancedTimeSpan: Codable {
    public init(from decoder: Decoder) throws { self.init(seconds: try decoder.singleValueContainer().decode(Int.self)) }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(seconds) }
}

extension Unlimited: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        self = c.decodeNil() ? .unlimited : .limited(try c.decode(Int.self))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let n = limit { try c.encode(n) } else { try c.encodeNil() }
    }
}

extension ServerRole: Codable {}
extension TransportRole: Codable {}
extension ConnectorUsage: Codable {}
extension ProtocolLoggingLevel: Codable {}
extension SizeMode: Codable {}
extension MessageRateSource: Codable {}
extension ExtendedProtectionPolicy: Codable {}
extension AcceptedDomainType: Codable {}
