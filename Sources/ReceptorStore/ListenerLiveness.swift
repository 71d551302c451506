import Foundation

/// When a registered listener counts as running, and when a dead one is forgotten: the one definition that
/// `receptor status`, the console and the listeners themselves use.
///
/// A listener heartbeats every 5 seconds. One that missed three heartbeats is *not responding*; one that
/// stayed silent for `forgottenAfter` is taken for dead and its registration removed, and so is one
/// registered from this host whose process no longer exists (a listener killed with SIGKILL never
/// unregisters itself). Until then `receptor status` says when it will be forgotten. (A live listener
/// removed by mistake — one in another PID namespace with the same host name — registers again at its
/// next heartbeat.)
public enum ListenerLiveness {
    /// A heartbeat at most this old means the listener is running.
    public static let respondingWithin: TimeInterval = 15
    /// A listener silent for this long is forgotten, wherever it ran.
    public static let forgottenAfter: TimeInterval = 120

    public enum State: Equatable, Sendable {
        case running
        /// Silent for this many seconds; still listed.
        case notResponding(silentFor: TimeInterval)
        /// Dead: its registration can go.
        case dead
    }

    /// The state of a registration at `now`. `localHost` is this machine's host name; `processExists` tells
    /// whether a process id is alive here (only asked for registrations of this host).
    public static func state(
        of registration: ListenerRegistration, at now: Date, localHost: String,
        processExists: (Int32) -> Bool
    ) -> State {
        let silence = now.timeIntervalSince(registration.heartbeatAt)
        if silence >= forgottenAfter { return .dead }
        if registration.host == localHost && !processExists(registration.pid) { return .dead }
        return silence < respondingWithin ? .running : .notResponding(silentFor: silence)
    }

    /// Whether a process with this id exists on this machine (`kill(pid, 0)`: EPERM means it exists but
    /// belongs to someone else).
    public static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    public static var localHost: String { ProcessInfo.processInfo.hostName }

    /// A state in the words `receptor status` and the console's organization view use.
    public static func describe(_ state: State) -> String {
        switch state {
        case .running: "running"
        case .notResponding(let silence):
            "not responding (last heartbeat \(Int(silence)) s ago; forgotten \(Int(forgottenAfter)) s after it)"
        case .dead: "not responding (its process is gone)"
        }
    }
}

extension ConfigStore {
    /// The registered listeners with their state, after removing the registrations of dead listeners
    /// (`ListenerLiveness`). A removal that fails (a read-only store) leaves them listed as not responding.
    public func liveListeners(at now: Date = Date()) throws -> [(registration: ListenerRegistration, state: ListenerLiveness.State)] {
        var result: [(ListenerRegistration, ListenerLiveness.State)] = []
        for registration in try listeners() {
            let state = ListenerLiveness.state(
                of: registration, at: now, localHost: ListenerLiveness.localHost,
                processExists: ListenerLiveness.processExists)
            if state == .dead, (try? unregisterListener(id: registration.id)) != nil { continue }
            result.append((registration, state == .dead ? .notResponding(silentFor: now.timeIntervalSince(registration.heartbeatAt)) : state))
        }
        return result
    }
}
