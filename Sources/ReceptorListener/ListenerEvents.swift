import Foundation
import NIOConcurrencyHelpers

/// What the listener tells its control-socket subscribers (product.md): sessions opening, changing state and
/// closing; messages accepted and rejected; config applied or rejected; bindings up or failed. Each event is
/// one JSON object; `type` says which.
public struct ListenerEvent: Sendable, Encodable {
    public var type: String
    public var time: Date
    public var session: LiveSession?
    public var connector: String?
    public var detail: String?

    public init(type: String, time: Date = Date(), session: LiveSession? = nil, connector: String? = nil, detail: String? = nil) {
        self.type = type; self.time = time; self.session = session; self.connector = connector; self.detail = detail
    }
}

/// A live session as the monitor shows it.
public struct LiveSession: Sendable, Encodable {
    public var id: String
    public var connector: String
    public var remote: String
    public var local: String
    public var state: String
    public var tls: String?
    public var authenticatedAs: String?
    public var messages: Int
    public var bytes: Int64
    public var startedAt: Date
    public var lastActivity: Date
}

/// Per-connector counters (issue 5 item 2), kept from the listener's start.
public struct ConnectorCounters: Sendable, Encodable {
    public var connectionsNow = 0
    public var connectionsTotal = 0
    public var messagesAccepted = 0
    public var messagesRejected = 0
    public var relayDenied = 0
    public var authFailures = 0
    public var tarpitted = 0
    public var bytes: Int64 = 0
}

/// Fans events out to subscribers; a slow subscriber never blocks a session (its queue drops the oldest).
public final class ListenerEventBus: Sendable {
    private let subscribers = NIOLockedValueBox<[UUID: @Sendable (ListenerEvent) -> Void]>([:])
    private let counters = NIOLockedValueBox<[String: ConnectorCounters]>([:])

    public init() {}

    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (ListenerEvent) -> Void) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[id] = handler }
        return id
    }

    public func unsubscribe(_ id: UUID) { _ = subscribers.withLockedValue { $0.removeValue(forKey: id) } }

    public func publish(_ event: ListenerEvent) {
        for handler in subscribers.withLockedValue({ Array($0.values) }) { handler(event) }
    }

    public func count(_ connector: String, _ change: (inout ConnectorCounters) -> Void) {
        counters.withLockedValue { change(&$0[connector, default: ConnectorCounters()]) }
    }

    public var allCounters: [String: ConnectorCounters] { counters.withLockedValue { $0 } }
}
