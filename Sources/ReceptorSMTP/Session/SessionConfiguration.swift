import Foundation
import ReceptorCore

/// An IP address and TCP port, as the protocol log writes it: `10.0.0.5:25`, `[2001:db8::5]:25`.
public struct SMTPEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: Int

    public init(address: IPAddress, port: Int) {
        self.address = address
        self.port = port
    }

    /// The address as clients and headers show it: a v4-mapped IPv6 address as plain IPv4.
    public var displayAddress: String { (address.unmappedIPv4 ?? address).description }

    public var description: String {
        let a = address.unmappedIPv4 ?? address
        return a.family == .v6 ? "[\(a)]:\(port)" : "\(a):\(port)"
    }
}

/// Everything a session needs, resolved once when the connection is accepted (a snapshot: a reload never
/// changes a session in progress).
public struct SessionConfiguration: Sendable {
    /// The connector the listener selected for this connection.
    public let connector: ReceiveConnector
    /// The server the connector belongs to (its NetBIOS-style domain names group principals).
    public var server: Server
    /// The organization's accepted domains (relay and sender checks).
    public var acceptedDomains: [AcceptedDomain]
    /// Explicit permission entries on the connector (Add-ADPermission); group entries are computed.
    public var permissionEntries: [PermissionEntry]
    /// A TLS certificate is usable for this connector: STARTTLS is offered only then.
    public var certificateAvailable: Bool
    public let localEndpoint: SMTPEndpoint
    public let remoteEndpoint: SMTPEndpoint
    /// The endpoints as the protocol log, the headers and the monitor write them (formatted once: every
    /// command's log line and event uses them).
    public let localText: String
    public let remoteText: String
    /// `SERVER\Connector`, the protocol log's connector-id and the Received header's `via` (built once, not
    /// for every log line and message).
    public let connectorID: String
    /// The protocol log's session-id (16 hex digits in Exchange's real logs).
    public var sessionID: String
    /// When the connection was accepted: the banner's date and the start of ConnectionTimeout.
    public var connectedAt: Date
    /// The offset of RFC 5322 dates (banner, Received) from UTC, in seconds.
    public var utcOffsetSeconds: Int
    /// Emit `.log` actions (the connector's ProtocolLoggingLevel is Verbose, unless overridden).
    public var protocolLogging: Bool
    /// The listener's MessageRateLimit count says this source is over the limit: MAIL gets 421 4.4.2.
    public var rateLimited: Bool
    /// The rights before authentication when the caller has already resolved them with `PermissionModel`
    /// for this connector and these entries (the listener does so once per connector and snapshot); nil:
    /// the session resolves them.
    public var initialRights: Set<ExtendedRight>?
    /// Which accepted-domain recipients are mailboxes (recipient validation). By default every address of an
    /// Authoritative domain is taken as a mailbox (validation off); the listener passes its snapshot's.
    public var recipients: RecipientDirectory

    public init(
        connector: ReceiveConnector, server: Server, acceptedDomains: [AcceptedDomain],
        permissionEntries: [PermissionEntry] = [], certificateAvailable: Bool,
        localEndpoint: SMTPEndpoint, remoteEndpoint: SMTPEndpoint, sessionID: String, connectedAt: Date,
        utcOffsetSeconds: Int = 0, protocolLogging: Bool? = nil, rateLimited: Bool = false,
        initialRights: Set<ExtendedRight>? = nil,
        recipients: RecipientDirectory = RecipientDirectory(accounts: [], config: RecipientFilterConfig(recipientValidationEnabled: false))
    ) {
        self.connector = connector
        self.server = server
        self.acceptedDomains = acceptedDomains
        self.permissionEntries = permissionEntries
        self.certificateAvailable = certificateAvailable
        self.localEndpoint = localEndpoint
        self.remoteEndpoint = remoteEndpoint
        self.sessionID = sessionID
        self.connectedAt = connectedAt
        self.utcOffsetSeconds = utcOffsetSeconds
        self.protocolLogging = protocolLogging ?? (connector.protocolLoggingLevel == .verbose)
        self.rateLimited = rateLimited
        self.initialRights = initialRights
        self.recipients = recipients
        connectorID = connector.identity.description
        localText = localEndpoint.description
        remoteText = remoteEndpoint.description
    }

    /// The connector's Fqdn: banner, EHLO reply, Received header, Hostname= in the queued reply.
    public var fqdn: String { connector.fqdn }
    public var maxCommandLineLength: Int { SMTPLimits.commandLineLength(longAddresses: connector.longAddressesEnabled) }
    public var maxAddressLength: Int { SMTPLimits.addressLength(longAddresses: connector.longAddressesEnabled) }

    /// The accepted domain a mail domain belongs to; an exact entry beats a wildcard, a longer wildcard a
    /// shorter one.
    public func acceptedDomain(for domain: String) -> AcceptedDomain? {
        var d = domain.lowercased()
        if d.hasSuffix(".") { d.removeLast() }
        guard !d.hasPrefix("[") else { return nil }
        return acceptedDomains.filter { $0.matches(domain: d) }.max { a, b in
            let aw = a.domainName.hasPrefix("*."), bw = b.domainName.hasPrefix("*.")
            if aw != bw { return aw }
            return a.domainName.count < b.domainName.count
        }
    }
}

/// What the TLS layer reports once a STARTTLS handshake is done.
public struct TLSInfo: Hashable, Sendable {
    /// As the Received header writes it: `TLS1_2`, `TLS1_3` (`TLSv1.3` and `TLS1.3` are normalized).
    public var version: String
    /// The cipher suite's IANA name, e.g. `TLS_AES_256_GCM_SHA384`.
    public var cipher: String
    /// The domain a client certificate proved, when it chains to a trust anchor and the domain is on the
    /// domain-secure list (checked by the I/O layer). Used only on a DomainSecureEnabled connector.
    public var partnerDomain: String?

    public init(version: String, cipher: String, partnerDomain: String? = nil) {
        self.version = TLSInfo.normalizedVersion(version)
        self.cipher = cipher
        self.partnerDomain = partnerDomain
    }

    static func normalizedVersion(_ v: String) -> String {
        var s = v.uppercased().replacingOccurrences(of: "TLSV", with: "TLS")
        s = s.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: " ", with: "")
        return s
    }
}
