import Foundation
import ReceptorCore

/// A connector as stored: the domain value plus the store's bookkeeping. `revision` goes up by one with
/// every change; a save names the revision it started from and is refused if the connector moved on.
public struct StoredConnector: Hashable, Sendable {
    public var connector: ReceiveConnector
    public var revision: Int
    public var whenCreated: Date
    public var whenChanged: Date

    public init(connector: ReceiveConnector, revision: Int, whenCreated: Date, whenChanged: Date) {
        self.connector = connector
        self.revision = revision
        self.whenCreated = whenCreated
        self.whenChanged = whenChanged
    }
}

/// A running listener as it registered itself (issue: the bundled listener). Heartbeats age out.
public struct ListenerRegistration: Hashable, Sendable, Codable {
    public var id: String
    public var server: String
    public var pid: Int32
    public var host: String
    public var controlSocket: String
    public var startedAt: Date
    public var heartbeatAt: Date
    /// Free-form JSON the listener publishes (binding status, last config error) for `receptor status`.
    public var statusJSON: String
    /// The TCP control endpoint (`receptor listen --control-port`), `host:port` (`[v6]:port`), or nil when the
    /// listener has none: a console on another host reaches it there, over TLS only.
    public var controlEndpoint: String?
    /// SHA-256 of the endpoint's certificate (DER, lower-case hex): the one certificate a console trusts there.
    /// The store is the trust root: whoever may write it could name another certificate.
    public var controlFingerprint: String?

    public init(
        id: String, server: String, pid: Int32, host: String, controlSocket: String, startedAt: Date, heartbeatAt: Date, statusJSON: String = "{}",
        controlEndpoint: String? = nil, controlFingerprint: String? = nil
    ) {
        self.id = id; self.server = server; self.pid = pid; self.host = host; self.controlSocket = controlSocket
        self.startedAt = startedAt; self.heartbeatAt = heartbeatAt; self.statusJSON = statusJSON
        self.controlEndpoint = controlEndpoint; self.controlFingerprint = controlFingerprint
    }
}

/// One row of the change log: which write produced which generation.
public struct ChangeRecord: Hashable, Sendable {
    public var generation: Int64
    public var at: Date
    public var summary: String
    public init(generation: Int64, at: Date, summary: String) { self.generation = generation; self.at = at; self.summary = summary }
}

/// Everything a reader needs at one instant, read in one transaction (the listener validates and applies
/// a whole snapshot; the console renders one).
public struct StoreSnapshot: Sendable {
    public var generation: Int64
    public var servers: [Server]
    public var connectors: [StoredConnector]
    /// Explicit Add-ADPermission entries, by connector GUID.
    public var permissions: [UUID: [PermissionEntry]]
    public var acceptedDomains: [AcceptedDomain]
    public var accounts: [MailboxAccount]
    public var transportConfig: TransportConfig
    public var recipientFilterConfig: RecipientFilterConfig

    public init(
        generation: Int64, servers: [Server], connectors: [StoredConnector], permissions: [UUID: [PermissionEntry]],
        acceptedDomains: [AcceptedDomain], accounts: [MailboxAccount], transportConfig: TransportConfig = TransportConfig(),
        recipientFilterConfig: RecipientFilterConfig = RecipientFilterConfig()
    ) {
        self.generation = generation; self.servers = servers; self.connectors = connectors
        self.permissions = permissions; self.acceptedDomains = acceptedDomains; self.accounts = accounts
        self.transportConfig = transportConfig; self.recipientFilterConfig = recipientFilterConfig
    }

    public func connectors(on server: String) -> [StoredConnector] {
        connectors.filter { $0.connector.server.caseInsensitiveCompare(server) == .orderedSame }
    }
    public func server(named name: String) -> Server? {
        servers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// Why the store refused something. Every case reads as one line for standard error.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No store at the path (the message says how to create one).
    case storeMissing(path: String)
    case notFound(String)
    case alreadyExists(String)
    /// A save based on an old revision.
    case revisionConflict(String)
    /// A domain rule refused the change; nothing was written.
    case invalid([RuleViolation])
    case refused(String)
    case database(String)

    public var description: String {
        switch self {
        case .storeMissing(let path): "No Receptor store at \(path). Create one with: receptor init --store \(path)"
        case .notFound(let m), .alreadyExists(let m), .revisionConflict(let m), .refused(let m), .database(let m): m
        case .invalid(let violations): violations.map(\.message).joined(separator: " ")
        }
    }
}

/// The config store: the one interface the shell, the console and the listener use. Every write is one
/// transaction that validates with the domain's rules against the state inside that transaction, bumps
/// the store generation and appends to the change log; a refused write changes nothing.
public protocol ConfigStore: AnyObject, Sendable {
    var path: String { get }

    // Reads
    func snapshot() throws -> StoreSnapshot
    /// Cheap to poll from another process: goes up with every committed write.
    func generation() throws -> Int64
    func changes(since generation: Int64) throws -> [ChangeRecord]
    func servers() throws -> [Server]
    func connectors(server: String?) throws -> [StoredConnector]
    /// The routing alone (`ConnectorRoute`) of a server's connectors, in `connectors(server:)`'s order: what
    /// choosing a connector reads, without building every connector in full.
    func connectorRoutes(server: String) throws -> [ConnectorRoute]
    func connector(guid: UUID) throws -> StoredConnector?
    func permissions(connector guid: UUID) throws -> [PermissionEntry]
    func acceptedDomains() throws -> [AcceptedDomain]
    func accounts() throws -> [MailboxAccount]
    func listeners() throws -> [ListenerRegistration]

    // Servers
    /// Adds a server with its default connectors and accepted domains, all in one transaction.
    func addServer(_ server: Server, connectors: [ReceiveConnector], acceptedDomains: [AcceptedDomain]) throws
    func updateServer(_ server: Server) throws

    // Connectors: validated with ConnectorValidator against the server's other connectors in the same transaction.
    @discardableResult
    func insertConnector(_ connector: ReceiveConnector) throws -> StoredConnector
    @discardableResult
    func updateConnector(_ connector: ReceiveConnector, expectedRevision: Int) throws -> StoredConnector
    func removeConnector(guid: UUID, expectedRevision: Int?) throws

    // Permissions (explicit Add-ADPermission entries)
    func addPermission(_ entry: PermissionEntry, connector guid: UUID) throws
    /// Removes the given rights of a matching (user, deny) entry; refused if no explicit entry grants them.
    func removePermission(_ entry: PermissionEntry, connector guid: UUID) throws

    // Accepted domains
    func addAcceptedDomain(_ domain: AcceptedDomain) throws
    func updateAcceptedDomain(_ domain: AcceptedDomain, originalName: String) throws
    func removeAcceptedDomain(name: String) throws

    // Accounts (passwords stored only as salted slow hashes)
    func addAccount(_ account: MailboxAccount, password: String) throws
    /// Changes a mailbox's name, alias and addresses; its UPN names it and its password stays.
    func updateAccount(_ account: MailboxAccount) throws
    func removeAccount(userPrincipalName: String) throws
    /// The account whose sign-in name and password match, or nil. Constant work whether or not the name exists.
    func authenticate(login: String, password: String) throws -> MailboxAccount?

    // Organization-wide transport settings (Set-TransportConfig)
    func transportConfig() throws -> TransportConfig
    func setTransportConfig(_ config: TransportConfig) throws
    // The recipient filter (Set-RecipientFilterConfig)
    func recipientFilterConfig() throws -> RecipientFilterConfig
    func setRecipientFilterConfig(_ config: RecipientFilterConfig) throws

    // Moving an organization between stores (receptor store copy)
    /// Everything `OrganizationExport` holds, read in one transaction (password hashes included).
    func exportOrganization() throws -> OrganizationExport
    /// Writes an export into this store, which must hold no servers, connectors, accepted domains or mailboxes:
    /// validated whole first (`OrganizationExport.validate`), then one transaction that keeps GUIDs,
    /// revisions, times and hashes and raises the generation once.
    func importOrganization(_ export: OrganizationExport, from source: String) throws

    // The organization's control secret (TCP control endpoints): 256 random bits, made once for the whole
    // organization. Not configuration: making it never raises the generation. Never printed anywhere.
    /// The secret, or nil when there is none yet and `create` is false; with `create`, made if missing (two
    /// processes making it at once agree on one).
    func controlSecret(create: Bool) throws -> ControlSecret?

    // Listeners
    func registerListener(_ registration: ListenerRegistration) throws
    func heartbeat(listenerID: String, statusJSON: String) throws
    func unregisterListener(id: String) throws
}
