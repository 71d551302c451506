/// Reading parameter input in Exchange's syntax: `$true`, numbers in a range, multi-valued edits.
enum ValueParsing {
    static func boolean(_ input: ParameterInput, parameter: String) throws -> Bool {
        switch input {
        case .bool(let b): return b
        case .number(let n) where n == 0 || n == 1: return n == 1
        default:
            guard let text = input.singleText?.trimmingCharacters(in: .whitespaces).lowercased() else {
                throw ValueError("\(parameter) takes $true or $false.")
            }
            switch text {
            case "$true", "true", "1": return true
            case "$false", "false", "0": return false
            default: throw ValueError("\(parameter) takes $true or $false (it was \"\(input.singleText ?? "")\").")
            }
        }
    }

    static func integer(_ input: ParameterInput, parameter: String, range: ClosedRange<Int>) throws -> Int {
        let n: Int
        if case .number(let v) = input {
            n = v
        } else {
            guard let text = input.singleText?.trimmingCharacters(in: .whitespaces), let v = Int(text) else {
                throw ValueError(
                    "\(parameter) takes a whole number from \(range.lowerBound) to \(range.upperBound) (it was \"\(input.singleText ?? "")\").")
            }
            n = v
        }
        guard range.contains(n) else {
            throw ValueError("\(parameter) must be \(range.lowerBound) to \(range.upperBound) (it was \(n)).")
        }
        return n
    }

    /// A multi-valued parameter: a list replaces the values; `@{Add=…; Remove=…}` edits them (Exchange's
    /// syntax). Removing a value that is not there is refused, so a typo never passes silently.
    static func editList<T: Equatable & CustomStringConvertible>(
        _ current: [T], _ input: ParameterInput, parameter: String,
        parse: (String) throws -> T
    ) throws -> [T] {
        switch input {
        case .null:
            return []
        case .modify(let add, let remove):
            var result = current
            for text in remove {
                let value = try parse(text)
                guard let i = result.firstIndex(of: value) else {
                    throw ValueError(
                        "\(parameter) has no value \(value) to remove (it has \(current.isEmpty ? "none" : current.map(\.description).joined(separator: ", ")))."
                    )
                }
                result.remove(at: i)
            }
            for text in add {
                let value = try parse(text)
                if !result.contains(value) { result.append(value) }
            }
            return result
        default:
            guard let texts = input.strings else { throw ValueError("\(parameter) needs one or more values.") }
            return try texts.map { try parse($0.trimmingCharacters(in: .whitespaces)) }
        }
    }

    /// Quotes a string for a generated command line, PowerShell style.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "`", with: "``").replacingOccurrences(of: "\"", with: "`\"").replacingOccurrences(of: "$", with: "`$")
            + "\""
    }
}

/// Exchange's multi-valued edit (a list replaces, `@{Add=…; Remove=…}` edits, `$null` clears), for lists
/// outside the connector table such as Set-TransportConfig's domain-secure lists.
public enum MultiValuedEdit {
    public static func apply(_ current: [String], _ input: ParameterInput, parameter: String) throws(ValueError) -> [String] {
        do { return try ValueParsing.editList(current, input, parameter: parameter) { $0 } } catch let error as ValueError {
            throw error
        } catch {
            throw ValueError("\(parameter): \(error)")
        }
    }
}
