import Foundation
import ReceptorCore
import ReceptorStore

/// The configuration a listener runs with: one store generation's view of its server, validated as a
/// whole. Immutable; a reload builds a new one and swaps it in, and sessions keep the one they started with.
public struct ListenerSnapshot: Sendable {
    public let generation: Int64
    public let server: Server
    /// Every connector of the server (disabled ones too: status shows them).
    public let connectors: [ReceiveConnector]
    public let permissions: [UUID: [PermissionEntry]]
    public let acceptedDomains: [AcceptedDomain]
    public let plan: SocketPlan
    public let transportConfig: TransportConfig
    /// The organization's mailboxes and recipient filter, as sessions check recipients at RCPT.
    public let recipients: RecipientDirectory

    public let enabledConnectors: [ReceiveConnector]
    /// Per enabled connector, the rights of a session before it authenticates (`PermissionModel`, resolved
    /// once here instead of for every connection).
    public let initialRights: [UUID: Set<ExtendedRight>]

    init(
        generation: Int64, server: Server, connectors: [ReceiveConnector], permissions: [UUID: [PermissionEntry]],
        acceptedDomains: [AcceptedDomain], plan: SocketPlan, transportConfig: TransportConfig, recipients: RecipientDirectory
    ) {
        self.generation = generation
        self.server = server
        self.connectors = connectors
        self.permissions = permissions
        self.acceptedDomains = acceptedDomains
        self.plan = plan
        self.transportConfig = transportConfig
        self.recipients = recipients
        enabledConnectors = connectors.filter(\.enabled)
        var rights: [UUID: Set<ExtendedRight>] = [:]
        for c in enabledConnectors {
            rights[c.guid] = PermissionModel.effectiveRights(
                connector: c, explicitEntries: permissions[c.guid] ?? [],
                authentication: PermissionModel.initialAuthentication(for: c), domain: server.domain)
        }
        initialRights = rights
    }

    /// Why a store snapshot can't be used; the listener keeps its last good snapshot and reports this.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Builds and validates the snapshot of `serverName` from a store snapshot. The same rules the shell and
    /// console apply run again here, so a store written by another version can't take the listener down.
    public static func make(from store: StoreSnapshot, serverName: String) throws(Invalid) -> ListenerSnapshot {
        guard let server = store.server(named: serverName) else {
            throw Invalid(description: "The server \(serverName) is not in the store (it has \(store.servers.map(\.name).joined(separator: ", "))).")
        }
        let connectors = store.connectors(on: server.name).map(\.connector)
        // Indexed once: each connector is compared only with the siblings it could conflict with, not all of them.
        let context = ValidationContext(server: server, siblings: connectors, checksReachability: false).indexingSiblings()
        for c in connectors {
            let report = ConnectorValidator.validate(c, in: context)
            if let first = report.errors.first {
                throw Invalid(description: "Receive connector \"\(c.identity)\" is invalid: \(first.message)")
            }
        }
        return ListenerSnapshot(
            generation: store.generation, server: server, connectors: connectors,
            permissions: store.permissions, acceptedDomains: store.acceptedDomains,
            plan: SocketPlan(connectors: connectors), transportConfig: store.transportConfig,
            recipients: RecipientDirectory(accounts: store.accounts, config: store.recipientFilterConfig))
    }

    public func connector(guid: UUID) -> ReceiveConnector? { connectors.first { $0.guid == guid } }
}
