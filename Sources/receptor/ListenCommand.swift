import ArgumentParser
import Foundation
import Logging
import ReceptorCore
import ReceptorListener
import ReceptorStore
import ReceptorStorePostgres

struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the SMTP listener for a server, in the foreground, until SIGTERM or SIGINT.",
        discussion: """
            Listens on the bindings of every enabled receive connector of the server and enforces each one. \
            Changes in the store apply within milliseconds without dropping sessions (a PostgreSQL store notifies \
            the listener; while it is unreachable the listener keeps its configuration and retries); SIGHUP forces \
            a reload. \
            SIGTERM stops accepting, lets sessions finish (up to 30 seconds) and exits. Logs go to standard error.
            """)

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    @Option(help: ArgumentHelp("Threads for blocking work (checking AUTH passwords against their slow hashes).", valueName: "n"))
    var ioThreads: Int = 8

    @Option(
        help: ArgumentHelp(
            """
            How accepted messages are made durable before the 250 after DATA: "filesystem" (syncfs once per \
            batch of concurrent messages; best when the data directory's file system is Receptor's alone) or \
            "file" (fsync of each file and folder of the batch).
            """, valueName: "mode"))
    var sync: GroupCommit.Mode = .fileSystem

    @Option(
        help: ArgumentHelp(
            """
            Days of connector usage to keep in usage/ in the data directory (who sent through each connector: Get-ReceiveConnectorUsage); 0 records none.
            """, valueName: "days"))
    var usageDays: Int = 30

    @Option(
        help: ArgumentHelp(
            """
            Also serve the control protocol (the console's monitor, usage) on this TCP port, for consoles on other \
            hosts: TLS only, with the server's certificate, and only to a console holding the organization's control \
            secret from the store. Off by default; 0 takes any free port (receptor status shows it).
            """, valueName: "port"))
    var controlPort: Int?

    @Option(help: ArgumentHelp("The address the control port binds (default: every IPv4 address, 0.0.0.0).", valueName: "address"))
    var controlAddress: String?

    func validate() throws {
        if let controlPort { guard (0...65535).contains(controlPort) else { throw ValidationError("--control-port must be between 0 and 65535.") } }
        if controlAddress != nil && controlPort == nil { throw ValidationError("--control-address needs --control-port.") }
        guard (0...3650).contains(usageDays) else { throw ValidationError("--usage-days must be between 0 and 3650.") }
        guard (1...1024).contains(ioThreads) else { throw ValidationError("--io-threads must be between 1 and 1024.") }
    }

    func run() async throws {
        let store: any ConfigStore
        let server: Server
        do {
            store = try options.openStore()
            server = try resolveServer(store)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
        let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "receptor.listen")
        var runtimeOptions = ListenerRuntime.Options(serverName: server.name)
        runtimeOptions.ioThreads = ioThreads
        runtimeOptions.sync = sync
        runtimeOptions.usageRetentionDays = usageDays
        if let controlPort { runtimeOptions.controlEndpoint = ControlEndpointOptions(address: controlAddress ?? "0.0.0.0", port: controlPort) }
        let dataDirectory = options.dataDirectory(server: server.name)
        do { try StoreLocation.createFolder(dataDirectory) } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
        runtimeOptions.dataDirectory = dataDirectory
        // PostgreSQL: LISTEN/NOTIFY on a connection of its own; SQLite: the runtime's file watcher.
        let feed = (store as? PostgresConfigStore)?.changeFeed(logger: Logger(label: "receptor.listen.feed"))
        let runtime = ListenerRuntime(store: store, options: runtimeOptions, logger: logger, feed: feed)
        let signals = SignalHandlers(
            onStop: { runtime.stop() },
            onReload: { runtime.requestReload() })
        defer { withExtendedLifetime(signals) {} }
        do { try await runtime.run() } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
    }

    func resolveServer(_ store: any ConfigStore) throws -> Server {
        let servers = try store.servers()
        if let name = options.serverName {
            guard let s = servers.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw Failure("The server \"\(name)\" isn't in this store (it has \(servers.map(\.name).joined(separator: ", "))).")
            }
            return s
        }
        if servers.count == 1 { return servers[0] }
        if let s = servers.first(where: { $0.name.caseInsensitiveCompare(Terminal.hostName) == .orderedSame }) { return s }
        throw Failure(
            "This store has \(servers.isEmpty ? "no server; create one with receptor init" : "several servers (\(servers.map(\.name).joined(separator: ", "))); name one with --server")."
        )
    }
}

/// SIGTERM/SIGINT stop the listener; SIGHUP reloads. Dispatch sources, so the handlers run as ordinary code.
final class SignalHandlers: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(onStop: @escaping @Sendable () -> Void, onReload: @escaping @Sendable () -> Void) {
        for (sig, action) in [(SIGTERM, onStop), (SIGINT, onStop), (SIGHUP, onReload)] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            sources.append(source)
        }
    }
}
