/// Exchange's EnhancedTimeSpan, written `[d.]hh:mm:ss` (`00:10:00`, `1.00:00:00`). Whole seconds only.
public struct EnhancedTimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let seconds: Int

    public init(seconds: Int) { self.seconds = seconds }
    public static func minutes(_ m: Int) -> EnhancedTimeSpan { EnhancedTimeSpan(seconds: m * 60) }
    public static let zero = EnhancedTimeSpan(seconds: 0)
    /// .NET's `TimeSpan.MaxValue` is 10675199.02:48:05.4775807: more days than this aren't a time span (and
    /// in seconds they would overflow).
    public static let maximumDays = 10_675_199

    public init(parsing input: String) throws(ValueError) {
        let text = input.trimmingCharacters(in: .whitespaces)
        let bad = ValueError("\"\(input)\" is not a time span: write hh:mm:ss or d.hh:mm:ss, as in 00:10:00.")
        var days = 0
        var clock = Substring(text)
        if let dot = text.firstIndex(of: "."), dot < (text.firstIndex(of: ":") ?? text.endIndex) {
            guard let d = Int(text[..<dot]), d >= 0 else { throw bad }
            guard d <= Self.maximumDays else {
                throw ValueError("\"\(input)\" is not a time span: at most \(Self.maximumDays) days (TimeSpan's limit).")
            }
            days = d
            clock = text[text.index(after: dot)...]
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let h = Int(parts[0]), let m = Int(parts[1]), let s = Int(parts[2])
        else { throw bad }
        guard h < 24, m < 60, s < 60 else {
            throw ValueError("\"\(input)\" is not a time span: hours must be below 24, minutes and seconds below 60.")
        }
        seconds = ((days * 24 + h) * 60 + m) * 60 + s
    }

    public var description: String {
        let d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60
        let clock = "\(Self.two(h)):\(Self.two(m)):\(Self.two(s))"
        return d > 0 ? "\(d).\(clock)" : clock
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    public static func < (a: EnhancedTimeSpan, b: EnhancedTimeSpan) -> Bool { a.seconds < b.seconds }
}
