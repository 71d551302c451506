import Foundation
import ReceptorControl
import ReceptorControlLink

/// One running listener the monitor follows: its server and how to reach it (its control socket on this host,
/// its TCP control endpoint elsewhere; from the store's listener registrations).
public struct MonitorEndpoint: Hashable, Sendable {
    public var server: String
    public var target: ControlTarget
    public init(server: String, target: ControlTarget) { self.server = server; self.target = target }
}

/// What the feed hands the monitor, in order, per listener.
public enum MonitorUpdate: Sendable {
    /// Connected to the listener's socket; its snapshot follows as the first `.line`.
    case attached(server: String)
    case line(server: String, ControlLine)
    /// The connection ended (the listener stopped or restarted) or could not be made; the feed retries.
    case detached(server: String, reason: String)
}

/// The monitor's source of updates. The real one reads the control sockets on background threads; it
/// never blocks the caller. Tests feed updates by hand.
public protocol MonitorFeed: AnyObject {
    /// The listeners to follow now; others are let go.
    func follow(_ endpoints: [MonitorEndpoint])
    /// Everything that arrived since the last call, oldest first. Never blocks.
    func drain() -> [MonitorUpdate]
}
