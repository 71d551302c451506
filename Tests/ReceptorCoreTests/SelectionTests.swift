import XCTest
import ReceptorCore

/// Which connector gets a connection (reference §6c).
final class SelectionTests: XCTestCase {
    /// The Exchange01 example of §6c: three connectors, all bound to all IPv4 on port 25.
    let exchange01: [ReceiveConnector] = [
        Fixture.connector("Client Frontend", bindings: ["0.0.0.0:25"], ranges: ["0.0.0.0-255.255.255.255"]),
        Fixture.connector("Custom A", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0-192.168.1.255"]),
        Fixture.connector("Custom B", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.75"]),
    ]

    func select(_ connectors: [ReceiveConnector], local: String = "10.0.0.5", port: Int = 25, remote: String) -> String? {
        ConnectorSelector.select(from: connectors, localAddress: Fixture.ip(local), localPort: port, remoteAddress: Fixture.ip(remote))?.name
    }

    func testExchange01Example() {
        XCTAssertEqual(select(exchange01, remote: "192.168.1.75"), "Custom B")
        XCTAssertEqual(select(exchange01, remote: "192.168.1.100"), "Custom A")
        XCTAssertEqual(select(exchange01, remote: "10.0.0.1"), "Client Frontend")
    }

    func testExchange01ExampleDoesNotDependOnOrder() {
        let reversed = Array(exchange01.reversed())
        XCTAssertEqual(select(reversed, remote: "192.168.1.75"), "Custom B")
        XCTAssertEqual(select(reversed, remote: "192.168.1.100"), "Custom A")
        XCTAssertEqual(select(reversed, remote: "10.0.0.1"), "Client Frontend")
    }

    func testCandidatesAreBestFirst() {
        let found = ConnectorSelector.candidates(
            from: exchange01, localAddress: Fixture.ip("10.0.0.5"), localPort: 25,
            remoteAddress: Fixture.ip("192.168.1.75"))
        XCTAssertEqual(found.map(\.connector.name), ["Custom B", "Custom A", "Client Frontend"])
        XCTAssertEqual(found.map(\.matchingRange.description), ["192.168.1.75", "192.168.1.0-192.168.1.255", "0.0.0.0-255.255.255.255"])
        XCTAssertEqual(found.map(\.binding.description), ["0.0.0.0:25", "0.0.0.0:25", "0.0.0.0:25"])
    }

    func testMostSpecificRangeOfAConnectorIsItsMatch() {
        let c = Fixture.connector("Two Ranges", bindings: ["0.0.0.0:25"], ranges: ["0.0.0.0-255.255.255.255", "192.168.1.75"])
        let found = ConnectorSelector.candidates(
            from: exchange01.filter { $0.name != "Custom B" } + [c],
            localAddress: Fixture.ip("10.0.0.5"), localPort: 25,
            remoteAddress: Fixture.ip("192.168.1.75"))
        XCTAssertEqual(found.first?.connector.name, "Two Ranges")
        XCTAssertEqual(found.first?.matchingRange.description, "192.168.1.75")
    }

    func testSpecificLocalIPBeatsWildcardWithTheSameRange() {
        let connectors = [
            Fixture.connector("AAA Wildcard", bindings: ["0.0.0.0:25"], ranges: ["0.0.0.0-255.255.255.255"]),
            Fixture.connector("ZZZ Specific", bindings: ["10.0.0.5:25"], ranges: ["0.0.0.0-255.255.255.255"]),
        ]
        XCTAssertEqual(select(connectors, local: "10.0.0.5", remote: "203.0.113.9"), "ZZZ Specific")
        XCTAssertEqual(select(Array(connectors.reversed()), local: "10.0.0.5", remote: "203.0.113.9"), "ZZZ Specific")
        // Another local address: only the wildcard listens there.
        XCTAssertEqual(select(connectors, local: "10.0.0.6", remote: "203.0.113.9"), "AAA Wildcard")
    }

    func testMoreSpecificRangeBeatsSpecificLocalIP() {
        let connectors = [
            Fixture.connector("Specific Local", bindings: ["10.0.0.5:25"], ranges: ["0.0.0.0-255.255.255.255"]),
            Fixture.connector("Specific Remote", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.75"]),
        ]
        XCTAssertEqual(select(connectors, local: "10.0.0.5", remote: "192.168.1.75"), "Specific Remote")
    }

    func testEqualCandidatesAreBrokenByNameSoTheChoiceIsStable() {
        let connectors = [
            Fixture.connector("beta", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0/24"]),
            Fixture.connector("Alpha", bindings: ["0.0.0.0:25"], ranges: ["192.168.1.0-192.168.1.255"]),
        ]
        XCTAssertEqual(select(connectors, remote: "192.168.1.9"), "Alpha")
        XCTAssertEqual(select(Array(connectors.reversed()), remote: "192.168.1.9"), "Alpha")
    }

    func testDisabledConnectorsAreNeverChosen() {
        var connectors = exchange01
        connectors[2].enabled = false
        XCTAssertEqual(select(connectors, remote: "192.168.1.75"), "Custom A")
        for i in connectors.indices { connectors[i].enabled = false }
        XCTAssertNil(select(connectors, remote: "192.168.1.75"))
    }

    func testNoMatchingRangeGivesNil() {
        let connectors = Array(exchange01.dropFirst())
        XCTAssertNil(select(connectors, remote: "10.0.0.1"))
        XCTAssertNil(select([], remote: "10.0.0.1"))
    }

    func testWrongPortGivesNil() {
        XCTAssertNil(select(exchange01, port: 2525, remote: "192.168.1.75"))
        XCTAssertNil(select(exchange01, port: 587, remote: "10.0.0.1"))
    }

    func testIPv6ClientOnIPv6Wildcard() {
        let connectors =
            Fixture.mailboxDefaults().filter { $0.name == "Default Frontend MBX01" } + [
                Fixture.connector("IPv6 Partner", bindings: ["[::]:25"], ranges: ["2001:db8:1::/64"])
            ]
        XCTAssertEqual(select(connectors, local: "2001:db8:ffff::1", remote: "2001:db8:1::25"), "IPv6 Partner")
        XCTAssertEqual(select(connectors, local: "2001:db8:ffff::1", remote: "2001:db8:1:0:ffff:ffff:ffff:ffff"), "IPv6 Partner")
        XCTAssertEqual(select(connectors, local: "2001:db8:ffff::1", remote: "2001:db8:2::1"), "Default Frontend MBX01")
        XCTAssertEqual(select(connectors, local: "10.0.0.5", remote: "198.51.100.7"), "Default Frontend MBX01")
    }

    func testIPv6ConnectorDoesNotTakeIPv4Clients() {
        let connectors = [Fixture.connector("IPv6 Only", bindings: ["[::]:25"], ranges: ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"])]
        XCTAssertNil(select(connectors, local: "10.0.0.5", remote: "192.168.1.75"))
    }

    func testIPv4MappedAddressesSelectLikeIPv4() {
        XCTAssertEqual(select(exchange01, local: "::ffff:10.0.0.5", remote: "::ffff:192.168.1.75"), "Custom B")
        XCTAssertEqual(select(exchange01, local: "::ffff:10.0.0.5", remote: "::ffff:192.168.1.100"), "Custom A")
        XCTAssertEqual(select(exchange01, local: "10.0.0.5", remote: "::ffff:10.0.0.1"), "Client Frontend")
        let specific = [Fixture.connector("Specific", bindings: ["10.0.0.5:25"], ranges: ["192.168.1.75"])]
        XCTAssertEqual(select(specific, local: "::ffff:10.0.0.5", remote: "::ffff:192.168.1.75"), "Specific")
    }

    func testSetupDefaultsOnMBX01() {
        let defaults = Fixture.mailboxDefaults()
        XCTAssertEqual(select(defaults, port: 25, remote: "203.0.113.9"), "Default Frontend MBX01")
        XCTAssertEqual(select(defaults, port: 587, remote: "203.0.113.9"), "Client Frontend MBX01")
        XCTAssertEqual(select(defaults, port: 717, remote: "10.0.0.9"), "Outbound Proxy Frontend MBX01")
        XCTAssertEqual(select(defaults, port: 465, remote: "10.0.0.9"), "Client Proxy MBX01")
        XCTAssertEqual(select(defaults, port: 2525, remote: "10.0.0.9"), "Default MBX01")
        XCTAssertNil(select(defaults, port: 26, remote: "10.0.0.9"))
    }
}
