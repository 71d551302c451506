import Foundation
import ReceptorCore

/// A header field to write in front of a message. `value` may already be folded (`CRLF` + space).
public struct HeaderField: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `Name: value` with CRLF.
    public var rendered: String { "\(name): \(value)\r\n" }
    public var description: String { "\(name): \(value)" }
}

/// One accepted recipient.
public struct EnvelopeRecipient: Hashable, Sendable {
    public var address: MailAddress
    public var notify: DSNNotify?
    public var originalRecipient: String?
    public var orar: String?
    /// The accepted domain the address belongs to; nil outside the accepted domains.
    public var acceptedDomain: AcceptedDomain?
    /// The mailbox that gets this recipient's copy (normalized `local@domain`, `RecipientDirectory`); nil
    /// means the message is relayed for this recipient (outside the accepted domains, or a relay domain's
    /// address that is no mailbox here).
    public var mailbox: String?

    public init(
        address: MailAddress, notify: DSNNotify? = nil, originalRecipient: String? = nil, orar: String? = nil,
        acceptedDomain: AcceptedDomain? = nil, mailbox: String? = nil
    ) {
        self.address = address; self.notify = notify; self.originalRecipient = originalRecipient; self.orar = orar
        self.acceptedDomain = acceptedDomain; self.mailbox = mailbox
    }

    public var isRelay: Bool { mailbox == nil }
}

/// Everything the spool needs to store one message: who sent it, to whom, how the session was secured,
/// the headers to prepend and the message itself (after the header firewall).
public struct Envelope: Hashable, Sendable {
    public enum Transport: String, Hashable, Sendable { case data = "DATA", bdat = "BDAT" }

    public var sessionID: String
    /// 1 for the session's first message, 2 for the next, …
    public var transactionNumber: Int
    public var connectorID: String
    public var messageID: String
    public var mail: MailFromCommand
    public var recipients: [EnvelopeRecipient]
    public var heloName: String?
    public var clientAddress: IPAddress
    public var localAddress: IPAddress
    public var tls: TLSInfo?
    /// `Anonymous`, `Internal`, `Partner` or the account's UPN (as `X-Receptor-AuthAs`).
    public var authAs: String
    /// `None`, `Plain`, `Login`, `Tls` or `ExternalAuthoritative` (as `X-Receptor-AuthMechanism`).
    public var authMechanism: String
    public var account: MailboxAccount?
    public var receivedAt: Date
    public var transport: Transport
    /// Received, X-Receptor-*, and Message-ID when the message had none, in order.
    public var headersToPrepend: [HeaderField]
    /// The message as received, minus the header fields the header firewall removed.
    public var message: [UInt8]
    /// The size as received, before stripping.
    public var size: Int64
    /// Names of the header fields the firewall removed (for the protocol log and tests).
    public var strippedHeaders: [String]
    public var sawBareLineFeed: Bool
    /// The message goes on past `message`: this many bytes the I/O layer holds from `.spillBody` actions
    /// (a large DATA body), stored after `message` unchanged.
    public var spilledSize: Int64 = 0

    public var sender: MailAddress? { mail.sender }

    /// The prepended headers as bytes, ready to write before `message` (built straight into one array: this
    /// runs for every message).
    public var prependedHeaderBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headersToPrepend.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        for field in headersToPrepend {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: [13, 10])
        }
        return bytes
    }

    /// The stored message: prepended headers, then the message.
    public var fullMessage: [UInt8] { prependedHeaderBytes + message }
}
