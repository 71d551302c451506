import XCTest

@testable import EMSLanguage

final class OperatorTests: EMSTestCase {
    private func check(_ expression: String, _ expected: PSValue, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try value(expression), expected, expression, file: file, line: line)
    }

    func testEqualityOnScalars() {
        check("'abc' -eq 'ABC'", true)
        check("'abc' -ceq 'ABC'", false)
        check("'abc' -ieq 'ABC'", true)
        check("'abc' -ne 'abd'", true)
        check("'abc' -cne 'ABC'", true)
        check("5 -eq 5", true)
        check("5 -eq '5'", true)
        check("'5' -eq 5", true)
        check("5 -eq 5.0", true)
        check("10 -eq '10MB'", false)
        check("5 -eq 'five'", false)
        check("$null -eq $null", true)
        check("$null -eq 0", false)
        check("0 -eq $null", false)
    }

    func testBooleanConversionFollowsPowerShell() {
        // The right side converts to the left side's type; a non-empty string is $true.
        check("$false -eq 'False'", false)
        check("$true -eq 'False'", true)
        check("$false -eq ''", true)
        check("'' -eq $false", false)
        check("'False' -eq $false", true)
        check("$true -eq 1", true)
        check("$false -eq 0", true)
    }

    func testOrdering() {
        check("5 -gt 3", true)
        check("5 -ge 5", true)
        check("5 -lt '10'", true)  // numeric, not textual
        check("'5' -lt '10'", false)  // textual
        check("'b' -gt 'A'", true)
        check("'a' -le 'A'", true)
        check("2.5 -gt 2", true)
        check("$null -lt 1", true)
        check("1 -gt $null", true)
        XCTAssertThrowsError(try value("5 -gt 'abc'"))
    }

    func testLikeWildcards() {
        check("'0.0.0.0:25' -like '*25'", true)
        check("'0.0.0.0:587' -like '*25'", false)
        check("'Relay' -like 'r?lay'", true)
        check("'Relay' -clike 'r*'", false)
        check("'Relay' -notlike '*x*'", true)
        check("'b' -like '[abc]'", true)
        check("'B' -like '[a-c]'", true)
        check("'d' -like '[a-c]'", false)
        check("'a*b' -like 'a`*b'", true)
        check("'axb' -like 'a`*b'", false)
    }

    func testMatchUsesRegularExpressions() {
        check("'Default Frontend' -match '^default'", true)
        check("'Default Frontend' -cmatch '^default'", false)
        check("'10.1.2.3' -match '^10\\.1\\.'", true)
        check("'abc' -notmatch 'x'", true)
        XCTAssertThrowsError(try value("'a' -match '('"))
    }

    func testContainsAndIn() {
        check("'a','b' -contains 'B'", true)
        check("'a','b' -ccontains 'B'", false)
        check("'a','b' -notcontains 'c'", true)
        check("'abc' -contains 'b'", false)  // not a substring test
        check("'b' -in 'a','b'", true)
        check("'c' -notin 'a','b'", true)
        check("5 -in '5','6'", true)
    }

    func testCollectionOnTheLeftFilters() throws {
        // The result is the array of matching elements (the pipeline unrolls it into items).
        XCTAssertEqual(try eval("1,2,3,2 -eq 2"), [2, 2])
        XCTAssertEqual(try eval("1,2,3 -ne 2"), [1, 3])
        XCTAssertEqual(try eval("1,2,3 -gt 1"), [2, 3])
        XCTAssertEqual(try eval("'0.0.0.0:25','[::]:25','1.1.1.1:587' -like '*25'"), ["0.0.0.0:25", "[::]:25"])
        XCTAssertEqual(try eval("'a','bc' -match 'c'"), ["bc"])
        XCTAssertEqual(try eval("'a','bc' -notlike 'a'"), ["bc"])
        XCTAssertEqual(try eval("@() -eq 1"), [])
        XCTAssertEqual(try eval("$x = 1,2,3 -ge 2; $x.Count"), [2])
        XCTAssertEqual(try PSOperators.compare(.eq, ["a", "b"], "A", caseSensitive: false), .array(["a"]))
        XCTAssertEqual(try PSOperators.compare(.eq, ["a", "b"], "A", caseSensitive: true), .array([]))
    }

    func testCollectionResultsDriveTruthiness() {
        check("('x:25','y:587' -like '*25') -and $true", true)
        check("('x:26','y:587' -like '*25') -or $false", false)
        check("!('x:26' -like '*25')", true)
    }

    func testTypedValuesCompareByNumberThenText() throws {
        session.variables["size"] = .typed(PSTyped(text: "36 MB (37,748,736 bytes)", number: 37_748_736, typeName: "ByteQuantifiedSize"))
        session.variables["groups"] = .typed(PSTyped(text: "AnonymousUsers, ExchangeUsers", typeName: "PermissionGroups"))
        check("$size -gt 10MB", true)
        check("$size -eq 37748736", true)
        check("$size -lt '100MB'", true)
        check("$size -like '36 MB*'", true)
        check("$size -eq '36 MB (37,748,736 bytes)'", true)
        check("$groups -like '*AnonymousUsers*'", true)
        check("$groups -eq 'anonymoususers, exchangeusers'", true)
        check("$groups -match 'Exchange'", true)
    }

    func testLogicalOperators() {
        check("$true -and $false", false)
        check("$true -AND 1", true)
        check("$false -Or ''", false)
        check("$true -xor $true", false)
        check("$true -xor $false", true)
        check("-not $true", false)
        check("!$false", true)
        check("-NOT ''", true)
        check("$false -or $true -and $false", false)  // left to right: ($false -or $true) -and $false
        check("$true -or $false -and $false", false)
    }

    func testArithmeticAndStrings() {
        check("1 + 2 * 3", 7)
        check("(1 + 2) * 3", 9)
        check("7 / 2", 3.5)
        check("8 / 2", 4)
        check("7 % 3", 1)
        check("10 - 2 - 3", 5)
        check("'a' + 1", "a1")
        check("1 + '2'", 3)
        check("'ab' * 3", "ababab")
        check("(1,2) + 3", [1, 2, 3])
        check("-5 + 2", -3)
        check("36MB / 1MB", 36)
        check("$null + 5", 5)
        XCTAssertThrowsError(try value("1 / 0"))
    }

    func testReplaceSplitJoin() {
        check("'MBX01\\Relay' -replace '^MBX01\\\\', ''", "Relay")
        check("'a-b' -replace 'B', 'x'", "a-x")
        check("'a-b' -creplace 'B', 'x'", "a-b")
        check("'a,b,,c' -split ','", ["a", "b", "", "c"])
        check("('a','b','c') -join ', '", "a, b, c")
    }
}
