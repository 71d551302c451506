import XCTest
import Foundation
@testable import ReceptorListener
import ReceptorConsole

/// The control socket's contract, end to end in memory: what the listener writes is what the console's
/// monitor reads (two modules, one wire format).
final class ControlContractTests: XCTestCase {
    let t = Date(timeIntervalSince1970: 1_800_000_000)

    func decodeEvent(_ event: ListenerEvent, file: StaticString = #filePath, line: UInt = #line) throws -> MonitorWire.Event {
        guard case .event(let e)? = MonitorWire.decode(Data(event.json)) else {
            XCTFail("the console can't read \(String(decoding: event.json, as: UTF8.self))", file: file, line: line)
            throw CancellationError()
        }
        return e
    }

    func testEventsTheListenerWritesAreWhatTheMonitorReads() throws {
        let session = LiveSession(id: "08DC", connector: "MBX01\\Client Frontend MBX01", remote: "127.0.0.5:4000", local: "127.0.0.1:587",
                                  state: "RCPT", tls: "TLS1_3 TLS_AES_128_GCM_SHA256", authenticatedAs: "kate@contoso.test", messages: 1, bytes: 900,
                                  startedAt: t, lastActivity: t.addingTimeInterval(2))
        let opened = try decodeEvent(ListenerEvent(type: "sessionState", time: t, session: session, connector: session.connector))
        XCTAssertEqual(opened.session?.state, "RCPT")
        XCTAssertEqual(opened.session?.tls, "TLS1_3 TLS_AES_128_GCM_SHA256")
        XCTAssertEqual(opened.session?.authenticatedAs, "kate@contoso.test")
        XCTAssertEqual(opened.session?.lastActivity, t.addingTimeInterval(2))

        let line = TranscriptLine(time: "2027-01-15T08:00:00.000Z", sequence: 3, event: "<", data: "AUTH LOGIN ****", context: "", text: "x,<,AUTH LOGIN ****,")
        let transcript = try decodeEvent(ListenerEvent(type: "transcript", time: t, connector: session.connector, sessionID: "08DC", lines: [line, line]))
        XCTAssertEqual(transcript.lines?.count, 2)
        XCTAssertEqual(transcript.lines?.first?.data, "AUTH LOGIN ****")

        let message = MessageSummary(messageID: "<1@mbx01>", sessionID: "08DC", connector: session.connector, from: "kate@contoso.test",
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
        var snapshot = ControlServer.ControlSnapshot(server: "MBX01", pid: 42, generation: 9, configError: "RequireTLS needs Tls",
                                                     bindings: [ListenerServer.BindingStatus(endpoint: "0.0.0.0:25", state: "failed", reason: "in use")],
                                                     sessions: [], counters: ["MBX01\\Default Frontend MBX01": ConnectorCounters()])
        snapshot.missedEvents = 1408
        guard case .snapshot(let s)? = MonitorWire.decode(try ControlServer.encoder().encode(snapshot)) else { return XCTFail("not a snapshot") }
        XCTAssertEqual(s.pid, 42)
        XCTAssertEqual(s.generation, 9)
        XCTAssertEqual(s.configError, "RequireTLS needs Tls")
        XCTAssertEqual(s.bindings?.first?.reason, "in use")
        XCTAssertEqual(s.missedEvents, 1408)
        XCTAssertEqual(s.recentMessages?.count, 0)
    }
}
