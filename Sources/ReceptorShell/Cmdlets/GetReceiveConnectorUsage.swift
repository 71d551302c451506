import Foundation
import EMSLanguage
import ReceptorControl
import ReceptorCore
import ReceptorStore

/// `Get-ReceiveConnectorUsage "Relay MBX01" [-Days 7]`: who sent through a connector (Exchange has no such
/// cmdlet; administrators run Log Parser over protocol logs instead): one row per remote address over the
/// days asked, from what the listeners of this data directory recorded (`usage/`), newest first.
struct GetReceiveConnectorUsage: Cmdlet {
    static let name = "Get-ReceiveConnectorUsage"
    static let parameters = ["Identity", "Days", "DomainController"]
    static let positional = ["Identity"]
    static let changesState = false
    static let synopsis =
        "Who used a receive connector: per remote address, HELO names, accounts, sessions, TLS, messages, relayed, rejected, first and last seen (-Days, 30 at most by default)."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var days = ReceptorControl.ConnectorUsage.defaultRetentionDays
        if let text = try inv.string("Days") {
            guard let n = Int(text), (1...3650).contains(n) else {
                throw ShellError("\(name): -Days takes a number of days from 1 to 3650, not '\(text)'.")
            }
            days = n
        }
        let targets = try ConnectorLookup.targets(inv, input: input, context: context, required: false)
        let wanted = Set(targets.map { $0.stored.connector.guid.uuidString.lowercased() })
        let dataDirectory = context.dataDirectory(server: try? context.currentServer().name)
        return ReceptorControl.ConnectorUsage.merged(
            ReceptorControl.ConnectorUsage.read(dataDirectory: dataDirectory, days: days), connectors: wanted
        ).map { row in
            var o = PSObject(
                typeName: "ReceiveConnectorUsage",
                properties: [
                    PSProperty("Connector", .string(row.connector)),
                    PSProperty("RemoteIPAddress", .string(row.remoteAddress)),
                    PSProperty("HeloNames", .array(row.heloNames.map(PSValue.string))),
                    PSProperty("Accounts", .array(row.accounts.map(PSValue.string))),
                    PSProperty("Sessions", .int(row.sessions)),
                    PSProperty("TlsSessions", .int(row.tlsSessions)),
                    PSProperty("Messages", .int(row.messages)),
                    PSProperty("Relayed", .int(row.relayed)),
                    PSProperty("Rejected", .int(row.rejected)),
                    PSProperty("FirstSeen", .string(ISO8601DateFormatter().string(from: row.firstSeen))),
                    PSProperty("LastSeen", .string(ISO8601DateFormatter().string(from: row.lastSeen))),
                ])
            o.defaultDisplayProperties = ["RemoteIPAddress", "Sessions", "Messages", "Relayed", "Rejected", "LastSeen"]
            return .object(o)
        }
    }
}
