import XCTest
@testable import ReceptorConsole
import ReceptorCore

/// The article's four scenarios, carried out with keys only; the result must equal what the shell command
/// makes (ConnectorFactory + the parameter table, applied the same way).
final class WizardKeyTests: XCTestCase {
    func shell(_ request: NewConnectorRequest, server: Server, _ params: [(String, ParameterInput)] = []) throws -> ReceiveConnector {
        var c = try ConnectorFactory.make(request, server: server, guid: Fixture.guid(1))
        for (name, input) in params { try ConnectorParameters.named(name)!.apply(input, to: &c) }
        return c
    }

    func created(_ ds: FakeDataSource) -> ReceiveConnector? { ds.connectors.first { $0.connector.guid == Fixture.guid(1) }?.connector }

    func testInternetOn10_10_1_1() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.character("a")); app.type("Internet Receive Connector")
        app.keys(.tab, .tab, .down, .down, .down, .down, .pageDown)  // Frontend (default), Internet; bindings page
        app.keys(.enter)  // edit the default row
        app.keys(.down); app.type("10.10.1.1"); app.keys(.control("s"))
        app.keys(.pageDown)  // summary
        let summary = app.screenText(columns: 200, rows: 40)
        XCTAssertTrue(
            summary.contains(
                #"New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole FrontendTransport -Internet -Bindings "10.10.1.1:25""#),
            summary)
        app.keys(.control("s"))
        XCTAssertEqual(
            created(ds),
            try shell(
                NewConnectorRequest(
                    name: "Internet Receive Connector", usageSwitches: [.internet],
                    transportRole: .frontendTransport, bindings: [IPBinding(parsing: "10.10.1.1:25")]), server: Fixture.mailbox))
        XCTAssertEqual(app.selected?.connector.guid, Fixture.guid(1))
    }

    func testPartnerFabrikam() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.character("a")); app.type("Fabrikam.com TLS")
        app.keys(.tab, .tab, .down, .pageDown)  // Partner; bindings page
        app.keys(.enter, .down); app.type("0.0.0.0"); app.keys(.enter)  // 0.0.0.0 typed as a specific address
        app.keys(.pageDown)  // remote page
        app.keys(.enter, .control("u")); app.type("17.17.17.1/24"); app.keys(.enter)
        app.keys(.pageDown, .control("s"))
        XCTAssertEqual(
            created(ds),
            try shell(
                NewConnectorRequest(
                    name: "Fabrikam.com TLS", usageSwitches: [.partner], transportRole: .frontendTransport,
                    bindings: [IPBinding(parsing: "0.0.0.0:25")], remoteIPRanges: [IPRange(parsing: "17.17.17.1/24")]),
                server: Fixture.mailbox))
    }

    func testCustomRelayThenSecurityTab() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.character("a")); app.type("Inbound From Service")
        app.keys(.tab, .tab, .pageDown, .pageDown)  // Custom (first); bindings as given; remote page
        app.keys(.character("d"), .character("a")); app.type("192.168.10.5"); app.keys(.enter)
        app.keys(.pageDown, .control("s"))
        XCTAssertEqual(ds.writes, 1, app.screenText())
        // Edit → Security: clear TLS, tick Basic authentication and Anonymous users, save.
        app.keys(.enter, .pageDown)
        app.keys(.tab, .character(" "))  // TLS off
        app.keys(.tab, .tab, .character(" "))  // Basic authentication on
        for _ in 0..<5 { app.keys(.tab) }  // → Anonymous users
        app.keys(.character(" "))
        assertGolden(app.screenText(), "edit-security-custom-relay-80x24")
        app.keys(.control("s"))
        XCTAssertEqual(
            created(ds),
            try shell(
                NewConnectorRequest(
                    name: "Inbound From Service", usageSwitches: [.custom], transportRole: .frontendTransport,
                    bindings: [IPBinding(parsing: "0.0.0.0:25")], remoteIPRanges: [IPRange(parsing: "192.168.10.5")]),
                server: Fixture.mailbox, [("AuthMechanism", .text("BasicAuth")), ("PermissionGroups", .text("AnonymousUsers"))]))
    }

    func testInternalOnEdge() throws {
        let (app, ds) = try Fixture.app(Fixture.edge)
        app.keys(.character("a")); app.type("Inbound From Organization")
        app.keys(.tab, .down, .down, .down, .pageDown)  // Internal (no Role on Edge); remote page
        app.keys(.character("d"))
        for ip in ["10.1.2.10", "10.1.2.15", "10.1.2.20"] { app.keys(.character("a")); app.type(ip); app.keys(.enter) }
        app.keys(.pageDown)
        XCTAssertTrue(
            app.screenText(columns: 200, rows: 40).contains(
                #"New-ReceiveConnector -Name "Inbound From Organization" -Internal -RemoteIPRanges 10.1.2.10,10.1.2.15,10.1.2.20"#), app.screenText())
        app.keys(.control("s"))
        XCTAssertEqual(
            created(ds),
            try shell(
                NewConnectorRequest(
                    name: "Inbound From Organization", usageSwitches: [.internal],
                    remoteIPRanges: ["10.1.2.10", "10.1.2.15", "10.1.2.20"].map { try IPRange(parsing: $0) }),
                server: Fixture.edge))
    }

    func testStaleSaveShowsConflict() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.enter)  // edit Client Frontend MBX01
        app.keys(.tab, .tab); app.type("note")  // Description
        ds.outsideChange("Client Frontend MBX01") { $0.comment = "changed by the shell" }
        app.keys(.control("s"))
        let text = app.screenText()
        XCTAssertTrue(text.contains("was changed elsewhere"), text)
        XCTAssertEqual(ds.writes, 0)
        XCTAssertTrue(text.split(separator: "\n").last?.hasPrefix("C-r Reload") == true, "the hint bar offers the reload:\n\(text)")
        assertGolden(text, "edit-stale-save-80x24")
        app.keys(.control("r"))
        XCTAssertTrue(app.screenText().contains("changed by the shell"), app.screenText())
        XCTAssertFalse(app.screenText().contains("C-r Reload"), "no reload offered once current")
    }

    func testRefreshShowsOutsideChangeAndSelectionFollowsGUID() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.down, .down)  // Default Frontend MBX01
        let guid = app.selectedGUID
        ds.outsideChange("Default Frontend MBX01") {
            $0.name = "AAA Renamed"; $0.enabled = false
        }
        app.refresh(from: try ds.snapshot())
        XCTAssertEqual(app.selectedGUID, guid)
        let text = app.screenText()
        XCTAssertTrue(text.contains(">AAA Renamed"), text)
        XCTAssertTrue(text.contains("Disabled"), text)
    }

    func testUnavailableActionSaysWhy() throws {
        let (app, _) = try Fixture.app()
        XCTAssertEqual(app.keys(.character("u")), [.bell])
        XCTAssertTrue(app.screenText().contains("Usage is unavailable: this console has no usage source."))
    }

    func testToggleAndDelete() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.character(" "), .character("y"))  // asked first: port 587's traffic would go to no connector
        XCTAssertFalse(ds.connectors.first { $0.connector.name == "Client Frontend MBX01" }!.connector.enabled)
        app.keys(.character("d"), .character("y"))
        XCTAssertEqual(ds.connectors.count, 4)
    }

    func testMouseClickSelectsRow() throws {
        let (app, _) = try Fixture.app()
        _ = app.screenText()
        app.keys(.mouse(row: 5, column: 3))
        XCTAssertEqual(app.selected?.connector.name, "Default Frontend MBX01")
    }
}
