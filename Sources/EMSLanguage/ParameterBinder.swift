/// Binds a command's written arguments to its parameters, as PowerShell does: names are
/// case-insensitive and may be shortened to any unambiguous prefix; a switch takes no value
/// unless written `-Switch:$false`; every other parameter takes the next argument.
struct BoundParameters {
    var named: [PSArgument]
    var positional: [PSArgument]
}

enum ParameterBinder {
    static func bind(
        _ elements: [PSCommandElement], info: PSCommandInfo, evaluate: (PSExpression) throws -> PSValue
    ) throws -> BoundParameters {
        var named: [PSArgument] = []
        var positional: [PSArgument] = []
        var index = 0
        while index < elements.count {
            defer { index += 1 }
            switch elements[index] {
            case .argument(let argument):
                positional.append(
                    PSArgument(parameterName: nil, value: try evaluate(argument.expression), sourceText: argument.sourceText))
            case .parameter(let typed, let attached):
                let parameter = try match(typed, in: info)
                if named.contains(where: { $0.parameterName == parameter }) {
                    throw PSRuntimeError(
                        "Cannot bind parameter because parameter '\(parameter)' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\"."
                    )
                }
                if let attached {
                    named.append(
                        PSArgument(parameterName: parameter, value: try evaluate(attached.expression), sourceText: attached.sourceText))
                } else if info.isSwitch(parameter) {
                    named.append(PSArgument(parameterName: parameter, value: .bool(true), sourceText: ""))
                } else if index + 1 < elements.count, case .argument(let argument) = elements[index + 1] {
                    named.append(
                        PSArgument(parameterName: parameter, value: try evaluate(argument.expression), sourceText: argument.sourceText))
                    index += 1
                } else {
                    throw PSRuntimeError("Missing an argument for parameter '\(parameter)'. Specify a value and try again.")
                }
            }
        }
        return BoundParameters(named: named, positional: positional)
    }

    /// The canonical name for what the user typed: an exact match, else the single parameter
    /// that starts with it.
    static func match(_ typed: String, in info: PSCommandInfo) throws -> String {
        let names = info.allParameterNames
        if let exact = names.first(where: { $0.caseInsensitiveEquals(typed) }) { return exact }
        let lower = typed.lowercased()
        let candidates = names.filter { $0.lowercased().hasPrefix(lower) }
        if candidates.count == 1 { return candidates[0] }
        if candidates.count > 1 {
            let list = candidates.map { "-" + $0 }.joined(separator: " ")
            throw PSRuntimeError(
                "Parameter cannot be processed because the parameter name '\(typed)' is ambiguous. Possible matches include: \(list).")
        }
        var message = "A parameter cannot be found that matches parameter name '\(typed)'."
        if let suggestion = Suggestions.closest(to: typed, among: names) {
            message += " Did you mean -\(suggestion)?"
        }
        throw PSRuntimeError(message)
    }
}
