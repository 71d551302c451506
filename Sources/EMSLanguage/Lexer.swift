/// Tokenizer for the PowerShell subset.
///
/// PowerShell tokenizes the same characters differently depending on where the parser is:
/// after a command name, `-Name` is a parameter and `10.1.2.10` is a plain word ("argument
/// mode"); inside `{ }` or `( )` `-eq` is an operator and `5` a number ("expression mode").
/// So the parser asks for each token in the mode it needs, and the lexer works on demand
/// from a position instead of producing one token list up front.

enum LexMode {
    /// Operators, numbers, identifiers.
    case expression
    /// Command arguments: `-Name` is a parameter, everything else a generic token.
    case argument
    /// A value in argument mode (after `-Name:` or a comma): `-x` is just text here.
    case argumentValue
}

enum StringSegment: Equatable {
    case text(String)
    case variable(String)
    /// `$( ... )` inside a double-quoted string: character offsets of the inner source.
    case subexpression(start: Int, end: Int)
}

enum TokenKind: Equatable {
    case eof, newline, semicolon, pipe, comma, dot, assign
    case lParen, rParen, lBrace, rBrace, lBracket, rBracket
    /// `@(`, `@{`, `$(`
    case atParen, atBrace, dollarParen
    /// `$name` (without the dollar); `$_` is "_".
    case variable(String)
    /// `'single-quoted'`, already unescaped.
    case verbatimString(String)
    /// `"double-quoted"` with its expansions.
    case expandableString([StringSegment])
    case number(PSValue)
    /// A generic token in argument mode, an identifier in expression mode.
    case word(String)
    /// `-Name` or `-Name:` in argument mode.
    case parameter(String, colon: Bool)
    /// Operators in expression mode: `-eq` (lowercased, with its dash), `!`, `+`, `-`, `*`, `/`, `%`.
    case op(String)
}

struct Token: Equatable {
    var kind: TokenKind
    /// Character offsets into the source.
    var start: Int
    var end: Int
    var spaceBefore: Bool
}

/// Character classes, including the typographic quotes and dashes that creep in when
/// commands are copied from documentation pages (PowerShell accepts them too).
public enum CharClass {
    public static func isSpace(_ c: Character) -> Bool {
        c == " " || c == "\t" || c == "\u{00A0}" || c == "\u{000C}" || c == "\u{000B}"
    }

    public static func isNewline(_ c: Character) -> Bool { c == "\n" || c == "\r\n" || c == "\r" }

    public static func isDash(_ c: Character) -> Bool {
        c == "-" || c == "\u{2013}" || c == "\u{2014}" || c == "\u{2015}"
    }

    public static func isSingleQuote(_ c: Character) -> Bool {
        c == "'" || c == "\u{2018}" || c == "\u{2019}" || c == "\u{201A}" || c == "\u{201B}"
    }

    public static func isDoubleQuote(_ c: Character) -> Bool {
        c == "\"" || c == "\u{201C}" || c == "\u{201D}" || c == "\u{201E}"
    }

    public static func isQuote(_ c: Character) -> Bool { isSingleQuote(c) || isDoubleQuote(c) }

    public static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

    public static func isIdentifierStart(_ c: Character) -> Bool { c.isLetter || c == "_" }

    public static func isIdentifierChar(_ c: Character) -> Bool { c.isLetter || isDigit(c) || c == "_" }

    /// Characters that end a generic (bareword) token in argument mode.
    public static func endsGenericToken(_ c: Character) -> Bool {
        isSpace(c) || isNewline(c) || c == ";" || c == "|" || c == "," || c == "(" || c == ")"
            || c == "{" || c == "}"
    }
}

struct Lexer {
    let chars: [Character]
    var pos: Int
    /// End of the region being lexed (a `$( )` inside a string is parsed as its own region).
    let limit: Int

    init(chars: [Character], start: Int = 0, limit: Int? = nil) {
        self.chars = chars
        self.pos = start
        self.limit = limit ?? chars.count
    }

    var current: Character? { pos < limit ? chars[pos] : nil }

    func char(at index: Int) -> Character? { index >= 0 && index < limit ? chars[index] : nil }

    func error(_ message: String, at offset: Int) -> EMSParseError {
        EMSParseError(message: message, source: chars, offset: offset)
    }

    /// Skips spaces, comments and backtick line continuations, but not newlines, which end
    /// statements. Returns whether anything was skipped.
    @discardableResult
    mutating func skipTrivia() -> Bool {
        let start = pos
        while let c = current {
            if CharClass.isSpace(c) {
                pos += 1
            } else if c == "`", let next = char(at: pos + 1), CharClass.isNewline(next) {
                pos += 2
            } else if c == "<", char(at: pos + 1) == "#" {
                pos += 2
                while pos < limit, !(chars[pos] == "#" && char(at: pos + 1) == ">") { pos += 1 }
                pos = min(pos + 2, limit)
            } else if c == "#" {
                while let d = current, !CharClass.isNewline(d) { pos += 1 }
            } else {
                break
            }
        }
        return pos > start
    }

    /// Skips trivia and newlines, where PowerShell lets a construct continue on the next
    /// line (after `|`, `,`, an operator, an opening bracket).
    mutating func skipTriviaAndNewlines() {
        while true {
            skipTrivia()
            guard let c = current, CharClass.isNewline(c) else { return }
            pos += 1
        }
    }

    func peek(_ mode: LexMode) throws -> Token {
        var copy = self
        return try copy.next(mode)
    }

    mutating func next(_ mode: LexMode) throws -> Token {
        let spaced = skipTrivia()
        let start = pos
        guard let c = current else { return token(.eof, start, spaced) }

        if CharClass.isNewline(c) {
            pos += 1
            return token(.newline, start, spaced)
        }
        let single: TokenKind? =
            switch c {
            case ";": .semicolon
            case "|": .pipe
            case ",": .comma
            case "(": .lParen
            case ")": .rParen
            case "{": .lBrace
            case "}": .rBrace
            default: nil
            }
        if let single {
            pos += 1
            return token(single, start, spaced)
        }
        if c == "@", let next = char(at: pos + 1), next == "(" || next == "{" {
            pos += 2
            return token(next == "(" ? .atParen : .atBrace, start, spaced)
        }
        if c == "$", let kind = try lexDollar() {
            return token(kind, start, spaced)
        }
        if CharClass.isSingleQuote(c) {
            let text = try lexSingleQuoted()
            return token(.verbatimString(text), start, spaced)
        }
        if CharClass.isDoubleQuote(c) {
            let segments = try lexDoubleQuoted()
            return token(.expandableString(segments), start, spaced)
        }
        switch mode {
        case .expression:
            let kind = try lexExpressionToken(c)
            return token(kind, start, spaced)
        case .argument, .argumentValue:
            if mode == .argument, CharClass.isDash(c), let next = char(at: pos + 1),
                CharClass.isIdentifierStart(next) || next == "?"
            {
                let kind = lexParameter()
                return token(kind, start, spaced)
            }
            let kind = lexGeneric()
            return token(kind, start, spaced)
        }
    }

    /// Call only after the token's characters are consumed: a call such as
    /// `token(lexGeneric(), ...)` would read `pos` before the argument advanced it.
    private func token(_ kind: TokenKind, _ start: Int, _ spaced: Bool) -> Token {
        Token(kind: kind, start: start, end: pos, spaceBefore: spaced)
    }

    /// The source text from `offset` to the next whitespace, for "Unexpected token" messages.
    func lexeme(at offset: Int) -> String {
        var end = offset
        while end < limit, !CharClass.isSpace(chars[end]), !CharClass.isNewline(chars[end]) { end += 1 }
        if end == offset, offset < limit { end += 1 }
        return String(chars[offset..<min(end, limit)])
    }

    // MARK: - Variables

    /// `$name`, `${any name}`, `$scope:name`, `$(`; nil when the dollar starts nothing (then
    /// it is a plain character).
    private mutating func lexDollar() throws -> TokenKind? {
        guard let next = char(at: pos + 1) else { return nil }
        if next == "(" {
            pos += 2
            return .dollarParen
        }
        if next == "{" {
            var end = pos + 2
            while end < limit, chars[end] != "}" { end += 1 }
            guard end < limit else { throw error("Missing '}' in variable reference.", at: pos) }
            let name = String(chars[(pos + 2)..<end])
            pos = end + 1
            return .variable(name)
        }
        if CharClass.isIdentifierChar(next) {
            var end = pos + 1
            while let d = char(at: end), CharClass.isIdentifierChar(d) { end += 1 }
            // Scope-qualified names such as $global:x or $env:Path.
            if char(at: end) == ":", let d = char(at: end + 1), CharClass.isIdentifierStart(d) {
                end += 1
                while let d = char(at: end), CharClass.isIdentifierChar(d) { end += 1 }
            }
            let name = String(chars[(pos + 1)..<end])
            pos = end
            return .variable(name)
        }
        if next == "?" || next == "^" || next == "$" {
            pos += 2
            return .variable(String(next))
        }
        return nil
    }

    // MARK: - Strings

    /// `'text'`; two quotes stand for one.
    private mutating func lexSingleQuoted() throws -> String {
        let start = pos
        pos += 1
        var text = ""
        while true {
            guard let c = current else {
                throw error("The string is missing the terminator: '.", at: start)
            }
            if CharClass.isSingleQuote(c) {
                if let next = char(at: pos + 1), CharClass.isSingleQuote(next) {
                    text.append("'")
                    pos += 2
                    continue
                }
                pos += 1
                return text
            }
            text.append(c)
            pos += 1
        }
    }

    /// `"text"` with backtick escapes, `""` for a quote, `$var`, `${var}` and `$( ... )`.
    private mutating func lexDoubleQuoted() throws -> [StringSegment] {
        let start = pos
        pos += 1
        var segments: [StringSegment] = []
        var buffer = ""
        func flush() {
            if !buffer.isEmpty { segments.append(.text(buffer)) }
            buffer = ""
        }
        while true {
            guard let c = current else {
                throw error("The string is missing the terminator: \".", at: start)
            }
            if CharClass.isDoubleQuote(c) {
                if let next = char(at: pos + 1), CharClass.isDoubleQuote(next) {
                    buffer.append("\"")
                    pos += 2
                    continue
                }
                pos += 1
                flush()
                return segments
            }
            if c == "`" {
                guard let next = char(at: pos + 1) else {
                    throw error("The string is missing the terminator: \".", at: start)
                }
                buffer.append(Lexer.escape(next))
                pos += 2
                continue
            }
            if c == "$", let next = char(at: pos + 1) {
                if next == "(" {
                    guard let close = matchingParen(from: pos + 2) else {
                        throw error("Missing closing ')' in subexpression.", at: pos)
                    }
                    flush()
                    segments.append(.subexpression(start: pos + 2, end: close))
                    pos = close + 1
                    continue
                }
                if next == "{" {
                    var end = pos + 2
                    while end < limit, chars[end] != "}" { end += 1 }
                    if end < limit {
                        flush()
                        segments.append(.variable(String(chars[(pos + 2)..<end])))
                        pos = end + 1
                        continue
                    }
                }
                if CharClass.isIdentifierChar(next) {
                    // In strings `$name.Prop` expands `$name` only, as in PowerShell.
                    var end = pos + 1
                    while let d = char(at: end), CharClass.isIdentifierChar(d) { end += 1 }
                    flush()
                    segments.append(.variable(String(chars[(pos + 1)..<end])))
                    pos = end
                    continue
                }
            }
            buffer.append(c)
            pos += 1
        }
    }

    static func escape(_ c: Character) -> Character {
        switch c {
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "0": return "\0"
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "e": return "\u{1B}"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        default: return c
        }
    }

    /// The offset of the `)` closing a `$(` whose content starts at `start`, skipping nested
    /// parentheses and quoted strings.
    private func matchingParen(from start: Int) -> Int? {
        var depth = 0
        var i = start
        while i < limit {
            let c = chars[i]
            if CharClass.isSingleQuote(c) || CharClass.isDoubleQuote(c) {
                let single = CharClass.isSingleQuote(c)
                i += 1
                while i < limit {
                    let d = chars[i]
                    if !single, d == "`" { i += 2; continue }
                    if single ? CharClass.isSingleQuote(d) : CharClass.isDoubleQuote(d) { break }
                    i += 1
                }
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                if depth == 0 { return i }
                depth -= 1
            }
            i += 1
        }
        return nil
    }

    // MARK: - Argument mode

    /// `-Name` or `-Name:`; the colon form takes the next value as its argument.
    private mutating func lexParameter() -> TokenKind {
        var end = pos + 1
        while let d = char(at: end), !CharClass.endsGenericToken(d), d != ":" { end += 1 }
        let name = String(chars[(pos + 1)..<end])
        let colon = char(at: end) == ":"
        pos = colon ? end + 1 : end
        return .parameter(name, colon: colon)
    }

    /// A bareword such as `10.10.1.1:25`, `MBX01\Relay` or `36MB`. It is a number only if the
    /// whole token reads as one, so IP addresses and ranges stay text.
    private mutating func lexGeneric() -> TokenKind {
        let start = pos
        var text = ""
        while let c = current, !CharClass.endsGenericToken(c) {
            if c == "`" {
                guard let next = char(at: pos + 1) else {
                    text.append(c)
                    pos += 1
                    break
                }
                if CharClass.isNewline(next) { break }  // line continuation ends the token
                text.append(Lexer.escape(next))
                pos += 2
                continue
            }
            text.append(c)
            pos += 1
        }
        if let number = NumberLiteral.parse(String(chars[start..<pos])) {
            return .number(number)
        }
        return .word(text)
    }

    // MARK: - Expression mode

    private mutating func lexExpressionToken(_ c: Character) throws -> TokenKind {
        let start = pos
        switch c {
        case "[": pos += 1; return .lBracket
        case "]": pos += 1; return .rBracket
        case "=": pos += 1; return .assign
        case "!", "+", "*", "/", "%": pos += 1; return .op(String(c))
        case ".":
            if let next = char(at: pos + 1), CharClass.isDigit(next) { return try lexNumber() }
            pos += 1
            return .dot
        default: break
        }
        if CharClass.isDash(c) {
            guard let next = char(at: pos + 1), next.isLetter else {
                pos += 1
                return .op("-")
            }
            var end = pos + 1
            while let d = char(at: end), d.isLetter { end += 1 }
            let name = String(chars[(pos + 1)..<end]).lowercased()
            guard OperatorTable.isKnown(name) else {
                throw error(
                    "Unexpected token '\(String(chars[start..<end]))' in expression or statement.", at: start)
            }
            pos = end
            return .op("-" + name)
        }
        if CharClass.isDigit(c) { return try lexNumber() }
        if CharClass.isIdentifierStart(c) {
            var end = pos
            while let d = char(at: end), CharClass.isIdentifierChar(d) { end += 1 }
            let word = String(chars[pos..<end])
            pos = end
            return .word(word)
        }
        throw error("Unexpected token '\(lexeme(at: start))' in expression or statement.", at: start)
    }

    private mutating func lexNumber() throws -> TokenKind {
        let start = pos
        var end = pos
        var previous: Character = " "
        while let d = char(at: end) {
            let exponentSign =
                (d == "+" || d == "-") && (previous == "e" || previous == "E")
                && !String(chars[start..<end]).lowercased().hasPrefix("0x")
            let fraction = d == "." && (char(at: end + 1).map(CharClass.isDigit) ?? false)
            guard CharClass.isIdentifierChar(d) || fraction || exponentSign else { break }
            previous = d
            end += 1
        }
        let text = String(chars[start..<end])
        guard let value = NumberLiteral.parse(text) else {
            throw error("Unexpected token '\(text)' in expression or statement.", at: start)
        }
        pos = end
        return .number(value)
    }
}

/// The dash operators of expression mode and how they map onto the syntax tree.
enum OperatorTable {
    static let logical: [String: PSBinaryOperator] = ["and": .and, "or": .or, "xor": .xor]

    static func isKnown(_ name: String) -> Bool {
        name == "not" || name == "join" || logical[name] != nil || comparison(name) != nil
    }

    /// `eq` → (.eq, insensitive); `ceq` → (.eq, sensitive); `ieq` → (.eq, insensitive).
    static func comparison(_ name: String) -> (PSComparisonOperator, Bool)? {
        if let op = PSComparisonOperator(rawValue: name) { return (op, false) }
        if name.hasPrefix("c"), let op = PSComparisonOperator(rawValue: String(name.dropFirst())) {
            return (op, true)
        }
        if name.hasPrefix("i"), let op = PSComparisonOperator(rawValue: String(name.dropFirst())) {
            return (op, false)
        }
        return nil
    }

    /// The binary operator for an `.op` token text such as "-eq" or "+", if it is one.
    static func binary(_ text: String) -> PSBinaryOperator? {
        switch text {
        case "+": return .add
        case "-": return .subtract
        case "*": return .multiply
        case "/": return .divide
        case "%": return .modulo
        case "-join": return .join
        default: break
        }
        guard text.hasPrefix("-") else { return nil }
        let name = String(text.dropFirst())
        if let op = logical[name] { return op }
        if let (op, caseSensitive) = comparison(name) { return .comparison(op, caseSensitive: caseSensitive) }
        return nil
    }
}
