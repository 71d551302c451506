import Foundation
import Logging
import NIOConcurrencyHelpers
import XCTest
#if canImport(Glibc)
    import Glibc
#endif
import ReceptorCore
import ReceptorStore
@testable import ReceptorListener

/// The listener's threads at once, in one process, for the thread sanitizer (`scripts/test` runs this target
/// with `--sanitize=thread`): sessions that authenticate (the password checks run on the thread pool) and
/// send messages (the group commit's writer and syncer threads), a control-socket subscriber and snapshot
/// requests (the control server's loop, events from every session's loop), and reloads from the store and
/// from `requestReload` (the watcher's task swapping the snapshot that new sessions read), then a drain.
final class ListenerConcurrencyTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-concurrency-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testSessionsReloadsAndAMonitorAtOnce() throws {
        // Ports below the ephemeral range (docs: platform notes): Default MBX01 on 2525 + offset.
        let offset = 20_000 + Int.random(in: 0..<2_000) * 2
        let store = try SQLiteConfigStore.open(path: folder.appendingPathComponent("receptor.sqlite").path, create: true)
        let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")
        try store.addServer(
            server, connectors: ConnectorDefaults.setupConnectors(for: server, portOffset: offset),
            acceptedDomains: [AcceptedDomain(name: "contoso.test", domainName: "contoso.test", isDefault: true)])
        try store.addAccount(MailboxAccount(name: "Kim", userPrincipalName: "kim@contoso.test"), password: "Pa55word!")

        var options = ListenerRuntime.Options(serverName: "MBX01")
        options.pollInterval = .milliseconds(20)
        options.drainTimeout = .seconds(5)
        options.ioThreads = 2
        var logger = Logger(label: "test")
        logger.logLevel = .warning  // the reloads' notices would crowd the test output
        let runtime = ListenerRuntime(store: store, options: options, logger: logger)
        let finished = DispatchSemaphore(value: 0)
        let runError = NIOLockedValueBox<Error?>(nil)
        Task {
            do { try await runtime.run() } catch { runError.withLockedValue { $0 = error } }
            finished.signal()
        }
        var stopped = false
        defer {
            if !stopped {
                runtime.stop()
                _ = finished.wait(timeout: .now() + 60)
            }
        }

        // Up once its first generation is in force; this listener's own socket, not another program's on the port.
        let port = 2525 + offset
        let deadline = Date().addingTimeInterval(60)
        while (runtime.controlSnapshot().generation ?? -1) < 0 {
            XCTAssertNil(runError.withLockedValue { $0 }, "the listener started")
            guard Date() < deadline, runError.withLockedValue({ $0 }) == nil else { return XCTFail("the listener did not start") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let binding = runtime.controlSnapshot().bindings?.first { $0.endpoint == "0.0.0.0:\(port)" }
        guard binding?.state == "listening" else { return XCTFail("0.0.0.0:\(port) not listening: \(String(describing: binding))") }
        XCTAssertEqual(LineClient(port: port)?.reply()?.prefix(4), "220 ")

        // A monitor: subscribed for the whole run, reading every line on its own thread.
        let monitor = try XCTUnwrap(LineClient(unixPath: runtime.controlSocketPath))
        monitor.send("{\"command\":\"subscribe\"}\n")
        let monitorLines = NIOLockedValueBox<[String]>([])
        let monitorDone = DispatchSemaphore(value: 0)
        Thread {
            while let line = monitor.line() { monitorLines.withLockedValue { $0.append(line) } }
            monitorDone.signal()
        }.start()

        let accepted = NIOLockedValueBox(0)
        let failures = NIOLockedValueBox<[String]>([])
        let group = DispatchGroup()
        let clients = 3, messagesEach = 3
        for c in 0..<clients {
            group.enter()
            Thread {
                defer { group.leave() }
                for m in 0..<messagesEach {
                    switch Self.sendMessage(port: port, subject: "client \(c) message \(m)") {
                    case nil: accepted.withLockedValue { $0 += 1 }
                    case let failure?: failures.withLockedValue { $0.append(failure) }
                    }
                }
            }.start()
        }
        // Snapshot requests on their own connections while the sessions run.
        group.enter()
        Thread {
            defer { group.leave() }
            for _ in 0..<5 {
                guard let client = LineClient(unixPath: runtime.controlSocketPath) else { continue }
                client.send("{\"command\":\"snapshot\"}\n")
                if client.line()?.contains("\"generation\"") != true { failures.withLockedValue { $0.append("snapshot answer") } }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }.start()
        // Reloads meanwhile: banner changes through the store (the watcher), and forced ones (SIGHUP's path); a
        // connector added (its socket opens) and removed again (it closes).
        var extra = try XCTUnwrap(try store.connectors(server: "MBX01").first { $0.connector.name == "Default MBX01" }).connector
        extra.name = "Extra MBX01"
        extra.guid = UUID()
        extra.bindings = [try IPBinding(parsing: "127.0.0.1:\(2600 + offset)")]
        for round in 0..<4 {
            let stored = try XCTUnwrap(try store.connectors(server: "MBX01").first { $0.connector.name.hasPrefix("Default Frontend") })
            var changed = stored.connector
            changed.banner = "220 round \(round)"
            _ = try store.updateConnector(changed, expectedRevision: stored.revision)
            if round == 0 { _ = try store.insertConnector(extra) }
            if round == 2 { try store.removeConnector(guid: extra.guid, expectedRevision: nil) }
            runtime.requestReload()
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertEqual(group.wait(timeout: .now() + 300), .success, "the clients finish")
        XCTAssertEqual(failures.withLockedValue { $0 }, [])
        XCTAssertEqual(accepted.withLockedValue { $0 }, clients * messagesEach)

        let generation = try store.generation()
        let applied = Date().addingTimeInterval(30)
        while runtime.controlSnapshot().generation != generation && Date() < applied { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertEqual(runtime.controlSnapshot().generation, generation, "the last change is in force")
        XCTAssertEqual(runtime.services.messages.deliveryStatistics.messages, Int64(clients * messagesEach))

        runtime.stop()
        stopped = true
        XCTAssertEqual(finished.wait(timeout: .now() + 60), .success, "the listener drains and stops")
        XCTAssertEqual(monitorDone.wait(timeout: .now() + 10), .success, "the control socket closes at the stop")
        let lines = monitorLines.withLockedValue { $0 }
        XCTAssertTrue(lines.contains { $0.contains("\"configApplied\"") }, "the monitor heard the reloads")
        XCTAssertTrue(
            lines.contains { $0.contains("\"bindingUp\"") } && lines.contains { $0.contains("\"bindingClosed\"") },
            "and the added connector's socket open and close")
        XCTAssertTrue(lines.contains { $0.contains("\"messageAccepted\"") }, "the monitor heard the messages")
        XCTAssertNil(runError.withLockedValue { $0 })
    }

    /// One session on `port`: EHLO, AUTH PLAIN, one message, QUIT. Nil when every reply was the expected one.
    private static func sendMessage(port: Int, subject: String) -> String? {
        guard let client = LineClient(port: port) else { return "connect to \(port)" }
        let credentials = Data("\0kim@contoso.test\0Pa55word!".utf8).base64EncodedString()
        let steps: [(send: String?, expect: String)] = [
            (nil, "220"), ("EHLO client.contoso.test", "250"), ("AUTH PLAIN \(credentials)", "235"),
            ("MAIL FROM:<kim@contoso.test>", "250"), ("RCPT TO:<kim@contoso.test>", "250"), ("DATA", "354"),
            ("Subject: \(subject)\r\n\r\nHello.\r\n.", "250"), ("QUIT", "221"),
        ]
        for step in steps {
            if let text = step.send { client.send(text + "\r\n") }
            guard let reply = client.reply() else { return "\(step.send ?? "banner"): no reply" }
            guard reply.hasPrefix(step.expect) else { return "\(step.send ?? "banner"): \(reply)" }
        }
        return nil
    }
}

/// A blocking client that reads lines (TCP or a Unix socket), each read bounded by a timeout.
final class LineClient: @unchecked Sendable {
    private let fd: Int32
    private var buffered: [UInt8] = []

    init?(port: Int, timeout: Int = 60) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); return nil }
        setTimeout(timeout)
    }

    init?(unixPath: String, timeout: Int = 60) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in unixPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); return nil }
        setTimeout(timeout)
    }

    deinit { Glibc.close(fd) }

    private func setTimeout(_ seconds: Int) {
        var time = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// The next line without its line end; nil at the end of the stream or the timeout.
    func line() -> String? {
        while true {
            if let newline = buffered.firstIndex(of: 10) {
                var line = Array(buffered[..<newline])
                buffered.removeFirst(newline + 1)
                if line.last == 13 { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffered.append(contentsOf: chunk[..<count])
        }
    }

    /// Every byte until the peer closes (or the timeout), and whether it closed.
    func readToEnd() -> (bytes: [UInt8], closed: Bool) {
        var all = buffered
        buffered = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return (all, true) }
            if count < 0 { return (all, errno == ECONNRESET) }
            all.append(contentsOf: chunk[..<count])
        }
    }

    /// An SMTP reply's last line (`250 …` after any `250-…`).
    func reply() -> String? {
        while let line = line() {
            if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return line }
        }
        return nil
    }
}
