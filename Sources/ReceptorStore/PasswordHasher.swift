import Foundation
import Crypto
import _CryptoExtras

/// Passwords of accounts, kept only as salted slow hashes in a self-describing form:
/// `pbkdf2-sha512$210000$<base64 salt>$<base64 hash>` (PBKDF2-HMAC-SHA512, 16-byte random salt, 64-byte hash).
/// The round count travels with the hash, so raising it later leaves old hashes verifiable.
public enum PasswordHasher {
    public static let scheme = "pbkdf2-sha512"
    public static let rounds = 210_000
    public static let saltByteCount = 16
    public static let hashByteCount = 64

    /// Hashes a password with a fresh random salt.
    public static func hash(password: String) throws -> String {
        var generator = SystemRandomNumberGenerator()
        var salt = [UInt8](repeating: 0, count: saltByteCount)
        for i in salt.indices { salt[i] = generator.next() }
        return try hash(password: password, salt: salt, rounds: rounds)
    }

    static func hash(password: String, salt: [UInt8], rounds: Int) throws -> String {
        let derived = try derive(password: password, salt: salt, rounds: rounds)
        return "\(scheme)$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
    }

    /// True when `password` produces `stored`. The comparison takes the same time wherever the bytes differ.
    /// A malformed stored hash never matches (and still costs one derivation, so it can't be told apart).
    public static func verify(password: String, against stored: String) -> Bool {
        guard let parsed = parse(stored) else {
            burnOneDerivation(password: password)
            return false
        }
        guard
            let derived = try? derive(
                password: password, salt: parsed.salt, rounds: parsed.rounds,
                outputByteCount: parsed.hash.count)
        else { return false }
        return constantTimeEqual(derived, parsed.hash)
    }

    /// The same work as one verification, for a sign-in name that matches no account: timing then tells
    /// nobody which names exist.
    public static func burnOneDerivation(password: String) {
        _ = try? derive(password: password, salt: dummySalt, rounds: rounds)
    }

    private static let dummySalt: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltByteCount).map { _ in generator.next() }
    }()

    static func parse(_ stored: String) -> (rounds: Int, salt: [UInt8], hash: [UInt8])? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme,
            let rounds = Int(parts[1]), rounds >= 1, rounds <= 100_000_000,
            let salt = Data(base64Encoded: String(parts[2])), !salt.isEmpty,
            let hash = Data(base64Encoded: String(parts[3])), !hash.isEmpty
        else { return nil }
        return (rounds, Array(salt), Array(hash))
    }

    static func derive(password: String, salt: [UInt8], rounds: Int, outputByteCount: Int = hashByteCount) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha512,
            outputByteCount: outputByteCount, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
