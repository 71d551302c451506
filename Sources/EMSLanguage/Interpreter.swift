/// Runs parsed scripts: statements, pipelines, commands and expressions.
///
/// Pipelines run stage by stage (each command receives all of the previous stage's output)
/// rather than streaming object by object; for the one-line administration commands this
/// module serves, the output is the same and the code is much simpler.
final class Interpreter {
    let session: PSSession
    /// `$_` / `$PSItem` of the script blocks currently running (innermost last).
    private var currentItems: [PSValue] = []

    init(session: PSSession) {
        self.session = session
    }

    /// Runs statements and returns their output concatenated.
    func run(_ script: PSScript) throws -> [PSValue] {
        var output: [PSValue] = []
        for statement in script.statements {
            output.append(contentsOf: try execute(statement))
        }
        return output
    }

    func execute(_ statement: PSStatement) throws -> [PSValue] {
        switch statement {
        case .pipeline(let pipeline):
            return try execute(pipeline)
        case .assignment(let name, let pipeline):
            try session.assign(name, PSValue.collapse(try execute(pipeline)))
            return []
        }
    }

    func execute(_ pipeline: PSPipeline) throws -> [PSValue] {
        var items: [PSValue] = []
        for element in pipeline.elements {
            switch element {
            case .expression(let expression):
                items = PSValue.enumerate(try evaluate(expression))
            case .command(let command):
                items = try invoke(command, input: items)
            }
        }
        return items
    }

    /// Runs a script block with `$_` set to `item` (when given); returns its output.
    func invoke(_ block: ScriptBlock, item: PSValue?) throws -> [PSValue] {
        if let item { currentItems.append(item) }
        defer { if item != nil { currentItems.removeLast() } }
        return try run(block.body)
    }

    // MARK: - Commands

    private func invoke(_ command: PSCommand, input: [PSValue]) throws -> [PSValue] {
        if let builtin = Builtins.lookup(command.name) {
            let bound = try ParameterBinder.bind(command.elements, info: builtin.info, evaluate: evaluate)
            let arguments = try BuiltinArguments(bound: bound, command: builtin)
            return try builtin.run(arguments, input: input, interpreter: self)
        }
        if let info = session.host.resolve(commandName: command.name) {
            let bound = try ParameterBinder.bind(command.elements, info: info, evaluate: evaluate)
            let invocation = PSInvocation(commandName: info.name, arguments: bound.named, positional: bound.positional)
            return try session.host.invoke(invocation, input: input)
        }
        var message = "The term '\(command.name)' is not recognized as a name of a cmdlet."
        let known = Builtins.commandNames + session.host.commandNames
        if let suggestion = Suggestions.closest(to: command.name, among: known) {
            message += " Did you mean \(suggestion)?"
        }
        throw PSRuntimeError(message)
    }

    // MARK: - Expressions

    func evaluate(_ expression: PSExpression) throws -> PSValue {
        switch expression {
        case .constant(let value):
            return value
        case .expandableString(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let t): text += t
                case .variable(let name): text += variable(name).text
                case .subexpression(let script): text += PSValue.collapse(try run(script)).text
                }
            }
            return .string(text)
        case .variable(let name):
            return variable(name)
        case .member(let target, let name):
            return Members.property(of: try evaluate(target), named: name) ?? .null
        case .methodCall(let target, let name, let arguments):
            let value = try evaluate(target)
            return try Members.callMethod(on: value, named: name, arguments: try arguments.map { try evaluate($0) })
        case .index(let target, let index):
            return Members.index(try evaluate(target), try evaluate(index))
        case .arrayLiteral(let items):
            return .array(try items.map { try evaluate($0) })
        case .parenthesized(let pipeline):
            return PSValue.collapse(try execute(pipeline))
        case .subexpression(let script):
            return PSValue.collapse(try run(script))
        case .arraySubexpression(let script):
            return .array(try run(script))
        case .hashtable(let entries):
            return .hashtable(try entries.map { (key: $0.key, value: PSValue.collapse(try execute($0.value))) })
        case .scriptBlock(let block):
            return .scriptBlock(block)
        case .unary(let op, let operand):
            return try unary(op, try evaluate(operand))
        case .binary(let op, let left, let right):
            return try binary(op, left, right)
        }
    }

    private func unary(_ op: PSUnaryOperator, _ value: PSValue) throws -> PSValue {
        switch op {
        case .not: return .bool(!value.isTruthy)
        case .comma: return .array([value])
        case .plus: return try PSOperators.arithmetic(.add, .int(0), value)
        case .negate:
            switch value {
            case .int(let i) where i != .min: return .int(-i)
            case .double(let d): return .double(-d)
            default: return try PSOperators.arithmetic(.subtract, .int(0), value)
            }
        }
    }

    private func binary(_ op: PSBinaryOperator, _ left: PSExpression, _ right: PSExpression) throws -> PSValue {
        switch op {
        // -and / -or short-circuit, as in PowerShell.
        case .and:
            guard try evaluate(left).isTruthy else { return .bool(false) }
            return .bool(try evaluate(right).isTruthy)
        case .or:
            if try evaluate(left).isTruthy { return .bool(true) }
            return .bool(try evaluate(right).isTruthy)
        case .xor:
            return .bool(try evaluate(left).isTruthy != evaluate(right).isTruthy)
        case .comparison(let comparison, let caseSensitive):
            return try PSOperators.compare(comparison, try evaluate(left), try evaluate(right), caseSensitive: caseSensitive)
        case .add, .subtract, .multiply, .divide, .modulo, .join:
            return try PSOperators.arithmetic(op, try evaluate(left), try evaluate(right))
        }
    }

    // MARK: - Variables

    func variable(_ name: String) -> PSValue {
        switch name.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        case "_", "psitem": return currentItems.last ?? .null
        default: return session.variable(named: name) ?? .null
        }
    }
}
