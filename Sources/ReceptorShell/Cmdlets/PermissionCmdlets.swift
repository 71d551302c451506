import Foundation
import EMSLanguage
import ReceptorCore
import ReceptorStore

/// Add-/Remove-/Get-ADPermission on receive connectors: explicit allow and deny entries for well-known
/// principals and accounts (reference §5, §7 method A).
enum PermissionArguments {
    /// Tab's values for -User (well-known principals and accounts), -ExtendedRights and -AccessRights.
    static let completions: [String: ValueCompletion] = [
        "User": .objects(.user), "ExtendedRights": .names(ExtendedRight.allCases.map(\.rawValue)), "AccessRights": .names(["ExtendedRight"]),
    ]

    static func principal(_ inv: CmdletInvocation, context: ShellContext, server: Server) throws -> SecurityPrincipal {
        let text = try inv.requiredString("User")
        if let known = SecurityPrincipal.wellKnown(domain: server.domain).first(where: { $0.name.caseInsensitiveCompare(text) == .orderedSame }) {
            return known
        }
        if let account = try context.store.accounts().first(where: { $0.answers(to: text) || $0.name.caseInsensitiveCompare(text) == .orderedSame }) {
            return SecurityPrincipal(account.userPrincipalName)
        }
        let known = SecurityPrincipal.wellKnown(domain: server.domain).map(\.name)
        throw ShellError(
            "\(inv.name): the user or group '\(text)' couldn't be found. Use an account (user@domain) or one of: \(known.joined(separator: "; ")).")
    }

    static func rights(_ inv: CmdletInvocation) throws -> [ExtendedRight] {
        guard let names = inv.strings("ExtendedRights"), !names.isEmpty else {
            throw ShellError("\(inv.name): -ExtendedRights is required, for example -ExtendedRights ms-Exch-SMTP-Accept-Any-Recipient.")
        }
        if let access = try inv.string("AccessRights"), access.caseInsensitiveCompare("ExtendedRight") != .orderedSame {
            throw ShellError("\(inv.name): receive connectors take -AccessRights ExtendedRight only (it was \(access)).")
        }
        do {
            return try names.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
                .filter { !$0.isEmpty }.map { try ExtendedRight(parsing: $0) }
        } catch let error as ValueError { throw ShellError("\(inv.name): \(error.message)") }
    }

    static func server(of connector: ReceiveConnector, context: ShellContext) throws -> Server {
        try context.server(named: connector.server)
    }
}

struct AddADPermission: Cmdlet {
    static let name = "Add-ADPermission"
    static let parameterValues: [String: ValueCompletion] = PermissionArguments.completions
    static let parameters = ["Identity", "User", "ExtendedRights", "AccessRights", "DomainController"]
    static let switches = ["Deny"]
    static let synopsis = "Grants (or with -Deny refuses) extended rights on a receive connector to a user or group."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var out: [PSValue] = []
        for target in try ConnectorLookup.targets(inv, input: input, context: context) {
            let connector = target.stored.connector
            let server = try PermissionArguments.server(of: connector, context: context)
            let entry = PermissionEntry(
                user: try PermissionArguments.principal(inv, context: context, server: server),
                extendedRights: try PermissionArguments.rights(inv), deny: inv.flag("Deny"))
            if inv.whatIf {
                context.say(
                    "What if: Adding \(entry.deny ? "Deny" : "Allow") \(entry.extendedRights.map(\.rawValue).joined(separator: ", ")) for \(entry.user) on \"\(connector.identity)\"."
                ); continue
            }
            do { try context.store.addPermission(entry, connector: connector.guid) } catch let error as StoreError {
                throw ShellError(error.description)
            }
            out.append(.object(ObjectMapping.permission(entry, connector: connector)))
        }
        return out
    }
}

struct RemoveADPermission: Cmdlet {
    static let name = "Remove-ADPermission"
    static let parameterValues: [String: ValueCompletion] = PermissionArguments.completions
    static let parameters = ["Identity", "User", "ExtendedRights", "AccessRights", "DomainController"]
    static let switches = ["Deny"]
    static let synopsis = "Removes explicit extended rights from a receive connector (rights from permission groups stay)."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        for target in try ConnectorLookup.targets(inv, input: input, context: context) {
            let connector = target.stored.connector
            let server = try PermissionArguments.server(of: connector, context: context)
            let entry = PermissionEntry(
                user: try PermissionArguments.principal(inv, context: context, server: server),
                extendedRights: try PermissionArguments.rights(inv), deny: inv.flag("Deny"))
            if inv.whatIf {
                context.say(
                    "What if: Removing \(entry.extendedRights.map(\.rawValue).joined(separator: ", ")) for \(entry.user) from \"\(connector.identity)\"."
                ); continue
            }
            guard try context.confirmAction(inv, action: "removing permissions of \(entry.user) on", target: connector.identity.description) else {
                continue
            }
            do { try context.store.removePermission(entry, connector: connector.guid) } catch let error as StoreError {
                throw ShellError(error.description)
            }
        }
        return []
    }
}

struct GetADPermission: Cmdlet {
    static let name = "Get-ADPermission"
    static let parameterValues: [String: ValueCompletion] = ["User": .objects(.user)]
    static let parameters = ["Identity", "User", "DomainController"]
    static let changesState = false
    static let synopsis = "Lists a receive connector's permissions: those of its permission groups and explicit ones."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        var out: [PSValue] = []
        for target in try ConnectorLookup.targets(inv, input: input, context: context) {
            let connector = target.stored.connector
            let server = try PermissionArguments.server(of: connector, context: context)
            var entries = PermissionModel.groupEntries(for: connector, domain: server.domain)
            entries += try context.store.permissions(connector: connector.guid)
            if inv.has("User") {
                let user = try PermissionArguments.principal(inv, context: context, server: server)
                entries = entries.filter { $0.user == user }
            }
            out += entries.map { .object(ObjectMapping.permission($0, connector: connector)) }
        }
        return out
    }
}
