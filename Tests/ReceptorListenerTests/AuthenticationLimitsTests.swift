import Foundation
import XCTest
@testable import ReceptorListener

final class AuthenticationLimitsTests: XCTestCase {
    func testConcurrentChecksAreBounded() {
        let limits = AuthenticationLimits(maximumConcurrentChecks: 2, failuresPerSource: 10, failureWindow: 600)
        XCTAssertEqual(limits.admit(source: "a"), .admitted)
        XCTAssertEqual(limits.admit(source: "b"), .admitted)
        XCTAssertEqual(limits.admit(source: "c"), .busy)
        limits.finish(source: "a", failed: false)
        XCTAssertEqual(limits.admit(source: "c"), .admitted)
        XCTAssertEqual(limits.running, 2)
    }

    func testASourceWithTooManyFailuresIsRefusedUntilTheyAgeOut() {
        let limits = AuthenticationLimits(maximumConcurrentChecks: 4, failuresPerSource: 3, failureWindow: 60)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<3 {
            XCTAssertEqual(limits.admit(source: "203.0.113.7", now: t0 + Double(i)), .admitted)
            limits.finish(source: "203.0.113.7", failed: true, now: t0 + Double(i))
        }
        XCTAssertEqual(limits.admit(source: "203.0.113.7", now: t0 + 10), .sourceBlocked)
        XCTAssertEqual(limits.admit(source: "203.0.113.8", now: t0 + 10), .admitted, "another source is not affected")
        limits.finish(source: "203.0.113.8", failed: false, now: t0 + 10)
        // The first failure leaves the window: two remain, under the limit.
        XCTAssertEqual(limits.admit(source: "203.0.113.7", now: t0 + 60.5), .admitted)
        XCTAssertEqual(limits.running, 1)
    }
}
