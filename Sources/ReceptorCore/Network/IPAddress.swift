/// The address family of an `IPAddress`; the raw values are the names shown to administrators.
public enum IPAddressFamily: String, Sendable, Hashable {
    case v4 = "IPv4"
    case v6 = "IPv6"

    /// Number of bits in an address of this family.
    public var bitWidth: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// The highest address value of the family (all bits set).
    public var maxValue: UInt128 {
        switch self {
        case .v4: UInt128(UInt32.max)
        case .v6: UInt128.max
        }
    }
}

/// An IPv4 or IPv6 address as a plain value.
///
/// Both families share one `UInt128` so that ranges, containment and ordering need no per-family
/// code paths; IPv4 lives in the low 32 bits. The IPv6 zone index is kept only so the address can
/// be shown as entered: a zone names a local interface, not a different address, so equality,
/// ordering and hashing ignore it.
public struct IPAddress: Sendable, CustomStringConvertible {
    public let family: IPAddressFamily
    public let value: UInt128
    /// The IPv6 zone index as entered ("11" in `fe80::1%11`); always nil for IPv4.
    public let zone: String?

    public init(v4: UInt32) {
        family = .v4
        value = UInt128(v4)
        zone = nil
    }

    /// An empty zone is stored as nil: `fe80::1%` is not a meaningful address to show.
    public init(v6: UInt128, zone: String? = nil) {
        family = .v6
        value = v6
        self.zone = (zone?.isEmpty ?? true) ? nil : zone
    }

    /// Parses an IPv4 dotted quad or an IPv6 address (RFC 4291 text forms, optional `%zone`).
    /// Brackets, ports, prefixes and surrounding whitespace are not accepted here.
    public init(parsing text: String) throws(AddressParseError) {
        do throws(AddressParseFailure) {
            self = try AddressTextParser.parseAddress(text[...])
        } catch {
            throw error.error(input: text, subject: .address)
        }
    }

    /// 0.0.0.0: as a binding, every local IPv4 address; as a remote range, every IPv4 address.
    public static let anyV4 = IPAddress(v4: 0)
    /// `::`: as a binding, every local IPv6 address; as a remote range, every IPv6 address.
    public static let anyV6 = IPAddress(v6: 0)

    public var isUnspecified: Bool { value == 0 }

    /// 127.0.0.0/8, ::1, and the v4-mapped form of 127.0.0.0/8: a dual-stack socket reports an
    /// IPv4 loopback peer as `::ffff:127.0.0.1`, and that connection is still local.
    public var isLoopback: Bool {
        switch family {
        case .v4: value >> 24 == 127
        case .v6: value == 1 || (unmappedIPv4?.isLoopback ?? false)
        }
    }

    /// The IPv4 address inside a v4-mapped IPv6 address (`::ffff:a.b.c.d`), else nil.
    /// Dual-stack sockets report IPv4 peers this way; callers unmap before matching IPv4 ranges.
    public var unmappedIPv4: IPAddress? {
        guard family == .v6, value >> 32 == 0xffff else { return nil }
        return IPAddress(v4: UInt32(truncatingIfNeeded: value))
    }

    public var description: String {
        switch family {
        case .v4:
            return AddressTextFormatter.dottedQuad(UInt32(truncatingIfNeeded: value))
        case .v6:
            let text = AddressTextFormatter.canonicalIPv6(value)
            return zone.map { "\(text)%\($0)" } ?? text
        }
    }
}

extension IPAddress: Hashable {
    // The zone is deliberately left out: see the type comment.
    public static func == (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.family == rhs.family && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(family)
        hasher.combine(value)
    }
}

extension IPAddress: Comparable {
    /// All IPv4 addresses sort before all IPv6 addresses; within a family, numerically.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family { return lhs.family == .v4 }
        return lhs.value < rhs.value
    }
}
