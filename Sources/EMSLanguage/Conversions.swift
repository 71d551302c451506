import Foundation

extension PSValue {
    /// PowerShell's string conversion: `$true` → "True", `$null` → "", arrays joined with
    /// spaces (the default `$OFS`), typed values → their text.
    public var text: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return PSValue.format(double: d)
        case .string(let s): return s
        case .array(let items): return items.map(\.text).joined(separator: " ")
        case .object(let o): return o.text
        case .scriptBlock(let b): return b.text
        case .hashtable: return "System.Collections.Hashtable"
        case .secureString(let s): return s.description
        case .typed(let t): return t.text
        }
    }

    /// PowerShell's truthiness: empty string, 0, `$null` and empty arrays are false; an array
    /// with one element is as true as that element; anything else is true.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let items):
            if items.isEmpty { return false }
            return items.count == 1 ? items[0].isTruthy : true
        case .object, .scriptBlock, .hashtable, .secureString, .typed: return true
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value seen as a collection: an array's elements, otherwise the value alone.
    var elements: [PSValue] {
        if case .array(let items) = self { return items }
        return [self]
    }

    /// What a pipeline emits for an expression's value: arrays are unrolled into their elements.
    static func enumerate(_ value: PSValue) -> [PSValue] {
        value.elements
    }

    /// How PowerShell stores a pipeline's output in a variable or an argument: nothing becomes
    /// `$null`, one item stays itself, several become an array.
    static func collapse(_ items: [PSValue]) -> PSValue {
        switch items.count {
        case 0: return .null
        case 1: return items[0]
        default: return .array(items)
        }
    }

    /// The .NET-ish type name used in error messages.
    var typeDisplayName: String {
        switch self {
        case .null: return "null"
        case .bool: return "System.Boolean"
        case .int: return "System.Int32"
        case .double: return "System.Double"
        case .string: return "System.String"
        case .array: return "System.Object[]"
        case .object(let o): return o.typeName
        case .scriptBlock: return "System.Management.Automation.ScriptBlock"
        case .hashtable: return "System.Collections.Hashtable"
        case .secureString: return "System.Security.SecureString"
        case .typed(let t): return t.typeName
        }
    }

    /// True for .NET numeric values (what Format-Table right-aligns).
    var isNumber: Bool {
        switch self {
        case .int, .double: return true
        default: return false
        }
    }

    /// Formats a double as PowerShell does for display: integral values without a fraction,
    /// others in the shortest round-trip form, exponents with a capital E.
    static func format(double d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)".replacingOccurrences(of: "e", with: "E")
    }
}

extension PSObject {
    /// PowerShell's string form of an object. Exchange objects convert to their identity, so
    /// an object with an Identity property shows that; other objects use PowerShell's
    /// custom-object form `@{Name=x; Enabled=True}`.
    public var text: String {
        if !typeName.hasPrefix("Selected."), let identity = self["Identity"], !identity.isNull {
            return identity.text
        }
        let inner = properties.map { "\($0.name)=\($0.value.text)" }.joined(separator: "; ")
        return "@{\(inner)}"
    }
}

/// Number literals as PowerShell writes them: decimal and hexadecimal integers, decimals with
/// exponents, and the size multipliers KB, MB, GB, TB and PB (`36MB` is 37748736).
enum NumberLiteral {
    private static let multipliers: [(suffix: String, factor: Int)] = [
        ("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("tb", 1 << 40), ("pb", 1 << 50),
    ]

    static func parse<S: StringProtocol>(_ source: S) -> PSValue? {
        var text = Substring(source.lowercased())
        var negative = false
        if let first = text.first, first == "-" || first == "+" || first == "\u{2013}" {
            negative = first != "+"
            text = text.dropFirst()
        }
        var factor = 1
        for (suffix, value) in multipliers where text.hasSuffix(suffix) {
            factor = value
            text = text.dropLast(2)
            break
        }
        if factor == 1, text.hasSuffix("l") { text = text.dropLast() }  // the "long" type suffix
        guard !text.isEmpty else { return nil }

        var value: PSValue
        if text.hasPrefix("0x") {
            let digits = text.dropFirst(2)
            guard !digits.isEmpty, let i = Int(digits, radix: 16) else { return nil }
            value = .int(i)
        } else {
            guard isDecimal(text) else { return nil }
            if text.contains(".") || text.contains("e") {
                guard let d = Double(text) else { return nil }
                value = .double(d)
            } else if let i = Int(text) {
                value = .int(i)
            } else if let d = Double(text) {
                value = .double(d)  // too large for Int, as PowerShell widens to double
            } else {
                return nil
            }
        }
        if factor != 1 { value = multiply(value, by: factor) }
        if negative { value = negate(value) }
        return value
    }

    /// digits [. digits] [e [+-] digits], with at least one digit before the exponent.
    private static func isDecimal(_ text: Substring) -> Bool {
        var chars = Array(text)[...]
        var mantissaDigits = 0
        while let c = chars.first, c.isASCII, c.isNumber { mantissaDigits += 1; chars = chars.dropFirst() }
        if chars.first == "." {
            chars = chars.dropFirst()
            var fraction = 0
            while let c = chars.first, c.isASCII, c.isNumber { fraction += 1; chars = chars.dropFirst() }
            if fraction == 0 { return false }
            mantissaDigits += fraction
        }
        if mantissaDigits == 0 { return false }
        if chars.first == "e" {
            chars = chars.dropFirst()
            if chars.first == "+" || chars.first == "-" { chars = chars.dropFirst() }
            var exponent = 0
            while let c = chars.first, c.isASCII, c.isNumber { exponent += 1; chars = chars.dropFirst() }
            if exponent == 0 { return false }
        }
        return chars.isEmpty
    }

    private static func multiply(_ value: PSValue, by factor: Int) -> PSValue {
        switch value {
        case .int(let i):
            let (product, overflow) = i.multipliedReportingOverflow(by: factor)
            return overflow ? .double(Double(i) * Double(factor)) : .int(product)
        case .double(let d): return .double(d * Double(factor))
        default: return value
        }
    }

    private static func negate(_ value: PSValue) -> PSValue {
        switch value {
        case .int(let i): return i == .min ? .double(-Double(i)) : .int(-i)
        case .double(let d): return .double(-d)
        default: return value
        }
    }
}
