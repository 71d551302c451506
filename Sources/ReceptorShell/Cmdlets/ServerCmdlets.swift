import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

struct GetExchangeServer: Cmdlet {
    static let name = "Get-ExchangeServer"
    static let parameters = ["Identity", "DomainController"]
    static let changesState = false
    static let synopsis = "Lists the servers in this store and their roles (Mailbox or Edge)."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var servers = try context.store.servers()
        if let id = try inv.string("Identity") {
            servers = servers.filter { Wildcard.matches(id, $0.name) || $0.fqdn.caseInsensitiveCompare(id) == .orderedSame }
            if servers.isEmpty { throw ShellError("The operation couldn't be performed because object '\(id)' couldn't be found: no server of that name.") }
        }
        return servers.map { .object(ObjectMapping.server($0)) }
    }
}

/// The one server-wide transport setting a connector rule depends on (§4b rule 8).
struct SetTransportService: Cmdlet {
    static let name = "Set-TransportService"
    static let parameters = ["Identity", "UseDowngradedExchangeServerAuth", "DomainController"]
    static let synopsis = "Changes server-wide transport settings: -UseDowngradedExchangeServerAuth."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var server = try inv.string("Identity").map { try context.server(named: $0) } ?? context.currentServer()
        if inv.has("UseDowngradedExchangeServerAuth") {
            server.useDowngradedExchangeServerAuth = inv.flag("UseDowngradedExchangeServerAuth")
        }
        if inv.whatIf { context.say("What if: Setting transport service of \(server.name)."); return [] }
        do { try context.store.updateServer(server) } catch let error as StoreError { throw ShellError(error.description) }
        return []
    }
}
