import XCTest
import Foundation
@testable import ReceptorConsole
import ReceptorCore
import ReceptorControl
import ReceptorControlLink

/// A feed driven by the test: updates are queued by hand and drained by the app as the real one is.
final class FakeFeed: MonitorFeed {
    var followed: [MonitorEndpoint] = []
    var queued: [MonitorUpdate] = []
    func follow(_ endpoints: [MonitorEndpoint]) { followed = endpoints }
    func drain() -> [MonitorUpdate] { defer { queued = [] }; return queued }
}

/// Builds control-socket updates as a listener would send them.
struct ListenerScript {
    var server = "MBX01"
    var connector = "MBX01\\Default Frontend MBX01"
    var start = Date(timeIntervalSince1970: 1_800_000_000)

    func session(
        _ id: String, remote: String = "192.0.2.10:40000", state: String = "Connected", at: TimeInterval = 0,
        tls: String? = nil, authAs: String? = nil, messages: Int = 0, bytes: Int64 = 0, connector: String? = nil
    ) -> LiveSession {
        LiveSession(
            id: id, connector: connector ?? self.connector, remote: remote, local: "192.0.2.1:25", state: state, tls: tls,
            authenticatedAs: authAs, messages: messages, bytes: bytes,
            startedAt: start.addingTimeInterval(at), lastActivity: start.addingTimeInterval(at))
    }
    func attach(_ sessions: [LiveSession] = [], counters: [String: ConnectorCounters] = [:], messages: [MessageSummary] = []) -> [MonitorUpdate] {
        [
            .attached(server: server),
            .line(
                server: server,
                .snapshot(ControlSnapshot(server: server, pid: 4242, generation: 7, sessions: sessions, counters: counters, recentMessages: messages))
            ),
        ]
    }
    func event(_ type: String, session: LiveSession? = nil, detail: String? = nil, connector: String? = nil) -> MonitorUpdate {
        .line(
            server: server,
            .event(ListenerEvent(type: type, session: session, connector: connector ?? session?.connector ?? self.connector, detail: detail)))
    }
    func transcript(_ id: String, _ seq: Int, _ event: String, _ data: String, context: String = "") -> MonitorUpdate {
        .line(
            server: server,
            .event(
                ListenerEvent(
                    type: "transcript", connector: connector, sessionID: id,
                    line: TranscriptLine(
                        time: "2027-01-15T08:00:00.\(String(format: "%03d", seq))Z", sequence: seq, event: event, data: data, context: context,
                        text:
                            "2027-01-15T08:00:00.\(String(format: "%03d", seq))Z,\(connector),\(id),\(seq),192.0.2.1:25,192.0.2.10:40000,\(event),\(data),\(context)"
                    ))))
    }
    func tick(_ counters: [String: ConnectorCounters], sessions: [LiveSession] = [], delivery: DeliveryStatistics? = nil) -> MonitorUpdate {
        .line(server: server, .event(ListenerEvent(type: "tick", counters: counters, sessions: sessions, delivery: delivery)))
    }
    /// Delivery statistics as a listener counts them: `messages` in `syncs`, each sync `sync` seconds and each
    /// message's wait `wait` seconds.
    func delivery(messages: Int64, syncs: Int64, sync: Double, wait: Double, failures: Int64 = 0) -> DeliveryStatistics {
        var d = DeliveryStatistics(syncMode: "filesystem")
        d.messages = messages; d.syncs = syncs; d.failures = failures
        d.syncSeconds = Double(syncs) * sync; d.longestSync = sync * 3
        d.waitSeconds = Double(messages) * wait; d.longestWait = wait * 4
        return d
    }
    func message(_ id: String, session: String, tls: Bool) -> MessageSummary {
        let received =
            "Received: from client.fabrikam.test (192.0.2.10)\r\n\tby mbx01.contoso.test (192.0.2.1)\r\n\twith \(tls ? "ESMTPSA (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384)" : "ESMTP")\r\n\tvia \(connector); Fri, 15 Jan 2027 08:00:00 +0000\r\n"
        return MessageSummary(
            messageID: id, sessionID: session, connector: connector, from: "kate@contoso.test", recipients: ["ben@fabrikam.test"],
            authAs: tls ? "kate@contoso.test" : "Anonymous", authMechanism: tls ? "Login" : "None", size: 1234,
            receivedAt: start, headers: received + "X-Receptor-AuthAs: kate@contoso.test\r\nSubject: hello\r\n")
    }
}

final class MonitorModelTests: XCTestCase {
    let script = ListenerScript()
    var t0: Date { script.start }

    func testSnapshotSessionsAreNotNewAndEventsAddHighlightedRows() {
        let model = MonitorModel()
        model.apply(script.attach([script.session("A")]), now: t0)
        XCTAssertEqual(model.rows.count, 1)
        XCTAssertLessThanOrEqual(model.rows.values.first!.firstSeen, t0.addingTimeInterval(-MonitorModel.highlightSeconds))
        model.apply(script.event("sessionOpened", session: script.session("B", at: 1)), now: t0.addingTimeInterval(1))
        let b = model.rows[MonitorModel.key(server: "MBX01", session: "B")]!
        XCTAssertEqual(b.firstSeen, t0.addingTimeInterval(1))
        XCTAssertEqual(model.counters[script.connector]?.connectionsNow, 1)
        XCTAssertEqual(model.attachedServers, ["MBX01"])
        XCTAssertEqual(model.lastEvent?.text, "attached to the listener (pid 4242) at store generation 7")
    }

    func testStateChangesEndedRowsLingerThenGo() {
        let model = MonitorModel()
        model.apply(script.attach(), now: t0)
        model.apply(script.event("sessionOpened", session: script.session("A")), now: t0)
        model.apply(script.event("sessionState", session: script.session("A", state: "RCPT")), now: t0)
        let key = MonitorModel.key(server: "MBX01", session: "A")
        XCTAssertEqual(model.rows[key]?.info.state, "RCPT")
        model.apply(script.event("sessionClosed", session: script.session("A", state: "Closed")), now: t0.addingTimeInterval(2))
        XCTAssertEqual(model.rows[key]?.endedAt, t0.addingTimeInterval(2))
        XCTAssertFalse(model.expire(now: t0.addingTimeInterval(2 + MonitorModel.lingerSeconds - 0.1)))
        XCTAssertNotNil(model.rows[key])
        XCTAssertTrue(model.expire(now: t0.addingTimeInterval(2 + MonitorModel.lingerSeconds)))
        XCTAssertNil(model.rows[key])
    }

    func testOnlySoManyEndedRowsLinger() {
        let model = MonitorModel()
        model.apply(script.attach(), now: t0)
        let count = MonitorModel.lingeringLimit + 50
        for i in 0..<count {
            model.apply(script.event("sessionOpened", session: script.session("S\(i)")), now: t0)
            model.apply(script.event("sessionClosed", session: script.session("S\(i)")), now: t0.addingTimeInterval(Double(i) / 1000))
        }
        model.apply(script.event("sessionOpened", session: script.session("LIVE")), now: t0)
        model.expire(now: t0.addingTimeInterval(1))
        XCTAssertEqual(model.rows.values.filter { $0.endedAt != nil }.count, MonitorModel.lingeringLimit)
        XCTAssertNil(model.rows[MonitorModel.key(server: "MBX01", session: "S0")], "the oldest ended rows go first")
        XCTAssertNotNil(model.rows[MonitorModel.key(server: "MBX01", session: "S\(count - 1)")])
        XCTAssertNotNil(model.rows[MonitorModel.key(server: "MBX01", session: "LIVE")], "live rows always stay")
    }

    func testTranscriptsAreBoundedAndKeptAfterTheSessionEnds() {
        let model = MonitorModel()
        model.apply(script.attach(), now: t0)
        model.apply(script.event("sessionOpened", session: script.session("A")), now: t0)
        for i in 0..<(MonitorModel.transcriptLimit + 10) { model.apply(script.transcript("A", i, "<", "NOOP"), now: t0) }
        let key = MonitorModel.key(server: "MBX01", session: "A")
        XCTAssertEqual(model.transcript(key).count, MonitorModel.transcriptLimit)
        XCTAssertEqual(model.transcript(key).first?.sequence, 10, "the oldest lines go first")
        model.apply(script.event("sessionClosed", session: script.session("A")), now: t0)
        model.expire(now: t0.addingTimeInterval(60))
        XCTAssertNil(model.rows[key])
        XCTAssertEqual(model.transcript(key).count, MonitorModel.transcriptLimit, "kept after the row went")
        // Only the last ones are kept.
        for i in 0..<MonitorModel.endedTranscriptLimit {
            model.apply(script.event("sessionOpened", session: script.session("S\(i)")), now: t0)
            model.apply(script.transcript("S\(i)", 0, "+", ""), now: t0)
            model.apply(script.event("sessionClosed", session: script.session("S\(i)")), now: t0)
        }
        XCTAssertTrue(model.transcript(key).isEmpty)
        XCTAssertEqual(model.transcript(MonitorModel.key(server: "MBX01", session: "S99")).count, 1)
    }

    func testCountersFromEventsThenTicksAndRatesPerMinute() {
        let model = MonitorModel()
        model.apply(script.attach(), now: t0)
        model.apply(script.event("relayDenied", detail: "192.0.2.10:40000"), now: t0)
        model.apply(script.event("authenticationFailed"), now: t0)
        XCTAssertEqual(model.counters[script.connector]?.relayDenied, 1)
        XCTAssertEqual(model.counters[script.connector]?.authFailures, 1)
        XCTAssertNil(model.ratesPerMinute(script.connector, now: t0), "no rate before 5 s of history")
        var c = ConnectorCounters()
        c.connectionsTotal = 10; c.messagesAccepted = 4
        model.apply(script.tick([script.connector: c]), now: t0.addingTimeInterval(1))
        c.connectionsTotal = 40; c.messagesAccepted = 19
        model.apply(script.tick([script.connector: c]), now: t0.addingTimeInterval(31))
        // The attach at t0 counted 0: 40 connections and 19 messages in 31 s.
        let early = model.ratesPerMinute(script.connector, now: t0.addingTimeInterval(31))
        XCTAssertEqual(early?.connections ?? 0, 40 * 60 / 31, accuracy: 0.01)
        // Once the attach sample is older than a minute, the window starts at the t0+1 tick.
        c.connectionsTotal = 70; c.messagesAccepted = 34
        model.apply(script.tick([script.connector: c]), now: t0.addingTimeInterval(61))
        XCTAssertEqual(model.counters[script.connector]?.relayDenied, 0, "a tick carries the listener's own numbers")
        let rates = model.ratesPerMinute(script.connector, now: t0.addingTimeInterval(61))
        XCTAssertEqual(rates?.connections ?? 0, 60, accuracy: 0.01)
        XCTAssertEqual(rates?.messages ?? 0, 30, accuracy: 0.01)
    }

    func testDeliveryStatisticsOverTheLastMinuteAndSinceStart() {
        let model = MonitorModel()
        model.apply(script.attach(), now: t0)
        XCTAssertNil(model.delivery(of: script.server, now: t0), "a listener that sent none has none")
        model.apply(script.tick([:], delivery: script.delivery(messages: 100, syncs: 50, sync: 0.001, wait: 0.004)), now: t0.addingTimeInterval(1))
        model.apply(
            script.tick([:], delivery: script.delivery(messages: 1_100, syncs: 150, sync: 0.0008, wait: 0.002)), now: t0.addingTimeInterval(11))
        guard let d = model.delivery(of: script.server, now: t0.addingTimeInterval(11)) else { return XCTFail("no delivery figures") }
        XCTAssertEqual(d.total.messages, 1_100)
        XCTAssertEqual(d.span, 10, accuracy: 0.001)
        // Between the two readings: 1,000 messages in 100 syncs.
        XCTAssertEqual(d.recent.messages, 1_000)
        XCTAssertEqual(d.recent.messagesPerSync, 10, accuracy: 0.001)
        XCTAssertEqual(d.recent.meanSync, (150 * 0.0008 - 50 * 0.001) / 100, accuracy: 1e-9)
        XCTAssertEqual(d.recent.meanWait, (1_100 * 0.002 - 100 * 0.004) / 1_000, accuracy: 1e-9)
        let line = MonitorController.deliveryLine(server: script.server, single: true, d)
        XCTAssertEqual(line, " Delivery: last 10 s 10.0 msgs/sync, sync 0.70 ms, 250 after 1.80 ms; 1100 durable, longest 250 wait 8.00 ms")
        // Readings older than the minute leave the window; a quiet minute shows the totals only.
        model.apply(
            script.tick([:], delivery: script.delivery(messages: 1_100, syncs: 150, sync: 0.0008, wait: 0.002, failures: 2)),
            now: t0.addingTimeInterval(80))
        let quiet = model.delivery(of: script.server, now: t0.addingTimeInterval(80))
        XCTAssertEqual(quiet?.recent.messages, 0)
        XCTAssertEqual(
            MonitorController.deliveryLine(server: script.server, single: false, quiet),
            " Delivery MBX01: 1100 durable, 2 failed, longest 250 wait 8.00 ms")
    }

    func testDetachEndsTheServersSessionsAndSaysSo() {
        let model = MonitorModel()
        model.apply(script.attach([script.session("A"), script.session("B")]), now: t0)
        model.apply(.detached(server: "MBX01", reason: "the listener closed the connection"), now: t0.addingTimeInterval(1))
        XCTAssertTrue(model.rows.values.allSatisfy { $0.endedAt != nil })
        XCTAssertEqual(model.lastEvent?.isProblem, true)
        XCTAssertTrue(model.lastEvent!.text.contains("lost the listener"))
        // A restarted listener's snapshot brings its sessions back as live rows.
        model.apply(script.attach([script.session("C")]), now: t0.addingTimeInterval(2))
        XCTAssertEqual(model.rows.values.filter { $0.endedAt == nil }.map(\.info.id), ["C"])
    }

    func testConfigAndBindingEventsGoToTheEventsLine() {
        let model = MonitorModel()
        model.apply(script.attach(), now: t0)
        model.apply(script.event("configRejected", detail: "RequireTLS needs Tls"), now: t0)
        XCTAssertEqual(model.lastEvent?.text, "config refused, the last good one stays: RequireTLS needs Tls")
        XCTAssertEqual(model.lastEvent?.isProblem, true)
        model.apply(script.event("bindingFailed", detail: "0.0.0.0:25: address in use"), now: t0)
        XCTAssertEqual(model.lastEvent?.text, "binding failed: 0.0.0.0:25: address in use")
        model.apply(script.event("configApplied", detail: "generation 9"), now: t0)
        XCTAssertEqual(model.lastEvent?.isProblem, false)
    }

    func testAnUnreachableStoreIsAProblemOnTheEventsLineUntilItIsBack() {
        let model = MonitorModel()
        model.apply(script.attach(), now: t0)
        model.apply(script.event("storeUnreachable", detail: "store unreachable since 2026-12-06T15:20:00Z, retrying"), now: t0)
        XCTAssertEqual(model.lastEvent?.text, "store unreachable since 2026-12-06T15:20:00Z, retrying; serving the last good config")
        XCTAssertEqual(model.lastEvent?.isProblem, true)
        model.apply(script.event("storeReachable", detail: "generation 9"), now: t0)
        XCTAssertEqual(model.lastEvent?.text, "store reachable again (generation 9)")
        XCTAssertEqual(model.lastEvent?.isProblem, false)
    }

    func testMessagesFromSnapshotAndEventsWithoutDuplicates() {
        let model = MonitorModel()
        let m1 = script.message("<1@x>", session: "A", tls: false)
        model.apply(script.attach(messages: [m1]), now: t0)
        model.apply(script.attach(messages: [m1]), now: t0)
        XCTAssertEqual(model.messages.count, 1)
        model.apply(
            .line(
                server: "MBX01",
                .event(ListenerEvent(type: "messageAccepted", connector: script.connector, message: script.message("<2@x>", session: "B", tls: true)))
            ), now: t0)
        XCTAssertEqual(model.messages.map(\.messageID), ["<1@x>", "<2@x>"])
        XCTAssertEqual(model.counters[script.connector]?.messagesAccepted, 1)
    }

    func testWireDecodingOfListenerLines() throws {
        let snapshot =
            #"{"bindings":[{"endpoint":"0.0.0.0:25","state":"listening"}],"configError":null,"counters":{"MBX01\\Default MBX01":{"authFailures":0,"bytes":5,"connectionsNow":1,"connectionsTotal":2,"messagesAccepted":0,"messagesRejected":0,"relayDenied":0,"tarpitted":0}},"generation":3,"pid":9,"recentMessages":[],"server":"MBX01","sessions":[{"bytes":0,"connector":"MBX01\\Default MBX01","id":"08DC","lastActivity":"2026-11-29T12:12:24Z","local":"127.0.0.1:25","messages":0,"remote":"127.0.0.1:43994","startedAt":"2026-11-29T12:12:24Z","state":"Connected"}],"type":"snapshot"}"#
        guard case .snapshot(let s)? = ControlLine.decode(Data(snapshot.utf8)) else { return XCTFail("not a snapshot") }
        XCTAssertEqual(s.sessions.first?.id, "08DC")
        XCTAssertEqual(s.counters["MBX01\\Default MBX01"]?.connectionsTotal, 2)
        let line =
            #"{"connector":"c","line":{"context":"","data":"ehlo x","event":"<","sequence":3,"text":"t","time":"2026-11-29T12:12:24.964Z"},"sessionID":"08DC","time":"2026-11-29T12:12:24Z","type":"transcript","future":1}"#
        guard case .event(let e)? = ControlLine.decode(Data(line.utf8)) else { return XCTFail("not an event") }
        XCTAssertEqual(e.line?.data, "ehlo x")
        XCTAssertNil(ControlLine.decode(Data("not json".utf8)))
    }
}

final class MonitorScreenTests: XCTestCase {
    let script = ListenerScript()

    func monitorApp(columns: Int = 100, rows: Int = 30) throws -> (ConsoleApp, FakeDataSource, FakeFeed, () -> String) {
        let (app, ds) = try Fixture.app()
        ds.listeners = [ListenerStatus(server: "MBX01", bindings: [:], control: .local("/var/lib/receptor/listener-mbx01.sock"))]
        app.reload()
        let feed = FakeFeed()
        app.monitorFeed = feed
        let clock = script.start
        app.now = { clock }
        _ = clock
        let screen = { () -> String in app.screenText(columns: columns, rows: rows) }
        return (app, ds, feed, screen)
    }

    func testMonitorFollowsTheRunningListenersAndShowsSessionsStatesAndCounters() throws {
        let (app, _, feed, screen) = try monitorApp()
        XCTAssertTrue(feed.followed.isEmpty, "the feed connects at the loop's first turn (pumpMonitor) or when the monitor opens")
        app.keys(.character("m"))
        XCTAssertEqual(feed.followed, [MonitorEndpoint(server: "MBX01", target: .local("/var/lib/receptor/listener-mbx01.sock"))])
        feed.queued =
            script.attach() + [
                script.event("sessionOpened", session: script.session("0001", remote: "192.0.2.10:40001")),
                script.event("sessionOpened", session: script.session("0002", remote: "192.0.2.11:40002", at: 1)),
                script.event(
                    "sessionState",
                    session: script.session(
                        "0002", remote: "192.0.2.11:40002", state: "DATA", at: 1, tls: "TLSv1.3 TLS_AES_256_GCM_SHA384", authAs: "kate@contoso.test")),
                script.event("relayDenied", detail: "192.0.2.10:40001"),
                script.transcript("0002", 0, "+", ""), script.transcript("0002", 1, "<", "EHLO client.fabrikam.test"),
                script.transcript("0002", 2, "<", "AUTH LOGIN", context: ""), script.transcript("0002", 3, "*", "", context: "AUTH data redacted"),
            ]
        app.pumpMonitor()
        let text = screen()
        XCTAssertTrue(text.contains("Session monitor   Listeners: MBX01 live"), text)
        XCTAssertTrue(text.contains("SESSIONS: 2 live"), text)
        XCTAssertTrue(text.contains("192.0.2.11:40002  DATA      TLSv1.3 kate@contoso.test"), text)
        XCTAssertTrue(text.contains("192.0.2.10:40001  Connected"), text)
        XCTAssertNotNil(text.range(of: #"Default Frontend MBX01 +2 +2 +0 +0 +1 "#, options: .regularExpression), text)
        // Newest first: the selection starts on the newest session and its transcript shows below.
        XCTAssertTrue(text.contains(">Default Frontend"), text)
        XCTAssertTrue(text.contains("< EHLO client.fabrikam.test"), text)
        XCTAssertTrue(text.contains("AUTH data redacted"), text)
        XCTAssertTrue(text.contains("Esc Back Tab Sessions/Messages Enter Open o Sort p Pause / Filter"), text)
        XCTAssertFalse(text.contains("Delivery"), "no delivery line before the first message")
        // Ticks carry the listener's delivery statistics: a line under the counters.
        var c = ConnectorCounters()
        c.connectionsTotal = 2; c.connectionsNow = 2; c.messagesAccepted = 40
        feed.queued = [script.tick([script.connector: c], delivery: script.delivery(messages: 10, syncs: 5, sync: 0.001, wait: 0.002))]
        app.pumpMonitor()
        XCTAssertTrue(screen().contains(" Delivery: 10 durable, longest 250 wait 8.00 ms"), screen())
    }

    func testSelectionFollowsItsSessionWhenRowsMoveAndSortFilterPause() throws {
        let (app, _, feed, screen) = try monitorApp()
        app.keys(.character("m"))
        feed.queued = script.attach([script.session("0001", remote: "192.0.2.10:1", at: 0), script.session("0002", remote: "192.0.2.20:2", at: 1)])
        app.pumpMonitor()
        app.keys(.down)  // from the newest (0002) to 0001
        XCTAssertEqual(app.monitor.selectedRow?.info.id, "0001")
        feed.queued = [script.event("sessionOpened", session: script.session("0003", remote: "198.51.100.7:3", at: 2))]
        app.pumpMonitor()
        _ = screen()
        XCTAssertEqual(app.monitor.selectedRow?.info.id, "0001", "a new row above does not move the selection off its session")
        app.keys(.character("o"))  // sort by connector, then remote
        app.keys(.character("o"))
        XCTAssertEqual(app.monitor.sort, .remote)
        XCTAssertEqual(app.monitor.visibleRows().map(\.info.id), ["0001", "0002", "0003"])
        app.keys(.character("O"))
        XCTAssertEqual(app.monitor.visibleRows().map(\.info.id), ["0003", "0002", "0001"])
        XCTAssertEqual(app.monitor.selectedRow?.info.id, "0001")
        // Filter by remote IP.
        app.keys(.character("/")); app.type("198.51"); app.keys(.enter)
        XCTAssertEqual(app.monitor.visibleRows().map(\.info.id), ["0003"])
        XCTAssertTrue(screen().contains("(2 hidden by the filter)"))
        app.keys(.character("/"), .escape)
        XCTAssertEqual(app.monitor.visibleRows().count, 3)
        // Pause holds the screen; updates wait and apply on resume.
        app.keys(.character("p"))
        feed.queued = [script.event("sessionOpened", session: script.session("0004", at: 3))]
        app.pumpMonitor()
        XCTAssertEqual(app.monitor.model.rows.count, 3)
        XCTAssertTrue(screen().contains("PAUSED (1 updates waiting)"))
        XCTAssertTrue(screen().contains("p Resume"))
        app.keys(.character("p"))
        XCTAssertEqual(app.monitor.model.rows.count, 4)
    }

    func testEndedRowsAreDimmedThenGoAndTheNeighbourTakesTheSelection() throws {
        let (app, _, feed, _) = try monitorApp()
        var clock = script.start
        app.now = { clock }
        app.keys(.character("m"))
        feed.queued = script.attach([script.session("0001", at: 0), script.session("0002", at: 1)])
        app.pumpMonitor()
        XCTAssertEqual(app.monitor.selectedRow?.info.id, nil)
        let s = MemoryScreen(columns: 100, rows: 30)
        app.render(on: s)
        XCTAssertEqual(app.monitor.selectedRow?.info.id, "0002")
        feed.queued = [script.event("sessionClosed", session: script.session("0002", at: 1))]
        app.pumpMonitor()
        app.render(on: s)
        let row = s.lines.firstIndex { $0.contains("40000  ended") }!
        XCTAssertEqual(s.style(row: row, column: 5).reverse, true, "still selected while it lingers")
        app.keys(.down)
        app.render(on: s)
        let dimmed = s.lines.firstIndex { $0.contains("40000  ended") }!
        XCTAssertEqual(s.style(row: dimmed, column: 5).role, .dim)
        app.keys(.up)
        clock = clock.addingTimeInterval(MonitorModel.lingerSeconds + 1)
        app.pumpMonitor()
        app.render(on: s)
        XCTAssertFalse(s.lines.contains { $0.contains("40000  ended") })
        XCTAssertEqual(app.monitor.selectedRow?.info.id, "0001")
    }

    func testNewRowsAreHighlightedForAMoment() throws {
        let (app, _, feed, _) = try monitorApp()
        var clock = script.start
        app.now = { clock }
        app.keys(.character("m"))
        feed.queued =
            script.attach([script.session("0001")]) + [script.event("sessionOpened", session: script.session("0002", remote: "203.0.113.9:1"))]
        app.pumpMonitor()
        let s = MemoryScreen(columns: 100, rows: 30)
        app.keys(.down)  // the selection on 0001, so 0002 shows its own style
        app.render(on: s)
        let r = s.lines.firstIndex { $0.contains("203.0.113.9") }!
        XCTAssertEqual(s.style(row: r, column: 5).role, .success)
        clock = clock.addingTimeInterval(MonitorModel.highlightSeconds + 0.5)
        app.pumpMonitor()
        app.render(on: s)
        XCTAssertEqual(s.style(row: r, column: 5).role, .normal)
    }

    func testMessagesViewAndHeadersShowTheReceivedHeaderWithTLS() throws {
        let (app, _, feed, screen) = try monitorApp()
        app.keys(.character("m"))
        feed.queued = script.attach(messages: [
            script.message("<1@mbx01>", session: "0001", tls: false), script.message("<2@mbx01>", session: "0002", tls: true),
        ])
        feed.queued.append(script.transcript("0002", 0, "<", "STARTTLS"))
        app.pumpMonitor()
        app.keys(.tab)
        var text = screen()
        XCTAssertTrue(text.contains("RECENT MESSAGES: the last 2 accepted"), text)
        let selectedLine = text.split(separator: "\n").first { $0.hasPrefix(">") }
        XCTAssertEqual(selectedLine?.contains("kate@contoso.test"), true, "the newest message is selected first:\n\(text)")
        app.keys(.enter)
        text = screen()
        XCTAssertTrue(text.contains("Headers of <2@mbx01>, as stored"), text)
        XCTAssertTrue(text.contains("Received: from client.fabrikam.test (192.0.2.10)"), text)
        XCTAssertTrue(text.contains("    with ESMTPSA (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384)"), text)
        XCTAssertTrue(text.contains("AuthAs kate@contoso.test, mechanism Login"), text)
        app.keys(.character("t"))
        text = screen()
        XCTAssertTrue(text.contains("Transcript of session 0002"), text)
        XCTAssertTrue(text.replacingOccurrences(of: "\n   ", with: "").contains(",<,STARTTLS,"), text)  // long lines wrap
        app.keys(.escape)
        XCTAssertEqual(app.monitor.subview, .sessions)
        app.keys(.escape)
        XCTAssertFalse(app.isMonitorOpen)
    }

    func testWithoutAListenerTheMonitorSaysHowToStartOne() throws {
        let (app, ds) = try Fixture.app()
        app.monitorFeed = FakeFeed()
        app.keys(.character("m"))
        let text = app.screenText(columns: 100, rows: 30)
        XCTAssertTrue(text.contains("Listeners: none"), text)
        XCTAssertTrue(text.contains("No listener is running for this store"), text)
        XCTAssertTrue(text.contains("Press l to start the"), text)
        XCTAssertTrue(text.contains("bundled listener for MBX01 in the background"), text)
        XCTAssertTrue(text.contains("l Listener"), "the hint bar offers it:\n\(text)")
        XCTAssertEqual(app.keys(.character("l")), [.startListener(server: "MBX01")])
        // With one running, l says so instead of starting another.
        ds.listeners = [ListenerStatus(server: "MBX01", bindings: [:], control: .local("/tmp/x.sock"))]
        app.reload()
        XCTAssertEqual(app.keys(.character("l")), [.bell])
        XCTAssertTrue(app.screenText(columns: 100, rows: 30).contains("Listener: a listener is already running for MBX01."))
    }

    func testAListenerOnAnotherHostWithoutAControlEndpointIsSaidToBeUnreachable() throws {
        let (app, ds) = try Fixture.app()
        let feed = FakeFeed()
        app.monitorFeed = feed
        ds.listeners = [ListenerStatus(server: "MBX01", bindings: [:], control: nil, host: "mbx01.contoso.test")]
        app.reload()
        app.keys(.character("m"))
        XCTAssertEqual(feed.followed, [], "nothing to follow")
        let text = app.screenText(columns: 100, rows: 30)
        XCTAssertTrue(text.contains("The listener for MBX01 runs on mbx01.contoso.test"), text)
        XCTAssertTrue(text.contains("--control-port"), text)
        XCTAssertFalse(text.contains("Press l to start"), "a listener runs: l is not the answer\n\(text)")
    }

    func testAThousandSessionsDrawOnlyWhatFitsAndAt80x24() throws {
        let (app, _, feed, _) = try monitorApp(columns: 80, rows: 24)
        app.keys(.character("m"))
        feed.queued = script.attach(
            (0..<1000).map { script.session(String(format: "%04d", $0), remote: "127.0.\($0 / 250).\($0 % 250 + 1):5000", at: Double($0)) })
        app.pumpMonitor()
        let text = app.screenText(columns: 80, rows: 24)
        XCTAssertTrue(text.contains("SESSIONS: 1000 live"), text)
        XCTAssertTrue(text.contains("1-"), text)
        XCTAssertTrue(text.contains("of 1000"), text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 80 })
        app.keys(.end)
        XCTAssertEqual(app.monitor.selectedRow?.info.id, "0000")
        XCTAssertTrue(app.screenText(columns: 80, rows: 24).contains("of 1000"))
    }

    func testSeveralListenersShowTheServerColumnAndEachIsFollowed() throws {
        let (app, ds) = try Fixture.app()
        ds.servers.append(Fixture.edge)
        ds.connectors += Fixture.defaults(Fixture.edge).map { ConsoleConnector(connector: $0, revision: 1) }
        ds.listeners = [
            ListenerStatus(server: "MBX01", bindings: [:], control: .local("/srv/a/listener-mbx01.sock")),
            ListenerStatus(server: "EDGE01", bindings: [:], control: .local("/srv/a/listener-edge01.sock")),
        ]
        app.reload()
        let feed = FakeFeed()
        app.monitorFeed = feed
        app.now = { self.script.start }
        app.keys(.character("m"))
        XCTAssertEqual(Set(feed.followed.map(\.server)), ["MBX01", "EDGE01"])
        var edge = ListenerScript()
        edge.server = "EDGE01"
        edge.connector = "EDGE01\\Default internal receive connector EDGE01"
        feed.queued = script.attach([script.session("0001", remote: "192.0.2.10:1")]) + edge.attach([edge.session("0001", remote: "198.51.100.20:2")])
        app.pumpMonitor()
        let text = app.screenText(columns: 120, rows: 40)
        XCTAssertTrue(text.contains("Listeners: EDGE01 live, MBX01 live"), text)
        XCTAssertTrue(text.contains("SESSIONS: 2 live"), text)
        XCTAssertTrue(text.contains(" SERVER "), text)
        XCTAssertNotNil(text.range(of: #"EDGE01 +Default interna"#, options: .regularExpression), text)
        // The same session id on two servers is two sessions; one listener going away ends only its own.
        feed.queued = [.detached(server: "EDGE01", reason: "the listener closed the connection")]
        app.pumpMonitor()
        XCTAssertEqual(app.monitor.model.rows.values.filter { $0.endedAt == nil }.map(\.server), ["MBX01"])
        XCTAssertTrue(app.screenText(columns: 120, rows: 40).contains("Listeners: EDGE01 lost, MBX01 live"))
        // A listener that stops running (its registration goes) is no longer followed.
        ds.listeners.removeLast()
        app.reload()
        XCTAssertEqual(feed.followed.map(\.server), ["MBX01"])
    }

    func testHelpListsTheMonitorKeys() throws {
        let (app, _, _, _) = try monitorApp()
        app.keys(.character("m"), .function(1))
        var all = ""
        for _ in 0..<60 { all += app.screenText(columns: 100, rows: 30); app.keys(.down) }
        XCTAssertTrue(all.contains("Session monitor"), all)
        XCTAssertTrue(all.contains("Pause the screen (updates wait) or resume."), all)
    }

    func testLayoutDropsLowPriorityColumnsFirst() {
        typealias C = MonitorController.Column
        let columns = [
            C(title: "A", width: 10, priority: 1), C(title: "B", width: 10, flexible: true, priority: 2), C(title: "C", width: 10, priority: 3),
        ]
        XCTAssertEqual(MonitorController.layout(columns, width: 33), [10, 10, 10])
        XCTAssertEqual(MonitorController.layout(columns, width: 30), [10, 18, nil])
        XCTAssertEqual(MonitorController.layout(columns, width: 12), [10, nil, nil])
    }

    func testFormatting() {
        XCTAssertEqual(MonitorController.duration(59), "59s")
        XCTAssertEqual(MonitorController.duration(61), "1m01")
        XCTAssertEqual(MonitorController.duration(3 * 3600 + 120), "3h02")
        XCTAssertEqual(MonitorController.bytes(900), "900")
        XCTAssertEqual(MonitorController.bytes(1536), "1.5K")
        XCTAssertEqual(MonitorController.bytes(36 * 1024 * 1024), "36M")
    }
}

/// x on a session in the monitor: the Explain view for its remote address and local endpoint.
final class MonitorExplainTests: XCTestCase {
    func testXOnASessionExplainsWhyItLandedOnItsConnectorAndEscGoesBackToTheMonitor() throws {
        let script = ListenerScript()
        let (app, ds) = try Fixture.app()
        ds.listeners = [ListenerStatus(server: "MBX01", bindings: [:], control: .local("/var/lib/receptor/listener-mbx01.sock"))]
        app.reload()
        let feed = FakeFeed()
        app.monitorFeed = feed
        app.now = { script.start }
        app.keys(.character("m"))
        feed.queued = script.attach([script.session("0001", remote: "192.0.2.10:40001")])
        app.pumpMonitor()
        _ = app.screenText()  // a frame: the selection settles on the session, as in the run loop
        app.keys(.character("x"))
        guard case .explain(let x) = app.mode else { return XCTFail("x on a session opens the Explain view") }
        XCTAssertEqual(x.remote.text, "192.0.2.10")
        XCTAssertEqual(x.endpoint.text, "192.0.2.1:25")
        let text = app.screenText()
        XCTAssertTrue(text.contains(Canvas.pad("Connector:", ExplainController.labelWidth) + "MBX01\\Default Frontend MBX01"), text)
        XCTAssertTrue(text.contains(Canvas.pad("Matched binding:", ExplainController.labelWidth) + "0.0.0.0:25"), text)
        app.keys(.escape)
        XCTAssertTrue(app.isMonitorOpen, "Esc goes back to the monitor")
        app.keys(.escape)
        app.keys(.character("x"))
        guard case .explain(let y) = app.mode else { return XCTFail("x on the list opens the Explain view") }
        XCTAssertEqual(y.remote.text, "", "from the list the fields start empty")
        app.keys(.escape)
        XCTAssertFalse(app.isMonitorOpen, "Esc goes back to the list it came from")
    }
}

/// The main screen's details pane shows the selected connector's live sessions from the monitor's feed,
/// which connects as soon as a listener runs (the monitor need not be opened).
final class LiveDetailsTests: XCTestCase {
    let script = ListenerScript()

    func testTheDetailsPaneShowsTheSelectedConnectorsLiveSessions() throws {
        let (app, ds) = try Fixture.app()
        let feed = FakeFeed()
        app.monitorFeed = feed
        app.now = { self.script.start }
        app.pumpMonitor()
        XCTAssertTrue(feed.followed.isEmpty, "no listener, nothing to follow")
        ds.listeners = [ListenerStatus(server: "MBX01", bindings: [:], control: .local("/var/lib/receptor/listener-mbx01.sock"))]
        app.reload()
        var counters = ConnectorCounters()
        counters.messagesAccepted = 7; counters.messagesRejected = 1
        feed.queued =
            script.attach([script.session("0001", remote: "192.0.2.10:40001"), script.session("0002", remote: "192.0.2.11:40002")])
            + [script.tick([script.connector: counters])]
        app.pumpMonitor()  // follows the listener
        app.pumpMonitor()  // takes what it sent
        XCTAssertEqual(feed.followed.map(\.server), ["MBX01"])
        app.select(guid: ds.connectors.first { $0.connector.name == "Default Frontend MBX01" }!.connector.guid)
        let screen = app.screenText()
        let flat = screen.replacingOccurrences(of: "│", with: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(flat.contains("Live: 2 sessions now; since start 7 accepted, 1 rejected (m: monitor)"), screen)
        app.select(guid: ds.connectors.first { $0.connector.name == "Client Proxy MBX01" }!.connector.guid)
        XCTAssertTrue(app.screenText().contains("Live:              0 sessions now"), app.screenText())
    }
}
