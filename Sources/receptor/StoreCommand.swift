import ArgumentParser
import Foundation
import ReceptorStore
import ReceptorStorePostgres

/// `receptor store …`: work on whole stores.
struct StoreGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Work on whole stores (copy an organization between SQLite and PostgreSQL).",
        subcommands: [StoreCopy.self])
}

/// `receptor store copy --from A --to B`: moving up from one host's SQLite file to a PostgreSQL store that
/// several hosts share, and back (the move is reversible).
struct StoreCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a whole organization into an empty store.",
        discussion: """
            Copies servers, receive connectors (with their GUIDs and revisions), permissions, accepted domains, \
            mailboxes (their password hashes; plain passwords are never stored), transport settings and the \
            organization's control secret (never shown; consoles holding it keep attaching to the listeners) \
            from one store to another: an SQLite file or a PostgreSQL URI on either side. The target must be empty \
            (a new SQLite file is created; a PostgreSQL database must exist, its tables are created); a target \
            that already holds an organization is refused and nothing is written. The whole copy is one \
            transaction, validated by the same rules as every other write. Not copied: the change log, listener \
            registrations, and what lives in a host's data directory (messages, logs, usage).
            """)

    @Option(help: ArgumentHelp("The store to copy from: a file or a PostgreSQL URI.", valueName: "store"))
    var from: String

    @Option(help: ArgumentHelp("The empty store to copy into: a file or a PostgreSQL URI.", valueName: "store"))
    var to: String

    func run() throws {
        try refusing {
            let fromName = StoreOptions.display(from), toName = StoreOptions.display(to)
            if from == to { throw Failure("--from and --to name the same store (\(fromName)).") }
            let source: any ConfigStore
            do { source = try StoreOptions.open(from, create: false) } catch let error as StoreError { throw Failure(error.description) }
            let export: OrganizationExport
            do { export = try source.exportOrganization() } catch let error as StoreError { throw Failure(error.description) }
            if export.snapshot.servers.isEmpty { throw Failure("The store at \(fromName) holds no organization: nothing to copy.") }
            let target: any ConfigStore
            do { target = try StoreOptions.open(to, create: true) } catch let error as StoreError { throw Failure(error.description) }
            do { try target.importOrganization(export, from: fromName) } catch let error as StoreError { throw Failure(error.description) }
            print("Copied \(export.summary) from \(fromName) to \(toName).")
        }
    }
}
