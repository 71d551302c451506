import XCTest
import ReceptorCore

/// The parameter table (reference §3): completeness, reading and writing, the generated command text, range
/// bounds, multi-valued edits, error messages and listener notes.
final class ParameterTableTests: XCTestCase {
    /// Every connector parameter of §3a–§3e. Identity, Server, Usage, the usage switches, DomainController,
    /// Confirm and WhatIf are command parameters, not connector properties.
    static let referenceNames: [String] = [
        // §3a
        "Name", "TransportRole", "Bindings", "RemoteIPRanges", "Enabled", "Comment",
        // §3b
        "AuthMechanism", "PermissionGroups", "RequireTLS", "DomainSecureEnabled", "EnableAuthGSSAPI", "ExtendedProtectionPolicy",
        "SuppressXAnonymousTls", "TlsCertificateName", "TlsDomainCapabilities", "AuthTarpitInterval", "MaxLogonFailures",
        // §3c
        "Banner", "Fqdn", "SizeEnabled", "PipeliningEnabled", "DeliveryStatusNotificationEnabled", "EnhancedStatusCodesEnabled",
        "EightBitMimeEnabled", "ChunkingEnabled", "BinaryMimeEnabled", "LongAddressesEnabled", "OrarEnabled", "RequireEHLODomain",
        "SmtpUtf8Enabled", "BareLinefeedRejectionEnabled", "RejectReservedTopLevelRecipientDomains",
        "RejectReservedSecondLevelRecipientDomains", "RejectSingleLabelRecipientDomains", "DefaultDomain", "ServiceDiscoveryFqdn",
        "AdvertiseClientSettings",
        // §3d
        "MaxMessageSize", "MaxHeaderSize", "MaxRecipientsPerMessage", "MaxHopCount", "MaxLocalHopCount", "MaxInboundConnection",
        "MaxInboundConnectionPerSource", "MaxInboundConnectionPercentagePerSource", "MaxProtocolErrors", "MessageRateLimit",
        "MessageRateSource", "ConnectionTimeout", "ConnectionInactivityTimeout", "TarpitInterval", "MaxAcknowledgementDelay",
        // §3e
        "ProtocolLoggingLevel",
    ]
    static let commandParameters = [
        "Identity", "Server", "Usage", "Client", "Custom", "Internal", "Internet", "Partner",
        "DomainController", "Confirm", "WhatIf",
    ]

    func parameter(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> ConnectorParameter {
        try XCTUnwrap(ConnectorParameters.named(name), "no parameter \(name)", file: file, line: line)
    }

    var defaultFrontend: ReceiveConnector {
        Fixture.mailboxDefaults().first { $0.name == "Default Frontend MBX01" }!
    }

    /// A connector with every parameter away from its default.
    static func rich() -> ReceiveConnector {
        var c = ConnectorDefaults.base(name: "Rich \"Relay\" `$1, A; B", server: Fixture.mailbox, transportRole: .hubTransport)
        c.bindings = [Fixture.binding("10.0.0.5:2526"), Fixture.binding("[2001:db8::5]:2526")]
        c.remoteIPRanges = [
            Fixture.range("192.168.1.0/24"), Fixture.range("10.0.0.1-10.0.0.9"), Fixture.range("172.16.0.1"),
            Fixture.range("17.17.17.1/24"), Fixture.range("2001:db8:1::/64"), Fixture.range("fe80::39bd:88f7:6969:d223%11"),
        ]
        c.enabled = false
        c.comment = "Relay for \"printers\", scanners; costs $5 `each`"
        c.authMechanism = [.tls, .basicAuth, .basicAuthRequireTLS]
        c.permissionGroups = [.anonymousUsers, .exchangeUsers, .custom]
        c.requireTLS = true
        c.domainSecureEnabled = true
        c.enableAuthGSSAPI = true
        c.extendedProtectionPolicy = .require
        c.suppressXAnonymousTls = true
        c.tlsCertificateName = "<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com"
        c.tlsDomainCapabilities = ["contoso.mail.onmicrosoft.com:AcceptCloudServicesMail", "fabrikam.com:AcceptOorgProtocol,AcceptCloudServicesMail"]
        c.authTarpitInterval = EnhancedTimeSpan(seconds: 10)
        c.maxLogonFailures = 7
        c.banner = "220 mail.contoso.com ESMTP ready"
        c.fqdn = "mail.contoso.com"
        c.sizeEnabled = .enabledWithoutValue
        c.pipeliningEnabled = false
        c.deliveryStatusNotificationEnabled = false
        c.enhancedStatusCodesEnabled = false
        c.eightBitMimeEnabled = false
        c.chunkingEnabled = false
        c.binaryMimeEnabled = false
        c.longAddressesEnabled = true
        c.orarEnabled = true
        c.requireEHLODomain = true
        c.smtpUtf8Enabled = true
        c.bareLinefeedRejectionEnabled = true
        c.rejectReservedTopLevelRecipientDomains = true
        c.rejectReservedSecondLevelRecipientDomains = true
        c.rejectSingleLabelRecipientDomains = true
        c.defaultDomain = "contoso.com"
        c.serviceDiscoveryFqdn = "sd.contoso.com"
        c.advertiseClientSettings = true
        c.maxMessageSize = ByteSize(bytes: 10_000_000)
        c.maxHeaderSize = .kilobytes(64)
        c.maxRecipientsPerMessage = 1000
        c.maxHopCount = 60
        c.maxLocalHopCount = 0
        c.maxInboundConnection = .unlimited
        c.maxInboundConnectionPerSource = .limited(50)
        c.maxInboundConnectionPercentagePerSource = 10
        c.maxProtocolErrors = .unlimited
        c.messageRateLimit = .limited(100)
        c.messageRateSource = .all
        c.connectionTimeout = EnhancedTimeSpan(seconds: 86_400)
        c.connectionInactivityTimeout = .minutes(15)
        c.tarpitInterval = .zero
        c.maxAcknowledgementDelay = .zero
        c.protocolLoggingLevel = .verbose
        return c
    }

    // MARK: Completeness

    func testEveryReferenceParameterIsInTheTable() {
        let names = ConnectorParameters.all.map(\.name)
        for name in Self.referenceNames {
            XCTAssertTrue(names.contains(name), "missing parameter \(name)")
            XCTAssertEqual(ConnectorParameters.named(name)?.name, name)
        }
        XCTAssertEqual(Set(names), Set(Self.referenceNames), "the table holds exactly the §3 connector parameters")
        XCTAssertEqual(names.count, Self.referenceNames.count, "no parameter twice")
        XCTAssertEqual(names.count, 53)
    }

    func testCommandParametersAreNotRows() {
        for name in Self.commandParameters {
            XCTAssertNil(ConnectorParameters.named(name), name)
        }
    }

    func testLookupIgnoresCase() {
        XCTAssertEqual(ConnectorParameters.named("maxmessagesize")?.name, "MaxMessageSize")
        XCTAssertEqual(ConnectorParameters.named("REMOTEIPRANGES")?.name, "RemoteIPRanges")
        XCTAssertNil(ConnectorParameters.named("MaxMessageSizes"))
    }

    func testNewAndSetScope() {
        for p in ConnectorParameters.all {
            XCTAssertTrue(p.onSet, "\(p.name) is on Set-ReceiveConnector")
            let setOnly = ["SmtpUtf8Enabled", "BareLinefeedRejectionEnabled"].contains(p.name)
            XCTAssertEqual(p.onNew, !setOnly, "\(p.name) on New-ReceiveConnector")
            XCTAssertFalse(p.help.isEmpty, p.name)
        }
    }

    func testKindsAndRangesOfSection3() throws {
        let expected: [String: ConnectorParameter.Kind] = [
            "MaxMessageSize": .byteSize(65_536...2_147_483_647),
            "MaxHeaderSize": .byteSize(1...2_147_483_647),
            "MaxRecipientsPerMessage": .integer(1...512_000),
            "MaxHopCount": .integer(1...500),
            "MaxLocalHopCount": .integer(0...50),
            "MaxInboundConnection": .unlimited(1...2_147_483_647),
            "MaxInboundConnectionPerSource": .unlimited(1...10_000),
            "MaxInboundConnectionPercentagePerSource": .integer(1...100),
            "MaxProtocolErrors": .unlimited(0...2_147_483_647),
            "MessageRateLimit": .unlimited(1...2_147_483_647),
            "ConnectionTimeout": .timeSpan(1...86_400),
            "ConnectionInactivityTimeout": .timeSpan(1...86_400),
            "TarpitInterval": .timeSpan(0...600),
            "MaxLogonFailures": .integer(0...10),
            "Bindings": .bindings,
            "RemoteIPRanges": .remoteIPRanges,
            "TlsDomainCapabilities": .textList,
            "Fqdn": .fqdn,
            "AuthMechanism": .flags(["Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer", "ExternalAuthoritative"]),
            "PermissionGroups": .flags(["AnonymousUsers", "ExchangeUsers", "ExchangeServers", "ExchangeLegacyServers", "Partners", "Custom"]),
            "TransportRole": .choice(["FrontendTransport", "HubTransport"]),
            "SizeEnabled": .choice(["Enabled", "Disabled", "EnabledWithoutValue"]),
            "MessageRateSource": .choice(["None", "User", "IPAddress", "All"]),
            "ExtendedProtectionPolicy": .choice(["None", "Allow", "Require"]),
            "ProtocolLoggingLevel": .choice(["None", "Verbose"]),
            "Enabled": .boolean,
            "RequireTLS": .boolean,
        ]
        for (name, kind) in expected {
            XCTAssertEqual(try parameter(name).kind, kind, name)
        }
        XCTAssertTrue(try parameter("Bindings").kind.isMultiValued)
        XCTAssertTrue(try parameter("RemoteIPRanges").kind.isMultiValued)
        XCTAssertTrue(try parameter("TlsDomainCapabilities").kind.isMultiValued)
        XCTAssertFalse(try parameter("AuthMechanism").kind.isMultiValued)
    }

    // MARK: Reading

    func testReadsExchangeDisplayValues() throws {
        let c = defaultFrontend
        XCTAssertEqual(try parameter("MaxMessageSize").value(of: c), .typed(text: "36 MB (37,748,736 bytes)", number: 37_748_736))
        XCTAssertEqual(try parameter("MaxHeaderSize").value(of: c), .typed(text: "256 KB (262,144 bytes)", number: 262_144))
        XCTAssertEqual(try parameter("MessageRateLimit").value(of: c), .typed(text: "Unlimited", number: nil))
        XCTAssertEqual(try parameter("MaxInboundConnection").value(of: c), .typed(text: "5000", number: 5000))
        XCTAssertEqual(try parameter("ConnectionTimeout").value(of: c), .typed(text: "00:10:00", number: 600))
        XCTAssertEqual(try parameter("Bindings").value(of: c), .list(["[::]:25", "0.0.0.0:25"]))
        XCTAssertEqual(
            try parameter("RemoteIPRanges").value(of: c),
            .list(["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"]))
        XCTAssertEqual(try parameter("PermissionGroups").value(of: c).displayText, "AnonymousUsers, ExchangeServers, ExchangeLegacyServers")
        XCTAssertEqual(try parameter("AuthMechanism").value(of: c).displayText, "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer")
        XCTAssertEqual(try parameter("TransportRole").value(of: c).displayText, "FrontendTransport")
        XCTAssertEqual(try parameter("ProtocolLoggingLevel").value(of: c).displayText, "Verbose")
        XCTAssertEqual(try parameter("Enabled").value(of: c), .bool(true))
        XCTAssertEqual(try parameter("Banner").value(of: c), .text(nil))
        XCTAssertEqual(try parameter("Fqdn").value(of: c), .text("mbx01.contoso.com"))
        XCTAssertEqual(try parameter("MaxRecipientsPerMessage").value(of: c), .integer(200))
        XCTAssertEqual(try parameter("Name").value(of: c), .text("Default Frontend MBX01"))
    }

    func testCommandTextExamples() throws {
        let c = defaultFrontend
        XCTAssertEqual(try parameter("MaxMessageSize").commandText(of: c), "36MB")
        XCTAssertEqual(try parameter("MaxHeaderSize").commandText(of: c), "256KB")
        XCTAssertEqual(try parameter("Enabled").commandText(of: c), "$true")
        XCTAssertEqual(try parameter("Bindings").commandText(of: c), "\"[::]:25\",\"0.0.0.0:25\"")
        XCTAssertEqual(try parameter("AuthMechanism").commandText(of: c), "Tls,Integrated,BasicAuth,BasicAuthRequireTLS,ExchangeServer")
        XCTAssertEqual(try parameter("MessageRateLimit").commandText(of: c), "unlimited")
        XCTAssertEqual(try parameter("Banner").commandText(of: c), "$null")
        XCTAssertEqual(try parameter("TransportRole").commandText(of: c), "FrontendTransport")
        XCTAssertEqual(try parameter("Name").commandText(of: c), "\"Default Frontend MBX01\"")
        XCTAssertEqual(try parameter("ConnectionTimeout").commandText(of: c), "00:10:00")
        var none = c
        none.permissionGroups = .none
        XCTAssertEqual(try parameter("PermissionGroups").commandText(of: none), "None")
    }

    // MARK: Round trip through the command text

    func testCommandTextIsNeverEmpty() {
        // An empty value can't be written on a command line (`-TlsDomainCapabilities ` takes no value).
        let edgeDefault = ConnectorDefaults.setupConnectors(for: Fixture.edge)[0]
        for c in [defaultFrontend, Self.rich(), edgeDefault] {
            for p in ConnectorParameters.all {
                XCTAssertFalse(p.commandText(of: c).isEmpty, "\(p.name) of \(c.name) has an empty command text")
            }
        }
    }

    // The command texts are read back by the real shell, not here: ReceptorConsoleTests' ShellRoundTripTests
    // runs every settable parameter's text of a rich connector and of each default connector through
    // Set-ReceiveConnector against a temporary store.

    // MARK: Range bounds

    func testEveryNumericRowRefusesItsBoundsPlusMinusOne() {
        var checked = 0
        for p in ConnectorParameters.all {
            let lower: Int64, upper: Int64
            let text: (Int64) -> String?
            switch p.kind {
            case .integer(let r), .unlimited(let r):
                (lower, upper) = (Int64(r.lowerBound), Int64(r.upperBound))
                text = { String($0) }
            case .byteSize(let r):
                (lower, upper) = (r.lowerBound, r.upperBound)
                text = { $0 < 0 ? nil : String($0) }
            case .timeSpan(let r):
                (lower, upper) = (Int64(r.lowerBound), Int64(r.upperBound))
                text = { $0 < 0 ? nil : EnhancedTimeSpan(seconds: Int($0)).description }
            default:
                continue
            }
            checked += 1
            for ok in [lower, upper] {
                guard let t = text(ok) else { continue }
                var c = defaultFrontend
                XCTAssertNoThrow(try p.apply(.text(t), to: &c), "\(p.name) \(t)")
                if let number = numberValue(p.value(of: c)) {
                    XCTAssertEqual(number, Double(ok), "\(p.name) \(t)")
                } else {
                    XCTFail("\(p.name) \(t): no number read back")
                }
            }
            for bad in [lower - 1, upper + 1] {
                guard let t = text(bad) else { continue }
                var c = defaultFrontend
                let before = p.value(of: c)
                let error = assertValueError(try p.apply(.text(t), to: &c), "\(p.name) \(t)")
                XCTAssertTrue(error?.message.hasPrefix("\(p.name) must be ") ?? false, "\(p.name) \(t): \(error?.message ?? "")")
                XCTAssertEqual(p.value(of: c), before, "\(p.name): a refused value changes nothing")
            }
        }
        XCTAssertEqual(checked, 16, "integer, unlimited, byte-size and time-span rows")
    }

    func numberValue(_ value: ParameterValue) -> Double? {
        switch value {
        case .integer(let n): Double(n)
        case .typed(_, let number): number
        default: nil
        }
    }

    func testBoundMessages() throws {
        var c = defaultFrontend
        XCTAssertEqual(
            assertValueError(try parameter("MaxRecipientsPerMessage").apply(.number(512_001), to: &c))?.message,
            "MaxRecipientsPerMessage must be 1 to 512000 (it was 512001).")
        XCTAssertEqual(
            assertValueError(try parameter("MaxMessageSize").apply(.text("65535"), to: &c))?.message,
            "MaxMessageSize must be 64KB (65536 bytes) to 2147483647 bytes (it was 65535 bytes).")
        XCTAssertEqual(
            assertValueError(try parameter("MaxMessageSize").apply(.text("2GB"), to: &c))?.message,
            "MaxMessageSize must be 64KB (65536 bytes) to 2147483647 bytes (it was 2147483648 bytes).")
        XCTAssertEqual(
            assertValueError(try parameter("ConnectionTimeout").apply(.text("1.00:00:01"), to: &c))?.message,
            "ConnectionTimeout must be 00:00:01 to 1.00:00:00 (it was 1.00:00:01).")
        XCTAssertEqual(
            assertValueError(try parameter("MaxInboundConnectionPerSource").apply(.text("10001"), to: &c))?.message,
            "MaxInboundConnectionPerSource must be 1 to 10000 or unlimited (it was 10001).")
    }

    func testUnlimitedRowsAcceptUnlimited() throws {
        for name in ["MaxInboundConnection", "MaxInboundConnectionPerSource", "MaxProtocolErrors", "MessageRateLimit"] {
            var c = Self.rich()
            c.maxInboundConnection = .limited(1)
            c.maxProtocolErrors = .limited(1)
            try parameter(name).apply(.text("Unlimited"), to: &c)
            XCTAssertEqual(try parameter(name).value(of: c), .typed(text: "Unlimited", number: nil), name)
        }
    }

    // MARK: Writing

    func testWritesTypedValues() throws {
        var c = defaultFrontend
        try parameter("MaxMessageSize").apply(.text("64 MB"), to: &c)
        XCTAssertEqual(c.maxMessageSize, .megabytes(64))
        try parameter("MaxMessageSize").apply(.text("36 MB (37,748,736 bytes)"), to: &c)
        XCTAssertEqual(c.maxMessageSize, .megabytes(36))
        try parameter("Enabled").apply(.bool(false), to: &c)
        XCTAssertFalse(c.enabled)
        try parameter("RequireTLS").apply(.text("$true"), to: &c)
        XCTAssertTrue(c.requireTLS)
        try parameter("RequireTLS").apply(.number(0), to: &c)
        XCTAssertFalse(c.requireTLS)
        try parameter("TransportRole").apply(.text("Frontend"), to: &c)
        XCTAssertEqual(c.transportRole, .frontendTransport)
        try parameter("TransportRole").apply(.text("hub"), to: &c)
        XCTAssertEqual(c.transportRole, .hubTransport)
        try parameter("AuthMechanism").apply(.list(["Tls", "BasicAuth"]), to: &c)
        XCTAssertEqual(c.authMechanism, [.tls, .basicAuth])
        try parameter("AuthMechanism").apply(.text("Tls,ExternalAuthoritative"), to: &c)
        XCTAssertEqual(c.authMechanism, [.tls, .externalAuthoritative])
        try parameter("PermissionGroups").apply(.text("None"), to: &c)
        XCTAssertEqual(c.permissionGroups, PermissionGroups.none)
        try parameter("Banner").apply(.text("220 hello"), to: &c)
        XCTAssertEqual(c.banner, "220 hello")
        try parameter("Banner").apply(.null, to: &c)
        XCTAssertNil(c.banner)
        try parameter("MaxRecipientsPerMessage").apply(.number(5000), to: &c)
        XCTAssertEqual(c.maxRecipientsPerMessage, 5000)
        try parameter("Fqdn").apply(.text(" mail.contoso.com "), to: &c)
        XCTAssertEqual(c.fqdn, "mail.contoso.com")
        try parameter("Bindings").apply(.list(["0.0.0.0", "[::]:"]), to: &c)
        XCTAssertEqual(c.bindings, [Fixture.binding("0.0.0.0:25"), Fixture.binding("[::]:25")])
        XCTAssertEqual(c.bindings.map(\.portWasOmitted), [true, true])
    }

    // MARK: Multi-valued edits

    func testRemoteIPRangesModifyAddAndRemove() throws {
        let p = try parameter("RemoteIPRanges")
        var c = Fixture.clean()
        try p.apply(.modify(add: ["10.0.0.0/24", "192.168.10.6"], remove: []), to: &c)
        XCTAssertEqual(p.value(of: c), .list(["192.168.10.5", "10.0.0.0/24", "192.168.10.6"]))
        try p.apply(.modify(add: [], remove: ["192.168.10.5"]), to: &c)
        XCTAssertEqual(p.value(of: c), .list(["10.0.0.0/24", "192.168.10.6"]))
        try p.apply(.modify(add: ["172.16.0.0/12"], remove: ["192.168.10.6"]), to: &c)
        XCTAssertEqual(p.value(of: c), .list(["10.0.0.0/24", "172.16.0.0/12"]))
        // Adding a value already there keeps one copy.
        try p.apply(.modify(add: ["10.0.0.0/24"], remove: []), to: &c)
        XCTAssertEqual(p.value(of: c), .list(["10.0.0.0/24", "172.16.0.0/12"]))
    }

    func testRemovingAMissingValueIsRefused() throws {
        let p = try parameter("RemoteIPRanges")
        var c = Fixture.clean()
        let error = assertValueError(try p.apply(.modify(add: ["10.0.0.1"], remove: ["192.168.10.99"]), to: &c))
        XCTAssertEqual(error?.message, "RemoteIPRanges has no value 192.168.10.99 to remove (it has 192.168.10.5).")
        XCTAssertEqual(c.remoteIPRanges, [Fixture.range("192.168.10.5")], "a refused edit changes nothing")
    }

    func testBindingsModify() throws {
        let p = try parameter("Bindings")
        var c = Fixture.clean()
        try p.apply(.modify(add: ["[::]:25"], remove: []), to: &c)
        XCTAssertEqual(p.value(of: c), .list(["0.0.0.0:25", "[::]:25"]))
        try p.apply(.modify(add: ["10.10.1.1:25"], remove: ["0.0.0.0:25"]), to: &c)
        XCTAssertEqual(p.value(of: c), .list(["[::]:25", "10.10.1.1:25"]))
        // "0.0.0.0" names the same listener as "0.0.0.0:25".
        try p.apply(.modify(add: ["0.0.0.0"], remove: []), to: &c)
        try p.apply(.modify(add: [], remove: ["0.0.0.0:25"]), to: &c)
        XCTAssertEqual(p.value(of: c), .list(["[::]:25", "10.10.1.1:25"]))
    }

    func testTextListModifyAndClear() throws {
        let p = try parameter("TlsDomainCapabilities")
        var c = Fixture.clean()
        try p.apply(.modify(add: ["contoso.com:AcceptCloudServicesMail"], remove: []), to: &c)
        XCTAssertEqual(c.tlsDomainCapabilities, ["contoso.com:AcceptCloudServicesMail"])
        try p.apply(.modify(add: ["fabrikam.com:AcceptOorgProtocol"], remove: ["contoso.com:AcceptCloudServicesMail"]), to: &c)
        XCTAssertEqual(c.tlsDomainCapabilities, ["fabrikam.com:AcceptOorgProtocol"])
        try p.apply(.null, to: &c)
        XCTAssertEqual(c.tlsDomainCapabilities, [])
    }

    func testListReplacesValues() throws {
        let p = try parameter("RemoteIPRanges")
        var c = Fixture.clean()
        try p.apply(.list(["10.1.2.10", " 10.1.2.15 ", "10.1.2.20"]), to: &c)
        XCTAssertEqual(c.remoteIPRanges, [Fixture.range("10.1.2.10"), Fixture.range("10.1.2.15"), Fixture.range("10.1.2.20")])
        try p.apply(.text("10.0.0.0/8"), to: &c)
        XCTAssertEqual(c.remoteIPRanges, [Fixture.range("10.0.0.0/8")])
    }

    // MARK: Bad values name the parameter

    func testBadValuesGiveAValueErrorNamingTheParameter() {
        for p in ConnectorParameters.all {
            let bad: ParameterInput
            switch p.kind {
            case .boolean: bad = .text("maybe")
            case .text: bad = .list(["one", "two"])
            case .fqdn: bad = .text("mail..contoso.com")
            case .integer, .unlimited, .byteSize, .timeSpan: bad = .text("lots")
            case .choice, .flags: bad = .text("Bogus")
            case .bindings: bad = .text("0.0.0.0:99999")
            case .remoteIPRanges: bad = .text("10.0.0.300")
            case .textList: bad = .modify(add: [], remove: ["not-there"])
            }
            var c = defaultFrontend
            let before = c
            guard let error = assertValueError(try p.apply(bad, to: &c), p.name) else { continue }
            XCTAssertTrue(error.message.contains(p.name), "\(p.name): the message should name the parameter: \(error.message)")
            XCTAssertFalse(error.message.contains("\n"), p.name)
            XCTAssertEqual(c, before, "\(p.name): a refused value changes nothing")
        }
    }

    func testBadAddressMessagesQuoteTheText() throws {
        var c = Fixture.clean()
        let error = assertValueError(try parameter("RemoteIPRanges").apply(.list(["10.0.0.1", "10.0.0.300"]), to: &c))
        XCTAssertTrue(error?.message.hasPrefix("RemoteIPRanges: \"10.0.0.300\" is not a valid IP range") ?? false, error?.message ?? "")
        let binding = assertValueError(try parameter("Bindings").apply(.text("10.0.0.1"), to: &c))
        XCTAssertTrue(binding?.message.hasPrefix("Bindings: \"10.0.0.1\" is not a valid binding") ?? false, binding?.message ?? "")
    }

    func testBooleanMessage() throws {
        var c = defaultFrontend
        XCTAssertEqual(
            assertValueError(try parameter("Enabled").apply(.text("yes"), to: &c))?.message,
            "Enabled takes $true or $false (it was \"yes\").")
    }

    // MARK: Listener notes

    func testListenerWarningForAuthMechanism() throws {
        let p = try parameter("AuthMechanism")
        var c = Fixture.clean()
        c.authMechanism = [.tls]
        XCTAssertNil(p.listenerWarning(after: c))
        c.authMechanism = [.tls, .basicAuth, .basicAuthRequireTLS, .externalAuthoritative]
        XCTAssertNil(p.listenerWarning(after: c))
        c.authMechanism = [.tls, .integrated]
        let integrated = try XCTUnwrap(p.listenerWarning(after: c))
        XCTAssertTrue(integrated.contains("Integrated"), integrated)
        XCTAssertFalse(integrated.contains("ExchangeServer"), integrated)
        c.authMechanism = [.tls, .integrated, .exchangeServer]
        XCTAssertEqual(
            p.listenerWarning(after: c),
            "AuthMechanism Integrated, ExchangeServer is stored but not supported by this listener: it is never advertised.")
    }

    func testStaticListenerNotes() throws {
        let c = Fixture.clean()
        XCTAssertNotNil(try parameter("EnableAuthGSSAPI").listenerWarning(after: c))
        XCTAssertNotNil(try parameter("MaxAcknowledgementDelay").listenerWarning(after: c))
        XCTAssertNil(try parameter("MaxMessageSize").listenerWarning(after: c))
        XCTAssertNil(try parameter("Name").listenerWarning(after: c))
        XCTAssertNil(try parameter("RemoteIPRanges").listenerWarning(after: c))
    }
}
