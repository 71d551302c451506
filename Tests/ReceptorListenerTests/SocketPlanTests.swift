import XCTest
import ReceptorCore
@testable import ReceptorListener

final class SocketPlanTests: XCTestCase {
    let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")

    func connector(_ name: String, _ bindings: [String], enabled: Bool = true) -> ReceiveConnector {
        var c = ConnectorDefaults.base(name: name, server: server, transportRole: .frontendTransport)
        c.bindings = bindings.map { try! IPBinding(parsing: $0) }
        c.remoteIPRanges = [.allIPv4]
        c.enabled = enabled
        return c
    }

    func testWildcardServesSpecificBindingsOfItsPortAndFamily() {
        let plan = SocketPlan(connectors: [connector("A", ["0.0.0.0:25", "[::]:25"]), connector("B", ["10.10.1.1:25", "10.10.1.1:26"])])
        XCTAssertEqual(plan.endpoints.map(\.description), ["0.0.0.0:25", "[::]:25", "10.10.1.1:26"])
        XCTAssertEqual(plan.servingEndpoint[try! IPBinding(parsing: "10.10.1.1:25")]?.description, "0.0.0.0:25")
        XCTAssertEqual(plan.servingEndpoint[try! IPBinding(parsing: "10.10.1.1:26")]?.description, "10.10.1.1:26")
    }

    func testDisabledConnectorsOpenNothing() {
        let plan = SocketPlan(connectors: [connector("A", ["0.0.0.0:25"], enabled: false), connector("B", ["127.0.0.1:587"])])
        XCTAssertEqual(plan.endpoints.map(\.description), ["127.0.0.1:587"])
    }

    func testIPv6SpecificBesideIPv4Wildcard() {
        let plan = SocketPlan(connectors: [connector("A", ["0.0.0.0:25", "[2001:db8::1]:25"])])
        XCTAssertEqual(Set(plan.endpoints.map(\.description)), ["0.0.0.0:25", "[2001:db8::1]:25"])
    }
}

final class ConnectionTrackerTests: XCTestCase {
    let server = Server(name: "MBX01", role: .mailbox, fqdn: "mbx01.contoso.test")
    let a = try! IPAddress(parsing: "192.0.2.1")
    let b = try! IPAddress(parsing: "192.0.2.2")

    func testPerSourceAndTotalLimits() {
        var c = ConnectorDefaults.base(name: "C", server: server, transportRole: .frontendTransport)
        c.maxInboundConnection = .limited(3)
        c.maxInboundConnectionPerSource = .limited(2)
        c.maxInboundConnectionPercentagePerSource = 100
        let t = ConnectionTracker()
        XCTAssertEqual(t.admit(connector: c, source: a), .admitted)
        XCTAssertEqual(t.admit(connector: c, source: a), .admitted)
        guard case .refused(let reason) = t.admit(connector: c, source: a) else { return XCTFail("third from one source admitted") }
        XCTAssertTrue(reason.contains("MaxInboundConnectionPerSource"), reason)
        XCTAssertEqual(t.admit(connector: c, source: b), .admitted)
        guard case .refused(let total) = t.admit(connector: c, source: b) else { return XCTFail("fourth connection admitted") }
        XCTAssertTrue(total.contains("MaxInboundConnection (3)"), total)
        t.release(connector: c.guid, source: a)
        XCTAssertEqual(t.admit(connector: c, source: b), .admitted)
        XCTAssertEqual(t.openConnections(connector: c.guid), 3)
    }

    func testPercentageOfRemainingConnections() {
        var c = ConnectorDefaults.base(name: "C", server: server, transportRole: .frontendTransport)
        c.maxInboundConnection = .limited(100)
        c.maxInboundConnectionPerSource = .unlimited
        c.maxInboundConnectionPercentagePerSource = 2  // 2% of 100 = 2 connections per source
        let t = ConnectionTracker()
        XCTAssertEqual(t.admit(connector: c, source: a), .admitted)
        XCTAssertEqual(t.admit(connector: c, source: a), .admitted)
        guard case .refused(let reason) = t.admit(connector: c, source: a) else { return XCTFail("third admitted at 2%") }
        XCTAssertTrue(reason.contains("MaxInboundConnectionPercentagePerSource"), reason)
    }

    func testMessageRate() {
        let t = ConnectionTracker()
        let now = Date()
        XCTAssertTrue(t.recordMessage(source: "a", limit: .limited(2), now: now))
        XCTAssertFalse(t.wouldExceedRate(source: "a", limit: .limited(2), now: now))
        XCTAssertTrue(t.recordMessage(source: "a", limit: .limited(2), now: now))
        XCTAssertTrue(t.wouldExceedRate(source: "a", limit: .limited(2), now: now))
        XCTAssertFalse(t.wouldExceedRate(source: "a", limit: .limited(2), now: now.addingTimeInterval(61)), "a minute later")
        XCTAssertFalse(t.wouldExceedRate(source: "a", limit: .unlimited, now: now))
    }

    func testSourcesThatFellQuietAreForgotten() {
        let t = ConnectionTracker()
        let start = Date()
        for n in 0..<1_000 { XCTAssertTrue(t.recordMessage(source: "192.0.2.\(n)", limit: .limited(5), now: start)) }
        XCTAssertEqual(t.rateSourceCount, 1_000)
        // Half a minute on, the first sources still count; a minute and more on, only the new one is kept.
        XCTAssertTrue(t.recordMessage(source: "198.51.100.1", limit: .limited(5), now: start.addingTimeInterval(30)))
        XCTAssertEqual(t.rateSourceCount, 1_001)
        XCTAssertTrue(t.recordMessage(source: "198.51.100.2", limit: .limited(5), now: start.addingTimeInterval(75)))
        XCTAssertEqual(t.rateSourceCount, 2, "198.51.100.1 sent 45 s ago and stays; the first thousand went")
        XCTAssertFalse(t.wouldExceedRate(source: "192.0.2.1", limit: .limited(1), now: start.addingTimeInterval(75)))
    }
}

final class ProtocolLogWriterTests: XCTestCase {
    var folder: String!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("receptor-plog-\(UUID().uuidString)").path
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func line(_ n: Int, _ time: Date) -> ProtocolLogLine {
        ProtocolLogLine(
            time: time, connectorID: #"MBX01\C"#, sessionID: "S", sequence: n, localEndpoint: "127.0.0.1:25",
            remoteEndpoint: "127.0.0.1:5000", event: .receive, data: String(repeating: "x", count: 100))
    }

    func testRollsToTheNextInstanceAtTheSizeLimitAndOnANewDay() throws {
        let day1 = Date(timeIntervalSince1970: 1_764_400_000)  // 2025-11-29
        let clock = Clock(day1)
        let w = ProtocolLogWriter(
            folder: folder, limits: .init(maxFileSize: 2000, maxDirectorySize: 1_000_000, maxAge: 0),
            version: "test", clock: { clock.now })
        for i in 0..<30 { w.append(line(i, day1)) }
        w.flush()
        var names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertGreaterThan(names.count, 2)
        XCTAssertEqual(names.first, "RECV20251129-1.log")
        for name in names {
            let size = try FileManager.default.attributesOfItem(atPath: "\(folder!)/\(name)")[.size] as! Int
            XCTAssertLessThanOrEqual(size, 2000, name)
            let text = try String(contentsOfFile: "\(folder!)/\(name)", encoding: .utf8)
            XCTAssertTrue(text.hasPrefix("#Software: Receptor\r\n#Version: test\r\n#Log-type: SMTP Receive Protocol Log\r\n"), name)
        }
        clock.now = day1.addingTimeInterval(86400)
        w.append(line(99, clock.now))
        w.flush()
        names = try FileManager.default.contentsOfDirectory(atPath: folder)
        XCTAssertTrue(names.contains("RECV20251130-1.log"), "\(names)")
    }

    func testPrunesTheOldestFilesWhenTheFolderIsFull() throws {
        let now = Date()
        let clock = Clock(now)
        let w = ProtocolLogWriter(
            folder: folder, limits: .init(maxFileSize: 1500, maxDirectorySize: 6000, maxAge: 30 * 86400),
            version: "test", clock: { clock.now })
        for i in 0..<200 { w.append(line(i, now)); if i % 10 == 0 { w.flush() } }
        w.flush()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        let total = try names.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: "\(folder!)/\($1)")[.size] as! Int) }
        XCTAssertLessThanOrEqual(total, 6000 + 1500, "folder size \(total) with \(names.count) files")
        XCTAssertFalse(names.contains("RECV\(ProtocolLogFormat.day(now))-1.log"), "the oldest file is pruned: \(names.sorted())")
    }

    final class Clock: @unchecked Sendable {
        var now: Date
        init(_ now: Date) { self.now = now }
    }
}
