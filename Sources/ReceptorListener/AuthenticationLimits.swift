import Foundation
import NIOConcurrencyHelpers

/// What AUTH may cost the listener, across sessions. A password check is a slow hash on purpose (PBKDF2,
/// ~0.1 s of a core), so AUTH is the cheapest way to make a server burn CPU; MaxLogonFailures bounds one
/// session, not a client that opens many.
///
/// - At most `maximumConcurrentChecks` password checks run at once; an AUTH beyond that gets
///   `454 4.7.0 Temporary authentication failure` at once, without a check.
/// - A source address with `failuresPerSource` failed logons within `failureWindow` (over any number of
///   sessions) gets the same 454 for every AUTH, without a check, until its failures age out of the window.
public final class AuthenticationLimits: Sendable {
    public let maximumConcurrentChecks: Int
    public let failuresPerSource: Int
    public let failureWindow: TimeInterval
    /// Sources remembered at most (the oldest are forgotten first past this: memory stays bounded whatever
    /// the number of sources).
    static let rememberedSources = 50_000

    private struct State {
        var running = 0
        /// Each source's failure times within the window, oldest first (at most `failuresPerSource`).
        var failures: [String: [Date]] = [:]
    }
    private let state = NIOLockedValueBox(State())

    public init(
        maximumConcurrentChecks: Int = max(4, 2 * ProcessInfo.processInfo.activeProcessorCount),
        failuresPerSource: Int = 10, failureWindow: TimeInterval = 600
    ) {
        self.maximumConcurrentChecks = maximumConcurrentChecks
        self.failuresPerSource = failuresPerSource
        self.failureWindow = failureWindow
    }

    public enum Admission: Equatable, Sendable {
        case admitted
        /// Too many checks running: try again shortly.
        case busy
        /// This source failed too often lately.
        case sourceBlocked
    }

    /// Whether a password check for `source` may start now; `.admitted` must be followed by `finish`.
    public func admit(source: String, now: Date = Date()) -> Admission {
        state.withLockedValue { s in
            if let times = s.failures[source] {
                let recent = times.filter { now.timeIntervalSince($0) < failureWindow }
                s.failures[source] = recent.isEmpty ? nil : recent
                if recent.count >= failuresPerSource { return .sourceBlocked }
            }
            guard s.running < maximumConcurrentChecks else { return .busy }
            s.running += 1
            return .admitted
        }
    }

    /// A check admitted for `source` is over; `failed` when the name or password was wrong.
    public func finish(source: String, failed: Bool, now: Date = Date()) {
        state.withLockedValue { s in
            s.running = max(0, s.running - 1)
            guard failed else { return }
            var times = (s.failures[source] ?? []).filter { now.timeIntervalSince($0) < failureWindow }
            times.append(now)
            if times.count > failuresPerSource { times.removeFirst(times.count - failuresPerSource) }
            if s.failures[source] == nil && s.failures.count >= Self.rememberedSources {
                // Forget the sources whose newest failure is oldest: a flood of sources can't grow this forever.
                let keep = s.failures.sorted { ($0.value.last ?? .distantPast) > ($1.value.last ?? .distantPast) }
                    .prefix(Self.rememberedSources / 2)
                s.failures = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
            s.failures[source] = times
        }
    }

    /// Checks running now (for tests and status).
    public var running: Int { state.withLockedValue { $0.running } }
}
