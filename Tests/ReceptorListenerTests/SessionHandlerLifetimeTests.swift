import Logging
import NIOCore
import NIOConcurrencyHelpers
import NIOEmbedded
import NIOPosix
import XCTest
#if canImport(Glibc)
    import Glibc
#endif
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
        try store.addServer(
            server, connectors: ConnectorDefaults.setupConnectors(for: server),
            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        let snapshot = try ListenerSnapshot.make(from: try store.snapshot(), serverName: "MBX01")
        let connector = try XCTUnwrap(snapshot.enabledConnectors.first { $0.name.hasPrefix("Default Frontend") })
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        services = ListenerServices(store: store, dataDirectory: folder.path, threadPool: pool, logger: Logger(label: "test"))
        let endpoint = SMTPEndpoint(address: try IPAddress(parsing: "127.0.0.1"), port: 25)
        configuration = SessionConfiguration(
            connector: connector, server: snapshot.server, acceptedDomains: snapshot.acceptedDomains,
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
            let handler = SMTPSessionHandler(
                services: services, configuration: configuration, tls: nil,
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
        let (handler, closes) = try session(
            "EHLO client.test\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@contoso.test>\r\nDATA\r\nSubject: cut\r\n",
            clientCloses: true)
        XCTAssertNil(handler(), "the handler outlived its connection")
        XCTAssertEqual(closes, 1)
        XCTAssertEqual(services.sessions.count, 0)
    }
}

/// The listener raises its open-file limit at start (a session is a descriptor) and says so, or warns when
/// even the hard limit leaves little room.
final class OpenFileLimitTests: XCTestCase {
    func testReportsARaiseAndWarnsWhenTheHardLimitIsLow() {
        XCTAssertEqual(OpenFileLimit.report(.init(before: 1_024, after: 1_048_576, hard: 1_048_576))?.warning, false)
        XCTAssertEqual(
            OpenFileLimit.report(.init(before: 1_024, after: 1_048_576, hard: 1_048_576))?.text,
            "open-file limit raised from 1024 to 1048576 (one per session)")
        XCTAssertNil(OpenFileLimit.report(.init(before: 65_536, after: 65_536, hard: 65_536)), "nothing to say")
        let low = OpenFileLimit.report(.init(before: 1_024, after: 4_096, hard: 4_096))
        XCTAssertEqual(low?.warning, true)
        XCTAssertTrue(low?.text.contains("limited to 4096") == true, low?.text ?? "")
    }

    func testRaisesTheSoftLimitToTheHardLimit() throws {
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved), 0)
        defer { var restore = saved; _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &restore) }
        // Below the hard limit whatever it is (already-open descriptors above a lowered soft limit stay valid).
        let low = min(512, saved.rlim_max / 2)
        var lowered = saved
        lowered.rlim_cur = low
        XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered), 0)
        let change = try XCTUnwrap(OpenFileLimit.raiseToHardLimit())
        XCTAssertEqual(change.before, UInt64(low))
        XCTAssertEqual(change.after, UInt64(saved.rlim_max))
        var now = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &now), 0)
        XCTAssertEqual(UInt64(now.rlim_cur), UInt64(saved.rlim_max))
    }
}
