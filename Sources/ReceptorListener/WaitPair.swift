import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// One mutex with two condition variables, one per waiting party. `GroupCommit`'s writer and syncer share
/// their state under one lock but wait for different things; with a single condition every message woke both
/// (each then found nothing to do and slept again: a futex call and two context switches per message).
final class WaitPair: @unchecked Sendable {
    enum Party: Int { case first = 0, second = 1 }

    // Heap-allocated: pthread objects must not move, and a Swift stored property may.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let conditions = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 2)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // Deadlines on the monotonic clock: a wall-clock step must not stretch or cut a wait.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        for i in 0..<2 { pthread_cond_init(conditions + i, &attributes) }
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        for i in 0..<2 { pthread_cond_destroy(conditions + i) }
        pthread_mutex_destroy(mutex)
        conditions.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Wakes `party` if it waits (no system call when nobody does). Call it after `unlock`, so that the woken
    /// thread does not find the mutex still held.
    func signal(_ party: Party) { pthread_cond_signal(conditions + party.rawValue) }

    /// With the mutex held: waits for a signal to `party` or for `deadline` (false when the deadline passed).
    /// Spurious wake-ups happen: callers re-check their condition.
    func wait(_ party: Party, until deadline: Deadline) -> Bool {
        var time = deadline.time
        return pthread_cond_timedwait(conditions + party.rawValue, mutex, &time) != ETIMEDOUT
    }

    /// A moment on the monotonic clock.
    struct Deadline {
        fileprivate let time: timespec

        static func after(_ seconds: TimeInterval) -> Deadline {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let nanoseconds = Int(now.tv_nsec) + Int(seconds.truncatingRemainder(dividingBy: 1) * 1e9)
            return Deadline(
                time: timespec(
                    tv_sec: now.tv_sec + Int(seconds) + nanoseconds / 1_000_000_000,
                    tv_nsec: nanoseconds % 1_000_000_000))
        }
    }
}
