import Foundation
import NIOConcurrencyHelpers
import ReceptorCore

/// Counts open connections per connector and per remote address, to enforce MaxInboundConnection,
/// MaxInboundConnectionPerSource and MaxInboundConnectionPercentagePerSource (reference §3d) across
/// sessions, and messages per minute for MessageRateLimit.
public final class ConnectionTracker: Sendable {
    struct Counts {
        var perConnector: [UUID: Int] = [:]
        var perSource: [UUID: [IPAddress: Int]] = [:]
        var messageTimes: [String: [Date]] = [:]
        /// When sources without a message in the last minute were last forgotten.
        var lastSweep = Date.distantPast
    }
    /// MessageRateLimit counts over this window (a minute, as Exchange's limit is per minute).
    static let rateWindow: TimeInterval = 60
    private let state = NIOLockedValueBox(Counts())

    public init() {}

    public enum Admission: Equatable, Sendable {
        case admitted
        case refused(reason: String)
    }

    /// Admits a connection to a connector from a source, or says why not. An admitted connection must be
    /// released with `release`.
    public func admit(connector c: ReceiveConnector, source: IPAddress) -> Admission {
        state.withLockedValue { s in
            let total = s.perConnector[c.guid, default: 0]
            let fromSource = s.perSource[c.guid]?[source] ?? 0
            if let max = c.maxInboundConnection.limit, total >= max {
                return .refused(reason: "MaxInboundConnection (\(max)) reached")
            }
            if let max = c.maxInboundConnectionPerSource.limit, fromSource >= max {
                return .refused(reason: "MaxInboundConnectionPerSource (\(max)) reached for \(source)")
            }
            if let max = c.maxInboundConnection.limit, c.maxInboundConnectionPercentagePerSource < 100 {
                // A source may hold its percentage of the connections still available to it.
                let available = max - (total - fromSource)
                let allowed = Swift.max(1, available * c.maxInboundConnectionPercentagePerSource / 100)
                if fromSource >= allowed {
                    return .refused(
                        reason: "MaxInboundConnectionPercentagePerSource (\(c.maxInboundConnectionPercentagePerSource)%) reached for \(source)")
                }
            }
            s.perConnector[c.guid] = total + 1
            s.perSource[c.guid, default: [:]][source] = fromSource + 1
            return .admitted
        }
    }

    public func release(connector guid: UUID, source: IPAddress) {
        state.withLockedValue { s in
            s.perConnector[guid] = Swift.max(0, s.perConnector[guid, default: 1] - 1)
            let n = (s.perSource[guid]?[source] ?? 1) - 1
            s.perSource[guid]?[source] = n > 0 ? n : nil
        }
    }

    public func openConnections(connector guid: UUID) -> Int {
        state.withLockedValue { $0.perConnector[guid, default: 0] }
    }

    /// Records a message from `source` and says whether it stays within `limit` messages per minute.
    public func recordMessage(source: String, limit: Unlimited, now: Date = Date()) -> Bool {
        guard let max = limit.limit else { return true }
        return state.withLockedValue { s in
            Self.forgetQuietSources(&s, now: now)
            var times = s.messageTimes[source, default: []].filter { now.timeIntervalSince($0) < Self.rateWindow }
            guard times.count < max else { s.messageTimes[source] = times; return false }
            times.append(now)
            s.messageTimes[source] = times
            return true
        }
    }

    /// Once a window: drops the sources whose messages are all older than the window. Without this every
    /// address (or account) that ever sent a message through a rate-limited connector stayed in memory.
    private static func forgetQuietSources(_ s: inout Counts, now: Date) {
        guard now.timeIntervalSince(s.lastSweep) >= rateWindow else { return }
        s.lastSweep = now
        s.messageTimes = s.messageTimes.filter { _, times in times.contains { now.timeIntervalSince($0) < rateWindow } }
    }

    /// The sources the message rate is kept for (for tests).
    var rateSourceCount: Int { state.withLockedValue { $0.messageTimes.count } }

    /// Whether a new message from `source` would exceed the limit (checked at MAIL, counted on acceptance).
    public func wouldExceedRate(source: String, limit: Unlimited, now: Date = Date()) -> Bool {
        guard let max = limit.limit else { return false }
        return state.withLockedValue { s in
            s.messageTimes[source, default: []].filter { now.timeIntervalSince($0) < Self.rateWindow }.count >= max
        }
    }
}
