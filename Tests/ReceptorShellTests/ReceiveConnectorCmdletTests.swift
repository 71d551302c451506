import XCTest
import EMSLanguage
import ReceptorCore
import ReceptorStore
@testable import ReceptorShell

final class ReceiveConnectorCmdletTests: ShellTestCase {
    func testNewInternetConnectorOnSpecificAddressWarnsWhenTheAddressIsNotLocal() throws {
        let out = try run(#"New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole Frontend -Internet -Bindings 10.10.1.1:25"#)
        XCTAssertTrue(out.contains(#"MBX01\Internet Receive Connector"#))
        let c = try connector("Internet Receive Connector")
        XCTAssertEqual(c.transportRole, .frontendTransport)
        XCTAssertEqual(c.bindings.map(\.description), ["10.10.1.1:25"])
        XCTAssertEqual(c.remoteIPRanges.map(\.description), ["0.0.0.0-255.255.255.255"])
        XCTAssertEqual(c.permissionGroups, [.anonymousUsers])
        XCTAssertTrue(warnings.contains { $0.contains("10.10.1.1 is not an address of this machine") }, "\(warnings)")
    }

    func testNewOnLocalAddressDoesNotWarn() throws {
        try run(#"New-ReceiveConnector -Name Loop -TransportRole Frontend -Internet -Bindings 127.0.0.1:25"#)
        XCTAssertFalse(warnings.contains { $0.contains("not an address of this machine") }, "\(warnings)")
    }

    func testWildcardInternetConnectorConflictsWithDefaultFrontend() throws {
        let before = try store.snapshot()
        refuse(
            #"New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole Frontend -Internet -Bindings "0.0.0.0","[::]:""#,
            containing: #"Receive connector "MBX01\Default Frontend MBX01""#)
        refuse(
            #"New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole Frontend -Internet -Bindings "0.0.0.0","[::]:""#,
            containing: "port 25 was assumed")
        XCTAssertEqual(try store.snapshot().connectors, before.connectors)
    }

    func testSetThroughPipelineCarriesTheRevision() throws {
        try run(#"Get-ReceiveConnector "Default Frontend MBX01" | Set-ReceiveConnector -Banner "220 hello""#)
        XCTAssertEqual(try connector("Default Frontend MBX01").banner, "220 hello")
        XCTAssertEqual(try store.connectors(server: "MBX01").first { $0.connector.name == "Default Frontend MBX01" }?.revision, 2)
    }

    func testStalePipelineObjectIsRefused() throws {
        // $c is read at revision 1; someone changes the connector; saving through $c is refused.
        try run(#"$c = Get-ReceiveConnector "Default Frontend MBX01""#)
        try run(#"Set-ReceiveConnector "Default Frontend MBX01" -Comment "first""#)
        refuse(#"$c | Set-ReceiveConnector -Comment "second""#, containing: "changed by someone else")
        XCTAssertEqual(try connector("Default Frontend MBX01").comment, "first")
    }

    func testMultiValuedAddAndRemove() throws {
        try run(
            #"New-ReceiveConnector -Name Relay -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.5.10 -PermissionGroups AnonymousUsers"#
        )
        try run(#"Set-ReceiveConnector Relay -RemoteIPRanges @{Add="192.168.5.11","192.168.5.12"}"#)
        try run(#"Set-ReceiveConnector Relay -RemoteIPRanges @{Remove="192.168.5.10"}"#)
        XCTAssertEqual(try connector("Relay").remoteIPRanges.map(\.description), ["192.168.5.11", "192.168.5.12"])
        refuse(#"Set-ReceiveConnector Relay -RemoteIPRanges @{Remove="10.9.9.9"}"#, containing: "no value 10.9.9.9 to remove")
    }

    func testUnsupportedSettingsAreStoredWithAWarning() throws {
        try run(#"Set-ReceiveConnector "Default Frontend MBX01" -EnableAuthGSSAPI $true -DomainController dc01.contoso.test"#)
        XCTAssertTrue(try connector("Default Frontend MBX01").enableAuthGSSAPI)
        XCTAssertTrue(warnings.contains { $0.contains("EnableAuthGSSAPI is stored") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("DomainController is accepted") }, "\(warnings)")
    }

    func testNoChangeSaysSo() throws {
        try run(#"Set-ReceiveConnector "Default Frontend MBX01" -Enabled $true"#)
        XCTAssertTrue(warnings.contains { $0.contains("no settings of 'MBX01\\Default Frontend MBX01' have been modified") }, "\(warnings)")
    }

    func testWhatIfWritesNothing() throws {
        let generation = try store.generation()
        try run(#"Set-ReceiveConnector "Default Frontend MBX01" -MaxMessageSize 10MB -WhatIf"#)
        XCTAssertEqual(try store.generation(), generation)
        XCTAssertTrue(said.contains { $0.hasPrefix("What if:") }, "\(said)")
    }

    func testRemoveWithoutTerminalNeedsConfirmFalse() throws {
        refuse(#"Remove-ReceiveConnector "Client Frontend MBX01""#, containing: "-Confirm:$false")
        try run(#"Remove-ReceiveConnector "Client Frontend MBX01" -Confirm:$false"#)
        XCTAssertNil(try store.connectors(server: nil).first { $0.connector.name == "Client Frontend MBX01" })
    }

    func testGetByServerAndWildcard() throws {
        try addServer(name: "MBX02", role: .mailbox)
        session = makeSession(server: "MBX01")
        let names = try session.evaluate(#"Get-ReceiveConnector -Server MBX02 | Select-Object -ExpandProperty Name"#).map(\.text)
        XCTAssertEqual(
            names, ["Default MBX02", "Client Proxy MBX02", "Default Frontend MBX02", "Outbound Proxy Frontend MBX02", "Client Frontend MBX02"])
        // No -Server: every server's connectors, as Exchange lists the organization's (issue 14 item 4).
        let all = try session.evaluate(#"Get-ReceiveConnector | Select-Object -ExpandProperty Identity"#).map(\.text)
        XCTAssertEqual(all.count, 10, "\(all)")
        XCTAssertTrue(all.contains(#"MBX01\Default Frontend MBX01"#) && all.contains(#"MBX02\Default Frontend MBX02"#), "\(all)")
        let fronts = try session.evaluate(#"Get-ReceiveConnector "MBX01\*Frontend*" | Select-Object -ExpandProperty Identity"#).map(\.text)
        XCTAssertEqual(fronts, [#"MBX01\Default Frontend MBX01"#, #"MBX01\Outbound Proxy Frontend MBX01"#, #"MBX01\Client Frontend MBX01"#])
    }

    /// An identity is matched on the connectors' routing; the matches are read one by one when they are few and
    /// all at once past `ConnectorLookup.readOneByOneAtMost`: both ways give the same connectors, in store order.
    func testAWildcardFindsTheSameConnectorsWhetherFewOrManyMatch() throws {
        let many = ConnectorLookup.readOneByOneAtMost + 3
        for n in 0..<many {
            try run(#"New-ReceiveConnector -Name "Relay \#(n)" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 10.1.\#(n).1"#)
        }
        let all = try session.evaluate(#"Get-ReceiveConnector "Relay *" | Select-Object -ExpandProperty Name"#).map(\.text)
        XCTAssertEqual(all, (0..<many).map { "Relay \($0)" })
        let few = try session.evaluate(#"Get-ReceiveConnector "Relay 1?" | Select-Object -ExpandProperty Name"#).map(\.text)
        XCTAssertEqual(few, (10...19).filter { $0 < many }.map { "Relay \($0)" })
        // What was read is the whole connector: its settings, not only its routing.
        try run(#"Set-ReceiveConnector "Relay 1?" -Banner "220 relay""#)
        let banners = try session.evaluate(
            #"Get-ReceiveConnector "Relay *" | where {$_.Banner -eq "220 relay"} | Select-Object -ExpandProperty Name"#)
        XCTAssertEqual(banners.map(\.text), few)
        try run(#"Set-ReceiveConnector "Relay *" -MaxMessageSize 20MB"#)
        let sized = try store.connectors(server: "MBX01").filter { $0.connector.name.hasPrefix("Relay ") }
        XCTAssertEqual(sized.count, many)
        XCTAssertTrue(sized.allSatisfy { $0.connector.maxMessageSize.description.hasPrefix("20 MB") }, "\(sized.map(\.connector.maxMessageSize))")
    }

    /// The shell keeps the routes it read while the store's generation stands: a change made by another process
    /// (another handle on the same store) is seen by the next command.
    func testRoutesReadAgainAfterAnotherProcessChangesTheStore() throws {
        try run(#"New-ReceiveConnector -Name "Relay A" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 10.9.0.1"#)
        XCTAssertEqual(try session.evaluate(#"(Get-ReceiveConnector "Relay A").Name"#).map(\.text), ["Relay A"])
        let other = try SQLiteConfigStore.open(path: store.path, create: false)
        let stored = try XCTUnwrap(try other.connectors(server: "MBX01").first { $0.connector.name == "Relay A" })
        var renamed = stored.connector
        renamed.name = "Relay B"
        renamed.remoteIPRanges = [try IPRange(parsing: "10.9.0.2")]
        try other.updateConnector(renamed, expectedRevision: stored.revision)
        XCTAssertEqual(try session.evaluate(#"(Get-ReceiveConnector "Relay B").Name"#).map(\.text), ["Relay B"])
        refuse(#"Get-ReceiveConnector "Relay A""#, containing: "couldn't be found")
        XCTAssertEqual(
            try session.evaluate(#"(Test-ReceiveConnector -RemoteIPAddress 10.9.0.2 -LocalEndPoint 25).Connector"#).map(\.text),
            [#"MBX01\Relay B"#])
    }

    func testUnknownIdentitySuggestsTheNearestName() {
        refuse(#"Get-ReceiveConnector "Default Frontend MBX1""#, containing: #"Did you mean "MBX01\Default Frontend MBX01"?"#)
    }

    func testFormatListOfDefaultFrontendShowsExchangeValues() throws {
        let out = try run(
            #"Get-ReceiveConnector "Default Frontend MBX01" | Format-List MaxMessageSize,MaxHeaderSize,MessageRateLimit,ConnectionTimeout,AuthMechanism"#
        )
        XCTAssertTrue(out.contains("MaxMessageSize    : 36 MB (37,748,736 bytes)"), out)
        XCTAssertTrue(out.contains("MaxHeaderSize     : 256 KB (262,144 bytes)"), out)
        XCTAssertTrue(out.contains("MessageRateLimit  : Unlimited"), out)
        XCTAssertTrue(out.contains("ConnectionTimeout : 00:10:00"), out)
        XCTAssertTrue(out.contains("AuthMechanism     : Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer"), out)
    }

    func testWhereWithTypedComparisons() throws {
        let big = try session.evaluate(#"Get-ReceiveConnector | where {$_.MaxRecipientsPerMessage -gt 1000} | Select-Object -ExpandProperty Name"#)
            .map(\.text)
        XCTAssertEqual(big, ["Default MBX01"])
        let verbose = try session.evaluate(#"Get-ReceiveConnector | ? {$_.ProtocolLoggingLevel -eq "Verbose"} | Select-Object -ExpandProperty Name"#)
            .map(\.text)
        XCTAssertEqual(verbose, ["Default Frontend MBX01"])
    }
}
