import XCTest
import ReceptorCore

/// Permission groups → principals → extended rights (reference §5a, §5b) and the relay methods of §7.
final class PermissionTests: XCTestCase {
    let domain = Fixture.domain
    let defaults = Fixture.mailboxDefaults()

    static let anonymousRights: Set<ExtendedRight> = [.acceptHeadersRouting, .acceptAnySender, .acceptAuthoritativeDomainSender, .submit]
    static let exchangeUsersRights: Set<ExtendedRight> = [.acceptHeadersRouting, .bypassAntiSpam, .acceptAnyRecipient, .submit]
    static let exchangeServersRights: Set<ExtendedRight> = [
        .acceptHeadersForest, .acceptHeadersOrganization, .acceptHeadersRouting, .bypassAntiSpam, .bypassMessageSizeLimit,
        .acceptAnyRecipient, .acceptAnySender, .acceptAuthenticationFlag, .acceptAuthoritativeDomainSender, .acceptExch50, .submit,
        .acceptXattr, .acceptXProxyFrom, .acceptXSessionParams, .acceptXShadow, .acceptXSysProbe,
        .sendXMessageContextADRecipientCache, .sendXMessageContextExtendedProperties, .sendXMessageContextFastIndex,
    ]
    static let nineRights: Set<ExtendedRight> = [
        .acceptHeadersRouting, .bypassAntiSpam, .bypassMessageSizeLimit, .acceptAnyRecipient, .acceptAnySender,
        .acceptAuthenticationFlag, .acceptAuthoritativeDomainSender, .acceptExch50, .submit,
    ]
    /// §7: the minimum rights for anonymous relay.
    static let relayMinimum: Set<ExtendedRight> = [
        .acceptHeadersRouting, .acceptAnyRecipient, .acceptAnySender, .acceptAuthoritativeDomainSender, .submit,
    ]

    func connector(groups: PermissionGroups, auth: AuthMechanisms = [.tls]) -> ReceiveConnector {
        Fixture.connector("Relay", bindings: ["0.0.0.0:25"], ranges: ["192.168.10.5"], auth: auth, groups: groups)
    }

    func entries(_ c: ReceiveConnector) -> [SecurityPrincipal: Set<ExtendedRight>] {
        var result: [SecurityPrincipal: Set<ExtendedRight>] = [:]
        for e in PermissionModel.groupEntries(for: c, domain: domain) {
            XCTAssertTrue(e.fromPermissionGroup, "\(e.user)")
            XCTAssertFalse(e.deny, "\(e.user)")
            XCTAssertEqual(Set(e.extendedRights).count, e.extendedRights.count, "no right listed twice for \(e.user)")
            XCTAssertNil(result[e.user], "one entry per principal: \(e.user)")
            result[e.user] = Set(e.extendedRights)
        }
        return result
    }

    func rights(
        on c: ReceiveConnector, _ auth: PermissionModel.SessionAuthentication,
        explicit: [PermissionEntry] = []
    ) -> Set<ExtendedRight> {
        PermissionModel.effectiveRights(connector: c, explicitEntries: explicit, authentication: auth, domain: domain)
    }

    // MARK: Group entries (§5a)

    func testAnonymousUsersGroup() {
        XCTAssertEqual(
            entries(connector(groups: [.anonymousUsers])),
            [SecurityPrincipal("NT AUTHORITY\\ANONYMOUS LOGON"): Self.anonymousRights])
    }

    func testExchangeUsersGroup() {
        XCTAssertEqual(
            entries(connector(groups: [.exchangeUsers])),
            [SecurityPrincipal("NT AUTHORITY\\Authenticated Users"): Self.exchangeUsersRights])
    }

    func testExchangeServersGroup() {
        XCTAssertEqual(Self.exchangeServersRights.count, 19)
        XCTAssertEqual(
            entries(connector(groups: [.exchangeServers])),
            [
                SecurityPrincipal("CONTOSO\\Exchange Servers"): Self.exchangeServersRights,
                SecurityPrincipal("MS Exchange\\Edge Transport Servers"): Self.exchangeServersRights,
                SecurityPrincipal("MS Exchange\\Hub Transport Servers"): Self.exchangeServersRights,
            ])
    }

    func testExchangeServersWithExternalAuthoritativeAddsExternallySecuredServers() {
        let found = entries(connector(groups: [.exchangeServers], auth: [.externalAuthoritative]))
        XCTAssertEqual(
            found,
            [
                SecurityPrincipal("CONTOSO\\Exchange Servers"): Self.exchangeServersRights,
                SecurityPrincipal("MS Exchange\\Edge Transport Servers"): Self.exchangeServersRights,
                SecurityPrincipal("MS Exchange\\Hub Transport Servers"): Self.exchangeServersRights,
                SecurityPrincipal("MS Exchange\\Externally Secured Servers"): Self.nineRights,
            ])
        let reduced = found[.externallySecuredServers] ?? []
        XCTAssertFalse(reduced.contains(.acceptHeadersOrganization))
        XCTAssertFalse(reduced.contains(.acceptHeadersForest))
        XCTAssertFalse(reduced.contains(.acceptXattr))
    }

    func testExternalAuthoritativeWithoutExchangeServersGrantsNothingToExternallySecured() {
        XCTAssertNil(entries(connector(groups: [.anonymousUsers], auth: [.externalAuthoritative]))[.externallySecuredServers])
    }

    func testExchangeLegacyServersGroup() {
        XCTAssertEqual(
            entries(connector(groups: [.exchangeLegacyServers])),
            [SecurityPrincipal("CONTOSO\\ExchangeLegacyInterop"): Self.nineRights])
    }

    func testPartnersGroup() {
        XCTAssertEqual(
            entries(connector(groups: [.partners])),
            [SecurityPrincipal("MS Exchange\\Partner Servers"): [.acceptHeadersRouting, .submit]])
    }

    func testCustomAndNoneGrantNothing() {
        XCTAssertEqual(PermissionModel.groupEntries(for: connector(groups: [.custom]), domain: domain), [])
        XCTAssertEqual(PermissionModel.groupEntries(for: connector(groups: .none), domain: domain), [])
    }

    func testDefaultFrontendEntries() throws {
        let c = try XCTUnwrap(Fixture.connector(named: "Default Frontend MBX01", in: defaults))
        let users = PermissionModel.groupEntries(for: c, domain: domain).map(\.user)
        XCTAssertEqual(
            users,
            [
                .anonymousLogon, .exchangeServers(domain: "CONTOSO"), .edgeTransportServers, .hubTransportServers,
                .exchangeLegacyInterop(domain: "CONTOSO"),
            ])
    }

    // MARK: Effective rights

    func testAnonymousOnDefaultFrontend() throws {
        let c = try XCTUnwrap(Fixture.connector(named: "Default Frontend MBX01", in: defaults))
        XCTAssertEqual(PermissionModel.initialAuthentication(for: c), .anonymous)
        let got = rights(on: c, .anonymous)
        XCTAssertEqual(got, [.submit, .acceptAnySender, .acceptAuthoritativeDomainSender, .acceptHeadersRouting])
        XCTAssertFalse(got.contains(.acceptAnyRecipient), "anonymous sessions on Default Frontend may not relay")
    }

    func testAuthenticatedAccountOnClientFrontend() throws {
        let c = try XCTUnwrap(Fixture.connector(named: "Client Frontend MBX01", in: defaults))
        let kate = PermissionModel.SessionAuthentication.account(principals: [
            SecurityPrincipal("CONTOSO\\kate"),
            SecurityPrincipal("kate@contoso.com"),
        ])
        let got = rights(on: c, kate)
        XCTAssertEqual(got, Self.exchangeUsersRights)
        XCTAssertTrue(got.contains(.acceptAnyRecipient))
        XCTAssertEqual(rights(on: c, .anonymous), [], "Client Frontend has no anonymous group")
    }

    func testMethodAAnonymousRelayByExplicitPermission() throws {
        // Set-ReceiveConnector "Anonymous Relay" -PermissionGroups AnonymousUsers
        // Get-ReceiveConnector "Anonymous Relay" | Add-ADPermission -User "NT AUTHORITY\ANONYMOUS LOGON" -ExtendedRights "Ms-Exch-SMTP-Accept-Any-Recipient"
        let c = connector(groups: [.anonymousUsers])
        XCTAssertFalse(rights(on: c, .anonymous).contains(.acceptAnyRecipient))
        let explicit = PermissionEntry(
            user: SecurityPrincipal("NT AUTHORITY\\ANONYMOUS LOGON"),
            extendedRights: [try ExtendedRight(parsing: "Ms-Exch-SMTP-Accept-Any-Recipient")])
        XCTAssertFalse(explicit.fromPermissionGroup)
        XCTAssertFalse(explicit.deny)
        XCTAssertEqual(rights(on: c, .anonymous, explicit: [explicit]), Self.relayMinimum)
    }

    func testExplicitEntryPrincipalIsMatchedIgnoringCase() {
        let c = connector(groups: [.anonymousUsers])
        let explicit = PermissionEntry(user: SecurityPrincipal("nt authority\\anonymous logon"), extendedRights: [.acceptAnyRecipient])
        XCTAssertTrue(rights(on: c, .anonymous, explicit: [explicit]).contains(.acceptAnyRecipient))
        XCTAssertEqual(SecurityPrincipal("nt authority\\anonymous logon"), .anonymousLogon)
        XCTAssertEqual(Set([SecurityPrincipal("CONTOSO\\Kate"), SecurityPrincipal("contoso\\kate")]).count, 1)
    }

    func testExplicitEntryForAnotherPrincipalDoesNotApply() {
        let c = connector(groups: [.anonymousUsers])
        let explicit = PermissionEntry(user: .authenticatedUsers, extendedRights: [.acceptAnyRecipient])
        XCTAssertEqual(rights(on: c, .anonymous, explicit: [explicit]), Self.anonymousRights)
    }

    func testExplicitDenyWinsOverGroupAllow() {
        let c = connector(groups: [.anonymousUsers])
        let deny = PermissionEntry(user: .anonymousLogon, extendedRights: [.submit], deny: true)
        XCTAssertEqual(rights(on: c, .anonymous, explicit: [deny]), [.acceptHeadersRouting, .acceptAnySender, .acceptAuthoritativeDomainSender])
    }

    func testExplicitDenyWinsOverExplicitAllow() {
        let c = connector(groups: [.anonymousUsers])
        let allow = PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient])
        let deny = PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient], deny: true)
        XCTAssertFalse(rights(on: c, .anonymous, explicit: [deny, allow]).contains(.acceptAnyRecipient))
        XCTAssertFalse(rights(on: c, .anonymous, explicit: [allow, deny]).contains(.acceptAnyRecipient))
    }

    func testDenyForAnAccountNameAppliesToThatAccount() throws {
        let c = try XCTUnwrap(Fixture.connector(named: "Client Frontend MBX01", in: defaults))
        let deny = PermissionEntry(user: SecurityPrincipal("CONTOSO\\kate"), extendedRights: [.acceptAnyRecipient], deny: true)
        let kate = PermissionModel.SessionAuthentication.account(principals: [SecurityPrincipal("CONTOSO\\kate")])
        let bob = PermissionModel.SessionAuthentication.account(principals: [SecurityPrincipal("CONTOSO\\bob")])
        XCTAssertEqual(rights(on: c, kate, explicit: [deny]), [.acceptHeadersRouting, .bypassAntiSpam, .submit])
        XCTAssertEqual(rights(on: c, bob, explicit: [deny]), Self.exchangeUsersRights)
    }

    func testMethodBExternallySecuredSession() {
        // Set-ReceiveConnector "Anonymous Relay" -AuthMechanism ExternalAuthoritative -PermissionGroups ExchangeServers
        let c = connector(groups: [.exchangeServers], auth: [.externalAuthoritative])
        XCTAssertEqual(PermissionModel.initialAuthentication(for: c), .externallySecured)
        let got = rights(on: c, .externallySecured)
        XCTAssertEqual(got.count, 9)
        XCTAssertEqual(got, Self.relayMinimum.union([.bypassAntiSpam, .bypassMessageSizeLimit, .acceptAuthenticationFlag, .acceptExch50]))
        XCTAssertEqual(got, Self.nineRights)
    }

    func testExternallySecuredSessionWithoutExternalAuthoritativeGetsNothing() {
        let c = connector(groups: [.exchangeServers], auth: [.tls])
        XCTAssertEqual(PermissionModel.initialAuthentication(for: c), .anonymous)
        XCTAssertEqual(rights(on: c, .externallySecured), [])
    }

    func testPartnerSessionOnPartnersConnector() {
        let c = connector(groups: [.partners])
        XCTAssertEqual(rights(on: c, .partner(domain: "fabrikam.com")), [.submit, .acceptHeadersRouting])
        XCTAssertEqual(rights(on: c, .anonymous), [])
    }

    func testExchangeServerSessionOnDefaultHubConnector() throws {
        let c = try XCTUnwrap(Fixture.connector(named: "Default MBX01", in: defaults))
        XCTAssertEqual(rights(on: c, .exchangeServer), Self.exchangeServersRights)
    }

    func testNoGroupsNoRights() {
        let c = connector(groups: .none)
        XCTAssertEqual(rights(on: c, .anonymous), [])
        XCTAssertEqual(rights(on: c, .account(principals: [SecurityPrincipal("CONTOSO\\kate")])), [])
    }

    // MARK: Principals

    func testPrincipalNames() {
        XCTAssertEqual(SecurityPrincipal.anonymousLogon.name, "NT AUTHORITY\\ANONYMOUS LOGON")
        XCTAssertEqual(SecurityPrincipal.authenticatedUsers.name, "NT AUTHORITY\\Authenticated Users")
        XCTAssertEqual(SecurityPrincipal.exchangeServers(domain: "CONTOSO").name, "CONTOSO\\Exchange Servers")
        XCTAssertEqual(SecurityPrincipal.edgeTransportServers.name, "MS Exchange\\Edge Transport Servers")
        XCTAssertEqual(SecurityPrincipal.hubTransportServers.name, "MS Exchange\\Hub Transport Servers")
        XCTAssertEqual(SecurityPrincipal.externallySecuredServers.name, "MS Exchange\\Externally Secured Servers")
        XCTAssertEqual(SecurityPrincipal.exchangeLegacyInterop(domain: "CONTOSO").name, "CONTOSO\\ExchangeLegacyInterop")
        XCTAssertEqual(SecurityPrincipal.partnerServers.name, "MS Exchange\\Partner Servers")
        XCTAssertEqual(SecurityPrincipal.wellKnown(domain: "CONTOSO").count, 8)
    }

    // MARK: ExtendedRight names (§5b)

    func testExtendedRightParsingIsCaseInsensitive() throws {
        XCTAssertEqual(try ExtendedRight(parsing: "Ms-Exch-SMTP-Accept-Any-Recipient"), .acceptAnyRecipient)
        XCTAssertEqual(try ExtendedRight(parsing: "ms-exch-smtp-submit"), .submit)
        XCTAssertEqual(try ExtendedRight(parsing: " MS-EXCH-BYPASS-ANTI-SPAM "), .bypassAntiSpam)
        XCTAssertEqual(try ExtendedRight(parsing: "ms-Exch-SMTP-Accept-Exch50"), .acceptExch50)
        // The 2013 spelling.
        XCTAssertEqual(try ExtendedRight(parsing: "ms-Exch-Accept-Exch50"), .acceptExch50)
    }

    func testExtendedRightNamesAreExchanges() throws {
        XCTAssertEqual(ExtendedRight.allCases.count, 19)
        XCTAssertEqual(Set(ExtendedRight.allCases), Self.exchangeServersRights)
        XCTAssertEqual(ExtendedRight.acceptAnyRecipient.description, "ms-Exch-SMTP-Accept-Any-Recipient")
        XCTAssertEqual(ExtendedRight.acceptHeadersRouting.rawValue, "ms-Exch-Accept-Headers-Routing")
        for right in ExtendedRight.allCases {
            XCTAssertEqual(try ExtendedRight(parsing: right.rawValue), right)
            XCTAssertEqual(try ExtendedRight(parsing: right.rawValue.uppercased()), right)
        }
    }

    func testUnknownExtendedRightRefused() {
        XCTAssertEqual(
            assertValueError(try ExtendedRight(parsing: "ms-Exch-SMTP-Relay"))?.message,
            "\"ms-Exch-SMTP-Relay\" is not an extended right of a receive connector, such as ms-Exch-SMTP-Submit or ms-Exch-SMTP-Accept-Any-Recipient."
        )
    }
}
