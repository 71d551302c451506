import XCTest
import Foundation
import ReceptorControl
import ReceptorCore
@testable import ReceptorShell

/// -WhatIf says which traffic changes hands and, where the listeners recorded usage in the data directory,
/// who that is (ImpactReport's sentences, the console's too).
final class WhatIfEvidenceTests: ShellTestCase {
    func writeUsage(_ rows: [ConnectorUsageRow], day: String) throws {
        let folder = ReceptorControl.ConnectorUsage.folder(dataDirectory: self.folder.path)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(rows).write(to: URL(fileURLWithPath: folder + "/" + ReceptorControl.ConnectorUsage.fileName(day: day)))
    }

    func testWhatIfGivesTheUsageEvidenceOfTheTrafficThatMoves() throws {
        let frontend = try XCTUnwrap(try store.connectors(server: "MBX01").first { $0.connector.name == "Default Frontend MBX01" }?.connector)
        let now = Date()
        let today = ReceptorControl.ConnectorUsage.day(now)
        func row(_ address: String, _ sessions: Int) -> ConnectorUsageRow {
            var r = ConnectorUsageRow(
                connectorGUID: frontend.guid.uuidString.lowercased(), connector: frontend.identity.description, day: today,
                remoteAddress: address, at: now)
            r.sessions = sessions
            return r
        }
        try writeUsage([row("17.17.17.5", 400), row("17.17.17.6", 10), row("17.17.17.200", 2), row("192.0.2.7", 9)], day: today)
        try run(
            #"New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25 -WhatIf"#
        )
        XCTAssertTrue(
            said.contains(#"What if:   On 0.0.0.0:25, 17.17.17.0/24 moves from MBX01\Default Frontend MBX01 to MBX01\Fabrikam.com TLS."#), "\(said)")
        XCTAssertTrue(
            said.contains(
                #"What if:   MBX01\Default Frontend MBX01 received 412 sessions from 3 addresses in 17.17.17.0/24 in the last 7 days; they will go to MBX01\Fabrikam.com TLS."#
            ), "\(said)")
        // Without usage, the moves alone.
        try FileManager.default.removeItem(atPath: ReceptorControl.ConnectorUsage.folder(dataDirectory: folder.path))
        said = []
        try run(#"Remove-ReceiveConnector "Client Frontend MBX01" -WhatIf"#)
        XCTAssertTrue(said.contains { $0.contains("moves from MBX01\\Client Frontend MBX01 to NO connector") }, "\(said)")
        XCTAssertFalse(said.contains { $0.contains("received") }, "\(said)")
    }
}
