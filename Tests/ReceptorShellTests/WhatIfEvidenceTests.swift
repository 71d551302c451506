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

    /// Today's usage rows of Default Frontend MBX01 (one per remote address, with its sessions), and today.
    func frontendUsage() throws -> (row: (String, Int) -> ConnectorUsageRow, today: String) {
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
        return (row, today)
    }

    func testWhatIfGivesTheUsageEvidenceOfTheTrafficThatMoves() throws {
        let (row, today) = try frontendUsage()
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

    /// A wide range over many single-address connectors moves in many pieces: the first ten of one connector
    /// to another are listed, the rest said in one line with their count, span and addresses, and the
    /// evidence of the folded ones counted together.
    func testManyMovesOfOnePairAreFoldedAfterTheFirstTen() throws {
        for k in 0..<25 {  // 10.0.0.1, .3, … .49: Default Frontend keeps the addresses between them
            try run(
                #"New-ReceiveConnector -Name "Relay \#(k)" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 10.0.0.\#(2 * k + 1)"#
            )
        }
        let (row, today) = try frontendUsage()
        // .2 is listed; .30 and 10.200.0.1 are folded; .1 stays with Relay 0 (its row is of an earlier day's traffic).
        try writeUsage([row("10.0.0.2", 5), row("10.0.0.30", 3), row("10.200.0.1", 4), row("10.0.0.1", 50)], day: today)
        said = []
        try run(
            #"New-ReceiveConnector -Name "Wide" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 10.0.0.0/8 -PermissionGroups AnonymousUsers -WhatIf"#
        )
        let moves = said.filter { $0.hasPrefix("What if:   On 0.0.0.0:25,") }
        XCTAssertEqual(moves.count, ImpactReport.listedPerPair + 1, "\(said)")
        XCTAssertEqual(
            moves.prefix(ImpactReport.listedPerPair),
            (0..<10).map { "What if:   On 0.0.0.0:25, 10.0.0.\(2 * $0) moves from MBX01\\Default Frontend MBX01 to MBX01\\Wide." }[...])
        // 2^24 addresses less the 25 relays' and the 10 listed: 16,777,181, in 16 ranges (.20 … .48 and .50 on).
        XCTAssertEqual(
            moves.last,
            #"What if:   On 0.0.0.0:25, 16 more ranges between 10.0.0.20 and 10.255.255.255 (16,777,181 addresses in all) move from MBX01\Default Frontend MBX01 to MBX01\Wide."#
        )
        XCTAssertTrue(
            said.contains(
                #"What if:   MBX01\Default Frontend MBX01 received 5 sessions from 1 address in 10.0.0.2 in the last 7 days; they will go to MBX01\Wide."#
            ),
            "\(said)")
        XCTAssertTrue(
            said.contains(
                #"What if:   MBX01\Default Frontend MBX01 received 7 sessions from 2 addresses in those ranges in the last 7 days; they will go to MBX01\Wide."#
            ),
            "\(said)")
        XCTAssertFalse(said.contains { $0.contains("50 sessions") }, "\(said)")
    }
}
