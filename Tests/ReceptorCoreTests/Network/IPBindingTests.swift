import XCTest
@testable import ReceptorCore

final class IPBindingTests: XCTestCase {
    // MARK: Parsing, valid

    /// The byte-level reading of `a.b.c.d` and `a.b.c.d:port` (what the store holds) agrees with the full
    /// parsers, and declines whatever they would refuse or read otherwise.
    func testPlainIPv4ReadingAgreesWithTheFullParser() throws {
        let texts = [
            "10.0.0.1", "0.0.0.0", "255.255.255.255", "1.2.3.4", "010.0.0.1", "10.0.0.01", "256.0.0.1", "1.2.3", "1.2.3.4.5",
            "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "1.2.3.4/24", "1234.1.1.1", "٣.1.1.1", "1.2.3.4\u{301}", "",
        ]
        for text in texts {
            let full = try? AddressTextParser.parseIPv4(text[...])
            if let plain = AddressTextParser.plainIPv4(text[...]) {
                XCTAssertEqual(plain, full, text)
            } else {
                XCTAssertTrue(full == nil || text.contains(" "), "\(text) is declined though the full parser reads it")
            }
        }
        for (text, expected) in [
            ("10.0.0.1:25", 25), ("0.0.0.0:025", 25), ("1.2.3.4:65535", 65535), ("1.2.3.4:65536", nil), ("1.2.3.4:0", nil),
            ("1.2.3.4:", nil), ("1.2.3.4", nil), ("1.2.3.4:123456", nil), ("1.2.3.4:2x", nil), ("1.2.3.4:25:25", nil),
        ] as [(String, Int?)] {
            XCTAssertEqual(AddressTextParser.plainIPv4AndPort(text[...])?.port, expected, text)
            XCTAssertEqual((try? IPBinding(parsing: text))?.port, text == "1.2.3.4" ? nil : expected, text)
        }
        XCTAssertEqual(try IPBinding(parsing: " 10.0.0.1:25 ").description, "10.0.0.1:25")
        XCTAssertTrue(try IPBinding(parsing: "0.0.0.0").portWasOmitted)
    }

    func testIPv4WithPort() {
        let entry = ipBinding("10.10.1.1:25")
        XCTAssertEqual(entry.address, ip("10.10.1.1"))
        XCTAssertEqual(entry.port, 25)
        XCTAssertFalse(entry.portWasOmitted)
        XCTAssertFalse(entry.isWildcard)
        XCTAssertEqual(entry.family, .v4)
        XCTAssertEqual(entry.description, "10.10.1.1:25")
    }

    func testIPv4Wildcard() {
        let entry = ipBinding("0.0.0.0:587")
        XCTAssertTrue(entry.isWildcard)
        XCTAssertEqual(entry.family, .v4)
        XCTAssertEqual(entry.port, 587)
        XCTAssertEqual(entry.description, "0.0.0.0:587")
    }

    func testBracketedIPv6() {
        let wildcard = ipBinding("[::]:25")
        XCTAssertTrue(wildcard.isWildcard)
        XCTAssertEqual(wildcard.family, .v6)
        XCTAssertEqual(wildcard.description, "[::]:25")

        let specific = ipBinding("[2001:DB8:0::1]:2525")
        XCTAssertEqual(specific.address, ip("2001:db8::1"))
        XCTAssertEqual(specific.port, 2525)
        XCTAssertFalse(specific.isWildcard)
        XCTAssertEqual(specific.description, "[2001:db8::1]:2525")
    }

    func testBracketedIPv6WithZone() {
        let entry = ipBinding("[fe80::1%eth0]:25")
        XCTAssertEqual(entry.address.zone, "eth0")
        XCTAssertEqual(entry.description, "[fe80::1%eth0]:25")
    }

    func testPortLimits() {
        XCTAssertEqual(ipBinding("10.10.1.1:1").port, 1)
        XCTAssertEqual(ipBinding("10.10.1.1:65535").port, 65535)
        XCTAssertEqual(ipBinding("[::1]:65535").port, 65535)
        XCTAssertEqual(ipBinding("10.10.1.1:0025").port, 25, "leading zeros in a port are not ambiguous")
    }

    func testOmittedPortOnWildcardsUsesTheDefault() {
        for text in ["0.0.0.0", "0.0.0.0:", "[::]", "[::]:"] {
            let entry = ipBinding(text)
            XCTAssertTrue(entry.portWasOmitted, text)
            XCTAssertEqual(entry.port, 25, text)
            XCTAssertTrue(entry.isWildcard, text)
        }
        XCTAssertEqual(ipBinding("[::]:").description, "[::]:25")
        XCTAssertEqual(ipBinding("0.0.0.0").description, "0.0.0.0:25")
        XCTAssertEqual(ipBinding("[::]:", defaultPort: 587).port, 587)
        XCTAssertEqual(ipBinding("0.0.0.0", defaultPort: 2525).description, "0.0.0.0:2525")
    }

    func testSurroundingWhitespaceIsIgnored() {
        XCTAssertEqual(ipBinding("  10.10.1.1:25\t"), ipBinding("10.10.1.1:25"))
        XCTAssertEqual(ipBinding(" [::]: ").portWasOmitted, true)
    }

    func testMemberwiseInit() {
        let entry = IPBinding(address: ip("2001:db8::1"), port: 25)
        XCTAssertFalse(entry.portWasOmitted)
        XCTAssertEqual(entry.description, "[2001:db8::1]:25")
        XCTAssertEqual(IPBinding(address: .anyV4, port: 25).description, "0.0.0.0:25")
        XCTAssertEqual(IPBinding(address: .anyV6, port: 25).description, "[::]:25")
    }

    // MARK: Equality and round trips

    func testOmittedPortDoesNotAffectEquality() {
        XCTAssertEqual(ipBinding("0.0.0.0"), ipBinding("0.0.0.0:25"))
        XCTAssertEqual(ipBinding("[::]:"), IPBinding(address: .anyV6, port: 25))
        XCTAssertEqual(Set([ipBinding("0.0.0.0"), ipBinding("0.0.0.0:25"), ipBinding("0.0.0.0:")]).count, 1)
        XCTAssertNotEqual(ipBinding("0.0.0.0", defaultPort: 587), ipBinding("0.0.0.0:25"))
    }

    func testEqualityComparesAddressFamilyAndPort() {
        XCTAssertNotEqual(ipBinding("0.0.0.0:25"), ipBinding("[::]:25"))
        XCTAssertNotEqual(ipBinding("10.10.1.1:25"), ipBinding("10.10.1.1:26"))
        XCTAssertEqual(ipBinding("[fe80::1%1]:25"), ipBinding("[fe80::1%2]:25"), "zone ignored like in IPAddress")
    }

    func testDescriptionParsesBack() {
        let texts = [
            "10.10.1.1:25", "0.0.0.0:25", "0.0.0.0", "[::]:", "[::]", "[::]:587", "[2001:db8::1]:25",
            "[FE80::1%11]:25", "255.255.255.255:65535", "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1",
        ]
        for text in texts {
            let entry = ipBinding(text)
            let reparsed = ipBinding(entry.description)
            XCTAssertEqual(reparsed, entry, text)
            XCTAssertEqual(reparsed.description, entry.description, text)
            XCTAssertFalse(reparsed.portWasOmitted, "the description always shows the port")
        }
    }

    // MARK: Parsing, errors (every failure path)

    func testEmpty() {
        assertBindingParseError("", "the text is empty.")
        assertBindingParseError("  ", "the text is empty.")
    }

    func testPortOutOfRange() {
        assertBindingParseError("10.10.1.1:99999", "the port must be 1 to 65535.")
        assertBindingParseError("10.10.1.1:65536", "the port must be 1 to 65535.")
        assertBindingParseError("10.10.1.1:0", "the port must be 1 to 65535.")
        assertBindingParseError("[::]:0", "the port must be 1 to 65535.")
        assertBindingParseError("10.10.1.1:123456789012345678901234567890", "the port must be 1 to 65535.")
    }

    func testPortNotANumber() {
        assertBindingParseError("10.10.1.1:smtp", "the port \"smtp\" is not a number.")
        assertBindingParseError("10.10.1.1:-25", "the port \"-25\" is not a number.")
        assertBindingParseError("10.10.1.1:+25", "the port \"+25\" is not a number.")
        assertBindingParseError("10.10.1.1: 25", "the port \" 25\" is not a number.")
        assertBindingParseError("[::1]:25:26", "the port \"25:26\" is not a number.")
        assertBindingParseError("[::1]:2\u{0665}", "the port \"2\u{0665}\" is not a number.")
    }

    func testSpecificAddressNeedsAPort() {
        assertBindingParseError("10.10.1.1", "a port is required, e.g. \"10.10.1.1:25\".")
        assertBindingParseError("[2001:db8::1]", "a port is required, e.g. \"[2001:db8::1]:25\".")
    }

    func testPortMissingAfterColon() {
        assertBindingParseError("10.10.1.1:", "the port after \":\" is missing.")
        assertBindingParseError("[2001:db8::1]:", "the port after \":\" is missing.")
    }

    func testUnbracketedIPv6IsRefused() {
        let reason = "IPv6 bindings are written in brackets, e.g. \"[2001:db8::1]:25\"."
        assertBindingParseError("2001:db8::1:25", reason)
        assertBindingParseError("::1", reason)
        assertBindingParseError("::", reason)
        assertBindingParseError("::ffff:10.0.0.1:25", reason)
    }

    func testBracketProblems() {
        assertBindingParseError("[::1:25", "the \"[\" has no matching \"]\".")
        assertBindingParseError("10.10.1.1]:25", "the \"]\" has no matching \"[\".")
        assertBindingParseError("[]:25", "the brackets are empty; put an IPv6 address inside, e.g. \"[::]:25\".")
        assertBindingParseError("[::]25", "expected \":\" and a port after \"]\", found \"25\".")
        assertBindingParseError("[::] :25", "expected \":\" and a port after \"]\", found \" :25\".")
        assertBindingParseError(
            "[[::1]]:25", "an IP address is written without brackets; they belong only around IPv6 addresses in bindings.")
    }

    func testBracketsAroundIPv4AreRefused() {
        assertBindingParseError(
            "[10.10.1.1]:25", "brackets are only for IPv6 addresses; write an IPv4 binding without them, e.g. \"10.10.1.1:25\".")
    }

    func testV4MappedBindingIsRefused() {
        assertBindingParseError("[::ffff:10.10.1.1]:25", "a v4-mapped address is an IPv4 binding; write it as \"10.10.1.1:25\".")
    }

    func testAddressMissing() {
        assertBindingParseError(":25", "the address before \":\" is missing.")
    }

    func testBadAddressUsesTheAddressReason() {
        assertBindingParseError("10.10.1.300:25", "\"300\" is greater than 255.")
        assertBindingParseError("10.10.1:25", "an IPv4 address has four parts.")
        assertBindingParseError("[2001:db8:::1]:25", "\":::\" is not allowed.")
        assertBindingParseError("[fe80::1%]:25", "the zone index after \"%\" is empty.")
        assertBindingParseError(
            "localhost:25",
            "expected an IPv4 address (four numbers separated by \".\") or an IPv6 address (hex groups separated by \":\").")
        assertBindingParseError("10.10.1.0/24:25", "a prefix length (\"/\") is not part of an IP address.")
    }

    func testBriefExampleVerbatim() {
        XCTAssertThrowsError(try IPBinding(parsing: "10.10.1.1:99999")) { error in
            XCTAssertEqual("\(error)", "\"10.10.1.1:99999\" is not a valid binding: the port must be 1 to 65535.")
        }
    }

    // MARK: overlaps

    func testOverlapsSameAddressAndPort() {
        XCTAssertTrue(ipBinding("10.10.1.1:25").overlaps(ipBinding("10.10.1.1:25")))
        XCTAssertTrue(ipBinding("[2001:db8::1]:25").overlaps(ipBinding("[2001:0db8::0001]:25")))
    }

    func testDifferentPortsNeverOverlap() {
        XCTAssertFalse(ipBinding("10.10.1.1:25").overlaps(ipBinding("10.10.1.1:587")))
        XCTAssertFalse(ipBinding("0.0.0.0:25").overlaps(ipBinding("0.0.0.0:2525")))
        XCTAssertFalse(ipBinding("[::]:25").overlaps(ipBinding("[::]:26")))
    }

    func testWildcardOverlapsSpecificAddressOfItsFamily() {
        XCTAssertTrue(ipBinding("0.0.0.0:25").overlaps(ipBinding("10.10.1.1:25")))
        XCTAssertTrue(ipBinding("10.10.1.1:25").overlaps(ipBinding("0.0.0.0:25")))
        XCTAssertTrue(ipBinding("[::]:25").overlaps(ipBinding("[2001:db8::1]:25")))
        XCTAssertTrue(ipBinding("[2001:db8::1]:25").overlaps(ipBinding("[::]:")))
        XCTAssertTrue(ipBinding("0.0.0.0").overlaps(ipBinding("0.0.0.0:25")))
    }

    func testDifferentFamiliesNeverOverlap() {
        XCTAssertFalse(ipBinding("0.0.0.0:25").overlaps(ipBinding("[::]:25")))
        XCTAssertFalse(ipBinding("[::]:25").overlaps(ipBinding("0.0.0.0:25")))
        XCTAssertFalse(ipBinding("0.0.0.0:25").overlaps(ipBinding("[2001:db8::1]:25")))
        XCTAssertFalse(ipBinding("[::]:25").overlaps(ipBinding("10.10.1.1:25")))
    }

    func testDifferentSpecificAddressesDoNotOverlap() {
        XCTAssertFalse(ipBinding("10.10.1.1:25").overlaps(ipBinding("10.10.1.2:25")))
        XCTAssertFalse(ipBinding("[2001:db8::1]:25").overlaps(ipBinding("[2001:db8::2]:25")))
    }

    func testOverlapIgnoresTheZone() {
        XCTAssertTrue(ipBinding("[fe80::1%1]:25").overlaps(ipBinding("[fe80::1%2]:25")))
    }

    // MARK: accepts

    func testIPv4WildcardAcceptsAnyIPv4LocalAddressOnItsPort() {
        let entry = ipBinding("0.0.0.0:25")
        XCTAssertTrue(entry.accepts(localAddress: ip("10.10.1.1"), port: 25))
        XCTAssertTrue(entry.accepts(localAddress: ip("127.0.0.1"), port: 25))
        XCTAssertFalse(entry.accepts(localAddress: ip("10.10.1.1"), port: 26))
        XCTAssertFalse(entry.accepts(localAddress: ip("2001:db8::1"), port: 25))
        XCTAssertFalse(entry.accepts(localAddress: ip("::1"), port: 25))
    }

    func testIPv4WildcardAcceptsAV4MappedLocalAddress() {
        XCTAssertTrue(ipBinding("0.0.0.0:25").accepts(localAddress: ip("::ffff:10.10.1.1"), port: 25))
    }

    func testIPv6WildcardAcceptsOnlyRealIPv6() {
        let entry = ipBinding("[::]:25")
        XCTAssertTrue(entry.accepts(localAddress: ip("2001:db8::1"), port: 25))
        XCTAssertTrue(entry.accepts(localAddress: ip("::1"), port: 25))
        XCTAssertTrue(entry.accepts(localAddress: ip("fe80::1%eth0"), port: 25))
        XCTAssertFalse(entry.accepts(localAddress: ip("10.10.1.1"), port: 25))
        XCTAssertFalse(entry.accepts(localAddress: ip("::ffff:10.10.1.1"), port: 25), "counts as IPv4")
        XCTAssertFalse(entry.accepts(localAddress: ip("2001:db8::1"), port: 587))
    }

    func testSpecificIPv4AcceptsOnlyItsAddress() {
        let entry = ipBinding("10.10.1.1:25")
        XCTAssertTrue(entry.accepts(localAddress: ip("10.10.1.1"), port: 25))
        XCTAssertTrue(entry.accepts(localAddress: ip("::ffff:10.10.1.1"), port: 25))
        XCTAssertFalse(entry.accepts(localAddress: ip("10.10.1.2"), port: 25))
        XCTAssertFalse(entry.accepts(localAddress: ip("10.10.1.1"), port: 2525))
        XCTAssertFalse(entry.accepts(localAddress: ip("::a0a:101"), port: 25), "same value, IPv6")
    }

    func testSpecificIPv6AcceptsOnlyItsAddress() {
        let entry = ipBinding("[2001:db8::1]:25")
        XCTAssertTrue(entry.accepts(localAddress: ip("2001:db8::1"), port: 25))
        XCTAssertFalse(entry.accepts(localAddress: ip("2001:db8::2"), port: 25))
        XCTAssertFalse(entry.accepts(localAddress: ip("0.0.0.1"), port: 25))
        XCTAssertTrue(ipBinding("[fe80::1%eth0]:25").accepts(localAddress: ip("fe80::1%eth1"), port: 25), "zone ignored")
    }

    func testAcceptsAgreesWithOverlapsForTheSameEndpoint() {
        // If two bindings both accept some connection, they overlap.
        let bindings = ["0.0.0.0:25", "10.10.1.1:25", "10.10.1.2:25", "[::]:25", "[2001:db8::1]:25", "0.0.0.0:587"]
            .map { ipBinding($0) }
        let locals = ["10.10.1.1", "10.10.1.2", "10.10.1.3", "::ffff:10.10.1.1", "2001:db8::1", "2001:db8::2"].map { ip($0) }
        for a in bindings {
            for b in bindings {
                let shareAConnection = locals.contains { local in
                    [25, 587].contains { a.accepts(localAddress: local, port: $0) && b.accepts(localAddress: local, port: $0) }
                }
                if shareAConnection { XCTAssertTrue(a.overlaps(b), "\(a) and \(b)") }
            }
        }
    }
}
