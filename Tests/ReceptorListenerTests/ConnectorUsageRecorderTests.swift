import Foundation
import XCTest
import ReceptorControl
@testable import ReceptorListener

final class ConnectorUsageRecorderTests: XCTestCase {
    func testRowsAreBoundedPerDayAndWrittenPerDay() throws {
        let folder = NSTemporaryDirectory() + "usage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let recorder = ConnectorUsageRecorder(dataDirectory: folder, retentionDays: 30, flushDelay: 3600)
        let connector = UUID()
        let now = Date()
        for i in 0..<(ConnectorUsage.rowsPerDay + 50) {
            recorder.record(connector: connector, identity: "MBX01\\Relay", remote: "10.\(i >> 16 & 255).\(i >> 8 & 255).\(i & 255)", at: now) {
                $0.sessions += 1
            }
        }
        recorder.flush()
        let rows = ConnectorUsage.read(dataDirectory: folder, days: 1, now: now)
        XCTAssertEqual(rows.count, ConnectorUsage.rowsPerDay + 1, "the bound, then one row for the rest")
        let other = try XCTUnwrap(rows.first { $0.remoteAddress == ConnectorUsage.otherAddresses })
        XCTAssertEqual(other.sessions, 50)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.sessions }, ConnectorUsage.rowsPerDay + 50, "no session lost")
        XCTAssertEqual(TLSTestSupport.mode(folder + "/usage/" + ConnectorUsage.fileName(day: ConnectorUsage.day(now))), 0o600)
    }

    func testDaysAreUTCCivilDates() {
        XCTAssertEqual(ConnectorUsage.day(Date(timeIntervalSince1970: 0)), "1970-01-01")
        XCTAssertEqual(ConnectorUsage.day(Date(timeIntervalSince1970: 951_782_400)), "2000-02-29")
        XCTAssertEqual(ConnectorUsage.day(Date(timeIntervalSince1970: 1_798_761_599)), "2026-12-31")
        XCTAssertEqual(ConnectorUsage.day(Date(timeIntervalSince1970: 1_798_761_600)), "2027-01-01")
    }

    func testOffRecordsNothing() {
        let folder = NSTemporaryDirectory() + "usage-\(UUID().uuidString)"
        let recorder = ConnectorUsageRecorder(dataDirectory: folder, retentionDays: 0)
        recorder.record(connector: UUID(), identity: "X", remote: "10.0.0.1") { $0.sessions += 1 }
        recorder.flush()
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/usage"))
    }
}
