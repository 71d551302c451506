import XCTest
import ReceptorCore

/// AuthMechanism and PermissionGroups flag sets (reference §3b, §4a, §4b rule 1, §5a).
final class FlagSetTests: XCTestCase {
    func testParsesCommaSeparatedText() throws {
        let auth = try AuthMechanisms(parsing: ["Tls,BasicAuth"], typeName: "AuthMechanism")
        XCTAssertEqual(auth, [.tls, .basicAuth])
        XCTAssertEqual(auth.description, "Tls, BasicAuth")
    }

    func testParsesListWithSpacesAndEmptyPieces() throws {
        let auth = try AuthMechanisms(parsing: ["Tls, BasicAuth", " BasicAuthRequireTLS ", ""], typeName: "AuthMechanism")
        XCTAssertEqual(auth, [.tls, .basicAuth, .basicAuthRequireTLS])
    }

    func testParsingIsCaseInsensitive() throws {
        XCTAssertEqual(
            try AuthMechanisms(parsing: ["tls", "BASICAUTH", "externalauthoritative"], typeName: "AuthMechanism"),
            [.tls, .basicAuth, .externalAuthoritative])
        XCTAssertEqual(
            try PermissionGroups(parsing: ["anonymoususers,EXCHANGESERVERS"], typeName: "PermissionGroups"),
            [.anonymousUsers, .exchangeServers])
    }

    func testShownInDeclarationOrder() throws {
        let auth = try AuthMechanisms(
            parsing: ["ExternalAuthoritative", "BasicAuth", "ExchangeServer", "Integrated", "BasicAuthRequireTLS", "Tls"],
            typeName: "AuthMechanism")
        XCTAssertEqual(auth.description, "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer, ExternalAuthoritative")
        XCTAssertEqual(auth.names, ["Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer", "ExternalAuthoritative"])
        XCTAssertEqual(auth.ordered, [.tls, .integrated, .basicAuth, .basicAuthRequireTLS, .exchangeServer, .externalAuthoritative])

        let groups: PermissionGroups = [.custom, .partners, .exchangeLegacyServers, .exchangeServers, .exchangeUsers, .anonymousUsers]
        XCTAssertEqual(groups.description, "AnonymousUsers, ExchangeUsers, ExchangeServers, ExchangeLegacyServers, Partners, Custom")
        // Default Frontend as Get-ReceiveConnector shows it.
        let frontend: PermissionGroups = [.exchangeLegacyServers, .anonymousUsers, .exchangeServers]
        XCTAssertEqual(frontend.description, "AnonymousUsers, ExchangeServers, ExchangeLegacyServers")
    }

    func testIterationFollowsDeclarationOrder() {
        let auth: AuthMechanisms = [.integrated, .tls, .basicAuth]
        XCTAssertEqual(Array(auth), [.tls, .integrated, .basicAuth])
    }

    func testNoneAloneIsEmpty() throws {
        let none = try AuthMechanisms(parsing: ["None"], typeName: "AuthMechanism")
        XCTAssertTrue(none.isEmpty)
        XCTAssertEqual(none.description, "None")
        XCTAssertEqual(none, AuthMechanisms.none)
        XCTAssertTrue(try PermissionGroups(parsing: ["none"], typeName: "PermissionGroups").isEmpty)
        XCTAssertEqual(PermissionGroups.none.description, "None")
        XCTAssertEqual(PermissionGroups.none.names, [])
    }

    func testNoneWithOthersIsRefused() {
        // §4b rule 1: None must be used alone.
        XCTAssertEqual(
            assertValueError(try AuthMechanisms(parsing: ["None", "Tls"], typeName: "AuthMechanism"))?.message,
            "AuthMechanism value None must be used alone.")
        XCTAssertEqual(
            assertValueError(try AuthMechanisms(parsing: ["Tls,None"], typeName: "AuthMechanism"))?.message,
            "AuthMechanism value None must be used alone.")
        XCTAssertEqual(
            assertValueError(try PermissionGroups(parsing: ["AnonymousUsers,None"], typeName: "PermissionGroups"))?.message,
            "PermissionGroups value None must be used alone.")
    }

    func testUnknownNameListsValidValues() {
        XCTAssertEqual(
            assertValueError(try AuthMechanisms(parsing: ["Tls", "Kerberos"], typeName: "AuthMechanism"))?.message,
            "\"Kerberos\" is not a valid AuthMechanism value. Valid values: None, Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer, ExternalAuthoritative."
        )
        XCTAssertEqual(
            assertValueError(try PermissionGroups(parsing: ["Anonymous"], typeName: "PermissionGroups"))?.message,
            "\"Anonymous\" is not a valid PermissionGroups value. Valid values: None, AnonymousUsers, ExchangeUsers, ExchangeServers, ExchangeLegacyServers, Partners, Custom."
        )
    }

    func testInsertRemoveContains() {
        var groups = PermissionGroups.none
        groups.insert(.partners)
        groups.insert(.anonymousUsers)
        groups.insert(.partners)
        XCTAssertEqual(groups.names, ["AnonymousUsers", "Partners"])
        XCTAssertTrue(groups.contains(.partners))
        groups.remove(.partners)
        XCTAssertFalse(groups.contains(.partners))
        XCTAssertEqual(groups.description, "AnonymousUsers")
    }

    func testEACLabels() {
        XCTAssertEqual(AuthMechanism.tls.label, "Transport Layer Security (TLS)")
        XCTAssertEqual(AuthMechanism.basicAuthRequireTLS.label, "Offer basic authentication only after starting TLS")
        XCTAssertEqual(AuthMechanism.externalAuthoritative.label, "Externally secured (for example, with IPsec)")
        XCTAssertEqual(PermissionGroup.exchangeLegacyServers.label, "Legacy Exchange servers")
    }
}
