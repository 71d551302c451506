import XCTest
@testable import ReceptorConsole
import ReceptorCore

/// `s`: every server of the organization with its role, connectors and listeners alive of registered; Enter
/// shows a server's connectors, Esc goes back; changes made elsewhere appear while it is open.
final class OrganizationViewTests: XCTestCase {
    static let mbx02 = Server(name: "MBX02", role: .mailbox, fqdn: "mbx02.contoso.test")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// MBX01 with two listeners alive, MBX02 with one alive and one silent for 40 s, EDGE01 with none.
    func organization() throws -> (ConsoleApp, FakeDataSource) {
        func numbered(_ server: Server, from n: Int) -> [ReceiveConnector] {
            Fixture.defaults(server).enumerated().map { i, c in
                var c = c; c.guid = Fixture.guid(n + i); return c
            }
        }
        let ds = FakeDataSource(
            servers: [Fixture.mailbox, Self.mbx02, Fixture.edge],
            connectors: numbered(Fixture.mailbox, from: 100) + numbered(Self.mbx02, from: 200) + numbered(Fixture.edge, from: 300))
        ds.listeners = [ListenerStatus(server: "MBX01", bindings: ["0.0.0.0:25": .listening, "[::]:25": .failed("address in use")])]
        ds.presence = [
            ListenerPresence(server: "MBX01", host: "host-a", pid: 101),
            ListenerPresence(server: "MBX01", host: "host-b", pid: 102),
            ListenerPresence(server: "MBX02", host: "host-c", pid: 201),
            ListenerPresence(server: "MBX02", host: "host-d", pid: 202, silentSince: Self.now.addingTimeInterval(-40)),
        ]
        let app = try ConsoleApp(dataSource: ds)
        app.now = { Self.now }
        return (app, ds)
    }

    func row(_ text: String, _ server: String) -> String {
        text.split(separator: "\n").map(String.init).first { $0.dropFirst().hasPrefix(server + " ") } ?? ""
    }

    func testEveryServerWithItsRoleConnectorsAndListenersAlive() throws {
        let (app, _) = try organization()
        app.keys(.character("s"))
        for (c, r) in [(80, 24), (120, 40)] {
            assertGolden(app.screenText(columns: c, rows: r), "organization-\(c)x\(r)")
        }
        let text = app.screenText()
        XCTAssertTrue(text.contains("Organization › Servers"), text)
        XCTAssertEqual(row(text, "MBX01").split(separator: " ").map(String.init), [">MBX01", "(shown)", "Mailbox", "5", "2", "of", "2", "alive"])
        XCTAssertEqual(
            row(text, "MBX02").split(separator: " ").map(String.init), ["MBX02", "Mailbox", "5", "1", "of", "2", "alive,", "1", "not", "responding"])
        XCTAssertEqual(row(text, "EDGE01").split(separator: " ").map(String.init), ["EDGE01", "Edge", "1", "none", "registered"])
        // The pane: the selected server's listeners in receptor status's words, and its endpoints.
        XCTAssertTrue(text.contains("pid 101 on host-a: running"), text)
        XCTAssertTrue(text.contains("1 listening, 1 failed"), text)
        app.keys(.down)
        let second = app.screenText(columns: 120, rows: 40)
        XCTAssertTrue(second.contains("pid 202 on host-d: not responding (last heartbeat 40 s ago; forgotten 120 s after it)"), second)
        app.keys(.down)
        XCTAssertTrue(app.screenText().contains("none registered; on the server's host: receptor listen --store"), app.screenText())
    }

    func testEnterShowsTheSelectedServersConnectorsAndEscGoesBack() throws {
        let (app, _) = try organization()
        app.keys(.character("s"), .down, .escape)
        XCTAssertEqual(app.serverName, "MBX01", "Esc changes nothing")
        XCTAssertTrue(app.screenText().contains("Mail flow › Receive connectors"))
        app.keys(.character("s"), .down, .enter)
        XCTAssertEqual(app.serverName, "MBX02")
        let text = app.screenText()
        XCTAssertTrue(text.contains("Server: MBX02 (Mailbox)"), text)
        XCTAssertTrue(text.contains("Default Frontend MBX02"), text)
        XCTAssertFalse(text.contains("Default Frontend MBX01"), text)
        // The view opens on the server shown now; q goes back too, and End reaches the last server.
        app.keys(.character("s"))
        XCTAssertTrue(row(app.screenText(), "MBX02").hasPrefix(">MBX02 (shown)"), app.screenText())
        app.keys(.end, .enter)
        XCTAssertEqual(app.serverName, "EDGE01")
        assertGolden(app.screenText(), "main-edge-80x24")
        app.keys(.character("s"), .character("q"))
        XCTAssertEqual(app.serverName, "EDGE01")
        XCTAssertTrue(app.screenText().contains("Mail flow › Receive connectors"))
    }

    func testAClickSelectsAServerAndASecondClickShowsIt() throws {
        let (app, _) = try organization()
        app.keys(.character("s"))
        _ = app.screenText()
        app.keys(.mouse(row: 5, column: 3))  // EDGE01's row
        XCTAssertEqual(app.serverName, "MBX01")
        XCTAssertTrue(row(app.screenText(), "EDGE01").hasPrefix(">"), app.screenText())
        app.keys(.mouse(row: 5, column: 3))
        XCTAssertEqual(app.serverName, "EDGE01")
    }

    func testOneServerIsAnOrganizationToo() throws {
        let (app, _) = try Fixture.app()
        XCTAssertEqual(app.keys(.character("s")), [])
        let text = app.screenText()
        XCTAssertTrue(row(text, "MBX01").contains("none registered"), text)
        XCTAssertTrue(text.contains("Enter shows MBX01's receive connectors; Esc goes back to MBX01's."), text)
    }

    func testAServerAddedAndAListenerLostElsewhereShowWhileTheViewIsOpen() throws {
        let (app, ds) = try organization()
        let screen = MemoryScreen(columns: 80, rows: 24)
        let input = ScriptedInput([.character("s")])
        var clock = Self.now
        let loop = ConsoleRunLoop(app: app, screen: screen, input: input, now: { clock }) { _ in }
        loop.step()
        // Another host adds a server (a committed write: the generation moves): seen at the next turn.
        let mbx03 = Server(name: "MBX03", role: .mailbox, fqdn: "mbx03.contoso.test")
        ds.servers.append(mbx03)
        ds.generationValue += 1
        loop.step(); loop.step()
        XCTAssertTrue(row(screen.dump(), "MBX03").contains("none registered"), screen.dump())
        // A listener on MBX03 registers and one of MBX01's stops heartbeating (no configuration change): seen
        // within a second.
        ds.presence.append(ListenerPresence(server: "MBX03", host: "host-e", pid: 301))
        ds.presence[0].silentSince = clock.addingTimeInterval(-16)
        clock += 1.1
        loop.step(); loop.step()
        XCTAssertTrue(row(screen.dump(), "MBX03").contains("1 of 1 alive"), screen.dump())
        XCTAssertTrue(row(screen.dump(), "MBX01").contains("1 of 2 alive, 1 not responding"), screen.dump())
    }

    func testTheHeaderCutsALongStoreBeforeTheServer() throws {
        let (app, ds) = try organization()
        ds.storePath = "postgresql://receptor@pg1.contoso.test,pg2.contoso.test:5433/receptor?sslmode=verify-full&target_session_attrs=read-write"
        app.keys(.character("s"))
        let title = app.screenText().split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(title.hasPrefix(" Receptor  Store: postgresql://receptor@pg1.contos…"), title)
        XCTAssertTrue(title.hasSuffix("… Server: MBX01 (Mailbox) [s]"), title)
    }
}
