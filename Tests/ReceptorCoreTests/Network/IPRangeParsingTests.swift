import XCTest
@testable import ReceptorCore

final class IPRangeParsingTests: XCTestCase {
    // MARK: Single addresses

    func testSingleIPv4() {
        let entry = ipRange("192.168.1.1")
        XCTAssertEqual(entry.form, .single)
        XCTAssertEqual(entry.first, ip("192.168.1.1"))
        XCTAssertEqual(entry.last, ip("192.168.1.1"))
        XCTAssertEqual(entry.baseAddress, ip("192.168.1.1"))
        XCTAssertEqual(entry.family, .v4)
        XCTAssertEqual(entry.description, "192.168.1.1")
    }

    func testSingleIPv6WithZoneKeepsTheZoneForDisplay() {
        let entry = ipRange("fe80::39bd:88f7:6969:d223%11")
        XCTAssertEqual(entry.form, .single)
        XCTAssertEqual(entry.family, .v6)
        XCTAssertEqual(entry.first.zone, "11")
        XCTAssertEqual(entry.description, "fe80::39bd:88f7:6969:d223%11")
    }

    func testSingleIsShownCanonically() {
        XCTAssertEqual(ipRange("2001:0DB8:0::0001").description, "2001:db8::1")
        XCTAssertEqual(ipRange("::FFFF:10.0.0.1").description, "::ffff:10.0.0.1")
    }

    func testZoneContainingADashIsASingleAddressNotARange() {
        let entry = ipRange("fe80::1%eth-0")
        XCTAssertEqual(entry.form, .single)
        XCTAssertEqual(entry.first.zone, "eth-0")
        XCTAssertEqual(entry.description, "fe80::1%eth-0")
    }

    func testSurroundingWhitespaceIsIgnored() {
        XCTAssertEqual(ipRange("  10.0.0.1 \t").description, "10.0.0.1")
        XCTAssertEqual(ipRange(" 10.0.0.0/8 ").description, "10.0.0.0/8")
    }

    // MARK: Family wildcards

    func testBareUnspecifiedAddressMeansTheWholeFamily() {
        let v4 = ipRange("0.0.0.0")
        XCTAssertEqual(v4.form, .familyWildcard)
        XCTAssertEqual(v4.first, ip("0.0.0.0"))
        XCTAssertEqual(v4.last, ip("255.255.255.255"))
        XCTAssertEqual(v4.description, "0.0.0.0")

        let v6 = ipRange("::")
        XCTAssertEqual(v6.form, .familyWildcard)
        XCTAssertEqual(v6.first, ip("::"))
        XCTAssertEqual(v6.last, ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        XCTAssertEqual(v6.description, "::")

        XCTAssertEqual(ipRange("0:0:0:0:0:0:0:0").description, "::")
        XCTAssertEqual(IPRange.familyWildcard(.v6), v6)
        XCTAssertEqual(IPRange.familyWildcard(.v4), v4)
    }

    func testWildcardCoversTheSameAddressesAsTheFullRangesButIsADifferentEntry() {
        XCTAssertTrue(ipRange("0.0.0.0").coversSameAddresses(as: .allIPv4))
        XCTAssertTrue(ipRange("::").coversSameAddresses(as: .allIPv6))
        XCTAssertNotEqual(ipRange("0.0.0.0"), .allIPv4)
    }

    // MARK: Ranges

    func testRange() {
        let entry = ipRange("192.168.1.1-192.168.1.254")
        XCTAssertEqual(entry.form, .range)
        XCTAssertEqual(entry.first, ip("192.168.1.1"))
        XCTAssertEqual(entry.last, ip("192.168.1.254"))
        XCTAssertEqual(entry.baseAddress, entry.first)
        XCTAssertEqual(entry.description, "192.168.1.1-192.168.1.254")
    }

    func testRangeToleratesWhitespaceAroundTheDash() {
        XCTAssertEqual(ipRange("10.0.0.1 - 10.0.0.5").description, "10.0.0.1-10.0.0.5")
        XCTAssertEqual(ipRange("10.0.0.1\t-10.0.0.5").description, "10.0.0.1-10.0.0.5")
        XCTAssertEqual(ipRange("10.0.0.1-  10.0.0.5"), ipRange("10.0.0.1-10.0.0.5"))
    }

    func testIPv6RangeIsShownCanonically() {
        XCTAssertEqual(ipRange("2001:DB8::1-2001:0db8::00FF").description, "2001:db8::1-2001:db8::ff")
    }

    func testDefaultFullRanges() {
        let v4 = ipRange("0.0.0.0-255.255.255.255")
        XCTAssertEqual(v4, .allIPv4)
        XCTAssertEqual(v4.form, .range)
        XCTAssertEqual(IPRange.allIPv4.description, "0.0.0.0-255.255.255.255")

        let v6 = ipRange("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        XCTAssertEqual(v6, .allIPv6)
        XCTAssertEqual(v6.form, .range)
        XCTAssertEqual(IPRange.allIPv6.description, "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        XCTAssertEqual(IPRange.allIPv6.family, .v6)
    }

    func testRangeOfOneAddressStaysARangeAsWritten() {
        let entry = ipRange("10.0.0.1-10.0.0.1")
        XCTAssertEqual(entry.form, .range)
        XCTAssertEqual(entry.description, "10.0.0.1-10.0.0.1")
        XCTAssertEqual(entry.span, 0)
        XCTAssertTrue(entry.coversSameAddresses(as: ipRange("10.0.0.1")))
    }

    func testRangeOfTheUnspecifiedAddressAloneIsNotTheWildcard() {
        let entry = ipRange("0.0.0.0-0.0.0.0")
        XCTAssertEqual(entry.form, .range)
        XCTAssertEqual(entry.span, 0)
        XCTAssertFalse(entry.contains(ip("0.0.0.1")))
    }

    // MARK: CIDR

    func testCIDRWithHostBitsSetCoversTheBlockButShowsWhatWasEntered() {
        let entry = ipRange("17.17.17.1/24")
        XCTAssertEqual(entry.form, .cidr(prefixLength: 24))
        XCTAssertEqual(entry.first, ip("17.17.17.0"))
        XCTAssertEqual(entry.last, ip("17.17.17.255"))
        XCTAssertEqual(entry.baseAddress, ip("17.17.17.1"))
        XCTAssertEqual(entry.description, "17.17.17.1/24")
    }

    func testIPv6CIDRIsNormalisedButKeepsHostBits() {
        let entry = ipRange("2001:0DB8::CD3/60")
        XCTAssertEqual(entry.description, "2001:db8::cd3/60")
        XCTAssertEqual(entry.form, .cidr(prefixLength: 60))
        XCTAssertEqual(entry.first, ip("2001:db8::"))
        XCTAssertEqual(entry.last, ip("2001:db8:0:f:ffff:ffff:ffff:ffff"))
    }

    func testCIDRPrefixExtremes() {
        let allV4 = ipRange("0.0.0.0/0")
        XCTAssertEqual(allV4.form, .cidr(prefixLength: 0))
        XCTAssertEqual(allV4.description, "0.0.0.0/0")
        XCTAssertTrue(allV4.coversSameAddresses(as: .allIPv4))

        // Host bits on a /0: every bit is a host bit.
        XCTAssertTrue(ipRange("10.1.2.3/0").coversSameAddresses(as: .allIPv4))
        XCTAssertTrue(ipRange("2001:db8::1/0").coversSameAddresses(as: .allIPv6))

        let allV6 = ipRange("::/0")
        XCTAssertEqual(allV6.description, "::/0")
        XCTAssertTrue(allV6.coversSameAddresses(as: .allIPv6))

        let host4 = ipRange("10.1.2.3/32")
        XCTAssertEqual(host4.first, ip("10.1.2.3"))
        XCTAssertEqual(host4.last, ip("10.1.2.3"))
        XCTAssertEqual(host4.description, "10.1.2.3/32")

        let host6 = ipRange("2001:db8::1/128")
        XCTAssertEqual(host6.first, ip("2001:db8::1"))
        XCTAssertEqual(host6.last, ip("2001:db8::1"))
    }

    func testCIDRBoundariesAtOddPrefixLengths() {
        XCTAssertEqual(ipRange("10.0.0.0/31").last, ip("10.0.0.1"))
        XCTAssertEqual(ipRange("192.168.100.200/20").first, ip("192.168.96.0"))
        XCTAssertEqual(ipRange("192.168.100.200/20").last, ip("192.168.111.255"))
        XCTAssertEqual(ipRange("128.0.0.0/1").last, ip("255.255.255.255"))
        XCTAssertEqual(ipRange("2001:db8::/32").last, ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))
        XCTAssertEqual(ipRange("fe80::1/10").first, ip("fe80::"))
        XCTAssertEqual(ipRange("fe80::1/10").last, ip("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        XCTAssertEqual(ipRange("2001:db8::1/127").first, ip("2001:db8::"))
    }

    func testCIDRMappedAddressIsIPv6() {
        let entry = ipRange("::ffff:10.0.0.0/104")
        XCTAssertEqual(entry.family, .v6)
        XCTAssertEqual(entry.first, ip("::ffff:10.0.0.0"))
        XCTAssertEqual(entry.last, ip("::ffff:10.255.255.255"))
        XCTAssertEqual(entry.description, "::ffff:10.0.0.0/104")
    }

    func testCIDRToleratesWhitespaceAroundTheSlashAndLeadingZerosInThePrefix() {
        XCTAssertEqual(ipRange("10.0.0.1 / 8").description, "10.0.0.1/8")
        XCTAssertEqual(ipRange("10.0.0.0/08").form, .cidr(prefixLength: 8))
        XCTAssertEqual(ipRange("10.0.0.0/08").description, "10.0.0.0/8")
    }

    func testEntriesCompareAsWritten() {
        XCTAssertNotEqual(ipRange("17.17.17.1/24"), ipRange("17.17.17.0/24"))
        XCTAssertTrue(ipRange("17.17.17.1/24").coversSameAddresses(as: ipRange("17.17.17.0/24")))
        XCTAssertNotEqual(ipRange("17.17.17.0/24"), ipRange("17.17.17.0-17.17.17.255"))
        XCTAssertEqual(Set(["10.0.0.0/8", " 10.0.0.0/8", "10.0.0.0 /8"].map { ipRange($0) }).count, 1)
    }

    // MARK: init(first:last:) and init(single:)

    func testInitFirstLast() throws {
        let entry = try IPRange(first: ip("10.0.0.1"), last: ip("10.0.0.9"))
        XCTAssertEqual(entry.form, .range)
        XCTAssertEqual(entry.description, "10.0.0.1-10.0.0.9")
        XCTAssertEqual(entry, ipRange("10.0.0.1-10.0.0.9"))
    }

    func testInitFirstLastWithEqualAddressesGivesASingle() throws {
        let entry = try IPRange(first: ip("fe80::1%4"), last: ip("fe80::1%4"))
        XCTAssertEqual(entry.form, .single)
        XCTAssertEqual(entry.description, "fe80::1%4")
        XCTAssertEqual(entry, ipRange("fe80::1%4"))
    }

    func testInitFirstLastWithTheUnspecifiedAddressStaysARange() throws {
        // A .single 0.0.0.0 would print as "0.0.0.0", which parses back as every IPv4 address.
        let entry = try IPRange(first: .anyV4, last: .anyV4)
        XCTAssertEqual(entry.form, .range)
        XCTAssertEqual(entry.description, "0.0.0.0-0.0.0.0")
        XCTAssertEqual(ipRange(entry.description), entry)
        XCTAssertEqual(try IPRange(first: .anyV6, last: .anyV6).description, "::-::")
    }

    func testInitFirstLastErrors() {
        XCTAssertThrowsError(try IPRange(first: ip("10.0.0.9"), last: ip("10.0.0.1"))) { error in
            XCTAssertEqual("\(error)", "\"10.0.0.9-10.0.0.1\" is not a valid IP range: the start address is after the end address.")
        }
        XCTAssertThrowsError(try IPRange(first: ip("10.0.0.1"), last: ip("::1"))) { error in
            XCTAssertEqual("\(error)", "\"10.0.0.1-::1\" is not a valid IP range: the start and end addresses are of different families.")
        }
        XCTAssertThrowsError(try IPRange(first: ip("fe80::1%1"), last: ip("fe80::2"))) { error in
            XCTAssertEqual("\(error)", "\"fe80::1%1-fe80::2\" is not a valid IP range: a zone index (\"%\") is allowed only on a single address.")
        }
    }

    func testInitSingle() {
        let entry = IPRange(single: ip("10.0.0.1"))
        XCTAssertEqual(entry, ipRange("10.0.0.1"))
        XCTAssertEqual(entry.form, .single)
    }

    // MARK: Round trips

    func testDescriptionParsesBackToTheSameEntry() {
        let texts = [
            "192.168.1.1", "fe80::39bd:88f7:6969:d223%11", "0.0.0.0", "::", "192.168.1.1-192.168.1.254",
            "0.0.0.0-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "17.17.17.1/24",
            "2001:0DB8::CD3/60", "0.0.0.0/0", "::/0", "10.1.2.3/32", "2001:db8::1/128", "10.0.0.1 - 10.0.0.1",
            "::ffff:1.2.3.4", "::ffff:1.2.3.4/120", "fe80::1%eth-0",
        ]
        for text in texts {
            let entry = ipRange(text)
            let reparsed = ipRange(entry.description)
            XCTAssertEqual(reparsed, entry, text)
            XCTAssertEqual(reparsed.form, entry.form, text)
            XCTAssertEqual(reparsed.description, entry.description, text)
        }
    }

    /// Property: random CIDR entries round-trip and cover exactly their block.
    func testRandomCIDRBlocks() {
        var generator = SeededGenerator(seed: 0xC1D2)
        for _ in 0..<300 {
            let isV4 = generator.next() % 2 == 0
            let width = isV4 ? 32 : 128
            let prefixLength = Int(generator.next() % UInt64(width + 1))
            let base: IPAddress =
                isV4
                ? IPAddress(v4: UInt32(truncatingIfNeeded: generator.next()))
                : IPAddress(v6: UInt128(generator.next()) << 64 | UInt128(generator.next()))
            let text = "\(base)/\(prefixLength)"
            let entry = ipRange(text)
            XCTAssertEqual(entry.description, text)
            XCTAssertEqual(ipRange(entry.description), entry)
            XCTAssertEqual(entry.form, .cidr(prefixLength: prefixLength))
            XCTAssertTrue(entry.contains(base), text)
            let hostBits = width - prefixLength
            let expectedSpan: UInt128 = hostBits == 0 ? 0 : UInt128.max >> (128 - hostBits)
            XCTAssertEqual(entry.span, expectedSpan, text)
            XCTAssertEqual(entry.first.value & expectedSpan, 0, "the block starts on a boundary: \(text)")
        }
    }

    // MARK: Errors (every failure path)

    /// A "/" or "-" that the scalar before it joins into one character (U+0600, a prepended concatenation mark)
    /// is still the separator: the text is refused with a line, not a crash (found by FuzzAddresses).
    func testASeparatorJoinedIntoTheCharacterBeforeItIsStillASeparator() {
        for text in ["\u{600}/24", "\u{600}-10.0.0.1", "10.0.0.1\u{600}-10.0.0.2", "\u{600}/\u{81}\u{145}\u{d0}\tI"] {
            XCTAssertThrowsError(try IPRange(parsing: text), text.debugDescription)
        }
        XCTAssertEqual(try IPRange(parsing: "10.0.0.0/8").description, "10.0.0.0/8")
    }

    func testEmptyEntry() {
        assertRangeParseError("", "the text is empty.")
        assertRangeParseError("   ", "the text is empty.")
    }

    func testPrefixLengthOutOfRange() {
        assertRangeParseError("17.17.17.1/33", "an IPv4 prefix length is 0 to 32.")
        assertRangeParseError("10.0.0.0/1000", "an IPv4 prefix length is 0 to 32.")
        assertRangeParseError("10.0.0.0/99999999999999999999999", "an IPv4 prefix length is 0 to 32.")
        assertRangeParseError("2001:db8::/129", "an IPv6 prefix length is 0 to 128.")
        assertRangeParseError("::ffff:1.2.3.4/129", "an IPv6 prefix length is 0 to 128.")
    }

    func testPrefixLengthNotANumber() {
        assertRangeParseError("10.0.0.0/x", "the prefix length \"x\" is not a decimal number.")
        assertRangeParseError("10.0.0.0/+8", "the prefix length \"+8\" is not a decimal number.")
        assertRangeParseError("10.0.0.0/255.0.0.0", "the prefix length \"255.0.0.0\" is not a decimal number.")
    }

    func testCIDRPartsMissingOrRepeated() {
        assertRangeParseError("10.0.0.0/", "the prefix length after \"/\" is missing.")
        assertRangeParseError("/24", "the address before \"/\" is missing.")
        assertRangeParseError("10.0.0.0/24/8", "only one \"/\" is allowed.")
    }

    func testCIDRWithABadAddress() {
        assertRangeParseError("10.0.0.300/24", "\"300\" is greater than 255.")
        assertRangeParseError("2001:db8:::/48", "\":::\" is not allowed.")
    }

    func testCIDRWithAZone() {
        assertRangeParseError("fe80::1%11/64", "a zone index (\"%\") is allowed only on a single address.")
    }

    func testRangeCombinedWithPrefix() {
        assertRangeParseError("10.0.0.0/8-10.0.0.5", "a range (\"-\") cannot also have a prefix length (\"/\").")
        assertRangeParseError("10.0.0.0/-1", "a range (\"-\") cannot also have a prefix length (\"/\").")
    }

    func testRangeInWrongOrder() {
        assertRangeParseError("10.0.0.9-10.0.0.1", "the start address is after the end address.")
        assertRangeParseError("2001:db8::2-2001:db8::1", "the start address is after the end address.")
    }

    func testRangeAcrossFamilies() {
        assertRangeParseError("10.0.0.1-::1", "the start and end addresses are of different families.")
        assertRangeParseError("::-255.255.255.255", "the start and end addresses are of different families.")
        assertRangeParseError("::ffff:10.0.0.1-10.0.0.5", "the start and end addresses are of different families.")
    }

    func testRangeEndsMissingOrRepeated() {
        assertRangeParseError("10.0.0.1-", "the end address after \"-\" is missing.")
        assertRangeParseError("10.0.0.1 - ", "the end address after \"-\" is missing.")
        assertRangeParseError("-10.0.0.1", "the start address before \"-\" is missing.")
        assertRangeParseError("-", "the start address before \"-\" is missing.")
        assertRangeParseError("10.0.0.1-10.0.0.2-10.0.0.3", "only one \"-\" is allowed.")
        assertRangeParseError("10.0.0.1--10.0.0.3", "only one \"-\" is allowed.")
    }

    func testRangeSaysWhichEndIsBad() {
        assertRangeParseError("10.0.0-10.0.0.5", "the start address \"10.0.0\" is not valid: an IPv4 address has four parts.")
        assertRangeParseError("10.0.0.1-10.0.0.256", "the end address \"10.0.0.256\" is not valid: \"256\" is greater than 255.")
        assertRangeParseError("2001:db8::1-2001:db8::g", "the end address \"2001:db8::g\" is not valid: \"g\" is not a hexadecimal number.")
    }

    func testRangeWithAZone() {
        let reason = "a zone index (\"%\") is allowed only on a single address."
        assertRangeParseError("fe80::1%1-fe80::2", reason)
        assertRangeParseError("fe80::1-fe80::2%eth0", reason)
        assertRangeParseError("fe80::1%1 - fe80::2%1", reason)
    }

    func testUnspecifiedWithAZone() {
        assertRangeParseError("::%1", "\"::\" means every IPv6 address and cannot have a zone index.")
    }

    func testBadSingleAddress() {
        assertRangeParseError("10.0.0.1 10.0.0.2", "it contains whitespace.")
        assertRangeParseError("10.10.1", "an IPv4 address has four parts.")
        assertRangeParseError("[::1]", "an IP address is written without brackets; they belong only around IPv6 addresses in bindings.")
        assertRangeParseError("fe80::1%", "the zone index after \"%\" is empty.")
    }

    func testBriefExamplesVerbatim() {
        XCTAssertThrowsError(try IPRange(parsing: "17.17.17.1/33")) { error in
            XCTAssertEqual("\(error)", "\"17.17.17.1/33\" is not a valid IP range: an IPv4 prefix length is 0 to 32.")
        }
        XCTAssertThrowsError(try IPRange(parsing: "10.0.0.9-10.0.0.1")) { error in
            XCTAssertEqual("\(error)", "\"10.0.0.9-10.0.0.1\" is not a valid IP range: the start address is after the end address.")
        }
        XCTAssertThrowsError(try IPRange(parsing: "10.0.0.1-::1")) { error in
            XCTAssertEqual("\(error)", "\"10.0.0.1-::1\" is not a valid IP range: the start and end addresses are of different families.")
        }
    }

    func testErrorQuotesTheUntrimmedInput() {
        assertRangeParseError(" 10.0.0.9 - 10.0.0.1 ", "the start address is after the end address.")
    }
}
