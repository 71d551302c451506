import Foundation
import ReceptorCore

/// A login and password from AUTH PLAIN or AUTH LOGIN, for the I/O layer to check against the account store.
/// Its descriptions and mirror never show the password, so printing or logging an action cannot leak it.
public struct Credentials: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public enum Mechanism: String, Hashable, Sendable { case plain = "PLAIN", login = "LOGIN" }

    public let login: String
    public let password: String
    public let mechanism: Mechanism

    public init(login: String, password: String, mechanism: Mechanism) {
        self.login = login
        self.password = password
        self.mechanism = mechanism
    }

    public var description: String { "Credentials(login: \(login), password: ****, mechanism: \(mechanism.rawValue))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["login": login, "password": "****", "mechanism": mechanism], displayStyle: .struct) }
}

/// What the I/O layer must do, in order. `SMTPConnection` handles the two framer directives itself.
public enum SessionAction: Hashable, Sendable, CustomStringConvertible {
    /// Write this reply (already shaped for the connector: no enhanced codes when they are disabled).
    case reply(SMTPReply)
    /// The `220` for STARTTLS has been queued: flush it, then start the TLS handshake and report
    /// `.tlsEstablished` or `.tlsFailed`.
    case startTLS
    /// Check these credentials and report `.authenticationResult`.
    case authenticate(Credentials)
    /// Store the message durably (file and directory fsynced), then report `.deliveryResult`.
    case deliver(Envelope)
    /// Close the connection once everything before this action is written.
    case close
    /// Wait this many seconds before carrying out the actions that follow (tarpitting).
    case delay(seconds: Int)
    /// Append this record to the protocol log.
    case log(ProtocolLogEvent)
    /// A message was queued: the listener counts it for MessageRateLimit and the monitor.
    case messageAccepted(AcceptedMessage)
    /// A message was refused at the end of DATA/BDAT (size, bare LF, hop count, header size, spool failure).
    case messageRejected(SMTPReply)
    /// Framer directive: the bytes that follow are a DATA body; keep at most `maxBytes` of it.
    case expectData(maxBytes: Int64)
    /// Framer directive: the next `size` bytes are a BDAT chunk; keep at most `maxBytes` of it. `inMemory` and
    /// `spilled`: what the message's earlier chunks left in memory and in `.spillBody` actions (a large
    /// message spills across chunks as a DATA body does).
    case expectChunk(size: Int64, last: Bool, maxBytes: Int64, inMemory: Int64, spilled: Int64)
    /// Bytes of the DATA body being received, past what the engine keeps in memory: append them to the
    /// session's spool (`first`: a new body, discard any spool left from before). The `.deliver` that ends the
    /// message says how many (`Envelope.spilledSize`); a refused message or a closed session discards them.
    case spillBody([UInt8], first: Bool)

    /// One line per action, safe for any log: no password, no message content.
    public var description: String {
        switch self {
        case .reply(let r): "reply(\(r.textLines().joined(separator: " | ")))"
        case .startTLS: "startTLS"
        case .authenticate(let c): "authenticate(\(c))"
        case .deliver(let e):
            "deliver(\(e.messageID), from: \(e.sender?.description ?? "<>"), to: \(e.recipients.count) recipient(s), \(e.size) bytes)"
        case .close: "close"
        case .delay(let s): "delay(\(s)s)"
        case .log(let l): "log(\(l.kind.rawValue) \(l.data))"
        case .messageAccepted(let m): "messageAccepted(\(m.messageID))"
        case .messageRejected(let r): "messageRejected(\(r.textLines().joined(separator: " | ")))"
        case .expectData(let m): "expectData(maxBytes: \(m))"
        case .expectChunk(let s, let l, let m, let kept, let spilled):
            "expectChunk(size: \(s), last: \(l), maxBytes: \(m)\(kept > 0 || spilled > 0 ? ", inMemory: \(kept), spilled: \(spilled)" : ""))"
        case .spillBody(let b, let first): "spillBody(\(b.count) bytes\(first ? ", first" : ""))"
        }
    }
}

/// The listener's view of a queued message: enough to count MessageRateLimit by IP address or by user
/// (MessageRateSource) and to show it in the monitor.
public struct AcceptedMessage: Hashable, Sendable {
    public var messageID: String
    public var internalID: Int64
    public var sender: MailAddress?
    /// The authenticated account's UPN, when AUTH succeeded.
    public var account: String?
    public var clientAddress: IPAddress
    public var recipientCount: Int
    public var size: Int64
}
