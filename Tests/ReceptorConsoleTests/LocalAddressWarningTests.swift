import XCTest
@testable import ReceptorConsole
import ReceptorCore

/// The console warns as the shell does: given the host's addresses (the executable injects them, from the
/// function the shell uses), a binding on an address the host doesn't have is noted in the wizard and the
/// edit dialog; the edit dialog picks the warnings it shows by their code.
final class LocalAddressWarningTests: XCTestCase {
    static let notLocal = "10.10.1.1 is not an address of this machine"

    func app(localAddresses: [String]?) throws -> (ConsoleApp, FakeDataSource) {
        let (app, ds) = try Fixture.app()
        let addresses = try localAddresses.map { try $0.map { try IPAddress(parsing: $0) } }
        app.localAddresses = { addresses }
        return (app, ds)
    }

    /// The wizard's Internet connector on 10.10.1.1:25, on its bindings page and then its summary.
    func wizardScreens(_ app: ConsoleApp) -> (bindings: String, summary: String) {
        app.keys(.character("a")); app.type("Internet Receive Connector")
        app.keys(.tab, .tab, .down, .down, .down, .down, .pageDown)
        app.keys(.enter, .down); app.type("10.10.1.1"); app.keys(.control("s"))
        let bindings = app.screenText(columns: 120, rows: 40)
        app.keys(.pageDown)
        return (bindings, app.screenText(columns: 120, rows: 40))
    }

    func testWizardNotesABindingOnAnAddressTheHostDoesNotHave() throws {
        let (app, ds) = try app(localAddresses: ["127.0.0.1", "10.10.1.2", "::1"])
        let screens = wizardScreens(app)
        XCTAssertTrue(screens.bindings.contains(Self.notLocal), screens.bindings)
        XCTAssertTrue(screens.summary.contains(Self.notLocal), screens.summary)
        app.keys(.control("s"))
        XCTAssertEqual(ds.writes, 1, "a warning does not block Finish")
    }

    func testNoNoteWhenTheHostHasTheAddressOrNobodySaid() throws {
        for addresses in [["127.0.0.1", "10.10.1.1"], nil] {
            let (app, _) = try app(localAddresses: addresses)
            let screens = wizardScreens(app)
            XCTAssertFalse(screens.bindings.contains("not an address of this machine"), screens.bindings)
            XCTAssertFalse(screens.summary.contains("not an address of this machine"), screens.summary)
        }
    }

    func testEditDialogNotesItOnTheScopingTab() throws {
        let (app, _) = try app(localAddresses: ["127.0.0.1"])
        app.keys(.enter, .pageDown, .pageDown)  // Client Frontend MBX01, Scoping
        XCTAssertFalse(app.screenText().contains("not an address of this machine"))
        app.keys(.tab, .character("a"))  // Network adapter bindings: add 10.10.1.1:25
        app.type("10.10.1.1"); app.keys(.control("s"))
        let text = app.screenText(columns: 120, rows: 40)
        XCTAssertTrue(text.contains(Self.notLocal), text)
    }

    func testTheEditDialogSelectsWarningsByCode() {
        var report = ValidationReport()
        report.warnings = [
            RuleWarning(.externallySecuredRelay, parameter: "AuthMechanism", "worded any way at all"),
            RuleWarning(.bindingNotLocal, parameter: "Bindings", "another wording"),
            RuleWarning(.noPermissionGroups, parameter: "PermissionGroups", ConnectorCautions.basicAuthWithoutAnonymous),
        ]
        XCTAssertEqual(EditController.warnings(on: .security, in: report).map(\.code), [.externallySecuredRelay])
        XCTAssertEqual(EditController.warnings(on: .scoping, in: report).map(\.code), [.bindingNotLocal])
        XCTAssertEqual(EditController.warnings(on: .general, in: report).map(\.code), [])
    }
}
