import XCTest
import Foundation
@testable import ReceptorListener

/// The writer's and the syncer's waits: a signal wakes only the party it names, a deadline ends a wait.
final class WaitPairTests: XCTestCase {
    func testADeadlineEndsAWaitWithoutASignal() {
        let pair = WaitPair()
        pair.lock()
        let started = Date()
        XCTAssertFalse(pair.wait(.first, until: .after(0.05)), "no signal came: the wait timed out")
        pair.unlock()
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.04)
    }

    func testASignalWakesOnlyItsParty() {
        let pair = WaitPair()
        final class Flags: @unchecked Sendable { var ready = [false, false]; var woken = [false, false] }
        let flags = Flags()
        let done = DispatchGroup()
        for party in [WaitPair.Party.first, .second] {
            done.enter()
            Thread {
                pair.lock()
                flags.ready[party.rawValue] = true
                // Waits for its flag, as GroupCommit's threads wait for their predicate (spurious wake-ups allowed).
                let deadline = WaitPair.Deadline.after(party == .first ? 5 : 0.3)
                while !flags.woken[party.rawValue] {
                    if !pair.wait(party, until: deadline) { break }
                }
                pair.unlock()
                done.leave()
            }.start()
        }
        // Both wait; then only the first is told.
        while true {
            pair.lock(); let ready = flags.ready == [true, true]; pair.unlock()
            if ready { break }
            usleep(1_000)
        }
        let told = Date()
        pair.lock(); flags.woken[0] = true; pair.unlock()
        pair.signal(.first)
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertLessThan(Date().timeIntervalSince(told), 4, "the first party woke at the signal, not at its 5 s deadline")
        pair.lock()
        XCTAssertEqual(flags.woken, [true, false], "the second party's wait ended by its deadline, unwoken")
        pair.unlock()
    }
}
