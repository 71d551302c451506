import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import XCTest
#if canImport(Glibc)
    import Glibc
#endif
import ReceptorConsole
import ReceptorControl
import ReceptorCore
import ReceptorStore
@testable import ReceptorControlLink
@testable import ReceptorListener

/// A real listener on loopback with a TCP control endpoint (`--control-port`), started before each test of the
/// subclasses below and stopped after it (each lists its own tests: XCTest on Linux doesn't discover inherited ones).
class ControlEndpointTestCase: XCTestCase {
    var folder: URL!
    var runtime: ListenerRuntime!
    var finished: DispatchSemaphore!
    var store: SQLiteConfigStore!
    /// The endpoint's authentication deadline in this class's tests.
    var authenticationDeadline: TimeAmount { ControlEndpointOptions.defaultAuthenticationDeadline }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-control-endpoint-\(UUID().uuidString)")
        // SMTP ports below the ephemeral range (platform notes); the control port is the system's choice (0).
        let offset = 22_000 + Int.random(in: 0..<2_000) * 2
        store = try SQLiteConfigStore.open(path: folder.appendingPathComponent("receptor.sqlite").path, create: true)
        let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")
        try store.addServer(
            server, connectors: [ConnectorDefaults.setupConnectors(for: server, portOffset: offset)[0]],
            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        var options = ListenerRuntime.Options(serverName: "MBX01")
        options.drainTimeout = .seconds(2)
        options.ioThreads = 1
        options.controlEndpoint = ControlEndpointOptions(address: "127.0.0.1", port: 0, authenticationDeadline: authenticationDeadline)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let runtime = ListenerRuntime(store: store, options: options, logger: logger)
        let finished = DispatchSemaphore(value: 0)
        self.runtime = runtime
        self.finished = finished
        let runError = NIOLockedValueBox<Error?>(nil)
        Task {
            do { try await runtime.run() } catch { runError.withLockedValue { $0 = error } }
            finished.signal()
        }
        let deadline = Date().addingTimeInterval(60)
        while try store.listeners().first?.controlEndpoint == nil {
            if let error = runError.withLockedValue({ $0 }) { throw error }
            guard Date() < deadline else { return XCTFail("the listener did not register a control endpoint") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    override func tearDownWithError() throws {
        runtime?.stop()
        _ = finished?.wait(timeout: .now() + 30)
        try? FileManager.default.removeItem(at: folder)
    }

    /// The registered endpoint, as a console elsewhere would reach it, with the given secret.
    func target(secret: ControlSecret?, fingerprint: String? = nil) throws -> ControlTarget {
        let registration = try XCTUnwrap(try store.listeners().first)
        let (host, port) = try XCTUnwrap(registration.controlEndpoint.flatMap(ControlEndpoint.parse))
        return ControlTarget(.remote(host: host, port: port, fingerprint: fingerprint ?? registration.controlFingerprint ?? ""), secret: secret)
    }
}

/// The TCP control endpoint of a real listener on loopback (`--control-port`): the registration names it and
/// its certificate; a client with the store's secret gets the snapshot and the feed through TLS; a wrong
/// secret gets one refusal; a certificate other than the registered one is not trusted; a plaintext client
/// gets no snapshot byte.
final class ControlEndpointTests: ControlEndpointTestCase {
    func testTheProductionDeadlineIsTenSeconds() {
        XCTAssertEqual(ControlEndpointOptions(port: 8725).authenticationDeadline, .seconds(10))
    }

    func testTheRegistrationNamesTheEndpointAndTheCertificate() throws {
        let registration = try XCTUnwrap(try store.listeners().first)
        let (host, port) = try XCTUnwrap(registration.controlEndpoint.flatMap(ControlEndpoint.parse))
        XCTAssertEqual(host, "127.0.0.1")
        XCTAssertGreaterThan(port, 0)
        // The fingerprint is the SHA-256 of the certificate the listener's connectors present (certs/, made by it).
        let identity = try CertificateStore(dataDirectory: runtime.dataDirectory, serverFqdn: "mbx01.contoso.test")
            .certificate(for: "mbx01.contoso.test", tlsCertificateName: nil)
        XCTAssertEqual(registration.controlFingerprint, identity.sha256Fingerprint)
        XCTAssertEqual(registration.controlFingerprint?.count, 64)
        XCTAssertNotNil(try store.controlSecret(create: false), "the listener made the organization's secret")
        XCTAssertEqual(runtime.registeredControlEndpoint?.address, registration.controlEndpoint)
    }

    func testTheRightSecretReadsTheSnapshotAndTheFeed() throws {
        let secret = try XCTUnwrap(try store.controlSecret(create: false))
        let snapshot = try XCTUnwrap(ControlClient.snapshot(try target(secret: secret), timeout: 10), "a snapshot over TLS")
        XCTAssertEqual(snapshot.server, "MBX01")
        XCTAssertEqual(snapshot.pid, getpid())

        // The monitor's way: subscribe, then the snapshot line and the events (a tick within a second or two).
        let connection = try ControlClient.connect(try target(secret: secret), timeout: 10)
        defer { connection.close() }
        XCTAssertTrue(connection.send(#"{"command":"subscribe"}"#))
        guard case .snapshot(let first)? = connection.readLine(until: Date().addingTimeInterval(10)).flatMap(ControlLine.decode) else {
            return XCTFail("no snapshot first")
        }
        XCTAssertEqual(first.server, "MBX01")
        guard case .event(let tick)? = connection.readLine(until: Date().addingTimeInterval(10)).flatMap(ControlLine.decode) else {
            return XCTFail("no event after the snapshot")
        }
        XCTAssertEqual(tick.type, "tick")

        // Usage too (the console's usage reader).
        let usage = ControlClient.usage(try target(secret: secret), request: UsageRequest(connector: nil, days: 7), timeout: 10)
        XCTAssertNotNil(usage)
    }

    func testAWrongSecretIsRefusedWithOneLineAndNothingElse() throws {
        let started = Date()
        XCTAssertThrowsError(try ControlClient.connect(try target(secret: ControlSecret.generate()), timeout: 10)) { error in
            XCTAssertTrue("\(error)".contains("refused"), "\(error)")
        }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "a refusal waits a second")
        XCTAssertNil(ControlClient.snapshot(try target(secret: ControlSecret.generate()), timeout: 10))
        XCTAssertThrowsError(try ControlClient.connect(try target(secret: nil), timeout: 10), "no secret: no attempt")
    }

    func testACertificateOtherThanTheRegisteredOneIsNotTrusted() throws {
        let secret = try XCTUnwrap(try store.controlSecret(create: false))
        XCTAssertThrowsError(try ControlClient.connect(try target(secret: secret, fingerprint: String(repeating: "ab", count: 32)), timeout: 10)) {
            XCTAssertTrue("\($0)".contains("not the one the store registered"), "\($0)")
        }
    }

    func testAPlaintextClientGetsNoSnapshotByte() throws {
        let registration = try XCTUnwrap(try store.listeners().first)
        let (_, port) = try XCTUnwrap(registration.controlEndpoint.flatMap(ControlEndpoint.parse))
        let client = try XCTUnwrap(LineClient(port: port, timeout: 15))
        client.send(#"{"command":"snapshot"}"# + "\n")
        let (bytes, closed) = client.readToEnd()
        XCTAssertTrue(closed, "the endpoint closes a plaintext client")
        XCTAssertFalse(bytes.contains(UInt8(ascii: "{")), "no JSON at all: \(bytes)")
        XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("MBX01"))
        // Whatever it got is a TLS record (an alert), never the control protocol.
        if let first = bytes.first { XCTAssertEqual(first, 0x15, "a TLS alert record") }
    }

    /// What the monitor's feed handed over within `timeout`, until `done` says enough.
    func updates(_ feed: ControlSocketFeed, timeout: TimeInterval = 15, until done: ([MonitorUpdate]) -> Bool) -> [MonitorUpdate] {
        var got: [MonitorUpdate] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !done(got) {
            got += feed.drain()
            Thread.sleep(forTimeInterval: 0.05)
        }
        return got
    }

    /// The console on another host: its data source routes to the TCP endpoint with the store's secret, and the
    /// monitor's feed and the usage reader attach through it; with a wrong secret the feed stays detached.
    func testAConsoleOnAnotherHostFollowsTheListenerThroughTheEndpoint() throws {
        var registration = try XCTUnwrap(try store.listeners().first)
        registration.host = "mbx01.elsewhere.test"  // as a console on another host sees it: no socket of its here
        try store.registerListener(registration)
        let status = try XCTUnwrap(try StoreDataSource(store: store).snapshot().listener(for: "MBX01"))
        let control = try XCTUnwrap(status.control)
        guard case .remote(let host, _, let fingerprint) = control.endpoint else { return XCTFail("not the TCP endpoint: \(control)") }
        XCTAssertEqual(host, "127.0.0.1")
        XCTAssertEqual(fingerprint, registration.controlFingerprint)
        XCTAssertEqual(control.secret, try store.controlSecret(create: false))

        let feed = ControlSocketFeed()
        feed.follow([MonitorEndpoint(server: "MBX01", target: control)])
        let got = updates(feed) { $0.contains { if case .line(_, .snapshot) = $0 { true } else { false } } }
        feed.follow([])
        guard case .attached("MBX01")? = got.first else { return XCTFail("not attached: \(got)") }
        XCTAssertTrue(got.contains { if case .line("MBX01", .snapshot(let s)) = $0 { s.server == "MBX01" } else { false } }, "\(got)")

        let reading = ListenerUsageSource(dataDirectory: folder.appendingPathComponent("elsewhere").path, timeout: 10)
            .usage(connector: nil, days: 7, control: control)
        XCTAssertTrue(reading.source.contains("control endpoint 127.0.0.1:"), reading.source)

        let refused = ControlSocketFeed()
        refused.follow([MonitorEndpoint(server: "MBX01", target: ControlTarget(control.endpoint, secret: ControlSecret.generate()))])
        let denied = updates(refused) { $0.contains { if case .detached = $0 { true } else { false } } }
        refused.follow([])
        XCTAssertFalse(denied.contains { if case .line = $0 { true } else { false } }, "no line without the secret: \(denied)")
        guard case .detached("MBX01", let reason)? = denied.first(where: { if case .detached = $0 { true } else { false } }) else {
            return XCTFail("never detached: \(denied)")
        }
        XCTAssertTrue(reason.contains("refused"), reason)
    }

    /// At most `maximumUnauthenticated` connections wait to authenticate: one more is closed at accept (even
    /// with the right secret); once they go, the endpoint answers again (going away is no failure).
    func testConnectionsThatHaveNotAuthenticatedAreBounded() throws {
        let secret = try XCTUnwrap(try store.controlSecret(create: false))
        let (_, port) = try XCTUnwrap(try store.listeners().first?.controlEndpoint.flatMap(ControlEndpoint.parse))
        var idle: [LineClient] = []
        for _ in 0..<ControlEndpointOptions.maximumUnauthenticated { idle.append(try XCTUnwrap(LineClient(port: port, timeout: 15))) }
        Thread.sleep(forTimeInterval: 0.5)  // accepted by the listener, each holding its place
        XCTAssertThrowsError(try ControlClient.connect(try target(secret: secret), timeout: 5), "one more is turned away")
        idle.removeAll()
        let deadline = Date().addingTimeInterval(10)
        var snapshot: ControlSnapshot?
        while snapshot == nil && Date() < deadline {
            snapshot = ControlClient.snapshot(try target(secret: secret), timeout: 5)
            if snapshot == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertEqual(snapshot?.server, "MBX01", "the places are free again")
    }

    /// A source with `failuresPerSource` wrong answers is turned away at connect, even with the right secret.
    func testASourceThatFailsTooOftenIsTurnedAway() throws {
        let secret = try XCTUnwrap(try store.controlSecret(create: false))
        let wrong = try target(secret: ControlSecret.generate())
        let refusals = NIOLockedValueBox(0)
        DispatchQueue.concurrentPerform(iterations: ControlEndpointOptions.failuresPerSource) { _ in
            do { _ = try ControlClient.connect(wrong, timeout: 10) } catch {
                if "\(error)".contains("refused") { refusals.withLockedValue { $0 += 1 } }
            }
        }
        XCTAssertEqual(refusals.withLockedValue { $0 }, ControlEndpointOptions.failuresPerSource)
        XCTAssertThrowsError(try ControlClient.connect(try target(secret: secret), timeout: 5)) {
            XCTAssertFalse("\($0)".contains("refused: the listener does not accept"), "turned away before any challenge: \($0)")
        }
    }
}

/// The authentication deadline, shortened for the test (the listener's is `defaultAuthenticationDeadline`,
/// 10 s): a client that completes TLS and then says nothing, and one that never even starts TLS, are each closed
/// when it passes — not before, not much after — with no byte of the control protocol; the endpoint answers
/// the next client as before.
final class ControlEndpointDeadlineTests: ControlEndpointTestCase {
    static let deadline: TimeInterval = 2
    override var authenticationDeadline: TimeAmount { .milliseconds(Int64(Self.deadline * 1000)) }

    /// `elapsed` (from before the connect) says the endpoint closed at its deadline: the timer starts at accept,
    /// after the connect began; 5 s of slack for a loaded machine.
    func assertClosedAtTheDeadline(after elapsed: TimeInterval, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThanOrEqual(elapsed, Self.deadline - 0.05, "closed before the deadline", file: file, line: line)
        XCTAssertLessThan(elapsed, Self.deadline + 5, "closed long after the deadline", file: file, line: line)
    }

    /// The endpoint still serves a client with the secret (the closed one gave its place back).
    func assertTheEndpointStillAnswers(file: StaticString = #filePath, line: UInt = #line) throws {
        let secret = try XCTUnwrap(try store.controlSecret(create: false), file: file, line: line)
        XCTAssertEqual(ControlClient.snapshot(try target(secret: secret), timeout: 10)?.server, "MBX01", file: file, line: line)
    }

    func testATLSClientThatNeverAnswersTheChallengeIsClosedAtTheDeadline() throws {
        let registration = try XCTUnwrap(try store.listeners().first)
        let text = try XCTUnwrap(registration.controlFingerprint)
        let (host, port) = try XCTUnwrap(registration.controlEndpoint.flatMap(ControlEndpoint.parse))
        let fingerprint = try XCTUnwrap(Hex.bytes(text))
        let endpoint = ControlEndpoint.remote(host: host, port: port, fingerprint: text)
        let started = Date()
        // The console's own TLS transport (the registered certificate only), without its authentication.
        let connection = ControlConnection(
            endpoint: endpoint, transport: try TLSTransport.connect(host: host, port: port, fingerprint: fingerprint, timeout: 10, endpoint: endpoint)
        )
        defer { connection.close() }
        let challenge = try XCTUnwrap(connection.readLine(until: Date().addingTimeInterval(10)), "TLS completes and the challenge comes")
        XCTAssertNotNil(
            ControlAuthentication.answerLine(toChallenge: challenge, secret: ControlSecret.generate(), fingerprint: fingerprint),
            "a challenge: \(String(decoding: challenge, as: UTF8.self))")
        XCTAssertLessThan(Date().timeIntervalSince(started), Self.deadline, "the challenge came before the deadline")

        // No answer: the listener sends nothing more, and closes at the deadline.
        var after: [String] = []
        let ended = connection.readLines(stop: { Date().timeIntervalSince(started) > Self.deadline + 10 }) {
            after.append(String(decoding: $0, as: UTF8.self))
        }
        XCTAssertNotEqual(ended, "stopped", "the listener never closed the connection")
        assertClosedAtTheDeadline(after: Date().timeIntervalSince(started))
        XCTAssertEqual(after, [], "no line after the challenge")
        try assertTheEndpointStillAnswers()
    }

    func testAClientThatNeverStartsTLSIsClosedAtTheDeadline() throws {
        let (_, port) = try XCTUnwrap(try store.listeners().first?.controlEndpoint.flatMap(ControlEndpoint.parse))
        let started = Date()
        let client = try XCTUnwrap(LineClient(port: port, timeout: Int(Self.deadline) + 10), "TCP connect")
        let (bytes, closed) = client.readToEnd()  // sends nothing, not even a ClientHello
        XCTAssertTrue(closed, "the listener never closed the connection")
        assertClosedAtTheDeadline(after: Date().timeIntervalSince(started))
        // Whatever came is TLS (an alert record at most), never the control protocol.
        XCTAssertFalse(bytes.contains(UInt8(ascii: "{")), "\(bytes)")
        if let first = bytes.first { XCTAssertEqual(first, 0x15, "a TLS alert record") }
        try assertTheEndpointStillAnswers()
    }
}
