import XCTest
@testable import ReceptorCore

// Assertion helpers shared by the address, range and binding tests. Each checks the complete
// one-line message, because that exact text is what an administrator will see.

func assertAddressParseError(
    _ text: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let parsed = try IPAddress(parsing: text)
        XCTFail("\"\(text)\" unexpectedly parsed as \(parsed)", file: file, line: line)
    } catch {
        XCTAssertEqual(error.description, "\"\(text)\" is not a valid IP address: \(reason)", file: file, line: line)
        XCTAssertEqual(error.subject, .address, file: file, line: line)
        XCTAssertEqual(error.input, text, file: file, line: line)
    }
}

func assertRangeParseError(
    _ text: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let parsed = try IPRange(parsing: text)
        XCTFail("\"\(text)\" unexpectedly parsed as \(parsed)", file: file, line: line)
    } catch {
        XCTAssertEqual(error.description, "\"\(text)\" is not a valid IP range: \(reason)", file: file, line: line)
        XCTAssertEqual(error.subject, .range, file: file, line: line)
    }
}

func assertBindingParseError(
    _ text: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let parsed = try IPBinding(parsing: text)
        XCTFail("\"\(text)\" unexpectedly parsed as \(parsed)", file: file, line: line)
    } catch {
        XCTAssertEqual(error.description, "\"\(text)\" is not a valid binding: \(reason)", file: file, line: line)
        XCTAssertEqual(error.subject, .binding, file: file, line: line)
    }
}

/// Parses text that the test expects to be valid; a parse failure fails the test with the message.
func ip(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> IPAddress {
    do {
        return try IPAddress(parsing: text)
    } catch {
        XCTFail("unexpected error: \(error)", file: file, line: line)
        return .anyV4
    }
}

func ipRange(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> IPRange {
    do {
        return try IPRange(parsing: text)
    } catch {
        XCTFail("unexpected error: \(error)", file: file, line: line)
        return .allIPv4
    }
}

func ipBinding(_ text: String, defaultPort: Int = 25, file: StaticString = #filePath, line: UInt = #line) -> IPBinding {
    do {
        return try IPBinding(parsing: text, defaultPort: defaultPort)
    } catch {
        XCTFail("unexpected error: \(error)", file: file, line: line)
        return IPBinding(address: .anyV4, port: 0)
    }
}

/// SplitMix64: a tiny deterministic generator, so the property tests see the same inputs on
/// every run and a failure can be reproduced from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
