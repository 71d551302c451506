/// What the module needs from the product: the Exchange-specific cmdlets.
///
/// The module knows nothing about Exchange; `Get-ReceiveConnector` and friends live in the host.
public protocol PSCommandHost: AnyObject {
    /// Resolves a command name (cmdlet or alias) the host provides; nil if unknown.
    func resolve(commandName: String) -> PSCommandInfo?
    /// Runs a host command; input holds the objects piped in (empty when first in the pipeline).
    /// Errors thrown here reach the caller of `PSSession.run` unchanged.
    func invoke(_ invocation: PSInvocation, input: [PSValue]) throws -> [PSValue]
    /// Canonical names of the host's commands, used only to suggest a name when the user
    /// mistypes one ("Did you mean Get-ReceiveConnector?"). Defaults to none.
    var commandNames: [String] { get }
}

extension PSCommandHost {
    public var commandNames: [String] { [] }
}

/// How a command's parameters are bound.
public struct PSCommandInfo: Sendable, Equatable {
    public var name: String
    /// Canonical parameter names, for matching prefixes and "did you mean".
    public var parameters: [String]
    /// Parameters that take no value (`-Confirm`, `-Force`); `-Confirm:$false` still works.
    public var switches: Set<String>

    public init(name: String, parameters: [String] = [], switches: Set<String> = []) {
        self.name = name
        self.parameters = parameters
        self.switches = switches
    }

    /// Parameters and switches together, switches not listed in `parameters` last (sorted so
    /// that "Possible matches include" lists are stable).
    var allParameterNames: [String] {
        let listed = Set(parameters.map { $0.lowercased() })
        return parameters + switches.filter { !listed.contains($0.lowercased()) }.sorted()
    }

    func isSwitch(_ name: String) -> Bool {
        switches.contains { $0.caseInsensitiveEquals(name) }
    }
}

/// One call of a host command after parameter binding.
public struct PSInvocation: Sendable, Equatable {
    /// The canonical name from `PSCommandInfo.name`, even when the user typed an alias.
    public var commandName: String
    /// Named arguments, in the order they were written, with canonical parameter names.
    public var arguments: [PSArgument]
    /// Positional arguments in order; which parameter they bind to is the host's business.
    public var positional: [PSArgument]

    public init(commandName: String, arguments: [PSArgument] = [], positional: [PSArgument] = []) {
        self.commandName = commandName
        self.arguments = arguments
        self.positional = positional
    }

    /// The named argument for `parameter` (case-insensitive), if given.
    public func argument(_ parameter: String) -> PSArgument? {
        arguments.first { $0.parameterName?.caseInsensitiveEquals(parameter) ?? false }
    }

    /// Whether the named argument was given at all (even as `-Switch:$false`).
    public func has(_ parameter: String) -> Bool { argument(parameter) != nil }
}

/// One argument: its evaluated value and the text the user typed, so that the host can parse
/// values such as `36MB` or `"0.0.0.0","[::]:"` with its own rules.
public struct PSArgument: Sendable, Equatable {
    /// Canonical; nil for positional arguments.
    public var parameterName: String?
    public var value: PSValue
    /// As typed, e.g. `36MB` or `"0.0.0.0","[::]:"`; empty for a switch given without a value.
    public var sourceText: String

    public init(parameterName: String?, value: PSValue, sourceText: String) {
        self.parameterName = parameterName
        self.value = value
        self.sourceText = sourceText
    }
}
