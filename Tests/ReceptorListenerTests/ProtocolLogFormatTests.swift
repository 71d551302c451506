import XCTest
@testable import ReceptorListener

final class ProtocolLogFormatTests: XCTestCase {
    let t = Date(timeIntervalSince1970: 1_709_647_331.480)  // 2024-03-05T14:02:11.480Z

    func testLineHasTheNineFieldsInOrder() {
        let line = ProtocolLogLine(
            time: t, connectorID: #"EX01\Default Frontend EX01"#, sessionID: "08DC3C1A2B4F5E61", sequence: 0,
            localEndpoint: "10.0.0.5:25", remoteEndpoint: "203.0.113.7:51234", event: .connect)
        XCTAssertEqual(line.text, #"2024-03-05T14:02:11.480Z,EX01\Default Frontend EX01,08DC3C1A2B4F5E61,0,10.0.0.5:25,203.0.113.7:51234,+,,"#)
    }

    func testTimestampsAndDaysInUTC() {
        XCTAssertEqual(ProtocolLogFormat.timestamp(t), "2024-03-05T14:02:11.480Z")
        XCTAssertEqual(ProtocolLogFormat.timestamp(Date(timeIntervalSince1970: 1_798_761_599.9999)), "2026-12-31T23:59:59.999Z")
        XCTAssertEqual(ProtocolLogFormat.timestamp(Date(timeIntervalSince1970: 1_798_761_600)), "2027-01-01T00:00:00.000Z")
        XCTAssertEqual(ProtocolLogFormat.timestamp(Date(timeIntervalSince1970: 951_782_400.007)), "2000-02-29T00:00:00.007Z")
        XCTAssertEqual(ProtocolLogFormat.day(t), "20240305")
        XCTAssertEqual(ProtocolLogFormat.fileName(date: t, instance: 3), "RECV20240305-3.log")
    }

    func testDataWithCommasIsQuoted() {
        let line = ProtocolLogLine(
            time: t, connectorID: "EX01\\C", sessionID: "S", sequence: 1, localEndpoint: "a", remoteEndpoint: "b",
            event: .send, data: "220 ex01.contoso.com Microsoft ESMTP MAIL Service ready at Tue, 5 Mar 2024 14:02:11 +0000")
        XCTAssertEqual(
            line.text,
            #"2024-03-05T14:02:11.480Z,EX01\C,S,1,a,b,>,"220 ex01.contoso.com Microsoft ESMTP MAIL Service ready at Tue, 5 Mar 2024 14:02:11 +0000","#
        )
        let quote = ProtocolLogLine(
            time: t, connectorID: "C", sessionID: "S", sequence: 2, localEndpoint: "a", remoteEndpoint: "b",
            event: .receive, data: #"MAIL FROM:<"a,b"@x>"#)
        XCTAssertTrue(quote.text.hasSuffix(#",<,"MAIL FROM:<""a,b""@x>","#), quote.text)
    }

    func testHeaderAndFileName() {
        let header = ProtocolLogFormat.header(created: t, version: "0.1.0")
        XCTAssertEqual(
            header,
            """
            #Software: Receptor
            #Version: 0.1.0
            #Log-type: SMTP Receive Protocol Log
            #Date: 2024-03-05T14:02:11.480Z
            #Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context

            """)
        XCTAssertEqual(ProtocolLogFormat.fileName(date: t, instance: 3), "RECV20240305-3.log")
    }

    func testControlCharactersAreEscapedNeverWrittenRaw() {
        // What a client can put in a command line: ESC sequences, BEL, BS, DEL, NUL, a tab, C1's CSI.
        let hostile = "EHLO \u{1B}[2J\u{1B}]0;owned\u{07}x\u{08}\u{7F}\u{0}\tz\u{9B}31m"
        let line = ProtocolLogLine(
            time: t, connectorID: "C", sessionID: "S", sequence: 3, localEndpoint: "a", remoteEndpoint: "b",
            event: .receive, data: hostile)
        XCTAssertEqual(line.text, #"2024-03-05T14:02:11.480Z,C,S,3,a,b,<,EHLO \x1B[2J\x1B]0;owned\x07x\x08\x7F\0\tz\u{9B}31m,"#)
        XCTAssertFalse(line.text.unicodeScalars.contains { $0.properties.generalCategory == .control })
        // With a comma the field is quoted as well; letters beyond ASCII pass as they are.
        let quoted = ProtocolLogLine(
            time: t, connectorID: "C", sessionID: "S", sequence: 4, localEndpoint: "a", remoteEndpoint: "b",
            event: .receive, data: "MAIL FROM:<j\u{FC}rgen@x> a,\u{1B}b")
        XCTAssertTrue(quoted.text.hasSuffix(#",<,"MAIL FROM:<jürgen@x> a,\x1Bb","#), quoted.text)
    }
}
