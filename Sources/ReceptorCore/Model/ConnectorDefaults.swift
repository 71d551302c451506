import Foundation

/// Exchange's defaults: the generic ones of §3, what each usage type sets (§2a), the default connectors that
/// setup creates (§1), and the Mailbox/Edge differences (§3g). The only place defaults are written down.
public enum ConnectorDefaults {
    static func binding(_ text: String) -> IPBinding { try! IPBinding(parsing: text) }
    static let allIPv4AndIPv6: [IPRange] = [.allIPv6, .allIPv4]

    /// A connector with every parameter at its generic default for the server's kind, before any usage type.
    public static func base(name: String, server: Server, transportRole: TransportRole?, guid: UUID = UUID()) -> ReceiveConnector {
        let edge = server.role == .edge
        return ReceiveConnector(
            name: name, server: server.name, guid: guid,
            transportRole: edge ? nil : transportRole,
            bindings: [], remoteIPRanges: [], enabled: true, comment: "",
            authMechanism: [.tls], permissionGroups: .none,
            requireTLS: false, domainSecureEnabled: false, enableAuthGSSAPI: false,
            extendedProtectionPolicy: .none, suppressXAnonymousTls: false,
            tlsCertificateName: nil, tlsDomainCapabilities: [],
            authTarpitInterval: EnhancedTimeSpan(seconds: 5), maxLogonFailures: 3,
            banner: nil, fqdn: server.fqdn, sizeEnabled: .enabled,
            pipeliningEnabled: true, deliveryStatusNotificationEnabled: true, enhancedStatusCodesEnabled: true,
            eightBitMimeEnabled: true, chunkingEnabled: true, binaryMimeEnabled: true,
            longAddressesEnabled: false, orarEnabled: false, requireEHLODomain: false,
            smtpUtf8Enabled: false, bareLinefeedRejectionEnabled: false,
            rejectReservedTopLevelRecipientDomains: false, rejectReservedSecondLevelRecipientDomains: false,
            rejectSingleLabelRecipientDomains: false, defaultDomain: nil, serviceDiscoveryFqdn: nil,
            advertiseClientSettings: false,
            maxMessageSize: .megabytes(36), maxHeaderSize: .kilobytes(256),
            maxRecipientsPerMessage: 200, maxHopCount: 30, maxLocalHopCount: 8,
            maxInboundConnection: .limited(5000), maxInboundConnectionPerSource: .limited(20),
            maxInboundConnectionPercentagePerSource: 2, maxProtocolErrors: .limited(5),
            messageRateLimit: edge ? .limited(600) : .unlimited, messageRateSource: .ipAddress,
            connectionTimeout: edge ? .minutes(5) : .minutes(10),
            connectionInactivityTimeout: edge ? .minutes(1) : .minutes(5),
            tarpitInterval: EnhancedTimeSpan(seconds: 5), maxAcknowledgementDelay: EnhancedTimeSpan(seconds: 30),
            protocolLoggingLevel: .none)
    }

    /// What a usage type sets (§2a), applied to a base connector.
    public static func apply(_ usage: ConnectorUsage, to c: inout ReceiveConnector, serverRole: ServerRole) {
        switch usage {
        case .client:
            c.permissionGroups = [.exchangeUsers]
            c.authMechanism = [.tls, .basicAuth, .basicAuthRequireTLS, .integrated]
        case .custom:
            c.permissionGroups = .none
            c.authMechanism = [.tls]
        case .internal:
            // ExchangeLegacyServers does not exist on Edge (§2a).
            c.permissionGroups = serverRole == .edge ? [.exchangeServers] : [.exchangeLegacyServers, .exchangeServers]
            c.authMechanism = [.tls, .exchangeServer]
        case .internet:
            c.permissionGroups = [.anonymousUsers]
            c.authMechanism = [.tls]
        case .partner:
            c.permissionGroups = [.partners]
            c.authMechanism = [.tls]
        }
    }

    /// The binding a usage type fills in when the cmdlet forbids or omits `-Bindings` (§2a).
    public static func defaultBindings(for usage: ConnectorUsage) -> [IPBinding]? {
        switch usage {
        case .client: [binding("0.0.0.0:587")]
        case .internal: [binding("0.0.0.0:25")]
        default: nil
        }
    }

    /// The remote range a usage type fills in when `-RemoteIPRanges` is forbidden (§2a).
    public static func defaultRemoteIPRanges(for usage: ConnectorUsage) -> [IPRange]? {
        usage == .internet ? [.allIPv4] : nil
    }

    /// The default receive connectors that setup creates for a server (§1): five on Mailbox, one on Edge.
    /// `portOffset` shifts every port (10000 gives 10025, 10587, …) so an unprivileged user can run them.
    public static func setupConnectors(for server: Server, portOffset: Int = 0) -> [ReceiveConnector] {
        func make(
            _ name: String, _ role: TransportRole?, port: Int, ipv6: Bool = true,
            auth: AuthMechanisms, groups: PermissionGroups,
            configure: (inout ReceiveConnector) -> Void = { _ in }
        ) -> ReceiveConnector {
            var c = base(name: name, server: server, transportRole: role)
            let p = port + portOffset
            c.bindings = ipv6 ? [binding("[::]:\(p)"), binding("0.0.0.0:\(p)")] : [binding("0.0.0.0:\(p)")]
            c.remoteIPRanges = ipv6 ? allIPv4AndIPv6 : [.allIPv4]
            c.authMechanism = auth
            c.permissionGroups = groups
            configure(&c)
            return c
        }
        let s = server.name
        switch server.role {
        case .edge:
            return [
                make(
                    "Default internal receive connector \(s)", nil, port: 25, ipv6: false,
                    auth: [.tls, .exchangeServer], groups: [.anonymousUsers, .exchangeServers, .partners]
                ) {
                    $0.domainSecureEnabled = true
                }
            ]
        case .mailbox:
            let fiveAuth: AuthMechanisms = [.tls, .basicAuth, .basicAuthRequireTLS, .exchangeServer, .integrated]
            return [
                make(
                    "Default \(s)", .hubTransport, port: 2525, auth: [.tls, .basicAuth, .exchangeServer, .integrated],
                    groups: [.exchangeLegacyServers, .exchangeServers, .exchangeUsers]
                ) {
                    $0.maxRecipientsPerMessage = 5000
                    $0.maxInboundConnectionPerSource = .unlimited
                    $0.maxInboundConnectionPercentagePerSource = 100
                },
                make("Client Proxy \(s)", .hubTransport, port: 465, auth: fiveAuth, groups: [.exchangeServers, .exchangeUsers]) {
                    $0.messageRateLimit = .limited(5)
                    $0.messageRateSource = .user
                },
                make(
                    "Default Frontend \(s)", .frontendTransport, port: 25, auth: fiveAuth,
                    groups: [.anonymousUsers, .exchangeLegacyServers, .exchangeServers]
                ) {
                    $0.protocolLoggingLevel = .verbose
                },
                make("Outbound Proxy Frontend \(s)", .frontendTransport, port: 717, auth: fiveAuth, groups: [.exchangeServers]),
                make(
                    "Client Frontend \(s)", .frontendTransport, port: 587,
                    auth: [.tls, .basicAuth, .basicAuthRequireTLS, .integrated], groups: [.exchangeUsers]
                ) {
                    $0.messageRateLimit = .limited(5)
                    $0.messageRateSource = .user
                },
            ]
        }
    }

    /// When `-TransportRole` is omitted on a Mailbox server, Exchange creates the connector in the Hub
    /// (Transport) service. We do the same; the role-conflict rule then explains a port-25 clash.
    public static let omittedTransportRole: TransportRole = .hubTransport
}
