import CNCursesShim
import ReceptorConsole

/// Turns what `wget_wch` returned into a `KeyEvent`. Resize and mouse need more curses calls (the new size,
/// `getmouse`), so they come back as markers for the driver.
enum CursesKeys {
    enum Decoded: Hashable {
        case event(KeyEvent)
        case resize
        case mouse
        /// A key the console has no use for (keypad centre, Ctrl-Space, F13…): the driver reads on.
        case ignored
    }

    /// Decodes `status` (OK, KEY_CODE_YES, or ERR) and the value `wget_wch` stored.
    static func decode(status: Int32, value: UInt32) -> Decoded {
        if status == KEY_CODE_YES {
            return decodeKeyCode(Int32(bitPattern: value))
        }
        guard status == OK else { return .ignored }
        return decodeCharacter(value)
    }

    static func decodeKeyCode(_ code: Int32) -> Decoded {
        switch code {
        case KEY_UP, KEY_SR: return .event(.up)
        case KEY_DOWN, KEY_SF: return .event(.down)
        case KEY_LEFT, KEY_SLEFT: return .event(.left)
        case KEY_RIGHT, KEY_SRIGHT: return .event(.right)
        case KEY_HOME, KEY_SHOME, KEY_FIND, KEY_BEG: return .event(.home)
        case KEY_END, KEY_SEND, KEY_SELECT, KEY_LL: return .event(.end)
        case KEY_NPAGE: return .event(.pageDown)
        case KEY_PPAGE: return .event(.pageUp)
        case KEY_DC, KEY_SDC: return .event(.delete)
        case KEY_IC, KEY_SIC: return .event(.insert)
        case KEY_BTAB: return .event(.backTab)
        case KEY_BACKSPACE: return .event(.backspace)
        case KEY_ENTER: return .event(.enter)
        case KEY_RESIZE: return .resize
        case KEY_MOUSE: return .mouse
        default:
            let number = code - shim_KEY_F(0)
            if (1...12).contains(number) { return .event(.function(Int(number))) }
            return .ignored
        }
    }

    static func decodeCharacter(_ value: UInt32) -> Decoded {
        switch value {
        case 9: return .event(.tab)
        case 10, 13: return .event(.enter)
        case 8, 127: return .event(.backspace)
        case 27: return .event(.escape)
        case 1...26:
            // Ctrl-A … Ctrl-Z (less Tab, Ctrl-H, Ctrl-J, Ctrl-M above): lowercased letters.
            return .event(.control(Character(Unicode.Scalar(UInt8(value + 96)))))
        case 0, 28...31:
            return .ignored
        default:
            guard let scalar = Unicode.Scalar(value), scalar.properties.generalCategory != .control else {
                return .ignored
            }
            return .event(.character(Character(scalar)))
        }
    }
}
