import ReceptorConsole

/// Text attributes the driver turns into curses `A_*` bits (kept free of curses so it can be tested).
struct TextAttributes: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    static let bold = TextAttributes(rawValue: 1 << 0)
    static let reverse = TextAttributes(rawValue: 1 << 1)
    static let underline = TextAttributes(rawValue: 1 << 2)
    static let dim = TextAttributes(rawValue: 1 << 3)
}

/// How a cell is drawn: a colour pair (0 = the terminal's default colours) and attributes.
struct TerminalLook: Hashable, Sendable {
    var pair: Int16
    var attributes: TextAttributes
}

/// The colours and monochrome attributes of each `CellStyle.Role`, in one table.
///
/// Colours are the eight ANSI colours (what every colour terminal has); -1 is the terminal's default
/// foreground or background (`use_default_colors`). Without colour (NO_COLOR, a monochrome terminal)
/// roles map to bold, reverse, underline and dim only. A style's own bold/reverse/underline flags are added
/// to the role's look in both cases.
enum CursesPalette {
    /// Colour numbers as curses defines them (COLOR_BLACK = 0 … COLOR_WHITE = 7); -1 = terminal default.
    enum Colour: Int16, Sendable {
        case terminalDefault = -1
        case black = 0, red, green, yellow, blue, magenta, cyan, white
    }

    struct Entry: Hashable, Sendable {
        var foreground: Colour
        var background: Colour
        var colourAttributes: TextAttributes
        var monochromeAttributes: TextAttributes
    }

    /// Every role with its own colour pair, in pair order (pair n is roles[n - 1]); `.normal` uses pair 0.
    static let roles: [CellStyle.Role] = [
        .title, .selection, .header, .hint, .hintKey, .error, .warning, .success, .dim,
        .field, .focusedField, .button, .focusedButton, .border,
    ]

    static func entry(for role: CellStyle.Role) -> Entry {
        switch role {
        case .normal: return Entry(foreground: .terminalDefault, background: .terminalDefault, colourAttributes: [], monochromeAttributes: [])
        case .title: return Entry(foreground: .white, background: .blue, colourAttributes: .bold, monochromeAttributes: [.reverse, .bold])
        case .selection: return Entry(foreground: .black, background: .cyan, colourAttributes: [], monochromeAttributes: .reverse)
        case .header:
            return Entry(foreground: .cyan, background: .terminalDefault, colourAttributes: .bold, monochromeAttributes: [.bold, .underline])
        case .hint: return Entry(foreground: .white, background: .blue, colourAttributes: [], monochromeAttributes: [])
        case .hintKey: return Entry(foreground: .yellow, background: .blue, colourAttributes: .bold, monochromeAttributes: .reverse)
        case .error: return Entry(foreground: .red, background: .terminalDefault, colourAttributes: .bold, monochromeAttributes: .bold)
        case .warning: return Entry(foreground: .yellow, background: .terminalDefault, colourAttributes: .bold, monochromeAttributes: .bold)
        case .success: return Entry(foreground: .green, background: .terminalDefault, colourAttributes: [], monochromeAttributes: [])
        case .dim: return Entry(foreground: .terminalDefault, background: .terminalDefault, colourAttributes: .dim, monochromeAttributes: .dim)
        case .field: return Entry(foreground: .black, background: .white, colourAttributes: [], monochromeAttributes: .underline)
        case .focusedField: return Entry(foreground: .black, background: .cyan, colourAttributes: [], monochromeAttributes: .reverse)
        case .button: return Entry(foreground: .black, background: .white, colourAttributes: [], monochromeAttributes: [])
        case .focusedButton: return Entry(foreground: .white, background: .red, colourAttributes: .bold, monochromeAttributes: .reverse)
        case .border: return Entry(foreground: .cyan, background: .terminalDefault, colourAttributes: [], monochromeAttributes: [])
        }
    }

    static func pair(for role: CellStyle.Role) -> Int16 {
        guard let index = roles.firstIndex(of: role) else { return 0 }
        return Int16(index + 1)
    }

    /// The look of a style: with colour, the role's pair and attributes; without, its monochrome attributes.
    static func look(for style: CellStyle, color: Bool) -> TerminalLook {
        let entry = entry(for: style.role)
        var attributes = color ? entry.colourAttributes : entry.monochromeAttributes
        if style.bold { attributes.insert(.bold) }
        if style.reverse { attributes.insert(.reverse) }
        if style.underline { attributes.insert(.underline) }
        return TerminalLook(pair: color ? pair(for: style.role) : 0, attributes: attributes)
    }
}
