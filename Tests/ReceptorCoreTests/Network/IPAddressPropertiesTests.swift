import XCTest
@testable import ReceptorCore

final class IPAddressPropertiesTests: XCTestCase {
    func testWildcardConstants() {
        XCTAssertEqual(IPAddress.anyV4, ip("0.0.0.0"))
        XCTAssertEqual(IPAddress.anyV4.family, .v4)
        XCTAssertEqual(IPAddress.anyV6, ip("::"))
        XCTAssertEqual(IPAddress.anyV6.family, .v6)
        XCTAssertNotEqual(IPAddress.anyV4, IPAddress.anyV6, "same value, different family")
    }

    func testIsUnspecified() {
        XCTAssertTrue(ip("0.0.0.0").isUnspecified)
        XCTAssertTrue(ip("::").isUnspecified)
        XCTAssertTrue(ip("0:0:0:0:0:0:0:0").isUnspecified)
        XCTAssertFalse(ip("0.0.0.1").isUnspecified)
        XCTAssertFalse(ip("::1").isUnspecified)
        XCTAssertFalse(ip("::ffff:0.0.0.0").isUnspecified, "the v4-mapped form of 0.0.0.0 is a real IPv6 address")
    }

    func testIsLoopback() {
        XCTAssertTrue(ip("127.0.0.1").isLoopback)
        XCTAssertTrue(ip("127.0.0.0").isLoopback)
        XCTAssertTrue(ip("127.255.255.254").isLoopback)
        XCTAssertFalse(ip("126.255.255.255").isLoopback)
        XCTAssertFalse(ip("128.0.0.1").isLoopback)
        XCTAssertFalse(ip("0.0.0.1").isLoopback)
        XCTAssertTrue(ip("::1").isLoopback)
        XCTAssertTrue(ip("::1%lo").isLoopback)
        XCTAssertFalse(ip("::").isLoopback)
        XCTAssertFalse(ip("::2").isLoopback)
        XCTAssertFalse(ip("1::1").isLoopback)
    }

    func testV4MappedLoopbackIsLoopbackButV4CompatibleIsNot() {
        XCTAssertTrue(ip("::ffff:127.0.0.1").isLoopback, "a dual-stack socket's view of an IPv4 loopback peer")
        XCTAssertFalse(ip("::127.0.0.1").isLoopback, "deprecated v4-compatible form is not mapped")
        XCTAssertFalse(ip("::ffff:10.0.0.1").isLoopback)
    }

    func testUnmappedIPv4() {
        XCTAssertEqual(ip("::ffff:1.2.3.4").unmappedIPv4, ip("1.2.3.4"))
        XCTAssertEqual(ip("::ffff:1.2.3.4").unmappedIPv4?.family, .v4)
        XCTAssertEqual(ip("::ffff:0.0.0.0").unmappedIPv4, .anyV4)
        XCTAssertEqual(ip("::ffff:255.255.255.255").unmappedIPv4, ip("255.255.255.255"))
        XCTAssertEqual(ip("0:0:0:0:0:FFFF:0A0A:0101").unmappedIPv4, ip("10.10.1.1"))
    }

    func testUnmappedIPv4IsNilForEverythingElse() {
        XCTAssertNil(ip("1.2.3.4").unmappedIPv4, "already IPv4")
        XCTAssertNil(ip("::1.2.3.4").unmappedIPv4, "v4-compatible, not v4-mapped")
        XCTAssertNil(ip("64:ff9b::1.2.3.4").unmappedIPv4, "NAT64, not v4-mapped")
        XCTAssertNil(ip("::fffe:1.2.3.4").unmappedIPv4)
        XCTAssertNil(ip("::1:ffff:1.2.3.4").unmappedIPv4)
        XCTAssertNil(ip("ffff::1.2.3.4").unmappedIPv4)
        XCTAssertNil(ip("::").unmappedIPv4)
    }

    func testEqualityAndHashingIgnoreTheZone() {
        let plain = ip("fe80::1")
        let eleven = ip("fe80::1%11")
        let eth0 = ip("fe80::1%eth0")
        XCTAssertEqual(plain, eleven)
        XCTAssertEqual(eleven, eth0)
        XCTAssertEqual(plain.hashValue, eleven.hashValue)
        XCTAssertEqual(Set([plain, eleven, eth0]).count, 1)
        XCTAssertFalse(eleven < eth0 || eth0 < eleven)
    }

    func testEqualityRespectsTheFamily() {
        XCTAssertNotEqual(ip("1.2.3.4"), ip("::102:304"), "same value, different family")
        XCTAssertNotEqual(ip("1.2.3.4"), ip("::ffff:1.2.3.4"), "mapped is not equal until unmapped")
        XCTAssertEqual(Set([ip("1.2.3.4"), ip("::102:304"), ip("::ffff:1.2.3.4")]).count, 3)
    }

    func testOrderingPutsIPv4FirstThenNumeric() {
        let shuffled = ["::1", "10.0.0.2", "::", "255.255.255.255", "0.0.0.0", "2001:db8::1", "10.0.0.10", "::ffff:0.0.0.1"]
        let sorted = shuffled.map { ip($0) }.sorted().map(\.description)
        XCTAssertEqual(sorted, ["0.0.0.0", "10.0.0.2", "10.0.0.10", "255.255.255.255", "::", "::1", "::ffff:0.0.0.1", "2001:db8::1"])
        XCTAssertLessThan(ip("255.255.255.255"), ip("::"))
        XCTAssertFalse(ip("::") < ip("0.0.0.0"))
    }

    func testMemberwiseInitialisers() {
        XCTAssertEqual(IPAddress(v4: 0x7F00_0001).description, "127.0.0.1")
        XCTAssertEqual(IPAddress(v6: 1).description, "::1")
        XCTAssertEqual(IPAddress(v6: 1, zone: "3").zone, "3")
        XCTAssertNil(IPAddress(v6: 1, zone: "").zone, "an empty zone means no zone")
        XCTAssertEqual(IPAddress(v6: 1, zone: "").description, "::1")
    }

    func testFamilyNamesAndWidths() {
        XCTAssertEqual(IPAddressFamily.v4.rawValue, "IPv4")
        XCTAssertEqual(IPAddressFamily.v6.rawValue, "IPv6")
        XCTAssertEqual(IPAddressFamily.v4.bitWidth, 32)
        XCTAssertEqual(IPAddressFamily.v6.bitWidth, 128)
        XCTAssertEqual(IPAddressFamily.v4.maxValue, 0xFFFF_FFFF)
        XCTAssertEqual(IPAddressFamily.v6.maxValue, .max)
    }

    // MARK: The error value

    func testErrorCarriesItsParts() {
        do {
            _ = try IPAddress(parsing: "10.10.1.300")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error, AddressParseError(input: "10.10.1.300", subject: .address, reason: "\"300\" is greater than 255."))
            XCTAssertEqual(error.input, "10.10.1.300")
            XCTAssertEqual(error.reason, "\"300\" is greater than 255.")
        }
    }

    func testErrorLocalizedDescriptionIsTheMessage() {
        XCTAssertThrowsError(try IPAddress(parsing: "10.10.1")) { error in
            XCTAssertEqual(error.localizedDescription, "\"10.10.1\" is not a valid IP address: an IPv4 address has four parts.")
        }
    }

    func testErrorMessagesAreOneLine() {
        let bad = ["", "1.2.3", "1::2::3", "fe80::1%", "::ffff:1.2.3.999", "10.0.0.01"]
        for text in bad {
            XCTAssertThrowsError(try IPAddress(parsing: text)) { error in
                XCTAssertFalse("\(error)".contains("\n"))
                XCTAssertTrue("\(error)".hasSuffix("."))
            }
        }
    }
}
