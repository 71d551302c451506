import XCTest
import ReceptorCore

/// ByteSize, EnhancedTimeSpan, Unlimited and NamedEnum (reference §3 type notes, §3d).
final class ByteSizeTests: XCTestCase {
    func testParsesCompactUnit() throws {
        XCTAssertEqual(try ByteSize(parsing: "36MB").bytes, 37_748_736)
        XCTAssertEqual(try ByteSize(parsing: "256KB").bytes, 262_144)
        XCTAssertEqual(try ByteSize(parsing: "2GB").bytes, 2_147_483_648)
        XCTAssertEqual(try ByteSize(parsing: "1TB").bytes, 1_099_511_627_776)
        XCTAssertEqual(try ByteSize(parsing: "100B").bytes, 100)
    }

    func testParsesUnitWithSpaceAndAnyCase() throws {
        XCTAssertEqual(try ByteSize(parsing: "36 MB").bytes, 37_748_736)
        XCTAssertEqual(try ByteSize(parsing: "36mb").bytes, 37_748_736)
        XCTAssertEqual(try ByteSize(parsing: "  64 Kb ").bytes, 65_536)
    }

    func testBareNumberIsBytes() throws {
        XCTAssertEqual(try ByteSize(parsing: "65536").bytes, 65_536)
        XCTAssertEqual(try ByteSize(parsing: "0").bytes, 0)
    }

    func testParsesFraction() throws {
        XCTAssertEqual(try ByteSize(parsing: "1.5GB").bytes, 1_610_612_736)
        XCTAssertEqual(try ByteSize(parsing: "0.5KB").bytes, 512)
    }

    func testParsesExchangeDisplayForm() throws {
        XCTAssertEqual(try ByteSize(parsing: "36 MB (37,748,736 bytes)").bytes, 37_748_736)
        XCTAssertEqual(try ByteSize(parsing: "256 KB (262,144 bytes)").bytes, 262_144)
        // The exact count in parentheses wins over the rounded figure.
        XCTAssertEqual(try ByteSize(parsing: "9.537 MB (10,000,000 bytes)").bytes, 10_000_000)
    }

    func testRefusesBadInputWithMessage() {
        let notASize = "is not a size: write a number of bytes or a number with KB, MB, GB or TB, as in 36MB."
        XCTAssertEqual(assertValueError(try ByteSize(parsing: "abc"))?.message, "\"abc\" \(notASize)")
        XCTAssertEqual(assertValueError(try ByteSize(parsing: ""))?.message, "\"\" \(notASize)")
        XCTAssertEqual(assertValueError(try ByteSize(parsing: "MB"))?.message, "\"MB\" \(notASize)")
        XCTAssertEqual(assertValueError(try ByteSize(parsing: "36XB"))?.message, "\"36XB\" \(notASize)")
        XCTAssertEqual(assertValueError(try ByteSize(parsing: "1e3MB"))?.message, "\"1e3MB\" \(notASize)")
        // A fraction of a byte is not a size.
        XCTAssertEqual(assertValueError(try ByteSize(parsing: "1.5"))?.message, "\"1.5\" \(notASize)")
        XCTAssertEqual(assertValueError(try ByteSize(parsing: "-1MB"))?.message, "\"-1MB\" is not a size: it is negative.")
        XCTAssertEqual(assertValueError(try ByteSize(parsing: "99999999999TB"))?.message, "\"99999999999TB\" is too large.")
    }

    func testExchangeDisplay() {
        XCTAssertEqual(ByteSize.megabytes(36).description, "36 MB (37,748,736 bytes)")
        XCTAssertEqual(ByteSize.kilobytes(256).description, "256 KB (262,144 bytes)")
        XCTAssertEqual(ByteSize(bytes: 65_536).description, "64 KB (65,536 bytes)")
        XCTAssertEqual(ByteSize(bytes: 10_000_000).description, "9.537 MB (10,000,000 bytes)")
        XCTAssertEqual(ByteSize(bytes: 1_610_612_736).description, "1.5 GB (1,610,612,736 bytes)")
        XCTAssertEqual(ByteSize(bytes: 2_147_483_647).description, "2 GB (2,147,483,647 bytes)")
        XCTAssertEqual(ByteSize(bytes: 1000).description, "1000 B (1,000 bytes)")
        XCTAssertEqual(ByteSize(bytes: 0).description, "0 B (0 bytes)")
    }

    func testShortTextRoundTrips() throws {
        XCTAssertEqual(ByteSize.megabytes(36).shortText, "36MB")
        XCTAssertEqual(ByteSize(bytes: 65_536).shortText, "64KB")
        XCTAssertEqual(ByteSize(bytes: 1000).shortText, "1000")
        for bytes: Int64 in [0, 1, 1000, 65_536, 37_748_736, 10_000_000, 1_610_612_736, 2_147_483_647] {
            let size = ByteSize(bytes: bytes)
            XCTAssertEqual(try ByteSize(parsing: size.shortText), size, "shortText \(size.shortText)")
            XCTAssertEqual(try ByteSize(parsing: size.description), size, "description \(size.description)")
        }
    }

    func testOrdering() {
        XCTAssertLessThan(ByteSize.kilobytes(256), ByteSize.megabytes(36))
    }
}

final class EnhancedTimeSpanTests: XCTestCase {
    func testParsesClock() throws {
        XCTAssertEqual(try EnhancedTimeSpan(parsing: "00:10:00").seconds, 600)
        XCTAssertEqual(try EnhancedTimeSpan(parsing: "00:00:05").seconds, 5)
        XCTAssertEqual(try EnhancedTimeSpan(parsing: "23:59:59").seconds, 86_399)
        XCTAssertEqual(try EnhancedTimeSpan(parsing: " 00:05:00 ").seconds, 300)
    }

    func testParsesDays() throws {
        XCTAssertEqual(try EnhancedTimeSpan(parsing: "1.00:00:00").seconds, 86_400)
        XCTAssertEqual(try EnhancedTimeSpan(parsing: "2.03:04:05").seconds, 2 * 86_400 + 3 * 3600 + 4 * 60 + 5)
        XCTAssertEqual(try EnhancedTimeSpan(parsing: "10675199.23:59:59").seconds, 10_675_199 * 86_400 + 86_399)
    }

    /// Found by FuzzAddresses: a count of days whose seconds overflow trapped; past TimeSpan's limit is refused.
    func testRefusesMoreDaysThanATimeSpanHolds() {
        for text in ["10675200.00:00:00", "00222222222224444404.010:00:0", "9223372036854775807.00:00:00"] {
            XCTAssertThrowsError(try EnhancedTimeSpan(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains("at most 10675199 days"), "\(text): \(error)")
            }
        }
    }

    func testDisplay() {
        XCTAssertEqual(EnhancedTimeSpan.minutes(10).description, "00:10:00")
        XCTAssertEqual(EnhancedTimeSpan(seconds: 5).description, "00:00:05")
        XCTAssertEqual(EnhancedTimeSpan(seconds: 86_400).description, "1.00:00:00")
        XCTAssertEqual(EnhancedTimeSpan(seconds: 2 * 86_400 + 3 * 3600 + 4 * 60 + 5).description, "2.03:04:05")
        XCTAssertEqual(EnhancedTimeSpan.zero.description, "00:00:00")
    }

    func testRefusesBadForms() {
        let bad = "is not a time span: write hh:mm:ss or d.hh:mm:ss, as in 00:10:00."
        for text in ["10", "00:10", "abc", "", "00:10:00:00", "-1.00:00:00", "00:0a:00", "00::00", "1.2.00:00:00", "00:00:05.5"] {
            XCTAssertEqual(assertValueError(try EnhancedTimeSpan(parsing: text), text)?.message, "\"\(text)\" \(bad)", text)
        }
        let outOfClock = "is not a time span: hours must be below 24, minutes and seconds below 60."
        for text in ["24:00:00", "00:60:00", "00:00:60"] {
            XCTAssertEqual(assertValueError(try EnhancedTimeSpan(parsing: text), text)?.message, "\"\(text)\" \(outOfClock)", text)
        }
    }
}

final class UnlimitedTests: XCTestCase {
    func testParses() throws {
        XCTAssertEqual(try Unlimited(parsing: "unlimited"), .unlimited)
        XCTAssertEqual(try Unlimited(parsing: "Unlimited"), .unlimited)
        XCTAssertEqual(try Unlimited(parsing: "UNLIMITED"), .unlimited)
        XCTAssertEqual(try Unlimited(parsing: "5000"), .limited(5000))
        XCTAssertEqual(try Unlimited(parsing: " 20 "), .limited(20))
    }

    func testDisplayAndLimit() {
        XCTAssertEqual(Unlimited.unlimited.description, "Unlimited")
        XCTAssertEqual(Unlimited.limited(600).description, "600")
        XCTAssertNil(Unlimited.unlimited.limit)
        XCTAssertEqual(Unlimited.limited(600).limit, 600)
    }

    func testRefusesBadInput() {
        XCTAssertEqual(assertValueError(try Unlimited(parsing: "lots"))?.message, "\"lots\" is not a number or 'unlimited'.")
        XCTAssertEqual(assertValueError(try Unlimited(parsing: ""))?.message, "\"\" is not a number or 'unlimited'.")
    }
}

final class NamedEnumTests: XCTestCase {
    func testCaseInsensitive() throws {
        XCTAssertEqual(try ProtocolLoggingLevel(parsing: "verbose"), .verbose)
        XCTAssertEqual(try ProtocolLoggingLevel(parsing: "NONE"), ProtocolLoggingLevel.none)
        XCTAssertEqual(try SizeMode(parsing: "enabledwithoutvalue"), .enabledWithoutValue)
        XCTAssertEqual(try MessageRateSource(parsing: "ipaddress"), .ipAddress)
        XCTAssertEqual(try ExtendedProtectionPolicy(parsing: "Require"), .require)
        XCTAssertEqual(try ConnectorUsage(parsing: "internet"), .internet)
        XCTAssertEqual(try ServerRole(parsing: " Edge "), .edge)
    }

    func testErrorListsValidValues() {
        XCTAssertEqual(
            assertValueError(try ProtocolLoggingLevel(parsing: "Loud"))?.message,
            "\"Loud\" is not a valid ProtocolLoggingLevel. Valid values: None, Verbose.")
        XCTAssertEqual(
            assertValueError(try MessageRateSource(parsing: "Host"))?.message,
            "\"Host\" is not a valid MessageRateSourceFlags. Valid values: None, User, IPAddress, All.")
        XCTAssertEqual(
            assertValueError(try SizeMode(parsing: "On"))?.message,
            "\"On\" is not a valid SizeMode. Valid values: Enabled, Disabled, EnabledWithoutValue.")
        XCTAssertEqual(
            assertValueError(try ConnectorUsage(parsing: "Relay"))?.message,
            "\"Relay\" is not a valid UsageType. Valid values: Custom, Partner, Client, Internal, Internet.")
    }

    func testDescriptionIsRawValue() {
        XCTAssertEqual(MessageRateSource.ipAddress.description, "IPAddress")
        XCTAssertEqual(SizeMode.enabledWithoutValue.description, "EnabledWithoutValue")
    }

    func testTransportRoleAcceptsFrontendShorthand() throws {
        // The article writes `-TransportRole Frontend`.
        XCTAssertEqual(try TransportRole(parsing: "Frontend"), .frontendTransport)
        XCTAssertEqual(try TransportRole(parsing: "frontend"), .frontendTransport)
        XCTAssertEqual(try TransportRole(parsing: "FrontendTransport"), .frontendTransport)
        XCTAssertEqual(try TransportRole(parsing: "HUBTRANSPORT"), .hubTransport)
        XCTAssertEqual(
            assertValueError(try TransportRole(parsing: "Mailbox"))?.message,
            "\"Mailbox\" is not a valid TransportRole. Valid values: FrontendTransport, HubTransport.")
    }

    /// Any code that parses a NamedEnum generically (a shell binder, a store decoder) must get the same answer
    /// as the concrete type: `Frontend` is a TransportRole however it is parsed.
    func testTransportRoleAcceptsFrontendThroughGenericNamedEnumParsing() throws {
        func parse<E: NamedEnum>(_ type: E.Type, _ text: String) throws -> E { try E(parsing: text) }
        XCTAssertEqual(try parse(TransportRole.self, "FrontendTransport"), .frontendTransport)
        XCTAssertEqual(
            try? parse(TransportRole.self, "Frontend"), .frontendTransport,
            "generic E(parsing:) dispatches to the NamedEnum extension, not TransportRole's own init(parsing:)")
    }

    func testTransportRoleServiceName() {
        XCTAssertEqual(TransportRole.frontendTransport.serviceName, "FrontEnd")
        XCTAssertEqual(TransportRole.hubTransport.serviceName, "Hub")
    }
}
