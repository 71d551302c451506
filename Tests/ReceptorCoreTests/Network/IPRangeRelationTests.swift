import XCTest
@testable import ReceptorCore

final class IPRangeRelationTests: XCTestCase {
    // MARK: contains(address)

    func testContainsAddressIncludesBothEnds() {
        let entry = ipRange("10.0.0.10-10.0.0.20")
        XCTAssertTrue(entry.contains(ip("10.0.0.10")))
        XCTAssertTrue(entry.contains(ip("10.0.0.15")))
        XCTAssertTrue(entry.contains(ip("10.0.0.20")))
        XCTAssertFalse(entry.contains(ip("10.0.0.9")))
        XCTAssertFalse(entry.contains(ip("10.0.0.21")))
    }

    func testContainsAddressForCIDRWithHostBitsSet() {
        let entry = ipRange("17.17.17.1/24")
        XCTAssertTrue(entry.contains(ip("17.17.17.0")))
        XCTAssertTrue(entry.contains(ip("17.17.17.1")))
        XCTAssertTrue(entry.contains(ip("17.17.17.255")))
        XCTAssertFalse(entry.contains(ip("17.17.16.255")))
        XCTAssertFalse(entry.contains(ip("17.17.18.0")))
    }

    func testContainsAddressAtPrefixExtremes() {
        XCTAssertTrue(ipRange("0.0.0.0/0").contains(ip("0.0.0.0")))
        XCTAssertTrue(ipRange("0.0.0.0/0").contains(ip("255.255.255.255")))
        XCTAssertTrue(ipRange("::/0").contains(ip("::")))
        XCTAssertTrue(ipRange("::/0").contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")))

        XCTAssertTrue(ipRange("10.1.2.3/32").contains(ip("10.1.2.3")))
        XCTAssertFalse(ipRange("10.1.2.3/32").contains(ip("10.1.2.2")))
        XCTAssertFalse(ipRange("10.1.2.3/32").contains(ip("10.1.2.4")))
        XCTAssertTrue(ipRange("2001:db8::1/128").contains(ip("2001:db8::1")))
        XCTAssertFalse(ipRange("2001:db8::1/128").contains(ip("2001:db8::2")))
        XCTAssertFalse(ipRange("2001:db8::1/128").contains(ip("2001:db8::")))
    }

    func testContainsAddressForWildcardsAndFullRanges() {
        XCTAssertTrue(ipRange("0.0.0.0").contains(ip("203.0.113.7")))
        XCTAssertTrue(ipRange("::").contains(ip("2001:db8::1")))
        XCTAssertTrue(IPRange.allIPv4.contains(ip("255.255.255.255")))
        XCTAssertTrue(IPRange.allIPv6.contains(ip("::")))
    }

    func testContainsAddressNeverCrossesFamilies() {
        XCTAssertFalse(ipRange("0.0.0.0").contains(ip("::1")))
        XCTAssertFalse(ipRange("::").contains(ip("10.0.0.1")))
        XCTAssertFalse(IPRange.allIPv6.contains(ip("10.0.0.1")))
        // ::a00:1 has the same value as 10.0.0.1 but is an IPv6 address.
        XCTAssertFalse(ipRange("10.0.0.0/8").contains(ip("::a00:1")))
        XCTAssertFalse(ipRange("::/96").contains(ip("10.0.0.1")))
    }

    func testContainsDoesNotUnmapV4MappedAddresses() {
        let peer = ip("::ffff:10.0.0.1")
        XCTAssertFalse(ipRange("10.0.0.0/8").contains(peer), "callers unmap first")
        XCTAssertTrue(ipRange("10.0.0.0/8").contains(peer.unmappedIPv4!))
        XCTAssertTrue(ipRange("::ffff:0.0.0.0/96").contains(peer))
    }

    func testContainsIgnoresTheZone() {
        XCTAssertTrue(ipRange("fe80::/10").contains(ip("fe80::1%eth0")))
        XCTAssertTrue(ipRange("fe80::1%11").contains(ip("fe80::1")))
        XCTAssertTrue(ipRange("fe80::1%11").contains(ip("fe80::1%12")))
        XCTAssertFalse(ipRange("fe80::1%11").contains(ip("fe80::2%11")))
    }

    // MARK: contains(range)

    func testContainsRange() {
        let block = ipRange("10.0.0.0/24")
        XCTAssertTrue(block.contains(ipRange("10.0.0.0/25")))
        XCTAssertTrue(block.contains(ipRange("10.0.0.128/25")))
        XCTAssertTrue(block.contains(ipRange("10.0.0.77")))
        XCTAssertTrue(block.contains(ipRange("10.0.0.0-10.0.0.255")), "equal ranges contain each other")
        XCTAssertTrue(block.contains(block))
        XCTAssertFalse(ipRange("10.0.0.0/25").contains(block))
        XCTAssertFalse(block.contains(ipRange("10.0.0.200-10.0.1.5")), "partial overlap")
        XCTAssertFalse(block.contains(ipRange("10.0.1.0/24")), "disjoint")
    }

    func testContainsRangeAtExtremes() {
        XCTAssertTrue(ipRange("0.0.0.0/0").contains(.allIPv4))
        XCTAssertTrue(IPRange.allIPv4.contains(ipRange("0.0.0.0/0")))
        XCTAssertTrue(ipRange("::/0").contains(ipRange("2001:db8::/32")))
        XCTAssertTrue(ipRange("0.0.0.0").contains(ipRange("255.255.255.255/32")))
        XCTAssertTrue(ipRange("2001:db8::1/128").contains(ipRange("2001:db8::1")))
    }

    func testContainsRangeNeverCrossesFamilies() {
        XCTAssertFalse(IPRange.allIPv6.contains(.allIPv4))
        XCTAssertFalse(IPRange.allIPv4.contains(ipRange("::/96")), "same values, different family")
        XCTAssertFalse(ipRange("::/96").contains(.allIPv4))
    }

    // MARK: overlaps

    func testPartialOverlap() {
        let left = ipRange("10.0.0.0-10.0.0.10")
        let right = ipRange("10.0.0.5-10.0.0.20")
        XCTAssertTrue(left.overlaps(right))
        XCTAssertTrue(right.overlaps(left))
        XCTAssertFalse(left.nests(with: right))
        XCTAssertFalse(left.contains(right))
    }

    func testOverlapAtASingleSharedAddress() {
        XCTAssertTrue(ipRange("10.0.0.0-10.0.0.10").overlaps(ipRange("10.0.0.10-10.0.0.20")))
        XCTAssertTrue(ipRange("10.0.0.10").overlaps(ipRange("10.0.0.0/24")))
    }

    func testAdjacentRangesDoNotOverlap() {
        XCTAssertFalse(ipRange("10.0.0.0-10.0.0.9").overlaps(ipRange("10.0.0.10-10.0.0.20")))
        XCTAssertFalse(ipRange("10.0.0.0/25").overlaps(ipRange("10.0.0.128/25")))
        XCTAssertFalse(ipRange("2001:db8::/33").overlaps(ipRange("2001:db8:8000::/33")))
    }

    func testDisjointRangesDoNotOverlap() {
        XCTAssertFalse(ipRange("10.0.0.0/8").overlaps(ipRange("192.168.0.0/16")))
        XCTAssertFalse(ipRange("192.168.0.0/16").overlaps(ipRange("10.0.0.0/8")))
    }

    func testEqualAndNestedRangesOverlap() {
        XCTAssertTrue(ipRange("10.0.0.0/24").overlaps(ipRange("10.0.0.0-10.0.0.255")))
        XCTAssertTrue(ipRange("0.0.0.0").overlaps(ipRange("192.168.1.1")))
        XCTAssertTrue(ipRange("::/0").overlaps(ipRange("fe80::1%11")))
    }

    func testDifferentFamiliesNeverOverlap() {
        XCTAssertFalse(IPRange.allIPv4.overlaps(.allIPv6))
        XCTAssertFalse(IPRange.allIPv6.overlaps(.allIPv4))
        XCTAssertFalse(ipRange("0.0.0.0/0").overlaps(ipRange("::/0")))
        XCTAssertFalse(ipRange("0.0.0.0").overlaps(ipRange("::")))
        XCTAssertFalse(ipRange("10.0.0.0/8").overlaps(ipRange("::a00:0/104")), "same values, different family")
        XCTAssertFalse(ipRange("10.0.0.1").overlaps(ipRange("::ffff:10.0.0.1")))
    }

    // MARK: nests

    func testNesting() {
        let outer = ipRange("10.0.0.0/8")
        let inner = ipRange("10.1.0.0/16")
        XCTAssertTrue(outer.nests(with: inner))
        XCTAssertTrue(inner.nests(with: outer))
        XCTAssertTrue(outer.nests(with: outer), "equal ranges nest")
        XCTAssertTrue(ipRange("17.17.17.1/24").nests(with: ipRange("17.17.17.0-17.17.17.255")))
        XCTAssertTrue(ipRange("0.0.0.0").nests(with: ipRange("192.168.1.1")))
        XCTAssertTrue(ipRange("::").nests(with: ipRange("fe80::39bd:88f7:6969:d223%11")))
    }

    func testNestingFailsForPartialOverlapDisjointAndOtherFamilies() {
        XCTAssertFalse(ipRange("10.0.0.0-10.0.0.10").nests(with: ipRange("10.0.0.5-10.0.0.20")))
        XCTAssertFalse(ipRange("10.0.0.0/24").nests(with: ipRange("10.0.1.0/24")))
        XCTAssertFalse(IPRange.allIPv4.nests(with: .allIPv6))
        XCTAssertFalse(ipRange("::/96").nests(with: .allIPv4))
    }

    // MARK: coversSameAddresses

    func testCoversSameAddresses() {
        XCTAssertTrue(ipRange("17.17.17.1/24").coversSameAddresses(as: ipRange("17.17.17.0-17.17.17.255")))
        XCTAssertTrue(ipRange("0.0.0.0").coversSameAddresses(as: ipRange("0.0.0.0/0")))
        XCTAssertTrue(ipRange("10.0.0.1").coversSameAddresses(as: ipRange("10.0.0.1/32")))
        XCTAssertTrue(ipRange("fe80::1%1").coversSameAddresses(as: ipRange("fe80::1%2")))
        XCTAssertFalse(ipRange("10.0.0.0/24").coversSameAddresses(as: ipRange("10.0.0.0/25")))
        XCTAssertFalse(ipRange("10.0.0.0/25").coversSameAddresses(as: ipRange("10.0.0.0/24")))
        XCTAssertFalse(IPRange.allIPv4.coversSameAddresses(as: ipRange("::/96")), "same values, different family")
    }

    // MARK: span

    func testSpan() {
        XCTAssertEqual(ipRange("10.0.0.1").span, 0)
        XCTAssertEqual(ipRange("10.0.0.1/32").span, 0)
        XCTAssertEqual(ipRange("2001:db8::1/128").span, 0)
        XCTAssertEqual(ipRange("10.0.0.1-10.0.0.5").span, 4)
        XCTAssertEqual(ipRange("17.17.17.1/24").span, 255)
        XCTAssertEqual(ipRange("2001:db8::/64").span, UInt128(UInt64.max))
        XCTAssertEqual(ipRange("0.0.0.0").span, 0xFFFF_FFFF)
        XCTAssertEqual(ipRange("0.0.0.0/0").span, 0xFFFF_FFFF)
        XCTAssertEqual(IPRange.allIPv4.span, 0xFFFF_FFFF)
        XCTAssertEqual(ipRange("::/0").span, .max, "all of IPv6 without overflow")
        XCTAssertEqual(IPRange.allIPv6.span, .max)
        XCTAssertEqual(ipRange("::").span, .max)
    }

    func testSpanOrdersEntriesFromMostToLeastSpecific() {
        // A connector chooser prefers the narrowest matching range; span is what it compares.
        let entries = ["0.0.0.0", "10.0.0.0/8", "10.1.1.1", "10.1.0.0/16"].map { ipRange($0) }
        let narrowestFirst = entries.sorted { $0.span < $1.span }.map(\.description)
        XCTAssertEqual(narrowestFirst, ["10.1.1.1", "10.1.0.0/16", "10.0.0.0/8", "0.0.0.0"])
    }

    /// Property: on random pairs, the relations agree with each other and with a brute-force
    /// check on the endpoints.
    func testRelationsAreConsistentOnRandomPairs() {
        var generator = SeededGenerator(seed: 0x0BE1A7E5)
        func randomEntry() -> IPRange {
            // Small numbers so that overlaps, nesting and adjacency all occur often.
            let a = UInt32(generator.next() % 40)
            let b = UInt32(generator.next() % 40)
            return try! IPRange(first: IPAddress(v4: min(a, b) + 1), last: IPAddress(v4: max(a, b) + 1))
        }
        for _ in 0..<500 {
            let x = randomEntry()
            let y = randomEntry()
            let shared = (x.first.value...x.last.value).contains { y.contains(IPAddress(v4: UInt32($0))) }
            XCTAssertEqual(x.overlaps(y), shared, "\(x) vs \(y)")
            XCTAssertEqual(x.overlaps(y), y.overlaps(x))
            XCTAssertEqual(x.nests(with: y), x.contains(y) || y.contains(x))
            XCTAssertEqual(x.coversSameAddresses(as: y), x.contains(y) && y.contains(x))
            if x.contains(y) { XCTAssertTrue(x.overlaps(y)) }
            if x.contains(y) { XCTAssertLessThanOrEqual(y.span, x.span) }
        }
    }
}
