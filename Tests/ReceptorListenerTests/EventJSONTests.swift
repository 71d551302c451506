import XCTest
import Foundation
@testable import ReceptorListener
import ReceptorControl

/// The control socket's hand-written event JSON says what JSONEncoder would, for every field and for the
/// awkward characters (quotes, backslashes, CR LF, control characters, non-ASCII).
final class EventJSONTests: XCTestCase {
    let t = Date(timeIntervalSince1970: 1_800_000_000.750)

    func parsed(_ bytes: [UInt8]) throws -> NSDictionary {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    func viaEncoder(_ event: ListenerEvent) throws -> NSDictionary {
        try parsed(Array(ControlLine.encoder().encode(event)))
    }

    func testEveryFieldMatchesJSONEncoder() throws {
        let session = LiveSession(
            id: "08DC1", connector: "MBX01\\Default Frontend MBX01", remote: "[2001:db8::7]:40000", local: "127.0.0.1:25",
            state: "DATA", tls: "TLS1_3 TLS_AES_256_GCM_SHA384", authenticatedAs: "kåte@contoso.test", messages: 2, bytes: 12345,
            startedAt: t, lastActivity: t.addingTimeInterval(3))
        let awkward = "say \"hi\", back\\slash\r\nnext\tline \u{01}\u{1F} ünïcødé 📬"
        let line = TranscriptLine(
            time: "2027-01-15T08:00:00.750Z", sequence: 7, event: "<", data: awkward, context: "ctx,with,commas", text: "a,\"b\"")
        let message = MessageSummary(
            messageID: "<1@x>", sessionID: "08DC1", connector: "MBX01\\Default Frontend MBX01", from: "a@fabrikam.test",
            recipients: ["k@contoso.test", "b@contoso.test"], authAs: "Anonymous", authMechanism: "None", size: 1024,
            receivedAt: t, headers: "Received: from x\r\n\tby y\r\nSubject: \(awkward)\r\n")
        var counters = ConnectorCounters()
        counters.connectionsNow = 3; counters.relayDenied = 1; counters.bytes = 99
        let events = [
            ListenerEvent(type: "sessionOpened", time: t, session: session, connector: session.connector),
            ListenerEvent(type: "transcript", time: t, connector: session.connector, sessionID: "08DC1", lines: [line, line]),
            ListenerEvent(type: "transcript", time: t, sessionID: "08DC1", line: line),
            ListenerEvent(type: "messageAccepted", time: t, connector: session.connector, detail: awkward, message: message),
            ListenerEvent(type: "tick", time: t, counters: ["MBX01\\A": counters, "MBX01\\B": ConnectorCounters()], sessions: [session, session]),
            ListenerEvent(type: "tick", time: t, counters: [:], sessions: []),
            ListenerEvent(type: "configRejected", time: t, detail: "RequireTLS needs Tls"),
        ]
        for event in events {
            XCTAssertEqual(try parsed(event.json), try viaEncoder(event), "\(event.type)")
        }
    }

    func testDatesAreISO8601WithWholeSeconds() {
        XCTAssertEqual(EventJSON.date(t), "2027-01-15T08:00:00Z")
    }

    func testOutboxKeepsOrderAndCountsWhatItDrops() {
        let outbox = Outbox()
        XCTAssertTrue(outbox.add(Array("one".utf8)), "the first event schedules a flush")
        XCTAssertFalse(outbox.add(Array("two".utf8)), "the next ones ride along")
        var (bytes, missed) = outbox.take()
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "one\ntwo\n")
        XCTAssertEqual(missed, 0)
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: Outbox.limit / 2)
        XCTAssertTrue(outbox.add(big))
        XCTAssertFalse(outbox.add(big), "over the limit: dropped and counted")
        XCTAssertFalse(outbox.add(Array("small".utf8)), "once behind, everything is dropped until the reader catches up")
        (bytes, missed) = outbox.take()
        XCTAssertEqual(bytes.count, big.count + 1)
        XCTAssertEqual(missed, 2)
        XCTAssertTrue(outbox.add(Array("after".utf8)), "caught up: queued again")
    }
}
