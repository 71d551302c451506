import XCTest
import ReceptorCore

/// One connector on its own: reference §4b rules 1–9 and 12, the name rules of §3a, the scope rules of §3g,
/// and the cautions and warnings.
final class ValidatorTests: XCTestCase {
    func testCleanConnectorHasNoErrorsAndNoWarnings() {
        let report = validate(Fixture.clean())
        assertRules(report, [])
        XCTAssertEqual(report.warnings, [])
    }

    // MARK: Rule 1: None alone (refused when the value is read; a FlagSet can't hold None with others)

    func testRule1NoneWithOthersRefusedByAuthMechanismParameter() throws {
        let p = try XCTUnwrap(ConnectorParameters.named("AuthMechanism"))
        var c = Fixture.clean()
        let error = assertValueError(try p.apply(.list(["None", "Tls"]), to: &c))
        XCTAssertEqual(error?.message, "AuthMechanism value None must be used alone.")
        XCTAssertEqual(c.authMechanism, [.tls], "a refused value changes nothing")
    }

    func testRule1NoneAloneAccepted() throws {
        let p = try XCTUnwrap(ConnectorParameters.named("AuthMechanism"))
        var c = Fixture.clean()
        try p.apply(.text("None"), to: &c)
        XCTAssertEqual(c.authMechanism, AuthMechanisms.none)
        assertRules(validate(c), [])
    }

    func testRule1NoneWithOthersRefusedByPermissionGroupsParameter() throws {
        let p = try XCTUnwrap(ConnectorParameters.named("PermissionGroups"))
        var c = Fixture.clean()
        XCTAssertEqual(
            assertValueError(try p.apply(.list(["AnonymousUsers", "None"]), to: &c))?.message,
            "PermissionGroups value None must be used alone.")
    }

    // MARK: Rule 2: BasicAuthRequireTLS needs BasicAuth and Tls

    func testRule2BasicAuthRequireTLSWithoutBasicAuth() {
        var c = Fixture.clean()
        c.authMechanism = [.tls, .basicAuthRequireTLS]
        let e = assertSingleRule(validate(c), .basicAuthRequireTLSNeedsBasicAndTls, parameter: "AuthMechanism")
        XCTAssertEqual(e?.message, "AuthMechanism BasicAuthRequireTLS also needs BasicAuth and Tls (it is Tls, BasicAuthRequireTLS).")
    }

    func testRule2BasicAuthRequireTLSWithoutTls() {
        var c = Fixture.clean()
        c.authMechanism = [.basicAuth, .basicAuthRequireTLS]
        assertSingleRule(validate(c), .basicAuthRequireTLSNeedsBasicAndTls, parameter: "AuthMechanism")
    }

    func testRule2BasicAuthRequireTLSWithBasicAuthAndTlsPasses() {
        var c = Fixture.clean()
        c.authMechanism = [.tls, .basicAuth, .basicAuthRequireTLS]
        assertRules(validate(c), [])
    }

    // MARK: Rule 3: ExternalAuthoritative only with Tls

    func testRule3ExternalAuthoritativeWithBasicAuth() {
        var c = Fixture.clean()
        c.authMechanism = [.tls, .basicAuth, .externalAuthoritative]
        c.permissionGroups = [.exchangeServers]
        let e = assertSingleRule(validate(c), .externalAuthoritativeOnlyWithTls, parameter: "AuthMechanism")
        XCTAssertEqual(e?.message, "AuthMechanism ExternalAuthoritative can be combined only with Tls; remove BasicAuth.")
    }

    func testRule3ExternalAuthoritativeWithExchangeServerAndIntegrated() {
        var c = Fixture.clean()
        c.authMechanism = [.externalAuthoritative, .exchangeServer, .integrated]
        c.permissionGroups = [.exchangeServers]
        let e = assertSingleRule(validate(c), .externalAuthoritativeOnlyWithTls, parameter: "AuthMechanism")
        XCTAssertEqual(e?.message, "AuthMechanism ExternalAuthoritative can be combined only with Tls; remove Integrated, ExchangeServer.")
    }

    func testRule3ExternalAuthoritativeWithTlsPasses() {
        var c = Fixture.clean()
        c.authMechanism = [.tls, .externalAuthoritative]
        c.permissionGroups = [.exchangeServers]
        assertRules(validate(c), [])
        c.authMechanism = [.externalAuthoritative]
        assertRules(validate(c), [])
    }

    // MARK: Rule 4: RequireTLS needs Tls

    func testRule4RequireTLSWithoutTls() {
        var c = Fixture.clean()
        c.requireTLS = true
        c.authMechanism = [.basicAuth]
        let e = assertSingleRule(validate(c), .requireTLSNeedsTls, parameter: "RequireTLS")
        XCTAssertEqual(e?.message, "RequireTLS $true needs Tls in AuthMechanism (it is BasicAuth).")
    }

    func testRule4RequireTLSWithNoAuthMechanism() {
        var c = Fixture.clean()
        c.requireTLS = true
        c.authMechanism = .none
        let e = assertSingleRule(validate(c), .requireTLSNeedsTls, parameter: "RequireTLS")
        XCTAssertEqual(e?.message, "RequireTLS $true needs Tls in AuthMechanism (it is None).")
    }

    func testRule4RequireTLSWithTlsPasses() {
        var c = Fixture.clean()
        c.requireTLS = true
        assertRules(validate(c), [])
    }

    // MARK: Rule 5: ExternalAuthoritative needs ExchangeServers

    func testRule5ExternalAuthoritativeWithoutExchangeServers() {
        var c = Fixture.clean()
        c.authMechanism = [.tls, .externalAuthoritative]
        c.permissionGroups = [.anonymousUsers]
        let e = assertSingleRule(validate(c), .externalAuthoritativeNeedsExchangeServers, parameter: "PermissionGroups")
        XCTAssertEqual(e?.message, "AuthMechanism ExternalAuthoritative requires PermissionGroups ExchangeServers (it is AnonymousUsers).")
    }

    func testRule5ExternalAuthoritativeWithGroupsContainingExchangeServersPasses() {
        var c = Fixture.clean()
        c.authMechanism = [.tls, .externalAuthoritative]
        c.permissionGroups = [.anonymousUsers, .exchangeServers]
        assertRules(validate(c), [])
    }

    // MARK: Rule 6: DomainSecureEnabled needs Tls, forbids ExternalAuthoritative

    func testRule6DomainSecureWithoutTls() {
        var c = Fixture.clean()
        c.domainSecureEnabled = true
        c.authMechanism = [.exchangeServer]
        let e = assertSingleRule(validate(c), .domainSecureNeedsTls, parameter: "DomainSecureEnabled")
        XCTAssertEqual(e?.message, "DomainSecureEnabled $true needs Tls in AuthMechanism (it is ExchangeServer).")
    }

    func testRule6DomainSecureWithExternalAuthoritative() {
        var c = Fixture.clean()
        c.domainSecureEnabled = true
        c.authMechanism = [.tls, .externalAuthoritative]
        c.permissionGroups = [.exchangeServers]
        let e = assertSingleRule(validate(c), .domainSecureForbidsExternalAuthoritative, parameter: "DomainSecureEnabled")
        XCTAssertEqual(e?.message, "DomainSecureEnabled $true can't be used with AuthMechanism ExternalAuthoritative.")
    }

    func testRule6DomainSecureWithTlsPasses() {
        var c = Fixture.clean()
        c.domainSecureEnabled = true
        c.permissionGroups = [.partners]
        assertRules(validate(c), [])
    }

    // MARK: Rule 7: BinaryMimeEnabled needs ChunkingEnabled

    func testRule7BinaryMimeWithoutChunking() {
        var c = Fixture.clean()
        c.chunkingEnabled = false
        let e = assertSingleRule(validate(c), .binaryMimeNeedsChunking, parameter: "BinaryMimeEnabled")
        XCTAssertEqual(e?.message, "BinaryMimeEnabled $true needs ChunkingEnabled $true.")
    }

    func testRule7BinaryMimeOffWithoutChunkingPasses() {
        var c = Fixture.clean()
        c.chunkingEnabled = false
        c.binaryMimeEnabled = false
        assertRules(validate(c), [])
    }

    // MARK: Rule 8: SuppressXAnonymousTls needs UseDowngradedExchangeServerAuth

    func testRule8SuppressXAnonymousTlsWithoutDowngradedAuth() {
        var c = Fixture.clean()
        c.suppressXAnonymousTls = true
        let e = assertSingleRule(validate(c), .suppressXAnonymousTlsNeedsDowngradedAuth, parameter: "SuppressXAnonymousTls")
        XCTAssertEqual(e?.message, "SuppressXAnonymousTls $true needs Set-TransportService MBX01 -UseDowngradedExchangeServerAuth $true first.")
    }

    func testRule8SuppressXAnonymousTlsWithDowngradedAuthPasses() {
        var c = Fixture.clean()
        c.suppressXAnonymousTls = true
        let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.com", useDowngradedExchangeServerAuth: true)
        assertRules(validate(c, server: server), [])
    }

    // MARK: Rule 9: ConnectionInactivityTimeout < ConnectionTimeout

    func testRule9InactivityEqualToTimeout() {
        var c = Fixture.clean()
        c.connectionInactivityTimeout = .minutes(10)
        let e = assertSingleRule(validate(c), .inactivityBelowConnectionTimeout, parameter: "ConnectionInactivityTimeout")
        XCTAssertEqual(e?.message, "ConnectionInactivityTimeout (00:10:00) must be less than ConnectionTimeout (00:10:00).")
    }

    func testRule9InactivityAboveTimeout() {
        var c = Fixture.clean()
        c.connectionTimeout = .minutes(1)
        assertSingleRule(validate(c), .inactivityBelowConnectionTimeout, parameter: "ConnectionInactivityTimeout")
    }

    func testRule9InactivityJustBelowTimeoutPasses() {
        var c = Fixture.clean()
        c.connectionInactivityTimeout = EnhancedTimeSpan(seconds: 599)
        assertRules(validate(c), [])
    }

    // MARK: Rule 12: Banner starts with 220

    func testRule12BannerNotStartingWith220() {
        var c = Fixture.clean()
        c.banner = "250 mail.contoso.com"
        let e = assertSingleRule(validate(c), .bannerStartsWith220, parameter: "Banner")
        XCTAssertEqual(e?.message, "Banner must start with 220, as in \"220 mail.contoso.com\" (it starts with \"250 mail.con\").")
    }

    func testRule12BannerStartingWith220Passes() {
        var c = Fixture.clean()
        c.banner = "220 mail.contoso.com ready"
        assertRules(validate(c), [])
        c.banner = nil
        assertRules(validate(c), [])
    }

    func testBannerOnTwoLinesRefused() {
        var c = Fixture.clean()
        c.banner = "220 mail.contoso.com\r\n220 again"
        assertSingleRule(validate(c), .invalidValue, parameter: "Banner")
    }

    // MARK: Name (§3a)

    func testEmptyNameRefused() {
        var c = Fixture.clean()
        c.name = ""
        let e = assertSingleRule(validate(c), .nameLength, parameter: "Name")
        XCTAssertEqual(e?.message, "Name can't be empty.")
    }

    func testNameOf65CharactersRefusedAnd64Accepted() {
        var c = Fixture.clean()
        c.name = String(repeating: "a", count: 65)
        let e = assertSingleRule(validate(c), .nameLength, parameter: "Name")
        XCTAssertEqual(e?.message, "Name \"aaaaaaaaaaaaaaaaaaaa…\" is 65 characters long; the maximum is 64.")
        c.name = String(repeating: "a", count: 64)
        assertRules(validate(c), [])
        XCTAssertEqual(ConnectorValidator.maximumNameLength, 64)
    }

    func testNameWithForbiddenCharactersRefused() {
        for name in ["a\\b", "a/b", "a,b", "a;b", "a\"b", "line\nbreak", " leading", "trailing "] {
            var c = Fixture.clean()
            c.name = name
            assertSingleRule(validate(c), .nameCharacters, parameter: "Name")
        }
    }

    func testNameWithSpacesDotsAndHyphensAccepted() {
        var c = Fixture.clean()
        c.name = "Fabrikam.com TLS - relay (2)"
        assertRules(validate(c), [])
    }

    func testNameMustBeUniqueOnTheServerIgnoringCase() {
        var c = Fixture.clean()
        c.name = "default frontend mbx01"
        let e = assertSingleRule(validate(c, siblings: Fixture.mailboxDefaults()), .nameUnique, parameter: "Name")
        XCTAssertEqual(e?.conflictingConnector, ConnectorIdentity(server: "MBX01", name: "Default Frontend MBX01"))
        XCTAssertEqual(e?.message, "A receive connector named \"Default Frontend MBX01\" already exists on server MBX01; choose another Name.")
    }

    func testSameNameOfTheConnectorItselfIsNotAConflict() throws {
        let defaults = Fixture.mailboxDefaults()
        var c = try XCTUnwrap(Fixture.connector(named: "Client Frontend MBX01", in: defaults))
        c.comment = "edited"
        assertRules(validate(c, siblings: defaults), [])
    }

    // MARK: Scope (§3g)

    func testTransportRoleOnEdgeRefused() {
        var c = Fixture.connector("Edge Custom", server: Fixture.edge, role: nil, bindings: ["10.0.0.5:25"], ranges: ["10.1.2.10"])
        assertRules(validate(c, server: Fixture.edge), [])
        c.transportRole = .frontendTransport
        assertSingleRule(validate(c, server: Fixture.edge), .transportRoleNotOnEdge, parameter: "TransportRole")
    }

    func testLegacyServersOnEdgeRefused() {
        var c = Fixture.connector(
            "Edge Custom", server: Fixture.edge, role: nil, bindings: ["10.0.0.5:25"], ranges: ["10.1.2.10"],
            auth: [.tls, .exchangeServer], groups: [.exchangeServers])
        assertRules(validate(c, server: Fixture.edge), [])
        c.permissionGroups = [.exchangeServers, .exchangeLegacyServers]
        let e = assertSingleRule(validate(c, server: Fixture.edge), .legacyServersNotOnEdge, parameter: "PermissionGroups")
        XCTAssertTrue(e?.message.contains("ExchangeLegacyServers") ?? false)
    }

    func testTransportRoleRequiredOnMailbox() {
        var c = Fixture.clean()
        c.transportRole = nil
        assertSingleRule(validate(c), .transportRoleRequiredOnMailbox, parameter: "TransportRole")
    }

    func testLongAddressesOnlyOnHubConnectorsOfMailboxServers() {
        var fet = Fixture.clean()
        fet.longAddressesEnabled = true
        assertSingleRule(validate(fet), .longAddressesHubOnly, parameter: "LongAddressesEnabled")

        var onEdge = Fixture.connector("Edge Custom", server: Fixture.edge, role: nil, bindings: ["10.0.0.5:25"], ranges: ["10.1.2.10"])
        onEdge.longAddressesEnabled = true
        assertSingleRule(validate(onEdge, server: Fixture.edge), .longAddressesHubOnly, parameter: "LongAddressesEnabled")

        var hub = Fixture.connector("Hub Custom", role: .hubTransport, bindings: ["0.0.0.0:2526"], ranges: ["10.0.0.1"])
        hub.longAddressesEnabled = true
        assertRules(validate(hub), [])
    }

    // MARK: Bindings and ranges on their own

    func testEmptyBindingsRefused() {
        var c = Fixture.clean()
        c.bindings = []
        assertSingleRule(validate(c), .bindingsRequired, parameter: "Bindings")
    }

    func testEmptyRemoteIPRangesRefused() {
        var c = Fixture.clean()
        c.remoteIPRanges = []
        assertSingleRule(validate(c), .remoteIPRangesRequired, parameter: "RemoteIPRanges")
    }

    // MARK: Several rules at once

    func testSeveralBrokenRulesAreAllReported() {
        var c = Fixture.clean()
        c.authMechanism = [.basicAuthRequireTLS]
        c.requireTLS = true
        c.chunkingEnabled = false
        c.banner = "hello"
        let rules = Set(validate(c).errors.map(\.rule))
        XCTAssertEqual(rules, [.basicAuthRequireTLSNeedsBasicAndTls, .requireTLSNeedsTls, .binaryMimeNeedsChunking, .bannerStartsWith220])
    }

    // MARK: Warnings and cautions

    func testEnableAuthGSSAPIWithoutIntegratedWarns() {
        var c = Fixture.clean()
        c.enableAuthGSSAPI = true
        let report = validate(c)
        assertRules(report, [])
        XCTAssertEqual(
            report.warnings,
            [
                RuleWarning(
                    .gssapiWithoutIntegrated, parameter: "EnableAuthGSSAPI",
                    "EnableAuthGSSAPI has an effect only when AuthMechanism includes Integrated.")
            ])
    }

    func testEnableAuthGSSAPIWithIntegratedDoesNotWarn() {
        var c = Fixture.clean()
        c.enableAuthGSSAPI = true
        c.authMechanism = [.tls, .integrated]
        XCTAssertEqual(validate(c).warnings, [])
    }

    func testNoPermissionGroupsWarns() {
        var c = Fixture.clean()
        c.permissionGroups = .none
        let report = validate(c)
        assertRules(report, [])
        XCTAssertEqual(report.warnings.map(\.parameter), ["PermissionGroups"])
        XCTAssertEqual(report.warnings.map(\.code), [.noPermissionGroups])
        XCTAssertEqual(
            report.warnings.first?.message,
            "With no permission groups this connector can't accept connections; add groups with -PermissionGroups or Add-ADPermission.")
    }

    func testExternallySecuredWithExchangeServersCaution() {
        var c = Fixture.clean("Anonymous Relay")
        c.authMechanism = [.externalAuthoritative]
        c.permissionGroups = [.exchangeServers]
        let report = validate(c)
        assertRules(report, [])
        XCTAssertEqual(report.warnings, [RuleWarning(.externallySecuredRelay, parameter: "AuthMechanism", ConnectorCautions.externallySecuredRelay)])
        XCTAssertEqual(
            ConnectorCautions.externallySecuredRelay,
            "Caution: Externally secured with the Exchange servers group lets every address in RemoteIPRanges relay anonymously through this server.")
    }

    func testBasicAuthWithoutAnonymousUsersWarns() {
        var c = Fixture.clean()
        c.authMechanism = [.tls, .basicAuth]
        c.permissionGroups = [.exchangeUsers]
        let report = validate(c)
        assertRules(report, [])
        XCTAssertEqual(
            report.warnings, [RuleWarning(.basicAuthWithoutAnonymous, parameter: "AuthMechanism", ConnectorCautions.basicAuthWithoutAnonymous)])

        c.authMechanism = [.tls, .basicAuth, .basicAuthRequireTLS]
        XCTAssertEqual(
            validate(c).warnings, [RuleWarning(.basicAuthWithoutAnonymous, parameter: "AuthMechanism", ConnectorCautions.basicAuthWithoutAnonymous)])
    }

    func testBasicAuthWithAnonymousUsersDoesNotWarn() {
        // Scenario 3 of the article: -AuthMechanism BasicAuth -PermissionGroups AnonymousUsers.
        var c = Fixture.clean()
        c.authMechanism = [.basicAuth]
        c.permissionGroups = [.anonymousUsers]
        XCTAssertEqual(validate(c).warnings, [])
    }

    func testHubConnectorOnPort25Warns() {
        let c = Fixture.connector("Hub 25", role: .hubTransport, bindings: ["10.0.0.5:25"], ranges: ["10.0.0.1"])
        let report = validate(c)
        assertRules(report, [])
        XCTAssertEqual(report.warnings.map(\.parameter), ["TransportRole"])
        XCTAssertEqual(report.warnings.map(\.code), [.hubTransportOnPort25])
        XCTAssertTrue(report.warnings.first?.message.contains("4.3.2") ?? false)
        XCTAssertTrue(report.warnings.first?.message.contains("-TransportRole FrontendTransport") ?? false)
    }

    func testHubConnectorOnOtherPortDoesNotWarn() {
        let c = Fixture.connector("Hub 2526", role: .hubTransport, bindings: ["10.0.0.5:2526"], ranges: ["10.0.0.1"])
        XCTAssertEqual(validate(c).warnings, [])
    }

    func testBindingNotAmongLocalAddressesWarns() {
        let c = Fixture.connector("Specific", bindings: ["10.10.1.1:25"], ranges: ["192.168.10.5"])
        let report = validate(c, localAddresses: [Fixture.ip("10.10.1.2"), Fixture.ip("127.0.0.1")])
        assertRules(report, [])
        XCTAssertEqual(report.warnings.map(\.parameter), ["Bindings"])
        XCTAssertEqual(report.warnings.map(\.code), [.bindingNotLocal])
        XCTAssertEqual(
            report.warnings.first?.message,
            "Binding 10.10.1.1:25: 10.10.1.1 is not an address of this machine; the listener can't open it until it is.")
    }

    func testBindingAmongLocalAddressesOrWildcardDoesNotWarn() {
        let specific = Fixture.connector("Specific", bindings: ["10.10.1.1:25"], ranges: ["192.168.10.5"])
        XCTAssertEqual(validate(specific, localAddresses: [Fixture.ip("10.10.1.1")]).warnings, [])
        XCTAssertEqual(validate(specific, localAddresses: nil).warnings, [], "nil skips the local-address check")
        let wildcard = Fixture.connector("Wildcard", bindings: ["0.0.0.0:25", "[::]:25"], ranges: ["192.168.10.5"])
        XCTAssertEqual(validate(wildcard, localAddresses: []).warnings, [])
    }

    func testOmittedPortWarns() {
        let c = Fixture.connector("No Port", bindings: ["0.0.0.0", "[::]:"], ranges: ["192.168.10.5"])
        XCTAssertEqual(c.bindings.map(\.port), [25, 25])
        XCTAssertEqual(c.bindings.map(\.portWasOmitted), [true, true])
        let report = validate(c)
        assertRules(report, [])
        XCTAssertEqual(
            report.warnings,
            [
                RuleWarning(.bindingPortOmitted, parameter: "Bindings", "Binding \"0.0.0.0\" names no port; port 25 is used."),
                RuleWarning(.bindingPortOmitted, parameter: "Bindings", "Binding \"[::]:\" names no port; port 25 is used."),
            ])
    }

    func testGivenPortDoesNotWarn() {
        let c = Fixture.connector("Port", bindings: ["0.0.0.0:25", "[::]:25"], ranges: ["192.168.10.5"])
        XCTAssertEqual(c.bindings.map(\.portWasOmitted), [false, false])
        XCTAssertEqual(validate(c).warnings, [])
    }
}
