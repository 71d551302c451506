import Foundation
import ReceptorCore

/// `Get-Help`, `-?` and `Get-Command` text, from the same sources the shell binds with: each cmdlet's
/// parameter list and synopsis, and for receive-connector parameters the parameter table's syntax and help
/// (the wording the console's help lines use).
enum CmdletHelp {
    /// The common parameters every cmdlet that changes something takes.
    static let commonHelp = [
        "WhatIf": "Shows what the command would change, and which traffic would move between connectors, without changing anything.",
        "Confirm": "Asks before changing anything; -Confirm:$false never asks.",
        "DomainController": "Accepted for scripts written for Exchange and ignored: Receptor has no domain controllers.",
    ]

    /// Syntax, description, and with `detailed` every parameter's help; with `examples` the examples.
    static func text(for cmdlet: any Cmdlet.Type, detailed: Bool, examples: Bool) -> [String] {
        var lines = ["", "NAME", "    \(cmdlet.name)", "", "SYNOPSIS"] + wrap(cmdlet.synopsis, indent: "    ", hanging: "    ") + ["", "SYNTAX"]
        lines.append(contentsOf: wrap(syntax(of: cmdlet), indent: "    ", hanging: "        "))
        if detailed {
            lines += ["", "PARAMETERS"]
            for name in cmdlet.info.parameters {
                lines += parameterText(name, of: cmdlet)
            }
        }
        if examples || detailed {
            if !cmdlet.examples.isEmpty { lines += ["", "EXAMPLES"] }
            for (n, example) in cmdlet.examples.enumerated() {
                lines += ["", "    -------------------------- Example \(n + 1) --------------------------", "    \(example.command)", ""]
                lines.append(contentsOf: wrap(example.title, indent: "    ", hanging: "    "))
            }
        }
        if !detailed {
            lines += [
                "", "REMARKS",
                "    For more, type: Get-Help \(cmdlet.name) -Detailed; for examples: Get-Help \(cmdlet.name) -Examples;",
                "    for one parameter: Get-Help \(cmdlet.name) -Parameter <name>.",
            ]
        }
        return lines
    }

    /// `New-ReceiveConnector -Name <String> [-Bindings <MultiValuedProperty>] … [-WhatIf] [-Confirm]`.
    static func syntax(of cmdlet: any Cmdlet.Type) -> String {
        var parts = [cmdlet.name]
        // The common parameters last, in PowerShell's order.
        let common = ["WhatIf", "Confirm"].filter(cmdlet.info.parameters.contains)
        for name in cmdlet.info.parameters.filter({ !common.contains($0) }) + common {
            let positional = cmdlet.positional.first == name
            let value = cmdlet.info.switches.contains(name) ? "" : " <\(typeName(name, of: cmdlet))>"
            let written = positional ? "[-\(name)]\(value)" : "-\(name)\(value)"
            parts.append(required(name, of: cmdlet) ? written : "[\(written)]")
        }
        return parts.joined(separator: " ")
    }

    static func parameterText(_ name: String, of cmdlet: any Cmdlet.Type) -> [String] {
        var lines = ["", "    -\(name)\(cmdlet.info.switches.contains(name) ? "" : " <\(typeName(name, of: cmdlet))>")"]
        let help =
            ConnectorParameters.named(name).map { "\($0.help) Values: \($0.kind.syntax)." }
            ?? cmdlet.parameterHelp[name] ?? commonHelp[name]
            ?? (cmdlet.info.switches.contains(name) ? "A switch." : "")
        if !help.isEmpty { lines.append(contentsOf: wrap(help, indent: "        ", hanging: "        ")) }
        var facts: [String] = []
        facts.append("Required? \(required(name, of: cmdlet) ? "true" : "false")")
        if let index = cmdlet.positional.firstIndex(of: name) { facts.append("Position? \(index)") } else { facts.append("Position? named") }
        lines.append("        " + facts.joined(separator: "; "))
        return lines
    }

    static func typeName(_ name: String, of cmdlet: any Cmdlet.Type) -> String {
        guard let p = ConnectorParameters.named(name) else { return "String" }
        switch p.kind {
        case .boolean: return "Boolean"
        case .text, .fqdn: return p.kind == .fqdn ? "Fqdn" : "String"
        case .integer: return "Int32"
        case .unlimited: return "Unlimited"
        case .byteSize: return "ByteQuantifiedSize"
        case .timeSpan: return "EnhancedTimeSpan"
        case .choice: return p.name
        case .flags: return "MultiValuedProperty"
        case .bindings, .remoteIPRanges, .textList: return "MultiValuedProperty"
        }
    }

    static func required(_ name: String, of cmdlet: any Cmdlet.Type) -> Bool { cmdlet.requiredParameters.contains(name) }

    static func wrap(_ text: String, indent: String, hanging: String, width: Int = 110) -> [String] {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > width, line.trimmingCharacters(in: .whitespaces).count > 0 {
                lines.append(line)
                line = hanging
            }
            line += (line == indent || line == hanging ? "" : " ") + word
        }
        if !line.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(line) }
        return lines
    }
}
