/// Exchange's `Unlimited<Int32>`: a number or the word `unlimited`.
public enum Unlimited: Hashable, Sendable, CustomStringConvertible {
    case limited(Int)
    case unlimited

    public init(parsing input: String) throws(ValueError) {
        let text = input.trimmingCharacters(in: .whitespaces)
        if text.lowercased() == "unlimited" { self = .unlimited; return }
        guard let n = Int(text) else { throw ValueError("\"\(input)\" is not a number or 'unlimited'.") }
        self = .limited(n)
    }

    public var limit: Int? { if case .limited(let n) = self { return n }; return nil }
    public var description: String { limit.map(String.init) ?? "Unlimited" }
}
