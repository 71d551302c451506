import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// The Exchange cmdlets Receptor provides to the EMS language: name → cmdlet, and the dispatch.
public final class ReceptorHost: PSCommandHost {
    static let cmdlets: [any Cmdlet.Type] = [
        GetReceiveConnector.self, NewReceiveConnector.self, SetReceiveConnector.self, RemoveReceiveConnector.self, TestReceiveConnector.self,
        GetReceiveConnectorUsage.self,
        AddADPermission.self, RemoveADPermission.self, GetADPermission.self,
        GetAcceptedDomain.self, NewAcceptedDomain.self, SetAcceptedDomain.self, RemoveAcceptedDomain.self,
        NewMailbox.self, GetMailbox.self, SetMailbox.self, RemoveMailbox.self, GetRecipientFilterConfig.self, SetRecipientFilterConfig.self,
        GetExchangeServer.self, GetTransportService.self, SetTransportService.self,
        GetFrontendTransportService.self, SetFrontendTransportService.self, GetTransportConfig.self, SetTransportConfig.self,
        GetHelp.self, GetCommand.self, GetContent.self, ImportCsv.self, ExportCsv.self, OutFile.self,
    ]
    static let byName: [String: any Cmdlet.Type] = Dictionary(uniqueKeysWithValues: cmdlets.map { ($0.name.lowercased(), $0) })

    public let context: ShellContext

    public init(context: ShellContext) { self.context = context }

    public var commandNames: [String] { Self.cmdlets.map { $0.name } }

    public func resolve(commandName: String) -> PSCommandInfo? {
        Self.byName[commandName.lowercased()]?.info
    }

    public func invoke(_ invocation: PSInvocation, input: [PSValue]) throws -> [PSValue] {
        guard let cmdlet = Self.byName[invocation.commandName.lowercased()] else {
            throw ShellError("The term '\(invocation.commandName)' is not recognized as a name of a cmdlet.")
        }
        if invocation.has("?") {
            return CmdletHelp.text(for: cmdlet, detailed: false, examples: false).map(PSValue.string)
        }
        let inv = try CmdletInvocation(invocation, positional: cmdlet.positional)
        return try cmdlet.run(inv, input: input, context: context)
    }

    /// One line per cmdlet, for `receptor shell --help` and the interactive `help`.
    public static var commandSummaries: [(name: String, synopsis: String)] {
        cmdlets.map { ($0.name, $0.synopsis) }
    }
}
