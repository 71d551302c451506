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

    func testDayTextReadsBackToItsDayNumber() {
        // Every day from 1900 to 2200 (leap years, century rules) reads back to the number it was made from.
        for number in -25_567...84_000 {
            XCTAssertEqual(ConnectorUsage.dayNumber(text: ConnectorUsage.dayText(number)), number)
        }
        for bad in ["", "2026-12", "2026-13-01", "2026-02-30", "2026-1-01", "2026-01-1", "x-01-01", "2026-12-06-1"] {
            XCTAssertNil(ConnectorUsage.dayNumber(text: bad), bad)
        }
    }

    func testRecordingAcrossMidnightKeepsEachDaysRows() {
        let folder = NSTemporaryDirectory() + "usage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let recorder = ConnectorUsageRecorder(dataDirectory: folder, flushDelay: 3600)
        let guid = UUID()
        let beforeMidnight = Date(timeIntervalSince1970: 1_798_761_599)
        recorder.record(connector: guid, identity: "MBX01\\Relay", remote: "10.0.0.1", at: beforeMidnight) { $0.sessions += 1 }
        recorder.record(connector: guid, identity: "MBX01\\Relay", remote: "10.0.0.1", at: beforeMidnight + 1) { $0.sessions += 2 }
        recorder.record(connector: guid, identity: "MBX01\\Relay (renamed)", remote: "10.0.0.1", at: beforeMidnight + 2) { $0.sessions += 4 }
        let rows = recorder.rows(days: 2, now: beforeMidnight + 3).sorted { $0.day < $1.day }
        XCTAssertEqual(rows.map(\.day), ["2026-12-31", "2027-01-01"])
        XCTAssertEqual(rows.map(\.sessions), [1, 6])
        XCTAssertEqual(rows.map(\.connector), ["MBX01\\Relay", "MBX01\\Relay (renamed)"], "a row takes the connector's latest name")
        XCTAssertEqual(rows[1].lastSeen, beforeMidnight + 2)
        XCTAssertEqual(rows[1].firstSeen, beforeMidnight + 1)
    }

    func testOffRecordsNothing() {
        let folder = NSTemporaryDirectory() + "usage-\(UUID().uuidString)"
        let recorder = ConnectorUsageRecorder(dataDirectory: folder, retentionDays: 0)
        recorder.record(connector: UUID(), identity: "X", remote: "10.0.0.1") { $0.sessions += 1 }
        recorder.flush()
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/usage"))
    }
}
