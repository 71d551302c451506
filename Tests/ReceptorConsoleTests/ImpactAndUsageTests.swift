import XCTest
import Foundation
@testable import ReceptorConsole
import ReceptorControl
import ReceptorControlLink
import ReceptorCore

/// Usage rows handed out as the listener or the files would (tests pin them).
final class FakeUsageSource: UsageSource, @unchecked Sendable {
    var rows: [ConnectorUsageRow]
    var recording = true
    var reads = 0
    init(_ rows: [ConnectorUsageRow]) { self.rows = rows }
    func usage(connector: UUID?, days: Int, control: ControlTarget?) -> UsageReading {
        reads += 1
        let request = UsageRequest(connector: connector?.uuidString.lowercased(), days: days)
        return UsageReading(answer: UsageAnswer(request: request, rows: rows, recording: recording), source: "a test")
    }
}

/// The impact preview in the console (the wizard's summary, the edit dialog's save, the delete and disable
/// questions), the unreachable connectors' mark, and the usage view; all at 80×24.
final class ImpactAndUsageTests: XCTestCase {
    let t = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00 UTC

    func row(_ c: ReceiveConnector, _ address: String, sessions: Int, minutesAgo: Double = 0, helo: String = "mail.fabrikam.test")
        -> ConnectorUsageRow
    {
        var r = ConnectorUsageRow(
            connectorGUID: c.guid.uuidString.lowercased(), connector: c.identity.description, day: "2027-01-15", remoteAddress: address,
            at: t.addingTimeInterval(-minutesAgo * 60 - 3600))
        r.sessions = sessions; r.tlsSessions = sessions / 2; r.messages = sessions * 2; r.heloNames = [helo]
        r.lastSeen = t.addingTimeInterval(-minutesAgo * 60)
        return r
    }

    func connector(_ ds: FakeDataSource, _ name: String) -> ReceiveConnector { ds.connectors.first { $0.connector.name == name }!.connector }

    /// The screen's text as sentences: box sides gone and wrapped lines joined.
    func flat(_ screen: String) -> String {
        screen.replacingOccurrences(of: "│", with: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// MBX01's defaults, and Default Frontend's usage: 412 sessions from three addresses of 17.17.17.0/24, one elsewhere.
    func appWithUsage() throws -> (ConsoleApp, FakeDataSource, FakeUsageSource) {
        let (app, ds) = try Fixture.app()
        let frontend = connector(ds, "Default Frontend MBX01")
        let usage = FakeUsageSource([
            row(frontend, "17.17.17.5", sessions: 400), row(frontend, "17.17.17.6", sessions: 10, minutesAgo: 5),
            row(frontend, "17.17.17.200", sessions: 2, minutesAgo: 60), row(frontend, "192.0.2.7", sessions: 9, minutesAgo: 1),
        ])
        app.usageSource = usage
        app.now = { self.t }
        return (app, ds, usage)
    }

    func walkPartnerWizardToSummary(_ app: ConsoleApp) {
        app.keys(.character("a")); app.type("Fabrikam.com TLS")
        app.keys(.tab, .tab, .down, .pageDown)  // Partner; bindings page
        app.keys(.enter, .down); app.type("0.0.0.0"); app.keys(.enter)
        app.keys(.pageDown)  // remote page
        app.keys(.enter, .control("u")); app.type("17.17.17.1/24"); app.keys(.enter)
        app.keys(.pageDown)  // summary
    }

    func testTheWizardsSummaryShowsTheTrafficItTakesWithTheUsageEvidence() throws {
        let (app, _, usage) = try appWithUsage()
        walkPartnerWizardToSummary(app)
        let screen = app.screenText()
        assertGolden(screen, "wizard-impact-80x24")
        let text = flat(screen)
        XCTAssertTrue(text.contains("Traffic that changes hands:"), screen)
        XCTAssertTrue(text.contains(#"On 0.0.0.0:25, 17.17.17.0/24 moves from MBX01\Default Frontend MBX01 to MBX01\Fabrikam.com TLS."#), screen)
        XCTAssertTrue(
            text.contains(
                #"MBX01\Default Frontend MBX01 received 412 sessions from 3 addresses in 17.17.17.0/24 in the last 7 days; they will go to MBX01\Fabrikam.com TLS."#
            ), screen)
        // The preview is worked out once per draft, not per frame or key; the usage read once.
        let reads = usage.reads
        _ = app.screenText(); app.keys(.tab); _ = app.screenText()
        XCTAssertEqual(usage.reads, reads)
        // The command is still on the page, below the preview (scrolled to when the page is longer).
        for _ in 0..<10 { app.keys(.down) }
        XCTAssertTrue(flat(app.screenText()).contains("New-ReceiveConnector -Name \"Fabrikam.com TLS\""), app.screenText())
    }

    /// More moves than the room at 80×24: the command stays pinned at the bottom, the preview scrolls.
    func testALongSummaryKeepsTheCommandAndScrollsThePreview() throws {
        let (app, _) = try Fixture.app(Fixture.edge)
        // Five addresses, each its own move: more lines than the room between the connector and the command.
        app.keys(.character("a")); app.type("Inbound From Organization")
        app.keys(.tab, .down, .down, .down, .pageDown)  // Internal; remote page
        app.keys(.character("d"))
        for ip in ["10.1.2.10", "10.1.2.15", "10.1.2.20", "10.1.2.25", "10.1.2.30"] {
            app.keys(.character("a")); app.type(ip); app.keys(.enter)
        }
        app.keys(.pageDown)
        let first = flat(app.screenText())
        XCTAssertTrue(first.contains("New-ReceiveConnector -Name \"Inbound From Organization\" -Internal"), app.screenText())
        XCTAssertTrue(first.contains("Traffic that changes hands:"), app.screenText())
        XCTAssertTrue(first.contains("(0 lines above"), app.screenText())
        XCTAssertFalse(first.contains("10.1.2.30 moves"), app.screenText())
        for _ in 0..<20 { app.keys(.down) }
        let scrolled = flat(app.screenText())
        XCTAssertTrue(scrolled.contains("10.1.2.30 moves from"), app.screenText())
        XCTAssertTrue(scrolled.contains("New-ReceiveConnector -Name \"Inbound From Organization\" -Internal"), app.screenText())
    }

    func testTheSummaryWithoutUsageShowsTheMovesAlone() throws {
        let (app, _) = try Fixture.app()
        walkPartnerWizardToSummary(app)
        let text = flat(app.screenText())
        XCTAssertTrue(text.contains("17.17.17.0/24 moves from MBX01\\Default Frontend MBX01 to MBX01\\Fabrikam.com TLS."), text)
        XCTAssertFalse(text.contains("received"), text)
    }

    func testDeletingTheOnlyConnectorOfAPortSaysLoudlyThatClientsGoToNoConnector() throws {
        let (app, ds, _) = try appWithUsage()
        app.select(guid: connector(ds, "Default Frontend MBX01").guid)
        app.keys(.character("d"))
        let screen = app.screenText()
        assertGolden(screen, "main-delete-impact-80x24")
        let text = flat(screen)
        XCTAssertTrue(text.contains("to NO connector: the listener will refuse these clients."), screen)
        XCTAssertTrue(text.contains("in the last 7 days; they will be REFUSED: no connector takes them."), screen)
        XCTAssertTrue(screen.split(separator: "\n").last!.hasPrefix("a New"), "the hint bar stays on the last row")
        app.keys(.character("y"))
        XCTAssertNil(ds.connectors.first { $0.connector.name == "Default Frontend MBX01" })
    }

    func testALongPreviewIsCutToTheScreenAndSaysHowMuchMore() throws {
        let (app, ds) = try Fixture.app()
        for i in 0..<20 {
            var c = try ConnectorFactory.make(
                NewConnectorRequest(
                    name: "Partner \(i)", usageSwitches: [.partner], transportRole: .frontendTransport,
                    bindings: [try IPBinding(parsing: "0.0.0.0:25")], remoteIPRanges: [try IPRange(parsing: "10.\(2 * i).0.0/16")]),
                server: Fixture.mailbox, guid: Fixture.guid(200 + i))
            c.comment = ""
            _ = try ds.insert(c)
        }
        app.reload()
        app.select(guid: connector(ds, "Default Frontend MBX01").guid)
        app.keys(.character("d"))
        let screen = app.screenText()
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(screen.contains("more lines (the shell's -WhatIf lists every move)"), screen)
        XCTAssertTrue(screen.contains("y = delete; Enter, n or Esc = keep it"), screen)
        XCTAssertTrue(lines[23].hasPrefix("a New"), screen)
        app.keys(.enter)
        XCTAssertEqual(ds.writes, 20, "Enter kept it")
    }

    func testDisablingAConnectorThatTakesTrafficAsksFirst() throws {
        let (app, ds, _) = try appWithUsage()
        let frontend = connector(ds, "Default Frontend MBX01")
        app.select(guid: frontend.guid)
        app.keys(.character(" "))
        XCTAssertTrue(flat(app.screenText()).contains("Disable \"Default Frontend MBX01\" on MBX01?"), app.screenText())
        XCTAssertTrue(flat(app.screenText()).contains("Shell: Set-ReceiveConnector \"MBX01\\Default Frontend MBX01\" -Enabled"), app.screenText())
        XCTAssertTrue(flat(app.screenText()).contains("to NO connector"), app.screenText())
        app.keys(.character("n"))
        XCTAssertEqual(ds.writes, 0)
        XCTAssertTrue(connector(ds, "Default Frontend MBX01").enabled)
        app.keys(.character(" "), .character("y"))
        XCTAssertFalse(connector(ds, "Default Frontend MBX01").enabled)
        // Enabling it again gives the traffic back: asked too.
        app.keys(.character(" "))
        XCTAssertTrue(flat(app.screenText()).contains("moves from no connector (refused today) to MBX01\\Default Frontend MBX01"), app.screenText())
        app.keys(.character("y"))
        XCTAssertTrue(connector(ds, "Default Frontend MBX01").enabled)
    }

    func testTheEditDialogsSaveAsksWhenTrafficMoves() throws {
        let (app, ds, _) = try appWithUsage()
        app.select(guid: connector(ds, "Default Frontend MBX01").guid)
        app.keys(.enter, .tab, .character(" "))  // General: Enable off
        app.keys(.control("s"))
        let screen = app.screenText()
        assertGolden(screen, "edit-save-impact-80x24")
        XCTAssertTrue(flat(screen).contains("Save your changes to \"Default Frontend MBX01\"?"), screen)
        XCTAssertTrue(flat(screen).contains("Set-ReceiveConnector \"MBX01\\Default Frontend MBX01\" -Enabled $false"), screen)
        app.keys(.escape)  // keep editing
        guard case .edit = app.mode else { return XCTFail("Esc left the dialog") }
        XCTAssertEqual(ds.writes, 0)
        app.keys(.control("s"), .character("y"))
        XCTAssertFalse(connector(ds, "Default Frontend MBX01").enabled)
        guard case .main = app.mode else { return XCTFail("y did not save and close") }
        // A save that moves nothing does not ask.
        app.keys(.enter, .tab, .tab); app.type("note"); app.keys(.control("s"))
        guard case .main = app.mode else { return XCTFail("a save that moves no traffic asked") }
        XCTAssertEqual(connector(ds, "Default Frontend MBX01").comment, "note")
    }

    // MARK: Unreachable connectors

    func testAnUnreachableConnectorIsMarkedAndNamesWhatShadowsIt() throws {
        let (app, ds) = try Fixture.app()
        var narrow = try ConnectorFactory.make(
            NewConnectorRequest(
                name: "Narrow", usageSwitches: [.custom], transportRole: .frontendTransport, bindings: [try IPBinding(parsing: "10.0.0.5:25")],
                remoteIPRanges: [try IPRange(parsing: "192.168.1.0/25")]),
            server: Fixture.mailbox, guid: Fixture.guid(1))
        var narrower = narrow
        narrower.guid = Fixture.guid(2); narrower.name = "Narrower"
        narrower.remoteIPRanges = [try IPRange(parsing: "192.168.1.0/26"), try IPRange(parsing: "192.168.1.64/26")]
        narrow.comment = ""
        _ = try ds.insert(narrower); _ = try ds.insert(narrow)
        app.reload()
        app.select(guid: narrow.guid)
        let screen = app.screenText()
        assertGolden(screen, "main-unreachable-80x24")
        let rowOf = { (name: String) in screen.split(separator: "\n").first { $0.dropFirst().hasPrefix(name + " ") }.map(String.init) ?? "" }
        XCTAssertTrue(rowOf("Narrow").contains("Shadowed"), screen)
        XCTAssertFalse(rowOf("Narrower").contains("Shadowed"), screen)
        XCTAssertTrue(flat(screen).contains("Unreachable: No connection can select Narrow"), screen)
        XCTAssertTrue(flat(screen).contains("goes to Narrower"), screen)
        // The same rule as the warning on save.
        let report = ConnectorValidator.validate(
            narrow, in: ValidationContext(server: Fixture.mailbox, siblings: ds.connectors.map(\.connector)))
        XCTAssertEqual(report.warnings.first { $0.code == .unreachable }?.message, app.unreachableWarning(narrow))
        // Once Narrower lets an address go, Narrow is reachable: the mark goes with the next generation.
        ds.outsideChange("Narrower") { $0.remoteIPRanges = [try! IPRange(parsing: "192.168.1.0/26")] }
        app.reload()
        XCTAssertFalse(rowOf("Narrow").isEmpty)
        XCTAssertFalse(app.screenText().contains("Shadowed"), app.screenText())
    }

    // MARK: Usage view

    func testUsageShowsTheSelectedConnectorsSendersNewestFirst() throws {
        let (app, ds, _) = try appWithUsage()
        let frontend = connector(ds, "Default Frontend MBX01")
        app.select(guid: frontend.guid)
        app.keys(.character("u"))
        let screen = app.screenText()
        assertGolden(screen, "usage-80x24")
        let lines = screen.split(separator: "\n").map(String.init)
        let order = ["17.17.17.5", "192.0.2.7", "17.17.17.6", "17.17.17.200"].map { a in lines.firstIndex { $0.contains("│ " + a + " ") } ?? -1 }
        XCTAssertEqual(order, order.sorted(), "newest first: \(order)\n\(screen)")
        XCTAssertFalse(order.contains(-1), screen)
        XCTAssertTrue(flat(screen).contains("4 remote addresses, 421 sessions, newest first"), screen)
        XCTAssertTrue(
            flat(screen).contains(
                "17.17.17.5: HELO mail.fabrikam.test; accounts -; 200 of 400 sessions with TLS; first seen 2027-01-15 07:00:00 UTC, last seen 2027-01-15 08:00:00 UTC."
            ), screen)
        app.keys(.down)
        XCTAssertTrue(flat(app.screenText()).contains("192.0.2.7: HELO mail.fabrikam.test"), app.screenText())
        app.keys(.escape)
        guard case .main = app.mode else { return XCTFail("Esc did not go back") }
        // A connector nobody used says so.
        app.select(guid: connector(ds, "Client Proxy MBX01").guid)
        app.keys(.character("u"))
        XCTAssertTrue(flat(app.screenText()).contains("No session reached this connector in the last 30 days"), app.screenText())
        XCTAssertTrue(app.helpLines(width: 100).contains { $0.0.hasPrefix("u ") && $0.0.contains("Who used the selected connector") })
    }

    /// The details pane gives the selected connector's usage in brief, read in the background (never on a key).
    func testTheDetailsPaneGivesUsageInBrief() throws {
        let (app, ds, usage) = try appWithUsage()
        app.select(guid: connector(ds, "Default Frontend MBX01").guid)
        XCTAssertFalse(flat(app.screenText()).contains("Usage:"), "nothing before the first read")
        app.pumpMonitor()
        let deadline = Date().addingTimeInterval(5)
        while !flat(app.screenText()).contains("Usage:") && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertTrue(
            flat(app.screenText()).contains("Usage: 4 sources, 421 sessions in 30 days, last seen 2027-01-15 08:00:00 UTC (u: who)"),
            app.screenText())
        app.select(guid: connector(ds, "Client Proxy MBX01").guid)
        XCTAssertTrue(flat(app.screenText()).contains("Usage: no session in the last 30 days"), app.screenText())
        // Read again only once it is stale.
        let reads = usage.reads
        app.pumpMonitor(); app.keys(.down); app.pumpMonitor()
        XCTAssertEqual(usage.reads, reads)
    }

    func testUsageIsUnavailableWithoutASource() throws {
        let (app, _) = try Fixture.app()
        XCTAssertEqual(app.keys(.character("u")), [.bell])
        XCTAssertTrue(app.screenText().contains("Usage is unavailable: this console has no usage source."), app.screenText())
    }

    /// With no listener to ask, the usage files of the data directory (what Get-ReceiveConnectorUsage reads).
    func testTheRealSourceFallsBackToTheUsageFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-usage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let usageFolder = ReceptorControl.ConnectorUsage.folder(dataDirectory: folder.path)
        try FileManager.default.createDirectory(atPath: usageFolder, withIntermediateDirectories: true)
        let frontend = Fixture.defaults(Fixture.mailbox)[2]
        let now = Date()
        var a = ConnectorUsageRow(
            connectorGUID: frontend.guid.uuidString.lowercased(), connector: frontend.identity.description,
            day: ReceptorControl.ConnectorUsage.day(now), remoteAddress: "192.0.2.1", at: now)
        a.sessions = 3
        var other = a
        other.connectorGUID = Fixture.guid(999).uuidString.lowercased(); other.remoteAddress = "192.0.2.2"
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode([a, other]).write(
            to: URL(fileURLWithPath: usageFolder + "/" + ReceptorControl.ConnectorUsage.fileName(day: ReceptorControl.ConnectorUsage.day(now))))
        let source = ListenerUsageSource(dataDirectory: folder.path)
        let reading = source.usage(connector: frontend.guid, days: 7, control: .local(folder.path + "/no-such.sock"))
        XCTAssertEqual(reading.answer.rows.map(\.remoteAddress), ["192.0.2.1"])
        XCTAssertEqual(reading.answer.rows.first?.sessions, 3)
        XCTAssertTrue(reading.source.contains("usage files"), reading.source)
    }
}
