import XCTest
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
@testable import ReceptorConsole
import ReceptorControlLink

/// The real feed against a real Unix socket standing in for a listener: it subscribes, decodes lines off the
/// caller's thread, reports a listener that goes away, and reconnects when one answers again.
final class ControlSocketFeedTests: XCTestCase {
    /// A one-connection-at-a-time fake listener: accepts, checks the subscribe request, writes lines.
    final class FakeListener: @unchecked Sendable {
        let path: String
        private var fd: Int32 = -1

        init(path: String) throws {
            self.path = path
            unlink(path)
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in path.utf8.enumerated() { raw[i] = b }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(fd, 4) == 0 else { throw NSError(domain: "bind", code: Int(errno)) }
        }

        /// Accepts one client, returns its request line, then sends `lines` and keeps the connection open.
        func serve(_ lines: [String]) -> (request: String, client: Int32) {
            let client = accept(fd, nil, nil)
            var request = [UInt8]()
            var byte: UInt8 = 0
            while recv(client, &byte, 1, 0) == 1, byte != 10 { request.append(byte) }
            for line in lines { _ = (line + "\n").withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
            return (String(decoding: request, as: UTF8.self), client)
        }

        func close() { Glibc.close(fd); unlink(path) }
    }

    /// What a serving thread hands back.
    final class Served: @unchecked Sendable {
        private let lock = NSLock()
        private var value: (request: String, client: Int32)?
        func set(_ v: (request: String, client: Int32)) { lock.withLock { value = v } }
        var get: (request: String, client: Int32)? { lock.withLock { value } }
    }

    func waitFor(_ feed: ControlSocketFeed, into got: inout [MonitorUpdate], timeout: TimeInterval = 5, until: ([MonitorUpdate]) -> Bool) {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            got += feed.drain()
            if until(got) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    func testSubscribesDecodesReportsLossAndReconnects() throws {
        let path = NSTemporaryDirectory() + "feed-\(UUID().uuidString.prefix(8)).sock"
        let listener = try FakeListener(path: path)
        let snapshot = #"{"type":"snapshot","server":"MBX01","pid":7,"sessions":[],"counters":{}}"#
        let event = #"{"type":"configApplied","time":"2026-11-29T12:00:00Z","detail":"generation 4"}"#
        let served = Served()
        let serving = Thread { served.set(listener.serve([snapshot, "not json", event])) }
        serving.start()

        let feed = ControlSocketFeed()
        XCTAssertTrue(feed.drain().isEmpty, "drain never waits")
        feed.follow([MonitorEndpoint(server: "MBX01", target: .local(path))])
        var got: [MonitorUpdate] = []
        waitFor(feed, into: &got) { $0.count >= 3 }
        XCTAssertEqual(served.get?.request, #"{"command":"subscribe"}"#)
        guard got.count >= 3, case .attached("MBX01") = got[0], case .line("MBX01", .snapshot(let s)) = got[1],
            case .line("MBX01", .event(let e)) = got[2]
        else { return XCTFail("unexpected updates: \(got)") }
        XCTAssertEqual(s.pid, 7)
        XCTAssertEqual(e.detail, "generation 4", "a line that is not JSON is skipped")

        // The listener goes away: reported once, then the feed keeps trying.
        close(served.get!.client)
        listener.close()
        got = []
        waitFor(feed, into: &got) {
            $0.contains {
                if case .detached = $0 { return true }; return false
            }
        }
        XCTAssertTrue(
            got.contains {
                if case .detached("MBX01", _) = $0 { return true }; return false
            }, "\(got)")
        Thread.sleep(forTimeInterval: 1.2)
        let retries = feed.drain().filter {
            if case .detached = $0 { return true }; return false
        }
        XCTAssertLessThanOrEqual(retries.count, 1, "a listener that stays away is not reported again and again")

        // A new listener on the same socket: the feed is back within its retry interval.
        let second = try FakeListener(path: path)
        let servedAgain = Served()
        let again = Thread { servedAgain.set(second.serve([snapshot])) }
        again.start()
        got = []
        waitFor(feed, into: &got) {
            $0.contains {
                if case .line(_, .snapshot) = $0 { return true }; return false
            }
        }
        XCTAssertTrue(
            got.contains {
                if case .attached("MBX01") = $0 { return true }; return false
            }, "\(got)")

        // Unfollowed: nothing more arrives.
        feed.follow([])
        close(servedAgain.get!.client)
        second.close()
        Thread.sleep(forTimeInterval: 0.6)
        _ = feed.drain()
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertTrue(feed.drain().isEmpty)
    }
}
