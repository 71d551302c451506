/// ConvertTo-Json and ConvertTo-SecureString.

struct ConvertToJsonCommand: BuiltinCommand {
    static let name = "ConvertTo-Json"
    static let parameters = ["InputObject", "Depth", "Compress", "AsArray", "EnumsAsStrings"]
    static let switches: Set<String> = ["Compress", "AsArray", "EnumsAsStrings"]

    static func positionalParameters(for positional: [PSArgument]) -> [String] { ["InputObject"] }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let items = arguments.inputItems(input)
        guard !items.isEmpty else { return [] }
        let depth = try arguments.int("Depth") ?? 2
        guard depth >= 0 else {
            throw PSRuntimeError(
                "Cannot validate argument on parameter 'Depth'. The \(depth) argument is less than the minimum allowed range of 0.")
        }
        // Several pipeline inputs become one array, a single input stays itself.
        let value: PSValue
        if arguments.isOn("AsArray") {
            value = .array(items.count == 1 ? items[0].elements : items)
        } else {
            value = items.count == 1 ? items[0] : .array(items)
        }
        return [.string(JSONWriter(maxDepth: depth, compress: arguments.isOn("Compress")).write(value))]
    }
}

/// PowerShell 7's JSON layout: two-space indentation, `"Name": value`, empty collections as
/// `[]`/`{}`. Objects nested deeper than -Depth are written as their string form.
/// Typed values are written as their text, as Exchange objects serialize over remoting.
struct JSONWriter {
    let maxDepth: Int
    let compress: Bool

    func write(_ value: PSValue) -> String {
        var out = ""
        emit(value, level: 0, indent: 0, into: &out)
        return out
    }

    private func emit(_ value: PSValue, level: Int, indent: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONWriter.number(d)
        case .string(let s): out += JSONWriter.quote(s)
        case .typed(let t): out += JSONWriter.quote(t.text)
        case .secureString(let s): out += JSONWriter.quote(s.description)
        case .scriptBlock(let b): out += JSONWriter.quote(b.text)
        case .array(let items):
            emitContainer(open: "[", close: "]", items.map { (nil, $0) }, level: level, indent: indent, into: &out)
        case .object(let object):
            if level > maxDepth {
                out += JSONWriter.quote(object.text)
            } else {
                emitContainer(
                    open: "{", close: "}", object.properties.map { ($0.name, $0.value) }, level: level + 1, indent: indent,
                    into: &out)
            }
        case .hashtable(let entries):
            if level > maxDepth {
                out += JSONWriter.quote(value.text)
            } else {
                emitContainer(open: "{", close: "}", entries.map { ($0.key, $0.value) }, level: level + 1, indent: indent, into: &out)
            }
        }
    }

    private func emitContainer(
        open: String, close: String, _ members: [(String?, PSValue)], level: Int, indent: Int, into out: inout String
    ) {
        guard !members.isEmpty else {
            out += open + close
            return
        }
        out += open
        let inner = String(repeating: " ", count: indent + 2)
        for (index, (name, value)) in members.enumerated() {
            if index > 0 { out += "," }
            if !compress { out += "\n" + inner }
            if let name { out += JSONWriter.quote(name) + (compress ? ":" : ": ") }
            emit(value, level: level, indent: indent + 2, into: &out)
        }
        if !compress { out += "\n" + String(repeating: " ", count: indent) }
        out += close
    }

    static func number(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return quote(PSValue.format(double: d)) }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return "\(d)".replacingOccurrences(of: "e", with: "E")
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out +=
                        "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

struct ConvertToSecureStringCommand: BuiltinCommand {
    static let name = "ConvertTo-SecureString"
    static let parameters = ["String", "AsPlainText", "Force", "Key", "SecureKey"]
    static let switches: Set<String> = ["AsPlainText", "Force"]

    static func positionalParameters(for positional: [PSArgument]) -> [String] { ["String"] }

    static func run(_ arguments: BuiltinArguments, input: [PSValue], interpreter: Interpreter) throws -> [PSValue] {
        let strings = arguments["String"].map { [$0] } ?? input
        guard !strings.isEmpty else {
            throw PSRuntimeError("Cannot process command because of one or more missing mandatory parameters: String.")
        }
        // Without -AsPlainText PowerShell reads the string as an encrypted standard string,
        // which a typed password is not; its error message is kept, with the usual fix.
        guard arguments.isOn("AsPlainText") else {
            throw PSRuntimeError(
                "ConvertTo-SecureString : Input string was not in a correct format. To convert plain text, use -AsPlainText -Force.")
        }
        return strings.map { .secureString(SecureText($0.text)) }
    }
}
