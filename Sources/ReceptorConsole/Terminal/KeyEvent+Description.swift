/// Short names for key events, for logs, the demo and test failures: "down", "F5", "ctrl-s", "char(x)",
/// "resize 80x24", "mouse 3,10".
extension KeyEvent: CustomStringConvertible {
    public var description: String {
        switch self {
        case .character(let character): return "char(\(character))"
        case .enter: return "enter"
        case .escape: return "escape"
        case .tab: return "tab"
        case .backTab: return "backtab"
        case .backspace: return "backspace"
        case .delete: return "delete"
        case .insert: return "insert"
        case .up: return "up"
        case .down: return "down"
        case .left: return "left"
        case .right: return "right"
        case .home: return "home"
        case .end: return "end"
        case .pageUp: return "pageup"
        case .pageDown: return "pagedown"
        case .function(let number): return "F\(number)"
        case .control(let letter): return "ctrl-\(letter)"
        case .resize(let size): return "resize \(size.columns)x\(size.rows)"
        case .mouse(let row, let column): return "mouse \(row),\(column)"
        }
    }
}
