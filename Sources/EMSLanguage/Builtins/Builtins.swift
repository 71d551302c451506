import Foundation

/// A generic pipeline cmdlet the module implements itself (Where-Object, Format-List...).
protocol BuiltinCommand {
    static var name: String { get }
    static var aliases: [String] { get }
    static var parameters: [String] { get }
    static var switches: Set<String> { get }
    /// Parameters that positional arguments bind to, in order. Some cmdlets choose by the
    /// first argument (a script block or a property name), hence the argument list.
    static func positionalParameters(for positional: [PSArgument]) -> [String]
    /// Whether surplus positional arguments are collected (Write-Output a b c).
    static var takesRemainingArguments: Bool { get }
    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue]
}

extension BuiltinCommand {
    static var aliases: [String] { [] }
    static var switches: Set<String> { [] }
    static var takesRemainingArguments: Bool { false }
    static func positionalParameters(for positional: [PSArgument]) -> [String] { [] }

    static var info: PSCommandInfo { PSCommandInfo(name: name, parameters: parameters, switches: switches) }
}

enum Builtins {
    // Computed rather than stored so that no global mutable-looking state is involved.
    static var all: [any BuiltinCommand.Type] {
        [
            WhereObjectCommand.self, ForEachObjectCommand.self,
            SelectObjectCommand.self, SortObjectCommand.self, MeasureObjectCommand.self,
            FormatListCommand.self, FormatTableCommand.self,
            ConvertToJsonCommand.self, ConvertToSecureStringCommand.self,
            OutNullCommand.self, OutStringCommand.self, WriteOutputCommand.self, WriteHostCommand.self,
        ]
    }

    /// Built-ins win over host commands of the same name, so that `?`, `%`, `select`... always
    /// mean what administrators expect.
    static func lookup(_ name: String) -> (any BuiltinCommand.Type)? {
        all.first { command in
            command.name.caseInsensitiveEquals(name) || command.aliases.contains { $0.caseInsensitiveEquals(name) }
        }
    }

    /// Canonical names, for "Did you mean" suggestions.
    static var commandNames: [String] { all.map { $0.name } }
}

/// A built-in's arguments after binding, positional ones mapped onto their parameters.
struct BuiltinArguments {
    /// Keyed by lowercased canonical parameter name.
    private(set) var named: [String: PSArgument] = [:]
    /// Surplus positional arguments, for commands that take them.
    private(set) var remaining: [PSArgument] = []

    init(bound: BoundParameters, command: any BuiltinCommand.Type) throws {
        for argument in bound.named {
            named[(argument.parameterName ?? "").lowercased()] = argument
        }
        var slots = command.positionalParameters(for: bound.positional).filter { named[$0.lowercased()] == nil }
        for argument in bound.positional {
            if !slots.isEmpty {
                let parameter = slots.removeFirst()
                named[parameter.lowercased()] = PSArgument(
                    parameterName: parameter, value: argument.value, sourceText: argument.sourceText)
            } else if command.takesRemainingArguments {
                remaining.append(argument)
            } else {
                throw PSRuntimeError("A positional parameter cannot be found that accepts argument '\(argument.sourceText)'.")
            }
        }
    }

    subscript(_ parameter: String) -> PSValue? { named[parameter.lowercased()]?.value }

    func has(_ parameter: String) -> Bool { named[parameter.lowercased()] != nil }

    /// A switch's state: present and not `:$false`.
    func isOn(_ parameter: String) -> Bool { self[parameter]?.isTruthy ?? false }

    func int(_ parameter: String) throws -> Int? {
        guard let value = self[parameter] else { return nil }
        switch value {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int(d)
        case .string(let s):
            if case .int(let i)? = NumberLiteral.parse(s) { return i }
        default: break
        }
        throw PSRuntimeError(
            "Cannot bind parameter '\(parameter)'. Cannot convert value \"\(value.text)\" to type \"System.Int32\".")
    }

    func scriptBlock(_ parameter: String) throws -> ScriptBlock? {
        guard let value = self[parameter] else { return nil }
        guard case .scriptBlock(let block) = value else {
            throw PSRuntimeError(
                "Cannot bind parameter '\(parameter)'. Cannot convert the \"\(value.text)\" value of type \"\(value.typeDisplayName)\" to type \"System.Management.Automation.ScriptBlock\"."
            )
        }
        return block
    }

    /// `-InputObject` when given (not unrolled, as in PowerShell), else the pipeline input.
    func inputItems(_ pipelineInput: [PSValue]) -> [PSValue] {
        if let value = self["InputObject"] { return [value] }
        return pipelineInput
    }
}

/// A `-Property` entry of Select-Object, Sort-Object and the Format cmdlets: a name (with
/// wildcards), or a calculated property `@{Name='X'; Expression={...}}` / `{ ... }`.
enum PropertySelector {
    case pattern(String)
    case calculated(label: String, source: Source, descending: Bool?)

    enum Source {
        case script(ScriptBlock)
        case property(String)
    }

    static func parse(_ value: PSValue) throws -> [PropertySelector] {
        try value.elements.map { item in
            switch item {
            case .scriptBlock(let block):
                return .calculated(
                    label: block.text.trimmingCharacters(in: .whitespaces), source: .script(block), descending: nil)
            case .hashtable(let entries):
                return try calculated(entries)
            default:
                return .pattern(item.text)
            }
        }
    }

    /// Keys may be abbreviated as in PowerShell: n/name/l/label, e/expression.
    private static func calculated(_ entries: [(key: String, value: PSValue)]) throws -> PropertySelector {
        var label: String?
        var source: Source?
        var descending: Bool?
        for (key, value) in entries {
            let k = key.lowercased()
            if !k.isEmpty, "name".hasPrefix(k) || "label".hasPrefix(k) {
                label = value.text
            } else if !k.isEmpty, "expression".hasPrefix(k) {
                if case .scriptBlock(let block) = value { source = .script(block) } else { source = .property(value.text) }
            } else if k == "descending" || k == "ascending" {
                descending = k == "descending" ? value.isTruthy : !value.isTruthy
            } else {
                throw PSRuntimeError("The \"\(key)\" key is not valid.")
            }
        }
        guard let source else { throw PSRuntimeError("The \"Expression\" key is missing.") }
        let fallback: String =
            switch source {
            case .script(let block): block.text.trimmingCharacters(in: .whitespaces)
            case .property(let name): name
            }
        return .calculated(label: label ?? fallback, source: source, descending: descending)
    }

    /// Resolves selectors against one value. Wildcard patterns expand to the value's matching
    /// properties in the value's order; plain names are looked up (canonical spelling) and,
    /// when `includeMissing`, kept with `$null` if the value lacks them.
    static func resolve(
        _ selectors: [PropertySelector], for item: PSValue, interpreter: Interpreter, includeMissing: Bool
    ) throws -> [(name: String, value: PSValue)] {
        var result: [(name: String, value: PSValue)] = []
        func add(_ name: String, _ value: PSValue) {
            if !result.contains(where: { $0.name.caseInsensitiveEquals(name) }) { result.append((name, value)) }
        }
        for selector in selectors {
            switch selector {
            case .pattern(let pattern):
                if WildcardPattern.hasWildcards(pattern) {
                    let wildcard = try WildcardPattern(pattern)
                    for name in Members.propertyNames(of: item) where wildcard.matches(name) {
                        add(name, Members.property(of: item, named: name) ?? .null)
                    }
                } else if let (name, value) = Members.lookup(item, pattern) {
                    add(name, value)
                } else if includeMissing {
                    add(pattern, .null)
                }
            case .calculated(let label, let source, _):
                add(label, try evaluate(source, for: item, interpreter: interpreter))
            }
        }
        return result
    }

    static func evaluate(_ source: Source, for item: PSValue, interpreter: Interpreter) throws -> PSValue {
        switch source {
        case .script(let block): return PSValue.collapse(try interpreter.invoke(block, item: item))
        case .property(let name): return Members.property(of: item, named: name) ?? .null
        }
    }
}
