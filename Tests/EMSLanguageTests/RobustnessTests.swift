import Foundation
import XCTest

@testable import EMSLanguage

/// Garbage in must give an error, never a hang or a crash: administrators type anything.
final class RobustnessTests: EMSTestCase {
    func testRandomInputTerminates() {
        let alphabet = Array("Get-Thing where fl $_ . , ; | ( ) { } @ ' \" ` # -eq -and ! 1 36MB a* [x] = \n\\:")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            // xorshift: deterministic, so a failure reproduces.
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(alphabet.count))
        }
        // EMS_FUZZ_ITERATIONS raises the count for a longer local run.
        let iterations = Int(ProcessInfo.processInfo.environment["EMS_FUZZ_ITERATIONS"] ?? "") ?? 3000
        for _ in 0..<iterations {
            let line = String((0..<(next() % 60)).map { _ in alphabet[next()] })
            _ = try? session.run(line)
        }
    }

    func testHostileValuesDoNotTrap() {
        for line in [
            "'ab' * 1e300", "9223372036854775807 + 1", "-9223372036854775807 - 2", "(-9223372036854775807 - 1) / -1",
            "(-9223372036854775807 - 1) % -1", "1,2 | select -First 1e300", "$x = 1,2; $x[1e300]", "'abc'.Substring(5)",
            "'a' -like '[z-a]'", "@{} + 1", "$null.Foo.Bar", "$null[0]", "ConvertTo-Json -Depth -1 @{}",
        ] {
            _ = try? session.run(line)
        }
        XCTAssertEqual(try value("9223372036854775807 + 1"), .double(9_223_372_036_854_775_808))
        XCTAssertEqual(try value("$null.Foo.Bar"), .null)
    }
}
