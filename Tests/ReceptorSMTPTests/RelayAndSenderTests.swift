import XCTest
import ReceptorCore
@testable import ReceptorSMTP

final class RelayAndSenderTests: XCTestCase {
    /// No default connector relays for an anonymous client: where anonymous may submit (Default Frontend,
    /// the Edge connector) RCPT to an outside domain gets 550 5.7.1 Unable to relay; elsewhere MAIL is already
    /// refused with 530 5.7.1 (no ms-Exch-SMTP-Submit for ANONYMOUS LOGON).
    func testRelayRefusedOnEveryDefaultConnectorForAnonymousClients() {
        let all = TestWorld.defaultConnectors + ConnectorDefaults.setupConnectors(for: TestWorld.edge)
        XCTAssertEqual(all.count, 6)
        for connector in all {
            let server = connector.server == "EDGE01" ? TestWorld.edge : TestWorld.server
            var h = Harness.open(TestWorld.configuration(connector, server: server))
            h.say("EHLO mail.fabrikam.com")
            let mail = h.say("MAIL FROM:<chris@fabrikam.com>")
            if connector.permissionGroups.contains(.anonymousUsers) {
                XCTAssertEqual(mail, ["250 2.1.0 Sender OK"], connector.name)
                XCTAssertEqual(h.say("RCPT TO:<someone@fabrikam.com>"), ["550 5.7.1 Unable to relay"], connector.name)
                XCTAssertEqual(h.say("RCPT TO:<kate@contoso.test>"), ["250 2.1.5 Recipient OK"], connector.name)
            } else {
                XCTAssertEqual(mail, ["530 5.7.1 Client was not authenticated"], connector.name)
                XCTAssertEqual(h.say("RCPT TO:<someone@fabrikam.com>"), ["503 5.5.2 Need mail command"], connector.name)
            }
        }
    }

    func testMethodARequiresTheExplicitEntry() {
        var c = TestWorld.customRelayConnector()
        c.permissionGroups = [.anonymousUsers]
        var without = Harness.open(TestWorld.configuration(c))
        without.say("EHLO app")
        without.say("MAIL FROM:<app@contoso.test>")
        XCTAssertEqual(without.say("RCPT TO:<x@fabrikam.com>"), ["550 5.7.1 Unable to relay"])

        let entry = PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient])
        var with = Harness.open(TestWorld.configuration(c, entries: [entry]))
        with.say("EHLO app")
        with.say("MAIL FROM:<app@contoso.test>")
        XCTAssertEqual(with.say("RCPT TO:<x@fabrikam.com>"), ["250 2.1.5 Recipient OK"])
        // Method A keeps the size limit and antispam: no bypass right.
        XCTAssertFalse(with.connection.session.rights.contains(.bypassMessageSizeLimit))

        // An explicit deny wins over the group's allow.
        let deny = PermissionEntry(user: .anonymousLogon, extendedRights: [.submit], deny: true)
        var denied = Harness.open(TestWorld.configuration(c, entries: [entry, deny]))
        denied.say("EHLO app")
        XCTAssertEqual(denied.say("MAIL FROM:<app@contoso.test>"), ["530 5.7.1 Client was not authenticated"])
    }

    func testMethodBTrustsTheSessionAsInternal() {
        var c = TestWorld.customRelayConnector()
        c.authMechanism = [.externalAuthoritative]
        c.permissionGroups = [.exchangeServers]
        var h = Harness.open(TestWorld.configuration(c))
        XCTAssertEqual(h.connection.session.authentication, .externallySecured)
        XCTAssertTrue(
            h.connection.session.rights.isSuperset(of: [
                .submit, .acceptAnyRecipient, .acceptAnySender, .bypassMessageSizeLimit, .acceptHeadersRouting,
            ]))
        XCTAssertFalse(h.connection.session.rights.contains(.acceptHeadersOrganization))
        h.say("EHLO app")
        XCTAssertEqual(h.say("MAIL FROM:<app@contoso.test> SIZE=99999999999"), ["250 2.1.0 Sender OK"])
        XCTAssertEqual(h.say("RCPT TO:<x@fabrikam.com>"), ["250 2.1.5 Recipient OK"])
        // Externally secured sessions are authenticated: never tarpitted.
        XCTAssertEqual(h.say("XYZZY"), ["500 5.3.3 Unrecognized command"])
        XCTAssertEqual(h.delays, [])
    }

    /// §5b: with neither Accept-Any-Sender nor Accept-Authoritative-Domain-Sender, an authoritative-domain
    /// sender is refused; other senders pass.
    func testAuthoritativeDomainSenderNeedsItsRight() {
        var c = TestWorld.customRelayConnector()
        c.permissionGroups = .none
        let submitOnly = PermissionEntry(user: .anonymousLogon, extendedRights: [.submit])
        var h = Harness.open(TestWorld.configuration(c, entries: [submitOnly]))
        h.say("EHLO app")
        XCTAssertEqual(h.say("MAIL FROM:<ceo@contoso.test>"), ["550 5.7.1 Client does not have permissions to send as this sender"])
        XCTAssertEqual(h.say("MAIL FROM:<ceo@Contoso.Test.>"), ["550 5.7.1 Client does not have permissions to send as this sender"])
        XCTAssertEqual(h.say("MAIL FROM:<ops@relay.contoso.test>"), ["250 2.1.0 Sender OK"])
        h.say("RSET")
        XCTAssertEqual(h.say("MAIL FROM:<chris@fabrikam.com>"), ["250 2.1.0 Sender OK"])
        h.say("RSET")
        XCTAssertEqual(h.say("MAIL FROM:<>"), ["250 2.1.0 Sender OK"])

        let withADS = PermissionEntry(user: .anonymousLogon, extendedRights: [.submit, .acceptAuthoritativeDomainSender])
        var h2 = Harness.open(TestWorld.configuration(c, entries: [withADS]))
        h2.say("EHLO app")
        XCTAssertEqual(h2.say("MAIL FROM:<ceo@contoso.test>"), ["250 2.1.0 Sender OK"])
    }

    func testReservedAndSingleLabelRecipientDomains() {
        var c = TestWorld.defaultFrontend
        c.rejectReservedTopLevelRecipientDomains = true
        c.rejectReservedSecondLevelRecipientDomains = true
        c.rejectSingleLabelRecipientDomains = true
        var h = Harness.open(TestWorld.configuration(c))
        h.say("EHLO x.fabrikam.com")
        h.say("MAIL FROM:<a@fabrikam.com>")
        XCTAssertEqual(h.say("RCPT TO:<a@b.invalid>"), ["550 5.1.4 Recipient address reserved by RFC 2606"])
        XCTAssertEqual(h.say("RCPT TO:<a@host.localhost>"), ["550 5.1.4 Recipient address reserved by RFC 2606"])
        XCTAssertEqual(h.say("RCPT TO:<a@example.com>"), ["550 5.1.5 Recipient address reserved by RFC 2606"])
        XCTAssertEqual(h.say("RCPT TO:<a@mail.example.org>"), ["550 5.1.5 Recipient address reserved by RFC 2606"])
        XCTAssertEqual(h.say("RCPT TO:<chris@contoso>"), ["550 5.1.6 Recipient addresses in single label domains not accepted"])
        XCTAssertEqual(h.say("RCPT TO:<a@notexample.com>"), ["550 5.7.1 Unable to relay"])

        var off = Harness.open(TestWorld.configuration(TestWorld.defaultFrontend))
        off.say("EHLO x.fabrikam.com")
        off.say("MAIL FROM:<a@fabrikam.com>")
        XCTAssertEqual(off.say("RCPT TO:<a@b.invalid>"), ["550 5.7.1 Unable to relay"])
        XCTAssertEqual(off.say("RCPT TO:<chris@contoso>"), ["550 5.7.1 Unable to relay"])
    }

    func testWildcardAcceptedDomain() {
        var config = TestWorld.configuration(TestWorld.defaultFrontend)
        config.acceptedDomains.append(AcceptedDomain(name: "sub", domainName: "*.fabrikam.net"))
        var h = Harness.open(config)
        h.say("EHLO x")
        h.say("MAIL FROM:<a@fabrikam.com>")
        XCTAssertEqual(h.say("RCPT TO:<a@eu.fabrikam.net>"), ["250 2.1.5 Recipient OK"])
        XCTAssertEqual(h.say("RCPT TO:<a@fabrikam.net>"), ["250 2.1.5 Recipient OK"])
        XCTAssertEqual(h.say("RCPT TO:<a@[192.0.2.1]>"), ["550 5.7.1 Unable to relay"])
    }

    /// The Edge default connector is domain-secure: a partner's proven certificate domain makes it a Partner.
    func testDomainSecurePartner() throws {
        let edge = TestWorld.connector("Default internal receive connector")
        var h = Harness.open(TestWorld.configuration(edge, server: TestWorld.edge))
        h.tls = TLSInfo(version: "TLSv1.2", cipher: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", partnerDomain: "fabrikam.com")
        h.say("EHLO mail.fabrikam.com")
        XCTAssertEqual(h.say("STARTTLS"), ["220 2.0.0 SMTP server ready"])
        XCTAssertEqual(h.connection.session.authentication, .partner(domain: "fabrikam.com"))
        XCTAssertEqual(h.connection.session.rights, [.acceptHeadersRouting, .submit])
        h.say("EHLO mail.fabrikam.com")
        XCTAssertEqual(h.say("MAIL FROM:<chris@fabrikam.com>"), ["250 2.1.0 Sender OK"])
        XCTAssertEqual(h.say("RCPT TO:<kate@contoso.test>"), ["250 2.1.5 Recipient OK"])
        h.say("DATA")
        h.message(["Subject: partner", "", "hello"])
        let env = try XCTUnwrap(h.delivered.first)
        XCTAssertEqual(env.authAs, "Partner")
        XCTAssertEqual(env.authMechanism, "Tls")
        XCTAssertTrue(env.headersToPrepend.contains(HeaderField(name: "X-Receptor-AuthDomain", value: "fabrikam.com")))
        XCTAssertTrue(env.headersToPrepend[0].value.contains("with ESMTPS (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"))

        // The same certificate on a connector without DomainSecureEnabled proves nothing.
        var plainConnector = TestWorld.defaultFrontend
        plainConnector.domainSecureEnabled = false
        var h2 = Harness.open(TestWorld.configuration(plainConnector))
        h2.tls = h.tls
        h2.say("EHLO mail.fabrikam.com")
        h2.say("STARTTLS")
        XCTAssertEqual(h2.connection.session.authentication, .anonymous)
    }
}
