import ArgumentParser
import Foundation
import ReceptorConsole
import ReceptorControl
import ReceptorControlLink
import ReceptorCore
import ReceptorStore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the listeners registered in this store and their state.",
        discussion: """
            Exit status, as `systemctl is-active` gives it: 0 when a listener is running (for --server, or \
            RECEPTOR_SERVER, that server's; otherwise any), 3 when none is, 1 when the store can't be read (then \
            the listeners on this host are asked through their control sockets and shown). A listener on another \
            host with a TCP control endpoint is asked for its snapshot there, to show whether a console here can attach. \
            A listener that misses three heartbeats (\(Int(ListenerLiveness.respondingWithin)) s) is not \
            responding; one silent for \(Int(ListenerLiveness.forgottenAfter)) s, or whose process on this host \
            is gone, is forgotten.
            """)

    /// What `receptor status` says first when a database store can't be read.
    static let otherHostsUnknown =
        "Listeners on other hosts can't be listed while the store can't be read; only this host's listeners are shown (from their control sockets)."

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
        /// The TCP control endpoint (`host:port`) and its certificate's SHA-256, when the listener has one.
        var controlEndpoint: String?
        var controlFingerprint: String?
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
            let store: any ConfigStore
            do { store = try options.openStore() } catch {
                // The store can't be read from here: what this host's listeners say for themselves, and that
                // those of other hosts (known only from their registrations in the store) can't be listed.
                if StoreLocation.isDatabaseURI(options.storePath) { print(Self.otherHostsUnknown) }
                printLocalListeners()
                throw error
            }
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
                            controlEndpoint: l.controlEndpoint, controlFingerprint: l.controlFingerprint,
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
            var secret: ControlSecret?
            for (l, state) in listeners {
                print(
                    "Listener \(l.id) for \(l.server): pid \(l.pid) on \(l.host), \(ListenerLiveness.describe(state)), control socket \(l.controlSocket)"
                )
                if let endpoint = l.controlEndpoint {
                    var line = "  control endpoint \(endpoint) (TLS only; certificate SHA-256 \(l.controlFingerprint ?? "?"))"
                    // From another host, whether a console here can attach: the same way the console goes.
                    if state == .running, let route = ControlEndpoint.route(to: l), case .remote = route {
                        if secret == nil { secret = try? store.controlSecret(create: false) }
                        line += ": " + Self.probe(ControlTarget(route, secret: secret))
                    }
                    print(line)
                }
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

    /// The listeners whose control sockets are in this host's data directory (for a PostgreSQL store without
    /// --server, every server's folder under it), each asked for its snapshot.
    func printLocalListeners() {
        let base = options.dataDirectory(server: options.serverName)
        var folders = [base]
        if options.explicitDataDirectory == nil, options.serverName == nil, StoreLocation.isDatabaseURI(options.storePath) {
            let children = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
            folders += children.sorted().map { "\(base)/\($0)" }
        }
        let sockets = folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
                .filter { $0.hasPrefix("listener-") && $0.hasSuffix(".sock") }.map { "\(folder)/\($0)" }
        }
        for path in sockets {
            guard let s = ControlClient.snapshot(.local(path)) else { continue }
            print("Listener for \(s.server) on this host: pid \(s.pid.map(String.init) ?? "?"), control socket \(path)")
            if let generation = s.generation { print("  config generation \(generation), \(s.sessions.count) live sessions") }
            if let since = s.storeUnreachableSince { print("  \(ListenerStatusReport.unreachableNote(since: since))") }
            for b in s.bindings ?? [] { print("  \(b.endpoint)  \(b.state)\(b.reason.map { ": \($0)" } ?? "")") }
        }
    }

    /// Whether a console here can attach to a listener on another host: its snapshot through the TCP endpoint
    /// (TLS to the registered certificate, the store's secret), within two seconds.
    static func probe(_ target: ControlTarget) -> String {
        do {
            let connection = try ControlClient.connect(target, timeout: 2)
            defer { connection.close() }
            connection.send(#"{"command":"snapshot"}"#)
            guard case .snapshot(let s)? = connection.readLine(until: Date().addingTimeInterval(2)).flatMap(ControlLine.decode) else {
                return "attached from here, but no snapshot came"
            }
            return "a console here can attach (generation \(s.generation.map(String.init) ?? "?"), \(s.sessions.count) live sessions)"
        } catch {
            return "a console here can't attach (\(error))"
        }
    }
}
