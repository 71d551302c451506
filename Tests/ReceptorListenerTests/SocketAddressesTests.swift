import NIOCore
import ReceptorCore
import XCTest
@testable import ReceptorListener

/// A connection's addresses as domain values, read from the socket address's bytes.
final class SocketAddressesTests: XCTestCase {
    func testIPv4IPv6AndMappedAddresses() throws {
        let v4 = try SocketAddress(ipAddress: "192.0.2.10", port: 2525).endpoint
        XCTAssertEqual(v4?.address.description, "192.0.2.10")
        XCTAssertEqual(v4?.port, 2525)
        let v6 = try SocketAddress(ipAddress: "2001:db8::5", port: 587).endpoint
        XCTAssertEqual(v6?.address, try IPAddress(parsing: "2001:db8::5"))
        XCTAssertEqual(v6?.port, 587)
        let mapped = try SocketAddress(ipAddress: "::ffff:127.0.0.5", port: 25).endpoint
        XCTAssertEqual(mapped?.address.description, "127.0.0.5", "IPv4-mapped becomes IPv4, as connectors' ranges expect")
        XCTAssertNil(try SocketAddress(unixDomainSocketPath: "/tmp/x.sock").endpoint)
    }
}
