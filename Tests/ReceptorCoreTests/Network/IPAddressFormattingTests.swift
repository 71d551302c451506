import XCTest
@testable import ReceptorCore

final class IPAddressFormattingTests: XCTestCase {
    private func assertCanonical(
        _ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let parsed = ip(text, file: file, line: line)
        XCTAssertEqual(parsed.description, expected, file: file, line: line)
        // The canonical text is itself canonical and means the same address.
        let reparsed = ip(expected, file: file, line: line)
        XCTAssertEqual(reparsed, parsed, file: file, line: line)
        XCTAssertEqual(reparsed.description, expected, file: file, line: line)
    }

    func testIPv4DottedQuad() {
        assertCanonical("0.0.0.0", "0.0.0.0")
        assertCanonical("1.2.3.4", "1.2.3.4")
        assertCanonical("255.255.255.255", "255.255.255.255")
        XCTAssertEqual(IPAddress(v4: 0xC0A8_0101).description, "192.168.1.1")
        // Every octet width, at both ends of each: one, two and three digits.
        XCTAssertEqual(IPAddress(v4: 0x0009_0A63).description, "0.9.10.99")
        XCTAssertEqual(IPAddress(v4: 0x64FF_C813).description, "100.255.200.19")
        for octet in [0, 1, 9, 10, 42, 99, 100, 101, 199, 200, 255] as [UInt32] {
            let value = octet << 24 | octet << 16 | octet << 8 | octet
            XCTAssertEqual(IPAddress(v4: value).description, Array(repeating: "\(octet)", count: 4).joined(separator: "."))
        }
    }

    func testIPv6LowercaseWithoutLeadingZeros() {
        assertCanonical("2001:0DB8:000A:00B0:0C00:D000:00EF:FFFF", "2001:db8:a:b0:c00:d000:ef:ffff")
        assertCanonical("2001:DB8::A", "2001:db8::a")
    }

    func testIPv6LongestZeroRunIsCompressed() {
        assertCanonical("2001:db8:0:0:0:0:2:1", "2001:db8::2:1")
        assertCanonical("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")
        assertCanonical("0:0:1:0:0:0:0:0", "0:0:1::")
        assertCanonical("1:0:0:2:0:0:0:3", "1:0:0:2::3")
    }

    func testIPv6FirstOfEquallyLongRunsIsCompressed() {
        assertCanonical("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")
        assertCanonical("0:0:1:1:0:0:1:1", "::1:1:0:0:1:1")
    }

    func testIPv6SingleZeroGroupIsNotCompressed() {
        assertCanonical("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")
        assertCanonical("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0")
        assertCanonical("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")
        assertCanonical("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8")
    }

    func testIPv6CompressionAtTheEdges() {
        assertCanonical("0:0:0:0:0:0:0:0", "::")
        assertCanonical("0:0:0:0:0:0:0:1", "::1")
        assertCanonical("1:0:0:0:0:0:0:0", "1::")
        assertCanonical("1:0:0:0:0:0:0:1", "1::1")
        assertCanonical("0:1:0:0:0:0:0:0", "0:1::")
        assertCanonical("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
    }

    func testV4MappedKeepsTheDottedTail() {
        assertCanonical("::ffff:1.2.3.4", "::ffff:1.2.3.4")
        assertCanonical("::FFFF:102:304", "::ffff:1.2.3.4")
        assertCanonical("0:0:0:0:0:ffff:0a0a:0101", "::ffff:10.10.1.1")
        assertCanonical("::ffff:0.0.0.0", "::ffff:0.0.0.0")
        assertCanonical("::ffff:1:2", "::ffff:0.1.0.2")
    }

    func testOtherEmbeddedIPv4FormsAreShownInHex() {
        // Only v4-mapped addresses keep the dotted tail; the rest are ordinary IPv6 text.
        assertCanonical("64:ff9b::1.2.3.4", "64:ff9b::102:304")
        assertCanonical("::1.2.3.4", "::102:304")
        assertCanonical("::fffe:1.2.3.4", "::fffe:102:304")
        assertCanonical("::1:ffff:1.2.3.4", "::1:ffff:102:304")
    }

    func testZoneIsAppended() {
        assertCanonical("FE80::39BD:88F7:6969:D223%11", "fe80::39bd:88f7:6969:d223%11")
        assertCanonical("fe80:0:0:0::1%eth0", "fe80::1%eth0")
        XCTAssertEqual(IPAddress(v6: 1, zone: "lo").description, "::1%lo")
    }

    // MARK: Round trips

    func testDescriptionParsesBackForFixedExamples() {
        let texts = [
            "0.0.0.0", "127.0.0.1", "10.10.1.1", "255.255.255.255",
            "::", "::1", "1::", "2001:db8::1", "fe80::1%11", "::ffff:1.2.3.4",
            "64:ff9b::102:304", "2001:db8:0:1:1:1:1:1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        ]
        for text in texts {
            let parsed = ip(text)
            XCTAssertEqual(parsed.description, text, "\(text) is already canonical")
            XCTAssertEqual(ip(parsed.description), parsed)
            XCTAssertEqual(ip(parsed.description).zone, parsed.zone)
        }
    }

    /// Property: for a few hundred seeded pseudo-random addresses, the description parses back to
    /// the same address (and zone), is canonical, and the uncompressed, uppercase, zero-padded
    /// spelling of the same address parses to it too.
    func testRandomAddressesRoundTrip() {
        var generator = SeededGenerator(seed: 0x5EED_AD0D)
        for _ in 0..<400 {
            let address = randomAddress(using: &generator)
            let text = address.description
            let reparsed = ip(text)
            XCTAssertEqual(reparsed, address, "\(text)")
            XCTAssertEqual(reparsed.zone, address.zone, "\(text)")
            XCTAssertEqual(reparsed.description, text, "\(text)")
            if address.family == .v6 {
                assertLooksCanonical(text, address)
                XCTAssertEqual(ip(paddedUppercase(address)), address, "\(paddedUppercase(address))")
            }
        }
    }

    // MARK: Property-test helpers

    /// Mixes IPv4, IPv6 with many zero groups (so "::" placement is exercised), v4-mapped and zoned.
    private func randomAddress(using generator: inout SeededGenerator) -> IPAddress {
        switch generator.next() % 4 {
        case 0:
            return IPAddress(v4: UInt32(truncatingIfNeeded: generator.next()))
        case 1:
            return IPAddress(v6: 0xffff_0000_0000 | UInt128(UInt32(truncatingIfNeeded: generator.next())))
        default:
            var value: UInt128 = 0
            for _ in 0..<8 {
                // Half of the groups are zero; the rest are 1 to 4 hex digits long.
                let word: UInt16 =
                    generator.next() % 2 == 0
                    ? 0 : UInt16(truncatingIfNeeded: generator.next()) >> (generator.next() % 16)
                value = value << 16 | UInt128(word)
            }
            let zone: String? = generator.next() % 5 == 0 ? "eth\(generator.next() % 100)" : nil
            return IPAddress(v6: value, zone: zone)
        }
    }

    private func paddedUppercase(_ address: IPAddress) -> String {
        let words = (0..<8).map { UInt16(truncatingIfNeeded: address.value >> (112 - 16 * $0)) }
        let hex = words.map { word -> String in
            let digits = String(word, radix: 16, uppercase: true)
            return String(repeating: "0", count: 4 - digits.count) + digits
        }
        return hex.joined(separator: ":") + (address.zone.map { "%\($0)" } ?? "")
    }

    /// RFC 5952 rules checked on the text itself, independently of the formatter's algorithm.
    private func assertLooksCanonical(_ text: String, _ address: IPAddress, line: UInt = #line) {
        let body = text.split(separator: "%", maxSplits: 1)[0]
        XCTAssertEqual(body, body.lowercased()[...], "lowercase: \(text)", line: line)
        if address.unmappedIPv4 != nil {
            XCTAssertTrue(body.hasPrefix("::ffff:") && body.contains("."), text, line: line)
            return
        }
        XCTAssertFalse(body.contains("."), "no dotted tail: \(text)", line: line)
        XCTAssertLessThanOrEqual(body.ranges(of: "::").count, 1, text, line: line)
        let groups = body.split(separator: ":", omittingEmptySubsequences: true)
        for group in groups {
            XCTAssertTrue(group == "0" || !group.hasPrefix("0"), "no leading zeros: \(text)", line: line)
        }
        let words = (0..<8).map { UInt16(truncatingIfNeeded: address.value >> (112 - 16 * $0)) }
        let zeroRuns = words.split(whereSeparator: { $0 != 0 })
        let longestZeroRun = zeroRuns.map(\.count).max() ?? 0
        if longestZeroRun >= 2, let compression = body.firstRange(of: "::") {
            XCTAssertEqual(8 - groups.count, longestZeroRun, "the longest run is the one compressed: \(text)", line: line)
            let firstLongest = zeroRuns.first { $0.count == longestZeroRun }!.startIndex
            let groupsBefore = body[..<compression.lowerBound].split(separator: ":").count
            XCTAssertEqual(groupsBefore, firstLongest, "the first of equally long runs is compressed: \(text)", line: line)
        } else if longestZeroRun >= 2 {
            XCTFail("a run of \(longestZeroRun) zero groups is not compressed: \(text)", line: line)
        } else {
            XCTAssertFalse(body.contains("::"), "a single zero group is not compressed: \(text)", line: line)
            XCTAssertEqual(groups.count, 8, text, line: line)
        }
    }
}
