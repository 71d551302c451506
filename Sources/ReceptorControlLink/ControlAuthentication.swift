import Crypto
import Foundation
import ReceptorStore

/// The TCP control endpoint's authentication (docs/decisions/2026-12-06-control-endpoint.md), inside TLS:
///
///     S: {"nonce":"<32 random bytes, base64>","type":"challenge","version":1}
///     C: {"answer":"<HMAC-SHA256(secret, label ‖ nonce ‖ SHA-256 of the server certificate), base64>","command":"authenticate"}
///     S: {"type":"authenticated"}                     then the control socket's protocol, as on the Unix socket
///     S: {"error":"not authorized","type":"error"}    and the close, nothing else
///
/// The secret never crosses the wire; an answer is good for one nonce (a replay to another connection fails)
/// and one certificate (an answer obtained through a relay that shows another certificate fails). The label
/// keeps the MAC from meaning anything in another protocol that might use the same secret.
public enum ControlAuthentication {
    public static let version = 1
    public static let nonceByteCount = 32
    static let label = Array("receptor-control-v1".utf8)

    public static let acceptedLine = #"{"type":"authenticated"}"#
    public static let refusalLine = #"{"error":"not authorized","type":"error"}"#

    struct Challenge: Codable {
        var type = "challenge"
        var version: Int
        var nonce: String
    }
    struct Answer: Codable {
        var command = "authenticate"
        var answer: String
    }

    public static func makeNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<nonceByteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// What a holder of `secret` answers to `nonce` from the server whose certificate has `fingerprint`
    /// (the SHA-256 of its DER, 32 bytes).
    public static func answer(secret: ControlSecret, nonce: [UInt8], fingerprint: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: label + nonce + fingerprint, using: SymmetricKey(data: secret.bytes)))
    }

    /// Whether `answer` is the one for this secret, nonce and certificate (compared in constant time).
    public static func isValid(_ answer: [UInt8], secret: ControlSecret, nonce: [UInt8], fingerprint: [UInt8]) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(answer, authenticating: label + nonce + fingerprint, using: SymmetricKey(data: secret.bytes))
    }

    // MARK: Lines

    public static func challengeLine(nonce: [UInt8]) -> String {
        encode(Challenge(version: version, nonce: Data(nonce).base64EncodedString()))
    }

    /// The nonce of a challenge line; nil for anything else (another version, a nonce of another size).
    public static func nonce(inChallenge line: Data) -> [UInt8]? {
        guard let c = try? JSONDecoder().decode(Challenge.self, from: line), c.type == "challenge", c.version == version,
            let nonce = Data(base64Encoded: c.nonce), nonce.count == nonceByteCount
        else { return nil }
        return Array(nonce)
    }

    /// The client's answer line to a challenge line; nil when the line is not a challenge.
    public static func answerLine(toChallenge line: Data, secret: ControlSecret, fingerprint: [UInt8]) -> String? {
        guard let nonce = nonce(inChallenge: line) else { return nil }
        return encode(Answer(answer: Data(answer(secret: secret, nonce: nonce, fingerprint: fingerprint)).base64EncodedString()))
    }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    /// One connection's server side: a fresh nonce, its challenge line, and the check of the one answer line.
    public struct Server: Sendable {
        public let nonce: [UInt8]
        let secret: ControlSecret
        let fingerprint: [UInt8]

        public init(secret: ControlSecret, fingerprint: [UInt8], nonce: [UInt8] = ControlAuthentication.makeNonce()) {
            self.secret = secret; self.fingerprint = fingerprint; self.nonce = nonce
        }

        public var challengeLine: String { ControlAuthentication.challengeLine(nonce: nonce) }

        /// Whether the client's line is the right answer. Anything else — another command, no answer, an
        /// answer for another nonce or certificate, a line that is not JSON — is not.
        public func accepts(_ line: Data) -> Bool {
            guard let a = try? JSONDecoder().decode(Answer.self, from: line), a.command == "authenticate",
                let mac = Data(base64Encoded: a.answer)
            else { return false }
            return ControlAuthentication.isValid(Array(mac), secret: secret, nonce: nonce, fingerprint: fingerprint)
        }
    }
}
