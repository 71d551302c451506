/// The parameter table: every parameter of New-/Set-ReceiveConnector (reference §3), in the order
/// Format-List shows them. The shell parses `-Name value` through it, Format-List and ConvertTo-Json read
/// through it, and the console builds its forms and help from it.
public enum ConnectorParameters {
    public typealias Key<V> = WritableKeyPath<ReceiveConnector, V> & Sendable

    public static func named(_ name: String) -> ConnectorParameter? {
        byName[name.lowercased()]
    }

    static let byName: [String: ConnectorParameter] = Dictionary(uniqueKeysWithValues: all.map { ($0.name.lowercased(), $0) })

    public static let all: [ConnectorParameter] = [
        // §3a identity and placement
        text("Name", \.name, .general, help: "The connector's unique name on its server, at most 64 characters."),
        transportRole(),
        bindings(),
        remoteIPRanges(),
        bool("Enabled", \.enabled, .general, help: "Whether the connector accepts connections. A disabled connector's listener bindings close."),
        text("Comment", \.comment, .general, help: "A description shown in the console (the EAC's Description)."),
        // §3b security
        flags(
            "AuthMechanism", \.authMechanism, .security,
            help:
                "How clients may authenticate: Tls (STARTTLS), BasicAuth (AUTH PLAIN/LOGIN), BasicAuthRequireTLS (basic auth only after STARTTLS), Integrated, ExchangeServer, ExternalAuthoritative (connection secured outside the server, e.g. IPsec), or None.",
            note: { c in
                let unsupported = c.authMechanism.ordered.filter { !$0.isSupportedByListener }
                return unsupported.isEmpty
                    ? nil
                    : "AuthMechanism \(unsupported.map(\.rawValue).joined(separator: ", ")) is stored but not supported by this listener: it is never advertised."
            }),
        flags(
            "PermissionGroups", \.permissionGroups, .security,
            help:
                "Who may use the connector and which rights they get: AnonymousUsers, ExchangeUsers, ExchangeServers, ExchangeLegacyServers, Partners, Custom (rights from Add-ADPermission), or None."
        ),
        bool("RequireTLS", \.requireTLS, .security, help: "Whether every message must arrive over TLS (needs Tls in AuthMechanism)."),
        bool(
            "DomainSecureEnabled", \.domainSecureEnabled, .security,
            help:
                "Mutual TLS authentication of partner domains (Domain Security): a client certificate for a domain on the domain-secure list authenticates the session as a partner. Needs Tls; not with ExternalAuthoritative."
        ),
        bool(
            "EnableAuthGSSAPI", \.enableAuthGSSAPI, .security, help: "Offer Kerberos (GSSAPI) with Integrated authentication.",
            note: "EnableAuthGSSAPI is stored but has no effect here: this listener does not offer Integrated authentication."),
        choice(
            "ExtendedProtectionPolicy", \.extendedProtectionPolicy, .security,
            help: "Extended Protection for Integrated authentication: None, Allow or Require.",
            note: "ExtendedProtectionPolicy is stored but has no effect here: this listener does not offer Integrated authentication."),
        bool(
            "SuppressXAnonymousTls", \.suppressXAnonymousTls, .security,
            help: "Hide the X-ANONYMOUSTLS keyword (Exchange Server authentication over WAN optimizers).",
            note: "SuppressXAnonymousTls is stored; this listener never advertises X-ANONYMOUSTLS."),
        optionalText(
            "TlsCertificateName", \.tlsCertificateName, .security,
            help: "The certificate for STARTTLS, as \"<I>issuer<S>subject\"; empty uses the certificate created for the server's FQDN."),
        textList(
            "TlsDomainCapabilities", \.tlsDomainCapabilities, .security,
            help: "Hybrid capabilities per domain, as \"domain:AcceptCloudServicesMail\".",
            note: "TlsDomainCapabilities is stored but has no effect here (Exchange hybrid only)."),
        timeSpan(
            "AuthTarpitInterval", \.authTarpitInterval, .security, range: 0...600,
            help: "Delay before answering a failed authentication; 00:00:00 turns it off."),
        integer(
            "MaxLogonFailures", \.maxLogonFailures, .security, range: 0...10,
            help: "Failed logons before the connection is closed; 0 never closes for logon failures."),
        // §3c protocol
        optionalText(
            "Banner", \.banner, .general,
            help: "The 220 greeting; must start with 220. $null restores the default \"220 <Fqdn> Receptor ESMTP MAIL Service ready at <date>\"."),
        fqdn(),
        choice(
            "SizeEnabled", \.sizeEnabled, .protocolFeatures,
            help: "The SIZE keyword: Enabled (with MaxMessageSize), EnabledWithoutValue, or Disabled."),
        bool("PipeliningEnabled", \.pipeliningEnabled, .protocolFeatures, help: "Advertise PIPELINING (RFC 2920)."),
        bool("DeliveryStatusNotificationEnabled", \.deliveryStatusNotificationEnabled, .protocolFeatures, help: "Advertise DSN (RFC 3461)."),
        bool("EnhancedStatusCodesEnabled", \.enhancedStatusCodesEnabled, .protocolFeatures, help: "Advertise ENHANCEDSTATUSCODES (RFC 2034)."),
        bool("EightBitMimeEnabled", \.eightBitMimeEnabled, .protocolFeatures, help: "Advertise 8BITMIME (RFC 6152)."),
        bool("ChunkingEnabled", \.chunkingEnabled, .protocolFeatures, help: "Advertise CHUNKING and accept BDAT (RFC 3030)."),
        bool("BinaryMimeEnabled", \.binaryMimeEnabled, .protocolFeatures, help: "Advertise BINARYMIME (RFC 3030); needs ChunkingEnabled."),
        bool(
            "LongAddressesEnabled", \.longAddressesEnabled, .protocolFeatures,
            help: "Advertise XLONGADDR and accept addresses up to 1,860 characters (Hub connectors on Mailbox servers only).",
            note: "LongAddressesEnabled is stored; this listener accepts long addresses but does not process X.400 IMCEA addresses."),
        bool(
            "OrarEnabled", \.orarEnabled, .protocolFeatures, help: "Advertise XORAR (originator-requested alternate recipients).",
            note: "OrarEnabled is stored but ORAR data is not acted on by this listener."),
        bool("RequireEHLODomain", \.requireEHLODomain, .protocolFeatures, help: "Close the connection when EHLO or HELO gives no domain."),
        bool(
            "SmtpUtf8Enabled", \.smtpUtf8Enabled, .protocolFeatures, onNew: false,
            help: "Advertise SMTPUTF8 (internationalized addresses). Set-ReceiveConnector only."),
        bool(
            "BareLinefeedRejectionEnabled", \.bareLinefeedRejectionEnabled, .protocolFeatures, onNew: false,
            help: "Reject messages whose data holds a line feed without a carriage return. Set-ReceiveConnector only."),
        bool(
            "RejectReservedTopLevelRecipientDomains", \.rejectReservedTopLevelRecipientDomains, .protocolFeatures,
            help: "Reject recipients in .test, .example, .invalid and .localhost (5.1.4)."),
        bool(
            "RejectReservedSecondLevelRecipientDomains", \.rejectReservedSecondLevelRecipientDomains, .protocolFeatures,
            help: "Reject recipients in example.com, example.net and example.org (5.1.5)."),
        bool(
            "RejectSingleLabelRecipientDomains", \.rejectSingleLabelRecipientDomains, .protocolFeatures,
            help: "Reject recipients in single-label domains such as chris@contoso (5.1.6)."),
        optionalText(
            "DefaultDomain", \.defaultDomain, .protocolFeatures, help: "The organization's default accepted domain for this connector.",
            note: "DefaultDomain is stored but has no effect on this listener."),
        optionalText(
            "ServiceDiscoveryFqdn", \.serviceDiscoveryFqdn, .protocolFeatures, help: "The service-discovery FQDN.",
            note: "ServiceDiscoveryFqdn is stored but has no effect on this listener."),
        bool(
            "AdvertiseClientSettings", \.advertiseClientSettings, .protocolFeatures,
            help: "Show this connector's server, port and authentication to users in Outlook on the web.",
            note: "AdvertiseClientSettings is stored but has no effect here (there is no Outlook on the web)."),
        // §3d limits
        byteSize(
            "MaxMessageSize", \.maxMessageSize, .general, range: 65536...2_147_483_647,
            help: "The largest message accepted (the EAC's Maximum receive message size); Base64 adds about a third."),
        byteSize(
            "MaxHeaderSize", \.maxHeaderSize, .limits, range: 1...2_147_483_647,
            help: "The largest message header accepted; the connection closes beyond it."),
        integer(
            "MaxRecipientsPerMessage", \.maxRecipientsPerMessage, .general, range: 1...512_000,
            help: "Recipients accepted per message; more get 452 4.5.3 Too many recipients and are retried by the sender."),
        integer("MaxHopCount", \.maxHopCount, .limits, range: 1...500, help: "Received: headers allowed before a message is rejected as looping."),
        integer(
            "MaxLocalHopCount", \.maxLocalHopCount, .general, range: 0...50, help: "Received: headers naming this server allowed; 0 never rejects."),
        unlimited(
            "MaxInboundConnection", \.maxInboundConnection, .limits, range: 1...2_147_483_647, help: "Connections open at once to this connector."),
        unlimited(
            "MaxInboundConnectionPerSource", \.maxInboundConnectionPerSource, .limits, range: 1...10_000,
            help: "Connections open at once from one remote IP address."),
        integer(
            "MaxInboundConnectionPercentagePerSource", \.maxInboundConnectionPercentagePerSource, .limits, range: 1...100,
            help: "The percentage of the remaining available connections that one remote IP address may hold."),
        unlimited(
            "MaxProtocolErrors", \.maxProtocolErrors, .limits, range: 0...2_147_483_647,
            help: "SMTP protocol errors allowed before the connection is closed."),
        unlimited(
            "MessageRateLimit", \.messageRateLimit, .limits, range: 1...2_147_483_647,
            help: "Messages per minute from one source (see MessageRateSource)."),
        choice(
            "MessageRateSource", \.messageRateSource, .limits,
            help: "What MessageRateLimit counts by: IPAddress, User (the authenticated sender), All, or None."),
        timeSpan(
            "ConnectionTimeout", \.connectionTimeout, .general, range: 1...86_400,
            help: "The longest a connection may stay open; must exceed ConnectionInactivityTimeout."),
        timeSpan(
            "ConnectionInactivityTimeout", \.connectionInactivityTimeout, .general, range: 1...86_400,
            help: "The longest a connection may stay idle; must be less than ConnectionTimeout."),
        timeSpan(
            "TarpitInterval", \.tarpitInterval, .limits, range: 0...600,
            help: "Delay added to replies to unauthenticated sources that look abusive; 00:00:00 turns it off."),
        timeSpan(
            "MaxAcknowledgementDelay", \.maxAcknowledgementDelay, .limits, range: 0...600,
            help: "Exchange 2010 shadow-redundancy delay; not used by Exchange 2016 and later.",
            note: "MaxAcknowledgementDelay is stored but not used, as in Exchange 2016 and later."),
        // §3e logging
        choice(
            "ProtocolLoggingLevel", \.protocolLoggingLevel, .general,
            help: "None or Verbose: Verbose writes every SMTP command and reply to the receive protocol log."),
    ]

    // MARK: Builders, one per value kind

    static func make(
        _ name: String, _ kind: ConnectorParameter.Kind, _ section: ConnectorParameter.Section, onNew: Bool = true, onSet: Bool = true,
        help: String, note: String? = nil, dynamicNote: (@Sendable (ReceiveConnector) -> String?)? = nil,
        read: @escaping @Sendable (ReceiveConnector) -> ParameterValue,
        write: @escaping @Sendable (inout ReceiveConnector, ParameterInput) throws -> Void,
        command: @escaping @Sendable (ReceiveConnector) -> String
    ) -> ConnectorParameter {
        ConnectorParameter(
            name: name, kind: kind, section: section, onNew: onNew, onSet: onSet, help: help, listenerNote: note,
            dynamicNote: dynamicNote ?? { _ in note }, read: read, write: write, command: command)
    }

    static func single(_ name: String, _ input: ParameterInput) throws -> String {
        guard let text = input.singleText else { throw ValueError("\(name) takes one value.") }
        return text
    }

    static func bool(
        _ name: String, _ key: Key<Bool>, _ section: ConnectorParameter.Section, onNew: Bool = true,
        help: String, note: String? = nil
    ) -> ConnectorParameter {
        make(
            name, .boolean, section, onNew: onNew, help: help, note: note,
            read: { .bool($0[keyPath: key]) },
            write: { c, input in c[keyPath: key] = try ValueParsing.boolean(input, parameter: name) },
            command: { $0[keyPath: key] ? "$true" : "$false" })
    }

    static func text(_ name: String, _ key: Key<String>, _ section: ConnectorParameter.Section, help: String) -> ConnectorParameter {
        make(
            name, .text, section, help: help,
            read: { .text($0[keyPath: key]) },
            write: { c, input in
                if case .null = input { c[keyPath: key] = ""; return }
                c[keyPath: key] = try single(name, input)
            },
            command: { ValueParsing.quoted($0[keyPath: key]) })
    }

    static func optionalText(_ name: String, _ key: Key<String?>, _ section: ConnectorParameter.Section, help: String, note: String? = nil)
        -> ConnectorParameter
    {
        make(
            name, .text, section, help: help, note: note,
            read: { .text($0[keyPath: key]) },
            write: { c, input in
                if case .null = input { c[keyPath: key] = nil; return }
                let text = try single(name, input)
                c[keyPath: key] = text.isEmpty ? nil : text
            },
            command: { $0[keyPath: key].map(ValueParsing.quoted) ?? "$null" })
    }

    static func fqdn() -> ConnectorParameter {
        make(
            "Fqdn", .fqdn, .scoping,
            help:
                "The name this connector gives in its banner, EHLO reply and Received: header, and the name TLS certificates are matched to. Don't change it on Default <Server>.",
            read: { .text($0.fqdn) },
            write: { c, input in
                let text = try single("Fqdn", input).trimmingCharacters(in: .whitespaces)
                try DomainName.validate(text, what: "Fqdn")
                c.fqdn = text
            },
            command: { $0.fqdn })
    }

    static func integer(_ name: String, _ key: Key<Int>, _ section: ConnectorParameter.Section, range: ClosedRange<Int>, help: String)
        -> ConnectorParameter
    {
        make(
            name, .integer(range), section, help: help,
            read: { .integer($0[keyPath: key]) },
            write: { c, input in c[keyPath: key] = try ValueParsing.integer(input, parameter: name, range: range) },
            command: { String($0[keyPath: key]) })
    }

    static func unlimited(_ name: String, _ key: Key<Unlimited>, _ section: ConnectorParameter.Section, range: ClosedRange<Int>, help: String)
        -> ConnectorParameter
    {
        make(
            name, .unlimited(range), section, help: help,
            read: { c in
                let v = c[keyPath: key]; return .typed(text: v.description, number: v.limit.map(Double.init))
            },
            write: { c, input in
                let value = try Unlimited(parsing: try single(name, input))
                if let n = value.limit, !range.contains(n) {
                    throw ValueError("\(name) must be \(range.lowerBound) to \(range.upperBound) or unlimited (it was \(n)).")
                }
                c[keyPath: key] = value
            },
            command: { $0[keyPath: key].limit.map(String.init) ?? "unlimited" })
    }

    static func byteSize(_ name: String, _ key: Key<ByteSize>, _ section: ConnectorParameter.Section, range: ClosedRange<Int64>, help: String)
        -> ConnectorParameter
    {
        make(
            name, .byteSize(range), section, help: help,
            read: { c in
                let v = c[keyPath: key]; return .typed(text: v.description, number: Double(v.bytes))
            },
            write: { c, input in
                let value = try ByteSize(parsing: try single(name, input))
                guard range.contains(value.bytes) else {
                    throw ValueError(
                        "\(name) must be \(ByteSize(bytes: range.lowerBound).shortText) (\(range.lowerBound) bytes) to \(range.upperBound) bytes (it was \(value.bytes) bytes)."
                    )
                }
                c[keyPath: key] = value
            },
            command: { $0[keyPath: key].shortText })
    }

    static func timeSpan(
        _ name: String, _ key: Key<EnhancedTimeSpan>, _ section: ConnectorParameter.Section, range: ClosedRange<Int>, help: String,
        note: String? = nil
    ) -> ConnectorParameter {
        make(
            name, .timeSpan(range), section, help: help, note: note,
            read: { c in
                let v = c[keyPath: key]; return .typed(text: v.description, number: Double(v.seconds))
            },
            write: { c, input in
                let value = try EnhancedTimeSpan(parsing: try single(name, input))
                guard range.contains(value.seconds) else {
                    throw ValueError(
                        "\(name) must be \(EnhancedTimeSpan(seconds: range.lowerBound)) to \(EnhancedTimeSpan(seconds: range.upperBound)) (it was \(value))."
                    )
                }
                c[keyPath: key] = value
            },
            command: { $0[keyPath: key].description })
    }

    static func choice<E: NamedEnum>(_ name: String, _ key: Key<E>, _ section: ConnectorParameter.Section, help: String, note: String? = nil)
        -> ConnectorParameter
    {
        make(
            name, .choice(E.allCases.map(\.rawValue)), section, help: help, note: note,
            read: { .typed(text: $0[keyPath: key].rawValue, number: nil) },
            write: { c, input in c[keyPath: key] = try E(parsing: try single(name, input)) },
            command: { $0[keyPath: key].rawValue })
    }

    static func flags<F: FlagName>(
        _ name: String, _ key: Key<FlagSet<F>>, _ section: ConnectorParameter.Section, help: String,
        note: (@Sendable (ReceiveConnector) -> String?)? = nil
    ) -> ConnectorParameter {
        // A flag parameter's note depends on the value (only Integrated/ExchangeServer are unsupported).
        make(
            name, .flags(F.allCases.map(\.rawValue)), section, help: help, dynamicNote: note,
            read: { .typed(text: $0[keyPath: key].description, number: nil) },
            write: { c, input in
                guard let names = input.strings else { throw ValueError("\(name) needs one or more values, or None.") }
                c[keyPath: key] = try FlagSet<F>(parsing: names, typeName: name)
            },
            command: { $0[keyPath: key].names.isEmpty ? "None" : $0[keyPath: key].names.joined(separator: ",") })
    }

    static func textList(_ name: String, _ key: Key<[String]>, _ section: ConnectorParameter.Section, help: String, note: String? = nil)
        -> ConnectorParameter
    {
        make(
            name, .textList, section, help: help, note: note,
            read: { .list($0[keyPath: key]) },
            write: { c, input in c[keyPath: key] = try ValueParsing.editList(c[keyPath: key], input, parameter: name) { $0 } },
            command: { $0[keyPath: key].isEmpty ? "$null" : $0[keyPath: key].map(ValueParsing.quoted).joined(separator: ",") })
    }

    static func transportRole() -> ConnectorParameter {
        make(
            "TransportRole", .choice(TransportRole.allCases.map(\.rawValue)), .general,
            help:
                "The transport service on a Mailbox server: FrontendTransport (custom port-25 connectors belong here) or HubTransport. Not on Edge.",
            read: { .typed(text: $0.transportRole?.rawValue ?? "", number: nil) },
            write: { c, input in
                if case .null = input { c.transportRole = nil; return }
                c.transportRole = try TransportRole(parsing: try single("TransportRole", input))
            },
            command: { $0.transportRole?.rawValue ?? "$null" })
    }

    static func bindings() -> ConnectorParameter {
        make(
            "Bindings", .bindings, .scoping,
            help:
                "The local IP addresses and TCP ports the connector listens on (network adapter bindings). 0.0.0.0 means every local IPv4 address and [::] every local IPv6 address.",
            read: { .list($0.bindings.map(\.description)) },
            write: { c, input in
                c.bindings = try ValueParsing.editList(c.bindings, input, parameter: "Bindings") { text throws in try IPBinding(parsing: text) }
            },
            command: { $0.bindings.isEmpty ? "$null" : $0.bindings.map { "\"\($0)\"" }.joined(separator: ",") })
    }

    static func remoteIPRanges() -> ConnectorParameter {
        make(
            "RemoteIPRanges", .remoteIPRanges, .scoping,
            help:
                "The remote IP addresses the connector serves (remote network settings): single addresses, a-b ranges or CIDR blocks. The most specific match wins when connectors share a binding.",
            read: { .list($0.remoteIPRanges.map(\.description)) },
            write: { c, input in
                c.remoteIPRanges = try ValueParsing.editList(c.remoteIPRanges, input, parameter: "RemoteIPRanges") { text throws in
                    try IPRange(parsing: text)
                }
            },
            command: { $0.remoteIPRanges.isEmpty ? "$null" : $0.remoteIPRanges.map(\.description).joined(separator: ",") })
    }

}
