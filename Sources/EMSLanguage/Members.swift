import Foundation

/// Member access (`$_.Prop`), a few .NET methods administrators use in filters, and indexing.
enum Members {

    /// The property `name` of `value` (case-insensitive), or nil when it has none.
    /// Arrays answer Count/Length themselves and otherwise enumerate their members, as
    /// PowerShell does: `(Get-ReceiveConnector).Bindings` lists every connector's bindings.
    static func property(of value: PSValue, named name: String) -> PSValue? {
        lookup(value, name)?.value
    }

    /// The property with its canonical name.
    static func lookup(_ value: PSValue, _ name: String) -> (name: String, value: PSValue)? {
        switch value {
        case .object(let object):
            return object.property(named: name).map { ($0.name, $0.value) }
        case .hashtable(let entries):
            if let entry = entries.first(where: { $0.key.caseInsensitiveEquals(name) }) {
                return (entry.key, entry.value)
            }
            switch name.lowercased() {
            case "count": return ("Count", .int(entries.count))
            case "keys": return ("Keys", .array(entries.map { .string($0.key) }))
            case "values": return ("Values", .array(entries.map(\.value)))
            default: return nil
            }
        case .array(let items):
            if name.caseInsensitiveEquals("Count") || name.caseInsensitiveEquals("Length") {
                return (name.caseInsensitiveEquals("Count") ? "Count" : "Length", .int(items.count))
            }
            var found: [PSValue] = []
            var canonical: String?
            for item in items {
                guard let (itemName, itemValue) = lookup(item, name) else { continue }
                canonical = canonical ?? itemName
                found.append(contentsOf: itemValue.elements)
            }
            guard let canonical else { return nil }
            return (canonical, PSValue.collapse(found))
        case .string(let s):
            return name.caseInsensitiveEquals("Length") ? ("Length", .int(s.count)) : nil
        case .secureString(let s):
            return name.caseInsensitiveEquals("Length") ? ("Length", .int(s.length)) : nil
        default:
            return nil
        }
    }

    /// Property names in order, for wildcard selection and `Format-List *`.
    static func propertyNames(of value: PSValue) -> [String] {
        switch value {
        case .object(let object): return object.propertyNames
        case .hashtable(let entries): return entries.map(\.key)
        case .string: return ["Length"]
        default: return []
        }
    }

    /// The handful of .NET methods that appear in filters: string methods and ToString().
    static func callMethod(on value: PSValue, named name: String, arguments: [PSValue]) throws -> PSValue {
        let method = name.lowercased()
        func argument(_ i: Int) throws -> PSValue {
            guard i < arguments.count else {
                throw PSRuntimeError("Cannot find an overload for \"\(name)\" and the argument count: \"\(arguments.count)\".")
            }
            return arguments[i]
        }
        if method == "tostring" { return .string(value.text) }
        if method == "gettype" { return .string(value.typeDisplayName) }
        if case .array(let items) = value, method == "contains" {
            return .bool(items.contains { $0 == (try? argument(0)) })
        }
        guard case .string(let s) = value else {
            throw PSRuntimeError(
                "Method invocation failed because [\(value.typeDisplayName)] does not contain a method named '\(name)'.")
        }
        switch method {
        case "tolower", "tolowerinvariant": return .string(s.lowercased())
        case "toupper", "toupperinvariant": return .string(s.uppercased())
        case "trim", "trimstart", "trimend":
            let set =
                arguments.isEmpty
                ? CharacterSet.whitespacesAndNewlines : CharacterSet(charactersIn: arguments.map(\.text).joined())
            var scalars = Substring(s)
            if method != "trimend" { while let f = scalars.first, f.unicodeScalars.allSatisfy(set.contains) { scalars = scalars.dropFirst() } }
            if method != "trimstart" { while let l = scalars.last, l.unicodeScalars.allSatisfy(set.contains) { scalars = scalars.dropLast() } }
            return .string(String(scalars))
        case "contains": return .bool(s.contains(try argument(0).text))
        case "startswith": return .bool(s.hasPrefix(try argument(0).text))
        case "endswith": return .bool(s.hasSuffix(try argument(0).text))
        case "indexof":
            guard let range = s.range(of: try argument(0).text) else { return .int(-1) }
            return .int(s.distance(from: s.startIndex, to: range.lowerBound))
        case "replace":
            return .string(s.replacingOccurrences(of: try argument(0).text, with: try argument(1).text))
        case "split":
            let separators = Set(arguments.isEmpty ? [" "] : Array(arguments.map(\.text).joined()))
            return .array(s.split(omittingEmptySubsequences: false, whereSeparator: separators.contains).map { .string(String($0)) })
        case "substring":
            let chars = Array(s)
            guard case .int(let start) = try argument(0), start >= 0, start <= chars.count else {
                throw PSRuntimeError("Exception calling \"Substring\": startIndex cannot be larger than length of string.")
            }
            var end = chars.count
            if arguments.count > 1 {
                guard case .int(let length) = arguments[1], length >= 0, start + length <= chars.count else {
                    throw PSRuntimeError("Exception calling \"Substring\": Index and length must refer to a location within the string.")
                }
                end = start + length
            }
            return .string(String(chars[start..<end]))
        default:
            throw PSRuntimeError("Method invocation failed because [System.String] does not contain a method named '\(name)'.")
        }
    }

    /// `value[index]`: arrays (negative indexes count from the end), strings, hashtables; a
    /// scalar answers index 0 with itself, as PowerShell does.
    static func index(_ value: PSValue, _ index: PSValue) -> PSValue {
        if case .array(let indexes) = index {
            return .array(indexes.map { self.index(value, $0) })
        }
        switch value {
        case .hashtable(let entries):
            return entries.first { $0.key.caseInsensitiveEquals(index.text) }?.value ?? .null
        case .array(let items):
            guard let i = integer(index) else { return .null }
            let j = i < 0 ? items.count + i : i
            return items.indices.contains(j) ? items[j] : .null
        case .string(let s):
            let chars = Array(s)
            guard let i = integer(index) else { return .null }
            let j = i < 0 ? chars.count + i : i
            return chars.indices.contains(j) ? .string(String(chars[j])) : .null
        case .null:
            return .null
        default:
            return integer(index) == 0 || integer(index) == -1 ? value : .null
        }
    }

    private static func integer(_ value: PSValue) -> Int? {
        switch value {
        case .int(let i): return i
        case .double(let d): return abs(d) < 9e18 ? Int(d.rounded()) : nil
        case .string(let s): return Int(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}
