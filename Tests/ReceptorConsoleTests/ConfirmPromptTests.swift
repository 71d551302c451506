import XCTest
@testable import ReceptorConsole
import ReceptorCore

/// The one confirmation prompt, in its four uses: Enter (and n, and Esc) is the safe answer everywhere, y
/// does what the question names.
final class ConfirmPromptTests: XCTestCase {
    func testTheKeys() {
        XCTAssertEqual(ConfirmPrompt.answer(to: .character("y")), .confirm)
        XCTAssertEqual(ConfirmPrompt.answer(to: .character("Y")), .confirm)
        for key: KeyEvent in [.enter, .escape, .character("n"), .character("N")] {
            XCTAssertEqual(ConfirmPrompt.answer(to: key), .decline, "\(key)")
        }
        for key: KeyEvent in [.character("x"), .down, .tab, .control("s"), .character(" ")] {
            XCTAssertNil(ConfirmPrompt.answer(to: key), "\(key) is ignored")
        }
        for prompt in [ConfirmPrompt.delete(Fixture.defaults(Fixture.mailbox)[0], impact: []), .discardNewConnector, .discardChanges, .quit] {
            XCTAssertTrue(prompt.keysLine.hasPrefix("y = "), prompt.keysLine)
            XCTAssertTrue(prompt.keysLine.contains("; Enter, n or Esc = "), prompt.keysLine)
        }
    }

    func testDeleteEnterKeepsYDeletes() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.character("d"))
        XCTAssertTrue(app.screenText().contains("y = delete; Enter, n or Esc = keep it"), app.screenText())
        app.keys(.character("x"), .down)  // ignored: the prompt stays
        XCTAssertTrue(app.screenText().contains("Delete receive connector"))
        app.keys(.enter)
        XCTAssertEqual(ds.connectors.count, 5)
        XCTAssertEqual(ds.writes, 0)
        XCTAssertTrue(app.screenText().contains("Nothing was deleted."), app.screenText())
        app.keys(.character("d"), .character("y"))
        XCTAssertEqual(ds.connectors.count, 4)
        XCTAssertNil(ds.connectors.first { $0.connector.name == "Client Frontend MBX01" })
    }

    func testWizardCancelEnterKeepsEditingYDiscards() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.character("a")); app.type("Kept")
        app.keys(.escape)
        XCTAssertTrue(app.screenText().contains("y = discard it; Enter, n or Esc = keep editing"), app.screenText())
        app.keys(.enter)
        guard case .wizard(let w) = app.mode else { return XCTFail("Enter left the wizard") }
        XCTAssertEqual(w.draft.name, "Kept")
        XCTAssertFalse(app.screenText().contains("Discard this new connector?"))
        app.keys(.escape, .character("y"))
        guard case .main = app.mode else { return XCTFail("y did not discard the wizard") }
        XCTAssertEqual(ds.writes, 0)
        XCTAssertTrue(app.screenText().contains("The new connector was discarded"), app.screenText())
    }

    func testEditCancelEnterKeepsEditingYDiscards() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.enter, .tab, .tab); app.type("note")  // Description of Client Frontend MBX01
        app.keys(.escape)
        XCTAssertTrue(app.screenText().contains("y = discard them; Enter, n or Esc = keep editing"), app.screenText())
        app.keys(.enter)
        guard case .edit(let e) = app.mode else { return XCTFail("Enter left the edit dialog") }
        XCTAssertEqual(e.draft.comment, "note")
        app.keys(.escape, .character("y"))
        guard case .main = app.mode else { return XCTFail("y did not close the dialog") }
        XCTAssertEqual(ds.writes, 0)
        XCTAssertEqual(ds.connectors.first { $0.connector.name == "Client Frontend MBX01" }?.connector.comment, "")
    }

    func testQuitWithUnsavedChangesEnterGoesBackYQuits() throws {
        let (app, _) = try Fixture.app()
        app.keys(.character("a")); app.type("Unsaved")
        XCTAssertEqual(app.keys(.function(10)), [])
        XCTAssertTrue(app.screenText().contains("y = quit; Enter, n or Esc = go back"), app.screenText())
        XCTAssertEqual(app.keys(.enter), [])
        guard case .wizard(let w) = app.mode else { return XCTFail("Enter did not go back to the wizard") }
        XCTAssertEqual(w.draft.name, "Unsaved")
        app.keys(.function(10))
        XCTAssertEqual(app.keys(.character("y")), [.quit])
    }

    func testAClickDoesNotReachWhatThePromptCovers() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.character("d"))
        _ = app.screenText()
        app.keys(.mouse(row: 5, column: 3))  // a row of the list, under the prompt's box
        XCTAssertEqual(app.selected?.connector.name, "Client Frontend MBX01")
        app.keys(.character("y"))
        XCTAssertNil(ds.connectors.first { $0.connector.name == "Client Frontend MBX01" })
    }
}
