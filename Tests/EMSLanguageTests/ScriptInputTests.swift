import XCTest
@testable import EMSLanguage

final class ScriptInputTests: XCTestCase {
    func testWhatContinuesOnTheNextLine() {
        for open in ["Get-Thing `", "Get-Thing |", "Get-Thing | where {", "$x = @(", "$h = @{", "(1 +", "'an open string", "\"an open string"] {
            XCTAssertTrue(ScriptInput.needsMoreInput(open), open)
        }
        for whole in ["Get-Thing", "Get-Thing | where { $_.Name -eq 'a' }", "$x = @(1, 2)", "# a comment", "", "Get-Thing -Name )"] {
            XCTAssertFalse(ScriptInput.needsMoreInput(whole), whole)
        }
    }

    func testAScriptSplitsIntoCommandsWithTheirFirstLines() {
        let script = """
            # set up the relay
            $name = "Relay"

            New-Thing -Name $name `
                -Size 1
            Get-Thing | where {
                $_.Name -like 'R*'
            } |
                Format-List
            Set-Thing $name -List @{
              Add = "a" }
            Get-Thing -Unclosed (
            """
        let commands = ScriptInput.commands(in: script)
        XCTAssertEqual(commands.map(\.line), [2, 4, 6, 10, 12])
        XCTAssertEqual(commands[1].text, "New-Thing -Name $name `\n    -Size 1")
        XCTAssertTrue(commands[2].text.hasSuffix("Format-List"), commands[2].text)
        XCTAssertEqual(commands.last?.text, "Get-Thing -Unclosed (", "what is still open at the end is run as it is, to report it")
    }

    func testWindowsLineBreaks() {
        let commands = ScriptInput.commands(in: "$a = 1\r\nGet-Thing `\r\n  -Size 1\r\n")
        XCTAssertEqual(commands.map(\.line), [1, 2])
        XCTAssertEqual(commands[1].text, "Get-Thing `\n  -Size 1")
    }
}
