import XCTest
import Foundation
import CChecksum
@testable import ReceptorListener

/// The seal on a scratch file: what recovery trusts to tell a whole message from one a crash cut short.
final class ScratchSealTests: XCTestCase {
    func testCRC32CKnownValuesAndBothWaysAgree() {
        let check = Array("123456789".utf8)
        XCTAssertEqual(receptor_crc32c(0, check, check.count), 0xE306_9283, "the CRC-32C check value")
        XCTAssertEqual(receptor_crc32c_portable(0, check, check.count), 0xE306_9283)
        XCTAssertEqual(receptor_crc32c(0, [UInt8](), 0), 0)
        // Chaining over parts equals one pass; the instruction and the table agree at every length and offset.
        var generator = SystemRandomNumberGenerator()
        for length in [1, 7, 8, 9, 63, 64, 65, 1000, 4097] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let whole = receptor_crc32c(0, bytes, bytes.count)
            XCTAssertEqual(receptor_crc32c_portable(0, bytes, bytes.count), whole, "length \(length)")
            let cut = length / 3
            let chained = bytes[cut...].withUnsafeBytes { receptor_crc32c(receptor_crc32c(0, bytes, cut), $0.baseAddress, $0.count) }
            XCTAssertEqual(chained, whole, "length \(length) in two parts")
        }
    }

    func testNamesRoundTripAndOtherNamesAreNotSeals() {
        let seal = ScratchSeal(finalName: "1800000000.M5P42Qabc.mbx01.contoso.test", parts: [Array("Subject: x\r\n".utf8), Array("\r\nhi\r\n".utf8)])
        XCTAssertEqual(seal.size, 18)
        XCTAssertEqual(seal.checksum, receptor_crc32c(0, Array("Subject: x\r\n\r\nhi\r\n".utf8), 18), "parts are sealed as one file")
        XCTAssertTrue(seal.scratchName.hasPrefix("1800000000.M5P42Qabc.mbx01.contoso.test,RS=18,RC="))
        XCTAssertEqual(ScratchSeal(scratchName: seal.scratchName), seal)
        let small = ScratchSeal(finalName: "a.eml", size: 3, checksum: 0xAB)
        XCTAssertTrue(small.scratchName.hasSuffix(",RC=000000ab"), "eight hex digits: \(small.scratchName)")
        XCTAssertEqual(ScratchSeal(scratchName: small.scratchName), small)
        for other in [
            "1800000000.M5P42Q.host", "x,RS=12", "x,RC=0000000a", "x,RS=,RC=0000000a", "x,RS=1a,RC=0000000a",
            "x,RS=12,RC=000000zz", "x,RS=12,RC=0000000", ",RS=12,RC=0000000a", "x,RC=0000000a,RS=12",
        ] {
            XCTAssertNil(ScratchSeal(scratchName: other), other)
        }
    }

    func testOnlyTheWholeFileMatches() throws {
        let path = NSTemporaryDirectory() + "receptor-seal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = Array("Subject: sealed\r\n\r\nbody\r\n".utf8)
        let seal = ScratchSeal(finalName: "m", parts: [text])
        try Data(text).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(seal.matches(fileAt: path))
        try Data(text.prefix(10)).write(to: URL(fileURLWithPath: path))
        XCTAssertFalse(seal.matches(fileAt: path), "cut short")
        var zeroed = text
        for i in 12..<text.count { zeroed[i] = 0 }
        try Data(zeroed).write(to: URL(fileURLWithPath: path))
        XCTAssertFalse(seal.matches(fileAt: path), "the right size, blocks never written (zeros after a crash)")
        XCTAssertFalse(seal.matches(fileAt: path + ".missing"))
    }
}
