/// Exchange's ByteQuantifiedSize: a byte count written as `36MB`, `36 MB`, `256KB`, `65536` (bytes) or as
/// Exchange prints it, `36 MB (37,748,736 bytes)`. Units are binary (1 KB = 1024 bytes), as in Exchange.
public struct ByteSize: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: Int64

    public init(bytes: Int64) { self.bytes = bytes }
    public static func kilobytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n * 1024) }
    public static func megabytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n * 1024 * 1024) }

    static let units: [(suffix: String, factor: Int64)] = [
        ("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1),
    ]

    public init(parsing input: String) throws(ValueError) {
        var text = input.trimmingCharacters(in: .whitespaces)
        // Accept Exchange's own output form: keep the exact byte count in parentheses.
        if let open = text.firstIndex(of: "("), text.hasSuffix("bytes)") {
            let inner = text[text.index(after: open)...].dropLast("bytes)".count)
            text = inner.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
        }
        let upper = text.uppercased()
        var factor: Int64 = 1
        var numberPart = Substring(upper)
        for unit in Self.units where upper.hasSuffix(unit.suffix) {
            factor = unit.factor
            numberPart = upper.dropLast(unit.suffix.count)
            break
        }
        let number = numberPart.trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty else {
            throw ValueError("\"\(input)\" is not a size: write a number of bytes or a number with KB, MB, GB or TB, as in 36MB.")
        }
        if let whole = Int64(number) {
            guard whole >= 0 else { throw ValueError("\"\(input)\" is not a size: it is negative.") }
            let (product, overflow) = whole.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw ValueError("\"\(input)\" is too large.") }
            bytes = product
        } else if let fraction = Double(number), fraction >= 0, factor > 1, number.allSatisfy({ $0.isNumber || $0 == "." }) {
            let value = fraction * Double(factor)
            guard value < 9.2e18 else { throw ValueError("\"\(input)\" is too large.") }
            bytes = Int64(value.rounded())
        } else {
            throw ValueError("\"\(input)\" is not a size: write a number of bytes or a number with KB, MB, GB or TB, as in 36MB.")
        }
    }

    /// Exchange's display: `36 MB (37,748,736 bytes)`; the unit is the largest that gives a value of at least 1.
    public var description: String {
        let grouped = Self.grouped(bytes)
        guard let unit = Self.units.first(where: { bytes >= $0.factor && $0.factor > 1 }) else {
            return "\(bytes) B (\(grouped) bytes)"
        }
        let value = Double(bytes) / Double(unit.factor)
        return "\(Self.trimmed(value)) \(unit.suffix) (\(grouped) bytes)"
    }

    /// The short form an administrator types, used in generated command lines: `36MB`, `65536`.
    public var shortText: String {
        for unit in Self.units where unit.factor > 1 && bytes >= unit.factor && bytes % unit.factor == 0 {
            return "\(bytes / unit.factor)\(unit.suffix)"
        }
        return "\(bytes)"
    }

    static func trimmed(_ value: Double) -> String {
        // Up to three decimals, as Exchange prints (9.766 MB), without trailing zeros.
        var text = String(Int64((value * 1000).rounded()))
        while text.count < 4 { text = "0" + text }
        let whole = text.dropLast(3), decimals = String(text.suffix(3)).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
        return decimals.isEmpty ? String(whole) : "\(whole).\(decimals)"
    }

    static func grouped(_ n: Int64) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.bytes < b.bytes }
}
