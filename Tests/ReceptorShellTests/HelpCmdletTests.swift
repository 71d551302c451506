import XCTest
import ReceptorCore
@testable import ReceptorShell

/// Get-Help, -? and Get-Command, from the cmdlets' own parameter lists and the connector parameter table.
final class HelpCmdletTests: ShellTestCase {
    func testGetHelpShowsSyntaxParametersAndExamples() throws {
        // The syntax line wraps; read it as one line.
        let help = try run("Get-Help New-ReceiveConnector").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(help.contains("New-ReceiveConnector [-Name] <String>"), help)
        XCTAssertTrue(help.contains("[-RemoteIPRanges <MultiValuedProperty>]"), help)
        XCTAssertTrue(help.contains("[-WhatIf] [-Confirm]"), help)
        XCTAssertFalse(help.contains("-?"), "the help switch is not part of the syntax")

        let parameter = try run("Get-Help New-ReceiveConnector -Parameter remoteipranges")
        let table = try XCTUnwrap(ConnectorParameters.named("RemoteIPRanges"))
        XCTAssertTrue(
            parameter.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "  ", with: " ")
                .contains(String(table.help.prefix(40))), "the parameter table's wording: \(parameter)")

        let examples = try run("Get-Help New-ReceiveConnector -Examples")
        XCTAssertTrue(examples.contains(#"New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner"#), examples)
        let detailed = try run("Get-Help New-ReceiveConnector -Detailed")
        XCTAssertTrue(detailed.contains("PARAMETERS") && detailed.contains("EXAMPLES") && detailed.contains("-MaxMessageSize <ByteQuantifiedSize>"))

        refuse("Get-Help Get-RecieveConnector", containing: "Did you mean Get-ReceiveConnector?")
        refuse("Get-Help New-ReceiveConnector -Parameter RemoteIPRange", containing: "Did you mean -RemoteIPRanges?")
    }

    func testQuestionMarkShowsHelpWithoutRunning() throws {
        let before = try store.generation()
        let help = try run("New-ReceiveConnector -?")
        XCTAssertTrue(help.contains("SYNOPSIS"), help)
        XCTAssertEqual(try store.generation(), before, "nothing ran")
    }

    func testGetCommandByNounVerbAndPattern() throws {
        let nouns = try session.evaluate("Get-Command -Noun ReceiveConnector").compactMap { value -> String? in
            if case .object(let o) = value, case .string(let name)? = o["Name"] { return name }
            return nil
        }
        XCTAssertEqual(
            Set(nouns), ["Get-ReceiveConnector", "New-ReceiveConnector", "Set-ReceiveConnector", "Remove-ReceiveConnector", "Test-ReceiveConnector"])
        XCTAssertTrue(try run("Get-Command -Verb Set | Format-Table Name").contains("Set-Mailbox"))
        XCTAssertTrue(try run("Get-Command *Mailbox*").contains("New-Mailbox"))
        refuse("Get-Command Get-Nothing", containing: "not recognized")
    }
}
