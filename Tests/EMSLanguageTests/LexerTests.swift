import XCTest

@testable import EMSLanguage

final class LexerTests: XCTestCase {
    private func tokens(_ source: String, _ mode: LexMode = .argument) throws -> [TokenKind] {
        var lexer = Lexer(chars: Array(source))
        var kinds: [TokenKind] = []
        while true {
            let token = try lexer.next(mode)
            if token.kind == .eof { return kinds }
            kinds.append(token.kind)
        }
    }

    func testBarewordsInArgumentModeStayText() throws {
        XCTAssertEqual(try tokens("10.10.1.1:25"), [.word("10.10.1.1:25")])
        XCTAssertEqual(try tokens("17.17.17.1/24"), [.word("17.17.17.1/24")])
        XCTAssertEqual(try tokens("0.0.0.0:25"), [.word("0.0.0.0:25")])
        XCTAssertEqual(try tokens("[::]:25"), [.word("[::]:25")])
        XCTAssertEqual(try tokens(#"MBX01\Relay"#), [.word(#"MBX01\Relay"#)])
        XCTAssertEqual(try tokens(#"MBX01\Default Frontend"#), [.word(#"MBX01\Default"#), .word("Frontend")])
    }

    func testNumbersInArgumentMode() throws {
        XCTAssertEqual(try tokens("36MB"), [.number(.int(37_748_736))])
        XCTAssertEqual(try tokens("10kb"), [.number(.int(10_240))])
        XCTAssertEqual(try tokens("1GB"), [.number(.int(1_073_741_824))])
        XCTAssertEqual(try tokens("-5"), [.number(.int(-5))])
        XCTAssertEqual(try tokens("0x1F"), [.number(.int(31))])
        XCTAssertEqual(try tokens("1.5"), [.number(.double(1.5))])
        XCTAssertEqual(try tokens("1e3"), [.number(.double(1000))])
        XCTAssertEqual(try tokens("1.5KB"), [.number(.double(1536))])
        XCTAssertEqual(try tokens("36MBx"), [.word("36MBx")])
    }

    func testParametersOnlyInArgumentMode() throws {
        XCTAssertEqual(try tokens("-Identity x"), [.parameter("Identity", colon: false), .word("x")])
        XCTAssertEqual(try tokens("-Enabled:$false"), [.parameter("Enabled", colon: true), .variable("false")])
        XCTAssertEqual(try tokens("-x", .argumentValue), [.word("-x")])
        XCTAssertEqual(try tokens("-eq", .expression), [.op("-eq")])
        // Dashes pasted from documentation are dashes.
        XCTAssertEqual(try tokens("\u{2013}Identity"), [.parameter("Identity", colon: false)])
    }

    func testCommasAndPunctuation() throws {
        XCTAssertEqual(try tokens("a,b, c"), [.word("a"), .comma, .word("b"), .comma, .word("c")])
        XCTAssertEqual(try tokens("a|b;c"), [.word("a"), .pipe, .word("b"), .semicolon, .word("c")])
        XCTAssertEqual(try tokens("@( @{ $( { } )"), [.atParen, .atBrace, .dollarParen, .lBrace, .rBrace, .rParen])
        XCTAssertEqual(try tokens("where{"), [.word("where"), .lBrace])
    }

    func testSingleQuotedStrings() throws {
        XCTAssertEqual(try tokens("'it''s'"), [.verbatimString("it's")])
        XCTAssertEqual(try tokens("'$x `n'"), [.verbatimString("$x `n")])
        XCTAssertEqual(try tokens("\u{2018}smart\u{2019}"), [.verbatimString("smart")])
    }

    func testDoubleQuotedStrings() throws {
        XCTAssertEqual(try tokens(#""a`"b""#), [.expandableString([.text("a\"b")])])
        XCTAssertEqual(try tokens(#""a""b""#), [.expandableString([.text("a\"b")])])
        XCTAssertEqual(try tokens(#""tab`there""#), [.expandableString([.text("tab\there")])])
        XCTAssertEqual(try tokens(#""cost: `$5""#), [.expandableString([.text("cost: $5")])])
        XCTAssertEqual(
            try tokens(#""Hi $name.""#),
            [.expandableString([.text("Hi "), .variable("name"), .text(".")])])
        XCTAssertEqual(
            try tokens(#""n=$($a.Count)""#), [.expandableString([.text("n="), .subexpression(start: 5, end: 13)])])
        XCTAssertEqual(try tokens(#""${my var}""#), [.expandableString([.variable("my var")])])
        XCTAssertEqual(try tokens("\u{201C}smart\u{201D}"), [.expandableString([.text("smart")])])
    }

    func testVariables() throws {
        XCTAssertEqual(try tokens("$_", .expression), [.variable("_")])
        XCTAssertEqual(try tokens("$PSItem.Name", .expression), [.variable("PSItem"), .dot, .word("Name")])
        XCTAssertEqual(try tokens("$global:x", .expression), [.variable("global:x")])
    }

    func testExpressionOperatorsAreCaseInsensitive() throws {
        XCTAssertEqual(
            try tokens("-AND -Or -CEQ -ilike -notcontains ! + * / %", .expression),
            [.op("-and"), .op("-or"), .op("-ceq"), .op("-ilike"), .op("-notcontains"), .op("!"), .op("+"), .op("*"), .op("/"), .op("%")])
        XCTAssertThrowsError(try tokens("-bogus", .expression)) { error in
            XCTAssertEqual((error as? EMSParseError)?.message, "Unexpected token '-bogus' in expression or statement.")
        }
    }

    func testCommentsAndContinuations() throws {
        XCTAssertEqual(try tokens("a # comment"), [.word("a")])
        XCTAssertEqual(try tokens("a#b"), [.word("a#b")])
        XCTAssertEqual(try tokens("a <# block #> b"), [.word("a"), .word("b")])
        XCTAssertEqual(try tokens("a `\n b"), [.word("a"), .word("b")])
        XCTAssertEqual(try tokens("a\nb"), [.word("a"), .newline, .word("b")])
    }

    func testUnterminatedStringsReportTheirColumn() {
        XCTAssertThrowsError(try tokens("Get-Thing 'abc")) { error in
            XCTAssertEqual(error as? EMSParseError, EMSParseError(message: "The string is missing the terminator: '.", column: 11))
        }
        XCTAssertThrowsError(try tokens(#"x "abc"#)) { error in
            XCTAssertEqual((error as? EMSParseError)?.column, 3)
            XCTAssertEqual((error as? EMSParseError)?.description, #"The string is missing the terminator: ". (column 3)"#)
        }
    }

    func testTokensRecordTheirSpan() throws {
        var lexer = Lexer(chars: Array("Set-Thing  -Name:'x' 36MB"))
        let spans = try (0..<4).map { _ in try lexer.next(.argument) }.map { [$0.start, $0.end, $0.spaceBefore ? 1 : 0] }
        XCTAssertEqual(spans, [[0, 9, 0], [11, 17, 1], [17, 20, 0], [21, 25, 1]])
        var expression = Lexer(chars: Array("$a -ceq 5"))
        XCTAssertEqual(try [expression.next(.expression), expression.next(.expression), expression.next(.expression)].map(\.end), [2, 7, 9])
    }

    func testNumberLiteralParsing() {
        XCTAssertEqual(NumberLiteral.parse("36MB"), .int(37_748_736))
        XCTAssertEqual(NumberLiteral.parse("2TB"), .int(2_199_023_255_552))
        XCTAssertEqual(NumberLiteral.parse("10L"), .int(10))
        XCTAssertEqual(NumberLiteral.parse(".5"), .double(0.5))
        XCTAssertNil(NumberLiteral.parse("1."))
        XCTAssertNil(NumberLiteral.parse("1.2.3"))
        XCTAssertNil(NumberLiteral.parse("MB"))
        XCTAssertNil(NumberLiteral.parse("0x"))
        XCTAssertNil(NumberLiteral.parse("inf"))
    }
}
