import XCTest
import Foundation
@testable import ReceptorListener
import Logging
import NIOPosix
import ReceptorConsole
import ReceptorControl
import ReceptorControlLink

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

    // MARK: Usage (issue 15 item 4)

    /// A usage answer is what the console reads: the connector's rows merged per address, newest first,
    /// cut to `maximumRows` with the total kept; a connector asked for by identity finds its GUID's rows.
    func testUsageAnswersAreBoundedAndFoundByGUIDOrIdentity() throws {
        let relay = UUID(), other = UUID()
        var raw: [ConnectorUsageRow] = []
        for i in 0..<(UsageAnswer.maximumRows + 20) {
            var r = ConnectorUsageRow(
                connectorGUID: relay.uuidString.lowercased(), connector: "MBX01\\Relay MBX01", day: "2027-01-15",
                remoteAddress: "10.0.\(i / 256).\(i % 256)", at: t.addingTimeInterval(Double(i)))
            r.sessions = 1
            raw.append(r)
        }
        var yesterday = raw[raw.count - 1]
        yesterday.day = "2027-01-14"; yesterday.sessions = 4; yesterday.firstSeen = t.addingTimeInterval(-86400)
        raw.append(yesterday)
        raw.append(
            ConnectorUsageRow(
                connectorGUID: other.uuidString.lowercased(), connector: "MBX01\\Other", day: "2027-01-15", remoteAddress: "192.0.2.1", at: t))

        let byGUID = UsageAnswer(request: UsageRequest(connector: relay.uuidString, days: 7), rows: raw)
        XCTAssertEqual(byGUID.addresses, UsageAnswer.maximumRows + 20)
        XCTAssertEqual(byGUID.rows.count, UsageAnswer.maximumRows, "bounded")
        XCTAssertEqual(byGUID.rows.first?.remoteAddress, "10.0.3.251", "newest first")
        XCTAssertFalse(byGUID.rows.contains { $0.connectorGUID != relay.uuidString.lowercased() })
        let byIdentity = UsageAnswer(request: UsageRequest(connector: "mbx01\\relay mbx01", days: 7), rows: raw)
        XCTAssertEqual(byIdentity.addresses, byGUID.addresses)
        let merged = try XCTUnwrap(byIdentity.rows.first { $0.remoteAddress == "10.0.3.251" })
        XCTAssertEqual(merged.sessions, 5, "days merged per address")
        XCTAssertEqual(merged.firstSeen, t.addingTimeInterval(-86400))
        XCTAssertEqual(UsageAnswer(request: UsageRequest(connector: "MBX01\\Nobody", days: 7), rows: raw).addresses, 0)
        XCTAssertEqual(UsageAnswer(request: UsageRequest(connector: nil, days: 7), rows: raw).addresses, UsageAnswer.maximumRows + 21)
        XCTAssertEqual(UsageRequest(connector: nil, days: 0).clampedDays, 1)
        XCTAssertEqual(UsageRequest(connector: nil, days: nil).clampedDays, 30)

        let line = try ControlLine.encoder().encode(byGUID)
        XCTAssertEqual(UsageAnswer.decode(line), byGUID)
        XCTAssertNil(UsageAnswer.decode(Data(#"{"type":"error","error":"unknown command usage"}"#.utf8)))
    }

    /// The listener answers a usage request over its control socket from its recorder (today's rows still
    /// in memory, earlier days from the files), off the event loop; the console's source reads it; two
    /// requests in one write are answered in turn, one at a time.
    func testTheListenerServesUsageOverTheControlSocket() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-usage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // An earlier day, from the files.
        let relay = UUID()
        let now = Date()
        let yesterday = ReceptorControl.ConnectorUsage.day(now.addingTimeInterval(-86400))
        var old = ConnectorUsageRow(
            connectorGUID: relay.uuidString.lowercased(), connector: "MBX01\\Relay MBX01", day: yesterday, remoteAddress: "127.0.0.9",
            at: now.addingTimeInterval(-86400))
        old.sessions = 7
        try FileManager.default.createDirectory(atPath: folder + "/usage", withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode([old]).write(to: URL(fileURLWithPath: folder + "/usage/" + ReceptorControl.ConnectorUsage.fileName(day: yesterday)))
        // Today, in memory only (the recorder writes an hour from now).
        let recorder = ConnectorUsageRecorder(dataDirectory: folder, flushDelay: 3600)
        for (address, relayed) in [("127.0.0.5", 0), ("127.0.0.6", 2), ("127.0.0.7", 0)] {
            recorder.record(connector: relay, identity: "MBX01\\Relay MBX01", remote: address, at: now) {
                $0.sessions += 1; $0.messages += 2; $0.relayed += relayed
            }
        }
        recorder.record(connector: UUID(), identity: "MBX01\\Other", remote: "127.0.0.8", at: now) { $0.sessions += 1 }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let path = folder + "/control.sock"
        let server = ControlServer(path: path, events: ListenerEventBus(), usage: recorder, logger: Logger(label: "test")) {
            ControlSnapshot(server: "MBX01")
        }
        try await server.start(group: group)

        let source = ListenerUsageSource(dataDirectory: folder + "/elsewhere", timeout: 5)
        let reading = source.usage(connector: relay, days: 7, control: .local(path))
        XCTAssertTrue(reading.source.contains("listener"), reading.source)
        XCTAssertTrue(reading.answer.recording)
        XCTAssertEqual(Set(reading.answer.rows.map(\.remoteAddress)), ["127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.9"])
        XCTAssertEqual(reading.answer.rows.last?.remoteAddress, "127.0.0.9", "the oldest last")
        XCTAssertEqual(reading.answer.rows.first { $0.remoteAddress == "127.0.0.6" }?.relayed, 2)
        XCTAssertEqual(reading.answer.rows.first { $0.remoteAddress == "127.0.0.9" }?.sessions, 7)
        XCTAssertEqual(source.usage(connector: relay, days: 1, control: .local(path)).answer.rows.count, 3, "today only")

        // Two requests in one write: two answers, in order.
        let client = try XCTUnwrap(LineClient(unixPath: path, timeout: 10))
        client.send(
            #"{"command":"usage","connector":"MBX01\\Relay MBX01","days":7}"# + "\n" + #"{"command":"usage","connector":"MBX01\\Other"}"# + "\n")
        let first = try XCTUnwrap(client.line().flatMap { UsageAnswer.decode(Data($0.utf8)) })
        let second = try XCTUnwrap(client.line().flatMap { UsageAnswer.decode(Data($0.utf8)) })
        XCTAssertEqual(first.addresses, 4)
        XCTAssertEqual(second.rows.map(\.remoteAddress), ["127.0.0.8"])
        XCTAssertEqual(second.days, 30)

        await server.stop()
        try await group.shutdownGracefully()
        // No listener: the console reads the files (today's not yet written, so yesterday's row alone).
        let fallback = ListenerUsageSource(dataDirectory: folder).usage(connector: relay, days: 7, control: .local(path))
        XCTAssertTrue(fallback.source.contains("usage files"), fallback.source)
        XCTAssertEqual(fallback.answer.rows.map(\.remoteAddress), ["127.0.0.9"])
    }
}
