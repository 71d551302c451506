/// One entry of a connector's RemoteIPRanges: a single address, a start-end range, a CIDR block,
/// or a bare `0.0.0.0` / `::` meaning every address of that family.
///
/// The entry remembers how it was written (`form`, `baseAddress`) so that it is shown back the
/// way the administrator entered it, while `first` and `last` carry the addresses it covers.
/// `==` compares the entry as written (`10.0.0.1/24` and `10.0.0.0/24` are different entries);
/// use `coversSameAddresses(as:)` to compare what they match.
public struct IPRange: Hashable, Sendable, CustomStringConvertible {
    public enum Form: Hashable, Sendable {
        case single
        case range
        case cidr(prefixLength: Int)
        case familyWildcard
    }

    public let form: Form
    public let first: IPAddress
    public let last: IPAddress
    /// For `.cidr`, the address written before the "/", host bits included (`17.17.17.1` in
    /// `17.17.17.1/24`); for every other form, the same as `first`.
    public let baseAddress: IPAddress

    public var family: IPAddressFamily { first.family }

    private init(form: Form, first: IPAddress, last: IPAddress, baseAddress: IPAddress) {
        self.form = form
        self.first = first
        self.last = last
        self.baseAddress = baseAddress
    }

    /// Parses a single address, `a-b` (whitespace around "-" allowed), `a/n`, or a bare
    /// `0.0.0.0` / `::`. Surrounding whitespace is ignored.
    public init(parsing text: String) throws(AddressParseError) {
        do throws(AddressParseFailure) {
            self = try Self.parse(AddressTextParser.trimmed(text[...]))
        } catch {
            throw error.error(input: text, subject: .range)
        }
    }

    /// A range from `first` to `last` inclusive. Equal addresses give a `.single` entry, except
    /// `0.0.0.0` / `::`, which stay a `.range`: written alone they would mean the whole family.
    public init(first: IPAddress, last: IPAddress) throws(AddressParseError) {
        if first == last && !first.isUnspecified {
            self.init(single: first)
            return
        }
        do throws(AddressParseFailure) {
            self = try Self.range(first, last)
        } catch {
            throw error.error(input: "\(first)-\(last)", subject: .range)
        }
    }

    /// The entry for one address (zone kept for display).
    public init(single address: IPAddress) {
        self.init(form: .single, first: address, last: address, baseAddress: address)
    }

    /// The entry written as a bare `0.0.0.0` or `::`.
    public static func familyWildcard(_ family: IPAddressFamily) -> IPRange {
        let any = family == .v4 ? IPAddress.anyV4 : IPAddress.anyV6
        return IPRange(form: .familyWildcard, first: any, last: lastAddress(family), baseAddress: any)
    }

    public static let allIPv4 = IPRange(
        form: .range, first: .anyV4, last: lastAddress(.v4), baseAddress: .anyV4)
    public static let allIPv6 = IPRange(
        form: .range, first: .anyV6, last: lastAddress(.v6), baseAddress: .anyV6)

    public var description: String {
        switch form {
        case .single: first.description
        case .range: "\(first)-\(last)"
        case .cidr(let prefixLength): "\(baseAddress)/\(prefixLength)"
        case .familyWildcard: first.description
        }
    }

    /// `last - first`: the number of addresses minus one, which still fits when the entry is
    /// all of IPv6 (2^128 addresses).
    public var span: UInt128 { last.value - first.value }

    // MARK: Set relations. Different families never contain, overlap or nest.

    /// The address lies in this entry. The zone is ignored. A v4-mapped IPv6 address is not
    /// unmapped here: callers unmap peers first, so that this stays a plain numeric test.
    public func contains(_ address: IPAddress) -> Bool {
        address.family == family && first.value <= address.value && address.value <= last.value
    }

    /// `other` lies completely inside this entry (equal entries contain each other).
    public func contains(_ other: IPRange) -> Bool {
        other.family == family && first.value <= other.first.value && other.last.value <= last.value
    }

    /// The two entries share at least one address.
    public func overlaps(_ other: IPRange) -> Bool {
        other.family == family && first.value <= other.last.value && other.first.value <= last.value
    }

    /// One entry contains the other. Connectors that share a binding may have overlapping remote
    /// ranges only when they nest; partial overlap makes the choice of connector ambiguous.
    public func nests(with other: IPRange) -> Bool {
        contains(other) || other.contains(self)
    }

    /// Both entries match exactly the same addresses, however they were written.
    public func coversSameAddresses(as other: IPRange) -> Bool {
        other.family == family && first.value == other.first.value && last.value == other.last.value
    }

    private static func lastAddress(_ family: IPAddressFamily) -> IPAddress {
        family == .v4 ? IPAddress(v4: .max) : IPAddress(v6: .max)
    }
}

// MARK: - Parsing

extension IPRange {
    private static let zoneOnlyOnSingle = "a zone index (\"%\") is allowed only on a single address."

    private static func parse(_ text: Substring) throws(AddressParseFailure) -> IPRange {
        if let v4 = AddressTextParser.plainIPv4(text) { return try single(IPAddress(v4: v4)) }
        if text.isEmpty { throw AddressParseFailure("the text is empty.") }
        if text.contains("/") {
            if text.contains("-") {
                throw AddressParseFailure("a range (\"-\") cannot also have a prefix length (\"/\").")
            }
            return try parseCIDR(text)
        }
        if text.contains("-") {
            // A zone may itself contain "-" (`fe80::1%eth-0`), so a text that is one whole
            // address is a single entry, not a range.
            if let address = try? AddressTextParser.parseAddress(text) { return try single(address) }
            return try parseRange(text)
        }
        return try single(AddressTextParser.parseAddress(text))
    }

    private static func single(_ address: IPAddress) throws(AddressParseFailure) -> IPRange {
        guard address.isUnspecified else { return IPRange(single: address) }
        if address.zone != nil {
            throw AddressParseFailure("\"::\" means every IPv6 address and cannot have a zone index.")
        }
        return familyWildcard(address.family)
    }

    private static func parseRange(_ text: Substring) throws(AddressParseFailure) -> IPRange {
        let parts = AddressTextParser.split(text, on: "-")
        if parts.count > 2 { throw AddressParseFailure("only one \"-\" is allowed.") }
        let start = AddressTextParser.trimmed(parts[0])
        let end = AddressTextParser.trimmed(parts[1])
        if start.isEmpty { throw AddressParseFailure("the start address before \"-\" is missing.") }
        if end.isEmpty { throw AddressParseFailure("the end address after \"-\" is missing.") }
        let first = try endpoint(start, role: "start")
        let last = try endpoint(end, role: "end")
        // Kept as a range even when first == last: it is shown back as the administrator wrote it.
        return try range(first, last)
    }

    /// Parses one end of a range, saying which end is wrong: "an IPv4 address has four parts"
    /// alone would leave the administrator guessing.
    private static func endpoint(_ text: Substring, role: String) throws(AddressParseFailure) -> IPAddress {
        do throws(AddressParseFailure) {
            return try AddressTextParser.parseAddress(text)
        } catch {
            throw AddressParseFailure("the \(role) address \"\(text)\" is not valid: \(error.reason)")
        }
    }

    private static func range(_ first: IPAddress, _ last: IPAddress) throws(AddressParseFailure) -> IPRange {
        if first.family != last.family {
            throw AddressParseFailure("the start and end addresses are of different families.")
        }
        if first.zone != nil || last.zone != nil { throw AddressParseFailure(zoneOnlyOnSingle) }
        if first > last { throw AddressParseFailure("the start address is after the end address.") }
        return IPRange(form: .range, first: first, last: last, baseAddress: first)
    }

    /// `a/n`. Host bits may be set (`17.17.17.1/24`): Exchange accepts this form and covers the
    /// whole block, and refusing it would reject existing configurations.
    private static func parseCIDR(_ text: Substring) throws(AddressParseFailure) -> IPRange {
        let parts = AddressTextParser.split(text, on: "/")
        if parts.count > 2 { throw AddressParseFailure("only one \"/\" is allowed.") }
        let addressText = AddressTextParser.trimmed(parts[0])
        let prefixText = AddressTextParser.trimmed(parts[1])
        if addressText.isEmpty { throw AddressParseFailure("the address before \"/\" is missing.") }
        if prefixText.isEmpty { throw AddressParseFailure("the prefix length after \"/\" is missing.") }

        let address = try AddressTextParser.parseAddress(addressText)
        if address.zone != nil { throw AddressParseFailure(zoneOnlyOnSingle) }
        guard prefixText.allSatisfy(AddressTextParser.isASCIIDigit) else {
            throw AddressParseFailure("the prefix length \"\(prefixText)\" is not a decimal number.")
        }
        let width = address.family.bitWidth
        guard prefixText.count <= 3, let prefixLength = Int(prefixText), prefixLength <= width else {
            throw AddressParseFailure("an \(address.family.rawValue) prefix length is 0 to \(width).")
        }

        let hostBits = width - prefixLength
        // Built by shifting all-ones right, because 1 << 128 cannot be formed for a /0 in IPv6.
        let hostMask: UInt128 = hostBits == 0 ? 0 : UInt128.max >> (128 - hostBits)
        let first = value(address.value & ~hostMask, family: address.family)
        let last = value(address.value | hostMask, family: address.family)
        return IPRange(form: .cidr(prefixLength: prefixLength), first: first, last: last, baseAddress: address)
    }

    private static func value(_ value: UInt128, family: IPAddressFamily) -> IPAddress {
        family == .v4 ? IPAddress(v4: UInt32(truncatingIfNeeded: value)) : IPAddress(v6: value)
    }
}
