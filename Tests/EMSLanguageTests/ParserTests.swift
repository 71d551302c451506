import XCTest

@testable import EMSLanguage

final class ParserTests: XCTestCase {
    private func pipeline(_ source: String) throws -> PSPipeline {
        let script = try PSParser.parse(source)
        guard script.statements.count == 1, case .pipeline(let pipeline) = script.statements[0] else {
            XCTFail("expected one pipeline in \(source)")
            return PSPipeline(elements: [])
        }
        return pipeline
    }

    private func expression(_ source: String) throws -> PSExpression {
        guard case .expression(let e)? = try pipeline(source).elements.first else {
            XCTFail("expected an expression in \(source)")
            return .constant(.null)
        }
        return e
    }

    private func command(_ source: String) throws -> PSCommand {
        guard case .command(let c)? = try pipeline(source).elements.first else {
            XCTFail("expected a command in \(source)")
            return PSCommand(name: "", elements: [])
        }
        return c
    }

    private func cmp(_ op: PSComparisonOperator, _ l: PSExpression, _ r: PSExpression, cs: Bool = false) -> PSExpression {
        .binary(.comparison(op, caseSensitive: cs), l, r)
    }

    func testPipelineOfCommands() throws {
        let p = try pipeline("Get-Thing | where {$_.Enabled} | fl Name")
        XCTAssertEqual(p.elements.count, 3)
        guard case .command(let whereCommand) = p.elements[1], case .command(let fl) = p.elements[2] else {
            return XCTFail("expected commands")
        }
        XCTAssertEqual(whereCommand.name, "where")
        guard case .argument(let block) = whereCommand.elements[0], case .scriptBlock(let sb) = block.expression else {
            return XCTFail("expected a script block")
        }
        XCTAssertEqual(sb.text, "$_.Enabled")
        XCTAssertEqual(sb.body.statements, [.pipeline(PSPipeline(elements: [.expression(.member(.variable("_"), "Enabled"))]))])
        XCTAssertEqual(fl.elements, [.argument(PSCommandArgument(expression: .constant("Name"), sourceText: "Name"))])
    }

    func testCommandArgumentsKeepSourceText() throws {
        let c = try command(#"Set-Thing "MBX01\Default Frontend MBX01" -Bindings "0.0.0.0", "[::]:" -MaxMessageSize 36MB -Enabled:$false"#)
        XCTAssertEqual(c.elements.count, 6)
        XCTAssertEqual(
            c.elements[0],
            .argument(PSCommandArgument(expression: .constant(#"MBX01\Default Frontend MBX01"#), sourceText: #""MBX01\Default Frontend MBX01""#)))
        XCTAssertEqual(c.elements[1], .parameter(name: "Bindings", argument: nil))
        XCTAssertEqual(
            c.elements[2],
            .argument(PSCommandArgument(expression: .arrayLiteral([.constant("0.0.0.0"), .constant("[::]:")]), sourceText: #""0.0.0.0", "[::]:""#)))
        XCTAssertEqual(c.elements[4], .argument(PSCommandArgument(expression: .constant(.int(37_748_736)), sourceText: "36MB")))
        XCTAssertEqual(
            c.elements[5], .parameter(name: "Enabled", argument: PSCommandArgument(expression: .variable("false"), sourceText: "$false")))
    }

    func testLogicalOperatorsAreLeftAssociativeWithEqualPrecedence() throws {
        // PowerShell: -and and -or have equal precedence, so this is ((a -or b) -and c).
        let e = try expression("$a -eq 1 -or $b -eq 2 -and $c")
        XCTAssertEqual(
            e,
            .binary(
                .and, .binary(.or, cmp(.eq, .variable("a"), .constant(1)), cmp(.eq, .variable("b"), .constant(2))),
                .variable("c")))
    }

    func testComparisonBindsTighterThanLogical() throws {
        let e = try expression("$_.Bindings -like '*25' -AND $_.PermissionGroups -like '*AnonymousUsers*'")
        XCTAssertEqual(
            e,
            .binary(
                .and, cmp(.like, .member(.variable("_"), "Bindings"), .constant("*25")),
                cmp(.like, .member(.variable("_"), "PermissionGroups"), .constant("*AnonymousUsers*"))))
    }

    func testUnaryNotBindsTighterThanComparison() throws {
        XCTAssertEqual(try expression("-not $a -eq $b"), cmp(.eq, .unary(.not, .variable("a")), .variable("b")))
        XCTAssertEqual(
            try expression("!($a -eq $b)"),
            .unary(.not, .parenthesized(PSPipeline(elements: [.expression(cmp(.eq, .variable("a"), .variable("b")))]))))
    }

    func testCommaBindsTighterThanComparisonAndArithmetic() throws {
        XCTAssertEqual(try expression("1,2 -contains 2"), cmp(.contains, .arrayLiteral([.constant(1), .constant(2)]), .constant(2)))
        XCTAssertEqual(try expression("$x -in 'a','b'"), cmp(.in, .variable("x"), .arrayLiteral([.constant("a"), .constant("b")])))
        XCTAssertEqual(try expression("1 + 2 * 3"), .binary(.add, .constant(1), .binary(.multiply, .constant(2), .constant(3))))
    }

    func testCaseSensitiveOperatorVariants() throws {
        XCTAssertEqual(try expression("'a' -CEQ 'A'"), cmp(.eq, .constant("a"), .constant("A"), cs: true))
        XCTAssertEqual(try expression("'a' -ieq 'A'"), cmp(.eq, .constant("a"), .constant("A")))
        XCTAssertEqual(try expression("'a' -cnotlike 'A'"), cmp(.notlike, .constant("a"), .constant("A"), cs: true))
    }

    func testMemberChainsIndexesAndMethods() throws {
        XCTAssertEqual(try expression("$_.A.B"), .member(.member(.variable("_"), "A"), "B"))
        XCTAssertEqual(try expression("$x[0]"), .index(.variable("x"), .constant(0)))
        XCTAssertEqual(try expression("$x.Replace('a', 'b')"), .methodCall(.variable("x"), "Replace", [.constant("a"), .constant("b")]))
    }

    func testAssignmentAndStatements() throws {
        let script = try PSParser.parse("$c = Get-Thing; $c | fl\n$c.Count")
        XCTAssertEqual(script.statements.count, 3)
        guard case .assignment(let name, let value) = script.statements[0] else { return XCTFail("expected an assignment") }
        XCTAssertEqual(name, "c")
        XCTAssertEqual(value.elements, [.command(PSCommand(name: "Get-Thing", elements: []))])
        XCTAssertEqual(try PSParser.parse("# only a comment").statements, [])
    }

    func testHashtablesAndSubexpressions() throws {
        let c = try command(#"Set-Thing X -RemoteIPRanges @{Add="1.2.3.4","5.6.7.8"; Remove='9.9.9.9'}"#)
        guard case .argument(let argument) = c.elements[2], case .hashtable(let entries) = argument.expression else {
            return XCTFail("expected a hashtable")
        }
        XCTAssertEqual(entries.map(\.key), ["Add", "Remove"])
        XCTAssertEqual(entries[0].value.elements, [.expression(.arrayLiteral([.constant("1.2.3.4"), .constant("5.6.7.8")]))])
        XCTAssertEqual(
            try expression(#""Count: $($x.Count)""#),
            .expandableString([
                .text("Count: "),
                .subexpression(PSScript(statements: [.pipeline(PSPipeline(elements: [.expression(.member(.variable("x"), "Count"))]))])),
            ]))
    }

    func testLineContinuationAndMultilineScriptBlocks() throws {
        let c = try command("Set-Thing X `\n  -Enabled $true")
        XCTAssertEqual(c.elements.count, 3)
        let p = try pipeline("Get-Thing |\n where {\n $_.Enabled\n }")
        XCTAssertEqual(p.elements.count, 2)
    }

    func testCommandParameterWithColonValue() throws {
        let c = try command("Set-Thing -Conf:$false -Password:(ConvertTo-SecureString 'x' -AsPlainText -Force)")
        guard case .parameter("Password", let argument?) = c.elements[1], case .parenthesized = argument.expression else {
            return XCTFail("expected -Password:(...)")
        }
        XCTAssertEqual(c.elements[0], .parameter(name: "Conf", argument: PSCommandArgument(expression: .variable("false"), sourceText: "$false")))
    }
}
