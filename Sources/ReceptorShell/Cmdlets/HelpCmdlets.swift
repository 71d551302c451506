import Foundation
import EMSLanguage
import ReceptorCore

/// `Get-Help [-Name] New-ReceiveConnector [-Detailed | -Full | -Examples | -Parameter RemoteIPRanges]`; without
/// a name, the list of cmdlets.
struct GetHelp: Cmdlet {
    static let name = "Get-Help"
    static let parameterValues: [String: ValueCompletion] = ["Name": .commands]
    static let parameters = ["Name", "Parameter"]
    static let switches = ["Detailed", "Full", "Examples"]
    static let positional = ["Name"]
    static let changesState = false
    static let synopsis = "Shows a cmdlet's syntax, parameters and examples: Get-Help New-ReceiveConnector -Detailed."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        guard let name = try inv.string("Name") else {
            return ReceptorHost.commandSummaries.map { .string("\($0.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \($0.synopsis)") }
        }
        guard let cmdlet = ReceptorHost.byName[name.lowercased()] else {
            var message = "Get-Help could not find \(name) in a help file."
            if let near = Suggestions.closest(to: name, among: ReceptorHost.commandSummaries.map(\.name)) { message += " Did you mean \(near)?" }
            throw ShellError(message)
        }
        if let parameter = try inv.string("Parameter") {
            guard let canonical = cmdlet.info.parameters.first(where: { $0.caseInsensitiveCompare(parameter) == .orderedSame }) else {
                var message = "\(cmdlet.name) has no parameter -\(parameter)."
                if let near = Suggestions.closest(to: parameter, among: cmdlet.info.parameters) { message += " Did you mean -\(near)?" }
                throw ShellError(message)
            }
            return CmdletHelp.parameterText(canonical, of: cmdlet).map { PSValue.string($0) }
        }
        let detailed = inv.flag("Detailed") || inv.flag("Full")
        if inv.flag("Examples") && !detailed {
            var lines = ["", "NAME", "    \(cmdlet.name)", "", "SYNOPSIS", "    \(cmdlet.synopsis)"]
            if cmdlet.examples.isEmpty { lines += ["", "    No examples."] }
            for (n, example) in cmdlet.examples.enumerated() {
                lines += ["", "    -------------------------- Example \(n + 1) --------------------------", "    \(example.command)", ""]
                lines += CmdletHelp.wrap(example.title, indent: "    ", hanging: "    ")
            }
            return lines.map { PSValue.string($0) }
        }
        return CmdletHelp.text(for: cmdlet, detailed: detailed, examples: detailed).map { PSValue.string($0) }
    }
}

/// `Get-Command [[-Name] pattern] [-Noun ReceiveConnector] [-Verb Set]`: the cmdlets, as objects.
struct GetCommand: Cmdlet {
    static let name = "Get-Command"
    static var parameterValues: [String: ValueCompletion] {
        let parts = ReceptorHost.cmdlets.map { $0.name.split(separator: "-", maxSplits: 1).map(String.init) }
        func unique(_ names: [String]) -> [String] { names.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        return ["Name": .commands, "Verb": .names(unique(parts.map(\.[0]))), "Noun": .names(unique(parts.compactMap { $0.count > 1 ? $0[1] : nil }))]
    }
    static let parameters = ["Name", "Noun", "Verb"]
    static let positional = ["Name"]
    static let changesState = false
    static let synopsis = "Lists the cmdlets: Get-Command -Noun ReceiveConnector, Get-Command -Verb Set, Get-Command *Mailbox*."

    static func run(_ inv: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue] {
        let pattern = try inv.string("Name"), noun = try inv.string("Noun"), verb = try inv.string("Verb")
        func like(_ wildcard: String?, _ text: String) -> Bool { wildcard.map { Wildcard.matches($0, text) } ?? true }
        let found = ReceptorHost.cmdlets.filter { cmdlet in
            let parts = cmdlet.name.split(separator: "-", maxSplits: 1).map(String.init)
            return like(pattern, cmdlet.name) && like(verb, parts[0]) && like(noun, parts.count > 1 ? parts[1] : "")
        }
        if found.isEmpty, let pattern, !WildcardPattern.hasWildcards(pattern) {
            throw ShellError("The term '\(pattern)' is not recognized as a name of a cmdlet.")
        }
        return found.map { cmdlet in
            var o = PSObject(
                typeName: "CmdletInfo",
                properties: [
                    PSProperty("CommandType", .string("Cmdlet")),
                    PSProperty("Name", .string(cmdlet.name)),
                    PSProperty("Verb", .string(String(cmdlet.name.split(separator: "-").first ?? ""))),
                    PSProperty("Noun", .string(String(cmdlet.name.split(separator: "-", maxSplits: 1).last ?? ""))),
                    PSProperty("Synopsis", .string(cmdlet.synopsis)),
                ])
            o.defaultDisplayProperties = ["CommandType", "Name", "Synopsis"]
            return .object(o)
        }
    }
}
