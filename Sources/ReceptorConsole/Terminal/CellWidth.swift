/// How many terminal cells a character takes, and how text is laid out in a row of cells. Both screens (the
/// curses driver and `MemoryScreen`) use this, so a golden test's columns are the terminal's columns.
///
/// Rules, close to glibc's `wcwidth` and the East Asian Width property (UAX #11), without dependencies:
/// - printable ASCII: 1 cell;
/// - East Asian Wide and Fullwidth (CJK, Hangul syllables, kana, fullwidth forms) and emoji with emoji
///   presentation (or followed by VS16, U+FE0F), and flags (regional indicators): 2 cells;
/// - control characters, and a cluster that starts with a combining mark or a format character (a stray
///   U+0301, U+200B): not drawn (0 cells);
/// - everything else: 1 cell.
/// A `Character` is a grapheme cluster: "e" + U+0301 is one character of one cell.
public enum CellWidth {
    /// Cells taken by `character` when drawn; 0 for what the screens skip.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.isASCII {
            return (0x20...0x7E).contains(first.value) ? 1 : 0
        }
        switch first.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .nonspacingMark, .enclosingMark, .format,
            .surrogate, .unassigned:
            return 0
        default:
            break
        }
        if isZeroWidthJamo(first.value) { return 0 }
        if (0x1F1E6...0x1F1FF).contains(first.value) { return 2 }  // regional indicators (flags)
        if first.properties.isEmojiPresentation { return 2 }
        if first.properties.isEmoji && scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        return isWide(first.value) ? 2 : 1
    }

    /// Cells taken by `text` (what the screens draw of it).
    public static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// Cells taken by `text` on a screen: non-ASCII characters count as the one-cell "?" without Unicode.
    public static func of(_ text: String, unicode: Bool) -> Int {
        text.reduce(0) { $0 + (glyph(for: $1, unicode: unicode)?.width ?? 0) }
    }

    /// What a screen draws for `character`: the character itself, "?" for non-ASCII text when the terminal
    /// is not Unicode (a non-UTF-8 locale), or nil for what is not drawn.
    public static func glyph(for character: Character, unicode: Bool) -> (character: Character, width: Int)? {
        let width = of(character)
        guard width > 0 else { return nil }
        if !unicode && !character.isASCII { return ("?", 1) }
        return (character, width)
    }

    /// One character placed on a row.
    public struct Placement: Hashable, Sendable {
        public var column: Int
        public var character: Character
        public var width: Int
    }

    /// Lays `text` out from `column` on a row `columns` wide, clipped: characters that fall (even half) outside
    /// 0..<columns are left out; undrawable characters take no cell. Both screens draw exactly this.
    public static func layout(_ text: String, column: Int, columns: Int, unicode: Bool) -> [Placement] {
        var placements: [Placement] = []
        var position = column
        for character in text {
            if position >= columns { break }
            guard let (glyph, width) = glyph(for: character, unicode: unicode) else { continue }
            if position >= 0 && position + width <= columns {
                placements.append(Placement(column: position, character: glyph, width: width))
            }
            position += width
        }
        return placements
    }

    /// Truncates `text` to at most `width` cells (whole characters only).
    public static func prefix(_ text: String, width: Int, unicode: Bool = true) -> String {
        var used = 0
        var result = ""
        for character in text {
            let cells = glyph(for: character, unicode: unicode)?.width ?? 0
            if used + cells > width { break }
            used += cells
            result.append(character)
        }
        return result
    }

    /// Hangul Jungseong and Jongseong (conjoining vowels and finals): zero width, as in wcwidth.
    private static func isZeroWidthJamo(_ value: UInt32) -> Bool {
        (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value)
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges, merged and slightly simplified (UAX #11, Unicode 15).
    /// Emoji are handled by their emoji-presentation property instead.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,  // Hangul Jamo initial consonants
        0x2329...0x232A,  // angle brackets
        0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
        0x3400...0x4DBF,  // CJK extension A
        0x4E00...0x9FFF,  // CJK unified ideographs
        0xA000...0xA4CF,  // Yi
        0xA960...0xA97F,  // Hangul Jamo extended A
        0xAC00...0xD7A3,  // Hangul syllables
        0xF900...0xFAFF,  // CJK compatibility ideographs
        0xFE10...0xFE19,  // vertical forms
        0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
        0xFF00...0xFF60,  // fullwidth forms
        0xFFE0...0xFFE6,  // fullwidth signs
        0x16FE0...0x16FE4,  // ideographic symbols
        0x17000...0x18CFF,  // Tangut, Khitan
        0x1B000...0x1B2FF,  // kana supplement and extensions, Nushu
        0x1F200...0x1F2FF,  // enclosed ideographic supplement
        0x20000...0x2FFFD,  // CJK extensions B–F
        0x30000...0x3FFFD,  // CJK extensions G–H
    ]

    private static func isWide(_ value: UInt32) -> Bool {
        if value < 0x1100 { return false }
        var low = 0
        var high = wideRanges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = wideRanges[middle]
            if value < range.lowerBound {
                high = middle - 1
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }
}
