/// Select-Object, Sort-Object and Measure-Object.

struct SelectObjectCommand: BuiltinCommand {
    static let name = "Select-Object"
    static let aliases = ["select"]
    static let parameters = ["Property", "ExcludeProperty", "ExpandProperty", "First", "Last", "Skip", "Unique", "InputObject"]
    static let switches: Set<String> = ["Unique"]

    static func positionalParameters(for positional: [PSArgument]) -> [String] { ["Property"] }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        var items = arguments.inputItems(input)
        if let skip = try arguments.int("Skip") { items = Array(items.dropFirst(max(skip, 0))) }
        let first = try arguments.int("First")
        let last = try arguments.int("Last")
        if first != nil || last != nil {
            var kept: [PSValue] = []
            if let first { kept += items.prefix(max(first, 0)) }
            if let last { kept += items.suffix(max(last, 0)) }
            items = kept
        }

        var output: [PSValue]
        if let expand = arguments["ExpandProperty"]?.text {
            output = []
            for item in items {
                guard let value = Members.property(of: item, named: expand) else {
                    throw PSRuntimeError("Property \"\(expand)\" cannot be found.")
                }
                if !value.isNull { output += PSValue.enumerate(value) }
            }
        } else if let property = arguments["Property"] {
            let selectors = try PropertySelector.parse(property)
            let excluded = try (arguments["ExcludeProperty"]?.elements ?? []).map { try WildcardPattern($0.text) }
            output = try items.map { item in
                let properties = try PropertySelector.resolve(selectors, for: item, interpreter: interpreter, includeMissing: true)
                    .filter { property in !excluded.contains { $0.matches(property.name) } }
                    .map { PSProperty(name: $0.name, value: $0.value) }
                // PowerShell names the type "Selected.<type>"; the host's payload stays attached
                // so that `... | select Identity | Set-X` can still find the original object.
                let typeName: String
                let payload: String?
                if case .object(let object) = item {
                    typeName = "Selected." + object.typeName
                    payload = object.payload
                } else {
                    typeName = "Selected." + item.typeDisplayName
                    payload = nil
                }
                return .object(PSObject(typeName: typeName, properties: properties, payload: payload))
            }
        } else {
            output = items
        }

        if arguments.isOn("Unique") {
            var unique: [PSValue] = []
            for value in output where !unique.contains(value) { unique.append(value) }
            output = unique
        }
        return output
    }
}

struct SortObjectCommand: BuiltinCommand {
    static let name = "Sort-Object"
    static let aliases = ["sort"]
    static let parameters = ["Property", "Descending", "Unique", "CaseSensitive", "InputObject"]
    static let switches: Set<String> = ["Descending", "Unique", "CaseSensitive"]

    static func positionalParameters(for positional: [PSArgument]) -> [String] { ["Property"] }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let items = arguments.inputItems(input).flatMap { arguments.has("InputObject") ? $0.elements : [$0] }
        let selectors = try arguments["Property"].map(PropertySelector.parse) ?? []
        let descending = arguments.isOn("Descending")
        let caseSensitive = arguments.isOn("CaseSensitive")

        // Sort keys are computed once per item; each key knows its own direction.
        var keyed: [(index: Int, item: PSValue, keys: [PSValue])] = []
        for (index, item) in items.enumerated() {
            var keys: [PSValue] = []
            if selectors.isEmpty {
                keys = [item]
            } else {
                for selector in selectors {
                    switch selector {
                    case .pattern(let name): keys.append(Members.property(of: item, named: name) ?? .null)
                    case .calculated(_, let source, _):
                        keys.append(try PropertySelector.evaluate(source, for: item, interpreter: interpreter))
                    }
                }
            }
            keyed.append((index, item, keys))
        }
        let directions: [Bool] =
            selectors.isEmpty
            ? [descending]
            : selectors.map {
                if case .calculated(_, _, let own?) = $0 { return own }
                return descending
            }

        func compareKeys(_ a: [PSValue], _ b: [PSValue]) -> Int {
            for (i, (x, y)) in zip(a, b).enumerated() {
                let c = sortOrder(x, y, caseSensitive: caseSensitive)
                if c != 0 { return directions[i] ? -c : c }
            }
            return 0
        }
        // Stable: ties keep their input order (Swift's sort is not guaranteed stable).
        let sorted = keyed.sorted { a, b in
            let c = compareKeys(a.keys, b.keys)
            return c != 0 ? c < 0 : a.index < b.index
        }
        var output: [(item: PSValue, keys: [PSValue])] = []
        for entry in sorted {
            if arguments.isOn("Unique"), let previous = output.last, compareKeys(previous.keys, entry.keys) == 0 { continue }
            output.append((entry.item, entry.keys))
        }
        return output.map(\.item)
    }

    /// Numbers numerically (including typed values with a number), everything else by text,
    /// case-insensitively unless -CaseSensitive; `$null` first.
    static func sortOrder(_ a: PSValue, _ b: PSValue, caseSensitive: Bool) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        default: break
        }
        if let x = sortNumber(a), let y = sortNumber(b) { return x < y ? -1 : (x == y ? 0 : 1) }
        return PSOperators.stringOrder(a.text, b.text, caseSensitive: caseSensitive)
    }

    private static func sortNumber(_ value: PSValue) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .typed(let t): return t.number
        default: return nil
        }
    }
}

struct MeasureObjectCommand: BuiltinCommand {
    static let name = "Measure-Object"
    static let aliases = ["measure"]
    static let parameters = ["Property", "Sum", "Average", "Maximum", "Minimum", "InputObject"]
    static let switches: Set<String> = ["Sum", "Average", "Maximum", "Minimum"]

    static func positionalParameters(for positional: [PSArgument]) -> [String] { ["Property"] }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let items = arguments.inputItems(input).filter { !$0.isNull }
        let property = arguments["Property"]?.text
        let values = property.map { name in items.compactMap { Members.property(of: $0, named: name) } } ?? items
        let wantsNumbers = ["Sum", "Average", "Maximum", "Minimum"].contains { arguments.isOn($0) }
        var numbers: [Double] = []
        if wantsNumbers {
            numbers = try values.map { value in
                guard let n = PSOperators.numberIfNumeric(value) else {
                    throw PSRuntimeError("Input object \"\(value.text)\" is not numeric.")
                }
                return n
            }
        }
        func stat(_ name: String, _ compute: () -> Double?) -> PSProperty {
            PSProperty(name: name, value: arguments.isOn(name) ? (compute().map(PSValue.double) ?? .null) : .null)
        }
        let result = PSObject(
            typeName: "GenericMeasureInfo",
            properties: [
                PSProperty(name: "Count", value: .int(values.count)),
                stat("Average") { numbers.isEmpty ? nil : numbers.reduce(0, +) / Double(numbers.count) },
                stat("Sum") { numbers.reduce(0, +) },
                stat("Maximum") { numbers.max() },
                stat("Minimum") { numbers.min() },
                PSProperty(name: "Property", value: property.map(PSValue.string) ?? .null),
            ])
        return [.object(result)]
    }
}
