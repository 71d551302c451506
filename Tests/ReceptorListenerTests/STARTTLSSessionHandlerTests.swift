import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import NIOSSL
import XCTest
import ReceptorCore
import ReceptorSMTP
import ReceptorStore
@testable import ReceptorListener

/// Issue 13 at the session handler: the handler on an embedded channel, its STARTTLS done with a real TLS
/// client (NIOSSL) on a second embedded channel.
/// - Item 1: bytes the client sends after STARTTLS and before the handshake completes never reach the
///   session, here those that arrive while the tarpit holds back the STARTTLS (the handler kept them and fed
///   them to the session once the delay ended, after TLS had started: they were answered inside TLS).
/// - Item 2: a session waiting for the client's handshake ends at ConnectionInactivityTimeout, and the
///   connection really closes (the TLS handler holds back writes until its handshake, so a close that waited
///   for the last write to go out never came).
final class STARTTLSSessionHandlerTests: XCTestCase {
    private var folder: URL!
    private var services: ListenerServices!
    private var pool: NIOThreadPool!
    private var tls: ListenerTLS!
    private var snapshot: ListenerSnapshot!
    private var connector: ReceiveConnector!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-starttls-\(UUID().uuidString)")
        let store = try SQLiteConfigStore.open(path: folder.appendingPathComponent("receptor.sqlite").path, create: true)
        let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")
        try store.addServer(
            server, connectors: ConnectorDefaults.setupConnectors(for: server),
            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        snapshot = try ListenerSnapshot.make(from: try store.snapshot(), serverName: "MBX01")
        connector = try XCTUnwrap(snapshot.enabledConnectors.first { $0.name.hasPrefix("Default Frontend") })
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        services = ListenerServices(store: store, dataDirectory: folder.path, threadPool: pool, logger: Logger(label: "test"))
        tls = ListenerTLS(dataDirectory: folder.path, serverFqdn: "mbx01.contoso.test", logger: Logger(label: "test"))
        XCTAssertTrue(tls.isAvailable(for: connector))
    }

    override func tearDownWithError() throws {
        try pool?.syncShutdownGracefully()
        try? FileManager.default.removeItem(at: folder)
    }

    /// A session on Default Frontend (TarpitInterval 5 s, STARTTLS offered), connected, banner read.
    private func makeSession(_ configure: (inout ReceiveConnector) -> Void = { _ in }) throws -> EmbeddedChannel {
        var c = connector!
        configure(&c)
        let endpoint = SMTPEndpoint(address: try IPAddress(parsing: "127.0.0.1"), port: 25)
        let configuration = SessionConfiguration(
            connector: c, server: snapshot.server, acceptedDomains: snapshot.acceptedDomains,
            certificateAvailable: true, localEndpoint: endpoint, remoteEndpoint: endpoint,
            sessionID: "0000000000000002", connectedAt: Date())
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(SMTPSessionHandler(services: services, configuration: configuration, tls: tls, onClose: {}))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        XCTAssertTrue(try written(channel).hasPrefix("220 "))
        return channel
    }

    /// What the channel wrote since the last call (plain text, or TLS records read as Latin-1 bytes).
    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    private func read(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    /// A TLS client on its own embedded channel; its ClientHello is waiting once this returns.
    private func makeTLSClient() throws -> EmbeddedChannel {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let client = EmbeddedChannel()
        try client.pipeline.syncOperations.addHandler(
            try NIOSSLClientHandler(
                context: NIOSSLContext(configuration: configuration),
                serverHostname: nil))
        try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        return client
    }

    /// Moves bytes between the two channels until neither has more to send.
    private func shuttle(_ client: EmbeddedChannel, _ server: EmbeddedChannel) throws {
        for _ in 0..<100 {
            var moved = false
            while let buffer = try client.readOutbound(as: ByteBuffer.self) { try server.writeInbound(buffer); moved = true }
            while let buffer = try server.readOutbound(as: ByteBuffer.self) { try client.writeInbound(buffer); moved = true }
            if !moved { return }
        }
        XCTFail("the TLS exchange did not settle")
    }

    func testPlaintextSentWhileTheTarpitHoldsBackSTARTTLSIsNeverAnsweredInsideTLS() throws {
        let server = try makeSession()
        try server.writeInbound(ByteBuffer(string: "EHLO client.test\r\n"))
        XCTAssertTrue(try written(server).contains("250-STARTTLS"))
        // RCPT before MAIL earns a tarpitted 503; STARTTLS behind it is accepted but its 220 waits too.
        try server.writeInbound(ByteBuffer(string: "RCPT TO:<someone@contoso.test>\r\nSTARTTLS\r\n"))
        XCTAssertEqual(try written(server), "", "the tarpit holds back the replies")
        // While the delay runs, the client injects plaintext commands.
        try server.writeInbound(ByteBuffer(string: "EHLO injected.test\r\nMAIL FROM:<injected@fabrikam.test>\r\n"))
        server.embeddedEventLoop.advanceTime(by: .seconds(5))
        let plain = try written(server)
        XCTAssertTrue(plain.hasPrefix("503 5.5.2 Need mail command"), plain)
        XCTAssertTrue(plain.hasSuffix("220 2.0.0 SMTP server ready\r\n"), plain)

        let client = try makeTLSClient()
        try shuttle(client, server)
        XCTAssertEqual(try read(client), "", "plaintext sent before the handshake was answered inside TLS")

        try client.writeOutbound(ByteBuffer(string: "EHLO after.test\r\nMAIL FROM:<a@fabrikam.test>\r\n"))
        try shuttle(client, server)
        let replies = try read(client)
        XCTAssertTrue(replies.hasPrefix("250-mbx01.contoso.test Hello [127.0.0.1]"), replies)
        XCTAssertEqual(replies.components(separatedBy: "Hello").count, 2, "one EHLO answered: \(replies)")
        XCTAssertTrue(replies.hasSuffix("250 2.1.0 Sender OK\r\n"), "the injected MAIL did not open a transaction: \(replies)")
        XCTAssertTrue(server.isActive)
    }

    /// The disabled-connector drain is another deferred path: a connector withdrawn while a tarpit holds back
    /// an accepted STARTTLS lets the handshake finish, then says 421 inside TLS, and answers nothing injected.
    func testAConnectorDisabledWhileTheTarpitHoldsBackSTARTTLSAnswersOnly421InsideTLS() throws {
        let server = try makeSession()
        try server.writeInbound(ByteBuffer(string: "EHLO client.test\r\n"))
        _ = try written(server)
        try server.writeInbound(ByteBuffer(string: "RCPT TO:<someone@contoso.test>\r\nSTARTTLS\r\n"))
        try server.writeInbound(ByteBuffer(string: "EHLO injected.test\r\n"))
        services.sessions.withdraw(connectors: [connector.guid])
        server.embeddedEventLoop.run()
        XCTAssertEqual(try written(server), "", "the drain waits for the STARTTLS in flight")
        try server.writeInbound(ByteBuffer(string: "MAIL FROM:<injected@fabrikam.test>\r\n"))
        server.embeddedEventLoop.advanceTime(by: .seconds(5))
        XCTAssertTrue(try written(server).hasSuffix("220 2.0.0 SMTP server ready\r\n"))
        let client = try makeTLSClient()
        try shuttle(client, server)
        XCTAssertEqual(try read(client), "421 4.3.2 Service not available, closing transmission channel\r\n")
    }

    func testASessionWaitingForTheHandshakeClosesAtItsInactivityTimeout() throws {
        let server = try makeSession { $0.connectionInactivityTimeout = EnhancedTimeSpan(seconds: 1) }
        try server.writeInbound(ByteBuffer(string: "EHLO client.test\r\nSTARTTLS\r\n"))
        XCTAssertTrue(try written(server).hasSuffix("220 2.0.0 SMTP server ready\r\n"))
        // The client never starts the handshake. The engine reads the wall clock; its timers run on the
        // embedded loop's.
        Thread.sleep(forTimeInterval: 1.2)
        server.embeddedEventLoop.advanceTime(by: .seconds(2))
        XCTAssertFalse(server.isActive, "the session still waits for a TLS handshake past ConnectionInactivityTimeout")
        XCTAssertFalse(try written(server).contains("421"), "no plaintext reply once TLS has begun")
        XCTAssertEqual(services.sessions.count, 0)
    }
}
