/// PowerShell's `-like` wildcards: `*` (any run), `?` (one character), `[abc]` and `[a-z]`
/// (one character from a set), and the backtick to take the next character literally.
/// The match is against the whole string. The one matcher for `-like`, `-notlike` and wildcard
/// identities (`Get-ReceiveConnector "*Relay*"`).
public struct WildcardPattern: Sendable {
    private enum Element: Sendable {
        case literal(Character)
        case any
        case star
        case set([ClosedRange<Character>])
    }

    private let elements: [Element]
    private let caseSensitive: Bool

    public init(_ pattern: String, caseSensitive: Bool = false) throws {
        self.caseSensitive = caseSensitive
        // Case-insensitivity by folding both sides, so ranges such as [A-Z] fold too.
        let chars = Array(caseSensitive ? pattern : pattern.lowercased())
        var elements: [Element] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*":
                if case .star? = elements.last {} else { elements.append(.star) }
                i += 1
            case "?":
                elements.append(.any)
                i += 1
            case "`":
                if i + 1 < chars.count {
                    elements.append(.literal(chars[i + 1]))
                    i += 2
                } else {
                    elements.append(.literal(c))
                    i += 1
                }
            case "[":
                var ranges: [ClosedRange<Character>] = []
                var j = i + 1
                var closed = false
                while j < chars.count {
                    var d = chars[j]
                    if d == "]", j > i + 1 {
                        closed = true
                        break
                    }
                    if d == "`", j + 1 < chars.count {
                        j += 1
                        d = chars[j]
                    }
                    if j + 2 < chars.count, chars[j + 1] == "-", chars[j + 2] != "]" {
                        let upper = chars[j + 2]
                        ranges.append(d <= upper ? d...upper : upper...d)
                        j += 3
                    } else {
                        ranges.append(d...d)
                        j += 1
                    }
                }
                guard closed else {
                    throw PSRuntimeError("The specified wildcard character pattern is not valid: \(pattern)")
                }
                elements.append(.set(ranges))
                i = j + 1
            default:
                elements.append(.literal(c))
                i += 1
            }
        }
        self.elements = elements
    }

    /// Whether a pattern contains wildcard characters at all (plain names are looked up directly).
    public static func hasWildcards(_ text: String) -> Bool {
        text.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    public func matches(_ text: String) -> Bool {
        let chars = Array(caseSensitive ? text : text.lowercased())
        // Greedy matching with backtracking to the last star; every non-star element matches
        // exactly one character, which keeps this linear in practice.
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        while t < chars.count {
            if p < elements.count, matchesOne(elements[p], chars[t]) {
                p += 1
                t += 1
            } else if p < elements.count, case .star = elements[p] {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < elements.count, case .star = elements[p] { p += 1 }
        return p == elements.count
    }

    private func matchesOne(_ element: Element, _ c: Character) -> Bool {
        switch element {
        case .literal(let l): return l == c
        case .any: return true
        case .star: return false
        case .set(let ranges): return ranges.contains { $0.contains(c) }
        }
    }
}
