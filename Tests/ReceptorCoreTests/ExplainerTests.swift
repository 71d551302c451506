import XCTest
import ReceptorCore

/// Test-ReceiveConnector's reasoning (ConnectionExplainer over ConnectorSelector).
final class ExplainerTests: XCTestCase {
    func connectors() -> [ReceiveConnector] {
        var disabled = Fixture.connector("Old Relay", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.75"])
        disabled.enabled = false
        return [
            Fixture.connector("Client Frontend", bindings: ["0.0.0.0:25"], ranges: ["0.0.0.0-255.255.255.255"]),
            Fixture.connector("Custom A", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0/24"]),
            Fixture.connector("Custom A2", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0/24"]),
            Fixture.connector("Specific", bindings: ["10.0.0.5:25"], ranges: ["192.168.1.0/24"]),
            Fixture.connector("Elsewhere", bindings: ["0.0.0.0:25"], ranges: ["172.16.0.0/12"]),
            Fixture.connector("Other Port", bindings: ["0.0.0.0:587"], ranges: ["0.0.0.0-255.255.255.255"]),
            disabled,
        ]
    }

    func testEveryCandidateOnTheEndpointWithItsOutcome() {
        let e = ConnectionExplainer.explain(
            connectors: connectors(), localAddress: Fixture.ip("10.0.0.5"), localPort: 25,
            remoteAddress: Fixture.ip("192.168.1.75"))
        XCTAssertEqual(e.selected?.name, "Specific")
        XCTAssertEqual(e.matchedBinding?.description, "10.0.0.5:25")
        XCTAssertEqual(e.matchedRange?.description, "192.168.1.0/24")
        XCTAssertEqual(e.candidates.map(\.connector.name), ["Specific", "Custom A", "Custom A2", "Client Frontend", "Elsewhere", "Old Relay"])
        XCTAssertEqual(
            e.candidates.map(\.outcome), [.selected, .wildcardBinding, .wildcardBinding, .lessSpecificRange, .remoteRangeDoesNotMatch, .disabled])
        XCTAssertFalse(e.candidates.contains { $0.connector.name == "Other Port" }, "only connectors bound to the endpoint")
    }

    func testAWildcardEndpointAndTheNameOrder() {
        // "port 25 on an address no connector binds specifically": Specific's 10.0.0.5 binding does not cover it.
        let e = ConnectionExplainer.explain(connectors: connectors(), localAddress: nil, localPort: 25, remoteAddress: Fixture.ip("192.168.1.9"))
        XCTAssertEqual(e.selected?.name, "Custom A")
        XCTAssertEqual(e.candidates.first { $0.connector.name == "Custom A2" }?.outcome, .nameOrder)
        XCTAssertNil(e.candidates.first { $0.connector.name == "Specific" })
    }

    /// The shell explains over the routes the store reads (`ConnectorRoute`), the console over full connectors:
    /// one rule, the same answer, candidate by candidate.
    func testRoutesAreExplainedAsFullConnectors() {
        let full = connectors()
        let routes = full.map(ConnectorRoute.init)
        for (local, port, remote) in [
            ("10.0.0.5", 25, "192.168.1.75"), (nil, 25, "192.168.1.9"), (nil, 25, "172.16.1.1"), (nil, 25, "8.8.8.8"), (nil, 2525, "192.168.1.9"),
            (nil, 587, "10.1.1.1"),
        ] as [(String?, Int, String)] {
            let a = ConnectionExplainer.explain(
                connectors: full, localAddress: local.map { Fixture.ip($0) }, localPort: port, remoteAddress: Fixture.ip(remote))
            let b = ConnectionExplainer.explain(
                connectors: routes, localAddress: local.map { Fixture.ip($0) }, localPort: port, remoteAddress: Fixture.ip(remote))
            XCTAssertEqual(a.selected?.guid, b.selected?.guid, remote)
            XCTAssertEqual(a.reason, b.reason, remote)
            XCTAssertEqual(a.matchedBinding, b.matchedBinding, remote)
            XCTAssertEqual(a.matchedRange, b.matchedRange, remote)
            XCTAssertEqual(a.candidates.map(\.connector.identity), b.candidates.map(\.connector.identity), remote)
            XCTAssertEqual(a.candidates.map(\.outcome), b.candidates.map(\.outcome), remote)
            XCTAssertEqual(a.candidates.map(\.detail), b.candidates.map(\.detail), remote)
            XCTAssertFalse(a.candidates.isEmpty && port == 25, remote)
        }
    }

    func testNoConnector() {
        let e = ConnectionExplainer.explain(connectors: connectors(), localAddress: nil, localPort: 2525, remoteAddress: Fixture.ip("192.168.1.9"))
        XCTAssertNil(e.selected)
        XCTAssertTrue(e.reason.contains("No receive connector"), e.reason)
    }

    func testARangeSplitByTheConnectorThatTakesEachPart() throws {
        let shares = ConnectionExplainer.split(try IPRange(parsing: "192.168.0.0/16"), connectors: connectors(), localAddress: nil, localPort: 25)
        XCTAssertEqual(shares.map(\.text), ["192.168.0.0/24", "192.168.1.0/24", "192.168.2.0-192.168.255.255"])
        XCTAssertEqual(shares.map { $0.connector?.name }, ["Client Frontend", "Custom A", "Client Frontend"])
        let none = ConnectionExplainer.split(try IPRange(parsing: "10.0.0.0/8"), connectors: connectors(), localAddress: nil, localPort: 2525)
        XCTAssertEqual(none.map(\.text), ["10.0.0.0/8"])
        XCTAssertNil(none.first?.connector)
    }
}

/// The four yes/no answers the shell's Test-ReceiveConnector and the console's Explain view both show.
final class SessionRightsTests: XCTestCase {
    func testAnonymousRelayNeedsTheExplicitRightAndADenyTakesItAway() {
        let relay = Fixture.connector("Relay", bindings: ["0.0.0.0:25"], ranges: ["192.168.5.10"])
        let domain = Fixture.mailbox.domain
        var rights = SessionRights(connector: relay, explicitEntries: [], domain: domain)
        XCTAssertTrue(rights.maySubmit)
        XCTAssertFalse(rights.canRelayAnonymously)
        XCTAssertFalse(rights.requiresAuthentication)
        let allow = PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient])
        rights = SessionRights(connector: relay, explicitEntries: [allow], domain: domain)
        XCTAssertTrue(rights.canRelayAnonymously)
        XCTAssertEqual(SessionRights.names(rights.anonymous).filter { $0.hasSuffix("Any-Recipient") }, ["ms-Exch-SMTP-Accept-Any-Recipient"])
        let deny = PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient], deny: true)
        rights = SessionRights(connector: relay, explicitEntries: [allow, deny], domain: domain)
        XCTAssertFalse(rights.canRelayAnonymously)
    }

    func testWithoutAnonymousUsersASessionMustAuthenticateAndTlsIsTheConnectors() {
        var c = Fixture.connector("Client", bindings: ["0.0.0.0:587"], ranges: ["0.0.0.0-255.255.255.255"], groups: [.exchangeUsers])
        c.requireTLS = true
        let rights = SessionRights(connector: c, explicitEntries: [], domain: Fixture.mailbox.domain)
        XCTAssertTrue(rights.requiresAuthentication)
        XCTAssertFalse(rights.canRelayAnonymously)
        XCTAssertTrue(rights.requiresTls)
        XCTAssertTrue(rights.authenticated.contains(.acceptAnyRecipient), "Exchange users may relay once authenticated")
    }

    func testTheLocalEndpointAsTheShellAndTheConsoleReadIt() throws {
        XCTAssertNil(try ConnectionExplainer.localEndpoint(parsing: "25").address)
        XCTAssertNil(try ConnectionExplainer.localEndpoint(parsing: "0.0.0.0:25").address)
        XCTAssertEqual(try ConnectionExplainer.localEndpoint(parsing: " 10.10.1.1:25 ").address?.description, "10.10.1.1")
        XCTAssertThrowsError(try ConnectionExplainer.localEndpoint(parsing: "70000")) { error in
            XCTAssertEqual("\(error)", "the port 70000 is not between 1 and 65535.")
        }
        XCTAssertThrowsError(try ConnectionExplainer.localEndpoint(parsing: "mbx01:25"))
    }
}
