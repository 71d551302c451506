import Foundation
import ReceptorControl
import ReceptorControlLink

/// A connector usage answer and where it came from ("the listener for MBX01", "the usage files in …").
public struct UsageReading: Sendable {
    public var answer: UsageAnswer
    public var source: String
    public init(answer: UsageAnswer, source: String) { self.answer = answer; self.source = source }
}

/// Where the console reads connector usage: the running listener over its control protocol (its Unix socket
/// here, its TCP endpoint on another host), else the usage files the listeners wrote in the data directory.
/// Tests give a fake.
public protocol UsageSource: AnyObject, Sendable {
    /// Usage over the last `days` days of one connector (its GUID), or of every connector when nil;
    /// `control` reaches the server's running listener, if any.
    func usage(connector: UUID?, days: Int, control: ControlTarget?) -> UsageReading
}

/// The real source: asks the listener (one request line, one answer line, at most `timeout`), and reads
/// the files itself when no listener answers.
public final class ListenerUsageSource: UsageSource, @unchecked Sendable {
    let dataDirectory: String
    let timeout: TimeInterval

    public init(dataDirectory: String, timeout: TimeInterval = 0.5) {
        self.dataDirectory = dataDirectory; self.timeout = timeout
    }

    public func usage(connector: UUID?, days: Int, control: ControlTarget?) -> UsageReading {
        let request = UsageRequest(connector: connector?.uuidString.lowercased(), days: days)
        if let control, let answer = ControlClient.usage(control, request: request, timeout: timeout) {
            return UsageReading(answer: answer, source: "the listener (\(control))")
        }
        let rows = ConnectorUsage.read(dataDirectory: dataDirectory, days: request.clampedDays)
        return UsageReading(
            answer: UsageAnswer(request: request, rows: rows), source: "the usage files in \(ConnectorUsage.folder(dataDirectory: dataDirectory))")
    }
}

/// Every connector's usage in brief for the details pane, read on a background thread at most every
/// `lifetime` (a read may take a socket round trip or a month of files: never on a keystroke); the interface
/// takes whatever the last read found.
final class UsageBriefs: @unchecked Sendable {
    static let lifetime: TimeInterval = 30
    private let lock = NSLock()
    private var briefs: [String: ConnectorUsageBrief]?
    private var server: String?
    private var readAt: Date?
    private var reading = false
    private(set) var days = ConnectorUsage.defaultRetentionDays

    /// The brief of a connector; nil while nothing was read yet for its server (the pane then says nothing).
    func brief(_ guid: UUID, server name: String) -> ConnectorUsageBrief?? {
        lock.withLock {
            guard server == name, let briefs else { return nil }
            return .some(briefs[guid.uuidString.lowercased()])
        }
    }

    /// Makes the next `refreshIfStale` read again (the usage view was just read: the brief should agree).
    func invalidate() { lock.withLock { readAt = nil } }

    /// Starts a read when the last one is older than `lifetime` (or was for another server) and none runs.
    func refreshIfStale(source: UsageSource, server name: String, control: ControlTarget?, now: Date) {
        let start = lock.withLock { () -> Bool in
            guard !reading else { return false }
            if server == name, let readAt, now.timeIntervalSince(readAt) < Self.lifetime { return false }
            reading = true
            return true
        }
        guard start else { return }
        let days = self.days
        let thread = Thread { [self] in
            let answer = source.usage(connector: nil, days: days, control: control).answer
            var found: [String: ConnectorUsageBrief] = [:]
            for brief in answer.briefs ?? [] { found[brief.connectorGUID] = brief }
            lock.withLock {
                briefs = found; server = name; readAt = now; reading = false
            }
        }
        thread.name = "usage briefs"
        thread.start()
    }
}
