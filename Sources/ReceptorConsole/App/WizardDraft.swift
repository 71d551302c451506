import Foundation
import ReceptorCore

/// The New receive connector wizard's draft (reference §2b): what page 1 and the list pages hold. Everything
/// else comes from the core: the connector from `ConnectorFactory`, the errors from `ConnectorValidator`, the
/// command line from the parameter table.
public struct WizardDraft: Sendable {
    public enum Page: String, Sendable, CaseIterable {
        case general = "Name, role and type"
        case bindings = "Network adapter bindings"
        case remote = "Remote network settings"
        case summary = "Summary"
    }

    public var server: Server
    public var name: String = ""
    public var transportRole: TransportRole = .frontendTransport
    public var usage: ConnectorUsage = .custom
    public var bindings: [IPBinding] = [IPBinding(address: .anyV4, port: 25)]
    public var remoteIPRanges: [IPRange] = [.allIPv4]
    public var guid: UUID

    public init(server: Server, guid: UUID = UUID()) { self.server = server; self.guid = guid }

    public var isEdge: Bool { server.role == .edge }

    /// The pages the chosen type shows (reference §2b table), then the summary.
    public var pages: [Page] {
        switch usage {
        case .internet: [.general, .bindings, .summary]
        case .partner, .custom: [.general, .bindings, .remote, .summary]
        case .internal, .client: [.general, .remote, .summary]
        }
    }

    /// What the wizard asks the factory for: lists only for the pages the type shows.
    public var request: NewConnectorRequest {
        NewConnectorRequest(
            name: name, usageSwitches: [usage], transportRole: isEdge ? nil : transportRole,
            bindings: pages.contains(.bindings) ? bindings : nil,
            remoteIPRanges: pages.contains(.remote) ? remoteIPRanges : nil)
    }

    public struct Evaluation: Sendable {
        public var connector: ReceiveConnector?
        public var errors: [RuleViolation]
        public var warnings: [RuleWarning]
    }

    /// The connector Finish would create, with the rules' errors and warnings; `localAddresses` (the host's,
    /// nil if unknown) gives the note on a binding whose address the host doesn't have, as in the shell.
    public func evaluate(siblings: [ReceiveConnector], localAddresses: [IPAddress]? = nil) -> Evaluation {
        let connector: ReceiveConnector
        do { connector = try ConnectorFactory.make(request, server: server, guid: guid) } catch {
            return Evaluation(connector: nil, errors: [error], warnings: [])
        }
        let report = ConnectorValidator.validate(connector, in: ValidationContext(server: server, siblings: siblings, localAddresses: localAddresses))
        return Evaluation(connector: connector, errors: report.errors, warnings: report.warnings)
    }

    /// The page whose field an error belongs to, among the pages this type shows.
    public func page(for parameter: String) -> Page {
        let shown = pages
        switch parameter {
        case "Name", "Usage", "TransportRole": return .general
        case "Bindings": return shown.contains(.bindings) ? .bindings : shown.contains(.remote) ? .remote : .general
        case "RemoteIPRanges": return shown.contains(.remote) ? .remote : shown.contains(.bindings) ? .bindings : .general
        default: return .summary
        }
    }

    /// The equivalent `New-ReceiveConnector` line, each value written by the parameter table.
    public func commandLine(for connector: ReceiveConnector, includeServer: Bool) -> String {
        func text(_ name: String) -> String { ConnectorParameters.named(name)!.commandText(of: connector) }
        var parts = ["New-ReceiveConnector", "-Name", text("Name")]
        if includeServer { parts += ["-Server", server.name] }
        if !isEdge { parts += ["-TransportRole", text("TransportRole")] }
        parts.append("-\(usage.rawValue)")
        if pages.contains(.bindings) { parts += ["-Bindings", text("Bindings")] }
        if pages.contains(.remote) { parts += ["-RemoteIPRanges", text("RemoteIPRanges")] }
        return parts.joined(separator: " ")
    }
}

extension IPBinding {
    /// The wizard's IP ADDRESSES column: "(All available IPv4)" for 0.0.0.0, as the EAC shows it.
    var addressLabel: String {
        if address == .anyV4 { return "(All available IPv4)" }
        if address == .anyV6 { return "(All available IPv6)" }
        return "\(address)"
    }
}
