import XCTest
import Foundation
@testable import ReceptorListener
import ReceptorConsole
import ReceptorControl

/// The control socket's contract, end to end in memory: what the listener's hand-written encoder (EventJSON)
/// and its snapshot encoder write, the console's monitor reads back through the shared types of
/// ReceptorControl, field for field.
final class ControlContractTests: XCTestCase {
    let t = Date(timeIntervalSince1970: 1_800_000_000)

    func decodeEvent(_ event: ListenerEvent, file: StaticString = #filePath, line: UInt = #line) throws -> ListenerEvent {
        guard case .event(let e)? = ControlLine.decode(Data(event.json)) else {
            XCTFail("the console can't read \(String(decoding: event.json, as: UTF8.self))", file: file, line: line)
            throw CancellationError()
        }
        return e
    }

    func testEventsTheListenerWritesAreWhatTheMonitorReads() throws {
        let session = LiveSession(
            id: "08DC", connector: "MBX01\\Client Frontend MBX01", remote: "127.0.0.5:4000", local: "127.0.0.1:587",
            state: "RCPT", tls: "TLS1_3 TLS_AES_128_GCM_SHA256", authenticatedAs: "kate@contoso.test", messages: 1, bytes: 900,
            startedAt: t, lastActivity: t.addingTimeInterval(2))
        let opened = try decodeEvent(ListenerEvent(type: "sessionState", time: t, session: session, connector: session.connector))
        XCTAssertEqual(opened.session?.state, "RCPT")
        XCTAssertEqual(opened.session?.tls, "TLS1_3 TLS_AES_128_GCM_SHA256")
        XCTAssertEqual(opened.session?.authenticatedAs, "kate@contoso.test")
        XCTAssertEqual(opened.session?.lastActivity, t.addingTimeInterval(2))

        let line = TranscriptLine(
            time: "2027-01-15T08:00:00.000Z", sequence: 3, event: "<", data: "AUTH LOGIN ****", context: "", text: "x,<,AUTH LOGIN ****,")
        let transcript = try decodeEvent(
            ListenerEvent(type: "transcript", time: t, connector: session.connector, sessionID: "08DC", lines: [line, line]))
        XCTAssertEqual(transcript.lines?.count, 2)
        XCTAssertEqual(transcript.lines?.first?.data, "AUTH LOGIN ****")

        let message = MessageSummary(
            messageID: "<1@mbx01>", sessionID: "08DC", connector: session.connector, from: "kate@contoso.test",
            recipients: ["ben@fabrikam.test"], authAs: "kate@contoso.test", authMechanism: "Login", size: 900,
            receivedAt: t, headers: "Received: from laptop (127.0.0.5)\r\n\tby mbx01 with ESMTPSA (version=TLS1_3, cipher=X)\r\n")
        let accepted = try decodeEvent(ListenerEvent(type: "messageAccepted", time: t, connector: session.connector, message: message))
        XCTAssertEqual(accepted.message?.recipients, ["ben@fabrikam.test"])
        XCTAssertTrue(accepted.message?.headers.contains("version=TLS1_3") == true)

        var counters = ConnectorCounters()
        counters.relayDenied = 4; counters.tarpitted = 2
        let tick = try decodeEvent(ListenerEvent(type: "tick", time: t, counters: [session.connector: counters], sessions: [session]))
        XCTAssertEqual(tick.counters?[session.connector]?.relayDenied, 4)
        XCTAssertEqual(tick.counters?[session.connector]?.tarpitted, 2)
        XCTAssertEqual(tick.sessions?.first?.id, "08DC")
    }

    func testSnapshotsIncludingAResyncAreWhatTheMonitorReads() throws {
        let recent = MessageSummary(
            messageID: "<2@mbx01>", sessionID: "08DD", connector: "MBX01\\Default Frontend MBX01", from: "a@b.test",
            recipients: ["c@contoso.test"], authAs: "Anonymous", authMechanism: "None", size: 12, receivedAt: t, headers: "")
        var snapshot = ControlSnapshot(
            server: "MBX01", pid: 42, generation: 9, configError: "RequireTLS needs Tls",
            bindings: [BindingStatus(endpoint: "0.0.0.0:25", state: "failed", reason: "in use")],
            sessions: [], counters: ["MBX01\\Default Frontend MBX01": ConnectorCounters()], recentMessages: [recent])
        snapshot.missedEvents = 1408
        let line = try ControlLine.encoder().encode(snapshot)
        XCTAssertTrue(String(decoding: line, as: UTF8.self).hasPrefix(#"{"bindings""#), "sorted keys, one line")
        guard case .snapshot(let s)? = ControlLine.decode(line) else { return XCTFail("not a snapshot") }
        XCTAssertEqual(s.pid, 42)
        XCTAssertEqual(s.generation, 9)
        XCTAssertEqual(s.configError, "RequireTLS needs Tls")
        XCTAssertEqual(s.bindings?.first?.reason, "in use")
        XCTAssertEqual(s.missedEvents, 1408)
        XCTAssertEqual(s.recentMessages, [recent])
    }

    /// A console must keep working beside a listener of another version: what it may not send is optional,
    /// fields it does not know are ignored, and an event type it does not know still arrives as itself.
    func testReadingIsLenientAboutOtherVersions() {
        let older = #"{"type":"snapshot","server":"MBX01","sessions":[],"counters":{}}"#
        guard case .snapshot(let s)? = ControlLine.decode(Data(older.utf8)) else { return XCTFail("an older snapshot is refused") }
        XCTAssertNil(s.pid); XCTAssertNil(s.generation); XCTAssertNil(s.bindings); XCTAssertNil(s.recentMessages)

        let newer = #"{"type":"queueDepth","time":"2027-01-15T08:00:00Z","detail":"12","shards":[1,2]}"#
        guard case .event(let e)? = ControlLine.decode(Data(newer.utf8)) else { return XCTFail("an unknown event type is refused") }
        XCTAssertEqual(e.type, "queueDepth")
        XCTAssertEqual(e.detail, "12")

        XCTAssertNil(ControlLine.decode(Data("not json".utf8)))
        XCTAssertNil(ControlLine.decode(Data(#"{"server":"MBX01"}"#.utf8)), "a line without a type is no line of this socket")
        XCTAssertNil(ControlLine.decode(Data(#"{"type":"snapshot","server":"MBX01"}"#.utf8)), "a snapshot needs its sessions and counters")
    }
}
