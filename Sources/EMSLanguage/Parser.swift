/// Parses the PowerShell subset into a `PSScript`.
public enum PSParser: Sendable {
    public static func parse(_ text: String) throws -> PSScript {
        var parser = Parser(chars: Array(text))
        return try parser.parseStatements(closer: nil)
    }
}

/// Recursive-descent parser. It drives the lexer in the mode each position needs (see
/// `LexMode`) and looks at raw characters for structure (separators, closers).
///
/// Expression precedence follows the PowerShell language specification, loosest first:
/// `-and -or -xor` (equal, left-associative) < comparison operators < `+ -` < `* / %` <
/// `,` (array literal) < unary `-not ! - +` < postfix `.Member [index]` < primary.
struct Parser {
    var lexer: Lexer
    /// False inside method-call parentheses, where commas separate arguments.
    private var commaBuildsArrays = true

    init(chars: [Character], start: Int = 0, limit: Int? = nil) {
        lexer = Lexer(chars: chars, start: start, limit: limit)
    }

    private var chars: [Character] { lexer.chars }

    private func error(_ message: String, at offset: Int) -> EMSParseError {
        lexer.error(message, at: offset)
    }

    private func unexpected(at offset: Int) -> EMSParseError {
        error("Unexpected token '\(lexer.lexeme(at: offset))' in expression or statement.", at: offset)
    }

    private func unexpected(_ token: Token) -> EMSParseError {
        if token.kind == .eof { return error("An expression was expected.", at: token.start) }
        let text = String(chars[token.start..<max(token.end, token.start)])
        return error("Unexpected token '\(text)' in expression or statement.", at: token.start)
    }

    /// Whether the parser sits where a statement ends.
    private var atStatementEnd: Bool {
        guard let c = lexer.current else { return true }
        return CharClass.isNewline(c) || c == ";" || c == ")" || c == "}"
    }

    // MARK: - Statements

    struct Closer {
        let char: Character
        let missingMessage: String
        let openOffset: Int
    }

    /// Statements up to `closer` (not consumed) or the end of input.
    mutating func parseStatements(closer: Closer?) throws -> PSScript {
        var statements: [PSStatement] = []
        while true {
            lexer.skipTrivia()
            guard let c = lexer.current else {
                if let closer { throw error(closer.missingMessage, at: closer.openOffset) }
                break
            }
            if CharClass.isNewline(c) || c == ";" {
                lexer.pos += 1
                continue
            }
            if let closer, c == closer.char { break }
            if c == ")" || c == "}" { throw unexpected(at: lexer.pos) }
            statements.append(try parseStatement())
            lexer.skipTrivia()
            if let c = lexer.current, !(CharClass.isNewline(c) || c == ";" || c == closer?.char) {
                if c == ")" || c == "}", let closer {
                    throw error(closer.missingMessage, at: closer.openOffset)
                }
                throw unexpected(at: lexer.pos)
            }
        }
        return PSScript(statements: statements)
    }

    private mutating func parseStatement() throws -> PSStatement {
        if lexer.current == "$" {
            var probe = lexer
            if let token = try? probe.next(.expression), case .variable(let name) = token.kind {
                probe.skipTrivia()
                if probe.current == "=", probe.char(at: probe.pos + 1) != "=" {
                    let assignOffset = probe.pos
                    probe.pos += 1
                    lexer = probe
                    lexer.skipTriviaAndNewlines()
                    if atStatementEnd {
                        throw error(
                            "You must provide a value expression on the right-hand side of the '=' operator.",
                            at: assignOffset)
                    }
                    return .assignment(variable: name, value: try parsePipeline())
                }
            }
        }
        return .pipeline(try parsePipeline())
    }

    mutating func parsePipeline() throws -> PSPipeline {
        var elements = [try parsePipelineElement(first: true)]
        while true {
            lexer.skipTrivia()
            guard lexer.current == "|" else { break }
            let pipeOffset = lexer.pos
            lexer.pos += 1
            lexer.skipTriviaAndNewlines()
            if atStatementEnd || lexer.current == "|" {
                throw error("An empty pipe element is not allowed.", at: pipeOffset)
            }
            elements.append(try parsePipelineElement(first: false))
        }
        return PSPipeline(elements: elements)
    }

    private mutating func parsePipelineElement(first: Bool) throws -> PSPipelineElement {
        lexer.skipTrivia()
        if startsCommand {
            return .command(try parseCommand())
        }
        guard first else {
            throw error("Expressions are only allowed as the first element of a pipeline.", at: lexer.pos)
        }
        return .expression(try parseExpression())
    }

    /// A statement starting with a name is a command (PowerShell has no bare identifiers in
    /// expressions); `?` and `%` are the Where-Object / ForEach-Object aliases.
    private var startsCommand: Bool {
        guard let c = lexer.current else { return false }
        return CharClass.isIdentifierStart(c) || c == "?" || c == "%"
    }

    // MARK: - Commands (argument mode)

    private mutating func parseCommand() throws -> PSCommand {
        let token = try lexer.next(.argument)
        guard case .word(let name) = token.kind else { throw unexpected(token) }
        var elements: [PSCommandElement] = []
        while true {
            lexer.skipTrivia()
            guard let c = lexer.current, !CharClass.isNewline(c), c != ";", c != "|", c != ")", c != "}"
            else { break }
            let next = try lexer.peek(.argument)
            if case .parameter(let parameter, let colon) = next.kind {
                lexer.pos = next.end
                if colon {
                    lexer.skipTrivia()
                    if atStatementEnd || lexer.current == "|" {
                        throw error("Missing an argument for parameter '\(parameter)'.", at: next.start)
                    }
                    elements.append(.parameter(name: parameter, argument: try parseCommandArgument()))
                } else {
                    elements.append(.parameter(name: parameter, argument: nil))
                }
            } else {
                elements.append(.argument(try parseCommandArgument()))
            }
        }
        return PSCommand(name: name, elements: elements)
    }

    /// One argument value, or a comma list of them (whitespace and newlines allowed around
    /// the commas), keeping the source text.
    private mutating func parseCommandArgument() throws -> PSCommandArgument {
        lexer.skipTrivia()
        let start = lexer.pos
        var items = [try parseArgumentPrimary()]
        var end = lexer.pos
        while true {
            var probe = lexer
            probe.skipTrivia()
            guard probe.current == "," else { break }
            probe.pos += 1
            probe.skipTriviaAndNewlines()
            lexer = probe
            items.append(try parseArgumentPrimary())
            end = lexer.pos
        }
        let expression = items.count == 1 ? items[0] : .arrayLiteral(items)
        return PSCommandArgument(expression: expression, sourceText: String(chars[start..<end]))
    }

    private mutating func parseArgumentPrimary() throws -> PSExpression {
        let token = try lexer.next(.argumentValue)
        switch token.kind {
        case .word(let word): return .constant(.string(word))
        case .number(let value): return .constant(value)
        case .verbatimString(let text): return try parsePostfix(.constant(.string(text)))
        case .expandableString(let segments): return try parsePostfix(try expandable(segments))
        case .variable(let name): return try parsePostfix(.variable(name))
        case .lParen, .dollarParen, .atParen, .atBrace, .lBrace:
            return try parsePostfix(try parseGroup(token))
        default: throw unexpected(token)
        }
    }

    // MARK: - Expressions

    mutating func parseExpression() throws -> PSExpression {
        try parseLogical()
    }

    /// The operator token that follows, if the next token is one (without consuming it).
    private func peekOperator() -> (text: String, token: Token)? {
        guard let token = try? lexer.peek(.expression), case .op(let text) = token.kind else { return nil }
        return (text, token)
    }

    /// Consumes an operator and checks that an operand follows it.
    private mutating func consumeOperator(_ token: Token) throws {
        lexer.pos = token.end
        lexer.skipTriviaAndNewlines()
        if atStatementEnd || lexer.current == "|" {
            let text = String(chars[token.start..<token.end])
            throw error("You must provide a value expression following the '\(text)' operator.", at: token.start)
        }
    }

    private mutating func parseLogical() throws -> PSExpression {
        var left = try parseComparison()
        while let (text, token) = peekOperator(), let op = OperatorTable.binary(text),
            op == .and || op == .or || op == .xor
        {
            try consumeOperator(token)
            left = .binary(op, left, try parseComparison())
        }
        return left
    }

    private mutating func parseComparison() throws -> PSExpression {
        var left = try parseAdditive()
        while let (text, token) = peekOperator(), let op = OperatorTable.binary(text) {
            if case .comparison = op {} else if op != .join { break }
            try consumeOperator(token)
            left = .binary(op, left, try parseAdditive())
        }
        return left
    }

    private mutating func parseAdditive() throws -> PSExpression {
        var left = try parseMultiplicative()
        while let (text, token) = peekOperator(), text == "+" || text == "-" {
            try consumeOperator(token)
            left = .binary(text == "+" ? .add : .subtract, left, try parseMultiplicative())
        }
        return left
    }

    private mutating func parseMultiplicative() throws -> PSExpression {
        var left = try parseArrayLiteral()
        while let (text, token) = peekOperator(), text == "*" || text == "/" || text == "%" {
            try consumeOperator(token)
            let op: PSBinaryOperator = text == "*" ? .multiply : text == "/" ? .divide : .modulo
            left = .binary(op, left, try parseArrayLiteral())
        }
        return left
    }

    private mutating func parseArrayLiteral() throws -> PSExpression {
        let first = try parseUnary()
        guard commaBuildsArrays else { return first }
        var items = [first]
        while true {
            var probe = lexer
            probe.skipTrivia()
            guard probe.current == "," else { break }
            probe.pos += 1
            probe.skipTriviaAndNewlines()
            lexer = probe
            items.append(try parseUnary())
        }
        return items.count == 1 ? first : .arrayLiteral(items)
    }

    private mutating func parseUnary() throws -> PSExpression {
        lexer.skipTrivia()
        if let (text, token) = peekOperator() {
            let op: PSUnaryOperator? =
                switch text {
                case "!", "-not": .not
                case "-": .negate
                case "+": .plus
                default: nil
                }
            if let op {
                try consumeOperator(token)
                return .unary(op, try parseUnary())
            }
        }
        if lexer.current == "," {
            let offset = lexer.pos
            lexer.pos += 1
            lexer.skipTrivia()
            if atStatementEnd {
                throw error("Missing expression after unary operator ','.", at: offset)
            }
            return .unary(.comma, try parseUnary())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws -> PSExpression {
        let token = try lexer.next(.expression)
        switch token.kind {
        case .variable(let name): return try parsePostfix(.variable(name))
        case .number(let value): return try parsePostfix(.constant(value))
        case .verbatimString(let text): return try parsePostfix(.constant(.string(text)))
        case .expandableString(let segments): return try parsePostfix(try expandable(segments))
        case .lParen, .dollarParen, .atParen, .atBrace, .lBrace:
            return try parsePostfix(try parseGroup(token))
        default:
            throw unexpected(token)
        }
    }

    /// `.Member`, `.Method(args)` and `[index]` directly after a value (no space before, as
    /// in PowerShell, where `$a .b` is not member access).
    private mutating func parsePostfix(_ base: PSExpression) throws -> PSExpression {
        var expression = base
        while let c = lexer.current {
            if c == ".", let next = lexer.char(at: lexer.pos + 1),
                CharClass.isIdentifierStart(next) || CharClass.isQuote(next)
            {
                lexer.pos += 1
                let name = try parseMemberName()
                if lexer.current == "(" {
                    let open = lexer.pos
                    lexer.pos += 1
                    expression = .methodCall(expression, name, try parseMethodArguments(open: open))
                } else {
                    expression = .member(expression, name)
                }
            } else if c == "[" {
                let open = lexer.pos
                lexer.pos += 1
                lexer.skipTriviaAndNewlines()
                let saved = commaBuildsArrays
                commaBuildsArrays = true
                let index = try parseExpression()
                commaBuildsArrays = saved
                lexer.skipTriviaAndNewlines()
                guard lexer.current == "]" else {
                    throw error("Missing ']' after array index expression.", at: open)
                }
                lexer.pos += 1
                expression = .index(expression, index)
            } else {
                break
            }
        }
        return expression
    }

    private mutating func parseMemberName() throws -> String {
        let token = try lexer.next(.expression)
        switch token.kind {
        case .word(let name): return name
        case .verbatimString(let name): return name
        case .expandableString(let segments):
            return segments.map { if case .text(let t) = $0 { t } else { "" } }.joined()
        default: throw unexpected(token)
        }
    }

    private mutating func parseMethodArguments(open: Int) throws -> [PSExpression] {
        lexer.skipTriviaAndNewlines()
        if lexer.current == ")" {
            lexer.pos += 1
            return []
        }
        let saved = commaBuildsArrays
        commaBuildsArrays = false
        defer { commaBuildsArrays = saved }
        var arguments: [PSExpression] = []
        while true {
            arguments.append(try parseExpression())
            lexer.skipTriviaAndNewlines()
            if lexer.current == "," {
                lexer.pos += 1
                lexer.skipTriviaAndNewlines()
                continue
            }
            if lexer.current == ")" {
                lexer.pos += 1
                return arguments
            }
            throw error("Missing closing ')' in method call.", at: open)
        }
    }

    // MARK: - Groups

    /// `( )`, `$( )`, `@( )`, `@{ }` and `{ }`, whose opening token has just been read.
    private mutating func parseGroup(_ open: Token) throws -> PSExpression {
        let saved = commaBuildsArrays
        commaBuildsArrays = true
        defer { commaBuildsArrays = saved }
        switch open.kind {
        case .lParen:
            lexer.skipTriviaAndNewlines()
            if lexer.current == nil { throw error("Missing closing ')' in expression.", at: open.start) }
            if lexer.current == ")" { throw error("An expression was expected after '('.", at: open.start) }
            let pipeline = try parsePipeline()
            lexer.skipTriviaAndNewlines()
            guard lexer.current == ")" else {
                if lexer.current == nil || lexer.current == "}" {
                    throw error("Missing closing ')' in expression.", at: open.start)
                }
                throw unexpected(at: lexer.pos)
            }
            lexer.pos += 1
            return .parenthesized(pipeline)
        case .dollarParen, .atParen:
            let body = try parseStatements(
                closer: Closer(char: ")", missingMessage: "Missing closing ')' in subexpression.", openOffset: open.start))
            lexer.pos += 1
            return open.kind == .dollarParen ? .subexpression(body) : .arraySubexpression(body)
        case .atBrace:
            return try parseHashtable(open: open.start)
        case .lBrace:
            let bodyStart = lexer.pos
            let body = try parseStatements(
                closer: Closer(
                    char: "}", missingMessage: "Missing closing '}' in statement block or type definition.",
                    openOffset: open.start))
            let text = String(chars[bodyStart..<lexer.pos])
            lexer.pos += 1
            return .scriptBlock(ScriptBlock(text: text, body: body))
        default:
            throw unexpected(open)
        }
    }

    private mutating func parseHashtable(open: Int) throws -> PSExpression {
        var entries: [PSHashtableEntry] = []
        while true {
            lexer.skipTrivia()
            guard let c = lexer.current else { throw error("Missing closing '}' in hash literal.", at: open) }
            if CharClass.isNewline(c) || c == ";" {
                lexer.pos += 1
                continue
            }
            if c == "}" {
                lexer.pos += 1
                break
            }
            let keyToken = try lexer.next(.expression)
            let key: String
            switch keyToken.kind {
            case .word(let word): key = word
            case .verbatimString(let text): key = text
            case .number(let number): key = number.text
            case .expandableString(let segments):
                key = segments.map { if case .text(let t) = $0 { t } else { "" } }.joined()
            default: throw error("Missing key before '=' in hash literal.", at: keyToken.start)
            }
            lexer.skipTrivia()
            guard lexer.current == "=" else {
                throw error("Missing '=' operator after key in hash literal.", at: lexer.pos)
            }
            lexer.pos += 1
            lexer.skipTriviaAndNewlines()
            if atStatementEnd { throw error("Missing statement after '=' in hash literal.", at: lexer.pos) }
            entries.append(PSHashtableEntry(key: key, value: try parsePipeline()))
            lexer.skipTrivia()
            if let c = lexer.current, !(CharClass.isNewline(c) || c == ";" || c == "}") {
                throw unexpected(at: lexer.pos)
            }
        }
        return .hashtable(entries)
    }

    /// Turns a double-quoted string's segments into an expression; `$( )` parts are parsed
    /// in place, so their error columns point into the original line.
    private func expandable(_ segments: [StringSegment]) throws -> PSExpression {
        var parts: [PSStringPart] = []
        for segment in segments {
            switch segment {
            case .text(let text): parts.append(.text(text))
            case .variable(let name): parts.append(.variable(name))
            case .subexpression(let start, let end):
                var inner = Parser(chars: chars, start: start, limit: end)
                parts.append(.subexpression(try inner.parseStatements(closer: nil)))
            }
        }
        if parts.allSatisfy({ if case .text = $0 { true } else { false } }) {
            return .constant(.string(parts.map { if case .text(let t) = $0 { t } else { "" } }.joined()))
        }
        return .expandableString(parts)
    }
}
