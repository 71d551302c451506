import Foundation

/// What a running listener publishes about itself in its store registration (with every heartbeat), for
/// `receptor status` and the console's connector list: the configuration in force, each socket's state, the
/// last configuration it refused, its live sessions and its durable delivery. One type, written by the
/// listener and read by every reader, so they can't drift apart.
///
/// Reading is lenient as on the control socket: what an older listener did not publish is optional.
public struct ListenerStatusReport: Codable, Hashable, Sendable {
    /// The store generation whose bindings are all in force.
    public var generation: Int64?
    public var bindings: [BindingStatus]
    /// Why the newest configuration was refused (the listener keeps the last good one).
    public var configError: String?
    /// Sessions open at the last heartbeat.
    public var sessions: Int
    /// Durable delivery since the listener started.
    public var delivery: DeliveryStatistics?
    /// Since when the listener has not reached its store (it keeps serving its last good configuration and
    /// retries); nil while it reaches it.
    public var storeUnreachableSince: Date?

    public init(
        generation: Int64?, bindings: [BindingStatus], configError: String? = nil, sessions: Int = 0,
        delivery: DeliveryStatistics? = nil, storeUnreachableSince: Date? = nil
    ) {
        self.generation = generation; self.bindings = bindings; self.configError = configError
        self.sessions = sessions; self.delivery = delivery; self.storeUnreachableSince = storeUnreachableSince
    }

    /// "store unreachable since 2026-12-06T15:20:00Z, retrying", for `receptor status` and the monitor.
    public static func unreachableNote(since: Date) -> String {
        "store unreachable since \(since.formatted(.iso8601)), retrying"
    }

    private enum CodingKeys: String, CodingKey { case generation, bindings, configError, sessions, delivery, storeUnreachableSince }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        generation = try c.decodeIfPresent(Int64.self, forKey: .generation)
        bindings = try c.decodeIfPresent([BindingStatus].self, forKey: .bindings) ?? []
        configError = try c.decodeIfPresent(String.self, forKey: .configError)
        sessions = try c.decodeIfPresent(Int.self, forKey: .sessions) ?? 0
        delivery = try c.decodeIfPresent(DeliveryStatistics.self, forKey: .delivery)
        storeUnreachableSince = try c.decodeIfPresent(Date.self, forKey: .storeUnreachableSince)
    }

    /// The JSON text stored in the registration (sorted keys: the same status gives the same text).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    /// The report in a registration's status text; nil when the text is not a report (a listener that has
    /// not published one yet stores `{}`, which reads as an empty report).
    public init?(json: String) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let report = try? decoder.decode(Self.self, from: Data(json.utf8)) else { return nil }
        self = report
    }
}
