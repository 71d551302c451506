import XCTest
import ReceptorConsole
@testable import ReceptorTerminal

final class CursesPaletteTests: XCTestCase {
    /// Every role, spelled out so that a new role fails here until the palette has it.
    private let allRoles: [CellStyle.Role] = [
        .normal, .title, .selection, .header, .hint, .hintKey, .error, .warning, .success, .dim, .field,
        .focusedField, .button, .focusedButton, .border,
    ]

    func testEveryRoleButNormalHasItsOwnPair() {
        XCTAssertEqual(CursesPalette.pair(for: .normal), 0)
        let pairs = allRoles.filter { $0 != .normal }.map { CursesPalette.pair(for: $0) }
        XCTAssertEqual(Set(pairs).count, allRoles.count - 1)
        XCTAssertEqual(Set(pairs), Set((1...Int16(allRoles.count - 1))))
    }

    func testMonochromeKeepsRolesApart() {
        func mono(_ role: CellStyle.Role) -> TextAttributes { CursesPalette.look(for: CellStyle(role), color: false).attributes }
        XCTAssertEqual(mono(.normal), [])
        XCTAssertEqual(mono(.selection), .reverse)
        XCTAssertEqual(mono(.focusedButton), .reverse)
        XCTAssertEqual(mono(.focusedField), .reverse)
        XCTAssertEqual(mono(.field), .underline)
        XCTAssertEqual(mono(.title), [.reverse, .bold])
        XCTAssertEqual(mono(.error), .bold)
        XCTAssertEqual(mono(.dim), .dim)
        // No colour pair without colour.
        XCTAssertTrue(allRoles.allSatisfy { CursesPalette.look(for: CellStyle($0), color: false).pair == 0 })
    }

    func testStyleFlagsAddToTheRole() {
        let look = CursesPalette.look(for: CellStyle(.selection, bold: true, underline: true), color: true)
        XCTAssertEqual(look.pair, CursesPalette.pair(for: .selection))
        XCTAssertEqual(look.attributes, [.bold, .underline])
        XCTAssertEqual(CursesPalette.look(for: CellStyle(reverse: true), color: false).attributes, .reverse)
    }
}
