import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// Parameters of New-/Set-ReceiveConnector that are handled by the cmdlet, not the parameter table.
private let placementParameters: Set<String> = ["Name", "TransportRole", "Bindings", "RemoteIPRanges"]
private let usageSwitches: [(String, ConnectorUsage)] = [
    ("Client", .client), ("Custom", .custom), ("Internal", .internal), ("Internet", .internet), ("Partner", .partner),
]

/// Applies the table parameters given on the command line, in the order given.
private func applyTableParameters(_ inv: CmdletInvocation, to connector: inout ReceiveConnector, creating: Bool) throws -> [ConnectorParameter] {
    var applied: [ConnectorParameter] = []
    for name in inv.order {
        guard let p = ConnectorParameters.named(name) else { continue }
        if creating && placementParameters.contains(p.name) && p.name != "TransportRole" { continue }
        if creating && !p.onNew {
            throw ShellError("\(inv.name): -\(p.name) can be used only with Set-ReceiveConnector.")
        }
        guard let input = try inv.parameterInput(name) else { continue }
        do { try p.apply(input, to: &connector) } catch {
            throw ShellError("\(inv.name): \(error.message)")
        }
        applied.append(p)
    }
    return applied
}

/// Domain-rule errors as one line.
private func refusal(_ report: ValidationReport) -> ShellError {
    ShellError(report.errors.map(\.message).joined(separator: " "))
}

private func warnings(
    _ report: ValidationReport, applied: [ConnectorParameter], connector: ReceiveConnector, all: Bool,
    context: ShellContext, inv: CmdletInvocation
) {
    let changed = Set(applied.map(\.name) + (all ? [] : []))
    for w in report.warnings where all || changed.contains(w.parameter) { context.warn(w.message) }
    for p in applied { if let note = p.listenerWarning(after: connector) { context.warn(note) } }
    if inv.has("DomainController") {
        context.warn("DomainController is accepted for compatibility and ignored: Receptor keeps its configuration in its own store.")
    }
}

struct GetReceiveConnector: Cmdlet {
    static let name = "Get-ReceiveConnector"
    static let parameters = ["Identity", "Server", "DomainController"]
    static let changesState = false
    static let synopsis = "Lists receive connectors: of every server in the organization, of one server (-Server), or one connector (-Identity)."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        if let identity = try inv.string("Identity") {
            return try ConnectorLookup.find(identity, context: context).map { .object(ObjectMapping.connector($0)) }
        }
        // As in Exchange, no -Server means every server of the organization; -Server narrows it.
        let server = try inv.string("Server").map { try context.server(named: $0).name }
        return try context.store.connectors(server: server).map { .object(ObjectMapping.connector($0)) }
    }
}

struct NewReceiveConnector: Cmdlet {
    static let name = "New-ReceiveConnector"
    static let parameterValues: [String: ValueCompletion] = ["Usage": .names(ConnectorUsage.allCases.map(\.rawValue))]
    static var parameters: [String] {
        ["Name", "Server", "Usage", "DomainController"] + ConnectorParameters.all.filter { $0.onNew && $0.name != "Name" }.map(\.name)
    }
    static let switches = usageSwitches.map(\.0)
    static let positional = ["Name"]
    static let requiredParameters = ["Name"]
    static let parameterHelp = [
        "Name": "The connector's name, unique on its server (64 characters at most).",
        "Server": "The server to create it on; default: the store's only server, or the one named with --server.",
        "Usage": "The usage type, as the switches: Internet, Partner, Client, Internal or Custom.",
        "Internet": "A connector for anonymous Internet mail (the usage type; permission groups AnonymousUsers).",
        "Partner": "A connector for a partner organization, with Tls (permission groups Partners).",
        "Client": "A connector for users who authenticate (port 587; Mailbox servers only).",
        "Internal": "A connector for the organization's own servers (Edge: from Exchange servers).",
        "Custom": "A connector you set up yourself: give -Bindings and -RemoteIPRanges.",
    ]
    static let examples: [CmdletExample] = [
        CmdletExample(
            "Scenario 1 of Microsoft's article: an Internet connector on one of the server's addresses.",
            #"New-ReceiveConnector -Name "Internet Receive Connector" -TransportRole Frontend -Internet -Bindings 10.10.1.1:25"#),
        CmdletExample(
            "Scenario 2: a partner connector for the partner's addresses; mail from 17.17.17.0/24 arrives here.",
            #"New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25"#),
        CmdletExample(
            "Scenario 3: a device at 192.168.10.5 that authenticates with basic authentication.",
            #"New-ReceiveConnector -Name "Inbound From Service" -TransportRole Frontend -Custom -Bindings 0.0.0.0:25 -RemoteIPRanges 192.168.10.5 -AuthMechanism BasicAuth -PermissionGroups AnonymousUsers"#
        ),
        CmdletExample(
            "Scenario 4, on an Edge server: mail from the organization's Mailbox servers.",
            #"New-ReceiveConnector -Name "Inbound From Organization" -Internal -RemoteIPRanges 10.1.2.10,10.1.2.15,10.1.2.20"#),
        CmdletExample(
            "What would change, and which traffic would move to the new connector, without changing anything.",
            #"New-ReceiveConnector -Name "Fabrikam.com TLS" -TransportRole Frontend -Partner -RemoteIPRanges 17.17.17.1/24 -Bindings 0.0.0.0:25 -WhatIf"#
        ),
    ]
    static let synopsis =
        "Creates a receive connector: -Name, one usage type (-Internet, -Partner, -Client, -Internal, -Custom or -Usage), -Bindings, -RemoteIPRanges, and any other parameter."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let name = try inv.requiredString("Name")
        let server = try inv.string("Server").map { try context.server(named: $0) } ?? context.currentServer()
        var request = NewConnectorRequest(name: name)
        request.usageSwitches = usageSwitches.filter { inv.flag($0.0) }.map(\.1)
        if let usage = try inv.string("Usage") {
            do { request.usageParameter = try ConnectorUsage(parsing: usage) } catch { throw ShellError("\(name): \(error.message)") }
        }
        if let role = try inv.string("TransportRole") {
            do { request.transportRole = try TransportRole(parsing: role) } catch { throw ShellError("\(inv.name): \(error.message)") }
        }
        do {
            if let texts = inv.strings("Bindings") { request.bindings = try texts.map { try IPBinding(parsing: $0) } }
            if let texts = inv.strings("RemoteIPRanges") { request.remoteIPRanges = try texts.map { try IPRange(parsing: $0) } }
        } catch let error as AddressParseError {
            throw ShellError("\(inv.name): \(error.description)")
        }
        var connector: ReceiveConnector
        do { connector = try ConnectorFactory.make(request, server: server) } catch { throw ShellError(error.message) }
        let applied = try applyTableParameters(inv, to: &connector, creating: true)

        // The other connectors' routing is all the rules and the preview read of them (a server may have thousands).
        let siblings = try context.connectorRoutes(server: server.name)
        let route = ConnectorRoute(connector)
        // The preview's maps also say whether the connector can be selected at all (the validator's warning).
        let preview = ImpactPreview.analysis(before: siblings, after: siblings + [route], changed: [route])
        var validation = ValidationContext(server: server, siblings: siblings, localAddresses: context.localAddresses())
        validation.winnersAfterChange = preview.winnersAfter
        let report = ConnectorValidator.validate(connector, in: validation)
        guard report.isValid else { throw refusal(report) }
        let impact = preview.moves
        if inv.whatIf {
            context.say("What if: Creating receive connector \"\(connector.identity)\" on server \(server.name).")
            TrafficReport.say(impact, before: siblings, context: context, whatIf: true)
            return []
        }
        let stored: StoredConnector
        do { stored = try context.store.insertConnector(connector) } catch let error as StoreError { throw ShellError(error.description) }
        warnings(report, applied: applied, connector: connector, all: true, context: context, inv: inv)
        return [.object(ObjectMapping.connector(stored))]
    }
}

struct SetReceiveConnector: Cmdlet {
    static let name = "Set-ReceiveConnector"
    static var parameters: [String] { ["Identity", "DomainController"] + ConnectorParameters.all.filter(\.onSet).map(\.name) }
    static let parameterHelp = ["Identity": "The connector: SERVER\\Name, a name on the current server, a GUID; or pipe connectors in."]
    static let examples: [CmdletExample] = [
        CmdletExample(
            "Let a relay connector take one more address (the other entries stay).",
            #"Set-ReceiveConnector "Anonymous Relay" -RemoteIPRanges @{Add="192.168.5.12"}"#),
        CmdletExample(
            "Turn protocol logging on for every connector on port 25.",
            "Get-ReceiveConnector | where {$_.Bindings -like '*:25'} | Set-ReceiveConnector -ProtocolLoggingLevel Verbose"),
    ]
    static let synopsis = "Changes a receive connector's parameters; takes -Identity or connectors piped from Get-ReceiveConnector."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let targets = try ConnectorLookup.targets(inv, input: input, context: context)
        for target in targets {
            var connector = target.stored.connector
            let applied = try applyTableParameters(inv, to: &connector, creating: false)
            guard let server = try context.store.servers().first(where: { $0.name == connector.server }) else {
                throw ShellError("The server \(connector.server) of \(connector.identity) is not in the store.")
            }
            if connector == target.stored.connector {
                context.warn("The command completed successfully but no settings of '\(connector.identity)' have been modified.")
                continue
            }
            let siblings = try context.connectorRoutes(server: server.name)
            let route = ConnectorRoute(connector)
            let after = siblings.map { $0.guid == connector.guid ? route : $0 }
            let preview = ImpactPreview.analysis(before: siblings, after: after, changed: [ConnectorRoute(target.stored.connector), route])
            var validation = ValidationContext(server: server, siblings: siblings, localAddresses: context.localAddresses())
            validation.winnersAfterChange = preview.winnersAfter
            let report = ConnectorValidator.validate(connector, in: validation)
            guard report.isValid else { throw refusal(report) }
            let impact = preview.moves
            if inv.whatIf {
                context.say(
                    "What if: Setting \(applied.map(\.name).joined(separator: ", ")) on receive connector \"\(target.stored.connector.identity)\".")
                TrafficReport.say(impact, before: siblings, context: context, whatIf: true)
                continue
            }
            context.beforeSave?()
            do { try context.store.updateConnector(connector, expectedRevision: target.baseRevision) } catch let error as StoreError {
                throw ShellError(error.description)
            }
            warnings(report, applied: applied, connector: connector, all: false, context: context, inv: inv)
            TrafficReport.say(impact, before: siblings, context: context, whatIf: false)
        }
        return []
    }
}

struct RemoveReceiveConnector: Cmdlet {
    static let name = "Remove-ReceiveConnector"
    static let parameters = ["Identity", "DomainController"]
    static let synopsis = "Removes a receive connector (asks first unless -Confirm:$false)."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        for target in try ConnectorLookup.targets(inv, input: input, context: context) {
            let identity = target.stored.connector.identity.description
            let siblings = try context.connectorRoutes(server: target.stored.connector.server)
            let impact = ImpactPreview.moves(
                before: siblings, after: siblings.filter { $0.guid != target.stored.connector.guid },
                changed: [ConnectorRoute(target.stored.connector)])
            if inv.whatIf {
                context.say("What if: Removing receive connector \"\(identity)\".")
                TrafficReport.say(impact, before: siblings, context: context, whatIf: true)
                continue
            }
            guard try context.confirmAction(inv, action: "removing receive connector", target: identity) else { continue }
            do { try context.store.removeConnector(guid: target.stored.connector.guid, expectedRevision: target.baseRevision) } catch let error
                as StoreError
            {
                throw ShellError(error.description)
            }
            TrafficReport.say(impact, before: siblings, context: context, whatIf: false)
        }
        return []
    }
}
