import XCTest
import ReceptorCore

/// Uniqueness of bindings and remote ranges across a server's connectors (reference §6b), with MBX01's five
/// default connectors as the siblings, and the article's scenarios (seeds/custom-receive-connectors.md).
final class ConflictTests: XCTestCase {
    let defaults = Fixture.mailboxDefaults()
    let defaultFrontend = ConnectorIdentity(server: "MBX01", name: "Default Frontend MBX01")

    func make(_ request: NewConnectorRequest) throws -> ReceiveConnector {
        try ConnectorFactory.make(request, server: Fixture.mailbox)
    }

    // MARK: Scenario 1: Internet

    func testArticleInternetConnectorOnSpecificIPIsValid() throws {
        // New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole Frontend -Internet -Bindings 10.10.1.1:25
        let c = try make(
            NewConnectorRequest(
                name: "Internet Receive Connector", usageSwitches: [.internet],
                transportRole: try TransportRole(parsing: "Frontend"),
                bindings: [Fixture.binding("10.10.1.1:25")]))
        let report = validate(c, siblings: defaults)
        assertRules(report, [])
        XCTAssertEqual(report.warnings, [])
    }

    func testArticleInternetConnectorOnAllAddressesConflictsWithDefaultFrontend() throws {
        // New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole Frontend -Internet -Bindings "0.0.0.0","[::]:"
        let c = try make(
            NewConnectorRequest(
                name: "Internet Receive Connector", usageSwitches: [.internet],
                transportRole: .frontendTransport,
                bindings: [Fixture.binding("0.0.0.0"), Fixture.binding("[::]:")]))
        XCTAssertEqual(c.bindings.map(\.port), [25, 25])
        let report = validate(c, siblings: defaults)
        assertRules(report, [.identicalBindingAndRange])
        guard let error = report.errors.first else { return }
        XCTAssertEqual(error.parameter, "RemoteIPRanges")
        XCTAssertEqual(error.conflictingConnector, defaultFrontend)
        XCTAssertTrue(error.message.contains("\"MBX01\\Default Frontend MBX01\""), error.message)
        XCTAssertTrue(error.message.contains("0.0.0.0-255.255.255.255"), error.message)
        // How to resolve it.
        XCTAssertTrue(error.message.contains("Narrow RemoteIPRanges"), error.message)
        XCTAssertTrue(error.message.contains("Set-ReceiveConnector \"MBX01\\Default Frontend MBX01\" -Bindings <local IP>:25"), error.message)
        // The assumed port.
        XCTAssertTrue(error.message.hasSuffix("(A binding was given without a port; port 25 was assumed.)"), error.message)
        XCTAssertFalse(error.message.contains("\n"))
    }

    func testInternetConnectorWithExplicitPortsConflictsWithoutPortNote() throws {
        let c = try make(
            NewConnectorRequest(
                name: "Internet Receive Connector", usageSwitches: [.internet],
                transportRole: .frontendTransport,
                bindings: [Fixture.binding("0.0.0.0:25"), Fixture.binding("[::]:25")]))
        let report = validate(c, siblings: defaults)
        assertRules(report, [.identicalBindingAndRange])
        XCTAssertEqual(report.errors.first?.conflictingConnector, defaultFrontend)
        XCTAssertFalse(report.errors.first?.message.contains("was assumed") ?? true)
        XCTAssertTrue(
            report.errors.first?.message.contains("both listen on 0.0.0.0:25 for 0.0.0.0-255.255.255.255") ?? false,
            report.errors.first?.message ?? "")
    }

    func testInternetConnectorOnIPv6WildcardOnlyConflicts() throws {
        // The Internet type's range is IPv4 only, but Default Frontend listens on [::]:25 for all IPv4 too.
        let c = try make(
            NewConnectorRequest(
                name: "Internet v6", usageSwitches: [.internet], transportRole: .frontendTransport,
                bindings: [Fixture.binding("[::]:25")]))
        let report = validate(c, siblings: defaults)
        assertRules(report, [.identicalBindingAndRange])
        XCTAssertEqual(report.errors.first?.conflictingConnector, defaultFrontend)
    }

    // MARK: Scenario 2 and 3: Partner and Custom nested in the default's range

    func testArticlePartnerConnectorIsValid() throws {
        // New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25
        let c = try make(
            NewConnectorRequest(
                name: "Fabrikam.com TLS", usageSwitches: [.partner], transportRole: .frontendTransport,
                bindings: [Fixture.binding("0.0.0.0:25")], remoteIPRanges: [Fixture.range("17.17.17.1/24")]))
        let report = validate(c, siblings: defaults)
        assertRules(report, [])
        XCTAssertEqual(report.warnings, [])
    }

    func testArticleCustomConnectorIsValid() throws {
        // New-ReceiveConnector -Name "Inbound From Service" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25
        //   -RemoteIPRanges 192.168.10.5 -AuthMechanism BasicAuth -PermissionGroups AnonymousUsers
        var c = try make(
            NewConnectorRequest(
                name: "Inbound From Service", usageSwitches: [.custom], transportRole: .frontendTransport,
                bindings: [Fixture.binding("0.0.0.0:25")], remoteIPRanges: [Fixture.range("192.168.10.5")]))
        try XCTUnwrap(ConnectorParameters.named("AuthMechanism")).apply(.text("BasicAuth"), to: &c)
        try XCTUnwrap(ConnectorParameters.named("PermissionGroups")).apply(.text("AnonymousUsers"), to: &c)
        XCTAssertEqual(c.authMechanism, [.basicAuth])
        XCTAssertEqual(c.permissionGroups, [.anonymousUsers])
        let report = validate(c, siblings: defaults)
        assertRules(report, [])
        XCTAssertEqual(report.warnings, [])
    }

    func testSpecificIPNextToWildcardWithSameRangeIsValid() {
        // §6b: the walkthrough creates 10.10.1.1:25 first, next to the 0.0.0.0:25 default with the same range.
        let c = Fixture.connector("Specific All", bindings: ["10.10.1.1:25"], ranges: ["0.0.0.0-255.255.255.255"])
        assertRules(validate(c, siblings: defaults), [])
    }

    // MARK: Partial overlap

    func testPartialOverlapBetweenTwoCustomConnectorsOnTheSameBindingRefused() {
        let a = Fixture.connector("Custom A", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0-192.168.1.255"])
        assertRules(validate(a, siblings: defaults), [])
        let b = Fixture.connector("Custom B", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.128-192.168.2.10"])
        let report = validate(b, siblings: defaults + [a])
        assertRules(report, [.partialRangeOverlap])
        guard let error = report.errors.first else { return }
        XCTAssertEqual(error.parameter, "RemoteIPRanges")
        XCTAssertEqual(error.conflictingConnector, ConnectorIdentity(server: "MBX01", name: "Custom A"))
        XCTAssertTrue(error.message.contains("\"MBX01\\Custom A\""), error.message)
        XCTAssertTrue(error.message.contains("192.168.1.128-192.168.2.10"), error.message)
        XCTAssertTrue(error.message.contains("192.168.1.0-192.168.1.255"), error.message)
        XCTAssertTrue(error.message.contains("0.0.0.0:25"), error.message)
    }

    func testNestedRangesOnTheSameBindingAreValid() {
        let a = Fixture.connector("Custom A", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0/24"])
        let b = Fixture.connector("Custom B", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.75"])
        assertRules(validate(b, siblings: defaults + [a]), [])
        assertRules(validate(a, siblings: defaults + [b]), [])
    }

    func testPartialOverlapOnDifferentSpecificBindingsIsValid() {
        let a = Fixture.connector("Custom A", bindings: ["10.0.0.1:25"], ranges: ["192.168.1.0-192.168.1.255"])
        let b = Fixture.connector("Custom B", bindings: ["10.0.0.2:25"], ranges: ["192.168.1.128-192.168.2.10"])
        assertRules(validate(b, siblings: defaults + [a]), [])
    }

    func testIdenticalRangeWrittenDifferentlyConflicts() {
        let a = Fixture.connector("Custom A", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0/24"])
        let b = Fixture.connector("Custom B", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0-192.168.1.255"])
        let report = validate(b, siblings: defaults + [a])
        assertRules(report, [.identicalBindingAndRange])
        XCTAssertEqual(report.errors.first?.conflictingConnector, ConnectorIdentity(server: "MBX01", name: "Custom A"))
    }

    // MARK: Frontend vs Hub

    func testHubConnectorOnAllAddressesPort25Refused() {
        let c = Fixture.connector("Hub Relay", role: .hubTransport, bindings: ["0.0.0.0:25"], ranges: ["192.168.10.5"])
        let report = validate(c, siblings: defaults)
        assertRules(report, [.transportRoleBindingConflict])
        guard let error = report.errors.first else { return }
        XCTAssertEqual(error.parameter, "Bindings")
        XCTAssertEqual(error.conflictingConnector, defaultFrontend)
        XCTAssertTrue(error.message.contains("\"MBX01\\Default Frontend MBX01\" (FrontendTransport)"), error.message)
        XCTAssertTrue(
            error.message.contains(
                "receive connectors assigned to different Transport roles on a single server must listen on unique local IP address & port bindings"),
            error.message)
        XCTAssertTrue(error.message.contains("Use another port or a different specific local IP address."), error.message)
        // And the 4.3.2 warning.
        XCTAssertEqual(report.warnings.map(\.parameter), ["TransportRole"])
    }

    func testHubConnectorOnSpecificIPPort25OverlapsTheFrontendWildcard() {
        let c = Fixture.connector("Hub Relay", role: .hubTransport, bindings: ["10.0.0.1:25"], ranges: ["192.168.10.5"])
        let report = validate(c, siblings: defaults)
        assertRules(report, [.transportRoleBindingConflict])
        XCTAssertEqual(report.errors.first?.conflictingConnector, defaultFrontend)
        XCTAssertTrue(report.errors.first?.message.contains("10.0.0.1:25 and 0.0.0.0:25") ?? false, report.errors.first?.message ?? "")
    }

    func testOmittedTransportRoleOnPort25ConflictsWithFrontend() throws {
        // -TransportRole omitted → HubTransport; the role rule then explains the port-25 clash.
        let c = try make(
            NewConnectorRequest(
                name: "Relay", usageSwitches: [.custom], bindings: [Fixture.binding("0.0.0.0:25")],
                remoteIPRanges: [Fixture.range("192.168.10.5")]))
        XCTAssertEqual(c.transportRole, .hubTransport)
        assertRules(validate(c, siblings: defaults), [.transportRoleBindingConflict])
    }

    func testFrontendConnectorOnHubPortConflictsWithHubDefault() {
        let c = Fixture.connector("FET 2525", role: .frontendTransport, bindings: ["10.0.0.1:2525"], ranges: ["192.168.10.5"])
        let report = validate(c, siblings: defaults)
        assertRules(report, [.transportRoleBindingConflict])
        XCTAssertEqual(report.errors.first?.conflictingConnector, ConnectorIdentity(server: "MBX01", name: "Default MBX01"))
    }

    func testHubConnectorOnFreePortIsValid() {
        let c = Fixture.connector("Hub 2526", role: .hubTransport, bindings: ["0.0.0.0:2526"], ranges: ["0.0.0.0-255.255.255.255"])
        assertRules(validate(c, siblings: defaults), [])
    }

    // MARK: Never conflicting

    func testDifferentPortsNeverConflict() {
        let same = Fixture.connector(
            "Port 26", bindings: ["0.0.0.0:26", "[::]:26"],
            ranges: ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"],
            groups: [.anonymousUsers, .exchangeLegacyServers, .exchangeServers])
        assertRules(validate(same, siblings: defaults), [])
        let hub = Fixture.connector("Hub 26", role: .hubTransport, bindings: ["0.0.0.0:27"], ranges: ["0.0.0.0-255.255.255.255"])
        assertRules(validate(hub, siblings: defaults + [same]), [])
    }

    func testDifferentFamilyRangesNeverConflict() {
        let v4 = Fixture.connector("All v4", bindings: ["0.0.0.0:2600"], ranges: ["0.0.0.0-255.255.255.255"])
        let v6 = Fixture.connector("All v6", bindings: ["0.0.0.0:2600"], ranges: ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"])
        assertRules(validate(v6, siblings: [v4]), [])
        let partV4 = Fixture.connector("Part v4", bindings: ["0.0.0.0:2600"], ranges: ["10.0.0.0-10.0.0.255"])
        let partV6 = Fixture.connector("Part v6", bindings: ["0.0.0.0:2600"], ranges: ["::-::ffff"])
        assertRules(validate(partV6, siblings: [partV4]), [])
    }

    // MARK: Within one connector

    func testDuplicateBindingWithinOneConnectorRefused() {
        let c = Fixture.connector("Dup", bindings: ["0.0.0.0:25", "0.0.0.0:25"], ranges: ["192.168.10.5"])
        let e = assertSingleRule(validate(c), .duplicateBinding, parameter: "Bindings")
        XCTAssertEqual(e?.message, "Bindings lists 0.0.0.0:25 more than once.")
    }

    func testDuplicateBindingWithOmittedPortWithinOneConnectorRefused() {
        // "0.0.0.0" means 0.0.0.0:25: listing both is the same socket twice.
        let c = Fixture.connector("Dup", bindings: ["0.0.0.0", "0.0.0.0:25"], ranges: ["192.168.10.5"])
        assertRules(validate(c), [.duplicateBinding])
    }

    func testDuplicateRangeWithinOneConnectorRefused() {
        let c = Fixture.connector("Dup", bindings: ["0.0.0.0:25"], ranges: ["192.168.10.5", "192.168.10.5"])
        let e = assertSingleRule(validate(c), .duplicateRemoteIPRange, parameter: "RemoteIPRanges")
        XCTAssertEqual(e?.message, "RemoteIPRanges lists 192.168.10.5 more than once.")
        let written = Fixture.connector("Dup", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0/24", "192.168.1.0-192.168.1.255"])
        assertSingleRule(validate(written), .duplicateRemoteIPRange, parameter: "RemoteIPRanges")
    }

    func testDistinctBindingsAndRangesWithinOneConnectorAccepted() {
        let c = Fixture.connector("Many", bindings: ["0.0.0.0:25", "[::]:25", "0.0.0.0:26"], ranges: ["192.168.10.5", "192.168.10.6", "10.0.0.0/8"])
        assertRules(validate(c), [])
    }

    // MARK: Renaming

    func testRenamingToAnExistingNameRefused() throws {
        var c = try XCTUnwrap(Fixture.connector(named: "Client Frontend MBX01", in: defaults))
        try XCTUnwrap(ConnectorParameters.named("Name")).apply(.text("Default Frontend MBX01"), to: &c)
        let report = validate(c, siblings: defaults)
        assertRules(report, [.nameUnique])
        XCTAssertEqual(report.errors.first?.conflictingConnector, defaultFrontend)
    }

    func testRenamingToAFreeNameAccepted() throws {
        var c = try XCTUnwrap(Fixture.connector(named: "Client Frontend MBX01", in: defaults))
        c.name = "Client Submission MBX01"
        assertRules(validate(c, siblings: defaults), [])
    }

    // MARK: Edge

    func testSecondAnonymousConnectorOnEdgeConflictsWithDefault() throws {
        let siblings = ConnectorDefaults.setupConnectors(for: Fixture.edge)
        let c = try ConnectorFactory.make(
            NewConnectorRequest(
                name: "Internet", usageSwitches: [.internet],
                bindings: [Fixture.binding("0.0.0.0:25")]), server: Fixture.edge)
        let report = validate(c, server: Fixture.edge, siblings: siblings)
        assertRules(report, [.identicalBindingAndRange])
        XCTAssertEqual(
            report.errors.first?.conflictingConnector,
            ConnectorIdentity(server: "EDGE01", name: "Default internal receive connector EDGE01"))
    }
}
