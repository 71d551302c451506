import Foundation

/// PowerShell operator semantics.
///
/// Comparisons follow PowerShell's rules: the right operand is converted to the left
/// operand's type; string comparisons are case-insensitive unless the `c` variant is used;
/// and when the left operand is a collection, the operator filters it, returning the
/// elements that satisfy the comparison (so `$_.Bindings -like '*25'` is truthy when any
/// binding ends in 25).
enum PSOperators {

    // MARK: - Comparison

    static func compare(
        _ op: PSComparisonOperator, _ left: PSValue, _ right: PSValue, caseSensitive: Bool
    ) throws -> PSValue {
        switch op {
        case .contains, .notcontains:
            let found = left.elements.contains { equals($0, right, caseSensitive: caseSensitive) }
            return .bool(op == .contains ? found : !found)
        case .in, .notin:
            let found = right.elements.contains { equals($0, left, caseSensitive: caseSensitive) }
            return .bool(op == .in ? found : !found)
        case .replace:
            return try replace(left, right, caseSensitive: caseSensitive)
        case .split:
            return try split(left, right, caseSensitive: caseSensitive)
        default:
            if case .array(let items) = left {
                return .array(try items.filter { try test(op, $0, right, caseSensitive: caseSensitive) })
            }
            return .bool(try test(op, left, right, caseSensitive: caseSensitive))
        }
    }

    /// One scalar comparison.
    static func test(
        _ op: PSComparisonOperator, _ left: PSValue, _ right: PSValue, caseSensitive: Bool
    ) throws -> Bool {
        switch op {
        case .eq: return equals(left, right, caseSensitive: caseSensitive)
        case .ne: return !equals(left, right, caseSensitive: caseSensitive)
        case .gt: return try order(left, right, caseSensitive: caseSensitive) > 0
        case .ge: return try order(left, right, caseSensitive: caseSensitive) >= 0
        case .lt: return try order(left, right, caseSensitive: caseSensitive) < 0
        case .le: return try order(left, right, caseSensitive: caseSensitive) <= 0
        case .like:
            return try WildcardPattern(right.text, caseSensitive: caseSensitive).matches(left.text)
        case .notlike:
            return try !WildcardPattern(right.text, caseSensitive: caseSensitive).matches(left.text)
        case .match: return try regex(right.text, caseSensitive: caseSensitive).matches(left.text)
        case .notmatch: return try !regex(right.text, caseSensitive: caseSensitive).matches(left.text)
        case .contains, .notcontains, .in, .notin, .replace, .split:
            return try compare(op, left, right, caseSensitive: caseSensitive).isTruthy
        }
    }

    /// `-eq` for one pair: the right side is converted to the left side's type.
    static func equals(_ left: PSValue, _ right: PSValue, caseSensitive: Bool) -> Bool {
        switch (left, right) {
        case (.null, _): return right.isNull
        case (_, .null): return false
        case let (.string(l), _):
            return stringsEqual(l, right.text, caseSensitive: caseSensitive)
        case let (.bool(l), _):
            // PowerShell converts the right side to bool by truthiness, so `$false -eq "False"`
            // is False (a non-empty string is true), exactly as in PowerShell.
            return l == right.isTruthy
        case let (.int(l), .int(r)):
            return l == r
        case (.int, _), (.double, _):
            guard let l = number(left), let r = number(right) else { return false }
            return l == r
        case let (.typed(t), _):
            if let l = t.number, let r = numberIfNumeric(right) { return l == r }
            return stringsEqual(t.text, right.text, caseSensitive: caseSensitive)
        case (.object, .string), (.object, .typed):
            // Exchange identities are compared with strings in filters; compare the identity text.
            return stringsEqual(left.text, right.text, caseSensitive: caseSensitive)
        default:
            return left == right
        }
    }

    /// Ordering for `-gt`/`-lt`...: negative, zero or positive. `$null` is below everything.
    static func order(_ left: PSValue, _ right: PSValue, caseSensitive: Bool) throws -> Int {
        switch (left, right) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        case let (.string(l), _):
            return stringOrder(l, right.text, caseSensitive: caseSensitive)
        case let (.int(l), .int(r)):
            return l < r ? -1 : (l == r ? 0 : 1)
        case (.int, _), (.double, _), (.bool, _):
            guard let l = number(left), let r = number(right) else {
                throw PSRuntimeError(
                    "Could not compare \"\(left.text)\" to \"\(right.text)\". Cannot convert value \"\(right.text)\" to type \"\(left.typeDisplayName)\"."
                )
            }
            return l < r ? -1 : (l == r ? 0 : 1)
        case let (.typed(t), _):
            if let l = t.number, let r = numberIfNumeric(right) { return l < r ? -1 : (l == r ? 0 : 1) }
            return stringOrder(t.text, right.text, caseSensitive: caseSensitive)
        case (.object, _):
            return stringOrder(left.text, right.text, caseSensitive: caseSensitive)
        default:
            throw PSRuntimeError("Cannot compare \"\(left.text)\" because it is not IComparable.")
        }
    }

    static func stringsEqual(_ a: String, _ b: String, caseSensitive: Bool) -> Bool {
        caseSensitive ? a == b : a.caseInsensitiveEquals(b)
    }

    static func stringOrder(_ a: String, _ b: String, caseSensitive: Bool) -> Int {
        let result = caseSensitive ? a.compare(b) : a.compare(b, options: [.caseInsensitive])
        switch result {
        case .orderedAscending: return -1
        case .orderedSame: return 0
        case .orderedDescending: return 1
        }
    }

    /// The right operand as a number when the left one is numeric: numbers, booleans (0/1),
    /// typed values with a number, and strings that read as a number (`"10"`, `"10MB"`).
    static func number(_ value: PSValue) -> Double? {
        switch value {
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .typed(let t): return t.number ?? parseNumber(t.text)
        case .string(let s):
            let trimmed = s.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? 0 : parseNumber(trimmed)
        case .array(let items) where items.count == 1: return number(items[0])
        default: return nil
        }
    }

    /// Like `number`, but only for values that really are numeric; a typed value on the left
    /// compares by text with anything else (`"00:10:00"`, `"Tls, BasicAuth"`).
    static func numberIfNumeric(_ value: PSValue) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .typed(let t): return t.number
        case .string(let s): return parseNumber(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    private static func parseNumber(_ text: String) -> Double? {
        switch NumberLiteral.parse(text) {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        default: return nil
        }
    }

    // MARK: - Regular expressions

    static func regex(_ pattern: String, caseSensitive: Bool) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern, options: caseSensitive ? [] : [.caseInsensitive])
        } catch {
            throw PSRuntimeError("Invalid regular expression pattern: \(pattern).")
        }
    }

    private static func replace(_ left: PSValue, _ right: PSValue, caseSensitive: Bool) throws -> PSValue {
        let parts = right.elements
        let regex = try regex(parts.first?.text ?? "", caseSensitive: caseSensitive)
        let replacement = parts.count > 1 ? parts[1].text : ""
        func apply(_ value: PSValue) -> PSValue {
            let text = value.text
            let range = NSRange(text.startIndex..., in: text)
            return .string(regex.stringByReplacingMatches(in: text, range: range, withTemplate: replacement))
        }
        if case .array(let items) = left { return .array(items.map(apply)) }
        return apply(left)
    }

    private static func split(_ left: PSValue, _ right: PSValue, caseSensitive: Bool) throws -> PSValue {
        let regex = try regex(right.elements.first?.text ?? "", caseSensitive: caseSensitive)
        var pieces: [PSValue] = []
        for value in left.elements {
            let text = value.text
            let ns = text as NSString
            var start = 0
            for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                pieces.append(.string(ns.substring(with: NSRange(location: start, length: match.range.location - start))))
                start = match.range.location + match.range.length
            }
            pieces.append(.string(ns.substring(from: start)))
        }
        return .array(pieces)
    }

    // MARK: - Arithmetic

    static func arithmetic(_ op: PSBinaryOperator, _ left: PSValue, _ right: PSValue) throws -> PSValue {
        switch op {
        case .add: return try add(left, right)
        case .multiply: return try multiply(left, right)
        case .subtract:
            return try numeric(left, right, "op_Subtraction", { $0.subtractingReportingOverflow($1) }, { $0 - $1 })
        case .divide:
            let r = try operand(right, for: left, "op_Division")
            if r == 0 { throw PSRuntimeError("Attempted to divide by zero.") }
            if case .int(let a) = left, case .int(let b) = right {
                let (quotient, overflow) = a.dividedReportingOverflow(by: b)
                if !overflow, a.remainderReportingOverflow(dividingBy: b).partialValue == 0 { return .int(quotient) }
            }
            return .double(try operand(left, for: left, "op_Division") / r)
        case .modulo:
            if case .int(let a) = left, case .int(let b) = right {
                if b == 0 { throw PSRuntimeError("Attempted to divide by zero.") }
                return .int(a.remainderReportingOverflow(dividingBy: b).partialValue)
            }
            let r = try operand(right, for: left, "op_Modulus")
            if r == 0 { throw PSRuntimeError("Attempted to divide by zero.") }
            return .double(try operand(left, for: left, "op_Modulus").truncatingRemainder(dividingBy: r))
        case .join:
            return .string(left.elements.map(\.text).joined(separator: right.text))
        default:
            throw PSRuntimeError("Unsupported operator.")
        }
    }

    private static func add(_ left: PSValue, _ right: PSValue) throws -> PSValue {
        switch left {
        case .null: return right
        case .string(let s): return .string(s + right.text)
        case .array(let items): return .array(items + right.elements)
        case .hashtable(let entries):
            guard case .hashtable(let more) = right else {
                throw PSRuntimeError("A hash table can only be added to another hash table.")
            }
            for entry in more where entries.contains(where: { $0.key.caseInsensitiveEquals(entry.key) }) {
                throw PSRuntimeError("Item has already been added. Key in dictionary: '\(entry.key)'.")
            }
            return .hashtable(entries + more)
        default:
            return try numeric(left, right, "op_Addition", { $0.addingReportingOverflow($1) }, { $0 + $1 })
        }
    }

    private static func multiply(_ left: PSValue, _ right: PSValue) throws -> PSValue {
        switch left {
        case .string(let s):
            let count = try repeatCount(right, for: left)
            return .string(String(repeating: s, count: max(count, 0)))
        case .array(let items):
            let count = try repeatCount(right, for: left)
            return .array(Array([[PSValue]](repeating: items, count: max(count, 0)).joined()))
        default:
            return try numeric(left, right, "op_Multiply", { $0.multipliedReportingOverflow(by: $1) }, { $0 * $1 })
        }
    }

    /// How many times `'ab' * 3` repeats; bounded so that a typo cannot exhaust memory.
    private static func repeatCount(_ value: PSValue, for left: PSValue) throws -> Int {
        let n = try operand(value, for: left, "op_Multiply")
        guard n.isFinite, n < 1_000_000 else {
            throw PSRuntimeError("Array dimensions exceeded supported range.")
        }
        return max(Int(n), 0)
    }

    /// Integer arithmetic when both sides are integers (widening to double on overflow, as
    /// PowerShell does), double arithmetic otherwise.
    private static func numeric(
        _ left: PSValue, _ right: PSValue, _ method: String,
        _ intOp: (Int, Int) -> (partialValue: Int, overflow: Bool),
        _ doubleOp: (Double, Double) -> Double
    ) throws -> PSValue {
        let l = try operand(left, for: left, method)
        let r = try operand(right, for: left, method)
        if case .int(let a) = left, case .int(let b) = right {
            let (value, overflow) = intOp(a, b)
            if !overflow { return .int(value) }
        }
        let result = doubleOp(l, r)
        if left.isIntegral, right.isIntegral, result == result.rounded(), abs(result) < 9e18 {
            return .int(Int(result))
        }
        return .double(result)
    }

    private static func operand(_ value: PSValue, for left: PSValue, _ method: String) throws -> Double {
        switch value {
        case .string, .null, .bool, .int, .double, .typed:
            if let n = number(value) { return n }
            throw PSRuntimeError(
                "Cannot convert value \"\(value.text)\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\"")
        default:
            throw PSRuntimeError(
                "Method invocation failed because [\(left.typeDisplayName)] does not contain a method named '\(method)'.")
        }
    }
}

extension PSValue {
    /// Whether arithmetic on this operand should stay integral (ints, bools, integer strings).
    fileprivate var isIntegral: Bool {
        switch self {
        case .int, .bool, .null: return true
        case .string(let s):
            if case .int? = NumberLiteral.parse(s.trimmingCharacters(in: .whitespaces)) { return true }
            return false
        default: return false
        }
    }
}

extension NSRegularExpression {
    func matches(_ text: String) -> Bool {
        firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
