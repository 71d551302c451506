import Foundation
import XCTest
import ReceptorCore

/// The model values around a connector: identity, server, accepted domains, accounts, and the stored form.
final class ModelTests: XCTestCase {
    func testConnectorIdentityParsing() {
        let full = ConnectorIdentity(parsing: "MBX01\\Default Frontend MBX01")
        XCTAssertEqual(full.server, "MBX01")
        XCTAssertEqual(full.name, "Default Frontend MBX01")
        XCTAssertEqual(full.description, "MBX01\\Default Frontend MBX01")
        let bare = ConnectorIdentity(parsing: "  Client Frontend MBX01 ")
        XCTAssertNil(bare.server)
        XCTAssertEqual(bare.name, "Client Frontend MBX01")
        XCTAssertEqual(bare.description, "Client Frontend MBX01")
    }

    func testConnectorIdentityMatchesIgnoringCase() throws {
        let c = try XCTUnwrap(Fixture.mailboxDefaults().first { $0.name == "Default Frontend MBX01" })
        XCTAssertTrue(ConnectorIdentity(parsing: "mbx01\\default frontend mbx01").matches(c))
        XCTAssertTrue(ConnectorIdentity(parsing: "DEFAULT FRONTEND MBX01").matches(c))
        XCTAssertFalse(ConnectorIdentity(parsing: "MBX02\\Default Frontend MBX01").matches(c))
        XCTAssertFalse(ConnectorIdentity(parsing: "Default Frontend").matches(c))
        XCTAssertEqual(c.identity.description, "MBX01\\Default Frontend MBX01")
    }

    func testSameNameIsCaseInsensitiveCompare() {
        let pairs = [
            ("Relay 1", "relay 1"), ("Relay 1", "Relay 1 "), ("Relay 1", "Relay 2"), ("Default Frontend MBX01", "DEFAULT FRONTEND mbx01"),
            ("a@[", "A@["), ("Z`", "z`"), ("", ""), ("Éric", "éRIC"), ("Straße", "STRASSE"), ("Relay", "Rélay"),
        ]
        for (a, b) in pairs {
            XCTAssertEqual(ConnectorIdentity.sameName(a, b), a.caseInsensitiveCompare(b) == .orderedSame, "\(a) / \(b)")
        }
        XCTAssertTrue(ConnectorIdentity.sameName("Relay 1", "rELAY 1"))
        XCTAssertFalse(ConnectorIdentity.sameName("a@", "A`"), "@ and ` are not letters")
    }

    func testServerNameRules() {
        XCTAssertNoThrow(try Server.validateName("MBX01"))
        XCTAssertNoThrow(try Server.validateName("EDGE-01"))
        for bad in ["", "A234567890123456", "-MBX", "MBX-", "MBX_01", "MBX 01"] {
            XCTAssertNotNil(assertValueError(try Server.validateName(bad), bad), bad)
        }
    }

    func testAcceptedDomainMatching() {
        let exact = AcceptedDomain(name: "Contoso", domainName: "contoso.com")
        XCTAssertEqual(exact.domainType, .authoritative)
        XCTAssertTrue(exact.matches(domain: "CONTOSO.com"))
        XCTAssertFalse(exact.matches(domain: "sub.contoso.com"))
        let wildcard = AcceptedDomain(name: "Contoso subdomains", domainName: "*.contoso.com", domainType: .internalRelay)
        XCTAssertTrue(wildcard.matches(domain: "sub.contoso.com"))
        XCTAssertTrue(wildcard.matches(domain: "a.b.contoso.com"))
        XCTAssertTrue(wildcard.matches(domain: "contoso.com"))
        XCTAssertFalse(wildcard.matches(domain: "evilcontoso.com"))
    }

    func testAcceptedDomainNameValidation() {
        XCTAssertNoThrow(try AcceptedDomain.validateDomainName("contoso.com"))
        XCTAssertNoThrow(try AcceptedDomain.validateDomainName("*.contoso.com"))
        XCTAssertEqual(
            assertValueError(try AcceptedDomain.validateDomainName("contoso..com"))?.message,
            "\"contoso..com\" is not a valid domain name: it has an empty label.")
        XCTAssertNotNil(assertValueError(try AcceptedDomain.validateDomainName("-contoso.com")))
        XCTAssertNotNil(assertValueError(try AcceptedDomain.validateDomainName("con toso.com")))
        XCTAssertNotNil(assertValueError(try AcceptedDomain.validateDomainName(String(repeating: "a", count: 64) + ".com")))
    }

    func testMailboxAccount() {
        let kate = MailboxAccount(name: "Kate Jones", userPrincipalName: "kate@contoso.com")
        XCTAssertEqual(kate.alias, "kate")
        XCTAssertEqual(kate.primarySmtpAddress, "kate@contoso.com")
        XCTAssertTrue(kate.answers(to: "KATE@contoso.com"))
        XCTAssertTrue(kate.answers(to: "CONTOSO\\kate"))
        XCTAssertFalse(kate.answers(to: "kate"))
        XCTAssertFalse(kate.answers(to: "bob@contoso.com"))
        XCTAssertNoThrow(try MailboxAccount.validateUserPrincipalName("kate@contoso.com"))
        XCTAssertEqual(
            assertValueError(try MailboxAccount.validateUserPrincipalName("kate"))?.message,
            "\"kate\" is not a valid user principal name: write it as user@domain.")
        XCTAssertNotNil(assertValueError(try MailboxAccount.validateUserPrincipalName("@contoso.com")))
        XCTAssertNotNil(assertValueError(try MailboxAccount.validateUserPrincipalName("kate@contoso..com")))
    }

    func testConnectorsSurviveTheStoredForm() throws {
        let connectors =
            Fixture.mailboxDefaults() + ConnectorDefaults.setupConnectors(for: Fixture.edge)
            + [ParameterTableTests.rich(), Fixture.connector("No Port", bindings: ["0.0.0.0", "[::]:"], ranges: ["0.0.0.0", "::"])]
        let data = try JSONEncoder().encode(connectors)
        let decoded = try JSONDecoder().decode([ReceiveConnector].self, from: data)
        XCTAssertEqual(decoded, connectors)
        for (a, b) in zip(decoded, connectors) {
            XCTAssertEqual(a.remoteIPRanges.map(\.description), b.remoteIPRanges.map(\.description), a.name)
            XCTAssertEqual(a.bindings.map(\.description), b.bindings.map(\.description), a.name)
            XCTAssertEqual(a.messageRateLimit, b.messageRateLimit, a.name)
        }
    }
}

final class ReceiveProtocolLogSettingsTests: XCTestCase {
    func testServersStoredBeforeTheSettingsExistedDecode() throws {
        let old = #"{"name":"MBX01","role":"Mailbox","fqdn":"mbx01.contoso.test","domain":"CONTOSO","useDowngradedExchangeServerAuth":false}"#
        let server = try JSONDecoder().decode(Server.self, from: Data(old.utf8))
        XCTAssertEqual(server.receiveProtocolLog(service: "FrontEnd"), .exchangeDefaults)
        var changed = server
        changed.receiveProtocolLogs["Hub"] = ReceiveProtocolLogSettings(maxAge: .zero)
        let again = try JSONDecoder().decode(Server.self, from: JSONEncoder().encode(changed))
        XCTAssertEqual(again, changed)
    }

    func testRanges() throws {
        XCTAssertNil(try ReceiveProtocolLogSettings.parseSize("Unlimited", parameter: "P"))
        XCTAssertEqual(try ReceiveProtocolLogSettings.parseSize("999999999999999", parameter: "P")?.bytes, 999_999_999_999_999)
        XCTAssertThrowsError(try ReceiveProtocolLogSettings.parseSize("1000000000000000", parameter: "P"))
        XCTAssertEqual(try ReceiveProtocolLogSettings.parseAge("24855.03:14:07", parameter: "P"), ReceiveProtocolLogSettings.maximumAge)
        XCTAssertThrowsError(try ReceiveProtocolLogSettings.parseAge("24855.03:14:08", parameter: "P"))
        XCTAssertNoThrow(try ReceiveProtocolLogSettings(maxFileSize: .megabytes(250)).validate())
        XCTAssertThrowsError(try ReceiveProtocolLogSettings(maxFileSize: .megabytes(251)).validate())
        XCTAssertNoThrow(try ReceiveProtocolLogSettings(maxFileSize: nil, maxDirectorySize: nil).validate())
        XCTAssertNoThrow(try ReceiveProtocolLogSettings(maxFileSize: .megabytes(10), maxDirectorySize: nil).validate())
    }
}
