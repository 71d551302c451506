import Foundation
import XCTest
import ReceptorCore

/// New-ReceiveConnector's usage-type rules (reference §2, §2a, §3a, §3g).
final class FactoryTests: XCTestCase {
    let mbx = Fixture.mailbox
    let edge = Fixture.edge

    func request(
        _ name: String = "New Connector", switches: [ConnectorUsage] = [], usage: ConnectorUsage? = nil,
        role: TransportRole? = .frontendTransport, bindings: [String]? = nil, ranges: [String]? = nil
    ) -> NewConnectorRequest {
        NewConnectorRequest(
            name: name, usageSwitches: switches, usageParameter: usage, transportRole: role,
            bindings: bindings.map { $0.map { Fixture.binding($0) } },
            remoteIPRanges: ranges.map { $0.map { Fixture.range($0) } })
    }

    // MARK: What each usage type sets (§2a)

    func testClientSetsGroupsAuthAndBinding() throws {
        let c = try ConnectorFactory.make(request(switches: [.client], ranges: ["10.0.0.0/8"]), server: mbx)
        XCTAssertEqual(c.permissionGroups, [.exchangeUsers])
        XCTAssertEqual(c.authMechanism, [.tls, .basicAuth, .basicAuthRequireTLS, .integrated])
        XCTAssertEqual(c.bindings, [Fixture.binding("0.0.0.0:587")])
        XCTAssertEqual(c.remoteIPRanges, [Fixture.range("10.0.0.0/8")])
        XCTAssertEqual(c.transportRole, .frontendTransport)
        XCTAssertFalse(c.domainSecureEnabled)
    }

    func testCustomSetsNoGroupsAndTls() throws {
        let c = try ConnectorFactory.make(request(switches: [.custom], bindings: ["0.0.0.0:25"], ranges: ["192.168.10.5"]), server: mbx)
        XCTAssertEqual(c.permissionGroups, PermissionGroups.none)
        XCTAssertEqual(c.authMechanism, [.tls])
        XCTAssertEqual(c.bindings, [Fixture.binding("0.0.0.0:25")])
        XCTAssertEqual(c.remoteIPRanges, [Fixture.range("192.168.10.5")])
    }

    func testInternalOnMailboxSetsLegacyAndServersAndBinding() throws {
        let c = try ConnectorFactory.make(request(switches: [.internal], ranges: ["10.1.2.10"]), server: mbx)
        XCTAssertEqual(c.permissionGroups, [.exchangeLegacyServers, .exchangeServers])
        XCTAssertEqual(c.authMechanism, [.tls, .exchangeServer])
        XCTAssertEqual(c.bindings, [Fixture.binding("0.0.0.0:25")])
    }

    func testInternetSetsAnonymousTlsAndAllIPv4() throws {
        let c = try ConnectorFactory.make(request("Internet Receive Connector", switches: [.internet], bindings: ["10.10.1.1:25"]), server: mbx)
        XCTAssertEqual(c.permissionGroups, [.anonymousUsers])
        XCTAssertEqual(c.authMechanism, [.tls])
        XCTAssertEqual(c.bindings, [Fixture.binding("10.10.1.1:25")])
        XCTAssertEqual(c.remoteIPRanges, [IPRange.allIPv4])
        XCTAssertEqual(c.remoteIPRanges.map(\.description), ["0.0.0.0-255.255.255.255"])
    }

    func testPartnerSetsPartnersAndTlsOnly() throws {
        let c = try ConnectorFactory.make(
            request("Fabrikam.com TLS", switches: [.partner], bindings: ["0.0.0.0:25"], ranges: ["17.17.17.1/24"]),
            server: mbx)
        XCTAssertEqual(c.permissionGroups, [.partners])
        XCTAssertEqual(c.authMechanism, [.tls])
        XCTAssertFalse(c.domainSecureEnabled, "no 2016/2019 source says Partner sets DomainSecureEnabled")
        XCTAssertEqual(c.remoteIPRanges, [Fixture.range("17.17.17.1/24")])
    }

    func testUsageParameterSetsTheSameAsTheSwitch() throws {
        for usage in ConnectorUsage.allCases {
            let bindings: [String]? = (usage == .client || usage == .internal) ? nil : ["0.0.0.0:25"]
            let ranges: [String]? = usage == .internet ? nil : ["192.168.1.0/24"]
            let bySwitch = try ConnectorFactory.make(request(switches: [usage], bindings: bindings, ranges: ranges), server: mbx)
            let byParameter = try ConnectorFactory.make(request(usage: usage, bindings: bindings, ranges: ranges), server: mbx)
            XCTAssertEqual(bySwitch.permissionGroups, byParameter.permissionGroups, usage.rawValue)
            XCTAssertEqual(bySwitch.authMechanism, byParameter.authMechanism, usage.rawValue)
            XCTAssertEqual(bySwitch.bindings, byParameter.bindings, usage.rawValue)
            XCTAssertEqual(bySwitch.remoteIPRanges, byParameter.remoteIPRanges, usage.rawValue)
        }
    }

    func testOtherParametersKeepGenericDefaults() throws {
        let guid = UUID()
        let c = try ConnectorFactory.make(
            request("Relay", switches: [.custom], bindings: ["0.0.0.0:25"], ranges: ["192.168.10.5"]),
            server: mbx, guid: guid)
        var expected = ConnectorDefaults.base(name: "Relay", server: mbx, transportRole: .frontendTransport, guid: guid)
        expected.bindings = [Fixture.binding("0.0.0.0:25")]
        expected.remoteIPRanges = [Fixture.range("192.168.10.5")]
        expected.authMechanism = [.tls]
        expected.permissionGroups = .none
        XCTAssertEqual(c, expected)
        XCTAssertEqual(c.name, "Relay")
        XCTAssertEqual(c.server, "MBX01")
        XCTAssertEqual(c.guid, guid)
    }

    // MARK: Exactly one usage (§2)

    func testNoUsageIsRefused() {
        let v = assertViolation(
            try ConnectorFactory.make(request(bindings: ["0.0.0.0:25"], ranges: ["10.0.0.1"]), server: mbx),
            .usageMissing, parameter: "Usage")
        XCTAssertEqual(v?.message, "Specify the usage type with exactly one of -Internet, -Partner, -Client, -Internal, -Custom or -Usage <type>.")
    }

    func testTwoSwitchesAreRefused() {
        let v = assertViolation(
            try ConnectorFactory.make(
                request(switches: [.custom, .partner], bindings: ["0.0.0.0:25"], ranges: ["10.0.0.1"]),
                server: mbx),
            .usageExclusive, parameter: "Usage")
        XCTAssertEqual(v?.message, "The usage parameters -Custom, -Partner are mutually exclusive; use exactly one of them.")
    }

    func testSwitchAndUsageParameterAreRefused() {
        let v = assertViolation(
            try ConnectorFactory.make(request(switches: [.internet], usage: .internet, bindings: ["0.0.0.0:25"]), server: mbx),
            .usageExclusive, parameter: "Usage")
        XCTAssertEqual(v?.message, "The usage parameters -Internet, -Usage Internet are mutually exclusive; use exactly one of them.")
    }

    // MARK: Bindings (§2a)

    func testClientSwitchRefusesBindings() {
        let v = assertViolation(
            try ConnectorFactory.make(request(switches: [.client], bindings: ["0.0.0.0:587"], ranges: ["10.0.0.0/8"]), server: mbx),
            .usageForbidsBindings, parameter: "Bindings")
        XCTAssertTrue(v?.message.contains("-Bindings can't be used with -Client") ?? false, v?.message ?? "")
        XCTAssertTrue(v?.message.contains("0.0.0.0:587") ?? false, v?.message ?? "")
    }

    func testInternalSwitchRefusesBindings() {
        let v = assertViolation(
            try ConnectorFactory.make(request(switches: [.internal], bindings: ["10.0.0.5:25"], ranges: ["10.1.2.10"]), server: mbx),
            .usageForbidsBindings, parameter: "Bindings")
        XCTAssertTrue(v?.message.contains("-Bindings can't be used with -Internal") ?? false, v?.message ?? "")
        XCTAssertTrue(v?.message.contains("0.0.0.0:25") ?? false, v?.message ?? "")
    }

    func testClientAndInternalAcceptBindingsWithUsageParameter() throws {
        let client = try ConnectorFactory.make(request(usage: .client, bindings: ["10.0.0.5:587"], ranges: ["10.0.0.0/8"]), server: mbx)
        XCTAssertEqual(client.bindings, [Fixture.binding("10.0.0.5:587")])
        let internalOnEdge = try ConnectorFactory.make(
            request(usage: .internal, role: nil, bindings: ["10.0.0.5:25"], ranges: ["10.1.2.10"]),
            server: edge)
        XCTAssertEqual(internalOnEdge.bindings, [Fixture.binding("10.0.0.5:25")])
    }

    func testUsageParameterWithoutBindingsFillsTheDefaultBinding() throws {
        XCTAssertEqual(
            try ConnectorFactory.make(request(usage: .client, ranges: ["10.0.0.0/8"]), server: mbx).bindings,
            [Fixture.binding("0.0.0.0:587")])
        XCTAssertEqual(
            try ConnectorFactory.make(request(usage: .internal, ranges: ["10.0.0.0/8"]), server: mbx).bindings,
            [Fixture.binding("0.0.0.0:25")])
    }

    func testInternetPartnerCustomRequireBindings() {
        for usage in [ConnectorUsage.internet, .partner, .custom] {
            let ranges: [String]? = usage == .internet ? nil : ["10.0.0.1"]
            let v = assertViolation(
                try ConnectorFactory.make(request(switches: [usage], ranges: ranges), server: mbx),
                .usageRequiresBindings, parameter: "Bindings")
            XCTAssertEqual(v?.message, "The \(usage.rawValue) usage type requires -Bindings (a local IP address and port, as in 0.0.0.0:25).")
            assertViolation(
                try ConnectorFactory.make(request(usage: usage, ranges: ranges), server: mbx),
                .usageRequiresBindings, parameter: "Bindings")
        }
    }

    // MARK: RemoteIPRanges (§2a)

    func testInternetRefusesRemoteIPRanges() {
        let v = assertViolation(
            try ConnectorFactory.make(request(switches: [.internet], bindings: ["0.0.0.0:25"], ranges: ["10.0.0.0/8"]), server: mbx),
            .usageForbidsRemoteIPRanges, parameter: "RemoteIPRanges")
        XCTAssertTrue(v?.message.contains("0.0.0.0-255.255.255.255") ?? false, v?.message ?? "")
        assertViolation(
            try ConnectorFactory.make(request(usage: .internet, bindings: ["0.0.0.0:25"], ranges: ["10.0.0.0/8"]), server: mbx),
            .usageForbidsRemoteIPRanges, parameter: "RemoteIPRanges")
    }

    func testClientInternalPartnerCustomRequireRemoteIPRanges() {
        for usage in [ConnectorUsage.client, .internal, .partner, .custom] {
            let bindings: [String]? = (usage == .client || usage == .internal) ? nil : ["0.0.0.0:25"]
            let v = assertViolation(
                try ConnectorFactory.make(request(switches: [usage], bindings: bindings), server: mbx),
                .usageRequiresRemoteIPRanges, parameter: "RemoteIPRanges")
            XCTAssertEqual(
                v?.message,
                "The \(usage.rawValue) usage type requires -RemoteIPRanges (addresses, ranges or CIDR blocks of the remote servers).")
        }
    }

    // MARK: Edge (§3g)

    func testClientNotOnEdge() {
        let v = assertViolation(
            try ConnectorFactory.make(request(switches: [.client], role: nil, ranges: ["10.0.0.0/8"]), server: edge),
            .clientUsageNotOnEdge, parameter: "Usage")
        XCTAssertEqual(v?.message, "The Client usage type isn't available on an Edge Transport server.")
        assertViolation(
            try ConnectorFactory.make(request(usage: .client, role: nil, ranges: ["10.0.0.0/8"]), server: edge),
            .clientUsageNotOnEdge, parameter: "Usage")
    }

    func testTransportRoleNotOnEdge() {
        let v = assertViolation(
            try ConnectorFactory.make(
                request(switches: [.internet], role: .frontendTransport, bindings: ["0.0.0.0:25"]),
                server: edge),
            .transportRoleNotOnEdge, parameter: "TransportRole")
        XCTAssertEqual(v?.message, "TransportRole can't be used on an Edge Transport server; omit it.")
    }

    func testInternalOnEdgeHasNoLegacyServers() throws {
        // Scenario 4 of the article: an unsubscribed Edge receiving from the Mailbox servers.
        let c = try ConnectorFactory.make(
            request(
                "Inbound From Organization", switches: [.internal], role: nil,
                ranges: ["10.1.2.10", "10.1.2.15", "10.1.2.20"]), server: edge)
        XCTAssertEqual(c.permissionGroups, [.exchangeServers])
        XCTAssertEqual(c.authMechanism, [.tls, .exchangeServer])
        XCTAssertEqual(c.bindings, [Fixture.binding("0.0.0.0:25")])
        XCTAssertNil(c.transportRole)
        XCTAssertEqual(c.connectionTimeout.description, "00:05:00")
        XCTAssertEqual(c.messageRateLimit, .limited(600))
        // And it fits next to the Edge default connector.
        let siblings = ConnectorDefaults.setupConnectors(for: edge)
        assertRules(validate(c, server: edge, siblings: siblings), [])
    }

    // MARK: TransportRole (§3a)

    func testOmittedTransportRoleOnMailboxIsHub() throws {
        let c = try ConnectorFactory.make(request(switches: [.custom], role: nil, bindings: ["0.0.0.0:2526"], ranges: ["10.0.0.1"]), server: mbx)
        XCTAssertEqual(c.transportRole, .hubTransport)
    }

    func testGivenTransportRoleIsKept() throws {
        let role = try TransportRole(parsing: "Frontend")
        let c = try ConnectorFactory.make(request(switches: [.custom], role: role, bindings: ["0.0.0.0:25"], ranges: ["10.0.0.1"]), server: mbx)
        XCTAssertEqual(c.transportRole, .frontendTransport)
        let hub = try ConnectorFactory.make(
            request(switches: [.custom], role: .hubTransport, bindings: ["0.0.0.0:2526"], ranges: ["10.0.0.1"]),
            server: mbx)
        XCTAssertEqual(hub.transportRole, .hubTransport)
    }

    func testRequestUsage() {
        XCTAssertEqual(NewConnectorRequest(name: "x", usageSwitches: [.partner]).usage, .partner)
        XCTAssertEqual(NewConnectorRequest(name: "x", usageParameter: .internal).usage, .internal)
        XCTAssertNil(NewConnectorRequest(name: "x").usage)
    }
}
