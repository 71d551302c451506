import Logging
import NIOCore
import NIOConcurrencyHelpers
import NIOEmbedded
import NIOPosix
import XCTest
import ReceptorCore
import ReceptorSMTP
import ReceptorStore
@testable import ReceptorListener

/// A session's handler must go away with its connection. NIO's context keeps its handler, the handler keeps
/// its context and its registry entry (whose callback keeps the handler): unless the handler lets go of both
/// when the pipeline removes it, every connection's session and buffers stay in memory (they did: about
/// 7 KB per connection, found by watching the listener's RSS under a connection per message).
final class SessionHandlerLifetimeTests: XCTestCase {
    private var folder: URL!
    private var services: ListenerServices!
    private var pool: NIOThreadPool!
    private var configuration: SessionConfiguration!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-lifetime-\(UUID().uuidString)")
        let store = try SQLiteConfigStore.open(path: folder.appendingPathComponent("receptor.sqlite").path, create: true)
        let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")
        try store.addServer(server, connectors: ConnectorDefaults.setupConnectors(for: server),
                            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        let snapshot = try ListenerSnapshot.make(from: try store.snapshot(), serverName: "MBX01")
        let connector = try XCTUnwrap(snapshot.enabledConnectors.first { $0.name.hasPrefix("Default Frontend") })
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        services = ListenerServices(store: store, dataDirectory: folder.path, threadPool: pool, logger: Logger(label: "test"))
        let endpoint = SMTPEndpoint(address: try IPAddress(parsing: "127.0.0.1"), port: 25)
        configuration = SessionConfiguration(connector: connector, server: snapshot.server, acceptedDomains: snapshot.acceptedDomains,
                                             certificateAvailable: false, localEndpoint: endpoint, remoteEndpoint: endpoint,
                                             sessionID: "0000000000000001", connectedAt: Date())
    }

    override func tearDownWithError() throws {
        try pool?.syncShutdownGracefully()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs a session on an embedded channel: `input` in, then the channel closes (by the session after QUIT,
    /// or by the client). Returns a weak reference to the handler and how often `onClose` ran.
    private func session(_ input: String, clientCloses: Bool) throws -> (handler: () -> SMTPSessionHandler?, closes: Int) {
        let closes = NIOLockedValueBox(0)
        let channel = EmbeddedChannel()
        weak var weakHandler: SMTPSessionHandler?
        try {
            let handler = SMTPSessionHandler(services: services, configuration: configuration, tls: nil,
                                             onClose: { closes.withLockedValue { $0 += 1 } })
            weakHandler = handler
            try channel.pipeline.syncOperations.addHandler(handler)
        }()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        XCTAssertEqual(services.sessions.count, 1, "the open session is registered")
        let banner = try XCTUnwrap(channel.readOutbound(as: ByteBuffer.self))
        XCTAssertTrue(String(buffer: banner).hasPrefix("220 "), String(buffer: banner))
        try channel.writeInbound(ByteBuffer(string: input))
        if clientCloses { _ = try? channel.close().wait() }
        channel.embeddedEventLoop.run()
        XCTAssertFalse(channel.isActive)
        _ = try? channel.finish()
        return ({ weakHandler }, closes.withLockedValue { $0 })
    }

    func testTheHandlerIsFreedWhenTheSessionQuits() throws {
        let (handler, closes) = try session("EHLO client.test\r\nQUIT\r\n", clientCloses: false)
        XCTAssertNil(handler(), "the handler outlived its connection")
        XCTAssertEqual(closes, 1, "the connection limits are released once")
        XCTAssertEqual(services.sessions.count, 0, "the session left the registry")
    }

    func testTheHandlerIsFreedWhenTheClientHangsUpMidMessage() throws {
        let (handler, closes) = try session("EHLO client.test\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@contoso.test>\r\nDATA\r\nSubject: cut\r\n",
                                            clientCloses: true)
        XCTAssertNil(handler(), "the handler outlived its connection")
        XCTAssertEqual(closes, 1)
        XCTAssertEqual(services.sessions.count, 0)
    }
}
