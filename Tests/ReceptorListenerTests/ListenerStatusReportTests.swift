import Foundation
import XCTest
import ReceptorControl
@testable import ReceptorConsole

/// The one status type a listener publishes in its registration, and its readers.
final class ListenerStatusReportTests: XCTestCase {
    func testRoundTripAndLenientReading() throws {
        var delivery = DeliveryStatistics(syncMode: "filesystem")
        delivery.messages = 3
        let report = ListenerStatusReport(
            generation: 7,
            bindings: [
                BindingStatus(endpoint: "0.0.0.0:25", state: "listening"),
                BindingStatus(endpoint: "[::]:25", state: "failed", reason: "in use"),
            ],
            configError: "bad", sessions: 2, delivery: delivery)
        XCTAssertEqual(ListenerStatusReport(json: report.json), report)
        XCTAssertEqual(report.json, ListenerStatusReport(json: report.json)?.json, "the same status gives the same text")
        // A listener that has published nothing yet stores "{}"; an older one had no delivery statistics.
        XCTAssertEqual(ListenerStatusReport(json: "{}"), ListenerStatusReport(generation: nil, bindings: []))
        XCTAssertEqual(ListenerStatusReport(json: #"{"generation":3,"bindings":[],"sessions":0}"#)?.delivery, nil)
        XCTAssertNil(ListenerStatusReport(json: "not json"))
    }

    func testAStoreUnreachableSinceRoundTripsAsISO8601AndReadsAsOneLine() throws {
        let since = Date(timeIntervalSince1970: 1_796_570_400)  // 2026-12-06T15:20:00Z
        let report = ListenerStatusReport(generation: 4, bindings: [], storeUnreachableSince: since)
        XCTAssertTrue(report.json.contains(#""storeUnreachableSince":"2026-12-06T15:20:00Z""#), report.json)
        XCTAssertEqual(ListenerStatusReport(json: report.json)?.storeUnreachableSince, since)
        XCTAssertNil(ListenerStatusReport(json: #"{"generation":3,"bindings":[]}"#)?.storeUnreachableSince, "reachable when not said")
        XCTAssertEqual(ListenerStatusReport.unreachableNote(since: since), "store unreachable since 2026-12-06T15:20:00Z, retrying")
    }

    func testTheConsoleReadsBindingStatesFromIt() throws {
        let report = ListenerStatusReport(
            generation: 1,
            bindings: [
                BindingStatus(endpoint: "0.0.0.0:25", state: "listening"),
                BindingStatus(endpoint: "0.0.0.0:587", state: "failed", reason: "in use"),
            ])
        let specific = try ReceiveConnectorFixture.connector(binding: "10.0.0.5:25")
        let states = StoreDataSource.bindingStates(report.json, connectors: [specific])
        XCTAssertEqual(states["0.0.0.0:25"], .listening)
        XCTAssertEqual(states["0.0.0.0:587"], .failed("in use"))
        XCTAssertEqual(states["10.0.0.5:25"], .listening, "a specific binding served by its port's wildcard socket")
    }
}

import ReceptorCore

enum ReceiveConnectorFixture {
    static func connector(binding: String) throws -> ReceiveConnector {
        var c = ConnectorDefaults.base(
            name: "Specific", server: Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test"),
            transportRole: .frontendTransport)
        c.bindings = [try IPBinding(parsing: binding)]
        return c
    }
}
