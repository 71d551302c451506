import Foundation
import ReceptorCore
import ReceptorStore

/// What the cmdlets share for one shell session: the store, which server "the current server" is, and how
/// to talk to the administrator (warnings, confirmations).
public final class ShellContext: @unchecked Sendable {
    public let store: ConfigStore
    /// The server named with --server / RECEPTOR_SERVER, if any.
    public let requestedServer: String?
    /// The host name, used as the default server when the store holds several.
    public let hostName: String
    /// Where warnings go ("WARNING: …" on standard error in the CLI).
    public var warn: (String) -> Void
    /// Where informational host output goes ("What if: …" on standard output in the CLI).
    public var say: (String) -> Void = { print($0) }
    /// Asks a yes/no question; nil when there is no terminal to ask on.
    public var confirm: ((String) -> Bool)?
    /// The host's own addresses, for the "not an address of this machine" warning.
    public var localAddresses: () -> [IPAddress]
    /// Testing hook, run between reading a connector and saving it, so a test can make two processes race
    /// deterministically (RECEPTOR_TEST_WRITE_DELAY_MS: say so on stderr, then wait).
    public var beforeSave: (() -> Void)?
    /// --data-dir / RECEPTOR_DATA_DIR, when given (else `StoreLocation.dataDirectory`'s default for the store).
    public var explicitDataDirectory: String?

    /// The routing of a server's connectors, read again only when the store's generation moved on: a cmdlet
    /// that finds its target by name and then previews the change would otherwise read a server's thousands of
    /// routes twice. (The generation is read first, so a change made between the two reads leaves the copy
    /// marked older than it is, and read again next time.)
    public func connectorRoutes(server: String) throws -> [ConnectorRoute] {
        let generation = try store.generation()
        let key = server.lowercased()
        if let held = routesRead, held.server == key, held.generation == generation { return held.routes }
        let routes = try store.connectorRoutes(server: server)
        routesRead = (key, generation, routes)
        return routes
    }

    private var routesRead: (server: String, generation: Int64, routes: [ConnectorRoute])?

    /// The data directory of `server` (where its listener keeps protocol logs and connector usage).
    public func dataDirectory(server: String?) -> String {
        StoreLocation.dataDirectory(
            store: store.path, server: server, explicit: explicitDataDirectory, environment: ProcessInfo.processInfo.environment)
    }

    public init(
        store: ConfigStore, requestedServer: String?, hostName: String,
        warn: @escaping (String) -> Void, confirm: ((String) -> Bool)? = nil,
        localAddresses: @escaping () -> [IPAddress] = LocalInterfaces.addresses
    ) {
        self.store = store
        self.requestedServer = requestedServer
        self.hostName = hostName
        self.warn = warn
        self.confirm = confirm
        self.localAddresses = localAddresses
    }

    /// The server a command means when it names none: --server, else the store's only server, else the
    /// server named like this host.
    public func currentServer() throws -> Server {
        let servers = try store.servers()
        if let name = requestedServer {
            guard let s = servers.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw ShellError(
                    "The server \"\(name)\" isn't in this store (it has \(servers.map(\.name).joined(separator: ", "))). Add it with receptor init --server \(name)."
                )
            }
            return s
        }
        if servers.count == 1 { return servers[0] }
        if let s = servers.first(where: { $0.name.caseInsensitiveCompare(hostName) == .orderedSame }) { return s }
        if servers.isEmpty { throw ShellError("This store has no server yet. Create one with receptor init.") }
        throw ShellError(
            "This store has several servers (\(servers.map(\.name).joined(separator: ", "))); name one with --server, RECEPTOR_SERVER or -Server.")
    }

    public func server(named name: String) throws -> Server {
        guard
            let s = try store.servers().first(where: {
                $0.name.caseInsensitiveCompare(name) == .orderedSame || $0.fqdn.caseInsensitiveCompare(name) == .orderedSame
            })
        else {
            throw ShellError("The operation couldn't be performed because object '\(name)' couldn't be found: no server of that name in this store.")
        }
        return s
    }

    /// Asks before a destructive action unless -Confirm:$false. Without a terminal, refuses rather than
    /// guessing, as an unattended PowerShell would have nobody to ask.
    func confirmAction(_ invocation: CmdletInvocation, action: String, target: String) throws -> Bool {
        if invocation.confirmSuppressed { return true }
        guard let confirm else {
            throw ShellError(
                "\(invocation.name) asks for confirmation before it \(action) \"\(target)\"; add -Confirm:$false to run it without a prompt.")
        }
        return confirm("Are you sure you want to perform this action?\n\(action.prefix(1).uppercased() + action.dropFirst()) \"\(target)\".")
    }
}

/// A refusal from a cmdlet: one line for standard error.
public struct ShellError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
