import XCTest
import EMSLanguage
import ReceptorCore
@testable import ReceptorShell

/// Tab completion on the line alone, with a fake source for the store's names and the session's variables.
final class TabCompleterTests: XCTestCase {
    final class FakeSource: CompletionSource {
        var objects: [CompletionObjectKind: [String]] = [
            .connector: ["Default Frontend MBX01", "Client Frontend MBX01", "Default MBX01", "MBX01\\Default Frontend MBX01", "EDGE01\\Relay"],
            .server: ["MBX01", "EDGE01"],
            .acceptedDomain: ["contoso.test", "fabrikam.test"],
            .mailbox: ["Scanner Account", "printer"],
            .user: ["NT AUTHORITY\\ANONYMOUS LOGON", "scanner@contoso.test"],
        ]
        var variables: [String: [String]] = ["conns": ["Name", "Bindings", "Enabled"]]
        var pipelines: [String] = []

        func names(of kind: CompletionObjectKind) -> [String] { objects[kind] ?? [] }
        func variableNames() -> [String] { Array(variables.keys) }
        func propertyNames(ofVariable name: String) -> [String] { variables[name] ?? [] }
        func propertyNames(ofPipeline text: String) -> [String] {
            pipelines.append(text)
            return ["Identity", "Bindings", "Enabled", "RemoteIPRanges"]
        }
    }

    var source: FakeSource!
    var completer: TabCompleter!

    override func setUp() {
        source = FakeSource()
        completer = TabCompleter(source: source)
    }

    /// Completes at the end of `line`.
    func complete(_ line: String) -> TabCompletion? { completer.complete(line, cursor: line.count) }

    func candidates(_ line: String, file: StaticString = #filePath, line number: UInt = #line) -> [String] {
        complete(line)?.candidates ?? []
    }

    func testCmdletNamesCycleInOrder() throws {
        let c = try XCTUnwrap(complete("Get-Rec"))
        XCTAssertEqual(c.replacement, 0..<7)
        XCTAssertEqual(c.candidates, ["Get-ReceiveConnector", "Get-ReceiveConnectorUsage", "Get-RecipientFilterConfig"])
        XCTAssertEqual(candidates("get-acc"), ["Get-AcceptedDomain"], "case-insensitive")
        XCTAssertEqual(candidates("*-ReceiveConnector"), ReceptorHost.cmdlets.map { $0.name }.filter { $0.hasSuffix("-ReceiveConnector") }.sorted())
        XCTAssertEqual(candidates("Where-O"), ["Where-Object"], "the language's built-ins too")
        XCTAssertNil(complete("Get-Nothing"))
    }

    func testCmdletsAfterAPipeAndASemicolon() throws {
        let c = try XCTUnwrap(complete("Get-ReceiveConnector | Set-Rec"))
        XCTAssertEqual(c.replacement, 23..<30)
        XCTAssertEqual(c.candidates, ["Set-ReceiveConnector", "Set-RecipientFilterConfig"])
        XCTAssertEqual(candidates("Get-Mailbox; Get-Accep"), ["Get-AcceptedDomain"])
        XCTAssertEqual(candidates("Get-ReceiveConnector | where { $_.Enabled } | Format-L"), ["Format-List"])
    }

    func testParameterNames() throws {
        let c = try XCTUnwrap(complete("New-ReceiveConnector -Rem"))
        XCTAssertEqual(c.replacement, 21..<25)
        XCTAssertEqual(c.candidates, ["-RemoteIPRanges"])
        XCTAssertEqual(candidates("Set-ReceiveConnector x -maxmessages"), ["-MaxMessageSize"])
        XCTAssertEqual(candidates("New-ReceiveConnector -Int"), ["-Internal", "-Internet"], "switches too")
        XCTAssertFalse(candidates("New-ReceiveConnector -Name x -Na").contains("-Name"), "a parameter given already is not offered again")
        XCTAssertEqual(candidates("Get-ReceiveConnector -"), ["-Identity", "-Server", "-DomainController"], "in the cmdlet's order")
        XCTAssertEqual(candidates("Get-ReceiveConnector | Format-Table -Au"), ["-AutoSize"])
        XCTAssertFalse(candidates("Remove-ReceiveConnector -").contains("-?"))
    }

    func testEnumeratedValuesFromTheParameterTable() throws {
        XCTAssertEqual(candidates("New-ReceiveConnector -TransportRole "), TransportRole.allCases.map(\.rawValue))
        XCTAssertEqual(candidates("New-ReceiveConnector -TransportRole F"), ["FrontendTransport"])
        XCTAssertEqual(candidates("Set-ReceiveConnector x -ProtocolLoggingLevel "), ProtocolLoggingLevel.allCases.map(\.rawValue))
        XCTAssertEqual(candidates("Set-ReceiveConnector x -PermissionGroups Anon"), ["AnonymousUsers"])
        XCTAssertEqual(candidates("New-ReceiveConnector -Usage "), ConnectorUsage.allCases.map(\.rawValue))
        XCTAssertEqual(candidates("New-AcceptedDomain x -DomainType Int"), ["InternalRelay"])
        XCTAssertEqual(candidates("Add-ADPermission x -ExtendedRights ms-Exch-SMTP-Accept-Any-R"), ["ms-Exch-SMTP-Accept-Any-Recipient"])
        XCTAssertNil(complete("New-ReceiveConnector -Bindings "), "free-form values have nothing to offer")
    }

    func testAListContinuesAfterItsComma() throws {
        guard case .flags(let all) = try XCTUnwrap(ConnectorParameters.named("AuthMechanism")).kind else { return XCTFail("AuthMechanism is flags") }
        let line = "Set-ReceiveConnector x -AuthMechanism Tls,"
        let c = try XCTUnwrap(complete(line))
        XCTAssertEqual(c.replacement, line.count..<line.count, "the list so far stays")
        XCTAssertEqual(c.candidates, all.filter { $0 != "Tls" }, "every other value, not Tls again")
        let spaced = "Set-ReceiveConnector x -AuthMechanism Tls, Basic"
        let d = try XCTUnwrap(complete(spaced))
        XCTAssertEqual(d.replacement, (spaced.count - 5)..<spaced.count)
        XCTAssertEqual(d.candidates, ["BasicAuth", "BasicAuthRequireTLS"])
    }

    func testBooleans() throws {
        XCTAssertEqual(candidates("Set-ReceiveConnector x -Enabled "), ["$true", "$false"])
        let line = "Set-ReceiveConnector x -RequireTLS:$f"
        let c = try XCTUnwrap(complete(line))
        XCTAssertEqual(c.candidates, ["$false"])
        XCTAssertEqual(c.replacement, (line.count - 2)..<line.count, "only the value after the colon")
        XCTAssertEqual(candidates("Set-AcceptedDomain x -MakeDefault $t"), ["$true"])
        XCTAssertEqual(candidates("$fa"), ["$false"])
    }

    func testConnectorIdentitiesQuotedAsTyped() throws {
        let line = #"Get-ReceiveConnector "Def"#
        let c = try XCTUnwrap(complete(line))
        XCTAssertEqual(c.replacement, 21..<line.count, "the opening quote is replaced too")
        XCTAssertEqual(c.candidates, [#""Default Frontend MBX01""#, #""Default MBX01""#])
        XCTAssertEqual(candidates("Get-ReceiveConnector Cli"), ["'Client Frontend MBX01'"], "unquoted: single quotes, as PowerShell")
        XCTAssertEqual(candidates("Set-ReceiveConnector -Identity 'Def"), ["'Default Frontend MBX01'", "'Default MBX01'"])
        XCTAssertEqual(candidates("Set-ReceiveConnector MBX01\\Def"), [#"'MBX01\Default Frontend MBX01'"#])
        XCTAssertEqual(
            candidates("Set-ReceiveConnector "), ["'Client Frontend MBX01'", "'Default Frontend MBX01'", "'Default MBX01'"],
            "with nothing typed, the current server's names, sorted")
        XCTAssertEqual(candidates("Remove-ADPermission 'Cli"), ["'Client Frontend MBX01'"], "ADPermission's Identity is a connector")
        XCTAssertEqual(candidates("Set-ReceiveConnector 'Default MBX01' -Enabled:$true -Comm"), ["-Comment"])
        XCTAssertEqual(TabCompleter.quoted(#"Say "hi" $x"#, with: "\""), #""Say `"hi`" `$x""#)
        XCTAssertEqual(TabCompleter.quoted("it's", with: nil), "'it''s'")
    }

    func testServersDomainsMailboxesAndUsers() throws {
        XCTAssertEqual(candidates("Get-ReceiveConnector -Server "), ["EDGE01", "MBX01"])
        XCTAssertEqual(candidates("New-ReceiveConnector -Name x -Server MB"), ["MBX01"])
        XCTAssertEqual(candidates("Get-AcceptedDomain fab"), ["fabrikam.test"])
        XCTAssertEqual(candidates("Set-Mailbox -Identity Sc"), ["'Scanner Account'"])
        XCTAssertEqual(candidates("Get-ExchangeServer "), ["EDGE01", "MBX01"])
        XCTAssertEqual(candidates("Add-ADPermission x -User 'NT"), [#"'NT AUTHORITY\ANONYMOUS LOGON'"#])
        XCTAssertEqual(candidates("Get-Help New-Rec"), ["New-ReceiveConnector"])
    }

    func testPropertiesOfPipelineObjectsAndVariables() throws {
        let line = "Get-ReceiveConnector | where { $_.Bin"
        XCTAssertEqual(candidates(line), ["$_.Bindings"])
        XCTAssertEqual(source.pipelines, ["Get-ReceiveConnector"], "the pipeline before the block's command")
        XCTAssertEqual(candidates("Get-ReceiveConnector -Server MBX01 | ? { $_.Enabled -and $_.Re"), ["$_.RemoteIPRanges"])
        XCTAssertEqual(candidates("Get-ReceiveConnector |\nForEach-Object { $_.Ide"), ["$_.Identity"], "a pipeline continued on the next line")
        XCTAssertEqual(candidates("$conns.Na"), ["$conns.Name"])
        XCTAssertEqual(candidates("$conns."), ["$conns.Bindings", "$conns.Enabled", "$conns.Name"], "sorted, as PowerShell lists members")
        XCTAssertEqual(candidates("$co"), ["$conns"])

        source.pipelines = []
        XCTAssertNil(complete("Remove-ReceiveConnector x -Confirm:$false | where { $_."), "a pipeline that changes something is never run")
        XCTAssertNil(complete("Get-Mailbox | ForEach-Object { $n = $_.Name } | where { $_."))
        XCTAssertNil(complete("where { $_."), "no pipeline before the block")
        XCTAssertEqual(source.pipelines, [])
        XCTAssertEqual(candidates("Get-ReceiveConnector | where { $"), ["$true", "$false", "$null", "$_", "$conns"])
    }

    func testPropertyNamesForTheLanguagesBuiltIns() throws {
        let line = "Get-ReceiveConnector -Server MBX01 | Select-Object Identity,Bin"
        let c = try XCTUnwrap(complete(line))
        XCTAssertEqual(c.candidates, ["Bindings"])
        XCTAssertEqual(c.replacement, (line.count - 3)..<line.count, "the item after the comma")
        XCTAssertEqual(source.pipelines, ["Get-ReceiveConnector -Server MBX01"])
        XCTAssertEqual(candidates("Get-Mailbox | Format-Table -Property Ena"), ["Enabled"])
        XCTAssertEqual(candidates("Get-Mailbox | sort Ide"), ["Identity"], "an alias, the first position")
        XCTAssertEqual(candidates("Get-Mailbox | where Rem"), ["RemoteIPRanges"])
        XCTAssertNil(complete("Select-Object Ide"), "nothing piped in")
        XCTAssertNil(complete("Remove-Mailbox x -Confirm:$false | Select-Object Ide"))
    }

    func testNothingToCompleteInsideACommentOrAHashtable() {
        XCTAssertNil(complete("# Get-Rec"))
        XCTAssertNil(complete("Set-ReceiveConnector x -RemoteIPRanges @{Add=Tls"))
        XCTAssertEqual(candidates("Set-ReceiveConnector x -RemoteIPRanges @{Add=$tr"), ["$true"], "variables still")
    }

    func testTheCursorMayStandMidLine() throws {
        let line = "New-ReceiveConnector -Rem -Name x"
        let c = try XCTUnwrap(completer.complete(line, cursor: 25))
        XCTAssertEqual(c.replacement, 21..<25)
        XCTAssertEqual(c.candidates, ["-RemoteIPRanges"])
    }
}

/// Completion against a real session and store: names and properties as the shell itself gives them.
final class LiveCompletionTests: ShellTestCase {
    func complete(_ line: String) -> [String] {
        let completer = TabCompleter(source: ShellCompletionSource(session: session, context: (session.host as! ReceptorHost).context))
        return completer.complete(line, cursor: line.count)?.candidates ?? []
    }

    func testIdentitiesAndPropertiesFromTheStore() throws {
        XCTAssertEqual(complete(#"Get-ReceiveConnector "Default F"#), [#""Default Frontend MBX01""#])
        XCTAssertTrue(try run(#"Get-ReceiveConnector "Default Frontend MBX01""#).contains("Default Frontend MBX01"), "a form the shell accepts")
        XCTAssertEqual(complete("Get-ReceiveConnector | where { $_.RemoteIP"), ["$_.RemoteIPRanges"])
        XCTAssertEqual(complete("Get-ReceiveConnector | Select-Object Identity,Enabled | where { $_."), ["$_.Enabled", "$_.Identity"])
        XCTAssertEqual(complete("Get-AcceptedDomain | Format-Table Name,DomainT"), ["DomainType"])
        try run("$domains = Get-AcceptedDomain")
        XCTAssertEqual(complete("$domains.Domain"), ["$domains.DomainName", "$domains.DomainType"])
        XCTAssertEqual(complete("Get-AcceptedDomain -Identity con"), ["contoso.test"])
        XCTAssertEqual(complete("Get-ReceiveConnector -Server "), ["MBX01"])
    }

    func testAPipelineThatChangesSomethingIsNotRun() throws {
        let before = try store.generation()
        XCTAssertEqual(complete(#"Remove-ReceiveConnector "Default MBX01" -Confirm:$false | where { $_."#), [])
        XCTAssertEqual(try store.generation(), before)
        XCTAssertEqual(warnings, [])
    }
}

/// The history file: mode 0600, no secrets, the newest 4,096 lines.
final class ShellHistoryTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-history-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testRecordsLinesPrivatelyAndLeavesSecretsOut() throws {
        let path = folder.appendingPathComponent("data/shell_history").path
        let history = ShellHistory(path: path)
        history.record("Get-ReceiveConnector")
        history.record("New-Mailbox scanner -Password (ConvertTo-SecureString 'x' -AsPlainText -Force)")
        history.record("   ")
        history.record("Get-AcceptedDomain")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "Get-ReceiveConnector\nGet-AcceptedDomain\n")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(ShellHistory(path: path).load(), ["Get-ReceiveConnector", "Get-AcceptedDomain"])
    }

    func testKeepsTheNewest4096() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("shell_history").path
        try ((1...5000).map { "Get-ReceiveConnector \($0)" }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let history = ShellHistory(path: path)
        let loaded = history.load()
        XCTAssertEqual(loaded.count, ShellHistory.limit)
        XCTAssertEqual(loaded.first, "Get-ReceiveConnector 905")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count, ShellHistory.limit, "the file is trimmed")
        history.record("Get-Mailbox")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, ShellHistory.limit)
        XCTAssertEqual(lines.last, "Get-Mailbox")
        XCTAssertEqual(lines.first, "Get-ReceiveConnector 906")
    }
}
