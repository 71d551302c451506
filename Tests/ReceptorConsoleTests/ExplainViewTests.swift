import XCTest
@testable import ReceptorConsole
import ReceptorCore

/// The Explain view (x on the list): keys typed into its fields, the answer drawn at 80×24 (golden screens),
/// and the same answer as ConnectionExplainer and SessionRights give the shell's Test-ReceiveConnector.
final class ExplainViewTests: XCTestCase {
    /// The article's scenario 2 on MBX01's default connectors: the partner connector for 17.17.17.1/24.
    func scenario2() throws -> (ConsoleApp, FakeDataSource) {
        let (app, ds) = try Fixture.app()
        let partner = try ConnectorFactory.make(
            NewConnectorRequest(
                name: "Fabrikam.com TLS", usageSwitches: [.partner], transportRole: .frontendTransport,
                bindings: [try IPBinding(parsing: "0.0.0.0:25")], remoteIPRanges: [try IPRange(parsing: "17.17.17.1/24")]),
            server: Fixture.mailbox, guid: Fixture.guid(1))
        _ = try ds.insert(partner)
        app.reload()
        return (app, ds)
    }

    /// Opens the view, types the address (and the endpoint, replacing "25" when given) and presses Enter.
    func explain(_ app: ConsoleApp, _ remote: String, endpoint: String? = nil) {
        app.keys(.character("x"))
        app.type(remote)
        if let endpoint { app.keys(.tab, .control("u")); app.type(endpoint) }
        app.keys(.enter)
    }

    /// A labelled answer line as drawn: the label padded to the value column, then the value.
    func row(_ label: String, _ value: String) -> String { Canvas.pad(label + ":", ExplainController.labelWidth) + value }

    func view(_ app: ConsoleApp) -> ExplainController? {
        if case .explain(let x) = app.mode { return x }
        return nil
    }

    func testScenario2ThePartnerLandsOnFabrikamAndDefaultFrontendIsLessSpecific() throws {
        let (app, _) = try scenario2()
        explain(app, "17.17.17.5")
        let screen = app.screenText()
        assertGolden(screen, "explain-scenario2-80x24")
        XCTAssertTrue(screen.contains(row("Connector", "MBX01\\Fabrikam.com TLS")), screen)
        XCTAssertTrue(screen.contains(row("Matched range", "17.17.17.1/24")), screen)
        XCTAssertTrue(screen.contains(row("Matched binding", "0.0.0.0:25")), screen)
        // A partner connector: a session before AUTH holds no right (only the Partners group is granted), so
        // it must authenticate; Must start TLS is the connector's RequireTLS, off for the Partner type.
        XCTAssertTrue(screen.contains(row("  May submit", "no")), screen)
        XCTAssertTrue(screen.contains(row("  Must authenticate", "yes")), screen)
        let partner = app.snapshot.connectors.first { $0.connector.name == "Fabrikam.com TLS" }!.connector
        XCTAssertTrue(screen.contains(row("  Must start TLS", partner.requireTLS ? "yes" : "no")), screen)
        // The candidates below the fold: scroll down to Default Frontend's outcome.
        app.keys(.pageDown)
        let below = app.screenText()
        XCTAssertTrue(below.contains("MBX01\\Default Frontend MBX01 — LessSpecificRange"), below)
        assertGolden(below, "explain-scenario2-scrolled-80x24")
        // The same answer as the shell's: ConnectionExplainer over the same connectors.
        let e = ConnectionExplainer.explain(
            connectors: app.snapshot.connectors.map(\.connector), localAddress: nil, localPort: 25,
            remoteAddress: try IPAddress(parsing: "17.17.17.5"))
        for c in e.candidates {
            XCTAssertTrue((screen + below).contains("\(c.connector.identity) — \(c.outcome.rawValue)"), "\(c.connector.identity)")
        }
        // Esc goes back to the list.
        app.keys(.escape)
        XCTAssertNil(view(app))
        XCTAssertTrue(app.screenText().contains("Mail flow › Receive connectors"))
    }

    func testNoConnectorSaysTheListenerClosesTheConnection() throws {
        let (app, _) = try scenario2()
        explain(app, "17.17.17.5", endpoint: "2")
        let screen = app.screenText()
        assertGolden(screen, "explain-no-connector-80x24")
        XCTAssertTrue(screen.contains(row("Connector", "none: the listener closes the connection at once")), screen)
        XCTAssertFalse(screen.contains("May submit"), "no rights without a connector")
    }

    func testARelayConnectorsRightsFollowItsExplicitEntriesAllowAndDeny() throws {
        let (app, ds) = try Fixture.app()
        var relay = try ConnectorFactory.make(
            NewConnectorRequest(
                name: "Anonymous Relay", usageSwitches: [.custom], transportRole: .frontendTransport,
                bindings: [try IPBinding(parsing: "0.0.0.0:25")], remoteIPRanges: [try IPRange(parsing: "192.168.5.10")]),
            server: Fixture.mailbox, guid: Fixture.guid(2))
        relay.permissionGroups = [.anonymousUsers]
        _ = try ds.insert(relay)
        app.reload()
        explain(app, "192.168.5.10")
        var screen = app.screenText()
        XCTAssertTrue(screen.contains(row("Connector", "MBX01\\Anonymous Relay")), screen)
        XCTAssertTrue(screen.contains(row("  May submit", "yes")), screen)
        XCTAssertTrue(screen.contains(row("  May relay", "no")), "no Accept-Any-Recipient yet:\n\(screen)")
        XCTAssertTrue(screen.contains(row("  Must authenticate", "no")), screen)

        // Add-ADPermission … Ms-Exch-SMTP-Accept-Any-Recipient, seen by the open view when the store changes.
        ds.permissionEntries[relay.guid] = [PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient])]
        ds.generationValue += 1
        app.reload()
        screen = app.screenText()
        assertGolden(screen, "explain-relay-80x24")
        XCTAssertTrue(screen.contains(row("  May relay", "yes")), screen)

        // A deny entry takes it away, as the listener's permission model says.
        ds.permissionEntries[relay.guid]!.append(PermissionEntry(user: .anonymousLogon, extendedRights: [.acceptAnyRecipient], deny: true))
        app.reload()
        XCTAssertTrue(app.screenText().contains(row("  May relay", "no")))
        let rights = SessionRights(connector: relay, explicitEntries: ds.permissionEntries[relay.guid]!, domain: Fixture.mailbox.domain)
        XCTAssertFalse(rights.canRelayAnonymously)

        // The permissions can't be read: one line, no answer drawn.
        ds.permissionsError = ConsoleDataError(.refused, "the store is locked")
        app.keys(.enter)
        screen = app.screenText()
        XCTAssertTrue(screen.contains("Error: Couldn't read the permissions of Anonymous Relay: the store is locked"), screen)
        XCTAssertFalse(screen.contains("Connector:"), screen)
    }

    /// The candidates' lines are made only as they scroll into view; any window of them, at any width, is what
    /// wrapping every row at once gives (names long enough to wrap at narrow widths, with doubled spaces).
    func testCandidatesMadeOnDemandAreTheLinesEveryRowWrappedGives() throws {
        let (app, ds) = try Fixture.app()
        for i in 0..<40 {
            let name = i % 3 == 0 ? "Relay  \(i) with a name long enough to wrap at forty columns" : "Relay \(i)"
            let c = try ConnectorFactory.make(
                NewConnectorRequest(
                    name: name, usageSwitches: [.custom], transportRole: .frontendTransport,
                    bindings: [try IPBinding(parsing: "0.0.0.0:25")], remoteIPRanges: [try IPRange(parsing: "10.0.\(i).0/24")]),
                server: Fixture.mailbox, guid: Fixture.guid(100 + i))
            _ = try ds.insert(c)
        }
        app.reload()
        explain(app, "10.0.7.9")
        let x = try XCTUnwrap(view(app))
        XCTAssertEqual(x.candidates.count, 40, "every relay is bound to 0.0.0.0:25")
        for width in [24, 40, 76, 200] {
            var every: [ExplainController.WrappedLine] = []
            for row in x.rows { every += Self.eagerWrap(row, width: width) }
            for c in x.candidates {
                let (title, detail) = ExplainController.rows(of: c)
                every += Self.eagerWrap(title, width: width) + Self.eagerWrap(detail, width: width)
            }
            let answer = x.wrapped(width: width)
            XCTAssertEqual(answer.count, every.count, "width \(width)")
            let drawn = x.lines(0..<answer.count, of: answer, width: width)
            XCTAssertEqual(drawn.map(\.text), every.map(\.text), "width \(width)")
            XCTAssertEqual(drawn.map(\.column), every.map(\.column), "width \(width)")
            for start in stride(from: 0, to: every.count, by: 7) {
                let window = start..<min(every.count, start + 11)
                XCTAssertEqual(x.lines(window, of: answer, width: width).map(\.text), every[window].map(\.text), "width \(width), \(window)")
            }
        }
    }

    static func eagerWrap(_ row: ExplainController.Row, width: Int) -> [ExplainController.WrappedLine] {
        if let label = row.label {
            return Canvas.wrap(row.text, max(1, width - ExplainController.labelWidth)).enumerated().map {
                ($0 == 0 ? label + ":" : "", $1, ExplainController.labelWidth, row.style)
            }
        }
        return Canvas.wrap(row.text, max(1, width - row.indent)).map { ("", $0, row.indent, row.style) }
    }

    func testBadInputIsOneLineAndDrawsNoAnswer() throws {
        let (app, _) = try scenario2()
        explain(app, "17.17.17.5")
        XCTAssertTrue(app.screenText().contains("Connector:"))
        // Not an address: the earlier answer goes away, one error line replaces it.
        app.keys(.control("u")); app.type("17.17.17.500"); app.keys(.enter)
        var screen = app.screenText()
        assertGolden(screen, "explain-bad-address-80x24")
        XCTAssertEqual(screen.components(separatedBy: "\n").filter { $0.contains("Error:") }.count, 1, screen)
        XCTAssertFalse(screen.contains("Connector:"), screen)
        // A port out of range.
        app.keys(.control("u")); app.type("17.17.17.5"); app.keys(.tab, .control("u")); app.type("70000"); app.keys(.enter)
        screen = app.screenText()
        XCTAssertTrue(screen.contains("Error: Local endpoint: the port 70000 is not between 1 and 65535."), screen)
        XCTAssertFalse(screen.contains("Connector:"), screen)
        // Not an endpoint at all.
        app.keys(.control("u")); app.type("mbx01:25"); app.keys(.enter)
        XCTAssertTrue(app.screenText().contains("Error: Local endpoint:"), app.screenText())
        // Empty remote address.
        app.keys(.control("u")); app.type("10.10.1.1:25"); app.keys(.backTab, .control("u"), .enter)
        XCTAssertTrue(app.screenText().contains("Error: Remote address: type an IP address"), app.screenText())
        // Typing clears nothing until Enter; a good answer clears the error.
        app.type("17.17.17.5"); app.keys(.enter)
        screen = app.screenText()
        XCTAssertFalse(screen.contains("Error:"), screen)
        XCTAssertTrue(screen.contains(row("Matched binding", "0.0.0.0:25")), screen)
    }

    func testARangeIsSplitByTheConnectorThatTakesEachPart() throws {
        let (app, _) = try scenario2()
        explain(app, "17.17.0.0/16")
        let screen = app.screenText()
        assertGolden(screen, "explain-split-80x24")
        XCTAssertTrue(screen.contains("17.17.17.0/24 → MBX01\\Fabrikam.com TLS"), screen)
    }

    func testTheKeyIsANamedActionWithHelpAndAReasonWhenUnavailable() throws {
        XCTAssertEqual(KeyTable.action(for: .character("x"), in: .main), .explain)
        let (app, _) = try Fixture.app()
        app.keys(.function(1))
        XCTAssertTrue(app.helpLines(width: 78).contains { $0.0.hasPrefix("x ") && $0.0.contains("Explain which connector") })
        app.keys(.escape)
        let empty = FakeDataSource(servers: [], connectors: [])
        let none = try ConsoleApp(dataSource: empty)
        XCTAssertEqual(none.handle(.character("x")), [.bell])
        XCTAssertTrue(none.screenText().contains("Explain is unavailable: there is no server in the store."), none.screenText())
    }
}
