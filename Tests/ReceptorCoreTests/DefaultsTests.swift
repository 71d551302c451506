import Foundation
import XCTest
import ReceptorCore

/// The connectors setup creates (reference §1a, §1b, §1d, §1e) and the generic defaults (§3, §3g).
final class DefaultsTests: XCTestCase {
    struct Expected {
        let name: String
        let role: TransportRole?
        let port: Int
        let auth: AuthMechanisms
        let groups: PermissionGroups
        let logging: ProtocolLoggingLevel
        let maxRecipients: Int
        let perSource: Unlimited
        let percentage: Int
        let rateLimit: Unlimited
        let rateSource: MessageRateSource
    }

    static let fiveAuth: AuthMechanisms = [.tls, .basicAuth, .basicAuthRequireTLS, .exchangeServer, .integrated]

    /// §1a, §1b and §1e, row by row.
    static let mailboxTable: [Expected] = [
        Expected(
            name: "Client Frontend MBX01", role: .frontendTransport, port: 587,
            auth: [.tls, .basicAuth, .basicAuthRequireTLS, .integrated], groups: [.exchangeUsers], logging: .none,
            maxRecipients: 200, perSource: .limited(20), percentage: 2, rateLimit: .limited(5), rateSource: .user),
        Expected(
            name: "Default Frontend MBX01", role: .frontendTransport, port: 25,
            auth: fiveAuth, groups: [.anonymousUsers, .exchangeLegacyServers, .exchangeServers], logging: .verbose,
            maxRecipients: 200, perSource: .limited(20), percentage: 2, rateLimit: .unlimited, rateSource: .ipAddress),
        Expected(
            name: "Outbound Proxy Frontend MBX01", role: .frontendTransport, port: 717,
            auth: fiveAuth, groups: [.exchangeServers], logging: .none,
            maxRecipients: 200, perSource: .limited(20), percentage: 2, rateLimit: .unlimited, rateSource: .ipAddress),
        Expected(
            name: "Client Proxy MBX01", role: .hubTransport, port: 465,
            auth: fiveAuth, groups: [.exchangeServers, .exchangeUsers], logging: .none,
            maxRecipients: 200, perSource: .limited(20), percentage: 2, rateLimit: .limited(5), rateSource: .user),
        Expected(
            name: "Default MBX01", role: .hubTransport, port: 2525,
            auth: [.tls, .basicAuth, .exchangeServer, .integrated], groups: [.exchangeLegacyServers, .exchangeServers, .exchangeUsers],
            logging: .none,
            maxRecipients: 5000, perSource: .unlimited, percentage: 100, rateLimit: .unlimited, rateSource: .ipAddress),
    ]

    func testMailboxHasExactlyTheFiveDefaultConnectors() {
        let connectors = Fixture.mailboxDefaults()
        XCTAssertEqual(connectors.count, 5)
        XCTAssertEqual(Set(connectors.map(\.name)), Set(Self.mailboxTable.map(\.name)))
        XCTAssertEqual(Set(connectors.map(\.guid)).count, 5, "every connector has its own GUID")
        for c in connectors {
            XCTAssertEqual(c.server, "MBX01")
            XCTAssertEqual(c.identity, ConnectorIdentity(server: "MBX01", name: c.name))
        }
    }

    func testMailboxConnectorsMatchTheReferenceTables() {
        let connectors = Fixture.mailboxDefaults()
        for row in Self.mailboxTable {
            guard let c = Fixture.connector(named: row.name, in: connectors) else { continue }
            let n = row.name
            XCTAssertEqual(c.transportRole, row.role, n)
            XCTAssertEqual(c.bindings, [Fixture.binding("[::]:\(row.port)"), Fixture.binding("0.0.0.0:\(row.port)")], n)
            XCTAssertEqual(c.bindings.map(\.description), ["[::]:\(row.port)", "0.0.0.0:\(row.port)"], n)
            XCTAssertEqual(c.remoteIPRanges, [IPRange.allIPv6, IPRange.allIPv4], n)
            XCTAssertEqual(
                c.remoteIPRanges.map(\.description),
                ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"], n)
            XCTAssertEqual(c.authMechanism, row.auth, n)
            XCTAssertEqual(c.permissionGroups, row.groups, n)
            XCTAssertEqual(c.protocolLoggingLevel, row.logging, n)
            XCTAssertEqual(c.maxRecipientsPerMessage, row.maxRecipients, n)
            XCTAssertEqual(c.maxInboundConnectionPerSource, row.perSource, n)
            XCTAssertEqual(c.maxInboundConnectionPercentagePerSource, row.percentage, n)
            XCTAssertEqual(c.messageRateLimit, row.rateLimit, n)
            XCTAssertEqual(c.messageRateSource, row.rateSource, n)
            XCTAssertTrue(c.enabled, n)
            XCTAssertFalse(c.domainSecureEnabled, n)
            XCTAssertEqual(c.fqdn, "mbx01.contoso.com", n)
            XCTAssertEqual(c.connectionTimeout.description, "00:10:00", n)
            XCTAssertEqual(c.connectionInactivityTimeout.description, "00:05:00", n)
        }
    }

    func testProtocolLoggingVerboseOnlyOnDefaultFrontend() {
        let verbose = Fixture.mailboxDefaults().filter { $0.protocolLoggingLevel == .verbose }.map(\.name)
        XCTAssertEqual(verbose, ["Default Frontend MBX01"])
    }

    func testAuthMechanismDisplayOfDefaults() {
        let connectors = Fixture.mailboxDefaults()
        XCTAssertEqual(
            Fixture.connector(named: "Default Frontend MBX01", in: connectors)?.authMechanism.description,
            "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer")
        XCTAssertEqual(
            Fixture.connector(named: "Default MBX01", in: connectors)?.authMechanism.description,
            "Tls, Integrated, BasicAuth, ExchangeServer")
        XCTAssertEqual(Fixture.connector(named: "Client Frontend MBX01", in: connectors)?.roleLabel, "Frontend Transport")
        XCTAssertEqual(Fixture.connector(named: "Default MBX01", in: connectors)?.roleLabel, "Hub Transport")
    }

    func testEdgeHasExactlyTheOneDefaultConnector() throws {
        let connectors = ConnectorDefaults.setupConnectors(for: Fixture.edge)
        XCTAssertEqual(connectors.count, 1)
        let c = try XCTUnwrap(connectors.first)
        XCTAssertEqual(c.name, "Default internal receive connector EDGE01")
        XCTAssertEqual(c.server, "EDGE01")
        XCTAssertNil(c.transportRole)
        XCTAssertEqual(c.roleLabel, "Edge Transport")
        XCTAssertEqual(c.transportServiceName, "Edge")
        XCTAssertEqual(c.bindings, [Fixture.binding("0.0.0.0:25")])
        XCTAssertEqual(c.bindings.map(\.description), ["0.0.0.0:25"])
        XCTAssertEqual(c.remoteIPRanges, [IPRange.allIPv4])
        XCTAssertEqual(c.authMechanism, [.tls, .exchangeServer])
        XCTAssertEqual(c.permissionGroups, [.anonymousUsers, .exchangeServers, .partners])
        XCTAssertEqual(c.protocolLoggingLevel, .none)
        XCTAssertTrue(c.enabled)
        XCTAssertTrue(c.domainSecureEnabled)
        XCTAssertEqual(c.connectionTimeout.description, "00:05:00")
        XCTAssertEqual(c.connectionInactivityTimeout.description, "00:01:00")
        XCTAssertEqual(c.messageRateLimit, .limited(600))
        XCTAssertEqual(c.messageRateSource, .ipAddress)
        XCTAssertEqual(c.maxRecipientsPerMessage, 200)
        XCTAssertEqual(c.maxInboundConnectionPerSource, .limited(20))
        XCTAssertEqual(c.maxInboundConnectionPercentagePerSource, 2)
        XCTAssertEqual(c.fqdn, "edge01.contoso.com")
    }

    func testPortOffsetShiftsEveryPort() {
        let shifted = Fixture.mailboxDefaults(portOffset: 10000)
        for row in Self.mailboxTable {
            guard let c = Fixture.connector(named: row.name, in: shifted) else { continue }
            XCTAssertEqual(c.bindings.map(\.port), [row.port + 10000, row.port + 10000], row.name)
            XCTAssertEqual(c.bindings, [Fixture.binding("[::]:\(row.port + 10000)"), Fixture.binding("0.0.0.0:\(row.port + 10000)")], row.name)
        }
        XCTAssertEqual(Set(shifted.flatMap(\.bindings).map(\.port)), [10025, 10587, 10717, 10465, 12525])
        XCTAssertEqual(
            ConnectorDefaults.setupConnectors(for: Fixture.edge, portOffset: 10000).first?.bindings,
            [Fixture.binding("0.0.0.0:10025")])
    }

    func testDefaultConnectorsAreValidTogether() {
        let mailbox = Fixture.mailboxDefaults()
        for c in mailbox {
            assertRules(validate(c, siblings: mailbox), [])
        }
        let edge = ConnectorDefaults.setupConnectors(for: Fixture.edge)
        for c in edge {
            assertRules(validate(c, server: Fixture.edge, siblings: edge), [])
        }
    }

    // MARK: Generic defaults (§3) on base(...)

    func testBaseHasTheGenericDefaultsOfSection3OnMailbox() {
        let c = ConnectorDefaults.base(name: "X", server: Fixture.mailbox, transportRole: .frontendTransport)
        XCTAssertEqual(c.name, "X")
        XCTAssertEqual(c.server, "MBX01")
        XCTAssertEqual(c.transportRole, .frontendTransport)
        XCTAssertEqual(c.bindings, [])
        XCTAssertEqual(c.remoteIPRanges, [])
        XCTAssertTrue(c.enabled)
        XCTAssertEqual(c.comment, "")
        // §3b
        XCTAssertFalse(c.requireTLS)
        XCTAssertFalse(c.domainSecureEnabled)
        XCTAssertFalse(c.enableAuthGSSAPI)
        XCTAssertEqual(c.extendedProtectionPolicy, ExtendedProtectionPolicy.none)
        XCTAssertFalse(c.suppressXAnonymousTls)
        XCTAssertNil(c.tlsCertificateName)
        XCTAssertEqual(c.tlsDomainCapabilities, [])
        XCTAssertEqual(c.authTarpitInterval.description, "00:00:05")
        XCTAssertEqual(c.maxLogonFailures, 3)
        // §3c
        XCTAssertNil(c.banner)
        XCTAssertEqual(c.fqdn, "mbx01.contoso.com")
        XCTAssertEqual(c.sizeEnabled, .enabled)
        XCTAssertTrue(c.pipeliningEnabled)
        XCTAssertTrue(c.deliveryStatusNotificationEnabled)
        XCTAssertTrue(c.enhancedStatusCodesEnabled)
        XCTAssertTrue(c.eightBitMimeEnabled)
        XCTAssertTrue(c.chunkingEnabled)
        XCTAssertTrue(c.binaryMimeEnabled)
        XCTAssertFalse(c.longAddressesEnabled)
        XCTAssertFalse(c.orarEnabled)
        XCTAssertFalse(c.requireEHLODomain)
        XCTAssertFalse(c.bareLinefeedRejectionEnabled)
        XCTAssertFalse(c.rejectReservedTopLevelRecipientDomains)
        XCTAssertFalse(c.rejectReservedSecondLevelRecipientDomains)
        XCTAssertFalse(c.rejectSingleLabelRecipientDomains)
        XCTAssertNil(c.defaultDomain)
        XCTAssertNil(c.serviceDiscoveryFqdn)
        XCTAssertFalse(c.advertiseClientSettings)
        // §3d
        XCTAssertEqual(c.maxMessageSize.description, "36 MB (37,748,736 bytes)")
        XCTAssertEqual(c.maxHeaderSize.description, "256 KB (262,144 bytes)")
        XCTAssertEqual(c.maxRecipientsPerMessage, 200)
        XCTAssertEqual(c.maxHopCount, 30)
        XCTAssertEqual(c.maxLocalHopCount, 8)
        XCTAssertEqual(c.maxInboundConnection, .limited(5000))
        XCTAssertEqual(c.maxInboundConnectionPerSource, .limited(20))
        XCTAssertEqual(c.maxInboundConnectionPercentagePerSource, 2)
        XCTAssertEqual(c.maxProtocolErrors, .limited(5))
        XCTAssertEqual(c.messageRateLimit, .unlimited)
        XCTAssertEqual(c.messageRateSource, .ipAddress)
        XCTAssertEqual(c.connectionTimeout.description, "00:10:00")
        XCTAssertEqual(c.connectionInactivityTimeout.description, "00:05:00")
        XCTAssertEqual(c.tarpitInterval.description, "00:00:05")
        XCTAssertEqual(c.maxAcknowledgementDelay.seconds, 30)
        // §3e
        XCTAssertEqual(c.protocolLoggingLevel, .none)
    }

    func testBaseOnEdgeUsesEdgeDefaultsAndNoTransportRole() {
        let c = ConnectorDefaults.base(name: "X", server: Fixture.edge, transportRole: .frontendTransport)
        XCTAssertNil(c.transportRole, "Edge has one transport service")
        XCTAssertEqual(c.connectionTimeout.description, "00:05:00")
        XCTAssertEqual(c.connectionInactivityTimeout.description, "00:01:00")
        XCTAssertEqual(c.messageRateLimit, .limited(600))
        XCTAssertFalse(c.domainSecureEnabled, "DomainSecureEnabled is $true only on the default Edge connector")
        XCTAssertEqual(c.fqdn, "edge01.contoso.com")
    }

    func testBaseUsesTheGivenGuid() {
        let guid = UUID()
        XCTAssertEqual(ConnectorDefaults.base(name: "X", server: Fixture.mailbox, transportRole: .hubTransport, guid: guid).guid, guid)
    }

    func testOmittedTransportRoleIsHub() {
        XCTAssertEqual(ConnectorDefaults.omittedTransportRole, .hubTransport)
    }

    func testServerDomainLabel() {
        XCTAssertEqual(Fixture.mailbox.domain, "CONTOSO")
        XCTAssertEqual(Server.domainLabel(fromFqdn: "mbx01.contoso.test"), "CONTOSO")
        XCTAssertEqual(Server.domainLabel(fromFqdn: "contoso.com"), "CONTOSO")
        XCTAssertEqual(Server.domainLabel(fromFqdn: "mbx01"), "RECEPTOR")
    }
}
