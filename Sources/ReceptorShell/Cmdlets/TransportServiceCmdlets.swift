import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// The transport services' server-wide settings: `-UseDowngradedExchangeServerAuth` (§4b rule 8) and the
/// receive protocol log settings (§8c). `Set-TransportService` changes the Hub service on a Mailbox server
/// and the Edge service on Edge; `Set-FrontendTransportService` the Front End service (Mailbox only).
enum TransportServiceSettings {
    static let logParameters = [
        "ReceiveProtocolLogPath", "ReceiveProtocolLogMaxFileSize", "ReceiveProtocolLogMaxDirectorySize", "ReceiveProtocolLogMaxAge",
    ]

    /// Applies the -ReceiveProtocolLog* arguments to one service's settings; refuses bad values whole.
    static func apply(_ inv: CmdletInvocation, to server: inout Server, service: String) throws {
        guard logParameters.contains(where: inv.has) else { return }
        var settings = server.receiveProtocolLog(service: service)
        do {
            if inv.has("ReceiveProtocolLogPath") {
                guard let path = try inv.string("ReceiveProtocolLogPath"), !path.isEmpty else {
                    throw ValueError(
                        "ReceiveProtocolLogPath can't be $null here: it would stop logging while connectors are set to Verbose. Set the connectors' ProtocolLoggingLevel to None instead."
                    )
                }
                settings.path = path
            }
            if let text = try inv.string("ReceiveProtocolLogMaxFileSize") {
                settings.maxFileSize = try ReceiveProtocolLogSettings.parseSize(text, parameter: "ReceiveProtocolLogMaxFileSize")
            }
            if let text = try inv.string("ReceiveProtocolLogMaxDirectorySize") {
                settings.maxDirectorySize = try ReceiveProtocolLogSettings.parseSize(text, parameter: "ReceiveProtocolLogMaxDirectorySize")
            }
            if let text = try inv.string("ReceiveProtocolLogMaxAge") {
                settings.maxAge = try ReceiveProtocolLogSettings.parseAge(text, parameter: "ReceiveProtocolLogMaxAge")
            }
            try settings.validate()
        } catch let error as ValueError {
            throw ShellError("\(inv.name): \(error.message)")
        }
        server.receiveProtocolLogs[service] = settings
    }

    static func save(_ server: Server, _ inv: CmdletInvocation, context: ShellContext, what: String) throws {
        if inv.whatIf { context.say("What if: Setting \(what) of \(server.name)."); return }
        do { try context.store.updateServer(server) } catch let error as StoreError { throw ShellError(error.description) }
    }

    /// The object `Get-TransportService` / `Get-FrontendTransportService` return.
    static func object(_ server: Server, service: String, typeName: String, context: ShellContext) -> PSObject {
        let settings = server.receiveProtocolLog(service: service)
        let dataDirectory = context.dataDirectory(server: server.name)
        let path = settings.path ?? "\(dataDirectory)/logs/\(service)/ProtocolLog/SmtpReceive"
        var properties = [
            PSProperty(name: "Name", value: .string(server.name)),
            PSProperty(name: "ReceiveProtocolLogPath", value: .string(path)),
            PSProperty(name: "ReceiveProtocolLogMaxFileSize", value: .string(ReceiveProtocolLogSettings.display(settings.maxFileSize))),
            PSProperty(name: "ReceiveProtocolLogMaxDirectorySize", value: .string(ReceiveProtocolLogSettings.display(settings.maxDirectorySize))),
            PSProperty(name: "ReceiveProtocolLogMaxAge", value: .string(settings.maxAge.description)),
        ]
        if typeName == "TransportService" {
            properties.append(PSProperty(name: "UseDowngradedExchangeServerAuth", value: .bool(server.useDowngradedExchangeServerAuth)))
        }
        properties.append(PSProperty(name: "Identity", value: .string(server.name)))
        var o = PSObject(typeName: typeName, properties: properties)
        o.defaultDisplayProperties = ["Name", "ReceiveProtocolLogPath", "ReceiveProtocolLogMaxAge"]
        o.payload = "server:\(server.name)"
        return o
    }

    static func servers(_ inv: CmdletInvocation, context: ShellContext) throws -> [Server] {
        if let id = try inv.string("Identity") { return [try context.server(named: id)] }
        return try context.store.servers()
    }
}

struct GetTransportService: Cmdlet {
    static let name = "Get-TransportService"
    static let parameters = ["Identity", "DomainController"]
    static let changesState = false
    static let synopsis =
        "Shows each server's transport service settings (Hub on Mailbox, Edge on Edge): receive protocol log and UseDowngradedExchangeServerAuth."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        try TransportServiceSettings.servers(inv, context: context).map {
            .object(TransportServiceSettings.object($0, service: $0.transportServiceName, typeName: "TransportService", context: context))
        }
    }
}

struct SetTransportService: Cmdlet {
    static let name = "Set-TransportService"
    static let parameterValues: [String: ValueCompletion] = ["UseDowngradedExchangeServerAuth": .boolean]
    static let parameters = ["Identity", "UseDowngradedExchangeServerAuth"] + TransportServiceSettings.logParameters + ["DomainController"]
    static let synopsis =
        "Changes the transport service (Hub on Mailbox, Edge on Edge): -ReceiveProtocolLogMaxAge 7.00:00:00, -ReceiveProtocolLogMaxFileSize 20MB, -ReceiveProtocolLogMaxDirectorySize 1GB, -ReceiveProtocolLogPath, -UseDowngradedExchangeServerAuth."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var server = try inv.string("Identity").map { try context.server(named: $0) } ?? context.currentServer()
        if inv.has("UseDowngradedExchangeServerAuth") {
            server.useDowngradedExchangeServerAuth = inv.flag("UseDowngradedExchangeServerAuth")
        }
        try TransportServiceSettings.apply(inv, to: &server, service: server.transportServiceName)
        try TransportServiceSettings.save(server, inv, context: context, what: "the transport service")
        return []
    }
}

struct GetFrontendTransportService: Cmdlet {
    static let name = "Get-FrontendTransportService"
    static let parameters = ["Identity", "DomainController"]
    static let changesState = false
    static let synopsis = "Shows the Front End Transport service's receive protocol log settings of each Mailbox server."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let servers = try TransportServiceSettings.servers(inv, context: context)
        if inv.has("Identity"), let edge = servers.first(where: { $0.role == .edge }) {
            throw ShellError(
                "Get-FrontendTransportService: \(edge.name) is an Edge Transport server; the Front End Transport service runs only on Mailbox servers."
            )
        }
        return servers.filter { $0.role == .mailbox }.map {
            .object(TransportServiceSettings.object($0, service: "FrontEnd", typeName: "FrontendTransportService", context: context))
        }
    }
}

struct SetFrontendTransportService: Cmdlet {
    static let name = "Set-FrontendTransportService"
    static let parameters = ["Identity"] + TransportServiceSettings.logParameters + ["DomainController"]
    static let synopsis =
        "Changes the Front End Transport service of a Mailbox server: -ReceiveProtocolLogMaxAge, -ReceiveProtocolLogMaxFileSize, -ReceiveProtocolLogMaxDirectorySize, -ReceiveProtocolLogPath."
    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var server = try inv.string("Identity").map { try context.server(named: $0) } ?? context.currentServer()
        guard server.role == .mailbox else {
            throw ShellError(
                "Set-FrontendTransportService: \(server.name) is an Edge Transport server; the Front End Transport service runs only on Mailbox servers. Use Set-TransportService."
            )
        }
        try TransportServiceSettings.apply(inv, to: &server, service: "FrontEnd")
        try TransportServiceSettings.save(server, inv, context: context, what: "the Front End Transport service")
        return []
    }
}
