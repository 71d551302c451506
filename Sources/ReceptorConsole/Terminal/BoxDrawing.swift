/// The line-drawing characters for frames, dividers and tables, so widgets never hard-code either set:
/// Unicode box drawing under a UTF-8 locale, ASCII (`-`, `|`, `+`) otherwise. A focused frame uses the
/// heavy or double set (ASCII: `=` for its horizontal lines).
///
///     let box = BoxDrawing.for(screen, weight: focused ? .double : .light)
///     screen.put(box.top(width: 20), row: 0, column: 0, style: CellStyle(.border))
public struct BoxDrawing: Hashable, Sendable {
    public enum Weight: Hashable, Sendable {
        /// ─ │ ┌ ┐ └ ┘ ├ ┤ ┬ ┴ ┼
        case light
        /// ━ ┃ ┏ ┓ ┗ ┛ ┣ ┫ ┳ ┻ ╋
        case heavy
        /// ═ ║ ╔ ╗ ╚ ╝ ╠ ╣ ╦ ╩ ╬
        case double
    }

    public let horizontal: Character
    public let vertical: Character
    public let topLeft: Character
    public let topRight: Character
    public let bottomLeft: Character
    public let bottomRight: Character
    /// ├ where a divider meets the left side.
    public let leftTee: Character
    /// ┤ where a divider meets the right side.
    public let rightTee: Character
    /// ┬ where a column line meets the top.
    public let topTee: Character
    /// ┴ where a column line meets the bottom.
    public let bottomTee: Character
    /// ┼ where lines cross.
    public let cross: Character

    public init(unicode: Bool, weight: Weight = .light) {
        let set: [Character]
        switch (unicode, weight) {
        case (true, .light): set = Array("─│┌┐└┘├┤┬┴┼")
        case (true, .heavy): set = Array("━┃┏┓┗┛┣┫┳┻╋")
        case (true, .double): set = Array("═║╔╗╚╝╠╣╦╩╬")
        case (false, .light): set = Array("-|+++++++++")
        case (false, .heavy), (false, .double): set = Array("=|+++++++++")
        }
        horizontal = set[0]; vertical = set[1]
        topLeft = set[2]; topRight = set[3]; bottomLeft = set[4]; bottomRight = set[5]
        leftTee = set[6]; rightTee = set[7]; topTee = set[8]; bottomTee = set[9]; cross = set[10]
    }

    /// The set for a screen: Unicode when the screen can show it.
    public static func `for`(_ screen: Screen, weight: Weight = .light) -> BoxDrawing {
        BoxDrawing(unicode: screen.unicode, weight: weight)
    }

    /// A horizontal line `length` cells long.
    public func horizontalLine(_ length: Int) -> String {
        String(repeating: horizontal, count: max(0, length))
    }

    /// The top edge of a box `width` cells wide (corners included): ┌──┐.
    public func top(width: Int) -> String { edge(width: width, left: topLeft, right: topRight) }
    /// The bottom edge: └──┘.
    public func bottom(width: Int) -> String { edge(width: width, left: bottomLeft, right: bottomRight) }
    /// A divider across a box: ├──┤.
    public func divider(width: Int) -> String { edge(width: width, left: leftTee, right: rightTee) }

    private func edge(width: Int, left: Character, right: Character) -> String {
        switch width {
        case ..<1: return ""
        case 1: return String(horizontal)
        default: return String(left) + horizontalLine(width - 2) + String(right)
        }
    }
}

extension Screen {
    /// Draws a box's frame (not its inside) with the line-drawing set this screen supports; a title, if
    /// given, sits in the top edge: ┌ Title ───┐. Clipped like any text.
    public func drawBox(
        row: Int, column: Int, height: Int, width: Int, weight: BoxDrawing.Weight = .light,
        style: CellStyle = CellStyle(.border), title: String? = nil, titleStyle: CellStyle? = nil
    ) {
        guard height >= 1, width >= 1 else { return }
        let box = BoxDrawing.for(self, weight: weight)
        put(box.top(width: width), row: row, column: column, style: style)
        if height >= 2 {
            for line in (row + 1)..<(row + height - 1) {
                put(String(box.vertical), row: line, column: column, style: style)
                if width >= 2 { put(String(box.vertical), row: line, column: column + width - 1, style: style) }
            }
            put(box.bottom(width: width), row: row + height - 1, column: column, style: style)
        }
        if let title, !title.isEmpty, width >= 5 {
            let text = CellWidth.prefix(" \(title) ", width: width - 2, unicode: unicode)
            put(text, row: row, column: column + 1, style: titleStyle ?? style)
        }
    }
}
