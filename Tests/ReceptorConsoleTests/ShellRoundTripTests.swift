import XCTest
import EMSLanguage
import ReceptorCore
import ReceptorShell
import ReceptorStore
@testable import ReceptorConsole

/// Every command line the console shows is run by the real shell (EMSLanguage and ReceptorShell over a
/// temporary store), and must make the connector the console would: the wizard's New-ReceiveConnector line,
/// the edit dialog's Set-ReceiveConnector line, Space's -Enabled line and the delete prompt's
/// Remove-ReceiveConnector line. The same shell that administrators paste the lines into reads them, so no
/// copy of PowerShell's quoting rules is needed here.
final class ShellRoundTripTests: XCTestCase {
    var folder: URL!
    var store: SQLiteConfigStore!
    var session: PSSession!
    var warnings: [String] = []

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-roundtrip-\(UUID().uuidString)")
        store = try SQLiteConfigStore.open(path: folder.appendingPathComponent("receptor.sqlite").path, create: true)
        try store.addServer(
            Fixture.mailbox, connectors: ConnectorDefaults.setupConnectors(for: Fixture.mailbox),
            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        let context = ShellContext(
            store: store, requestedServer: nil, hostName: "testhost",
            warn: { [unowned self] in warnings.append($0) }, confirm: { _ in true },
            localAddresses: { [] })
        context.say = { _ in }
        session = PSSession(host: ReceptorHost(context: context), width: 120)
    }

    override func tearDownWithError() throws {
        store = nil
        try? FileManager.default.removeItem(at: folder)
    }

    func server(_ name: String) throws -> Server { try XCTUnwrap(store.servers().first { $0.name == name }) }
    func siblings(_ server: Server) throws -> [ReceiveConnector] { try store.connectors(server: server.name).map(\.connector) }
    func stored(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> StoredConnector {
        try XCTUnwrap(store.connectors(server: nil).first { $0.connector.name == name }, "no connector \(name)", file: file, line: line)
    }

    func run(_ commandLine: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNoThrow(try session.run(commandLine), "the shell refused: \(commandLine)", file: file, line: line)
    }

    /// Every connector parameter, the server and the usage are the same (the GUIDs differ: the shell makes its own).
    func assertSameConnector(
        _ shell: ReceiveConnector, _ console: ReceiveConnector, _ commandLine: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for p in ConnectorParameters.all {
            XCTAssertEqual(p.value(of: shell), p.value(of: console), "\(p.name) after: \(commandLine)", file: file, line: line)
        }
        var aligned = shell
        aligned.guid = console.guid
        XCTAssertEqual(aligned, console, "the whole connector after: \(commandLine)", file: file, line: line)
    }

    // MARK: The wizard's New-ReceiveConnector line

    /// A draft of the wizard, the line its summary page shows, that line in the shell, and the connector
    /// the shell stored against the one Finish would store.
    func roundTrip(
        _ configure: (inout WizardDraft) throws -> Void, on serverName: String = "MBX01", includeServer: Bool = false,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let server = try server(serverName)
        var draft = WizardDraft(server: server)
        try configure(&draft)
        let evaluation = draft.evaluate(siblings: try siblings(server))
        XCTAssertEqual(evaluation.errors, [], "the draft itself is refused", file: file, line: line)
        let connector = try XCTUnwrap(evaluation.connector, file: file, line: line)
        let commandLine = draft.commandLine(for: connector, includeServer: includeServer)
        run(commandLine, file: file, line: line)
        assertSameConnector(try stored(draft.name).connector, connector, commandLine, file: file, line: line)
    }

    func testEveryUsageType() throws {
        try roundTrip { d in
            d.name = "Internet Receive Connector"; d.usage = .internet
            d.bindings = [try IPBinding(parsing: "10.10.1.1:25")]
        }
        try roundTrip { d in
            d.name = "Fabrikam.com TLS"; d.usage = .partner
            d.bindings = [try IPBinding(parsing: "0.0.0.0:2526")]; d.remoteIPRanges = [try IPRange(parsing: "17.17.17.1/24")]
        }
        try roundTrip { d in
            d.name = "Laptops"; d.usage = .client
            d.remoteIPRanges = [try IPRange(parsing: "192.168.0.0/16")]
        }
        try roundTrip { d in
            d.name = "Inbound From Organization"; d.usage = .internal
            d.remoteIPRanges = try ["10.1.2.10", "10.1.2.15", "10.1.2.20"].map { try IPRange(parsing: $0) }
        }
        try roundTrip { d in
            d.name = "Inbound From Service"; d.usage = .custom
            d.bindings = [try IPBinding(parsing: "0.0.0.0:2527")]; d.remoteIPRanges = [try IPRange(parsing: "192.168.10.5")]
        }
    }

    func testNamesWithSpacesApostrophesDollarsAndBackticks() throws {
        for (i, name) in ["O'Brien's relay (test)", "Cost $5 `each` $(whoami)", "  Scanner's 'quoted' @{x=1}", "#hash & <angle> 'It''s'"].enumerated()
        {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            try roundTrip { d in
                d.name = trimmed; d.usage = .custom
                d.bindings = [try IPBinding(parsing: "0.0.0.0:\(3000 + i)")]
            }
        }
    }

    func testSeveralBindingsAndRangesOnTheHubService() throws {
        try roundTrip { d in
            d.name = "Hub relay"; d.usage = .custom; d.transportRole = .hubTransport
            d.bindings = try ["10.0.0.5:2526", "[2001:db8::5]:2526", "[::]:2600"].map { try IPBinding(parsing: $0) }
            d.remoteIPRanges = try ["192.168.1.0/24", "10.0.0.1-10.0.0.9", "172.16.0.1", "2001:db8:1::/64", "fe80::39bd:88f7:6969:d223%11"]
                .map { try IPRange(parsing: $0) }
        }
    }

    func testAnEdgeServerInAStoreOfTwoNamesItsServer() throws {
        try store.addServer(Fixture.edge, connectors: ConnectorDefaults.setupConnectors(for: Fixture.edge), acceptedDomains: [])
        try roundTrip(
            { d in
                d.name = "Inbound From Organization"; d.usage = .internal
                d.remoteIPRanges = try ["10.1.2.10", "10.1.2.15"].map { try IPRange(parsing: $0) }
            }, on: "EDGE01", includeServer: true)
    }

    /// The line as the summary page draws it, typed into the shell as an administrator would copy it, and
    /// the connector the wizard's Finish then writes (the console over its own data source).
    func testTheSummaryPageAsDrawnAndFinish() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.character("a")); app.type("O'Brien's $1 `relay`")
        app.keys(.tab, .tab, .down, .pageDown)  // Partner; bindings page
        app.keys(.enter, .down); app.type("10.10.1.1"); app.keys(.control("s"))
        app.keys(.character("a"), .down); app.type("10.10.1.2"); app.keys(.control("s"))
        app.keys(.pageDown, .enter, .control("u")); app.type("17.17.17.1/24"); app.keys(.enter)
        app.keys(.character("a")); app.type("10.0.0.1-10.0.0.9"); app.keys(.enter)
        app.keys(.pageDown)
        let screen = app.screenText(columns: 300, rows: 40)
        let drawn = try XCTUnwrap(
            screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("│ ") && $0.contains("New-ReceiveConnector") }, screen)
        let commandLine = String(drawn.dropFirst(2).dropLast().trimmingCharacters(in: .whitespaces).drop { $0 != "N" })
        XCTAssertTrue(commandLine.hasPrefix("New-ReceiveConnector -Name \"O'Brien's `$1 ``relay``\""), commandLine)
        run(commandLine)
        app.keys(.control("s"))
        let finished = try XCTUnwrap(ds.connectors.first { $0.connector.guid == Fixture.guid(1) }).connector
        assertSameConnector(try stored(finished.name).connector, finished, commandLine)
    }

    // MARK: The edit dialog's Set-ReceiveConnector line

    /// Opens the edit dialog on a stored connector, makes the changes, and runs the dialog's command line.
    func editRoundTrip(
        _ name: String, _ change: (EditController) throws -> Void,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let before = try stored(name)
        let server = try server(before.connector.server)
        let edit = EditController(
            original: ConsoleConnector(connector: before.connector, revision: before.revision), server: server,
            siblings: try siblings(server)
        ) { _, _ in throw ConsoleDataError(.refused, "not here") }
        try change(edit)
        XCTAssertEqual(edit.fieldErrors, [:], file: file, line: line)
        XCTAssertEqual(edit.report.errors, [], file: file, line: line)
        let commandLine = try XCTUnwrap(edit.commandLine, "no change to write", file: file, line: line)
        run(commandLine, file: file, line: line)
        let after = try XCTUnwrap(store.connectors(server: nil).first { $0.connector.guid == before.connector.guid }, file: file, line: line)
        assertSameConnector(after.connector, edit.draft, commandLine, file: file, line: line)
    }

    func testEditDialogGeneralTab() throws {
        try editRoundTrip("Client Frontend MBX01") { e in
            e.apply("Name", .text("Kate's front door $1 `x` $(whoami)"))
            e.apply("Comment", .text("Relay for 'printers', \"scanners\"; costs $5 `each` @(1)"))
            e.apply("Banner", .text("220 mail.contoso.com says \"hello\" & 'welcome' $env:HOME"))
            e.apply("MaxMessageSize", .text("36MB"))
            e.apply("MaxRecipientsPerMessage", .text("500"))
            e.apply("ConnectionTimeout", .text("00:20:00"))
            e.apply("ProtocolLoggingLevel", .text("Verbose"))
            e.apply("Enabled", .bool(false))
        }
    }

    func testEditDialogSecurityTab() throws {
        try editRoundTrip("Default Frontend MBX01") { e in
            e.tab = .security
            for field in e.currentFields {
                switch field.kind {
                case .auth(.basicAuth), .auth(.basicAuthRequireTLS), .group(.exchangeUsers), .group(.partners): e.toggle(field)
                default: break
                }
            }
        }
    }

    func testEditDialogScopingTab() throws {
        try editRoundTrip("Default MBX01") { e in
            e.apply("Bindings", .list(["10.0.0.5:2526", "[2001:db8::5]:2526", "0.0.0.0:2626"]))
            e.apply("RemoteIPRanges", .list(["192.168.1.0/24", "10.0.0.1-10.0.0.9", "2001:db8:1::/64"]))
            e.apply("Fqdn", .text("relay.contoso.com"))
        }
    }

    /// The line the status line shows after the edit dialog's save, from the console itself.
    func testTheStatusLineAfterASave() throws {
        let (app, ds) = try Fixture.app()
        app.keys(.enter, .tab, .tab); app.type("Printers' \"relay\" $PSHOME `n`")  // Description of Client Frontend MBX01
        app.keys(.pageDown, .tab, .tab, .character(" "))  // Security: Integrated off
        app.keys(.control("s"))
        let status = try XCTUnwrap(app.statusMessage?.text)
        let commandLine = try XCTUnwrap(
            status.range(of: "(Set-ReceiveConnector ").map { String(status[status.index(after: $0.lowerBound)...].dropLast(2)) }, status)
        XCTAssertTrue(commandLine.contains("-Comment") && commandLine.contains("-AuthMechanism"), commandLine)
        run(commandLine)
        let saved = try XCTUnwrap(ds.connectors.first { $0.connector.name == "Client Frontend MBX01" }).connector
        assertSameConnector(try stored("Client Frontend MBX01").connector, saved, commandLine)
    }

    /// The parameter table's command text of every settable parameter at once, as the edit dialog would
    /// write it: from a connector with every parameter away from its default, and from each default
    /// connector, onto a stored connector (keeping its name, service and bindings, so nothing conflicts).
    func testEveryParameterOfTheTable() throws {
        run("Set-TransportService MBX01 -UseDowngradedExchangeServerAuth $true")  // for SuppressXAnonymousTls
        for source in [Self.rich()] + ConnectorDefaults.setupConnectors(for: Fixture.mailbox) {
            try editRoundTrip("Default MBX01") { e in
                var d = source
                d.guid = e.draft.guid; d.name = e.draft.name; d.server = e.draft.server
                d.transportRole = e.draft.transportRole; d.bindings = e.draft.bindings
                e.draft = d
            }
        }
    }

    /// A Hub connector with every settable parameter away from its default (and valid as a whole).
    static func rich() -> ReceiveConnector {
        var c = ConnectorDefaults.base(name: "Rich", server: Fixture.mailbox, transportRole: .hubTransport)
        c.remoteIPRanges = try! [
            "192.168.1.0/24", "10.0.0.1-10.0.0.9", "172.16.0.1", "17.17.17.1/24", "2001:db8:1::/64",
            "fe80::39bd:88f7:6969:d223%11",
        ].map { try IPRange(parsing: $0) }
        c.enabled = false
        c.comment = "Relay for \"printers\", scanners; costs $5 `each` and 'quotes'"
        c.authMechanism = [.tls, .basicAuth, .basicAuthRequireTLS]
        c.permissionGroups = [.anonymousUsers, .exchangeUsers]
        c.requireTLS = true
        c.domainSecureEnabled = true
        c.enableAuthGSSAPI = true
        c.extendedProtectionPolicy = .require
        c.suppressXAnonymousTls = true
        c.tlsCertificateName = "<I>CN=Contoso CA, O=Contoso<S>CN=mail.contoso.com"
        c.tlsDomainCapabilities = ["contoso.mail.onmicrosoft.com:AcceptCloudServicesMail", "fabrikam.com:AcceptOorgProtocol,AcceptCloudServicesMail"]
        c.authTarpitInterval = EnhancedTimeSpan(seconds: 10)
        c.maxLogonFailures = 7
        c.banner = "220 mail.contoso.com ESMTP \"ready\" $now"
        c.fqdn = "mail.contoso.com"
        c.sizeEnabled = .enabledWithoutValue
        c.pipeliningEnabled = false
        c.deliveryStatusNotificationEnabled = false
        c.enhancedStatusCodesEnabled = false
        c.eightBitMimeEnabled = false
        c.chunkingEnabled = false
        c.binaryMimeEnabled = false
        c.longAddressesEnabled = true
        c.orarEnabled = true
        c.requireEHLODomain = true
        c.smtpUtf8Enabled = true
        c.bareLinefeedRejectionEnabled = true
        c.rejectReservedTopLevelRecipientDomains = true
        c.rejectReservedSecondLevelRecipientDomains = true
        c.rejectSingleLabelRecipientDomains = true
        c.defaultDomain = "contoso.com"
        c.serviceDiscoveryFqdn = "sd.contoso.com"
        c.advertiseClientSettings = true
        c.maxMessageSize = ByteSize(bytes: 10_000_000)
        c.maxHeaderSize = .kilobytes(64)
        c.maxRecipientsPerMessage = 1000
        c.maxHopCount = 60
        c.maxLocalHopCount = 0
        c.maxInboundConnection = .unlimited
        c.maxInboundConnectionPerSource = .limited(50)
        c.maxInboundConnectionPercentagePerSource = 10
        c.maxProtocolErrors = .unlimited
        c.messageRateLimit = .limited(100)
        c.messageRateSource = .all
        c.connectionTimeout = EnhancedTimeSpan(seconds: 86_400)
        c.connectionInactivityTimeout = .minutes(15)
        c.tarpitInterval = .zero
        c.maxAcknowledgementDelay = .zero
        c.protocolLoggingLevel = .verbose
        return c
    }

    // MARK: Space and Delete

    func testEnableDisableAndDeleteLines() throws {
        let before = try stored("Client Proxy MBX01").connector
        run(ConsoleApp.enableCommand(before, enabled: false))
        XCTAssertFalse(try stored("Client Proxy MBX01").connector.enabled)
        run(ConsoleApp.enableCommand(before, enabled: true))
        XCTAssertTrue(try stored("Client Proxy MBX01").connector.enabled)
        // A name the shell would expand if it were quoted carelessly.
        run(#"Set-ReceiveConnector "Client Proxy MBX01" -Name 'Proxy $HOME `x` ''q'''"#)
        let renamed = try stored("Proxy $HOME `x` 'q'").connector
        run(ConsoleApp.enableCommand(renamed, enabled: false))
        XCTAssertFalse(try stored(renamed.name).connector.enabled)
        run(ConsoleApp.removeCommand(renamed))
        XCTAssertNil(try store.connectors(server: nil).first { $0.connector.guid == renamed.guid })
    }
}
