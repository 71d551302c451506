/// Format-List and Format-Table. Both emit their layout as strings, one per line, so that
/// the host prints them as they are and Out-String can join them.

struct FormatListCommand: BuiltinCommand {
    static let name = "Format-List"
    static let aliases = ["fl"]
    static let parameters = ["Property", "InputObject"]

    static func positionalParameters(for positional: [PSArgument]) -> [String] { ["Property"] }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let selectors = try arguments["Property"].map(PropertySelector.parse)
        let limit = interpreter.session.enumerationLimit
        var lines: [String] = []
        var records: [[(name: String, value: PSValue)]] = []
        func flush() {
            lines += PSFormatter.list(records, enumerationLimit: limit)
            records = []
        }
        for item in arguments.inputItems(input) {
            switch item {
            case .null:
                continue
            case .hashtable(let entries):
                // As PowerShell: one Name/Value record per entry.
                records += entries.map { [("Name", .string($0.key)), ("Value", $0.value)] }
            case .object(let object):
                if let selectors {
                    // Properties an object lacks are left out of its record, as in PowerShell.
                    records.append(try PropertySelector.resolve(selectors, for: item, interpreter: interpreter, includeMissing: false))
                } else {
                    records.append(object.properties.map { ($0.name, $0.value) })
                }
            default:
                flush()
                lines.append(item.text)
            }
        }
        flush()
        return lines.map(PSValue.string)
    }
}

struct FormatTableCommand: BuiltinCommand {
    static let name = "Format-Table"
    static let aliases = ["ft"]
    static let parameters = ["Property", "AutoSize", "Wrap", "HideTableHeaders", "InputObject"]
    static let switches: Set<String> = ["AutoSize", "Wrap", "HideTableHeaders"]

    static func positionalParameters(for positional: [PSArgument]) -> [String] { ["Property"] }

    private struct Column {
        var header: String
        var source: PropertySelector.Source
    }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let selectors = try arguments["Property"].map(PropertySelector.parse)
        let session = interpreter.session
        // Column widths always come from the content (PowerShell's -AutoSize), so -AutoSize
        // is accepted and changes nothing.
        var lines: [String] = []
        var objects: [PSValue] = []
        func flush() throws {
            guard let first = objects.first else { return }
            let columns = try self.columns(for: first, selectors: selectors)
            let rows = try objects.map { item in
                try columns.map { try PropertySelector.evaluate($0.source, for: item, interpreter: interpreter) }
            }
            lines += PSFormatter.table(
                headers: columns.map(\.header), rows: rows, width: session.width, wrap: arguments.isOn("Wrap"),
                hideHeaders: arguments.isOn("HideTableHeaders"), enumerationLimit: session.enumerationLimit)
            objects = []
        }
        for item in arguments.inputItems(input) {
            switch item {
            case .null:
                continue
            case .object:
                objects.append(item)
            case .hashtable(let entries):
                objects += entries.map {
                    .object(PSObject(typeName: "DictionaryEntry", properties: [PSProperty("Name", .string($0.key)), PSProperty("Value", $0.value)]))
                }
            default:
                try flush()
                lines.append(item.text)
            }
        }
        try flush()
        return lines.map(PSValue.string)
    }

    /// Columns come from the first object, as in PowerShell: the requested properties (with
    /// wildcards expanded against it), else its default display properties, else all.
    private static func columns(for first: PSValue, selectors: [PropertySelector]?) throws -> [Column] {
        guard let selectors else {
            guard case .object(let object) = first else { return [] }
            let names = object.defaultDisplayProperties ?? object.propertyNames
            return names.map { Column(header: object.property(named: $0)?.name ?? $0, source: .property($0)) }
        }
        var columns: [Column] = []
        for selector in selectors {
            switch selector {
            case .pattern(let pattern):
                if WildcardPattern.hasWildcards(pattern) {
                    let wildcard = try WildcardPattern(pattern)
                    for name in Members.propertyNames(of: first) where wildcard.matches(name) {
                        columns.append(Column(header: name, source: .property(name)))
                    }
                } else {
                    let header = Members.lookup(first, pattern)?.name ?? pattern
                    columns.append(Column(header: header, source: .property(pattern)))
                }
            case .calculated(let label, let source, _):
                columns.append(Column(header: label, source: source))
            }
        }
        return columns
    }
}
