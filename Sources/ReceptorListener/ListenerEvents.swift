import Foundation
import NIOConcurrencyHelpers
import ReceptorControl

/// Fans events out to subscribers; a slow subscriber never blocks a session (its queue drops the oldest).
/// Keeps the last accepted messages, so a monitor opened later still lists them.
public final class ListenerEventBus: Sendable {
    private let subscribers = NIOLockedValueBox<[UUID: @Sendable (ListenerEvent) -> Void]>([:])
    private let counters = NIOLockedValueBox<[String: ConnectorCounters]>([:])
    private let recent = NIOLockedValueBox<[MessageSummary]>([])
    /// How many accepted messages the snapshot carries.
    public static let recentMessageLimit = 50

    public init() {}

    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (ListenerEvent) -> Void) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[id] = handler }
        return id
    }

    public func unsubscribe(_ id: UUID) {
        _ = subscribers.withLockedValue { $0.removeValue(forKey: id) }
    }

    /// Whether anyone listens: per-line transcript events are only built when a monitor is attached.
    public var hasSubscribers: Bool { subscribers.withLockedValue { !$0.isEmpty } }

    public func remember(_ message: MessageSummary) {
        recent.withLockedValue {
            $0.append(message)
            if $0.count > Self.recentMessageLimit { $0.removeFirst($0.count - Self.recentMessageLimit) }
        }
    }

    /// The last accepted messages, oldest first.
    public var recentMessages: [MessageSummary] { recent.withLockedValue { $0 } }

    /// The event is built only when someone subscribes (sessions publish several per message).
    public func publish(_ event: @autoclosure () -> ListenerEvent) {
        let handlers = subscribers.withLockedValue { $0.isEmpty ? [] : Array($0.values) }
        guard !handlers.isEmpty else { return }
        let built = event()
        for handler in handlers { handler(built) }
    }

    public func count(_ connector: String, _ change: (inout ConnectorCounters) -> Void) {
        counters.withLockedValue { change(&$0[connector, default: ConnectorCounters()]) }
    }

    public var allCounters: [String: ConnectorCounters] { counters.withLockedValue { $0 } }
}
