import XCTest
@testable import ReceptorCore

final class IPAddressParsingTests: XCTestCase {
    // MARK: IPv4, valid

    func testIPv4DottedQuadValues() {
        XCTAssertEqual(ip("0.0.0.0"), IPAddress(v4: 0))
        XCTAssertEqual(ip("1.2.3.4"), IPAddress(v4: 0x0102_0304))
        XCTAssertEqual(ip("10.10.1.1"), IPAddress(v4: 0x0A0A_0101))
        XCTAssertEqual(ip("192.168.1.254"), IPAddress(v4: 0xC0A8_01FE))
        XCTAssertEqual(ip("255.255.255.255"), IPAddress(v4: .max))
        XCTAssertEqual(ip("255.255.255.255").value, 0xFFFF_FFFF, "IPv4 lives in the low 32 bits")
    }

    func testIPv4HasFamilyAndNoZone() {
        let parsed = ip("192.168.1.1")
        XCTAssertEqual(parsed.family, .v4)
        XCTAssertNil(parsed.zone)
    }

    func testIPv4SingleZeroOctetIsNotALeadingZero() {
        XCTAssertEqual(ip("10.0.0.1"), IPAddress(v4: 0x0A00_0001))
    }

    // MARK: IPv4, invalid (every failure path)

    func testEmptyText() {
        assertAddressParseError("", "the text is empty.")
    }

    func testWhitespaceIsRefused() {
        assertAddressParseError(" 10.0.0.1", "it contains whitespace.")
        assertAddressParseError("10.0.0.1 ", "it contains whitespace.")
        assertAddressParseError("10.0. 0.1", "it contains whitespace.")
        assertAddressParseError("fe80::1\t", "it contains whitespace.")
    }

    func testIPv4WrongNumberOfParts() {
        assertAddressParseError("10.10.1", "an IPv4 address has four parts.")
        assertAddressParseError("10.10.1.1.1", "an IPv4 address has four parts.")
        assertAddressParseError("10.", "an IPv4 address has four parts.")
        assertAddressParseError("mail.contoso.com", "an IPv4 address has four parts.")
    }

    func testIPv4EmptyPartNamesWhichPart() {
        assertAddressParseError(".1.2.3", "the first part is empty.")
        assertAddressParseError("10..1.1", "the second part is empty.")
        assertAddressParseError("1.2..3", "the third part is empty.")
        assertAddressParseError("10.10.1.", "the fourth part is empty.")
        assertAddressParseError("...", "the first part is empty.")
    }

    func testIPv4SignIsRefused() {
        assertAddressParseError("+10.0.0.1", "\"+10\" has a sign; write the number without it.")
        assertAddressParseError("10.0.0.+1", "\"+1\" has a sign; write the number without it.")
        assertAddressParseError("10.0.0.-1", "\"-1\" has a sign; write the number without it.")
    }

    func testIPv4NonDecimalPart() {
        assertAddressParseError("10.0.0.a", "\"a\" is not a decimal number.")
        assertAddressParseError("10.0.0.0x1", "\"0x1\" is not a decimal number.")
        assertAddressParseError("10.0.0.1e2", "\"1e2\" is not a decimal number.")
        // Non-ASCII digits are numbers to Unicode, but never part of an address.
        assertAddressParseError("10.0.0.\u{0663}", "\"\u{0663}\" is not a decimal number.")
        assertAddressParseError("10.0.0.\u{FF11}", "\"\u{FF11}\" is not a decimal number.")
    }

    func testIPv4LeadingZeroIsAmbiguous() {
        let reason = "has a leading zero, which is ambiguous (it may be read as octal)."
        assertAddressParseError("010.0.0.1", "\"010\" \(reason)")
        assertAddressParseError("10.0.0.00", "\"00\" \(reason)")
        assertAddressParseError("10.0.0.001", "\"001\" \(reason)")
    }

    func testIPv4OctetAbove255() {
        assertAddressParseError("10.10.1.300", "\"300\" is greater than 255.")
        assertAddressParseError("256.0.0.0", "\"256\" is greater than 255.")
        assertAddressParseError("1.2.3.1000", "\"1000\" is greater than 255.")
        assertAddressParseError("1.2.3.99999999999999999999999", "\"99999999999999999999999\" is greater than 255.")
    }

    func testIPv4ZoneIsRefused() {
        assertAddressParseError("10.0.0.1%1", "a zone index (\"%\") is allowed only on IPv6 addresses.")
    }

    func testTextThatIsNeitherFamily() {
        let reason = "expected an IPv4 address (four numbers separated by \".\") or an IPv6 address (hex groups separated by \":\")."
        assertAddressParseError("localhost", reason)
        assertAddressParseError("1234", reason)
        assertAddressParseError("-", reason)
    }

    func testBracketsAndPrefixesAreNotPartOfAnAddress() {
        let brackets = "an IP address is written without brackets; they belong only around IPv6 addresses in bindings."
        assertAddressParseError("[::1]", brackets)
        assertAddressParseError("[2001:db8::1", brackets)
        assertAddressParseError("2001:db8::1]", brackets)
        assertAddressParseError("10.0.0.0/8", "a prefix length (\"/\") is not part of an IP address.")
        assertAddressParseError("2001:db8::/32", "a prefix length (\"/\") is not part of an IP address.")
    }

    // MARK: IPv6, valid

    func testIPv6CompressionForms() {
        XCTAssertEqual(ip("::"), IPAddress(v6: 0))
        XCTAssertEqual(ip("::1"), IPAddress(v6: 1))
        XCTAssertEqual(ip("1::"), IPAddress(v6: UInt128(1) << 112))
        XCTAssertEqual(ip("1::1"), IPAddress(v6: UInt128(1) << 112 | 1))
        XCTAssertEqual(ip("2001:db8::1"), IPAddress(v6: 0x2001_0db8_0000_0000_0000_0000_0000_0001))
        XCTAssertEqual(ip("2001:db8::2:1"), IPAddress(v6: 0x2001_0db8_0000_0000_0000_0000_0002_0001))
        XCTAssertEqual(ip("fe80::39bd:88f7:6969:d223"), IPAddress(v6: 0xfe80_0000_0000_0000_39bd_88f7_6969_d223))
    }

    func testIPv6FullFormWithoutCompression() {
        XCTAssertEqual(ip("1:2:3:4:5:6:7:8"), IPAddress(v6: 0x0001_0002_0003_0004_0005_0006_0007_0008))
        XCTAssertEqual(
            ip("2001:0DB8:0000:0000:0000:0000:0000:0001"), ip("2001:db8::1"))
        XCTAssertEqual(ip("0:0:0:0:0:0:0:0"), .anyV6)
        XCTAssertEqual(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), IPAddress(v6: .max))
    }

    func testIPv6DoubleColonMayStandForASingleGroup() {
        // RFC 5952 never writes it this way, but RFC 4291 text with "::" for one group is valid.
        XCTAssertEqual(ip("1:2:3:4:5:6:7::"), IPAddress(v6: 0x0001_0002_0003_0004_0005_0006_0007_0000))
        XCTAssertEqual(ip("::2:3:4:5:6:7:8"), IPAddress(v6: 0x0000_0002_0003_0004_0005_0006_0007_0008))
        XCTAssertEqual(ip("1:2:3::5:6:7:8"), IPAddress(v6: 0x0001_0002_0003_0000_0005_0006_0007_0008))
    }

    func testIPv6IsCaseInsensitiveAndAcceptsShortAndPaddedGroups() {
        XCTAssertEqual(ip("FE80::ABCD"), ip("fe80::abcd"))
        XCTAssertEqual(ip("Fe80::aBcD"), ip("fe80::abcd"))
        XCTAssertEqual(ip("2001:db8:0:00:000:0000::1"), ip("2001:db8::1"))
        XCTAssertEqual(ip("2001:db8::000f"), ip("2001:db8::f"))
    }

    func testIPv6EmbeddedIPv4Tail() {
        XCTAssertEqual(ip("::ffff:1.2.3.4"), IPAddress(v6: 0xffff_0102_0304))
        XCTAssertEqual(ip("::FFFF:10.10.1.1"), IPAddress(v6: 0xffff_0a0a_0101))
        XCTAssertEqual(ip("0:0:0:0:0:ffff:1.2.3.4"), ip("::ffff:1.2.3.4"))
        XCTAssertEqual(ip("64:ff9b::1.2.3.4"), IPAddress(v6: 0x0064_ff9b_0000_0000_0000_0000_0102_0304))
        XCTAssertEqual(ip("::1.2.3.4"), IPAddress(v6: 0x0102_0304))
        XCTAssertEqual(ip("1:2:3:4:5:6:1.2.3.4"), IPAddress(v6: 0x0001_0002_0003_0004_0005_0006_0102_0304))
        XCTAssertEqual(ip("1:2:3:4:5::1.2.3.4"), IPAddress(v6: 0x0001_0002_0003_0004_0005_0000_0102_0304))
    }

    func testIPv6Family() {
        XCTAssertEqual(ip("::").family, .v6)
        XCTAssertEqual(ip("::ffff:1.2.3.4").family, .v6, "v4-mapped stays IPv6 until unmapped")
    }

    func testIPv6Zone() {
        let linkLocal = ip("fe80::39bd:88f7:6969:d223%11")
        XCTAssertEqual(linkLocal.zone, "11")
        XCTAssertEqual(linkLocal.value, 0xfe80_0000_0000_0000_39bd_88f7_6969_d223)
        XCTAssertEqual(ip("fe80::1%eth0").zone, "eth0")
        XCTAssertEqual(ip("fe80::1%en0.100_a-B").zone, "en0.100_a-B", "kept exactly as entered")
        XCTAssertEqual(ip("::1%lo").zone, "lo")
        XCTAssertNil(ip("fe80::1").zone)
    }

    // MARK: IPv6, invalid (every failure path)

    func testIPv6TripleColon() {
        assertAddressParseError("2001:db8:::1", "\":::\" is not allowed.")
        assertAddressParseError(":::", "\":::\" is not allowed.")
        assertAddressParseError("1::::2", "\":::\" is not allowed.")
    }

    func testIPv6SecondDoubleColon() {
        assertAddressParseError("1::2::3", "\"::\" may appear only once.")
        assertAddressParseError("::1::", "\"::\" may appear only once.")
    }

    func testIPv6LoneColonAtEitherEnd() {
        assertAddressParseError(":1:2:3:4:5:6:7", "an IPv6 address cannot start with a single \":\".")
        assertAddressParseError(":1::2", "an IPv6 address cannot start with a single \":\".")
        assertAddressParseError(":", "an IPv6 address cannot start with a single \":\".")
        assertAddressParseError("1:2:3:4:5:6:7:", "an IPv6 address cannot end with a single \":\".")
        assertAddressParseError("1::2:", "an IPv6 address cannot end with a single \":\".")
    }

    func testIPv6TooManyGroups() {
        let nine = "an IPv6 address has eight groups of hex digits, but this one has 9."
        assertAddressParseError("1:2:3:4:5:6:7:8:9", nine)
        assertAddressParseError("1:2:3:4:5::6:7:8:9", nine)
        assertAddressParseError("1:2:3:4:5:6:7:1.2.3.4", nine)
    }

    func testIPv6TooFewGroupsWithoutCompression() {
        assertAddressParseError(
            "1:2:3:4:5:6:7",
            "an IPv6 address has eight groups of hex digits, but this one has 7 and no \"::\" to stand for the rest.")
        assertAddressParseError(
            "1:2",
            "an IPv6 address has eight groups of hex digits, but this one has 2 and no \"::\" to stand for the rest.")
        assertAddressParseError(
            "1:2:3:4:5:1.2.3.4",
            "an IPv6 address has eight groups of hex digits, but this one has 7 and no \"::\" to stand for the rest.")
    }

    func testIPv6CompressionWithNothingLeftToStandFor() {
        let reason = "\"::\" stands for at least one zero group, but all eight groups are already given."
        assertAddressParseError("1:2:3:4:5:6:7:8::", reason)
        assertAddressParseError("::1:2:3:4:5:6:7:8", reason)
        assertAddressParseError("1:2:3:4::5:6:7:8", reason)
        assertAddressParseError("::1:2:3:4:5:6:1.2.3.4", reason)
    }

    func testIPv6GroupWithTooManyDigits() {
        assertAddressParseError("12345::", "\"12345\" has more than four hex digits.")
        assertAddressParseError("::00000", "\"00000\" has more than four hex digits.")
    }

    func testIPv6GroupThatIsNotHex() {
        assertAddressParseError("fe80::g", "\"g\" is not a hexadecimal number.")
        assertAddressParseError("2001:db8::1x", "\"1x\" is not a hexadecimal number.")
        assertAddressParseError("+1::", "\"+1\" is not a hexadecimal number.")
        assertAddressParseError("fe80::\u{FF11}", "\"\u{FF11}\" is not a hexadecimal number.")
    }

    func testIPv6EmbeddedIPv4MustComeLast() {
        assertAddressParseError("1.2.3.4::", "the embedded IPv4 address \"1.2.3.4\" must come last.")
        assertAddressParseError("::1.2.3.4:1", "the embedded IPv4 address \"1.2.3.4\" must come last.")
        assertAddressParseError("1:1.2.3.4::1", "the embedded IPv4 address \"1.2.3.4\" must come last.")
    }

    func testIPv6EmbeddedIPv4UsesTheIPv4Rules() {
        assertAddressParseError("::ffff:1.2.3.300", "\"300\" is greater than 255.")
        assertAddressParseError("::ffff:1.2.3", "an IPv4 address has four parts.")
        assertAddressParseError("::ffff:01.2.3.4", "\"01\" has a leading zero, which is ambiguous (it may be read as octal).")
        assertAddressParseError("::ffff:1..3.4", "the second part is empty.")
    }

    func testIPv6ZoneErrors() {
        assertAddressParseError("fe80::1%", "the zone index after \"%\" is empty.")
        assertAddressParseError("%1:2", "the address before \"%\" is missing.")
        assertAddressParseError(
            "fe80::1%eth*0", "the zone index \"eth*0\" may contain only letters, digits, \"_\", \".\" and \"-\".")
        assertAddressParseError(
            "fe80::1%1%2", "the zone index \"1%2\" may contain only letters, digits, \"_\", \".\" and \"-\".")
        assertAddressParseError(
            "fe80::1%é", "the zone index \"é\" may contain only letters, digits, \"_\", \".\" and \"-\".")
    }

    func testBriefExamplesVerbatim() {
        XCTAssertThrowsError(try IPAddress(parsing: "10.10.1.300")) { error in
            XCTAssertEqual("\(error)", "\"10.10.1.300\" is not a valid IP address: \"300\" is greater than 255.")
        }
        XCTAssertThrowsError(try IPAddress(parsing: "10.10.1")) { error in
            XCTAssertEqual("\(error)", "\"10.10.1\" is not a valid IP address: an IPv4 address has four parts.")
        }
        XCTAssertThrowsError(try IPAddress(parsing: "2001:db8:::1")) { error in
            XCTAssertEqual("\(error)", "\"2001:db8:::1\" is not a valid IP address: \":::\" is not allowed.")
        }
    }
}
