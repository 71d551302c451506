import Foundation
import XCTest
import ReceptorCore
@testable import ReceptorStore

/// The routing columns beside a connector's JSON (schema v4): what they hold, and that reading them back gives
/// the connector's routing exactly, every shape of binding and range included.
final class RouteColumnsTests: XCTestCase {
    let guid = UUID(uuidString: "0D1B2C3A-4E5F-4061-8273-9A8B7C6D5E4F")!

    func route(enabled: Bool = true, role: TransportRole?, bindings: [String], ranges: [String]) throws -> ConnectorRoute {
        ConnectorRoute(
            name: "Relay, \"one\"", server: "MBX01", guid: guid, enabled: enabled, transportRole: role,
            bindings: try bindings.map { try IPBinding(parsing: $0) }, remoteIPRanges: try ranges.map { try IPRange(parsing: $0) })
    }

    func assertRoundTrip(_ route: ConnectorRoute, file: StaticString = #filePath, line: UInt = #line) {
        let columns = RouteColumns(route)
        let back = RouteColumns.route(
            name: route.name, server: route.server, guid: route.guid.uuidString, enabled: columns.enabled, transportRole: columns.transportRole,
            bindings: columns.bindings, remoteIPRanges: columns.remoteIPRanges)
        XCTAssertEqual(back, route, "\(columns)", file: file, line: line)
        // Equality leaves out how an entry was written down to a zone; the text shows it all.
        XCTAssertEqual(back?.remoteIPRanges.map(\.description), route.remoteIPRanges.map(\.description), file: file, line: line)
        XCTAssertEqual(back?.bindings.map(\.description), route.bindings.map(\.description), file: file, line: line)
    }

    func testEveryShapeOfBindingAndRangeRoundTrips() throws {
        let all = try route(
            role: .frontendTransport, bindings: ["10.1.1.5:25", "[2001:db8::5]:587", "0.0.0.0:2525", "[::]:25", "[fe80::1%eth-0.1]:25"],
            ranges: [
                "192.168.5.10", "10.0.0.1-10.0.0.99", "172.16.0.1/12", "0.0.0.0", "::", "2001:db8::/32", "2001:db8::1 - 2001:db8::ff",
                "fe80::1%eth_0", "0.0.0.0-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:10.1.2.3",
            ])
        assertRoundTrip(all)
        let columns = RouteColumns(all)
        XCTAssertEqual(columns.bindings, "10.1.1.5:25,[2001:db8::5]:587,0.0.0.0:2525,[::]:25,[fe80::1%eth-0.1]:25")
        XCTAssertEqual(
            columns.remoteIPRanges,
            "192.168.5.10,10.0.0.1-10.0.0.99,172.16.0.1/12,0.0.0.0,::,2001:db8::/32,2001:db8::1-2001:db8::ff,fe80::1%eth_0,"
                + "0.0.0.0-255.255.255.255,::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,::ffff:10.1.2.3")
        XCTAssertEqual(columns.transportRole, "FrontendTransport")
        XCTAssertTrue(columns.enabled)
    }

    func testNoRangesNoRoleAndDisabledRoundTrip() throws {
        let edge = try route(enabled: false, role: nil, bindings: ["0.0.0.0:25"], ranges: [])
        assertRoundTrip(edge)
        XCTAssertEqual(RouteColumns(edge), RouteColumns(enabled: false, transportRole: nil, bindings: "0.0.0.0:25", remoteIPRanges: ""))
        assertRoundTrip(try route(role: .hubTransport, bindings: [], ranges: ["10.0.0.0/8"]))
    }

    func testEveryDefaultConnectorRoundTrips() {
        for server in [
            Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test"), Server(name: "EDGE01", role: .edge, fqdn: "edge01.contoso.test"),
        ] {
            for connector in ConnectorDefaults.setupConnectors(for: server) { assertRoundTrip(ConnectorRoute(connector)) }
        }
    }

    /// NULL columns (a row whose JSON didn't read when v4 filled them) or a value that doesn't read give no route:
    /// the backend then reads the row in full.
    /// One reader over many rows parses a bindings column once: its routes are the one-off reads', rows that
    /// share a column and rows that don't, and a column that doesn't read gives no route every time.
    func testAReaderOverManyRowsGivesTheOneOffReadsRoutes() {
        let rows: [(String, String?, String)] = [
            ("0.0.0.0:25", "10.0.0.1", "Relay 1"), ("0.0.0.0:25", "10.0.0.2", "Relay 2"), ("10.1.1.1:25,[::]:587", "::1", "Mixed"),
            ("not a binding", "10.0.0.3", "Broken"), ("0.0.0.0:25", nil, "Unfilled"), ("not a binding", "10.0.0.4", "Broken again"),
            ("0.0.0.0:25", "10.0.0.5-10.0.0.9", "Relay 5"), ("", "", "Bare"),
        ]
        var reader = RouteColumns.Reader()
        for (bindings, ranges, name) in rows {
            let guid = UUID().uuidString.lowercased()
            let shared = reader.route(
                name: name, server: "MBX01", guid: guid, enabled: true, transportRole: "FrontendTransport", bindings: bindings,
                remoteIPRanges: ranges)
            let alone = RouteColumns.route(
                name: name, server: "MBX01", guid: guid, enabled: true, transportRole: "FrontendTransport", bindings: bindings,
                remoteIPRanges: ranges)
            XCTAssertEqual(shared, alone, name)
            XCTAssertEqual(shared == nil, name.hasPrefix("Broken") || name == "Unfilled", name)
            if let shared { XCTAssertEqual(shared.bindings.map(\.description).joined(separator: ","), bindings, name) }
        }
    }

    func testColumnsThatAreNullOrDontReadGiveNoRoute() {
        func route(
            guid: String = "0D1B2C3A-4E5F-4061-8273-9A8B7C6D5E4F", enabled: Bool? = true, role: String? = nil, bindings: String? = "0.0.0.0:25",
            ranges: String? = "10.0.0.1"
        ) -> ConnectorRoute? {
            RouteColumns.route(
                name: "Relay", server: "MBX01", guid: guid, enabled: enabled, transportRole: role, bindings: bindings, remoteIPRanges: ranges)
        }
        XCTAssertNotNil(route())
        XCTAssertNotNil(route(guid: "0d1b2c3a-4e5f-4061-8273-9a8b7c6d5e4f"))
        XCTAssertNil(route(enabled: nil))
        XCTAssertNil(route(bindings: nil))
        XCTAssertNil(route(ranges: nil))
        XCTAssertNil(route(guid: "not a guid"))
        XCTAssertEqual(UUID(storedText: guid.uuidString), guid)
        XCTAssertEqual(UUID(storedText: guid.uuidString.lowercased()), guid)
        XCTAssertNil(UUID(storedText: "{\(guid.uuidString)}"))
        for bad in ["G", "g", "/", ":", "@", "`", " ", "-"] {
            XCTAssertNil(UUID(storedText: bad + guid.uuidString.dropFirst()), bad)
            XCTAssertNil(UUID(storedText: guid.uuidString.dropLast() + bad), bad)
        }
        for _ in 0..<100 {
            let random = UUID()
            XCTAssertEqual(UUID(storedText: random.uuidString), random)
            XCTAssertEqual(UUID(storedText: random.uuidString.lowercased()), random)
        }
        XCTAssertNil(UUID(storedText: guid.uuidString.replacingOccurrences(of: "-", with: "")))
        XCTAssertNil(route(role: "Frontend"), "only the rawValue, as the JSON holds it")
        XCTAssertNil(route(bindings: "10.0.0.1"), "a binding without its port")
        XCTAssertNil(route(ranges: "10.0.0.1;10.0.0.2"))
    }
}
