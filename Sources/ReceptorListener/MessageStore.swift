import Foundation
import NIOConcurrencyHelpers
import ReceptorCore

/// Where accepted messages go (product.md, Listener): recipients in accepted domains to Maildir
/// (`mailboxes/<domain>/<local>/Maildir/new/`), the others to the relay queue (`queue/relay/`), one
/// message file plus an envelope file per relayed message. Every file is durable before `deliver` returns.
public final class MessageStore: Sendable {
    public struct Envelope: Sendable, Codable, Equatable {
        public var messageID: String
        public var mailFrom: String
        public var recipients: [String]
        public var connector: String
        public var clientAddress: String
        public var heloName: String
        public var authenticatedAs: String?
        public var receivedAt: Date
        /// DSN parameters as given (RET, ENVID, per-recipient NOTIFY/ORCPT), recorded but not acted on.
        public var dsn: [String: String]

        public init(messageID: String, mailFrom: String, recipients: [String], connector: String, clientAddress: String,
                    heloName: String, authenticatedAs: String?, receivedAt: Date, dsn: [String: String] = [:]) {
            self.messageID = messageID; self.mailFrom = mailFrom; self.recipients = recipients; self.connector = connector
            self.clientAddress = clientAddress; self.heloName = heloName; self.authenticatedAs = authenticatedAs
            self.receivedAt = receivedAt; self.dsn = dsn
        }
    }

    public let dataDirectory: String
    private let hostTag: String
    /// Folders known to exist, so a busy mailbox costs no stat calls per message.
    private let knownFolders = NIOLockedValueBox<Set<String>>([])

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
        hostTag = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
    }

    public var mailboxesFolder: String { dataDirectory + "/mailboxes" }
    public var relayQueueFolder: String { dataDirectory + "/queue/relay" }

    /// A Maildir-safe unique name: time, pid, a sequence and the host, as the Maildir spec suggests.
    private func uniqueName(_ id: String) -> String {
        let now = Date().timeIntervalSince1970
        // Only letters and digits of the id: message ids hold <, >, @ and worse.
        let tag = String(id.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII }.prefix(40).map(Character.init))
        return "\(Int(now)).M\(Int((now - floor(now)) * 1_000_000))P\(getpid())Q\(tag).\(hostTag)"
    }

    /// Writes the message for every recipient; `isLocal` says which recipients are in accepted domains.
    /// Returns only when every copy is on disk.
    public func deliver(envelope: Envelope, headers: [UInt8], body: [UInt8], isLocal: (String) -> Bool) throws {
        let name = uniqueName(envelope.messageID)
        let local = envelope.recipients.filter(isLocal)
        let relayed = envelope.recipients.filter { !isLocal($0) }
        var firstCopy: String?
        for recipient in Set(local.map { $0.lowercased() }).sorted() {
            let (user, domain) = Self.split(recipient)
            let maildir = "\(mailboxesFolder)/\(Self.safe(domain))/\(Self.safe(user))/Maildir"
            try ensureFolders(["\(maildir)/tmp", "\(maildir)/new", "\(maildir)/cur"])
            let final = "\(maildir)/new/\(name)"
            if let first = firstCopy {
                try DurableFile.link(first, to: final, tmpPath: "\(maildir)/tmp/\(name)")
            } else {
                try DurableFile.writeLinked([headers, body], scratchFolder: "\(maildir)/tmp", tmpPath: "\(maildir)/tmp/\(name)", finalPath: final)
                firstCopy = final
            }
        }
        if !relayed.isEmpty {
            try ensureFolders([relayQueueFolder + "/tmp"])
            var relayEnvelope = envelope
            relayEnvelope.recipients = relayed
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let envelopeBytes = Array(try encoder.encode(relayEnvelope))
            // The message first, then its envelope: a queue runner treats an envelope as the commit record.
            try DurableFile.write([headers, body], tmpPath: "\(relayQueueFolder)/tmp/\(name).eml", finalPath: "\(relayQueueFolder)/\(name).eml")
            try DurableFile.write([envelopeBytes], tmpPath: "\(relayQueueFolder)/tmp/\(name).json", finalPath: "\(relayQueueFolder)/\(name).json")
        }
    }

    private func ensureFolders(_ paths: [String]) throws {
        for path in paths where !knownFolders.withLockedValue({ $0.contains(path) }) {
            try DurableFile.makeFolder(path)
            knownFolders.withLockedValue { _ = $0.insert(path) }
        }
    }

    static func split(_ address: String) -> (String, String) {
        guard let at = address.lastIndex(of: "@") else { return (address, "localhost") }
        return (String(address[..<at]), String(address[address.index(after: at)...]))
    }

    /// A path component that can't climb out of its folder.
    static func safe(_ part: String) -> String {
        let cleaned = part.lowercased().map { ch -> Character in
            ch == "/" || ch == "\0" || ch.isNewline ? "_" : ch
        }
        let text = String(cleaned)
        return text == "." || text == ".." || text.isEmpty ? "_" + text : text
    }
}
