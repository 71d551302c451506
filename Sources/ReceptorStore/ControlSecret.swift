import Foundation

/// The organization's control secret: 256 random bits kept in the store, which a console must prove it holds
/// (HMAC over a listener's challenge) before a TCP control endpoint answers it. Its text form (hex) is what
/// the store keeps; `description` never shows it, so a secret printed by mistake says only what it is.
public struct ControlSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let bytes: [UInt8]

    /// Bytes of a secret (256 bits).
    public static let byteCount = 32

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// A new secret from the system's cryptographic generator (getrandom on Linux).
    public static func generate() -> ControlSecret {
        var generator = SystemRandomNumberGenerator()
        return ControlSecret(bytes: (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })!
    }

    /// The stored form: lower-case hex.
    public var stored: String { Hex.text(bytes) }

    /// Reads the stored form; nil for anything else.
    public init?(stored text: String) {
        guard let bytes = Hex.bytes(text) else { return nil }
        self.init(bytes: bytes)
    }

    public var description: String { "(the organization's control secret)" }
    public var debugDescription: String { description }
}

/// Lower-case hex, as the store keeps secrets and certificate fingerprints.
public enum Hex {
    public static func text(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// The bytes a hex string spells (either case, no separators); nil for anything else.
    public static func bytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
