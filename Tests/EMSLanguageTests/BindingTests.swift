import XCTest

@testable import EMSLanguage

final class BindingTests: EMSTestCase {
    private func bound(_ line: String) throws -> PSInvocation {
        _ = try session.run(line)
        return try XCTUnwrap(lastInvocation)
    }

    func testBindingsArriveAsAnArrayWithTheirSourceText() throws {
        let invocation = try bound(#"Set-Thing "MBX01\Default Frontend MBX01" -Bindings "0.0.0.0","[::]:""#)
        let argument = try XCTUnwrap(invocation.argument("Bindings"))
        XCTAssertEqual(argument.parameterName, "Bindings")
        XCTAssertEqual(argument.value, ["0.0.0.0", "[::]:"])
        XCTAssertEqual(argument.sourceText, #""0.0.0.0","[::]:""#)
        XCTAssertEqual(
            invocation.positional,
            [
                PSArgument(parameterName: nil, value: #"MBX01\Default Frontend MBX01"#, sourceText: #""MBX01\Default Frontend MBX01""#)
            ])
        XCTAssertEqual(invocation.commandName, "Set-Thing")
    }

    func testCommaListOfBarewords() throws {
        let invocation = try bound("Set-Thing Relay -RemoteIPRanges 10.1.2.10,10.1.2.15,10.1.2.20")
        XCTAssertEqual(invocation.argument("RemoteIPRanges")?.value, ["10.1.2.10", "10.1.2.15", "10.1.2.20"])
        XCTAssertEqual(invocation.argument("RemoteIPRanges")?.sourceText, "10.1.2.10,10.1.2.15,10.1.2.20")
        XCTAssertEqual(invocation.positional.first?.value, "Relay")
    }

    func testCommaListAcrossWhitespace() throws {
        let invocation = try bound(#"Set-Thing X -Bindings "0.0.0.0:25", "[::]:25""#)
        XCTAssertEqual(invocation.argument("Bindings")?.value, ["0.0.0.0:25", "[::]:25"])
        XCTAssertEqual(invocation.argument("Bindings")?.sourceText, #""0.0.0.0:25", "[::]:25""#)
    }

    func testSizeKeepsItsSourceText() throws {
        let invocation = try bound("Set-Thing X -MaxMessageSize 36MB")
        XCTAssertEqual(invocation.argument("MaxMessageSize")?.value, .int(37_748_736))
        XCTAssertEqual(invocation.argument("MaxMessageSize")?.sourceText, "36MB")
    }

    func testColonValuesAndSwitches() throws {
        let invocation = try bound("Set-Thing X -Enabled:$false -Confirm:$false -Force")
        XCTAssertEqual(invocation.argument("Enabled")?.value, false)
        XCTAssertEqual(invocation.argument("Confirm")?.value, false)
        XCTAssertEqual(invocation.argument("Force")?.value, true)
        XCTAssertEqual(invocation.argument("Force")?.sourceText, "")
        // A value after a switch is positional, as in PowerShell.
        let second = try bound("Set-Thing -Force X")
        XCTAssertEqual(second.positional.map(\.value), ["X"])
    }

    func testNonSwitchTakesTheNextArgument() throws {
        let invocation = try bound("Set-Thing X -Enabled $false -RequireTLS $true")
        XCTAssertEqual(invocation.argument("Enabled")?.value, false)
        XCTAssertEqual(invocation.argument("RequireTLS")?.value, true)
        XCTAssertEqual(invocation.arguments.map(\.parameterName), ["Enabled", "RequireTLS"])
    }

    func testPrefixesAndCaseInsensitiveNames() throws {
        let invocation = try bound("Set-Thing X -conf:$false -maxm 10MB -BINDINGS 0.0.0.0:25")
        XCTAssertEqual(invocation.argument("Confirm")?.value, false)
        XCTAssertEqual(invocation.argument("MaxMessageSize")?.value, .int(10_485_760))
        XCTAssertEqual(invocation.argument("Bindings")?.value, "0.0.0.0:25")
    }

    func testSecureStringFromASubexpression() throws {
        let invocation = try bound("Set-Thing X -Password (ConvertTo-SecureString -String 'P@ss' -AsPlainText -Force)")
        guard case .secureString(let secret)? = invocation.argument("Password")?.value else {
            return XCTFail("expected a secure string")
        }
        XCTAssertEqual(secret.revealPlainText(), "P@ss")
        XCTAssertEqual(invocation.argument("Password")?.sourceText, "(ConvertTo-SecureString -String 'P@ss' -AsPlainText -Force)")
        // Nothing prints the secret.
        XCTAssertEqual(String(describing: secret), "System.Security.SecureString")
        XCTAssertEqual(PSValue.secureString(secret).text, "System.Security.SecureString")
        XCTAssertEqual(try session.run("ConvertTo-SecureString 'P@ss' -AsPlainText -Force"), ["System.Security.SecureString"])
    }

    func testHashtableArgument() throws {
        let invocation = try bound(#"Set-Thing X -RemoteIPRanges @{Add="1.2.3.4"}"#)
        XCTAssertEqual(invocation.argument("RemoteIPRanges")?.value, .hashtable([(key: "Add", value: "1.2.3.4")]))
        let two = try bound(#"Set-Thing X -RemoteIPRanges @{Add="1.2.3.4","5.6.7.8"; Remove="9.9.9.9"}"#)
        XCTAssertEqual(
            two.argument("RemoteIPRanges")?.value,
            .hashtable([(key: "Add", value: ["1.2.3.4", "5.6.7.8"]), (key: "Remove", value: "9.9.9.9")]))
        XCTAssertNotEqual(
            two.argument("RemoteIPRanges")?.value,
            .hashtable([(key: "Remove", value: "9.9.9.9"), (key: "Add", value: ["1.2.3.4", "5.6.7.8"])]))
    }

    func testBackslashBarewordAndSplitIdentity() throws {
        XCTAssertEqual(try bound(#"Set-Thing MBX01\Relay"#).positional.map(\.value), [#"MBX01\Relay"#])
        XCTAssertEqual(try bound(#"Set-Thing MBX01\Default Frontend"#).positional.map(\.value), [#"MBX01\Default"#, "Frontend"])
    }

    func testVariablesAndPipelineInput() throws {
        _ = try session.run("$ranges = '10.0.0.1','10.0.0.2'")
        XCTAssertEqual(try bound("Set-Thing X -RemoteIPRanges $ranges").argument("RemoteIPRanges")?.value, ["10.0.0.1", "10.0.0.2"])
        _ = try session.run("Get-Thing Relay* | Set-Thing -Enabled $true")
        _ = try session.run("Get-Thing | where {$_.Name -like 'Relay*'} | Set-Thing -Comment \"Set by $($_.Name)\"")
        XCTAssertEqual(host.inputs.last?.count, 1)
        guard case .object(let piped)? = host.inputs.last?.first else { return XCTFail("expected an object") }
        XCTAssertEqual(piped.payload, #"MBX01\Relay MBX01"#)
    }

    func testExpandableStringsInArguments() throws {
        _ = try session.run("$n = 'Relay'")
        XCTAssertEqual(try bound(#"Set-Thing "MBX01\$n" -Banner "220 $($n.ToUpper()) ready""#).positional.first?.value, #"MBX01\Relay"#)
        XCTAssertEqual(lastInvocation?.argument("Banner")?.value, "220 RELAY ready")
    }

    func testBuiltinPositionalBinding() throws {
        XCTAssertEqual(
            try eval("Get-Thing | select Name -First 1"),
            [
                .object(
                    PSObject(
                        typeName: "Selected.ReceiveConnector", properties: [PSProperty("Name", "Default Frontend MBX01")],
                        payload: #"MBX01\Default Frontend MBX01"#))
            ])
        assertRuntimeError("Get-Thing | select Name Extra", "A positional parameter cannot be found that accepts argument 'Extra'.")
    }
}
