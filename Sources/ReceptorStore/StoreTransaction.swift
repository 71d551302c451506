import Foundation
import ReceptorCore

/// The rows of one write transaction, as a backend gives them to the shared write rules (`StoreWriteRules.swift`):
/// the reads a rule needs, the row writes, and the generation. No rule lives here — no refusal, no validation,
/// no message: each backend only maps these calls to its SQL, inside the transaction its `writeTransaction` opened.
///
/// Names compare without regard to case, as the schemas do (SQLite's `COLLATE NOCASE`, PostgreSQL's `lower(…)`
/// indexes); a name a rule passes back to a write is the stored one.
package protocol StoreTransaction {
    // MARK: Reads, inside the transaction

    func server(named name: String) throws -> Server?
    /// The server's connectors, in the order they were added.
    func connectors(server: String) throws -> [StoredConnector]
    func connector(guid: UUID) throws -> StoredConnector?
    /// The routing of the server's connectors, in the order `connectors` gives them: all that the rules between
    /// connectors read of the others (a server may have thousands).
    func connectorRoutes(server: String) throws -> [ConnectorRoute]
    /// A connector's explicit permission entries with their row ids, in the order they were added.
    func permissionRows(connector guid: UUID) throws -> [PermissionRow]
    func acceptedDomains() throws -> [AcceptedDomain]
    func accounts() throws -> [MailboxAccount]

    // MARK: Row writes

    func insert(server: Server) throws
    func update(server: Server) throws
    func insert(connector: StoredConnector) throws
    /// Writes `connector` over its row only while the row is still at `expectedRevision`; false when it is not.
    func update(connector: StoredConnector, expectedRevision: Int) throws -> Bool
    /// Removes a connector and its permission entries.
    func deleteConnector(guid: UUID) throws
    func insertPermission(connector guid: UUID, principal: String, rights: [ExtendedRight], deny: Bool) throws
    func updatePermission(id: Int64, rights: [ExtendedRight]) throws
    func deletePermission(id: Int64) throws
    /// Inserts the domain as given (`isDefault` included: the rule has made room for a new default).
    func insert(acceptedDomain: AcceptedDomain) throws
    func update(acceptedDomainNamed name: String, to domain: AcceptedDomain) throws
    /// No accepted domain is the default any more (the step before another becomes it).
    func clearDefaultAcceptedDomain() throws
    func deleteAcceptedDomain(named name: String) throws
    func insert(account: MailboxAccount, hash: String) throws
    /// Changes the name, alias and addresses of the mailbox with `account`'s user principal name (its password stays).
    func update(account: MailboxAccount) throws
    func deleteAccount(userPrincipalName: String) throws
    /// One organization-wide setting: a JSON value under `key` (`meta` in both schemas).
    func setSetting(_ key: String, json: String) throws

    // Status, not configuration: never followed by `bumpGeneration`.

    /// Registers a listener, or replaces its registration (by id).
    func upsert(listener: ListenerRegistration) throws
    /// Records a listener's heartbeat and status; false when it is not registered.
    func touchListener(id: String, statusJSON: String, at time: Date) throws -> Bool
    func deleteListener(id: String) throws
    /// Stores the organization's control secret unless one is there already (that one stays).
    func insertControlSecret(_ stored: String, at time: Date) throws
    func controlSecret() throws -> String?

    /// Ends every configuration write: the generation goes up by exactly one and the change log says why (and, on
    /// PostgreSQL, listeners are notified when the transaction commits). Only a committing write calls it, last.
    @discardableResult
    func bumpGeneration(summary: String) throws -> Int64
}

/// An explicit permission entry (Add-ADPermission) with its row id.
package struct PermissionRow {
    package var id: Int64
    package var entry: PermissionEntry

    package init(id: Int64, entry: PermissionEntry) {
        self.id = id
        self.entry = entry
    }
}

/// One write transaction as `TransactionalConfigStore.writeTransaction` hands it to the rules: opaque outside
/// the package, so nothing but the store modules writes rows past the rules.
public struct StoreWriteTransaction {
    package let rows: any StoreTransaction

    package init(_ rows: any StoreTransaction) { self.rows = rows }
}

/// A config store whose `ConfigStore` writes are the shared write rules (`StoreWriteRules.swift`) run inside its
/// own transactions: SQLite's IMMEDIATE transaction, PostgreSQL's SERIALIZABLE one with retries.
public protocol TransactionalConfigStore: ConfigStore {
    /// Runs `body` in one write transaction and commits what it wrote; a thrown error rolls everything back.
    /// `body` may run more than once (PostgreSQL retries a serialization failure from the start, so the rules
    /// check again against what the other writer committed); it acts only through the transaction.
    func writeTransaction<T>(_ body: (StoreWriteTransaction) throws -> T) throws -> T
    /// The control secret's stored text, read without a write transaction (`controlSecret(create:)` decodes it).
    func storedControlSecret() throws -> String?
}
