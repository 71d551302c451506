import ArgumentParser
import Foundation
import Logging
import ReceptorConsole
import ReceptorCore
import ReceptorShell
import ReceptorStore
import ReceptorStorePostgres
import ReceptorTerminal

struct Console: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The console: receive connectors per server, the New receive connector wizard, the edit dialog.",
        discussion: """
            Keys: arrows, Enter (edit), a/Insert/+ (new), d/Delete (delete), Space (enable/disable), / (filter), \
            s (every server of the organization: role, connectors, listeners alive; Enter shows its connectors), l (start the listener), m (monitor), x (explain which connector takes a connection from an \
            address, why the others don't, and what a session may do there), r/F5 (refresh), F1/? (help), q (quit). \
            Changes made elsewhere appear within a second. Honours NO_COLOR; draws with ASCII under a non-UTF-8 locale.
            """)

    @OptionGroup var options: StoreOptions

    func run() throws {
        let path = options.storePath
        if !StoreLocation.isDatabaseURI(path) && !FileManager.default.fileExists(atPath: path) {
            try offerToCreateStore(path)
        }
        let store: any ConfigStore
        do { store = try options.openStore() } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
        let source = StoreDataSource(store: store)
        let app: ConsoleApp
        do { app = try ConsoleApp(dataSource: source, server: options.serverName) } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
        app.monitorFeed = ControlSocketFeed()
        app.explicitDataDirectory = options.explicitDataDirectory
        // Connector usage (u, and the impact preview's evidence): from the running listener, else the usage files.
        app.usageSource = ListenerUsageSource(dataDirectory: options.dataDirectory(server: options.serverName))
        // The shell's own list of this host's addresses, so the console warns about a binding as the shell does.
        app.localAddresses = { LocalInterfaces.addresses() }
        let terminal = CursesTerminal()
        do { try terminal.start() } catch {
            Terminal.error("The console needs a terminal: \(error)")
            throw ExitCode(1)
        }
        defer { terminal.stop() }
        // The loop (ReceptorConsole's ConsoleRunLoop) waits at most 200 ms for a key, 100 ms in the monitor,
        // which so redraws ten times a second; it re-reads the store when its generation moves and the
        // listeners' status every second. On PostgreSQL it follows the LISTEN/NOTIFY feed (quietly: the screen
        // is the terminal's) and reads the generation only when woken or once a second, never per key. What it
        // can't do itself comes here.
        let feed = (store as? PostgresConfigStore)?.changeFeed(logger: Logger(label: "receptor.console.feed") { _ in SwiftLogNoOpLogHandler() })
        let loop = ConsoleRunLoop(app: app, screen: terminal, input: terminal, changeFeed: feed) { effect in
            switch effect {
            case .startListener(let server): startListener(storePath: path, server: server)
            case .bell: terminal.bell()
            case .quit, .refreshNow: break
            }
        }
        loop.run()
    }

    /// `l` in the console: the bundled listener in the background, in a session of its own (so it outlives
    /// the console), logging to `listener.log` in the data directory.
    private func startListener(storePath: String, server: String) {
        let dataDirectory = options.dataDirectory(server: server)
        try? StoreLocation.createFolder(dataDirectory)
        let log = "\(dataDirectory)/listener.log"
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = [me, "listen", "--store", storePath, "--server", server] + options.dataDirectoryArguments
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        if let handle = FileHandle(forWritingAtPath: log) {
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
        }
        process.standardInput = FileHandle.nullDevice
        try? process.run()
    }

    /// No store yet: offer to create one as `receptor init` would (server named after the host, Mailbox,
    /// the default connectors; --port-offset 10000 for a user who can't bind ports below 1024).
    private func offerToCreateStore(_ path: String) throws {
        let offset = getuid() == 0 ? 0 : 10000
        let server = options.serverName ?? Terminal.hostName
        let command = "receptor init --store \(path) --server \(server)\(offset > 0 ? " --port-offset \(offset)" : "")"
        guard Terminal.isInteractive(STDIN_FILENO) else {
            Terminal.error("No Receptor store at \(path). Create one with: \(command)")
            throw ExitCode(1)
        }
        print("No Receptor store at \(path).\nCreate one now? This runs:\n  \(command)\n[Y] Yes  [N] No (default is \"Y\"): ", terminator: "")
        fflush(nil)
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "n"
        guard answer.isEmpty || answer == "y" || answer == "yes" else { throw ExitCode(1) }
        let initCommand = try Init.parse(["--store", path, "--server", server, "--port-offset", String(offset)])
        try initCommand.run()
    }
}
