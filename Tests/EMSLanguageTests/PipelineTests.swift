import XCTest

@testable import EMSLanguage

final class PipelineTests: EMSTestCase {
    private func names(_ line: String) throws -> [String] {
        try eval(line).map { Members.property(of: $0, named: "Name")?.text ?? $0.text }
    }

    // MARK: - Pipelines from the Exchange documentation

    func testAnonymousRelayConnectorsFormattedAsList() throws {
        let text = try output(
            "Get-Thing | where {$_.Bindings -like '*25' -AND $_.PermissionGroups -like '*AnonymousUsers*'} | Format-List Identity,Bindings,RemoteIPRanges,PermissionGroups"
        )
        XCTAssertEqual(
            text,
            #"""

            Identity         : MBX01\Default Frontend MBX01
            Bindings         : {0.0.0.0:25, [::]:25}
            RemoteIPRanges   : {::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, 0.0.0.0-255.255.255.255}
            PermissionGroups : AnonymousUsers, ExchangeServers, ExchangeLegacyServers

            Identity         : MBX01\Relay MBX01
            Bindings         : {10.1.2.3:25}
            RemoteIPRanges   : {10.1.2.10, 10.1.2.15}
            PermissionGroups : AnonymousUsers

            """#)
    }

    func testExplicitPermissionsFormattedAsTable() throws {
        let text = try output(
            "Get-Thing | where {($_.Deny -eq $false) -and ($_.IsInherited -eq $false)} | Format-Table User,ExtendedRights")
        XCTAssertEqual(
            text,
            #"""

            User                         ExtendedRights
            ----                         --------------
            NT AUTHORITY\ANONYMOUS LOGON {ms-Exch-SMTP-Submit, ms-Exch-SMTP-Accept-Any-Sender}
            NT AUTHORITY\ANONYMOUS LOGON {ms-Exch-SMTP-Accept-Any-Recipient}

            """#)
    }

    // MARK: - Where-Object

    func testWhereScriptBlockForms() throws {
        XCTAssertEqual(try names("Get-Thing | where {$_.Enabled}"), ["Default Frontend MBX01", "Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | ? {-not $PSItem.Enabled}"), ["Relay MBX01"])
        XCTAssertEqual(try names("Get-Thing | Where-Object -FilterScript {$_.Bindings -like '*:587'}"), ["Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | where {$_.MaxMessageSize -lt 20MB}"), ["Relay MBX01"])
        XCTAssertEqual(try names("Get-Thing | where {$_.Bindings -contains '[::]:25'}"), ["Default Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | where {$_.Name -in 'relay mbx01','x'}"), ["Relay MBX01"])
    }

    func testWhereSimplifiedSyntax() throws {
        XCTAssertEqual(try names("Get-Thing | where Enabled -eq $false"), ["Relay MBX01"])
        XCTAssertEqual(try names("Get-Thing | where Enabled"), ["Default Frontend MBX01", "Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | Where-Object -Property Name -Like 'relay*'"), ["Relay MBX01"])
        XCTAssertEqual(try names("Get-Thing | where Name -CLike 'relay*'"), [])
        XCTAssertEqual(try names("Get-Thing | where Bindings -Contains '0.0.0.0:587'"), ["Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | where MaxMessageSize -GT 20MB"), ["Default Frontend MBX01", "Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | where Name -Match '^Client'"), ["Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | where Name -NE 'Relay MBX01'"), ["Default Frontend MBX01", "Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | where Bindings -Like '*587'"), ["Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | where Name -NotLike '*Frontend*'"), ["Relay MBX01"])
        XCTAssertEqual(try names("Get-Thing | where MaxMessageSize -LT 20MB"), ["Relay MBX01"])
    }

    // MARK: - ForEach-Object

    func testForEachObject() throws {
        XCTAssertEqual(try eval("Get-Thing | % {$_.Name}"), ["Default Frontend MBX01", "Client Frontend MBX01", "Relay MBX01"])
        XCTAssertEqual(try eval("Get-Thing | foreach Bindings"), ["0.0.0.0:25", "[::]:25", "0.0.0.0:587", "[::]:587", "10.1.2.3:25"])
        XCTAssertEqual(try eval("Get-Thing | ForEach-Object -MemberName Enabled"), [true, true, false])
        XCTAssertEqual(try eval("1,2,3 | % { $_ * 2 }"), [2, 4, 6])
        XCTAssertEqual(try eval("1,2 | % {'start'} {$_} {'end'}"), ["start", 1, 2, "end"])
        XCTAssertEqual(try eval("Get-Thing | % { $_.Name.ToUpper() } | select -Last 1"), ["RELAY MBX01"])
        // Commands inside the block run once per item with $_ bound.
        _ = try session.run("Get-Thing | % { Set-Thing $_.Identity -Enabled:$false }")
        XCTAssertEqual(
            host.invocations.filter { $0.commandName == "Set-Thing" }.map { $0.positional.first?.value.text ?? "" },
            [
                #"MBX01\Default Frontend MBX01"#, #"MBX01\Client Frontend MBX01"#, #"MBX01\Relay MBX01"#,
            ])
    }

    // MARK: - Select-Object

    func testSelectObjectGolden() throws {
        XCTAssertEqual(
            try output("Get-Thing | select Name,Enabled"),
            """

            Name                   Enabled
            ----                   -------
            Default Frontend MBX01 True
            Client Frontend MBX01  True
            Relay MBX01            False

            """)
    }

    func testSelectFirstLastSkipUniqueExpand() throws {
        XCTAssertEqual(try eval("1,2,3,4,5 | select -First 2"), [1, 2])
        XCTAssertEqual(try eval("1,2,3,4,5 | select -Last 2"), [4, 5])
        XCTAssertEqual(try eval("1,2,3,4,5 | select -Skip 3"), [4, 5])
        XCTAssertEqual(try eval("1,2,3,4,5 | select -Skip 1 -First 2"), [2, 3])
        XCTAssertEqual(try eval("1,2,2,3,1 | select -Unique"), [1, 2, 3])
        XCTAssertEqual(try eval("Get-Thing | select -ExpandProperty Bindings -First 1"), ["0.0.0.0:25", "[::]:25"])
        XCTAssertEqual(try eval("(Get-Thing | select -ExpandProperty Name).Count"), [3])
        assertRuntimeError("Get-Thing | select -ExpandProperty Nope", "Property \"Nope\" cannot be found.")
    }

    func testSelectWildcardsAndCalculatedProperties() throws {
        let selected = try eval("Get-Thing | select -First 1 Name,*Groups,@{n='MB';e={$_.MaxMessageSize.ToString()}},{$_.Enabled},Missing")
        guard case .object(let object)? = selected.first else { return XCTFail("expected an object") }
        XCTAssertEqual(object.propertyNames, ["Name", "PermissionGroups", "MB", "$_.Enabled", "Missing"])
        XCTAssertEqual(object["MB"], "36 MB (37,748,736 bytes)")
        XCTAssertEqual(object["Missing"], .null)
        XCTAssertEqual(object["$_.Enabled"], true)
        XCTAssertEqual(object.typeName, "Selected.ReceiveConnector")
        let excluded = try eval("Get-Thing | select -First 1 -Property * -ExcludeProperty *Range*,Deny")
        guard case .object(let all)? = excluded.first else { return XCTFail("expected an object") }
        XCTAssertFalse(all.propertyNames.contains("RemoteIPRanges"))
        XCTAssertFalse(all.propertyNames.contains("Deny"))
        XCTAssertEqual(all.propertyNames.count, 10)
    }

    // MARK: - Sort-Object

    func testSortObjectGolden() throws {
        XCTAssertEqual(
            try session.run("Get-Thing | sort MaxMessageSize, Name | select -ExpandProperty Name"),
            ["Relay MBX01", "Client Frontend MBX01", "Default Frontend MBX01"])
        XCTAssertEqual(
            try output("Get-Thing | Sort-Object Name -Descending | Format-Table Name,Enabled"),
            """

            Name                   Enabled
            ----                   -------
            Relay MBX01            False
            Default Frontend MBX01 True
            Client Frontend MBX01  True

            """)
    }

    func testSortIsStableAndTyped() throws {
        // Ties keep their input order, ascending and descending.
        XCTAssertEqual(try names("Get-Thing | sort Enabled"), ["Relay MBX01", "Default Frontend MBX01", "Client Frontend MBX01"])
        XCTAssertEqual(try names("Get-Thing | sort Enabled -Descending"), ["Default Frontend MBX01", "Client Frontend MBX01", "Relay MBX01"])
        XCTAssertEqual(try eval("3,1,10,2 | sort"), [1, 2, 3, 10])
        XCTAssertEqual(try eval("'b','A','c' | sort"), ["A", "b", "c"])
        XCTAssertEqual(try eval("'b','A','a','B' | sort -Unique"), ["A", "b"])
        XCTAssertEqual(try eval("'10','9' | sort"), ["10", "9"])
        XCTAssertEqual(
            try names("Get-Thing | sort @{e={$_.Bindings.Count}; Descending=$true}, Name"),
            [
                "Client Frontend MBX01", "Default Frontend MBX01", "Relay MBX01",
            ])
        XCTAssertEqual(try names("Get-Thing | sort {$_.Name.Length}"), ["Relay MBX01", "Client Frontend MBX01", "Default Frontend MBX01"])
    }

    // MARK: - Other built-ins

    func testMeasureObject() throws {
        XCTAssertEqual(try eval("(Get-Thing | Measure-Object).Count"), [3])
        XCTAssertEqual(
            try output("Get-Thing | measure"),
            """

            Count    : 3
            Average  :
            Sum      :
            Maximum  :
            Minimum  :
            Property :

            """)
        XCTAssertEqual(try eval("(1,2,3 | measure -Sum -Maximum).Sum"), [.double(6)])
        XCTAssertEqual(try eval("(Get-Thing | measure MaxMessageSize -Max).Maximum"), [.double(37_748_736)])
    }

    func testOutputCommands() throws {
        XCTAssertEqual(try eval("Get-Thing | Out-Null"), [])
        XCTAssertEqual(try session.run("Write-Host 'Connector' created"), ["Connector created"])
        XCTAssertEqual(try session.run("Write-Host -Object 1,2 -Separator ','"), ["1,2"])
        XCTAssertEqual(try eval("Write-Output a b"), ["a", "b"])
        XCTAssertEqual(try eval("echo 1,2"), [1, 2])
        XCTAssertEqual(try eval("'x' | Write-Output"), ["x"])
        XCTAssertEqual(try eval("Get-Thing | select -First 1 Name | Out-String"), ["\nName\n----\nDefault Frontend MBX01\n\n"])
        XCTAssertEqual(try eval("'a','b' | Out-String -Stream"), ["a", "b"])
    }

    func testSessionVariablesPersistAcrossLines() throws {
        XCTAssertEqual(try session.run("$relay = Get-Thing 'Relay MBX01'"), [])
        XCTAssertEqual(try session.run("$relay.Bindings"), ["10.1.2.3:25"])
        XCTAssertEqual(try session.run("$RELAY.name; $Relay.Enabled"), ["Relay MBX01", "False"])
        XCTAssertEqual(try eval("$all = Get-Thing; $all.Count"), [3])
        XCTAssertEqual(try eval("$all[-1].Name"), ["Relay MBX01"])
        XCTAssertEqual(try eval("$all.Name -like 'D*'"), ["Default Frontend MBX01"])
        XCTAssertEqual(try eval("$undefined"), [.null])
        XCTAssertEqual(try eval("$global:all.Count"), [3])
        session.variables["FromHost"] = "set by host"
        XCTAssertEqual(try eval("$fromhost"), ["set by host"])
    }

    func testExpressionsAtPipelineStart() throws {
        XCTAssertEqual(try eval("'a','b' | % { $_ + '!' }"), ["a!", "b!"])
        XCTAssertEqual(try eval("@(Get-Thing).Count"), [3])
        XCTAssertEqual(try eval("@(1)"), [1])
        XCTAssertEqual(try eval("$(1; 2)"), [1, 2])
        XCTAssertEqual(try eval("(Get-Thing)[0].Name"), ["Default Frontend MBX01"])
        XCTAssertEqual(try eval("'MBX01\\Relay'.Split('\\')[1]"), ["Relay"])
        XCTAssertEqual(try eval("\"$((Get-Thing).Count) connectors\""), ["3 connectors"])
    }
}
