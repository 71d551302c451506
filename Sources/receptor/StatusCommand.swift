import ArgumentParser
import Foundation
import ReceptorControl
import ReceptorCore
import ReceptorStore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the listeners registered in this store and their state.")

    @OptionGroup var options: StoreOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// A listener whose last heartbeat is older than this is reported as not responding.
    static let staleAfter: TimeInterval = 15

    /// The delivery statistics of a listener's status (absent from a listener of an older version).
    static func delivery(in statusJSON: String) -> DeliveryStatistics? {
        struct Status: Decodable { var delivery: DeliveryStatistics? }
        return (try? JSONDecoder().decode(Status.self, from: Data(statusJSON.utf8)))?.delivery
    }

    func run() throws {
        try refusing {
            let store = try options.openStore()
            let listeners = try store.listeners()
            let now = Date()
            if json {
                let items: [[String: Any]] = listeners.map { l in
                    [
                        "id": l.id, "server": l.server, "pid": Int(l.pid), "host": l.host, "controlSocket": l.controlSocket,
                        "startedAt": ISO8601DateFormatter().string(from: l.startedAt),
                        "heartbeatAt": ISO8601DateFormatter().string(from: l.heartbeatAt),
                        "responding": now.timeIntervalSince(l.heartbeatAt) < Self.staleAfter,
                        "status": (try? JSONSerialization.jsonObject(with: Data(l.statusJSON.utf8))) ?? [:],
                    ]
                }
                let doc: [String: Any] = ["store": store.path, "generation": try store.generation(), "listeners": items]
                let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("Store \(store.path) (generation \(try store.generation()))")
            if listeners.isEmpty {
                print("No listener is running for this store.")
                return
            }
            for l in listeners {
                let age = Int(now.timeIntervalSince(l.heartbeatAt))
                let state = age < Int(Self.staleAfter) ? "running" : "not responding (last heartbeat \(age) s ago)"
                print("Listener \(l.id) for \(l.server): pid \(l.pid) on \(l.host), \(state), control socket \(l.controlSocket)")
                guard let status = try? JSONSerialization.jsonObject(with: Data(l.statusJSON.utf8)) as? [String: Any] else { continue }
                if let generation = status["generation"] { print("  config generation \(generation), \(status["sessions"] ?? 0) live sessions") }
                if let error = status["configError"] as? String { print("  last config refused: \(error)") }
                for b in status["bindings"] as? [[String: Any]] ?? [] {
                    let reason = (b["reason"] as? String).map { ": \($0)" } ?? ""
                    print("  \(b["endpoint"] ?? "?")  \(b["state"] ?? "?")\(reason)")
                }
                if let delivery = Self.delivery(in: l.statusJSON) { print("  delivery: \(delivery.summary)") }
            }
        }
    }
}
