import XCTest

@testable import EMSLanguage

final class ErrorTests: EMSTestCase {
    func testUnknownCommandSuggestsTheClosestName() {
        assertRuntimeError(
            "Get-RecieveConnector",
            "The term 'Get-RecieveConnector' is not recognized as a name of a cmdlet. Did you mean Get-ReceiveConnector?")
        assertRuntimeError(
            "Get-Thing | Sort-Objcet Name", "The term 'Sort-Objcet' is not recognized as a name of a cmdlet. Did you mean Sort-Object?")
        assertRuntimeError("Frobnicate-Everything", "The term 'Frobnicate-Everything' is not recognized as a name of a cmdlet.")
    }

    func testUnknownParameterSuggestsTheClosestName() {
        assertRuntimeError(
            "Set-Thing X -Bindingz 0.0.0.0:25",
            "A parameter cannot be found that matches parameter name 'Bindingz'. Did you mean -Bindings?")
        assertRuntimeError("Set-Thing X -Zebra 1", "A parameter cannot be found that matches parameter name 'Zebra'.")
        assertRuntimeError(
            "Get-Thing | select -Frist 1", "A parameter cannot be found that matches parameter name 'Frist'. Did you mean -First?")
    }

    func testAmbiguousPrefix() {
        assertRuntimeError(
            "Set-Thing X -Re 1",
            "Parameter cannot be processed because the parameter name 'Re' is ambiguous. Possible matches include: -RemoteIPRanges -RequireTLS.")
        assertRuntimeError(
            "Get-Thing | where Name -N 'x'",
            "Parameter cannot be processed because the parameter name 'N' is ambiguous. Possible matches include: -Not -NE -NotLike -NotMatch -NotContains -NotIn."
        )
    }

    func testBindingErrors() {
        assertRuntimeError("Set-Thing -Identity", "Missing an argument for parameter 'Identity'. Specify a value and try again.")
        assertRuntimeError(
            "Set-Thing X -Enabled $true -enabled $false",
            "Cannot bind parameter because parameter 'Enabled' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."
        )
        assertRuntimeError(
            "ConvertTo-SecureString 'P@ss'",
            "ConvertTo-SecureString : Input string was not in a correct format. To convert plain text, use -AsPlainText -Force.")
        assertRuntimeError("Get-Thing | select -First many", "Cannot bind parameter 'First'. Cannot convert value \"many\" to type \"System.Int32\".")
        assertRuntimeError("$true = 5", "Cannot overwrite variable true because it is read-only or constant.")
    }

    func testHostErrorsPropagateUnchanged() {
        XCTAssertThrowsError(try session.run("Fail-Thing")) { error in
            XCTAssertEqual(error as? HostError, HostError(message: "The operation couldn't be performed because object 'X' couldn't be found."))
        }
    }

    func testUnterminatedScriptBlockReportsItsColumn() {
        assertParseError(
            "Get-Thing | where {$_.Enabled", "Missing closing '}' in statement block or type definition.", column: 19)
        assertParseError("Get-Thing | where {$_.Name -eq 'x}", "The string is missing the terminator: '.", column: 32)
        assertParseError(#"Write-Host "abc"#, "The string is missing the terminator: \".", column: 12)
        assertParseError("(Get-Thing", "Missing closing ')' in expression.", column: 1)
        assertParseError("@{a=1", "Missing closing '}' in hash literal.", column: 1)
        assertParseError("$(1", "Missing closing ')' in subexpression.", column: 1)
    }

    func testParseErrorsOnSecondLineReportTheLine() {
        XCTAssertThrowsError(try PSParser.parse("Get-Thing\nGet-Thing | where {")) { error in
            XCTAssertEqual(
                error as? EMSParseError, EMSParseError(message: "Missing closing '}' in statement block or type definition.", line: 2, column: 19))
            XCTAssertEqual("\(error)", "Missing closing '}' in statement block or type definition. (line 2, column 19)")
        }
    }

    func testOtherSyntaxErrors() {
        assertParseError("Get-Thing |", "An empty pipe element is not allowed.", column: 11)
        assertParseError("Get-Thing | | fl", "An empty pipe element is not allowed.", column: 11)
        assertParseError("Get-Thing | 5", "Expressions are only allowed as the first element of a pipeline.", column: 13)
        assertParseError("1 -eq", "You must provide a value expression following the '-eq' operator.", column: 3)
        assertParseError("$x = ", "You must provide a value expression on the right-hand side of the '=' operator.", column: 4)
        assertParseError("Get-Thing )", "Unexpected token ')' in expression or statement.", column: 11)
        assertParseError("5 6", "Unexpected token '6' in expression or statement.", column: 3)
        assertParseError("$a -foo 1", "Unexpected token '-foo' in expression or statement.", column: 4)
        assertParseError("Set-Thing -Enabled:", "Missing an argument for parameter 'Enabled'.", column: 11)
    }

    func testRuntimeErrorsFromOperators() {
        assertRuntimeError("1 / 0", "Attempted to divide by zero.")
        assertRuntimeError("'a' -like '[abc'", "The specified wildcard character pattern is not valid: [abc")
        assertRuntimeError("'a' -match '('", "Invalid regular expression pattern: (.")
        assertRuntimeError("5 -gt 'abc'", "Could not compare \"5\" to \"abc\". Cannot convert value \"abc\" to type \"System.Int32\".")
        assertRuntimeError("$x = 'a'; $x.Frob()", "Method invocation failed because [System.String] does not contain a method named 'Frob'.")
        assertRuntimeError(
            "Get-Thing | where -FilterScript 'x'",
            "Cannot bind parameter 'FilterScript'. Cannot convert the \"x\" value of type \"System.String\" to type \"System.Management.Automation.ScriptBlock\"."
        )
    }
}
