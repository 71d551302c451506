/// One entry of a connector's Bindings: the local address and TCP port a connector listens on.
/// `0.0.0.0` means every local IPv4 address and `[::]` every local IPv6 address.
public struct IPBinding: Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let port: Int
    /// The text gave no port (`0.0.0.0`, `[::]`, `[::]:`), so `port` is the parser's default.
    /// Remembered so an editor can show the entry as entered; not part of equality.
    public let portWasOmitted: Bool

    /// `port` is taken as given; the parser is where 1–65535 is enforced.
    public init(address: IPAddress, port: Int) {
        self.init(address: address, port: port, portWasOmitted: false)
    }

    private init(address: IPAddress, port: Int, portWasOmitted: Bool) {
        self.address = address
        self.port = port
        self.portWasOmitted = portWasOmitted
    }

    /// Parses `a.b.c.d:port` or `[ipv6]:port`. Only a wildcard address may leave out the port
    /// (`0.0.0.0`, `[::]`, `[::]:`, as Exchange's defaults are written); it then gets
    /// `defaultPort`. Surrounding whitespace is ignored.
    public init(parsing text: String, defaultPort: Int = 25) throws(AddressParseError) {
        do throws(AddressParseFailure) {
            self = try Self.parse(AddressTextParser.trimmed(text[...]), defaultPort: defaultPort)
        } catch {
            throw error.error(input: text, subject: .binding)
        }
    }

    public var isWildcard: Bool { address.isUnspecified }

    /// The wildcard binding of this binding's family and port (`0.0.0.0:25` for `10.1.1.1:25`). Linux won't
    /// let a specific address listen on a port where the wildcard already listens, so where both are
    /// configured the wildcard's socket serves this binding too (reference §6c): the listener plans its
    /// sockets by this, and status reports a specific binding by its wildcard socket's state.
    public var wildcardOfItsPort: IPBinding {
        IPBinding(address: family == .v4 ? .anyV4 : .anyV6, port: port)
    }
    public var family: IPAddressFamily { address.family }

    /// Always shows the port, so the listener's real endpoint is visible: `0.0.0.0:25`, `[::]:25`.
    public var description: String {
        switch family {
        case .v4: "\(address):\(port)"
        case .v6: "[\(address)]:\(port)"
        }
    }

    /// Two bindings can receive the same connection: same port, same family, and the same
    /// address or either is the wildcard.
    public func overlaps(_ other: IPBinding) -> Bool {
        port == other.port && family == other.family
            && (isWildcard || other.isWildcard || address == other.address)
    }

    /// The binding receives a connection that arrived on this local address and port. Wildcards
    /// match any address of their family. A v4-mapped local address (a dual-stack socket's view
    /// of an IPv4 connection) counts as IPv4, because the connection really came in over IPv4.
    public func accepts(localAddress: IPAddress, port: Int) -> Bool {
        guard port == self.port else { return false }
        let local = localAddress.unmappedIPv4 ?? localAddress
        guard local.family == family else { return false }
        return isWildcard || local == address
    }
}

extension IPBinding: Hashable {
    // `portWasOmitted` is left out: `0.0.0.0` and `0.0.0.0:25` are the same listener.
    public static func == (lhs: IPBinding, rhs: IPBinding) -> Bool {
        lhs.address == rhs.address && lhs.port == rhs.port
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(address)
        hasher.combine(port)
    }
}

// MARK: - Parsing

extension IPBinding {
    private static let bracketExample = "[2001:db8::1]:25"

    private static func parse(_ text: Substring, defaultPort: Int) throws(AddressParseFailure) -> IPBinding {
        // The common case, `a.b.c.d:port`, from the bytes; anything else (IPv6, no port, a bad port) below.
        if let plain = AddressTextParser.plainIPv4AndPort(text) {
            return IPBinding(address: IPAddress(v4: plain.address), port: plain.port, portWasOmitted: false)
        }
        if text.isEmpty { throw AddressParseFailure("the text is empty.") }
        let (address, portText) = text.first == "[" ? try splitBracketed(text) : try splitPlain(text)

        guard let portText, !portText.isEmpty else {
            if address.isUnspecified {
                return IPBinding(address: address, port: defaultPort, portWasOmitted: true)
            }
            if portText == nil {
                let example = IPBinding(address: address, port: 25)
                throw AddressParseFailure("a port is required, e.g. \"\(example)\".")
            }
            throw AddressParseFailure("the port after \":\" is missing.")
        }
        return IPBinding(address: address, port: try parsePort(portText), portWasOmitted: false)
    }

    /// `[address]`, `[address]:` or `[address]:port`; returns nil for no ":" at all.
    private static func splitBracketed(_ text: Substring) throws(AddressParseFailure) -> (IPAddress, Substring?) {
        guard let close = text.firstIndex(of: "]") else {
            throw AddressParseFailure("the \"[\" has no matching \"]\".")
        }
        let inside = text[text.index(after: text.startIndex)..<close]
        if inside.isEmpty {
            throw AddressParseFailure("the brackets are empty; put an IPv6 address inside, e.g. \"[::]:25\".")
        }
        let address = try AddressTextParser.parseAddress(inside)
        if address.family == .v4 {
            throw AddressParseFailure(
                "brackets are only for IPv6 addresses; write an IPv4 binding without them, e.g. \"\(address):25\".")
        }
        if let mapped = address.unmappedIPv4 {
            // A listener on a v4-mapped address is an IPv4 listener; writing it as IPv6 would hide
            // conflicts with the IPv4 bindings.
            throw AddressParseFailure(
                "a v4-mapped address is an IPv4 binding; write it as \"\(mapped):25\".")
        }
        let rest = text[text.index(after: close)...]
        if rest.isEmpty { return (address, nil) }
        guard rest.first == ":" else {
            throw AddressParseFailure("expected \":\" and a port after \"]\", found \"\(rest)\".")
        }
        return (address, rest.dropFirst())
    }

    /// `a.b.c.d` or `a.b.c.d:port`. More than one ":" means an unbracketed IPv6 address, whose
    /// last group could not be told apart from a port.
    private static func splitPlain(_ text: Substring) throws(AddressParseFailure) -> (IPAddress, Substring?) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count > 2 {
            throw AddressParseFailure("IPv6 bindings are written in brackets, e.g. \"\(bracketExample)\".")
        }
        if parts[0].isEmpty { throw AddressParseFailure("the address before \":\" is missing.") }
        if text.contains("]") { throw AddressParseFailure("the \"]\" has no matching \"[\".") }
        let address = try AddressTextParser.parseAddress(parts[0])
        return (address, parts.count == 2 ? parts[1] : nil)
    }

    private static func parsePort(_ text: Substring) throws(AddressParseFailure) -> Int {
        guard text.allSatisfy(AddressTextParser.isASCIIDigit) else {
            throw AddressParseFailure("the port \"\(text)\" is not a number.")
        }
        // The length check keeps Int(_:) from overflowing on absurdly long input.
        guard text.count <= 5, let port = Int(text), (1...65535).contains(port) else {
            throw AddressParseFailure("the port must be 1 to 65535.")
        }
        return port
    }
}
