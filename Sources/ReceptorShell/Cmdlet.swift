import Foundation
import EMSLanguage
import ReceptorCore

/// One EMS cmdlet: its name, the parameters it takes (for binding, prefixes and "did you mean"), and what
/// it does with its arguments and piped input.
protocol Cmdlet: Sendable {
    static var name: String { get }
    /// Parameters that take a value.
    static var parameters: [String] { get }
    /// Parameters that take no value (`-Internet`, `-Force`); `-Confirm` and `-WhatIf` are added for every
    /// cmdlet that changes something.
    static var switches: [String] { get }
    /// The parameter a bare first argument binds to (`Get-ReceiveConnector "Relay"` → Identity).
    static var positional: [String] { get }
    static var changesState: Bool { get }
    static var synopsis: String { get }
    /// Help for parameters the connector parameter table does not describe (`Get-Help -Detailed`).
    static var parameterHelp: [String: String] { get }
    /// Parameters without which the cmdlet refuses to run (shown unbracketed in the syntax line).
    static var requiredParameters: [String] { get }
    /// `Get-Help -Examples`: what each example does, and the command.
    static var examples: [CmdletExample] { get }
    /// What Tab offers for parameters the defaults don't cover (see `valueCompletion(for:)`): an
    /// enumeration's cases, a kind of store object, cmdlet names.
    static var parameterValues: [String: ValueCompletion] { get }
    static func run(_ invocation: CmdletInvocation, input: [PSValue], context: ShellContext) throws -> [PSValue]
}

extension Cmdlet {
    static var switches: [String] { [] }
    static var positional: [String] { ["Identity"] }
    static var changesState: Bool { true }
    static var parameterHelp: [String: String] { [:] }
    static var requiredParameters: [String] { [] }
    static var examples: [CmdletExample] { [] }
    static var parameterValues: [String: ValueCompletion] { [:] }

    static var info: PSCommandInfo {
        var switchSet = Set(switches)
        var names = parameters + switches
        if changesState {
            names += ["Confirm", "WhatIf"]
            switchSet.formUnion(["Confirm", "WhatIf"])
        }
        // `-?` shows the cmdlet's help (taken before binding by ReceptorHost); not listed in the syntax.
        switchSet.insert("?")
        return PSCommandInfo(name: name, parameters: names, switches: switchSet)
    }
}

/// What Tab offers for a parameter's value.
enum ValueCompletion: Sendable, Equatable {
    case none
    /// Fixed names: an enumeration's cases, from the type itself or the parameter table.
    case names([String])
    /// `$true` and `$false`.
    case boolean
    /// Objects in the store, by the names the shell accepts for them.
    case objects(CompletionObjectKind)
    /// Cmdlet names (`Get-Help New-Rec<Tab>`).
    case commands
    /// Property names of the objects piped in (`Get-ReceiveConnector | Select-Object Bin<Tab>`).
    case properties
}

extension Cmdlet {
    /// The store objects `-Identity` names: by the cmdlet's noun (`Set-ReceiveConnector` a connector,
    /// `Get-Mailbox` a mailbox).
    static var identityKind: CompletionObjectKind? {
        switch name.split(separator: "-", maxSplits: 1).last.map(String.init) ?? "" {
        case "ReceiveConnector", "ReceiveConnectorUsage", "ADPermission": .connector
        case "Mailbox": .mailbox
        case "AcceptedDomain": .acceptedDomain
        case "ExchangeServer", "TransportService", "FrontendTransportService": .server
        default: nil
        }
    }

    /// What Tab offers for `parameter`'s value: the cmdlet's own declaration, else -Server's servers,
    /// -Identity's objects, and the parameter table's choices, flags and booleans.
    static func valueCompletion(for parameter: String) -> ValueCompletion {
        if let declared = parameterValues.first(where: { $0.key.caseInsensitiveCompare(parameter) == .orderedSame })?.value { return declared }
        if parameter.caseInsensitiveCompare("Server") == .orderedSame { return .objects(.server) }
        if parameter.caseInsensitiveCompare("Identity") == .orderedSame { return identityKind.map(ValueCompletion.objects) ?? .none }
        guard let row = ConnectorParameters.named(parameter) else { return .none }
        switch row.kind {
        case .choice(let names), .flags(let names): return .names(names)
        case .boolean: return .boolean
        default: return .none
        }
    }
}

/// One `Get-Help -Examples` entry: what it does, and the command.
struct CmdletExample: Sendable {
    let title: String
    let command: String
    init(_ title: String, _ command: String) { self.title = title; self.command = command }
}

/// A cmdlet's arguments by canonical parameter name, with positional values bound in order.
struct CmdletInvocation {
    let name: String
    private(set) var arguments: [String: PSArgument] = [:]
    /// Names as given, in order (warnings and WhatIf texts list them).
    private(set) var order: [String] = []

    init(_ invocation: PSInvocation, positional: [String]) throws {
        name = invocation.commandName
        for arg in invocation.arguments {
            guard let p = arg.parameterName else { continue }
            guard arguments[p] == nil else { throw ShellError("\(name): cannot bind parameter '\(p)' because it was given more than once.") }
            arguments[p] = arg
            order.append(p)
        }
        var slots = positional.filter { arguments[$0] == nil }[...]
        for arg in invocation.positional {
            guard let slot = slots.popFirst() else {
                throw ShellError("\(name): a positional parameter cannot be found that accepts argument '\(arg.sourceText)'.")
            }
            arguments[slot] = PSArgument(parameterName: slot, value: arg.value, sourceText: arg.sourceText)
            order.append(slot)
        }
    }

    func has(_ p: String) -> Bool { arguments[p] != nil }
    func value(_ p: String) -> PSValue? { arguments[p]?.value }
    func source(_ p: String) -> String? { arguments[p]?.sourceText }

    /// A switch is on when given bare or as `-Switch:$true`.
    func flag(_ p: String) -> Bool {
        guard let v = arguments[p]?.value else { return false }
        return v.isTruthy
    }

    var whatIf: Bool { flag("WhatIf") }
    /// `-Confirm:$false` turns the confirmation prompt off.
    var confirmSuppressed: Bool {
        guard let v = arguments["Confirm"]?.value else { return false }
        return !v.isTruthy
    }

    func string(_ p: String) throws -> String? {
        guard let v = value(p) else { return nil }
        switch v {
        case .null: return nil
        case .array(let items) where items.count == 1: return items[0].text
        case .array: throw ShellError("\(name): -\(p) takes one value, not a list.")
        case .object(let o): return o.payloadIdentity ?? v.text
        default: return v.text
        }
    }

    func requiredString(_ p: String) throws -> String {
        guard let s = try string(p), !s.isEmpty else { throw ShellError("\(name): -\(p) is required.") }
        return s
    }

    func strings(_ p: String) -> [String]? {
        guard let v = value(p) else { return nil }
        switch v {
        case .null: return []
        case .array(let items): return items.map(\.text)
        default: return [v.text]
        }
    }

    /// The argument as parameter-table input.
    func parameterInput(_ p: String) throws -> ParameterInput? {
        guard let v = value(p) else { return nil }
        return try Self.input(from: v, parameter: p, command: name)
    }

    static func input(from v: PSValue, parameter: String, command: String) throws -> ParameterInput {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let n): return .number(n)
        case .double(let d): return .text(String(d))
        case .string(let s): return .text(s)
        case .typed(let t): return .text(t.text)
        case .array(let items): return .list(items.map(\.text))
        case .hashtable(let pairs):
            var add: [String] = [], remove: [String] = []
            for (key, value) in pairs {
                let values: [String] = if case .array(let items) = value { items.map(\.text) } else { [value.text] }
                switch key.lowercased() {
                case "add": add += values
                case "remove": remove += values
                default: throw ShellError("\(command): -\(parameter) takes @{Add=…} or @{Remove=…}, not @{\(key)=…}.")
                }
            }
            return .modify(add: add, remove: remove)
        case .object, .scriptBlock, .secureString:
            throw ShellError("\(command): -\(parameter) can't take \(v.text.isEmpty ? "that value" : "'\(v.text)'").")
        }
    }
}

extension PSObject {
    /// The store identity a shell object carries through a pipeline (`connector:<guid>`, …).
    var payloadIdentity: String? { payload }
}
