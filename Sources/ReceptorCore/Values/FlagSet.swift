/// An Exchange flags enumeration (AuthMechanisms, PermissionGroups): written as a comma-separated list of
/// names, shown in the enumeration's declaration order ("Tls, Integrated, BasicAuth"), with `None` for the
/// empty set. `Flag` lists the members in that order.
public protocol FlagName: CaseIterable, Hashable, Sendable, RawRepresentable, Comparable where RawValue == String {}

extension FlagName {
    public static func < (a: Self, b: Self) -> Bool {
        let all = Array(allCases)
        return all.firstIndex(of: a)! < all.firstIndex(of: b)!
    }
}

public struct FlagSet<Flag: FlagName>: Hashable, Sendable, CustomStringConvertible, Sequence, ExpressibleByArrayLiteral {
    public private(set) var members: Set<Flag>

    public init<S: Sequence>(_ members: S) where S.Element == Flag { self.members = Set(members) }
    public init() { members = [] }
    public init(arrayLiteral elements: Flag...) { members = Set(elements) }
    public static var none: FlagSet { FlagSet() }

    /// Parses `Tls,BasicAuth` or a list of names; `None` alone is the empty set, and `None` with anything else
    /// is refused (reference §4b rule 1 for AuthMechanism; the same holds for PermissionGroups).
    public init(parsing names: [String], typeName: String) throws(ValueError) {
        var result = Set<Flag>()
        var sawNone = false
        let pieces = names.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        for piece in pieces {
            if piece.lowercased() == "none" { sawNone = true; continue }
            guard let flag = Flag.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(piece) == .orderedSame }) else {
                let valid = (["None"] + Flag.allCases.map(\.rawValue)).joined(separator: ", ")
                throw ValueError("\"\(piece)\" is not a valid \(typeName) value. Valid values: \(valid).")
            }
            result.insert(flag)
        }
        if sawNone && !result.isEmpty {
            throw ValueError("\(typeName) value None must be used alone.")
        }
        members = result
    }

    public func contains(_ flag: Flag) -> Bool { members.contains(flag) }
    public var isEmpty: Bool { members.isEmpty }
    public mutating func insert(_ flag: Flag) { members.insert(flag) }
    public mutating func remove(_ flag: Flag) { members.remove(flag) }
    public var ordered: [Flag] { members.sorted() }
    public func makeIterator() -> IndexingIterator<[Flag]> { ordered.makeIterator() }
    public var names: [String] { ordered.map(\.rawValue) }
    public var description: String { isEmpty ? "None" : names.joined(separator: ", ") }
}

/// AuthMechanism values in Exchange's enum order (reference §4a).
public enum AuthMechanism: String, FlagName {
    case tls = "Tls"
    case integrated = "Integrated"
    case basicAuth = "BasicAuth"
    case basicAuthRequireTLS = "BasicAuthRequireTLS"
    case exchangeServer = "ExchangeServer"
    case externalAuthoritative = "ExternalAuthoritative"

    /// The EAC's check-box label (Security tab).
    public var label: String {
        switch self {
        case .tls: "Transport Layer Security (TLS)"
        case .integrated: "Integrated Windows authentication"
        case .basicAuth: "Basic authentication"
        case .basicAuthRequireTLS: "Offer basic authentication only after starting TLS"
        case .exchangeServer: "Exchange Server authentication"
        case .externalAuthoritative: "Externally secured (for example, with IPsec)"
        }
    }

    /// Mechanisms this product stores but whose protocol the listener does not speak (product.md, "Not now").
    public var isSupportedByListener: Bool { self != .integrated && self != .exchangeServer }
}
public typealias AuthMechanisms = FlagSet<AuthMechanism>

/// PermissionGroups values in Exchange's enum order (reference §5a).
public enum PermissionGroup: String, FlagName {
    case anonymousUsers = "AnonymousUsers"
    case exchangeUsers = "ExchangeUsers"
    case exchangeServers = "ExchangeServers"
    case exchangeLegacyServers = "ExchangeLegacyServers"
    case partners = "Partners"
    case custom = "Custom"

    public var label: String {
        switch self {
        case .anonymousUsers: "Anonymous users"
        case .exchangeUsers: "Exchange users"
        case .exchangeServers: "Exchange servers"
        case .exchangeLegacyServers: "Legacy Exchange servers"
        case .partners: "Partners"
        case .custom: "Custom"
        }
    }
}
public typealias PermissionGroups = FlagSet<PermissionGroup>
