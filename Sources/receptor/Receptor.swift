import ArgumentParser
import Foundation
import ReceptorCore
import ReceptorStore
import ReceptorStorePostgres
import ReceptorShell

@main
struct Receptor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receptor",
        abstract: "Exchange-style SMTP receive connectors for Linux.",
        discussion: """
            Every command takes --store PATH (environment RECEPTOR_STORE; default \
            $XDG_DATA_HOME/receptor/receptor.sqlite; or a postgresql:// URI), --server NAME (environment \
            RECEPTOR_SERVER; default: the store's only server, else the host name) and --data-dir PATH (environment \
            RECEPTOR_DATA_DIR; default: the SQLite store's folder, or $XDG_DATA_HOME/receptor/SERVER for a \
            PostgreSQL store).
            """,
        version: ReceptorVersion.string,
        subcommands: [Console.self, Init.self, Shell.self, Listen.self, Status.self, StoreGroup.self],
        defaultSubcommand: Console.self
    )

    static func main() async {
        AllocatorTuning.apply(arguments: CommandLine.arguments)
        await main(nil)
    }
}

/// --store and --server, shared by every subcommand.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store file, or a PostgreSQL URI (postgresql://user@host:5432/receptor).", valueName: "path"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("The server the command acts on.", valueName: "name"))
    var server: String?

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory (certificates, logs, mailboxes, queue, control sockets); default: the SQLite store's folder, or $XDG_DATA_HOME/receptor/SERVER for a PostgreSQL store.",
            valueName: "path"))
    var dataDir: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var storePath: String {
        store ?? environment["RECEPTOR_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? SQLiteConfigStore.defaultPath(environment: environment)
    }

    var serverName: String? {
        server ?? environment["RECEPTOR_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func openStore() throws -> any ConfigStore {
        do { return try Self.open(storePath, create: false) } catch let error as StoreError {
            throw Failure(error.description)
        }
    }

    /// A `postgresql://` (or `postgres://`) URI opens the PostgreSQL store; anything else is an SQLite path.
    static func open(_ path: String, create: Bool) throws -> any ConfigStore {
        if PostgresLocation.isPostgresURI(path) { return try PostgresConfigStore.open(uri: path, create: create) }
        // `postgresq://…` is a typo, never a file to create.
        if PostgresLocation.looksLikeURI(path) { throw PostgresLocation.notAStoreURI(path) }
        return try SQLiteConfigStore.open(path: path, create: create)
    }

    /// --data-dir, else RECEPTOR_DATA_DIR.
    var explicitDataDirectory: String? {
        dataDir ?? environment["RECEPTOR_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The data directory of `server` (StoreLocation's rule: --data-dir / RECEPTOR_DATA_DIR, else the SQLite
    /// store's folder, else $XDG_DATA_HOME/receptor/SERVER for a PostgreSQL store).
    func dataDirectory(server: String?) -> String {
        StoreLocation.dataDirectory(store: storePath, server: server, explicit: explicitDataDirectory, environment: environment)
    }

    /// The arguments that name the same data directory in a child process (only when one was given).
    var dataDirectoryArguments: [String] { dataDir.map { ["--data-dir", $0] } ?? [] }

    /// The store as it may be shown: a URI without its password.
    var storeDisplay: String { Self.display(storePath) }

    static func display(_ path: String) -> String {
        PostgresLocation.looksLikeURI(path) ? PostgresLocation.redacted(path) : path
    }
}

/// A refusal: one line on standard error and exit status 1.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

enum Terminal {
    static func isInteractive(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    static var width: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 120
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static var hostName: String {
        let full = ProcessInfo.processInfo.hostName
        return String(full.split(separator: ".").first ?? Substring(full))
    }
}

/// Runs a subcommand body, turning every refusal into one line on standard error and exit status 1.
func refusing(_ body: () throws -> Void) throws {
    do { try body() } catch let error as Failure {
        Terminal.error(error.description)
        throw ExitCode(1)
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        Terminal.error("\(error)")
        throw ExitCode(1)
    }
}
