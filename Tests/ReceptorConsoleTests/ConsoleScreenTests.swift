import XCTest
@testable import ReceptorConsole
import ReceptorCore

final class ConsoleScreenTests: XCTestCase {
    let sizes = [(80, 24), (120, 40)]

    func testMainScreen() throws {
        for (c, r) in sizes {
            let (app, _) = try Fixture.app()
            assertGolden(app.screenText(columns: c, rows: r), "main-\(c)x\(r)")
        }
    }

    func testMainScreenASCII() throws {
        let (app, _) = try Fixture.app()
        assertGolden(app.screenText(unicode: false), "main-ascii-80x24")
    }

    func testHelpScreen() throws {
        for (c, r) in sizes {
            let (app, _) = try Fixture.app()
            app.keys(.function(1))
            assertGolden(app.screenText(columns: c, rows: r), "help-\(c)x\(r)")
        }
    }

    func testTooSmall() throws {
        let (app, _) = try Fixture.app()
        assertGolden(app.screenText(columns: 60, rows: 20), "too-small-60x20")
    }

    func testWizardPagesForEveryType() throws {
        for (c, r) in sizes {
            for (n, usage) in ConnectorUsage.allCases.enumerated() {
                let (app, _) = try Fixture.app()
                app.keys(.character("a"))
                app.type("New \(usage.rawValue)")
                app.keys(.tab, .tab)
                for _ in 0..<n { app.keys(.down) }
                var page = 1
                assertGolden(app.screenText(columns: c, rows: r), "wizard-\(usage.rawValue)-\(page)-\(c)x\(r)")
                // Walk the pages with PgDn; where Next is blocked (a conflict), the golden shows why.
                for _ in 0..<3 {
                    app.keys(.pageDown)
                    page += 1
                    assertGolden(app.screenText(columns: c, rows: r), "wizard-\(usage.rawValue)-\(page)-\(c)x\(r)")
                }
            }
        }
    }

    func testBindingDialogs() throws {
        let (app, _) = try Fixture.app()
        app.keys(.character("a")); app.type("X"); app.keys(.tab, .tab, .down, .pageDown)  // Partner → bindings
        app.keys(.character("e"))
        assertGolden(app.screenText(), "wizard-edit-binding-dialog")
        app.keys(.escape, .pageDown, .character("a"))
        assertGolden(app.screenText(), "wizard-add-remote-dialog")
    }

    func testEditDialogTabs() throws {
        for (c, r) in sizes {
            let (app, _) = try Fixture.app()
            app.keys(.enter)  // Client Frontend MBX01 (first by name)
            assertGolden(app.screenText(columns: c, rows: r), "edit-general-\(c)x\(r)")
            app.keys(.pageDown)
            assertGolden(app.screenText(columns: c, rows: r), "edit-security-\(c)x\(r)")
            app.keys(.pageDown)
            assertGolden(app.screenText(columns: c, rows: r), "edit-scoping-\(c)x\(r)")
        }
    }

    func testInternetConflictShowsAndWritesNothing() throws {
        for (c, r) in sizes {
            let (app, ds) = try Fixture.app()
            app.keys(.character("a")); app.type("Internet Receive Connector")
            app.keys(.tab, .tab, .down, .down, .down, .down)  // Internet
            app.keys(.pageDown)  // bindings: (All available IPv4):25
            app.keys(.control("s"))  // Finish
            let text = app.screenText(columns: c, rows: r)
            XCTAssertTrue(text.contains("Receive connector \"MBX01\\Default"), text)
            assertGolden(text, "wizard-internet-conflict-\(c)x\(r)")
            XCTAssertEqual(ds.writes, 0)
            XCTAssertEqual(ds.connectors.count, 5)
        }
    }
}

final class ConsoleMoreScreenTests: XCTestCase {
    func testListenerStates() throws {
        let (app, ds) = try Fixture.app()
        ds.listeners = [
            ListenerStatus(
                server: "MBX01",
                bindings: [
                    "0.0.0.0:25": .listening, "[::]:25": .failed("address already in use"),
                    "0.0.0.0:587": .listening, "[::]:587": .listening, "0.0.0.0:2525": .listening, "[::]:2525": .listening,
                ])
        ]
        ds.outsideChange("Client Proxy MBX01") { $0.enabled = false }
        app.refresh(from: try ds.snapshot())
        app.keys(.down, .down)  // Default Frontend: the failure in the details pane
        for (c, r) in [(80, 24), (120, 40)] { assertGolden(app.screenText(columns: c, rows: r), "main-listener-\(c)x\(r)") }
        XCTAssertEqual(app.keys(.character("l")), [.bell])
    }

    func testStartListenerEffect() throws {
        let (app, _) = try Fixture.app()
        XCTAssertEqual(app.keys(.character("l")), [.startListener(server: "MBX01")])
    }

    func testFilterDeleteMonitorQuit() throws {
        let (app, _) = try Fixture.app()
        app.keys(.character("/")); app.type("front")
        assertGolden(app.screenText(), "main-filter-80x24")
        app.keys(.enter, .character("d"))
        assertGolden(app.screenText(), "main-delete-confirm-80x24")
        app.keys(.character("n"), .character("m"))
        assertGolden(app.screenText(), "main-monitor-80x24")
        app.keys(.escape, .character("a")); app.type("x")
        app.keys(.function(10))
        assertGolden(app.screenText(), "wizard-quit-confirm-80x24")
        XCTAssertEqual(app.keys(.character("y")), [.quit])
    }

    func testSecurityCautions() throws {
        for (c, r) in [(80, 24), (120, 40)] {
            let (app, _) = try Fixture.app()
            app.keys(.enter, .pageDown)  // Client Frontend: BasicAuth without Anonymous users → caution 16
            app.keys(.tab, .tab, .tab, .tab, .tab, .tab, .character(" "))  // Externally secured
            assertGolden(app.screenText(columns: c, rows: r), "edit-security-cautions-\(c)x\(r)")
        }
    }
}
