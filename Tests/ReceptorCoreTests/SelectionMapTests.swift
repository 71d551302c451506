import XCTest
import ReceptorCore

/// The sweep agrees with the selector address by address, whatever the connectors.
final class SelectionMapTests: XCTestCase {
    func testTheMapAgreesWithTheSelectorEverywhere() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<40 {
            var connectors: [ReceiveConnector] = []
            for n in 0..<Int.random(in: 1...12, using: &generator) {
                let binding = Bool.random(using: &generator) ? "0.0.0.0:25" : "10.0.0.5:25"
                let ranges = (0..<Int.random(in: 1...3, using: &generator)).map { _ -> String in
                    let a = UInt32.random(in: 0...255, using: &generator), b = UInt32.random(in: a...255, using: &generator)
                    return "10.1.\(a).0-10.1.\(b).255"
                }
                var c = Fixture.connector("C\(n)", bindings: [binding], ranges: ranges)
                c.enabled = Int.random(in: 0..<8, using: &generator) != 0
                connectors.append(c)
            }
            for local in ["10.0.0.5", "10.0.0.9"] {
                let map = SelectionMap(connectors: connectors, localAddress: Fixture.ip(local), localPort: 25, family: .v4)
                for _ in 0..<200 {
                    let address = IPAddress(v4: (10 << 24) | (1 << 16) | UInt32.random(in: 0...65535, using: &generator))
                    let expected = ConnectorSelector.select(from: connectors, localAddress: Fixture.ip(local), localPort: 25, remoteAddress: address)
                    let part = try XCTUnwrap(map.parts.first { $0.first <= address.value && address.value <= $0.last })
                    XCTAssertEqual(part.connector?.name, expected?.name, "round \(round), \(address) on \(local)")
                }
                XCTAssertEqual(map.parts.first?.first, 0)
                XCTAssertEqual(map.parts.last?.last, IPAddressFamily.v4.maxValue)
            }
        }
    }
}
