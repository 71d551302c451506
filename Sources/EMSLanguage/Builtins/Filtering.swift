/// Where-Object and ForEach-Object.

struct WhereObjectCommand: BuiltinCommand {
    static let name = "Where-Object"
    static let aliases = ["where", "?"]

    /// The simplified-syntax operators (`where Enabled -eq $true`) and the comparison each means.
    static let operators: [(parameter: String, op: PSComparisonOperator, caseSensitive: Bool)] = {
        let base: [(String, PSComparisonOperator)] = [
            ("EQ", .eq), ("NE", .ne), ("GT", .gt), ("GE", .ge), ("LT", .lt), ("LE", .le),
            ("Like", .like), ("NotLike", .notlike), ("Match", .match), ("NotMatch", .notmatch),
            ("Contains", .contains), ("NotContains", .notcontains), ("In", .in), ("NotIn", .notin),
        ]
        return base.map { ($0.0, $0.1, false) } + base.map { ("C" + $0.0, $0.1, true) }
    }()

    static var parameters: [String] { ["FilterScript", "Property", "Value", "InputObject", "Not"] + operators.map(\.parameter) }
    static var switches: Set<String> { Set(operators.map(\.parameter) + ["Not"]) }

    static func positionalParameters(for positional: [PSArgument]) -> [String] {
        if case .scriptBlock? = positional.first?.value { return ["FilterScript"] }
        return ["Property", "Value"]
    }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let items = arguments.inputItems(input)
        if let block = try arguments.scriptBlock("FilterScript") {
            // The block's whole output decides, with PowerShell truthiness (one match of a
            // collection filter such as `$_.Bindings -like '*25'` is enough).
            return try items.filter { PSValue.array(try interpreter.invoke(block, item: $0)).isTruthy }
        }
        guard let property = arguments["Property"]?.text else {
            throw PSRuntimeError(
                "Where-Object needs a script block or a property name, for example: where {$_.Enabled} or where Enabled -eq $true.")
        }
        let chosen = operators.filter { arguments.isOn($0.parameter) }
        if chosen.count > 1 {
            throw PSRuntimeError("Parameter set cannot be resolved using the specified named parameters.")
        }
        let negate = arguments.isOn("Not")
        return try items.filter { item in
            let value = Members.property(of: item, named: property) ?? .null
            guard let (_, op, caseSensitive) = chosen.first else { return value.isTruthy != negate }
            let result = try PSOperators.compare(op, value, arguments["Value"] ?? .null, caseSensitive: caseSensitive)
            return result.isTruthy
        }
    }
}

struct ForEachObjectCommand: BuiltinCommand {
    static let name = "ForEach-Object"
    static let aliases = ["foreach", "%"]
    static let parameters = ["Process", "MemberName", "Begin", "End", "InputObject"]

    /// One script block is -Process; two are -Begin -Process; three -Begin -Process -End.
    static func positionalParameters(for positional: [PSArgument]) -> [String] {
        let blocks = positional.prefix { if case .scriptBlock = $0.value { true } else { false } }.count
        switch blocks {
        case 0: return ["MemberName"]
        case 1: return ["Process"]
        case 2: return ["Begin", "Process"]
        default: return ["Begin", "Process", "End"]
        }
    }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let items = arguments.inputItems(input)
        var output: [PSValue] = []
        if let begin = try arguments.scriptBlock("Begin") {
            output += try interpreter.invoke(begin, item: nil)
        }
        if let process = try arguments.scriptBlock("Process") {
            for item in items {
                output += try interpreter.invoke(process, item: item)
            }
        } else if let member = arguments["MemberName"]?.text {
            for item in items {
                if let value = Members.property(of: item, named: member) {
                    output += PSValue.enumerate(value)
                }
            }
        } else if !arguments.has("Begin") && !arguments.has("End") {
            throw PSRuntimeError("ForEach-Object needs a script block or a property name, for example: % {$_.Name} or % Name.")
        }
        if let end = try arguments.scriptBlock("End") {
            output += try interpreter.invoke(end, item: nil)
        }
        return output
    }
}
