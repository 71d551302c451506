import ArgumentParser
import Foundation
import ReceptorControl
import ReceptorCore
import ReceptorStore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the listeners registered in this store and their state.",
        discussion: """
            Exit status, as `systemctl is-active` gives it: 0 when a listener is running (for --server, or \
            RECEPTOR_SERVER, that server's; otherwise any), 3 when none is, 1 when the store can't be read. \
            A listener that misses three heartbeats (\(Int(ListenerLiveness.respondingWithin)) s) is not \
            responding; one silent for \(Int(ListenerLiveness.forgottenAfter)) s, or whose process on this host \
            is gone, is forgotten.
            """)

    /// `systemctl is-active`'s status for a unit that is not active.
    static let notRunningExitCode: Int32 = 3

    @OptionGroup var options: StoreOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// One listener as `--json` prints it.
    struct ListenerJSON: Encodable {
        var id: String
        var server: String
        var pid: Int32
        var host: String
        var controlSocket: String
        var startedAt: Date
        var heartbeatAt: Date
        var responding: Bool
        var status: ListenerStatusReport?
    }

    struct StatusJSON: Encodable {
        var store: String
        var generation: Int64
        var listeners: [ListenerJSON]
    }

    func run() throws {
        var anyRunning = false
        try refusing {
            let store = try options.openStore()
            let generation = try store.generation()
            let server = options.serverName
            let listeners = try store.liveListeners().filter { entry in
                server.map { entry.registration.server.caseInsensitiveCompare($0) == .orderedSame } ?? true
            }
            anyRunning = listeners.contains { $0.state == .running }
            if json {
                let doc = StatusJSON(
                    store: store.path, generation: generation,
                    listeners: listeners.map { l, state in
                        ListenerJSON(
                            id: l.id, server: l.server, pid: l.pid, host: l.host, controlSocket: l.controlSocket,
                            startedAt: l.startedAt, heartbeatAt: l.heartbeatAt, responding: state == .running,
                            status: ListenerStatusReport(json: l.statusJSON))
                    })
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(doc), as: UTF8.self))
                return
            }
            print("Store \(store.path) (generation \(generation))")
            if listeners.isEmpty {
                print(server.map { "No listener is running for server \($0) in this store." } ?? "No listener is running for this store.")
                return
            }
            for (l, state) in listeners {
                print("Listener \(l.id) for \(l.server): pid \(l.pid) on \(l.host), \(Self.describe(state)), control socket \(l.controlSocket)")
                guard let status = ListenerStatusReport(json: l.statusJSON) else { continue }
                if let generation = status.generation { print("  config generation \(generation), \(status.sessions) live sessions") }
                if let error = status.configError { print("  last config refused: \(error)") }
                if let since = status.storeUnreachableSince { print("  \(ListenerStatusReport.unreachableNote(since: since))") }
                for b in status.bindings {
                    print("  \(b.endpoint)  \(b.state)\(b.reason.map { ": \($0)" } ?? "")")
                }
                if let delivery = status.delivery { print("  delivery: \(delivery.summary)") }
            }
        }
        if !anyRunning { throw ExitCode(Self.notRunningExitCode) }
    }

    static func describe(_ state: ListenerLiveness.State) -> String {
        switch state {
        case .running: "running"
        case .notResponding(let silence):
            "not responding (last heartbeat \(Int(silence)) s ago; forgotten \(Int(ListenerLiveness.forgottenAfter)) s after it)"
        case .dead: "not responding (its process is gone)"
        }
    }
}
