/// A one-line text editor: a buffer and a cursor. Keys it does not use are returned unhandled.
struct TextField: Equatable {
    var text: String
    var cursor: Int

    init(_ text: String = "") { self.text = text; cursor = text.count }

    /// Returns true if the key was used (the text or cursor changed or could have).
    mutating func handle(_ event: KeyEvent) -> Bool {
        var chars = Array(text)
        switch event {
        case .character(let c) where !c.isNewline:
            chars.insert(c, at: cursor); cursor += 1
        case .backspace:
            guard cursor > 0 else { return true }
            chars.remove(at: cursor - 1); cursor -= 1
        case .delete:
            guard cursor < chars.count else { return true }
            chars.remove(at: cursor)
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(chars.count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = chars.count
        case .control("u"): chars.removeAll(); cursor = 0
        default: return false
        }
        text = String(chars)
        return true
    }

    /// The visible part for a field `width` cells wide and the cursor's column inside it.
    func visible(width: Int) -> (String, Int) {
        guard width > 0 else { return ("", 0) }
        let chars = Array(text)
        let start = max(0, cursor - width + 1)
        let shown = String(chars[start..<min(chars.count, start + width)])
        return (shown, cursor - start)
    }
}
