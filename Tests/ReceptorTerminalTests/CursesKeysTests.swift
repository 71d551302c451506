import XCTest
import CNCursesShim
import ReceptorConsole
@testable import ReceptorTerminal

final class CursesKeysTests: XCTestCase {
    private func key(_ code: Int32) -> CursesKeys.Decoded {
        CursesKeys.decode(status: KEY_CODE_YES, value: UInt32(bitPattern: code))
    }

    private func character(_ value: UInt32) -> CursesKeys.Decoded {
        CursesKeys.decode(status: OK, value: value)
    }

    func testKeyCodes() {
        XCTAssertEqual(key(KEY_UP), .event(.up))
        XCTAssertEqual(key(KEY_DOWN), .event(.down))
        XCTAssertEqual(key(KEY_LEFT), .event(.left))
        XCTAssertEqual(key(KEY_RIGHT), .event(.right))
        XCTAssertEqual(key(KEY_HOME), .event(.home))
        XCTAssertEqual(key(KEY_END), .event(.end))
        XCTAssertEqual(key(KEY_NPAGE), .event(.pageDown))
        XCTAssertEqual(key(KEY_PPAGE), .event(.pageUp))
        XCTAssertEqual(key(KEY_DC), .event(.delete))
        XCTAssertEqual(key(KEY_IC), .event(.insert))
        XCTAssertEqual(key(KEY_BTAB), .event(.backTab))
        XCTAssertEqual(key(KEY_BACKSPACE), .event(.backspace))
        XCTAssertEqual(key(KEY_ENTER), .event(.enter))
        XCTAssertEqual(key(KEY_RESIZE), .resize)
        XCTAssertEqual(key(KEY_MOUSE), .mouse)
        XCTAssertEqual(key(shim_KEY_F(1)), .event(.function(1)))
        XCTAssertEqual(key(shim_KEY_F(12)), .event(.function(12)))
        XCTAssertEqual(key(shim_KEY_F(13)), .ignored)
        XCTAssertEqual(key(KEY_B2), .ignored)
    }

    func testCharacters() {
        XCTAssertEqual(character(10), .event(.enter))
        XCTAssertEqual(character(13), .event(.enter))
        XCTAssertEqual(character(9), .event(.tab))
        XCTAssertEqual(character(127), .event(.backspace))
        XCTAssertEqual(character(8), .event(.backspace))
        XCTAssertEqual(character(27), .event(.escape))
        XCTAssertEqual(character(1), .event(.control("a")))
        XCTAssertEqual(character(19), .event(.control("s")))
        XCTAssertEqual(character(26), .event(.control("z")))
        XCTAssertEqual(character(0), .ignored)
        XCTAssertEqual(character(28), .ignored)
        XCTAssertEqual(character(0x85), .ignored)
        XCTAssertEqual(character(UInt32(("q" as Unicode.Scalar).value)), .event(.character("q")))
        XCTAssertEqual(character(0xE9), .event(.character("é")))
        XCTAssertEqual(character(0x65E5), .event(.character("日")))
        XCTAssertEqual(character(0xD800), .ignored)  // not a scalar
    }

    func testTimeoutIsIgnored() {
        XCTAssertEqual(CursesKeys.decode(status: ERR, value: 0), .ignored)
    }
}
