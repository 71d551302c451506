import Foundation
import GRDB
import ReceptorCore

/// The config store in one SQLite file (WAL mode, mode 0600), shared by every Receptor process of an
/// installation: the shell, the console and the listeners each open it with their own `DatabaseQueue`.
///
/// Every write is one IMMEDIATE transaction that reads what it needs, checks it with the domain's rules,
/// writes, bumps the generation by one and appends to the change log; a refused write rolls back and leaves
/// the file as it was. Every access starts a new transaction, so each call sees what other processes committed.
/// Listener registrations and heartbeats are status, not configuration: they never touch the generation.
public final class SQLiteConfigStore: TransactionalConfigStore {
    public let path: String
    let queue: DatabaseQueue

    init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
    }

    /// Opens the store at `path`. With `create`, a missing store is made (folders 0700, file 0600); without,
    /// a missing store is `StoreError.storeMissing`. The schema is migrated to the latest version either way.
    public static func open(path: String, create: Bool) throws -> SQLiteConfigStore {
        guard !path.isEmpty else { throw StoreError.refused("The store path is empty; give one with --store PATH.") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue {
                throw StoreError.refused(
                    "\(path) is a folder; give the path of the store file, as in \(StoreLocation.join(path, "receptor.sqlite")).")
            }
        } else {
            guard create else { throw StoreError.storeMissing(path: path) }
            try StoreLocation.createParentFolders(of: path)
            try StoreLocation.createPrivateFile(at: path)
        }

        var config = Configuration()
        config.label = "Receptor store"
        config.journalMode = .wal
        config.busyMode = .timeout(5)
        config.foreignKeysEnabled = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw StoreError.database("Can't open the store at \(path): \(error.message ?? "\(error)").")
        }
        StoreLocation.tightenPermissions(of: path)
        let store = SQLiteConfigStore(path: path, queue: queue)
        // GRDB's WAL setup picks synchronous = NORMAL; a saved configuration change should survive a power cut too.
        try store.guarded { try queue.inDatabase { try $0.execute(sql: "PRAGMA synchronous = FULL") } }
        try store.guarded { try Schema.migrate(queue, path: path, create: create) }
        StoreLocation.tightenPermissions(of: path)
        return store
    }

    /// `$XDG_DATA_HOME/receptor/receptor.sqlite`, else `$HOME/.local/share/receptor/receptor.sqlite`.
    public static func defaultPath(environment: [String: String]) -> String {
        StoreLocation.defaultPath(environment: environment)
    }

    // MARK: Transactions

    /// One IMMEDIATE write transaction: it takes the write lock before reading, so what it checks is what
    /// it writes over. A thrown error rolls everything back.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded {
            try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        }
    }

    /// One read transaction: everything read in `body` is from the same instant.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded { try queue.read(body) }
    }

    /// Every error leaves the store as a `StoreError` that reads as one line.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw StoreError.database("The store at \(path) is busy: another Receptor process held it for more than 5 seconds. Try again.")
            case .SQLITE_READONLY:
                throw StoreError.database("The store at \(path) is read-only for this user.")
            case .SQLITE_FULL:
                throw StoreError.database("The disk holding the store at \(path) is full; nothing was written.")
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                throw StoreError.database("\(path) is not a usable Receptor store: \(error.message ?? "the file is damaged").")
            default:
                throw StoreError.database("The store at \(path) refused the operation: \(error.message ?? "\(error.resultCode)").")
            }
        } catch let error as DecodingError {
            throw StoreError.database("The store at \(path) holds a record this version of Receptor can't read: \(StoreJSON.reason(error))")
        } catch let error as EncodingError {
            throw StoreError.database("A value could not be written to the store: \(error)")
        }
    }

    // MARK: Reads

    public func snapshot() throws -> StoreSnapshot {
        try read { db in
            StoreSnapshot(
                generation: try Records.generation(db),
                servers: try Records.servers(db),
                connectors: try Records.connectors(db, server: nil),
                permissions: try Records.allPermissions(db),
                acceptedDomains: try Records.acceptedDomains(db),
                accounts: try Records.accountsWithHashes(db).map(\.account),
                transportConfig: try Records.transportConfig(db),
                recipientFilterConfig: try Records.recipientFilterConfig(db))
        }
    }

    /// One SELECT, outside any explicit transaction: cheap enough to poll.
    public func generation() throws -> Int64 {
        try guarded { try queue.inDatabase { try Records.generation($0) } }
    }

    public func changes(since generation: Int64) throws -> [ChangeRecord] {
        try read { try Records.changes($0, since: generation) }
    }

    public func servers() throws -> [Server] {
        try read { try Records.servers($0) }
    }

    public func connectors(server: String?) throws -> [StoredConnector] {
        try read { try Records.connectors($0, server: server) }
    }

    public func connector(guid: UUID) throws -> StoredConnector? {
        try read { try Records.connector($0, guid: guid) }
    }

    public func permissions(connector guid: UUID) throws -> [PermissionEntry] {
        try read { try Records.permissionRows($0, connector: guid).map(\.entry) }
    }

    public func acceptedDomains() throws -> [AcceptedDomain] {
        try read { try Records.acceptedDomains($0) }
    }

    public func accounts() throws -> [MailboxAccount] {
        try read { try Records.accountsWithHashes($0).map(\.account) }
    }

    public func listeners() throws -> [ListenerRegistration] {
        try read { try Records.listeners($0) }
    }

    // MARK: Internals for diagnostics and tests

    /// The journal mode SQLite reports for this store ("wal").
    func journalMode() throws -> String {
        try guarded { try queue.inDatabase { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" } }
    }

    /// The stored hash of an account's password (never the password).
    func passwordHash(userPrincipalName: String) throws -> String? {
        try read {
            try String.fetchOne(
                $0, sql: "SELECT password_hash FROM accounts WHERE user_principal_name = ?",
                arguments: [userPrincipalName])
        }
    }

    /// The migrations applied to this store, in order.
    func appliedMigrations() throws -> [String] {
        try read { try Schema.migrator.appliedMigrations($0) }
    }
}
